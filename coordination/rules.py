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


class StaleVersion(Conflict):
    """A text was saved by someone else since this editor read it: `current` is its version now. Nothing
    was written (no lost update); the API answers 412 to an If-Match, a page shows both versions."""

    def __init__(self, message: str, *, current: str, field: str | None = "version"):
        super().__init__(message, field)
        self.current = current


def check_version(*, expected: str | None, current: str, what: str) -> None:
    """Refuse an edit made on another version than the stored one; `expected=None` checks nothing."""
    if expected is not None and expected != current:
        raise StaleVersion(
            f"someone else saved the {what} since this version was read (now {current})", current=current
        )


class Forbidden(PermissionError):
    """The person may not do this."""
