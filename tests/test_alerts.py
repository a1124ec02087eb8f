"""CAP 1.2 intake (issue 18): feeds of GDACS and MeteoAlarm shape, served by a local HTTP server, polled by
the scheduler's job on an injected clock; unsafe XML refused and the feed shown failing, with backoff."""

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import select

from coordination.alerts import queries as alert_queries
from coordination.alerts import service
from coordination.alerts.geography import country_at
from coordination.alerts.models import AlertFeed, ExternalAlert
from coordination.audit.models import AuditEvent
from coordination.jobs import tasks
from coordination.reports import queries as report_queries
from coordination.reports import service as report_service
from coordination.reports.models import Delivery, FieldReport, ReportCreate
from coordination.rules import RuleViolation
from coordination.standards import cap
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_NIAMEY, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY

DATA = Path(__file__).parent / "data" / "cap"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


# --- parsing and the specification's rules (no app) --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("xxe.xml", "entity declaration 'secret' refused"),
        ("billion_laughs.xml", "entity declaration 'lol' refused"),
        ("xinclude.xml", "XInclude refused"),
        ("external_dtd.xml", "external document type definition refused"),
    ],
)
def test_unsafe_xml_is_refused_with_a_clear_error(name, why):
    with pytest.raises(cap.UnsafeXml, match=why):
        cap.parse_alert(read(name))


def _alert(*changes: tuple[str, str]) -> bytes:
    text = read("gdacs_eq_1001_update.xml").decode()
    for old, new in changes:
        text = text.replace(old, new)
    return text.encode()


@pytest.mark.parametrize(
    ("document", "why"),
    [
        (_alert(("<references>", "<note>"), ("</references>", "</note>")), "names the earlier message"),
        (_alert((",GDACS_EQ_1001_1,", ",GDACS_EQ_1001_1,,")), "not of the form sender,identifier,sent"),
        (_alert(("-1.45,29.2 120", "-1.45;29.2 120")), "circle"),
        (_alert(("Public", "Restricted")), "Restricted alert says who may receive it"),
        (_alert(("Immediate", "Soon")), "not valid CAP 1.2"),
        (_alert(("09:40:00-00:00", "09:40:00Z")), "not valid CAP 1.2"),
        (b"<alert><identifier>x", "not well-formed XML"),
    ],
)
def test_the_specification_s_rules_are_checked(document, why):
    with pytest.raises(cap.CapError, match=why):
        cap.parse_alert(document)


def test_alerts_are_read_with_their_countries_severity_and_references():
    quake = cap.parse_alert(read("gdacs_eq_1001.xml"))
    assert quake.key == ("info@gdacs.org", "GDACS_EQ_1001_1", datetime(2026, 12, 1, 6, 12, tzinfo=UTC))
    assert (cap.severity_of(quake), cap.is_early_warning(quake)) == ("critical", True)
    assert service.countries_of(quake) == ["COD"]  # no geocode: the circle's centre lies in Nord-Kivu
    assert service.countries_of(cap.parse_alert(read("gdacs_fl_2002.xml"))) == ["BDI"]
    cancel = cap.parse_alert(read("gdacs_fl_2002_cancel.xml"))
    assert cancel.references[0].identifier == "GDACS_FL_2002_1" and cancel.infos == ()
    [wind] = cap.read_feed(read("meteoalarm_atom.xml"), url="https://feeds.example/atom")
    assert service.countries_of(wind.alert) == ["BEL"]  # EMMA_ID BE004
    assert (cap.severity_of(wind.alert), cap.is_early_warning(wind.alert)) == ("high", True)
    assert country_at(50.85, 4.35) == "BEL" and country_at(0.0, -30.0) is None


def test_the_backoff_doubles_up_to_six_hours():
    assert [service.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert service.backoff(30) == timedelta(hours=6)


# --- polling ----------------------------------------------------------------------------------------


class Server:
    """A local HTTP server of documents kept in a dict that the test changes between polls."""

    def __init__(self):
        documents = self.documents = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = documents.get(self.path.lstrip("/"))
                self.send_response(200 if body is not None else 404)
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, **files: str) -> None:
        self.documents.clear()
        self.documents.update({path: read(name) for path, name in files.items()})


@pytest.fixture
def server():
    running = Server()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


def _feed(app, session, url: str, name: str = "GDACS") -> AlertFeed:
    admin = structure.get_person_by_email(session=session, email=SG_SECRETARY)
    with app.app_context():
        return service.add_feed(session=session, actor=admin, name=name, url=url, poll_minutes=15, now=T0)


def _poll(app, session, now: datetime) -> int:
    with app.app_context():
        return tasks.poll_alert_feeds(session=session, now=now, mailer=None, base_url="", config=app.config)


