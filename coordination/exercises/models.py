"""An exercise and its injects, as the controller runs them: the exercise's clock and what fell due."""

from datetime import datetime

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.exercises.enums import ExerciseStatus, InjectOutcome
from coordination.types import UTCDateTime, utcnow


class Exercise(SQLModel, table=True):
    """A named, dated run of a script from the library.

    Its clock: `elapsed_seconds` of exercise time had passed at the wall-clock instant `running_since`, and
    while it runs, exercise time goes `speed` times faster than the wall clock (`clock.exercise_elapsed`).
    Pausing folds the running span into `elapsed_seconds`; so does a change of speed."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    script_key: str = Field(max_length=60)
    status: ExerciseStatus = Field(default=ExerciseStatus.planned, sa_type=String(20), index=True)
    speed: int = Field(default=1)
    elapsed_seconds: float = Field(default=0.0)
    running_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # the clock's history, for the evaluation: [wall-clock instant (ISO), exercise seconds then, speed from
    # then on (0 while paused or ended)], one entry per start, pause, resume, change of speed and end
    segments: list = Field(default_factory=list, sa_type=JSON)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ExerciseInject(SQLModel, table=True):
    """What became of one inject of the script (or of one the controller wrote by hand): posted at a time
    of both clocks, or skipped because its condition was met."""

    __table_args__ = (
        UniqueConstraint("exercise_id", "inject_key"),
        Index("ix_exerciseinject_exercise_at", "exercise_id", "at_exercise_seconds"),
    )

    id: int | None = Field(default=None, primary_key=True)
    exercise_id: int = Field(foreign_key="exercise.id")
    inject_key: str = Field(max_length=80)
    outcome: InjectOutcome = Field(sa_type=String(20))
    at: datetime = Field(sa_type=UTCDateTime)
    at_exercise_seconds: float
    by_hand_id: int | None = Field(default=None, foreign_key="person.id")
    report_id: int | None = None  # the report posted, where the exercise keeps its items
    note: str = Field(default="", max_length=300)
