"""CAP 1.2 (OASIS Common Alerting Protocol) in: untrusted XML parsed safely, validated against the OASIS
schema and the specification's rules the schema does not express, and read into typed values. Also the
feeds that carry alerts: an RSS or Atom document whose items embed CAP alerts or link to them (GDACS,
MeteoAlarm), or a single CAP alert. Pure: no database, no network."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import pycountry
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

CAP = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"
XINCLUDE = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")
SCHEMA = Path(__file__).with_name("schemas") / "CAP-v1.2.xsd"
MAX_DOCUMENT = 2_000_000  # bytes: a CAP alert is a few kilobytes, a feed of them rarely more than a megabyte
WITH_REFERENCES = frozenset({"Update", "Cancel", "Ack", "Error"})
_FORBIDDEN_IN_ID = re.compile(r"[\s,<&]")
_SENT = "%Y-%m-%dT%H:%M:%S%z"


class CapError(ValueError):
    """A document refused: unsafe, malformed, not valid CAP 1.2, or against the specification's rules.
    The message says why, in English (it is shown to administrators and kept with the feed's status)."""


class UnsafeXml(CapError):
    """XML that could read local files, call out or blow up memory: refused before anything is read."""


@dataclass(frozen=True)
class Reference:
    """An earlier message named by `references`: "sender,identifier,sent"."""

    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True)
class Area:
    description: str
    geocodes: tuple[tuple[str, str], ...]  # (valueName, value)
    polygons: tuple[tuple[tuple[float, float], ...], ...]  # rings of (latitude, longitude)
    circles: tuple[tuple[float, float, float], ...]  # (latitude, longitude, radius in km)


@dataclass(frozen=True)
class Info:
    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    web: str
    sender_name: str
    parameters: tuple[tuple[str, str], ...]
    areas: tuple[Area, ...]


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime  # in UTC
    status: str
    msg_type: str
    scope: str
    references: tuple[Reference, ...]
    infos: tuple[Info, ...]
    note: str
    xml: str  # the alert element as received, for the record

    @property
    def key(self) -> tuple[str, str, datetime]:
        """What identifies the message (CAP 1.2 §3.2.1): the same triple means the same alert."""
        return (self.sender, self.identifier, self.sent)


@dataclass(frozen=True)
class FeedItem:
    """One alert of a feed: embedded (`alert` set) or to be fetched from `url`."""

    url: str | None = None
    alert: Alert | None = None
    error: str | None = None  # an embedded alert that was refused


class _Parser(DefusedXMLParser):
    """defusedxml's parser (entities and external references refused), refusing external DTDs; an internal
    DTD subset passes to the entity check (its entity declarations are refused there)."""

    def defused_start_doctype_decl(self, name, sysid, pubid, has_internal_subset):
        if sysid or pubid:
            raise DTDForbidden(name, sysid, pubid)


def parse_xml(data: bytes | str) -> ElementTree.Element:
    """The document's root element, or UnsafeXml / CapError saying why it is refused."""
    if len(data) > MAX_DOCUMENT:
        raise CapError(f"document larger than {MAX_DOCUMENT} bytes")
    parser = _Parser(target=ElementTree.TreeBuilder(), forbid_dtd=True, forbid_entities=True)
    try:
        parser.feed(data)
        root = parser.close()
    except EntitiesForbidden as error:
        raise UnsafeXml(
            f"entity declaration '{error.name}' refused: entities (external entities, entity expansion"
            " such as billion laughs) are not accepted"
        ) from None
    except DTDForbidden as error:
        raise UnsafeXml(f"external document type definition refused ({error.sysid or error.pubid})") from None
    except ExternalReferenceForbidden as error:
        raise UnsafeXml(f"external reference refused ({error.sysid or error.pubid})") from None
    except ElementTree.ParseError as error:
        raise CapError(f"not well-formed XML: {error}") from None
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(tuple(f"{{{ns}}}" for ns in XINCLUDE)):
            raise UnsafeXml("XInclude refused: a document may not pull in other files")
    return root


@cache
def _schema():
    import xmlschema  # 11 MB, loaded by the process that reads alerts, not by every worker

    return xmlschema.XMLSchema(str(SCHEMA))


