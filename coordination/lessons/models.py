"""Observations and lessons, their stage history and what they concern."""

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlmodel import Field, SQLModel

from coordination.classification import Clearance
from coordination.lessons.enums import LessonStage
from coordination.types import UTCDateTime, utcnow


class Lesson(SQLModel, table=True):
    """One observation, from submission to lesson learned; the four parts follow the NATO format."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    observation: str = Field(default="", sa_type=Text, description="What happened, as fact")
    discussion: str = Field(default="", sa_type=Text, description="Why; who, what, where, when, how")
    conclusion: str = Field(default="", sa_type=Text)
    recommendation: str = Field(default="", sa_type=Text, description="What to change, how, by whom")
    classification: Clearance = Field(default=Clearance.unclassified, sa_type=String(20), index=True)
    stage: LessonStage = Field(default=LessonStage.submitted, sa_type=String(20), index=True)
    effort: str = Field(default="", max_length=120, index=True)
    task_force_id: int | None = Field(default=None, foreign_key="body.id", index=True)
    themes: list[str] = Field(default_factory=list, sa_type=JSON)
    countries: list[str] = Field(default_factory=list, sa_type=JSON)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    rejection_reason: str = Field(default="", max_length=2000)
    action_body_id: int | None = Field(default=None, foreign_key="body.id")
    endorsement_decision_id: int | None = Field(default=None, foreign_key="decision.id")
    submitted_by_id: int = Field(foreign_key="person.id", index=True)
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    stage_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the exercise whose after-action review submitted it, by name ("" for real work)
    from_exercise: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})


class LessonTransition(SQLModel, table=True):
    """Who moved a lesson from one stage to the next, and when."""

    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lesson.id", index=True)
    from_stage: LessonStage | None = Field(default=None, sa_type=String(20))
    to_stage: LessonStage = Field(sa_type=String(20))
    person_id: int = Field(foreign_key="person.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    note: str = Field(default="", max_length=2000)


class LessonDecision(SQLModel, table=True):
    lesson_id: int = Field(foreign_key="lesson.id", primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", primary_key=True)


class LessonReport(SQLModel, table=True):
    lesson_id: int = Field(foreign_key="lesson.id", primary_key=True)
    report_id: int = Field(foreign_key="fieldreport.id", primary_key=True)
