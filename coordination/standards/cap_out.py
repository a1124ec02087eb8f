"""CAP 1.2 alerts and Atom feeds of them, written from plain data (OASIS Common Alerting Protocol 1.2).

The areas decide what goes out and to whom; this module only spells it in CAP: the vocabulary mappings
below are the platform's reading of its own severities, themes and source grading in CAP's terms.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlparse
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from coordination import playmode

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"
GEOCODE_COUNTRY = "ISO 3166-1 alpha-3"

SEVERITY = {"critical": "Extreme", "high": "Severe", "medium": "Moderate", "low": "Minor", "info": "Unknown"}
URGENCY = {
    "critical": "Immediate",
    "high": "Expected",
    "medium": "Future",
    "low": "Future",
    "info": "Unknown",
}
# Admiralty information credibility (1 confirmed .. 6 cannot be judged)
CERTAINTY = {
    "1": "Observed",
    "2": "Likely",
    "3": "Possible",
    "4": "Unlikely",
    "5": "Unlikely",
    "6": "Unknown",
}
CATEGORY = {
    "diplomacy": "Other",
    "development": "Other",
    "defence": "Security",
    "law": "Safety",
    "order": "Security",
    "humanitarian": "Rescue",
    "economic": "Other",
    "consular": "Safety",
}


def cap_severity(severity: str) -> str:
    return SEVERITY.get(severity, "Unknown")


def cap_urgency(severity: str) -> str:
    """How soon to act, read from the report's severity (a report has no separate urgency)."""
    return URGENCY.get(severity, "Unknown")


def cap_certainty(credibility: str | None) -> str:
    return CERTAINTY.get(credibility or "", "Unknown")


def cap_categories(themes: Iterable[str]) -> list[str]:
    """CAP categories of these themes, each once, in order; "Other" when none says more."""
    found = list(dict.fromkeys(CATEGORY.get(theme, "Other") for theme in themes))
    return found or ["Other"]


def sender_for(base_url: str, unit: str = "coordination") -> str:
    """A CAP sender: an address-like name of the platform (or of one of its units) on its host."""
    return f"{unit}@{urlparse(base_url).hostname or 'localhost'}"


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: seconds, an explicit offset, no fraction and no "Z"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S+00:00")


@dataclass(frozen=True)
class CapIdentity:
    """What <references> names an alert by."""

    sender: str
    identifier: str
    sent: datetime

    def reference(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True)
class CapArea:
    description: str
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float = 0.0


@dataclass(frozen=True)
class CapInfo:
    event: str
    severity: str
    urgency: str
    certainty: str
    categories: Sequence[str] = ("Other",)
    language: str = "en"
    headline: str = ""
    description: str = ""
    sender_name: str = ""
    web: str = ""
    areas: Sequence[CapArea] = ()


@dataclass(frozen=True)
class CapAlert:
    identity: CapIdentity
    msg_type: str  # Alert, Update, Cancel, Ack, Error
    restriction: str
    addresses: Sequence[str] = ()
    references: Sequence[CapIdentity] = ()
    note: str = ""
    status: str = field(default_factory=playmode.cap_status)  # Exercise for what an exercise sends
    info: CapInfo | None = None


@dataclass(frozen=True)
class FeedEntry:
    alert: CapAlert
    title: str
    link: str
    updated: datetime


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    link: str
    updated: datetime
    entries: Sequence[FeedEntry] = field(default_factory=tuple)


def _addresses(names: Iterable[str]) -> str:
    """CAP's space-delimited list, names with spaces in double quotes."""
    return " ".join(f'"{name}"' if " " in name else name for name in names)


def _sub(parent: ElementTree.Element, tag: str, text: str | None = None, ns: str = CAP_NS):
    child = ElementTree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        child.text = text
    return child


def _area(parent: ElementTree.Element, area: CapArea) -> None:
    element = _sub(parent, "area")
    _sub(element, "areaDesc", area.description)
    if area.latitude is not None and area.longitude is not None:
        _sub(element, "circle", f"{area.latitude:.5f},{area.longitude:.5f} {area.radius_km:g}")
    if area.country_code:
        geocode = _sub(element, "geocode")
        _sub(geocode, "valueName", GEOCODE_COUNTRY)
        _sub(geocode, "value", area.country_code)


def _info(parent: ElementTree.Element, info: CapInfo) -> None:
    element = _sub(parent, "info")
    _sub(element, "language", info.language)
    for category in info.categories or ("Other",):
        _sub(element, "category", category)
    _sub(element, "event", info.event)
    _sub(element, "urgency", info.urgency)
    _sub(element, "severity", info.severity)
    _sub(element, "certainty", info.certainty)
    for tag, text in (
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("web", info.web),
    ):
        if text:
            _sub(element, tag, text)
    for area in info.areas:
        _area(element, area)


def alert_element(alert: CapAlert) -> ElementTree.Element:
    """The <alert> element, children in the order the CAP 1.2 schema requires."""
    root = ElementTree.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", alert.identity.identifier)
    _sub(root, "sender", alert.identity.sender)
    _sub(root, "sent", cap_time(alert.identity.sent))
    _sub(root, "status", alert.status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Restricted")
    _sub(root, "restriction", alert.restriction)
    if alert.addresses:
        _sub(root, "addresses", _addresses(alert.addresses))
    if alert.note:
        _sub(root, "note", alert.note)
    if alert.references:
        _sub(root, "references", " ".join(ref.reference() for ref in alert.references))
    if alert.info is not None:
        _info(root, alert.info)
    return root


def alert_xml(alert: CapAlert) -> bytes:
    """One CAP alert as a standalone XML document."""
    return ElementTree.tostring(
        alert_element(alert), encoding="utf-8", xml_declaration=True, default_namespace=CAP_NS
    )


def atom_feed(feed: Feed) -> bytes:
    """An Atom feed whose entries each carry one CAP alert as their content (the alert keeps CAP as its
    default namespace, as CAP readers expect)."""
    parts = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        f'<feed xmlns="{ATOM_NS}">',
        f"<title>{escape(playmode.marked(feed.title))}</title>",
        f"<id>{escape(feed.id)}</id>",
        f"<updated>{cap_time(feed.updated)}</updated>",
        f'<link rel="alternate" href={quoteattr(feed.link)}/>',
    ]
    for entry in feed.entries:
        parts += [
            "<entry>",
            f"<title>{escape(playmode.marked(entry.title))}</title>",
            f"<id>{escape(entry.link)}</id>",
            f"<updated>{cap_time(entry.updated)}</updated>",
            f'<link rel="alternate" href={quoteattr(entry.link)}/>',
            f'<content type="{CAP_MEDIA_TYPE}">',
            ElementTree.tostring(alert_element(entry.alert), encoding="unicode", default_namespace=CAP_NS),
            "</content>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "".join(parts).encode("utf-8")


def alerts_in_feed(feed_xml: bytes) -> list[ElementTree.Element]:
    """The CAP alerts a feed of ours carries (for tests and round trips; parse foreign XML with
    defusedxml instead)."""
    root = ElementTree.fromstring(feed_xml)
    return root.findall(f"{{{ATOM_NS}}}entry/{{{ATOM_NS}}}content/{{{CAP_NS}}}alert")
