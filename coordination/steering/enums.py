"""What the steering group prioritises: countries, themes and regions made of countries."""

from enum import StrEnum


class SubjectKind(StrEnum):
    country = "country"
    theme = "theme"
    region = "region"
