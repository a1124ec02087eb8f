"""The lifecycle of a situation report."""

from enum import StrEnum


class SitrepStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
