"""Need-to-know as a matrix: every relationship to a report x every clearance x every classification x
every origin, asserting both what is visible and what is not, in the query every page and API uses."""

import itertools

import pytest

from coordination.classification import Clearance, NeedToKnow
from coordination.reports import queries
from tests.factories import POLICY, make_person, post

LEVELS = [c.value for c in Clearance]
# (department, directorate, bodies) of each kind of viewer
VIEWERS = {
    "task force member, Foreign Affairs": ("FA", None, (("task-force-great-lakes", "member"),)),
    "task force member, Justice": ("JUST", None, (("task-force-great-lakes", "member"),)),
    "task force member, Defence": ("DEF", None, (("task-force-great-lakes", "observer"),)),
    "task force chair, Interior": ("INT", None, (("task-force-great-lakes", "co_chair"),)),
    "platform member, Foreign Affairs": ("FA", None, (("platform-kinshasa", "member"),)),
    "steering group only, Foreign Affairs": ("FA", None, (("steering-group", "member"),)),
    "no body, Foreign Affairs": ("FA", None, ()),
}
ORIGINS = {
    # a mission report from Kinshasa: routed to its platform and the Great Lakes task force
    "mission (Foreign Affairs)": dict(mission_code="KINSHASA"),
    # a tactical brief from the intelligence service: routed to the Great Lakes task force only
    "intelligence (Defence)": dict(
        country_code="COD", kind="intelligence_brief", intelligence_level="tactical"
    ),
}
ROUTED_TO = {
    "mission (Foreign Affairs)": {"task-force-great-lakes", "platform-kinshasa"},
    "intelligence (Defence)": {"task-force-great-lakes"},
}
SHARING_GROUP = {"FA", "DEF"}


@pytest.fixture
def world(session):
    mission_author = make_person(
        session,
        department="FA",
        clearance="top_secret",
        bodies=(("platform-kinshasa", "member"),),
        name="Mission author",
    )
    intelligence_author = make_person(
        session, department="DEF", directorate="ADIV", clearance="top_secret", name="Intelligence author"
    )
    reports = {}
    for origin, fields in ORIGINS.items():
        author = mission_author if origin.startswith("mission") else intelligence_author
        for level in LEVELS:
            reports[origin, level] = post(
                session, author, classification=level, title=f"{origin} {level}", **fields
            ).report
    viewers = {
        (kind, level): make_person(
            session, department=dept, directorate=directorate, clearance=level, bodies=bodies
        )
        for (kind, (dept, directorate, bodies)), level in itertools.product(VIEWERS.items(), LEVELS)
    }
    return (
        reports,
        viewers,
        {"mission (Foreign Affairs)": mission_author, "intelligence (Defence)": intelligence_author},
    )


def expected_visible(viewer_kind: str, clearance: str, origin: str, level: str) -> bool:
    department, _directorate, bodies = VIEWERS[viewer_kind]
    routed = {slug for slug, _role in bodies} & ROUTED_TO[origin]
    shares = not origin.startswith("intelligence") or department in SHARING_GROUP
    return bool(routed) and Clearance(clearance).covers(level) and shares


def test_visibility_matrix(session, world):
    reports, viewers, _authors = world
    mismatches = []
    for (viewer_kind, clearance), viewer in viewers.items():
        visible = {r.id for r in session.exec(queries.visible_reports(viewer=viewer, policy=POLICY))}
        inbox = {i.report.id for i in queries.inbox(session=session, viewer=viewer, policy=POLICY)}
        for (origin, level), report in reports.items():
            expected = expected_visible(viewer_kind, clearance, origin, level)
            found = queries.get_visible_report(
                session=session, viewer=viewer, report_id=report.id, policy=POLICY
            )
            for where, seen in (
                ("query", report.id in visible),
                ("get", found is not None),
                ("inbox", report.id in inbox),
            ):
                if seen != expected:
                    mismatches.append(f"{viewer_kind} [{clearance}] {where}: {origin} {level} seen={seen}")
    assert not mismatches, "\n".join(mismatches)
    # the matrix is not vacuous: some of each
    outcomes = [expected_visible(k, c, o, lv) for (k, c) in viewers for (o, lv) in reports]
    assert any(outcomes) and not all(outcomes)


def test_authors_always_see_their_own_reports(session, world):
    reports, _viewers, authors = world
    for (origin, _level), report in reports.items():
        assert queries.get_visible_report(
            session=session, viewer=authors[origin], report_id=report.id, policy=POLICY
        )


def test_sharing_group_is_configurable(session, world):
    reports, viewers, _authors = world
    justice = viewers["task force member, Justice", "top_secret"]
    brief = reports["intelligence (Defence)", "unclassified"]
    assert (
        queries.get_visible_report(session=session, viewer=justice, report_id=brief.id, policy=POLICY) is None
    )
    wider = NeedToKnow(restricted_origins=frozenset({"DEF"}), sharing_group=frozenset({"FA", "DEF", "JUST"}))
    assert queries.get_visible_report(session=session, viewer=justice, report_id=brief.id, policy=wider)
