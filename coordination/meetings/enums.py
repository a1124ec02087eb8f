"""What a meeting's agenda is made of."""

from enum import StrEnum


class AgendaKind(StrEnum):
    priority_review = "priority_review"
    early_warning = "early_warning"
    validated_report = "validated_report"
    pending_acknowledgement = "pending_acknowledgement"
    overdue_action = "overdue_action"
    situation_report_due = "situation_report_due"
    other = "other"
