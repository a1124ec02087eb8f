"""Every table module, imported in one place so that metadata and relationships are complete."""

from coordination.alerts.models import AlertFeed, ExternalAlert
from coordination.attachments.models import Attachment
from coordination.audit import chain as audit_chain  # noqa: F401  (chains every audit event)
from coordination.audit.models import AuditEvent
from coordination.auth.models import ApiToken, SignedInSession, SignInFailure
from coordination.decisions.models import Action, ActionUpdate, Addressee, Decision, DecisionReport
from coordination.exercises.models import Exercise, ExerciseInject
from coordination.jobs.models import JobLock
from coordination.lessons.models import Lesson, LessonDecision, LessonReport, LessonTransition
from coordination.meetings.models import AgendaItem, Attendance, Meeting
from coordination.notifications.models import Notification, NotificationSettings
from coordination.planning.models import (
    Assignment,
    BudgetLine,
    Designation,
    Measurement,
    Objective,
    Partnership,
    PressItem,
    PressStep,
    ReviewPosition,
    Risk,
    StaffingNeed,
)
from coordination.reports.models import Delivery, FieldReport, ReportComment, ReportRead
from coordination.search import index as search_index  # noqa: F401  (keeps the search index in step)
from coordination.sitreps.models import SituationReport
from coordination.steering.models import Priority, PriorityChange, PriorityCountry
from coordination.structure.models import (
    Body,
    BodyCountry,
    BodyMission,
    Country,
    Department,
    Directorate,
    Membership,
    Mission,
    MissionAccreditation,
    OrganisationRevision,
    Person,
)

__all__ = [
    "AlertFeed",
    "Exercise",
    "ExerciseInject",
    "ExternalAlert",
    "Attachment",
    "Lesson",
    "LessonDecision",
    "LessonReport",
    "LessonTransition",
    "Measurement",
    "Objective",
    "Partnership",
    "PressItem",
    "PressStep",
    "ReviewPosition",
    "Risk",
    "Assignment",
    "BudgetLine",
    "Designation",
    "StaffingNeed",
    "AgendaItem",
    "Attendance",
    "Meeting",
    "Priority",
    "PriorityChange",
    "PriorityCountry",
    "SituationReport",
    "Action",
    "ActionUpdate",
    "Addressee",
    "Decision",
    "DecisionReport",
    "JobLock",
    "Notification",
    "NotificationSettings",
    "ApiToken",
    "SignInFailure",
    "SignedInSession",
    "AuditEvent",
    "Body",
    "BodyCountry",
    "BodyMission",
    "Country",
    "Delivery",
    "Department",
    "Directorate",
    "FieldReport",
    "Membership",
    "Mission",
    "MissionAccreditation",
    "OrganisationRevision",
    "Person",
    "ReportComment",
    "ReportRead",
]
