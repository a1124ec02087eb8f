"""Destructive one-click actions on pages (withdraw a decision, remove an agenda item, stand a task force
down) need their "I confirm" box ticked: a post without it is a 400 that changes nothing."""

import re
from datetime import UTC, datetime, timedelta

from coordination.decisions import service as decisions
from coordination.structure import queries as structure
from tests.demo import SG_CHAIR, SG_SECRETARY

CONFIRM_BOX = '<input type="checkbox" name="confirm" value="yes" required>'


def _reread(session, row):
    """The row as the pages left it (ending the test's own transaction, so it sees their commits)."""
    session.commit()
    session.refresh(row)
    return row


def test_withdrawing_a_decision_needs_the_confirmation(client, auth, session):
    now = datetime.now(UTC)
    decision = decisions.draft_decision(
        session=session,
        author=structure.get_person_by_email(session=session, email=SG_SECRETARY),
        issuing_body="steering-group",
        title="Close the liaison office in Bunia",
        text="Staff return to Kinshasa.",
        addressees=[("mission", "KINSHASA")],
        now=now,
    )
    decisions.adopt(
        session=session,
        person=structure.get_person_by_email(session=session, email=SG_CHAIR),
        decision=decision,
        now=now,
    )
    auth.login(SG_CHAIR)
    url = f"/decisions/{decision.id}"
    assert CONFIRM_BOX in client.get(url).get_data(as_text=True)

    refused = client.post(f"{url}/withdraw")
    assert refused.status_code == 400
    assert "Tick the confirmation box to withdraw the decision" in refused.get_data(as_text=True)
    assert _reread(session, decision).status == "adopted"

    assert client.post(f"{url}/withdraw", data={"confirm": "yes"}).status_code == 302
    assert _reread(session, decision).status == "withdrawn"


def test_removing_an_agenda_item_needs_the_confirmation(client, auth):
    auth.login(SG_SECRETARY)
    start = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    created = client.post(
        "/bodies/steering-group/meetings",
        data={
            "title": "Crisis cell",
            "starts_at": start,
            "duration_minutes": "60",
            "weekly_occurrences": "1",
        },
    )
    listing = client.get("/bodies/steering-group/meetings").get_data(as_text=True)
    assert created.status_code == 302
    meeting_url = "/meetings/" + listing.split('href="/meetings/')[1].split('"')[0]
    client.post(f"{meeting_url}/agenda", data={"title": "Evacuation plan for Bunia"})
    page = client.get(meeting_url).get_data(as_text=True)
    item_form = page[page.index("Evacuation plan for Bunia") :]
    item_id = re.search(r'name="remove" value="(\d+)"', item_form).group(1)
    assert CONFIRM_BOX in item_form

    refused = client.post(f"{meeting_url}/agenda", data={"remove": item_id})
    assert refused.status_code == 400
    assert "Tick the confirmation box to remove the agenda item" in refused.get_data(as_text=True)
    assert "Evacuation plan for Bunia" in client.get(meeting_url).get_data(as_text=True)

    removed = client.post(f"{meeting_url}/agenda", data={"remove": item_id, "confirm": "yes"})
    assert removed.status_code == 302
    assert "Evacuation plan for Bunia" not in client.get(meeting_url).get_data(as_text=True)


def test_standing_a_task_force_down_needs_the_confirmation(client, auth):
    auth.login(SG_CHAIR)
    url = "/task-forces/task-force-great-lakes"
    assert CONFIRM_BOX in client.get(url).get_data(as_text=True)

    refused = client.post(f"{url}/stand-down", data={"closing_report": "Handed over to the embassy."})
    assert refused.status_code == 400
    assert "Tick the confirmation box to stand the task force down" in refused.get_data(as_text=True)
    assert "Stand the task force down" in client.get(url).get_data(as_text=True)

    client.post(f"{url}/stand-down", data={"closing_report": "Handed over to the embassy.", "confirm": "yes"})
    page = client.get(url).get_data(as_text=True)
    assert "Handed over to the embassy." in page and "Stand the task force down" not in page
