"""Browser journey: the steering group sets up a Mali task force and overrides the proposed co-chair; the
chair seats three members from the standby roster and an observer; a Mali report posted before the set-up
is on the new task force's triage board; a member unseated afterwards receives no new Mali report and
still reads the one delivered before."""

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from coordination.decisions import service as decisions
from coordination.planning import roster
from coordination.structure import queries as structure
from tests.demo import DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.e2e.test_browse import sign_in
from tests.factories import post

# A browser journey tests the pages, not the database: it runs on SQLite, and the services and pages it
# drives are tested on both databases in tests/ and tests/web/ (CI keeps its 30 minutes).
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
AMBASSADOR_BAMAKO = "elodie.leclercq@diplobel.example"
ROSTER = [JUSTICE_MEMBER, "filip.geerts@police.fgov.example", "veerle.sels@health.fgov.example"]
OBSERVER = "anne-sophie.laloux@enabel.example"
OVERRIDING_CO_CHAIR = "genevieve.marchal@diplobel.example"  # DGM director, instead of the DGD director


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def test_set_up_override_seat_hand_over_and_unseat(page, live_server, session):
    now = datetime.now(UTC)
    secretary = who(session, SG_SECRETARY)
    goals = decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Set up a task force on Mali",
        text="Goals: protect civilians, support the transition.",
        addressees=[("department", "FA")],
        now=now,
    )
    decisions.adopt(session=session, person=who(session, SG_CHAIR), decision=goals, now=now)
    for email in ROSTER:
        roster.designate(
            session=session,
            person=secretary,
            designee=who(session, email),
            skills=["liaison"],
            available_from=date(2026, 1, 1),
            now=now,
        )
    before = post(
        session,
        who(session, AMBASSADOR_BAMAKO),
        title="Armed group moving towards Mopti",
        mission_code="BAMAKO",
        early_warning=True,
    ).report

    # the steering group's secretary proposes the task force
    sign_in(page, live_server, SG_SECRETARY)
    page.goto(f"{live_server}/task-forces/new")
    page.get_by_label("Steering-group decision that defines the goals").select_option(label=goals.title)
    page.get_by_label("Name", exact=True).fill("Task Force Mali")
    page.get_by_label("Countries in scope (country names, separated by commas)").fill("Mali")
    page.get_by_role("button", name="Propose task force").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Task Force Mali")
    expect(
        page.get_by_text("MLI is a partner country of development cooperation: DGD co-chairs")
    ).to_be_visible()
    task_force_url = page.url
    slug = task_force_url.rsplit("/", 1)[1]

    # its chair overrides the proposed co-chair, with the reason
    sign_in(page, live_server, SG_CHAIR)
    page.goto(task_force_url)
    dgm = who(session, OVERRIDING_CO_CHAIR)
    page.get_by_label("Co-chairs").select_option(value=[str(dgm.id)])
    page.get_by_label("Reason, if the steering group overrides the proposal").fill(
        "the transition is negotiated in multilateral fora"
    )
    page.get_by_role("button", name="Confirm the chairs").click()
    expect(page.get_by_text("Chairs confirmed; the task force is active.")).to_be_visible()
    expect(page.get_by_text("The steering group overrode the proposed chairs")).to_be_visible()
    history = page.locator("#chair-history")
    expect(history).to_contain_text("Isabelle Lambotte")
    expect(history).to_contain_text("proposal overridden by the steering group")

    # the chair assigns three people from the standby roster (which seats them) and seats an observer
    sign_in(page, live_server, DGB_DIRECTOR)
    page.goto(f"{live_server}/task-forces/{slug}/plan")
    for email in ROSTER:
        assign = page.locator("form", has=page.get_by_role("button", name="Assign"))
        assign.get_by_label("E-mail address").fill(email)
        assign.get_by_label("Share of time, in percent").fill("30")
        assign.get_by_role("button", name="Assign").click()
        expect(page.get_by_text("Assignment recorded.")).to_be_visible()
    page.goto(f"{live_server}/bodies/{slug}")
    observer = who(session, OBSERVER)
    seat = page.locator("#seat-a-person")
    seat.get_by_label("Person").select_option(value=str(observer.id))
    seat.get_by_label("Role").select_option("observer")
    seat.get_by_label("Why they take this seat").fill("Enabel runs the programmes in Mali")
    seat.get_by_role("button", name="Seat").click()
    members = page.get_by_role("table", name=re.compile("Members"))
    for email in [*ROSTER, OBSERVER]:
        expect(members).to_contain_text(who(session, email).name)
    expect(members.get_by_role("row", name=re.compile(observer.name))).to_contain_text("Observer")

    # the report posted before the set-up was handed over: it is on the triage board
    page.goto(f"{live_server}/bodies/{slug}/triage")
    expect(page.get_by_role("link", name=before.title)).to_be_visible()
    page.get_by_role("link", name=before.title).click()
    expect(page.get_by_role("cell", name=re.compile("handed over at set-up"))).to_be_visible()

    # a member is unseated; a new Mali report no longer reaches them, the earlier one still does
    page.goto(f"{live_server}/bodies/{slug}")
    leaving = who(session, JUSTICE_MEMBER)
    row = page.get_by_role("table", name=re.compile("Members")).get_by_role(
        "row", name=re.compile(leaving.name)
    )
    row.get_by_label(re.compile("Why the seat of")).fill("returns to the Great Lakes task force")
    row.get_by_role("button", name="End seat").click()
    expect(page.get_by_role("table", name=re.compile("Members"))).not_to_contain_text(leaving.name)
    expect(page.locator(".seat-history")).to_contain_text("returns to the Great Lakes task force")
    session.commit()  # end the test's read snapshot: the server has written since
    after = post(
        session,
        who(session, AMBASSADOR_BAMAKO),
        title="Checkpoint attacked near Ségou",
        mission_code="BAMAKO",
    ).report

    sign_in(page, live_server, JUSTICE_MEMBER)
    page.goto(f"{live_server}/inbox")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=after.title)).to_have_count(0)
    page.goto(f"{live_server}/reports/{before.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(before.title)
    response = page.goto(f"{live_server}/reports/{after.id}")
    assert response.status == 404
