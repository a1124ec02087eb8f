"""The exercise's clock: exercise time as a function of the wall clock, the speed and the pauses. Pure."""

from datetime import datetime, timedelta

from coordination.exercises.enums import ExerciseStatus


def exercise_elapsed(exercise, now: datetime) -> timedelta:
    """How much exercise time has passed at the wall-clock instant `now`."""
    seconds = exercise.elapsed_seconds
    if exercise.status == ExerciseStatus.running and exercise.running_since is not None:
        seconds += max((now - exercise.running_since).total_seconds(), 0.0) * exercise.speed
    return timedelta(seconds=seconds)


def fold(exercise, now: datetime) -> None:
    """Bank the running span into `elapsed_seconds` and restart the span at `now` (before a pause, a new
    speed or the end: exercise time then continues from where it stood)."""
    exercise.elapsed_seconds = exercise_elapsed(exercise, now).total_seconds()
    exercise.running_since = now if exercise.status == ExerciseStatus.running else None


def mark(exercise, now: datetime) -> None:
    """Add the clock as it stands from `now` to its history (after a step changed it, once started)."""
    if exercise.started_at is None:
        return
    speed = exercise.speed if exercise.status == ExerciseStatus.running else 0
    seconds = exercise_elapsed(exercise, now).total_seconds()
    exercise.segments = [*exercise.segments, [now.isoformat(), seconds, speed]]


def exercise_time_at(exercise, at: datetime) -> timedelta | None:
    """The exercise's clock at a past wall-clock instant, from its history (None before it started)."""
    found = None
    for since, seconds, speed in exercise.segments:
        since = datetime.fromisoformat(since)
        if since > at:
            break
        found = seconds + (at - since).total_seconds() * speed
    return timedelta(seconds=found) if found is not None else None


def wall_time_until(exercise, elapsed: timedelta, now: datetime) -> timedelta | None:
    """How long on the wall clock until the exercise's clock shows `elapsed` (None while it stands still)."""
    if exercise.status != ExerciseStatus.running:
        return None
    ahead = (elapsed - exercise_elapsed(exercise, now)).total_seconds()
    return timedelta(seconds=max(ahead, 0.0) / exercise.speed)
