"""Commands on CAP alert feeds: an administrator configures them; the scheduler polls the feeds that are
due, takes each new alert in as an external early-warning item (through the reports area's door), and
backs off from a feed that fails. Each alert is taken in in one transaction of its own, or not at all."""

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from coordination.alerts.geography import country_at
from coordination.alerts.models import AlertFeed, ExternalAlert
from coordination.audit import service as audit
from coordination.classification import NeedToKnow
from coordination.countries import find_country
from coordination.reports import service as reports
from coordination.rules import Forbidden, RuleViolation
from coordination.standards import cap
from coordination.structure import queries as structure
from coordination.types import utcnow

if TYPE_CHECKING:
    import networkx as nx

TIMEOUT_S = 20
MAX_BYTES = cap.MAX_DOCUMENT
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MOST = timedelta(hours=6)
POLL_MINUTES = (1, 24 * 60)
SHOWN_ERROR = 1000  # characters of an error kept with the feed


class FeedError(RuleViolation):
    """A feed's settings the rules refuse."""


class FetchError(Exception):
    """A feed or alert that could not be fetched (network, HTTP status, size)."""


def fetch(url: str) -> bytes:
    """The document at an http(s) URL, within TIMEOUT_S and MAX_BYTES."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "Coordination CAP intake"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (scheme checked)
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FetchError(f"{url}: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(f"{url}: {getattr(error, 'reason', error)}") from None
    if len(data) > MAX_BYTES:
        raise FetchError(f"{url}: larger than {MAX_BYTES} bytes")
    return data


# --- configuring feeds ------------------------------------------------------------------------------


def _check(session: Session, actor, *, name: str, url: str, poll_minutes: int, feed_id: int | None) -> None:
    if not actor.is_admin:
        raise Forbidden(_("Only administrators configure alert feeds."))
    if not name.strip() or len(name.strip()) > 100:
        raise FeedError(_("Give the feed a name of at most 100 characters."), "name")
    if not url.lower().startswith(("http://", "https://")) or len(url.strip()) > 500:
        raise FeedError(_("Give the feed's address: http:// or https://, at most 500 characters."), "url")
    if not POLL_MINUTES[0] <= poll_minutes <= POLL_MINUTES[1]:
        raise FeedError(
            _("Poll every %(least)s to %(most)s minutes.", least=POLL_MINUTES[0], most=POLL_MINUTES[1]),
            "poll_minutes",
        )
    same = session.exec(select(AlertFeed).where(AlertFeed.name == name.strip())).first()
    if same is not None and same.id != feed_id:
        raise FeedError(_("A feed is already called %(name)s.", name=name.strip()), "name")


def add_feed(
    *, session: Session, actor, name: str, url: str, poll_minutes: int, now: datetime | None = None
) -> AlertFeed:
    """A new feed, polled at once; its items are posted in the name of `actor`, who answers for it."""
    _check(session, actor, name=name, url=url, poll_minutes=poll_minutes, feed_id=None)
    now = now or utcnow()
    feed = AlertFeed(
        name=name.strip(), url=url.strip(), poll_minutes=poll_minutes, owner_id=actor.id, created_at=now
    )
    session.add(feed)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="alert_feed.create",
        object_type="alert_feed",
        object_id=feed.id,
        name=feed.name,
        url=feed.url,
        poll_minutes=poll_minutes,
    )
    session.commit()
    return feed


def change_feed(
    *, session: Session, actor, feed: AlertFeed, name: str, url: str, poll_minutes: int, enabled: bool
) -> AlertFeed:
    """New settings for a feed; the administrator who changes it answers for it from now on. A feed
    enabled again is polled at once."""
    _check(session, actor, name=name, url=url, poll_minutes=poll_minutes, feed_id=feed.id)
    before = {"name": feed.name, "url": feed.url, "poll_minutes": feed.poll_minutes, "enabled": feed.enabled}
    after = {"name": name.strip(), "url": url.strip(), "poll_minutes": poll_minutes, "enabled": enabled}
    if enabled and not feed.enabled:
        feed.next_poll_at, feed.failures = None, 0
    for key, value in after.items():
        setattr(feed, key, value)
    feed.owner_id = actor.id
    session.add(feed)
    audit.record(
        session,
        actor_id=actor.id,
        action="alert_feed.update",
        object_type="alert_feed",
        object_id=feed.id,
        changed={key: [before[key], value] for key, value in after.items() if before[key] != value},
    )
    session.commit()
    return feed


# --- polling ----------------------------------------------------------------------------------------


def backoff(failures: int) -> timedelta:
    """How long to wait after the n-th failure in a row: doubling from a minute, at most six hours."""
    return min(BACKOFF_FIRST * 2 ** min(failures - 1, 20), BACKOFF_MOST)


def due_feeds(*, session: Session, now: datetime) -> list[AlertFeed]:
    query = (
        select(AlertFeed)
        .where(AlertFeed.enabled, or_(AlertFeed.next_poll_at.is_(None), AlertFeed.next_poll_at <= now))
        .order_by(AlertFeed.id)
    )
    return list(session.exec(query))


@dataclass
class Fetched:
    """An alert read from a feed, with where it came from, or why it was refused."""

    alert: cap.Alert | None
    url: str | None
    error: str | None = None


def read(feed_url: str, get: Callable[[str], bytes]) -> list[Fetched]:
    """The feed's alerts, each read and checked (linked ones fetched): no database, no transaction open.
    A feed document that cannot be fetched or read raises: nothing is taken from it."""
    found = []
    for item in cap.read_feed(get(feed_url), url=feed_url):
        if item.alert is not None or item.error is not None:
            found.append(Fetched(item.alert, feed_url, item.error))
            continue
        try:
            found.append(Fetched(cap.parse_alert(get(item.url)), item.url))
        except (cap.CapError, FetchError) as error:
            found.append(Fetched(None, item.url, f"{item.url}: {error}"))
    return found


@dataclass
class PollResult:
    taken_in: int = 0
    duplicates: int = 0
    errors: list[str] | None = None


def poll_feed(
    *,
    session: Session,
    feed: AlertFeed,
    now: datetime,
    policy: NeedToKnow,
    get: Callable[[str], bytes] = fetch,
) -> PollResult:
    """Poll one feed: take in each new alert (one transaction each), then record how the poll went. A feed
    that could not be read, or one of whose alerts was refused, is failing and is retried after a
    backoff; the alerts that were good are kept."""
    session.commit()  # no transaction (nor SQLite's write lock) stays open while fetching
    result = PollResult(errors=[])
    try:
        fetched = read(feed.url, get)
    except (cap.CapError, FetchError) as error:
        result.errors.append(str(error))
        fetched = []
    graph = structure.organisation_graph(session=session) if fetched else None
    for item in fetched:
        if item.error:
            result.errors.append(item.error)
            continue
        try:
            if take_in(
                session=session,
                feed=feed,
                alert=item.alert,
                url=item.url,
                graph=graph,
                policy=policy,
                now=now,
            ):
                result.taken_in += 1
            else:
                result.duplicates += 1
        except IntegrityError:  # taken in meanwhile by another process
            session.rollback()
            result.duplicates += 1
        except (RuleViolation, ValueError) as error:
            session.rollback()
            result.errors.append(f"{item.alert.identifier}: {error}")
    feed = session.get(AlertFeed, feed.id)
    feed.last_polled_at = now
    if result.errors:
        feed.failures += 1
        more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        feed.last_error = result.errors[0][: SHOWN_ERROR - len(more)] + more
        feed.next_poll_at = now + backoff(feed.failures)
    else:
        feed.failures, feed.last_error, feed.last_success_at = 0, None, now
        feed.next_poll_at = now + timedelta(minutes=feed.poll_minutes)
    session.add(feed)
    session.commit()
    return result


def poll_due_feeds(*, session: Session, now: datetime, policy: NeedToKnow, get=fetch) -> int:
    """Poll every enabled feed that is due; the number of alerts taken in."""
    return sum(
        poll_feed(session=session, feed=feed, now=now, policy=policy, get=get).taken_in
        for feed in due_feeds(session=session, now=now)
    )


# --- one alert --------------------------------------------------------------------------------------


def countries_of(alert: cap.Alert) -> list[str]:
    """The alert's countries (alpha-3): from its geocodes and parameters, else from the country holding the
    centre of each polygon and circle, else from area descriptions that name a country."""
    found = cap.coded_countries(alert)
    if not found:
        found = [code for lat, lon in cap.centres(alert) if (code := country_at(lat, lon))]
    if not found:
        found = [code for text in cap.area_descriptions(alert) if (code := find_country(text))]
    return list(dict.fromkeys(found))


def _thread_root(session: Session, alert: cap.Alert) -> ExternalAlert | None:
    """The first alert of the thread the referenced messages belong to."""
    for ref in alert.references:
        earlier = session.exec(
            select(ExternalAlert).where(
                ExternalAlert.sender == ref.sender,
                ExternalAlert.identifier == ref.identifier,
                ExternalAlert.sent == ref.sent,
            )
        ).first()
        if earlier is not None:
            return session.get(ExternalAlert, earlier.amends_id) if earlier.amends_id else earlier
    return None


def _body(alert: cap.Alert, feed: AlertFeed) -> str:
    info = alert.infos[0] if alert.infos else None
    lines = []
    if info is not None:
        if info.description:
            lines += [info.description, ""]
        if info.instruction:
            lines += [f"**Instruction:** {info.instruction}", ""]
        areas = ", ".join(cap.area_descriptions(alert))
        if areas:
            lines += [f"**Area:** {areas}", ""]
        lines += [
            f"**{info.event}**: severity {info.severity}, urgency {info.urgency}, certainty {info.certainty}",
            "",
        ]
    if alert.note:
        lines += [alert.note, ""]
    lines.append(
        f"CAP {alert.msg_type} from {feed.name}: sender `{alert.sender}`, identifier `{alert.identifier}`,"
        f" sent {alert.sent.isoformat()}"
    )
    return "\n".join(lines)


def _title(alert: cap.Alert) -> str:
    info = alert.infos[0] if alert.infos else None
    title = (info.headline or info.event) if info else alert.identifier
    return title.strip() or alert.identifier


def take_in(
    *,
    session: Session,
    feed: AlertFeed,
    alert: cap.Alert,
    url: str | None,
    graph: "nx.MultiDiGraph",
    policy: NeedToKnow,
    now: datetime,
) -> bool:
    """Take one alert in, in one transaction: False when it was taken in before (same sender, identifier
    and sent). An actual Alert becomes an early-warning item for its countries; an Update or Cancel of an
    alert taken in before becomes an update of that item (a Cancel also marks the first alert cancelled,
    and its item no longer counts as an early warning); other messages (tests, exercises, acks, alerts on
    no country of ours) are kept, with no item."""
    sender, identifier, sent = alert.key
    exists = session.exec(
        select(ExternalAlert.id).where(
            ExternalAlert.sender == sender, ExternalAlert.identifier == identifier, ExternalAlert.sent == sent
        )
    ).first()
    if exists is not None:
        session.commit()
        return False
    root = _thread_root(session, alert) if alert.msg_type in {"Update", "Cancel"} else None
    countries = countries_of(alert)
    known = structure.known_countries(session=session, codes=countries)
    countries = [code for code in countries if code in known]
    if not countries and root is not None:
        countries = root.countries.split()
    info = alert.infos[0] if alert.infos else None
    record = ExternalAlert(
        feed_id=feed.id,
        sender=sender,
        identifier=identifier,
        sent=sent,
        msg_type=alert.msg_type,
        status=alert.status,
        references=" ".join(f"{r.sender},{r.identifier},{r.sent.isoformat()}" for r in alert.references),
        amends_id=root.id if root else None,
        countries=" ".join(countries)[:200],
        web=(info.web[:500] or None) if info else None,
        source_url=url[:500] if url else None,
        received_at=now,
        xml=alert.xml,
    )
    cancel = alert.msg_type == "Cancel"
    amended_report = root.report_id if root else None
    if (
        alert.status == "Actual"
        and countries
        and alert.msg_type in {"Alert", "Update", "Cancel"}
        and not (cancel and amended_report is None)
    ):
        owner = structure.get_person(session=session, person_id=feed.owner_id)
        title = f"Cancelled: {_title(alert) if info else root.identifier}" if cancel else _title(alert)
        centre = next(iter(cap.centres(alert)), (None, None))
        report = reports.post_external_alert(
            session=session,
            author=owner,
            source=feed.name,
            title=title,
            body=_body(alert, feed),
            countries=countries,
            severity="info" if cancel else cap.severity_of(alert),
            early_warning=not cancel and cap.is_early_warning(alert),
            graph=graph,
            policy=policy,
            updates_report_id=amended_report,
            latitude=centre[0],
            longitude=centre[1],
            now=now,
        )
        record.report_id = report.id
    if cancel and root is not None:
        root.cancelled_at = sent
        session.add(root)
        if root.report_id is not None:
            reports.withdraw_early_warning(
                session=session,
                report_id=root.report_id,
                actor_id=feed.owner_id,
                reason=f"the sender cancelled alert {root.identifier}",
                now=now,
            )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor_id=feed.owner_id,
        action="alert.take_in",
        object_type="external_alert",
        object_id=record.id,
        feed=feed.name,
        sender=sender,
        identifier=identifier,
        sent=sent.isoformat(),
        msg_type=alert.msg_type,
        report=record.report_id,
    )
    session.commit()
    return True
