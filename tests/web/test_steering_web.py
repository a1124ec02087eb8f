"""The steering group pages: priorities, task force lifecycle, meetings, situation reports, dashboard."""

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from coordination.decisions import service as decisions
from coordination.structure import queries as structure
from tests import factories
from tests.demo import DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY

NOW = datetime.now(UTC)


def test_priorities_page_sets_changes_and_lists_what_changed(client, auth):
    auth.login(SG_SECRETARY)
    assert (
        client.post(
            "/priorities",
            data={
                "subject_kind": "country",
                "subject": "ner",
                "tier": "2",
                "rationale": "Post-coup transition",
            },
        ).status_code
        == 302
    )
    refused = client.post("/priorities", data={"subject_kind": "country", "subject": "NER", "tier": "1"})
    assert refused.status_code == 400 and "say why" in refused.get_data(as_text=True)
    client.post(
        "/priorities", data={"subject_kind": "country", "subject": "NER", "tier": "1", "reason": "Coup"}
    )
    page = client.get("/priorities").get_data(as_text=True)
    assert 'data-subject="NER"' in page and "tier 2 → 1" in page and "Coup" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'data-subject="NER"' in dashboard and '<span class="tier tier-1">1</span>' in dashboard


def test_priorities_are_changed_only_by_the_steering_group(client, auth):
    auth.login(JUSTICE_MEMBER)
    assert (
        client.post("/priorities", data={"subject_kind": "theme", "subject": "law", "tier": "3"}).status_code
        == 403
    )


def test_task_force_lifecycle_through_the_pages(client, auth, session):
    secretary = structure.get_person_by_email(session=session, email=SG_SECRETARY)
    goals = decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Comprehensive effort for Mozambique",
        text="Goals: Cabo Delgado.",
        addressees=[("department", "FA")],
        now=NOW,
    )
    decisions.adopt(
        session=session,
        person=structure.get_person_by_email(session=session, email=SG_CHAIR),
        decision=goals,
        now=NOW,
    )
    auth.login(SG_SECRETARY)
    missing = client.post(
        "/task-forces/new",
        data={
            "goals_decision_id": "",
            "name": "Task Force Mozambique",
            "countries": "MOZ",
            "expert_director": "",
        },
    )
    assert missing.status_code == 400 and "adopted steering-group decision" in missing.get_data(as_text=True)
    created = client.post(
        "/task-forces/new",
        data={
            "goals_decision_id": str(goals.id),
            "name": "Task Force Mozambique",
            "countries": "MOZ",
            "major_departments": ["DEF"],
            "expert_director": "",
        },
    )
    assert created.status_code == 302
    page = client.get(created.location).get_data(as_text=True)
    assert "MOZ is a partner country of development cooperation: DGD co-chairs" in page
    assert "the director of DGB chairs task forces" in page and "major for Defence" in page
    auth.logout()
    auth.login(SG_CHAIR)
    slug = created.location.rsplit("/", 1)[1]
    client.post(f"/task-forces/{slug}/confirm")
    page = client.get(f"/task-forces/{slug}").get_data(as_text=True)
    assert "Chairs decided by Annelies Vercammen" in page
    assert f'data-task-force="{slug}"' in client.get("/dashboard").get_data(as_text=True)
    client.post(
        f"/task-forces/{slug}/stand-down",
        data={"closing_report": "Handed over to the embassy.", "confirm": "yes"},
    )
    assert "Handed over to the embassy." in client.get(f"/task-forces/{slug}").get_data(as_text=True)


def test_situation_report_drafted_submitted_printed_and_on_the_dashboard(client, auth):
    auth.login(DGB_DIRECTOR)
    response = client.post(
        "/task-forces/task-force-great-lakes/situation-reports",
        data={
            "period_start": (NOW - timedelta(days=14)).date().isoformat(),
            "period_end": NOW.date().isoformat(),
        },
    )
    assert response.status_code == 302
    url = response.location
    assert "<h3>Validated field reports</h3>" in client.get(url).get_data(as_text=True)
    client.post(url, data={"body": "## Sitrep\n\nCalm week.", "submit_report": "1"})
    printable = client.get(f"{url}?print=1").get_data(as_text=True)
    assert "Calm week." in printable and "submitted" in printable and "<nav" not in printable
    assert "Task Force Great Lakes:" in client.get("/dashboard").get_data(as_text=True)


