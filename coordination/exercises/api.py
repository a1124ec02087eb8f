"""API endpoints for exercises (read-only): the list with each exercise's clock, one exercise with what
became of its injects (for its controllers) and its evaluation. An exercise is played through the same API
under its own prefix (/exercises/<key>/play/api/v1/...), on its own database."""

from datetime import UTC, datetime, timedelta

from flask import abort, g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from coordination.api import BEARER, api, json_response
from coordination.api.problems import Problem
from coordination.db import get_session
from coordination.exercises import clock, queries, scripts, service
from coordination.exercises.enums import ExerciseStatus, InjectOutcome

EXERCISES_TAG = Tag(name="exercises", description="Exercises: scripted crises played apart from real work")


class KeyPath(BaseModel):
    key: str = Field(max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")


class ExerciseOut(BaseModel):
    key: str
    name: str
    script: str
    status: ExerciseStatus
    speed: int = Field(ge=1, le=60)
    exercise_seconds: float = Field(description="Exercise time elapsed now")
    started_at: datetime | None
    ended_at: datetime | None
    archived_at: datetime | None
    play_path: str | None = Field(description="Where the exercise is played (its pages; its API below it)")


class ExerciseList(BaseModel):
    items: list[ExerciseOut]


class InjectOut(BaseModel):
    key: str
    outcome: InjectOutcome
    at: datetime
    exercise_seconds: float
    report_id: int | None = Field(description="The report posted, in the exercise's own database")


class ExerciseDetail(ExerciseOut):
    injects: list[InjectOut] = Field(description="What became of the injects (controllers only; else empty)")


class MeasureOut(BaseModel):
    what: str = Field(description="first_triage, warning_to_decision or decision_to_last_acknowledgement")
    subject: str
    took_seconds: float | None
    target_seconds: float | None
    met: bool | None


class EventOut(BaseModel):
    at: datetime
    exercise_seconds: float | None
    kind: str
    label: str


class EvaluationOut(BaseModel):
    measures: list[MeasureOut]
    timeline: list[EventOut]


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _out(exercise, now: datetime) -> dict:
    return dict(
        key=exercise.key,
        name=exercise.name,
        script=exercise.script_key,
        status=exercise.status,
        speed=exercise.speed,
        exercise_seconds=clock.exercise_elapsed(exercise, now).total_seconds(),
        started_at=exercise.started_at,
        ended_at=exercise.ended_at,
        archived_at=exercise.archived_at,
        play_path=f"/exercises/{exercise.key}/play/" if exercise.status in queries.PLAYABLE else None,
    )


def _exercise(key: str):
    if g.get("exercise") is not None:  # an exercise's own API has no exercises
        abort(404, description="No exercises inside an exercise.")
    exercise = queries.by_key(session=get_session(), key=key)
    if exercise is None:
        abort(404, description=f"No exercise {key}.")
    return exercise


@api.get(
    "/exercises",
    tags=[EXERCISES_TAG],
    security=BEARER,
    responses={200: ExerciseList},
    summary="The exercises: current ones first, then the archive, newest first",
)
def list_exercises():
    if g.get("exercise") is not None:
        abort(404, description="No exercises inside an exercise.")
    current, archive = queries.current_and_past(session=get_session())
    now = datetime.now(UTC)
    return json_response(ExerciseList(items=[ExerciseOut(**_out(e, now)) for e in [*current, *archive]]))


@api.get(
    "/exercises/<key>",
    tags=[EXERCISES_TAG],
    security=BEARER,
    responses={200: ExerciseDetail, 404: Problem},
    summary="One exercise, its clock and (for its controllers) what became of its injects",
)
def get_exercise(path: KeyPath):
    session = get_session()
    exercise = _exercise(path.key)
    injects = []
    if service.may_control(session=session, person=g.api_person):
        script = scripts.library().get(exercise.script_key)
        hidden = service.hidden_injects(script, g.api_person) if script else set()
        injects = [
            InjectOut(
                key=r.inject_key,
                outcome=r.outcome,
                at=r.at,
                exercise_seconds=r.at_exercise_seconds,
                report_id=r.report_id,
            )
            for r in queries.injects_of(session=session, exercise=exercise)
            if r.inject_key not in hidden
        ]
    return json_response(ExerciseDetail(**_out(exercise, datetime.now(UTC)), injects=injects))


@api.get(
    "/exercises/<key>/evaluation",
    tags=[EXERCISES_TAG],
    security=BEARER,
    responses={200: EvaluationOut, 403: Problem, 404: Problem},
    summary="The exercise's measured times against its script's targets, and its timeline (controllers only)",
)
def exercise_evaluation(path: KeyPath):
    session = get_session()
    exercise = _exercise(path.key)
    if not service.may_control(session=session, person=g.api_person):
        abort(403, description="Only the exercise's controllers read its evaluation.")
    result = service.evaluate(session=session, exercise=exercise, viewer=g.api_person)
    return json_response(
        EvaluationOut(
            measures=[
                MeasureOut(
                    what=m.what,
                    subject=m.subject,
                    took_seconds=_seconds(m.took),
                    target_seconds=_seconds(m.target),
                    met=m.met,
                )
                for m in result.measures
            ],
            timeline=[
                EventOut(at=e.at, exercise_seconds=_seconds(e.exercise_time), kind=e.kind, label=e.label)
                for e in result.timeline
            ],
        )
    )
