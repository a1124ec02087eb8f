"""Errors and words for people: a refused form sums up what is wrong at its top and keeps what was
typed; countries are chosen by name in the reader's language; notifications are written in the
recipient's language."""

import re
from datetime import UTC, datetime

from sqlmodel import select

from coordination.decisions import flows
from coordination.decisions import service as decisions
from coordination.notifications.models import Notification
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, SG_CHAIR, SG_SECRETARY

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REPORT = {
    "mission_code": "KINSHASA",
    "kind": "field_report",
    "intelligence_level": "",
    "title": "Checkpoint on the road to Beirut",
    "body": "Typed on a phone, kept on every error.",
    "country_code": "",
    "severity": "low",
    "classification": "unclassified",
    "source_reliability": "",
    "information_credibility": "",
}


def test_a_refused_report_form_sums_up_its_errors_at_the_top_and_keeps_the_text(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    response = client.post("/reports/new", data={**REPORT, "title": "", "country_code": "Narnia"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary and 'role="alert"' in summary.group(0) and "autofocus" in summary.group(0)
    assert 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a href="#([\w-]+)">', summary.group(1))
    assert links == ["title", "country_code"]  # in the order of the form
    assert "“Narnia” is not a country in the list" in summary.group(1)
    assert page.index("error-summary") < page.index('name="title"')
    assert 'aria-describedby="title-error"' in page and 'id="title-error"' in page
    assert "Typed on a phone, kept on every error." in page


def test_a_country_is_taken_by_its_name_in_any_language_or_by_its_code(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    for typed in ("Libanon", "Liban", "Lebanon", "LBN"):
        response = client.post("/reports/new", data={**REPORT, "country_code": typed})
        assert response.status_code == 302, typed
        assert "(LBN)" in client.get(response.location).get_data(as_text=True)


def test_country_lists_and_names_are_in_the_readers_language(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    expected = {"nl": ("Libanon", "Ivoorkust", "Burundi"), "fr": ("Liban", "Égypte", "Espagne")}
    for locale, names in expected.items():
        client.post("/language", data={"locale": locale, "next": "/"})
        form = client.get("/reports/new").get_data(as_text=True)
        options = re.findall(r'<option value="([A-Z]{3})">([^<]+)</option>', form)
        listed = dict(options)
        assert listed["LBN"] == names[0]
        assert all(name in listed.values() for name in names)
        if locale == "fr":  # Égypte among the E, not after Z
            order = [name for _code, name in options]
            assert order.index("Égypte") < order.index("Espagne") < order.index("Zambie")
        missions = client.get("/missions").get_data(as_text=True)
        assert "Congo-Kinshasa" in missions and "Congo - Kinshasa" not in missions


def test_plan_page_keeps_what_was_typed_when_a_form_is_refused(client, auth):
    auth.login(DGB_DIRECTOR)
    response = client.post(
        "/task-forces/task-force-great-lakes/objectives",
        data={
            "year": "2026",
            "statement": "Keep what I typed",
            "indicator": "Officers trained",
            "unit": "officers",
            "department": "FA",
            "baseline": "nan",
            "target": "600",
            "deadline": "2026-12-31",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Keep what I typed"' in page and 'value="officers"' in page and 'value="600"' in page
    assert 'class="error-summary"' in page and "finite" in page and '<details class="panel" open>' in page


def test_notifications_are_written_in_each_recipients_language(app, session):
    """In the application (a request, or the scheduler's app context) each person gets their language."""
    with app.app_context():
        _adopt_and_check_languages(session)


def _adopt_and_check_languages(session):
    chair, dutch, french = (
        structure.get_person_by_email(session=session, email=email)
        for email in (SG_CHAIR, DGB_DIRECTOR, "gauthier.renard@diplobel.example")
    )
    assert dutch.languages[0] == "nl" and french.languages[0] == "fr"
    decision = decisions.draft_decision(
        session=session,
        author=structure.get_person_by_email(session=session, email=SG_SECRETARY),
        issuing_body="steering-group",
        title="Open a humanitarian corridor",
        text="The task force and the embassy coordinate.",
        rationale="Access is cut.",
        addressees=[("body", "task-force-great-lakes"), ("mission", "KINSHASA")],
        now=NOW,
    )
    flows.adopt_and_notify(
        session=session, person=chair, decision=decision, now=NOW, config={"BASE_URL": "http://test"}
    )
    bodies = {
        n.person_id: n.body
        for n in session.exec(select(Notification).where(Notification.kind == "decision.adopted"))
    }
    assert "10:00 Brusselse tijd" in bodies[dutch.id] and "Brussels time" not in bodies[dutch.id]
    assert "10:00 heure de Bruxelles" in bodies[french.id]
