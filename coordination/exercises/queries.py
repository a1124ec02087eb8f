"""Reads of exercises, for their pages and the scheduler. Exercises themselves are kept in the real
database; what is made in one is in its own (see store)."""

from sqlmodel import Session, select

from coordination.exercises.enums import ExerciseStatus
from coordination.exercises.models import Exercise, ExerciseInject

PLAYABLE = (ExerciseStatus.running, ExerciseStatus.paused, ExerciseStatus.ended, ExerciseStatus.archived)
"""The statuses in which an exercise has a database of its own to show."""
WRITABLE = (ExerciseStatus.running, ExerciseStatus.paused)
"""The statuses in which players may still act in an exercise (after that its record is read-only)."""


def by_key(*, session: Session, key: str) -> Exercise | None:
    return session.exec(select(Exercise).where(Exercise.key == key)).first()


def current_and_past(*, session: Session) -> tuple[list[Exercise], list[Exercise]]:
    """(planned, running, paused and ended ones, newest first; the archive, newest first)."""
    rows = session.exec(select(Exercise).order_by(Exercise.created_at.desc(), Exercise.id.desc())).all()
    return (
        [e for e in rows if e.status != ExerciseStatus.archived],
        [e for e in rows if e.status == ExerciseStatus.archived],
    )


def open_to_players(*, session: Session) -> list[Exercise]:
    """Running and paused exercises, for the banner that invites players in."""
    return list(
        session.exec(
            select(Exercise).where(Exercise.status.in_(WRITABLE)).order_by(Exercise.started_at)
        ).all()
    )


def running(*, session: Session) -> list[Exercise]:
    return list(session.exec(select(Exercise).where(Exercise.status == ExerciseStatus.running)).all())


def injects_of(*, session: Session, exercise: Exercise) -> list[ExerciseInject]:
    return list(
        session.exec(
            select(ExerciseInject)
            .where(ExerciseInject.exercise_id == exercise.id)
            .order_by(ExerciseInject.at_exercise_seconds, ExerciseInject.id)
        ).all()
    )
