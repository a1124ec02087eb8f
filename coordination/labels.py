"""The words shown for stored values (roles, severities, classifications, ...), translated once per
request: lists such as the inbox show the same few labels hundreds of times."""

from flask import Flask, g
from flask_babel import lazy_gettext as _l

from coordination.countries import country_name

LABELS = {
    "role": {
        "chair": _l("Chair"),
        "co_chair": _l("Co-chair"),
        "secretary": _l("Secretary"),
        "member": _l("Member"),
        "observer": _l("Observer"),
    },
    "body_kind": {
        "steering_group": _l("Steering group"),
        "task_force": _l("Task force"),
        "consultation_platform": _l("Consultation platform"),
    },
    "body_status": {"proposed": _l("Proposed"), "active": _l("Active"), "stood_down": _l("Stood down")},
    "clearance": {
        "unclassified": _l("Unclassified"),
        "confidential": _l("Confidential"),
        "secret": _l("Secret"),
        "top_secret": _l("Top secret"),
    },
    "mission_kind": {
        "embassy": _l("Embassy"),
        "permanent_representation": _l("Permanent representation"),
        "consulate": _l("Consulate"),
    },
    "level": {"federal": _l("Federal"), "regional": _l("Regional"), "community": _l("Community")},
    "theme": {
        "diplomacy": _l("Diplomacy"),
        "development": _l("Development"),
        "defence": _l("Defence"),
        "law": _l("Law"),
        "order": _l("Order"),
        "humanitarian": _l("Humanitarian"),
        "economic": _l("Economic"),
        "consular": _l("Consular"),
    },
    "severity": {
        "info": _l("Information"),
        "low": _l("Low"),
        "medium": _l("Medium"),
        "high": _l("High"),
        "critical": _l("Critical"),
    },
    "report_status": {
        "new": _l("New"),
        "under_review": _l("Under review"),
        "validated": _l("Validated"),
        "dismissed": _l("Dismissed"),
        "archived": _l("Archived"),
    },
    # statuses shown in running text and table cells, in lower case as they read in a sentence
    "action_status": {
        "open": _l("open"),
        "in_progress": _l("in progress"),
        "done": _l("done"),
        "blocked": _l("blocked"),
    },
    "sitrep_status": {"draft": _l("draft"), "submitted": _l("submitted")},
    "press_status": {
        "draft": _l("draft"),
        "submitted": _l("submitted"),
        "returned": _l("returned"),
        "cleared": _l("cleared"),
        "released": _l("released"),
    },
    "partner_status": {"exploring": _l("exploring"), "active": _l("active"), "ended": _l("ended")},
    "actor_kind": {"regional": _l("regional"), "other": _l("other")},
    "exercise_status": {
        "planned": _l("planned"),
        "running": _l("running"),
        "paused": _l("paused"),
        "ended": _l("ended"),
        "archived": _l("archived"),
    },
    "inject_outcome": {"posted": _l("posted"), "skipped": _l("skipped"), "by_hand": _l("injected by hand")},
}


def label(kind: str, value) -> str:
    """The label of `value` among the `kind` labels in the request's language; the value itself when
    it has none."""
    cache = g.setdefault("labels", {})
    key = (kind, value)
    if key not in cache:
        text = LABELS[kind].get(value)
        cache[key] = str(value) if text is None else str(text)
    return cache[key]


def label_now(kind: str, value) -> str:
    """`label` without the request's cache: for text written in another person's language."""
    text = LABELS[kind].get(value)
    return str(value) if text is None else str(text)


def init_app(app: Flask) -> None:
    from coordination.maps.svg import pins_as_list, shapes_and_pins
    from coordination.reasons import routing_reason

    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["map_shapes_and_pins"] = shapes_and_pins
    app.jinja_env.globals["map_pins_as_list"] = pins_as_list
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["routing_reason"] = routing_reason
