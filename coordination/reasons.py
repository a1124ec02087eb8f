"""Routing reasons in the reader's language.

A delivery stores the reason the routing rules gave as English text (it is part of the audit record);
pages show it translated by reading it back into its parts. A part this module does not know is shown
as stored.
"""

import re

from flask_babel import gettext as _

from coordination.labels import label

_OVERRIDE = re.compile(r"^(?P<why>.*) \(with another task force, by steering-group override: (?P<note>.*)\)$")
_PARTS = [
    (re.compile(r"^platform of the posting mission \((?P<mission>[^)]*)\)$"), "mission"),
    (re.compile(r"^task force covers theme (?P<themes>.+)$"), "theme"),
    (re.compile(r"^task force covers (?P<country>[A-Z]{3})$"), "country"),
    (
        re.compile(r"^no active task force covers (?P<country>\S+): steering group early-warning queue$"),
        "queue",
    ),
    (re.compile(r"^tactical intelligence: (?P<why>.+)$"), "tactical"),
    (re.compile(r"^(?P<severity>\w+) severity$"), "severity"),
    (re.compile(r"^forwarded by (?P<name>.+)$"), "forwarded"),
    (re.compile(r"^handed over at set-up: (?P<why>.*)$"), "handed_over"),
    (re.compile(r"^external alert from (?P<source>.+)$"), "external_alert"),
]


def _part(text: str) -> str:
    if text == "early warning":
        return _("early warning")
    if text == "strategic intelligence":
        return _("strategic intelligence")
    if override := _OVERRIDE.match(text):
        return _(
            "%(reason)s (with another task force, by steering-group override: %(note)s)",
            reason=_part(override["why"]),
            note=override["note"],
        )
    found, kind = next(
        ((match, kind) for pattern, kind in _PARTS if (match := pattern.match(text))), (None, "")
    )
    if found is None:
        return text
    if kind == "mission":
        return _("platform of the posting mission (%(mission)s)", mission=found["mission"])
    if kind == "theme":
        themes = ", ".join(label("theme", theme.strip()).lower() for theme in found["themes"].split(","))
        return _("task force covers theme %(themes)s", themes=themes)
    if kind == "country":
        return _("task force covers %(country)s", country=found["country"])
    if kind == "queue":
        return _(
            "no active task force covers %(country)s: steering group early-warning queue",
            country=found["country"],
        )
    if kind == "tactical":
        return _("tactical intelligence: %(reason)s", reason=_part(found["why"]))
    if kind == "severity":
        return _("%(severity)s severity", severity=label("severity", found["severity"]).lower())
    if kind == "forwarded":
        return _("forwarded by %(name)s", name=found["name"])
    if kind == "external_alert":
        return _("external alert from %(source)s", source=found["source"])
    return _("handed over at set-up: %(reason)s", reason=routing_reason(found["why"]))


def routing_reason(reason: str) -> str:
    """A stored routing reason ("early warning; high severity") in the reader's language."""
    return "; ".join(_part(part) for part in (reason or "").split("; "))
