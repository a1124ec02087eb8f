"""What the steering group prioritises: countries and themes."""

from enum import StrEnum


class SubjectKind(StrEnum):
    country = "country"
    theme = "theme"
