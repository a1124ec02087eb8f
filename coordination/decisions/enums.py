"""The vocabulary of decisions: their lifecycle, addressee units, acknowledgements and actions."""

from enum import StrEnum


class DecisionStatus(StrEnum):
    draft = "draft"
    adopted = "adopted"
    superseded = "superseded"
    withdrawn = "withdrawn"


class Procedure(StrEnum):
    meeting = "meeting"
    written = "written"


class UnitKind(StrEnum):
    """What an addressee is: a body (task force, platform), a department, or a mission."""

    body = "body"
    department = "department"
    mission = "mission"


class AcknowledgementStatus(StrEnum):
    pending = "pending"
    acknowledged = "acknowledged"
    cannot_comply = "cannot_comply"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    blocked = "blocked"
