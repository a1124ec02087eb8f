"""CAP out: the personal early-warning feed behind the feed token, and a decision's answers as CAP Acks."""

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest

from coordination.decisions import service as decisions
from coordination.standards.cap_out import ATOM_NS, CAP_NS, alerts_in_feed
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA, AMBASSADOR_NIAMEY, DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR
from tests.factories import post
from tests.unit.test_standards_out import cap_schema  # loaded once per process

CAP = f"{{{CAP_NS}}}"


def _text(alert, path: str) -> str | None:
    found = alert.find("/".join(f"{CAP}{step}" for step in path.split("/")))
    return None if found is None else found.text


def _feed_token(client, auth, email: str) -> str:
    auth.login(email)
    page = client.post("/settings", data={"email": "immediately", "new_feed_token": "1"}).get_data(
        as_text=True
    )
    auth.logout()
    assert "early-warnings.atom" in page
    return page.split("/feeds/")[1].split("/")[0]


def _post(session, **report) -> int:
    """A report by the ambassador in Niamey, through the service (no bearer token to hash)."""
    author = structure.get_person_by_email(session=session, email=AMBASSADOR_NIAMEY)
    return post(session, author, mission_code="NIAMEY", early_warning=True, **report).report.id


def test_early_warning_feed_carries_valid_cap_alerts_for_the_reader_only(client, auth, session):
    first = _post(
        session,
        title="Troop movements near Niamey",
        severity="high",
        themes=["defence"],
        information_credibility="2",
        latitude=13.5116,
        longitude=2.1254,
    )
    update = _post(
        session,
        title="Troop movements near Niamey: confirmed",
        severity="critical",
        updates_report_id=first,
    )
    assert client.get("/feeds/not-a-token/early-warnings.atom").status_code == 404
    token = _feed_token(client, auth, SG_CHAIR)
    response = client.get(f"/feeds/{token}/early-warnings.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert ElementTree.fromstring(response.data).tag == f"{{{ATOM_NS}}}feed"
    alerts = {_text(a, "identifier"): a for a in alerts_in_feed(response.data)}
    for alert in alerts.values():
        cap_schema().validate(alert)
        assert _text(alert, "scope") == "Restricted" and _text(alert, "status") == "Actual"
        assert "steering-group" in _text(alert, "addresses").split()
    original, amended = alerts[f"report-{first}"], alerts[f"report-{update}"]
    assert _text(original, "msgType") == "Alert"
    assert _text(original, "info/severity") == "Severe" and _text(original, "info/certainty") == "Likely"
    assert _text(original, "info/category") == "Security"
    assert _text(original, "info/area/circle") == "13.51160,2.12540 0"
    assert _text(original, "info/area/geocode/value") == "NER"
    assert _text(original, "info/area/areaDesc") == "Niger"
    assert _text(amended, "msgType") == "Update" and _text(amended, "info/severity") == "Extreme"
    sender, identifier, sent = _text(amended, "references").split(",")
    assert (sender, identifier, sent) == (
        _text(original, "sender"),
        f"report-{first}",
        _text(original, "sent"),
    )

    outsider = _feed_token(client, auth, JUSTICE_MEMBER)
    assert alerts_in_feed(client.get(f"/feeds/{outsider}/early-warnings.atom").data) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_decision_answers_export_as_cap_acks_referencing_the_decision(client, auth, session):
    people = structure.people_by_email(session=session, emails=[SG_CHAIR, DGB_DIRECTOR, AMBASSADOR_KINSHASA])
    now = datetime.now(UTC)
    decision = decisions.draft_decision(
        session=session,
        author=people[SG_CHAIR],
        issuing_body="steering-group",
        title="Reinforce humanitarian access in North Kivu",
        addressees=[("body", "task-force-great-lakes"), ("mission", "KINSHASA")],
        now=now,
    )
    decisions.adopt(session=session, person=people[SG_CHAIR], decision=decision, now=now)
    for email, kind, key, comply, comment in (
        (DGB_DIRECTOR, "body", "task-force-great-lakes", True, ""),
        (AMBASSADOR_KINSHASA, "mission", "KINSHASA", False, "Airport closed"),
    ):
        decisions.acknowledge(
            session=session,
            person=people[email],
            decision=decision,
            unit_kind=kind,
            unit_key=key,
            comply=comply,
            comment=comment,
            now=now,
        )
    created = {"id": decision.id}

    auth.login(SG_CHAIR)
    response = client.get(f"/decisions/{created['id']}/acknowledgements.cap.xml")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    acks = alerts_in_feed(response.data)
    assert len(acks) == 2
    for ack in acks:
        cap_schema().validate(ack)
        assert _text(ack, "msgType") == "Ack" and _text(ack, "scope") == "Restricted"
        assert _text(ack, "references").split(",")[1] == f"decision-{created['id']}"
        assert _text(ack, "addresses") == "steering-group"
    assert any("Airport closed" in _text(ack, "note") for ack in acks)
    assert client.get("/decisions/999999/acknowledgements.cap.xml").status_code == 404
