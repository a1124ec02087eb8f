"""The stages of a lesson, from observation to lesson learned."""

from enum import StrEnum


class LessonStage(StrEnum):
    submitted = "submitted"
    accepted = "accepted"  # accepted as an observation
    rejected = "rejected"
    analysed = "analysed"
    identified = "identified"  # lesson identified
    endorsed = "endorsed"  # by the steering group
    tasked = "tasked"  # an action body has remedial actions
    implemented = "implemented"
    validated = "validated"  # by the steering group
    learned = "learned"  # lesson learned
    archived = "archived"
