"""The two ways a business rule refuses something, shared by every domain area.

Services raise them; the API turns them into problem details (403, 409 or 422 naming the field),
and pages into a 403 or a message on the form.
"""


class RuleViolation(ValueError):
    """Input the rules refuse; `field` names the offending field."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Conflict(RuleViolation):
    """The request clashes with an earlier one (e.g. an Idempotency-Key reused for another body)."""

    status = 409


class Forbidden(PermissionError):
    """The person may not do this."""