def test_weekly_meeting_agenda_minutes_and_invitation(client, auth):
    auth.login(SG_SECRETARY)
    start = (NOW + timedelta(days=2)).strftime("%Y-%m-%dT10:00")
    response = client.post(
        "/bodies/steering-group/meetings",
        data={
            "title": "Weekly coordination meeting",
            "starts_at": start,
            "duration_minutes": "90",
            "location": "Egmont Palace",
            "weekly_occurrences": "4",
        },
    )
    assert response.status_code == 302
    listing = client.get("/bodies/steering-group/meetings").get_data(as_text=True)
    assert listing.count("Weekly coordination meeting") == 4
    meeting_url = "/meetings/" + listing.split('href="/meetings/')[1].split('"')[0]
    page = client.get(meeting_url).get_data(as_text=True)
    assert 'id="agenda"' in page
    client.post(f"{meeting_url}/agenda", data={"title": "Any other business"})
    assert "Any other business" in client.get(meeting_url).get_data(as_text=True)
    client.post(f"{meeting_url}/minutes", data={"minutes": "Agreed: **Niger** to tier 1."})
    assert "<strong>Niger</strong>" in client.get(meeting_url).get_data(as_text=True)
    ics = client.get(f"{meeting_url}/invitation.ics")
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["location"]) == "Egmont Palace" and "Any other business" in str(event["description"])
    auth.logout()
    auth.login(JUSTICE_MEMBER)
    assert client.get(meeting_url).status_code == 404  # not a member: the meeting is not revealed


def test_a_decision_recorded_in_a_meeting_is_linked_to_it(client, auth):
    auth.login(SG_SECRETARY)
    start = (NOW + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    client.post(
        "/bodies/steering-group/meetings",
        data={
            "title": "Extraordinary meeting",
            "starts_at": start,
            "duration_minutes": "60",
            "weekly_occurrences": "1",
        },
    )
    listing = client.get("/bodies/steering-group/meetings").get_data(as_text=True)
    meeting_id = listing.split('href="/meetings/')[1].split('"')[0]
    form = client.get(f"/decisions/new?meeting={meeting_id}").get_data(as_text=True)
    assert f'name="meeting" value="{meeting_id}"' in form
    created = client.post(
        "/decisions/new",
        data={
            "meeting": meeting_id,
            "issuing_body": "steering-group",
            "title": "Raise Niger to tier 1",
            "procedure": "meeting",
            "classification": "unclassified",
            "acknowledgement_hours": "48",
            "missions": ["mission:NIAMEY"],
        },
    )
    assert created.status_code == 302
    assert "Raise Niger to tier 1" in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)


def test_dashboard_charts_the_fifteen_countries_with_most_early_warnings(client, auth, session):
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    countries = ["NER", "MLI", "BFA", "TCD", "SDN", "SSD", "ETH", "SOM", "COD", "CAF", "RWA", "BDI", "UGA"]
    countries += ["LBY", "YEM", "SYR", "AFG"]
    for count, country in enumerate(countries, start=1):
        for _ in range(1 if count > 2 else 3):  # NER and MLI lead the chart
            factories.post(session, chair, country_code=country, early_warning=True, severity="high")
    auth.login(SG_CHAIR)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    rows = re.findall(r'class="ew-row" data-country="(\w+)"', dashboard)
    assert len(rows) == 15 and rows[:2] == ["MLI", "NER"]
    assert "more countries on the early-warning page" in dashboard
    board = client.get("/early-warning").get_data(as_text=True)
    assert set(countries) <= set(re.findall(r'class="ew-row" data-country="(\w+)"', board))
