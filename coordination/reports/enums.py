"""The vocabulary of field reports: severities, kinds, source grading and the triage lifecycle."""

from enum import StrEnum


class Severity(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class ReportKind(StrEnum):
    field_report = "field_report"
    intelligence_brief = "intelligence_brief"
    external_alert = "external_alert"  # a CAP alert taken in from a configured feed (alerts area)


class IntelligenceLevel(StrEnum):
    """Strategic intelligence goes to the steering group, tactical intelligence to the task forces."""

    strategic = "strategic"
    tactical = "tactical"


class SourceReliability(StrEnum):
    """Admiralty grading: how reliable the source has been (A completely reliable .. F cannot be judged)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class InformationCredibility(StrEnum):
    """Admiralty grading: how credible the information is (1 confirmed .. 6 cannot be judged)."""

    confirmed = "1"
    probably_true = "2"
    possibly_true = "3"
    doubtful = "4"
    improbable = "5"
    cannot_be_judged = "6"


class TriageStatus(StrEnum):
    new = "new"
    under_review = "under_review"
    validated = "validated"
    dismissed = "dismissed"
    archived = "archived"


TRIAGE_TRANSITIONS: dict[TriageStatus, set[TriageStatus]] = {
    TriageStatus.new: {TriageStatus.under_review},
    TriageStatus.under_review: {TriageStatus.validated, TriageStatus.dismissed},
    TriageStatus.validated: {TriageStatus.archived},
    TriageStatus.dismissed: {TriageStatus.archived},
    TriageStatus.archived: set(),
}