def _text(element: ElementTree.Element, name: str) -> str:
    found = element.find(f"{{{CAP}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _texts(element: ElementTree.Element, name: str) -> list[str]:
    return [(e.text or "").strip() for e in element.findall(f"{{{CAP}}}{name}")]


def _moment(text: str, what: str) -> datetime:
    try:
        return datetime.strptime(text, _SENT).astimezone(UTC)
    except ValueError:
        raise CapError(f"{what} '{text}' is not a CAP date and time (as 2026-12-01T10:00:00+01:00)") from None


def _identity(text: str, what: str) -> str:
    if not text or _FORBIDDEN_IN_ID.search(text):
        raise CapError(f"{what} '{text}' may not be empty nor contain spaces, commas, '<' or '&'")
    return text


def _references(text: str) -> tuple[Reference, ...]:
    found = []
    for group in text.split():
        parts = group.split(",")
        if len(parts) != 3 or not all(parts):
            raise CapError(f"reference '{group}' is not of the form sender,identifier,sent")
        found.append(Reference(parts[0], parts[1], _moment(parts[2], "referenced sent time")))
    return tuple(found)


def _pairs(element: ElementTree.Element, name: str) -> tuple[tuple[str, str], ...]:
    return tuple((_text(e, "valueName"), _text(e, "value")) for e in element.findall(f"{{{CAP}}}{name}"))


def _polygon(text: str) -> tuple[tuple[float, float], ...]:
    try:
        points = tuple((float(lat), float(lon)) for lat, lon in (pair.split(",") for pair in text.split()))
    except ValueError:
        raise CapError(f"polygon '{text[:60]}' is not a list of latitude,longitude pairs") from None
    if len(points) < 4 or points[0] != points[-1]:
        raise CapError("a polygon has at least four points, the first and the last the same")
    if not all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in points):
        raise CapError("a polygon point lies outside WGS 84 latitude and longitude")
    return points


def _circle(text: str) -> tuple[float, float, float]:
    try:
        centre, radius = text.split()
        lat, lon = (float(v) for v in centre.split(","))
        circle = (lat, lon, float(radius))
    except ValueError:
        raise CapError(f"circle '{text}' is not of the form 'latitude,longitude radius'") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and circle[2] >= 0):
        raise CapError(f"circle '{text}' lies outside WGS 84 or has a negative radius")
    return circle


def _area(element: ElementTree.Element) -> Area:
    return Area(
        description=_text(element, "areaDesc"),
        geocodes=_pairs(element, "geocode"),
        polygons=tuple(_polygon(t) for t in _texts(element, "polygon")),
        circles=tuple(_circle(t) for t in _texts(element, "circle")),
    )


def _info(element: ElementTree.Element) -> Info:
    return Info(
        language=_text(element, "language") or "en-US",
        categories=tuple(_texts(element, "category")),
        event=_text(element, "event"),
        urgency=_text(element, "urgency"),
        severity=_text(element, "severity"),
        certainty=_text(element, "certainty"),
        headline=_text(element, "headline"),
        description=_text(element, "description"),
        instruction=_text(element, "instruction"),
        web=_text(element, "web"),
        sender_name=_text(element, "senderName"),
        parameters=_pairs(element, "parameter"),
        areas=tuple(_area(a) for a in element.findall(f"{{{CAP}}}area")),
    )


def read_alert(root: ElementTree.Element) -> Alert:
    """A CAP 1.2 alert element, validated against the schema and the specification's rules."""
    if root.tag != f"{{{CAP}}}alert":
        raise CapError(f"not a CAP 1.2 alert: the root element is {root.tag}")
    errors = list(_schema().iter_errors(root))
    if errors:
        first = errors[0]
        where = f" at {first.path}" if first.path else ""
        raise CapError(f"not valid CAP 1.2{where}: {first.reason}")
    msg_type, scope = _text(root, "msgType"), _text(root, "scope")
    references = _references(_text(root, "references"))
    if msg_type in WITH_REFERENCES and not references:
        raise CapError(f"a message of type {msg_type} names the earlier message(s) in <references>")
    if scope == "Restricted" and not _text(root, "restriction"):
        raise CapError("a Restricted alert says who may receive it in <restriction>")
    if scope == "Private" and not _text(root, "addresses"):
        raise CapError("a Private alert names its recipients in <addresses>")
    infos = tuple(_info(i) for i in root.findall(f"{{{CAP}}}info"))
    if msg_type in {"Alert", "Update"} and not infos:
        raise CapError(f"a message of type {msg_type} without <info> carries no warning")
    return Alert(
        identifier=_identity(_text(root, "identifier"), "identifier"),
        sender=_identity(_text(root, "sender"), "sender"),
        sent=_moment(_text(root, "sent"), "sent"),
        status=_text(root, "status"),
        msg_type=msg_type,
        scope=scope,
        references=references,
        infos=infos,
        note=_text(root, "note"),
        xml=ElementTree.tostring(root, encoding="unicode"),
    )


def parse_alert(data: bytes | str) -> Alert:
    """A CAP 1.2 alert document, or CapError (UnsafeXml: XXE, entity expansion, external DTDs, XInclude)."""
    return read_alert(parse_xml(data))


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _item_link(item: ElementTree.Element, base: str) -> str | None:
    """Where an RSS item or Atom entry links to its CAP alert: a link or enclosure typed as CAP, GDACS's
    <gdacs:cap>, else the item's own link."""
    fallback = None
    for child in item:
        name, kind = _local(child.tag), child.get("type", "")
        href = child.get("href") or child.get("url") or (child.text or "").strip()
        if not href:
            continue
        if name in {"link", "enclosure"} and "cap" in kind:
            return urljoin(base, href)
        if name == "cap":
            return urljoin(base, href)
        if name == "link" and fallback is None and child.get("rel", "alternate") in {"alternate", "related"}:
            fallback = urljoin(base, href)
    return fallback


