"""Browser: a report posted with the network cut waits in the browser and is sent once when the connection
returns; a report whose answer was lost after the server stored it is sent again and still stored once."""

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from coordination.reports.models import FieldReport
from tests.demo import AMBASSADOR_KINSHASA
from tests.e2e.test_browse import sign_in

pytestmark = pytest.mark.e2e
OFFLINE_TITLE = "Road to Goma cut at Sake"
LOST_ANSWER_TITLE = "Fuel shortage at the airport"


def _stored(session, title: str) -> int:
    session.rollback()  # a fresh read, not the snapshot of the last one
    return session.exec(select(func.count()).where(FieldReport.title == title)).one()


def _post(page, title: str) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Report (Markdown)").fill("Seen at 07:00 by the driver.")
    page.get_by_role("button", name="Post report").click()


def test_a_report_posted_offline_or_with_its_answer_lost_is_stored_once(page, live_server, session):
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.goto(f"{live_server}/reports/new")
    status = page.get_by_role("status").filter(has_text="Waiting to send")

    page.context.set_offline(True)
    _post(page, OFFLINE_TITLE)
    expect(status).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("")  # the form is free for the next report
    assert _stored(session, OFFLINE_TITLE) == 0
    page.context.set_offline(False)
    expect(page.get_by_role("status")).to_contain_text("Sent")
    expect(page.get_by_role("link", name="Open the report")).to_be_visible()
    assert _stored(session, OFFLINE_TITLE) == 1

    # the server stores the report, and its answer never reaches the phone
    def lose_the_answer(route):
        if route.request.method != "POST":
            route.continue_()
            return
        route.fetch()
        route.abort("connectionreset")

    page.route("**/reports/new", lose_the_answer)
    _post(page, LOST_ANSWER_TITLE)
    expect(status).to_be_visible()
    assert _stored(session, LOST_ANSWER_TITLE) == 1
    page.unroute("**/reports/new")
    page.goto(f"{live_server}/reports/mine")  # the next page opened sends what waits
    expect(page.get_by_role("status")).to_contain_text("Sent")
    assert _stored(session, LOST_ANSWER_TITLE) == 1
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('report-'))") == []