def _items(session) -> list[FieldReport]:
    return list(session.exec(select(FieldReport).where(FieldReport.kind == "external_alert")))


GDACS_FILES = {
    "gdacs_eq_1001.xml": "gdacs_eq_1001.xml",
    "gdacs_fl_2002.xml": "gdacs_fl_2002.xml",
    "gdacs_eq_1001_update.xml": "gdacs_eq_1001_update.xml",
    "gdacs_fl_2002_cancel.xml": "gdacs_fl_2002_cancel.xml",
}


@sqlite_only
def test_a_gdacs_feed_polled_twice_gives_one_item_per_alert_with_its_amendments(app, session, server, client):
    server.serve(**{"feed.xml": "gdacs_rss.xml"}, **GDACS_FILES)
    feed = _feed(app, session, server.url + "feed.xml")
    assert _poll(app, session, T0) == 2
    assert _poll(app, session, T0 + timedelta(minutes=5)) == 0  # not due yet: nothing fetched
    server.serve(**{"feed.xml": "gdacs_rss_2.xml"}, **GDACS_FILES)
    assert _poll(app, session, T0 + timedelta(minutes=15)) == 2  # the update and the cancel; the rest known

    items = _items(session)
    roots = [r for r in items if r.updates_report_id is None]
    assert sorted(r.country_code for r in roots) == ["BDI", "COD"]
    for root in roots:
        amendments = [r for r in items if r.updates_report_id == root.id]
        assert len(amendments) == 1
    quake = next(r for r in roots if r.country_code == "COD")
    assert quake.early_warning and quake.severity == "critical" and quake.classification == "unclassified"
    assert quake.author_id == feed.owner_id and quake.latitude == pytest.approx(-1.45)
    reasons = session.exec(select(Delivery.reason).where(Delivery.report_id == quake.id)).all()
    assert reasons and all(reason.startswith("external alert from GDACS") for reason in reasons)
    flood = next(r for r in roots if r.country_code == "BDI")
    cancelled = next(r for r in items if r.updates_report_id == flood.id)
    assert cancelled.title == "Cancelled: GDACS_FL_2002_1" and not cancelled.early_warning
    # cancelled by its sender, the flood no longer counts as an early warning (counts, map, queues)
    session.refresh(flood)
    assert not flood.early_warning and quake.early_warning
    withdrawn = session.exec(
        select(AuditEvent.object_id, AuditEvent.actor_id).where(
            AuditEvent.action == "report.early_warning_withdrawn"
        )
    ).all()
    assert withdrawn == [(str(flood.id), feed.owner_id)]

    assert session.exec(select(ExternalAlert)).all().__len__() == 4  # each CAP message once
    feed = session.get(AlertFeed, feed.id)
    session.refresh(feed)
    assert (feed.failures, feed.last_error, feed.last_success_at) == (0, None, T0 + timedelta(minutes=15))
    assert feed.next_poll_at == T0 + timedelta(minutes=30)
    again = service.poll_feed(session=session, feed=feed, now=T0 + timedelta(minutes=30), policy=POLICY)
    assert (again.taken_in, again.duplicates) == (0, 4)  # the same alerts polled again: ignored
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == "external_alert")).all()
    assert len(actions) == 4

    # the steering group's chair sees the item with its origin, its thread and that it was cancelled
    client.post("/login", data={"email": SG_CHAIR, "password": "demo-coordination"})
    page = client.get(f"/reports/{flood.id}").get_data(as_text=True)
    assert "External alert from GDACS" in page and "GDACS_FL_2002_1" in page
    assert "The sender cancelled this alert" in page, page[page.find("<main") :][:3000]
    assert "Cancelled: GDACS_FL_2002_1" in page
    assert "external alert from GDACS" in page  # the delivery's reason


@sqlite_only
def test_unsafe_alerts_are_refused_and_the_feed_is_failing_with_backoff(app, session, server, client):
    server.serve(**{"feed.xml": "gdacs_rss.xml", "gdacs_eq_1001.xml": "xxe.xml"})
    server.documents["gdacs_fl_2002.xml"] = read("billion_laughs.xml")
    feed = _feed(app, session, server.url + "feed.xml")
    assert _poll(app, session, T0) == 0
    session.refresh(feed)
    assert feed.failures == 1 and feed.next_poll_at == T0 + timedelta(minutes=1)
    assert "entity declaration 'secret' refused" in feed.last_error and "(and 1 more)" in feed.last_error
    assert _items(session) == []

    server.serve(**{"feed.xml": "xinclude.xml"})  # a feed document refused whole
    assert _poll(app, session, T0 + timedelta(seconds=30)) == 0  # in its backoff: not polled
    session.refresh(feed)
    assert feed.failures == 1
    _poll(app, session, T0 + timedelta(minutes=1))
    session.refresh(feed)
    assert feed.failures == 2 and feed.next_poll_at == T0 + timedelta(minutes=3)
    assert "XInclude refused" in feed.last_error

    server.documents.clear()  # 404
    _poll(app, session, T0 + timedelta(minutes=3))
    session.refresh(feed)
    assert feed.failures == 3 and "HTTP 404" in feed.last_error

    client.post("/login", data={"email": SG_SECRETARY, "password": "demo-coordination"})
    page = client.get("/admin/alert-feeds").get_data(as_text=True)
    assert "failing" in page and "HTTP 404" in page and "GDACS" in page

    server.serve(**{"feed.xml": "meteoalarm_atom.xml"})  # working again
    assert _poll(app, session, T0 + timedelta(minutes=7)) == 1
    session.refresh(feed)
    assert (feed.failures, feed.last_error) == (0, None)
    [wind] = _items(session)
    assert wind.country_code == "BEL" and wind.early_warning and wind.severity == "high"