def read_feed(data: bytes | str, *, url: str = "") -> list[FeedItem]:
    """The alerts of a feed document: a single CAP alert, or an RSS/Atom feed whose items embed CAP alerts
    or link to them. An unsafe or malformed feed document raises CapError: nothing is read from it."""
    root = parse_xml(data)
    if root.tag == f"{{{CAP}}}alert":
        return [FeedItem(alert=read_alert(root))]
    if root.tag == "rss":
        items = root.findall("./channel/item")
    elif root.tag == f"{{{ATOM}}}feed":
        items = root.findall(f"{{{ATOM}}}entry")
    else:
        raise CapError(f"neither a CAP alert nor an RSS or Atom feed: the root element is {root.tag}")
    found = []
    for item in items:
        embedded = next(item.iter(f"{{{CAP}}}alert"), None)
        if embedded is not None:
            try:
                found.append(FeedItem(alert=read_alert(embedded)))
            except CapError as error:
                found.append(FeedItem(error=str(error)))
        elif link := _item_link(item, url):
            found.append(FeedItem(url=link))
    return found


# --- what an alert says, in the platform's terms -----------------------------------------------------

COUNTRY_CODE_NAMES = frozenset(
    {
        "iso3166-1",
        "iso3166-1-alpha-2",
        "iso3166-1-alpha-3",
        "iso3166",
        "iso3",
        "iso2",
        "country",
        "countrycode",
    }
)
REGION_CODE_NAMES = frozenset({"emma_id", "nuts1", "nuts2", "nuts3", "nuts"})  # MeteoAlarm: "BE004", "BE211"
NUTS_COUNTRIES = {"EL": "GR", "UK": "GB"}


def _alpha3(code: str) -> str | None:
    code = code.strip().upper()
    country = None
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
    elif len(code) == 2:
        country = pycountry.countries.get(alpha_2=NUTS_COUNTRIES.get(code, code))
    return country.alpha_3 if country else None


def coded_countries(alert: Alert) -> list[str]:
    """ISO 3166-1 alpha-3 codes the alert's areas and parameters name, in order: geocodes such as
    ISO3166-1/iso3/country, MeteoAlarm's EMMA_ID and NUTS codes (whose first two letters are the
    country), and GDACS's iso3 or country parameters."""
    found: dict[str, None] = {}
    for info in alert.infos:
        pairs = [pair for area in info.areas for pair in area.geocodes] + list(info.parameters)
        for name, value in pairs:
            key = name.strip().lower().replace(" ", "")
            codes = []
            if key in COUNTRY_CODE_NAMES:
                codes = re.split(r"[,;\s]+", value)
            elif key in REGION_CODE_NAMES and len(value) >= 2:
                codes = [value[:2]]
            for code in codes:
                if code and (alpha3 := _alpha3(code)):
                    found[alpha3] = None
    return list(found)


def centres(alert: Alert) -> list[tuple[float, float]]:
    """A point (latitude, longitude) for each polygon and circle of the alert: the polygon's mean vertex
    (good enough to name the country of a warning area) or the circle's centre."""
    points = []
    for info in alert.infos:
        for area in info.areas:
            for ring in area.polygons:
                vertices = ring[:-1]
                points.append(
                    (sum(p[0] for p in vertices) / len(vertices), sum(p[1] for p in vertices) / len(vertices))
                )
            points.extend((lat, lon) for lat, lon, _radius in area.circles)
    return points


def area_descriptions(alert: Alert) -> list[str]:
    return [area.description for info in alert.infos for area in info.areas if area.description]


SEVERITIES = {
    "Extreme": "critical",
    "Severe": "high",
    "Moderate": "medium",
    "Minor": "low",
    "Unknown": "info",
}
EARLY_WARNING_SEVERITIES = frozenset({"Extreme", "Severe"})
EARLY_WARNING_URGENCIES = frozenset({"Immediate", "Expected"})


def severity_of(alert: Alert) -> str:
    """The report severity (info .. critical) of the alert's gravest info block."""
    order = list(SEVERITIES.values())
    severities = [SEVERITIES.get(info.severity, "info") for info in alert.infos] or ["info"]
    return max(severities, key=order.index)


def is_early_warning(alert: Alert) -> bool:
    """Extreme or Severe, and Immediate or Expected, in some info block, of an Actual alert."""
    return alert.status == "Actual" and any(
        info.severity in EARLY_WARNING_SEVERITIES and info.urgency in EARLY_WARNING_URGENCIES
        for info in alert.infos
    )
