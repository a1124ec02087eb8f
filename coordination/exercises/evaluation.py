"""The evaluation of an exercise: a timeline of the injects and of the responses to them, and the times that
matter measured in exercise time against the script's targets. Pure: the caller reads the facts."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from coordination.exercises import clock
from coordination.exercises.enums import InjectOutcome

FIRST_TRIAGE = "first_triage"
WARNING_TO_DECISION = "warning_to_decision"
DECISION_TO_LAST_ACKNOWLEDGEMENT = "decision_to_last_acknowledgement"


@dataclass(frozen=True)
class Event:
    at: datetime
    exercise_time: timedelta | None
    kind: str  # inject_posted, inject_skipped, first_triage, decision_adopted, last_acknowledgement
    label: str


@dataclass(frozen=True)
class Measure:
    what: str  # one of the three targets' names
    subject: str  # the inject's key, or the decision's title
    took: timedelta | None  # in exercise time; None while it has not happened
    target: timedelta | None

    @property
    def met(self) -> bool | None:
        """Within the target; None without a target, or while it has not happened (a response still missing
        past its target shows as not happened, not as missed: the page will say how long it is overdue)."""
        if self.target is None:
            return None
        if self.took is None:
            return None
        return self.took <= self.target


@dataclass
class Evaluation:
    timeline: list[Event] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)


def evaluate(*, exercise, script, injects, triaged, adoptions, report_missions) -> Evaluation:
    """`injects`: what became of each inject (ExerciseInject rows); `triaged`: report id -> when it was first
    triaged; `adoptions`: the decisions adopted in the exercise (decisions.queries.Adoption), in order;
    `report_missions`: report id -> its posting mission's id."""
    by_key = {inject.key: inject for inject in script.injects}
    at = clock.exercise_time_at
    result = Evaluation()

    def between(start: datetime, end: datetime | None) -> timedelta | None:
        if end is None:
            return None
        begun, ended = at(exercise, start), at(exercise, end)
        return ended - begun if begun is not None and ended is not None else None

    for record in sorted(injects, key=lambda r: (r.at, r.inject_key)):
        inject = by_key.get(record.inject_key)
        title = inject.title if inject else record.note or record.inject_key
        posted = record.outcome != InjectOutcome.skipped
        kind = "inject_posted" if posted else "inject_skipped"
        result.timeline.append(
            Event(record.at, at(exercise, record.at), kind, f"{record.inject_key}: {title}")
        )
        if not posted or record.report_id is None:
            continue
        first = triaged.get(record.report_id)
        if first is not None:
            result.timeline.append(Event(first, at(exercise, first), "first_triage", record.inject_key))
        result.measures.append(
            Measure(FIRST_TRIAGE, record.inject_key, between(record.at, first), script.targets.first_triage)
        )
        if inject is not None and inject.early_warning:
            mission = report_missions.get(record.report_id)
            answer = next(
                (
                    a
                    for a in adoptions
                    if a.adopted_at >= record.at
                    and (
                        record.report_id in a.report_ids or (mission is not None and mission in a.mission_ids)
                    )
                ),
                None,
            )
            result.measures.append(
                Measure(
                    WARNING_TO_DECISION,
                    record.inject_key,
                    between(record.at, answer.adopted_at if answer else None),
                    script.targets.warning_to_decision,
                )
            )
    for adoption in adoptions:
        result.timeline.append(
            Event(adoption.adopted_at, at(exercise, adoption.adopted_at), "decision_adopted", adoption.title)
        )
        if adoption.last_answer_at is not None:
            result.timeline.append(
                Event(
                    adoption.last_answer_at,
                    at(exercise, adoption.last_answer_at),
                    "last_acknowledgement",
                    adoption.title,
                )
            )
        result.measures.append(
            Measure(
                DECISION_TO_LAST_ACKNOWLEDGEMENT,
                adoption.title,
                between(adoption.adopted_at, adoption.last_answer_at),
                script.targets.decision_to_last_acknowledgement,
            )
        )
    result.timeline.sort(key=lambda event: event.at)
    return result