@sqlite_only
def test_administrators_add_change_and_disable_feeds_on_their_page(app, client, session, api_token):
    client.post("/login", data={"email": SG_SECRETARY, "password": "demo-coordination"})
    refused = client.post("/admin/alert-feeds", data={"name": "X", "url": "ftp://x", "poll_minutes": "15"})
    assert refused.status_code == 400 and "http://" in refused.get_data(as_text=True)
    added = client.post(
        "/admin/alert-feeds",
        data={"name": "MeteoAlarm BE", "url": "https://x.example/a", "poll_minutes": "10"},
    )
    assert added.status_code == 302
    feed = session.exec(select(AlertFeed).where(AlertFeed.name == "MeteoAlarm BE")).one()
    edit = f"/admin/alert-feeds/{feed.id}/edit"
    assert client.get(edit).status_code == 200
    saved = client.post(
        edit, data={"name": "MeteoAlarm BE", "url": "https://x.example/a", "poll_minutes": "30"}
    )
    assert saved.status_code == 302
    session.commit()  # end the test's read: the page wrote since
    session.refresh(feed)
    assert (feed.enabled, feed.poll_minutes) == (False, 30)
    assert service.due_feeds(session=session, now=T0 + timedelta(days=1)) == []
    audited = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == "alert_feed")).all()
    assert sorted(audited) == ["alert_feed.create", "alert_feed.update"]

    admin = api_token(SG_SECRETARY)
    listed = client.get("/api/v1/alert-feeds", headers=admin).json["items"]
    assert [(f["name"], f["enabled"], f["failing"], f["alerts"]) for f in listed] == [
        ("MeteoAlarm BE", False, False, 0)
    ]
    bad = client.post("/api/v1/alert-feeds", headers=admin, json={"name": "Z", "url": "file:///etc/passwd"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"

    client.post("/logout")
    client.post("/login", data={"email": SG_CHAIR, "password": "demo-coordination"})
    assert client.get("/admin/alert-feeds").status_code == 404
    assert client.get(edit).status_code == 404
    assert client.post("/admin/alert-feeds", data={"name": "Y", "url": "https://y"}).status_code == 404
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    assert alert_queries.feed_rows(session=session, viewer=chair) == []  # what the API answers 403 for
    fake = ReportCreate(title="A made-up alert", country_code="COD", kind="external_alert")
    graph = structure.organisation_graph(session=session)
    with app.app_context(), pytest.raises(RuleViolation, match="from configured alert feeds only"):
        report_service.post_report(session=session, author=chair, data=fake, graph=graph, policy=POLICY)


def test_an_external_alert_is_seen_only_by_those_it_was_routed_to(app, session, client):
    """Need-to-know on both backends: the item and its CAP origin show only to readers of the report."""
    feed = _feed(app, session, "https://feeds.example/atom", name="MeteoAlarm")
    documents = {feed.url: read("gdacs_eq_1001.xml")}
    with app.app_context():
        service.poll_feed(session=session, feed=feed, now=T0, policy=POLICY, get=documents.__getitem__)
    [item] = _items(session)
    for email, sees in ((SG_CHAIR, True), (AMBASSADOR_NIAMEY, False)):
        viewer = structure.get_person_by_email(session=session, email=email)
        found = report_queries.get_visible_report(
            session=session, viewer=viewer, report_id=item.id, policy=POLICY
        )
        assert (found is not None) == sees
        client.post("/login", data={"email": email, "password": "demo-coordination"})
        page = client.get(f"/reports/{item.id}")
        assert page.status_code == (200 if sees else 404)
        assert ("External alert from MeteoAlarm" in page.get_data(as_text=True)) == sees
        client.post("/logout")
    origin = alert_queries.origin_of_report(session=session, report_id=item.id)
    assert (origin.identifier, origin.feed, origin.cancelled_at) == ("GDACS_EQ_1001_1", "MeteoAlarm", None)
