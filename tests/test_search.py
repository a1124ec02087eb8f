"""Search: ranked, in three languages, and never revealing what the person may not see."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from coordination.decisions import service as decisions
from coordination.lessons import service as lessons
from coordination.meetings import service as meetings
from coordination.reports import queries as report_queries
from coordination.reports.models import FieldReport
from coordination.search import queries
from coordination.search.index import rebuild
from coordination.sitreps import service as sitreps
from coordination.structure import queries as structure
from tests.demo import (
    ADIV_ANALYST,
    AMBASSADOR_KINSHASA,
    AMBASSADOR_NIAMEY,
    DGB_DIRECTOR,
    JUSTICE_MEMBER,
    SG_CHAIR,
    SG_SECRETARY,
)
from tests.factories import POLICY, make_person, post

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
GL_SECRETARY = "lotte.baert@diplobel.example"


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def find(session, email_or_person, query, **kw):
    person = who(session, email_or_person) if isinstance(email_or_person, str) else email_or_person
    return [
        (h.kind, h.item_id)
        for h in queries.search(session=session, viewer=person, policy=POLICY, query=query, **kw)
    ]


def secret_brief(session):
    return post(
        session,
        who(session, ADIV_ANALYST),
        title="Operation Nightjar: armed group resupply corridor",
        body="Tactical intelligence on the corridor.",
        country_code="COD",
        kind="intelligence_brief",
        intelligence_level="tactical",
        classification="secret",
    ).report


def test_a_secret_report_is_never_found_by_someone_without_clearance(session):
    report = secret_brief(session)
    # The Justice member sits in the Great Lakes task force, which received the brief, but is cleared
    # to confidential only: even the exact title finds nothing, in any kind or page.
    assert find(session, JUSTICE_MEMBER, "Operation Nightjar: armed group resupply corridor") == []
    assert find(session, JUSTICE_MEMBER, "Nightjar", kinds=["report"]) == []
    assert find(session, JUSTICE_MEMBER, "Nightjar", offset=0, limit=100) == []
    assert find(session, ADIV_ANALYST, "Nightjar") == [("report", report.id)]
    assert find(session, DGB_DIRECTOR, "nightjar") == [("report", report.id)]  # chair, secret, FA shares


def test_search_follows_the_need_to_know_matrix(session):
    report = secret_brief(session)
    people = {
        "author": who(session, ADIV_ANALYST),
        "task force chair (secret, FA)": who(session, DGB_DIRECTOR),
        "task force member, confidential": who(session, JUSTICE_MEMBER),
        "outside the task force, secret": who(session, AMBASSADOR_NIAMEY),
        "task force member, secret, not in the sharing group": make_person(
            session, department="JUST", clearance="secret", bodies=(("task-force-great-lakes", "member"),)
        ),
    }
    found = {name: bool(find(session, person, "Nightjar")) for name, person in people.items()}
    visible = {
        name: bool(
            report_queries.get_visible_report(session=session, viewer=p, report_id=report.id, policy=POLICY)
        )
        for name, p in people.items()
    }
    assert (
        found
        == visible
        == {
            "author": True,
            "task force chair (secret, FA)": True,
            "task force member, confidential": False,
            "outside the task force, secret": False,
            "task force member, secret, not in the sharing group": False,
        }
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("verkiezingen", True),  # the Dutch word itself
        ("Verkiezingen Bujumbura", True),
        ("verkiezing", True),  # singular finds the plural
        ("élections", False),
        ("uitgesteld", True),
    ],
)
def test_a_dutch_word_finds_a_dutch_report(session, query, expected):
    report = post(
        session,
        who(session, "lotte.baert@diplobel.example"),
        title="Verkiezingen in Burundi uitgesteld",
        body="De kiescommissie heeft de verkiezingen in Bujumbura met drie maanden uitgesteld.",
        country_code="BDI",
    ).report
    assert (("report", report.id) in find(session, DGB_DIRECTOR, query)) is expected


@pytest.mark.parametrize("query", ["élections", "elections", "Élection", "report des élections"])
def test_french_text_is_found_with_or_without_accents(session, query):
    report = post(
        session,
        who(session, AMBASSADOR_KINSHASA),
        title="Report des élections provinciales",
        body="La CENI annonce le report des élections provinciales au Nord-Kivu.",
        country_code="COD",
        mission_code="KINSHASA",
    ).report
    assert ("report", report.id) in find(session, DGB_DIRECTOR, query)


def test_ranking_puts_title_matches_first(session):
    author = who(session, AMBASSADOR_KINSHASA)
    in_body = post(
        session,
        author,
        title="Weekly note",
        body="Some words about cholera among others.",
        country_code="COD",
    )
    in_title = post(
        session, author, title="Cholera outbreak in Kalemie", body="Cases rising.", country_code="COD"
    )
    hits = find(session, DGB_DIRECTOR, "cholera")
    assert hits.index(("report", in_title.report.id)) < hits.index(("report", in_body.report.id))


def test_every_kind_is_searched_within_its_own_visibility(session):
    chair, secretary = who(session, SG_CHAIR), who(session, SG_SECRETARY)
    decision = decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Zanzibar protocol for evacuations",
        addressees=[("body", "task-force-great-lakes")],
        now=NOW,
    )
    meeting = meetings.schedule(
        session=session,
        person=secretary,
        body=structure.get_steering_group(session=session),
        title="Weekly steering group",
        starts_at=NOW,
        duration_minutes=60,
        location="Egmont",
    )[0]
    meetings.record_minutes(
        session=session, person=secretary, meeting=meeting, minutes="Zanzibar was discussed.", present_ids=[]
    )
    task_force = structure.get_body(session=session, slug="task-force-great-lakes")
    sitrep = sitreps.compile_draft(
        session=session,
        policy=POLICY,
        person=who(session, GL_SECRETARY),
        task_force=task_force,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 20),
        now=NOW,
    )
    sitreps.edit(
        session=session, person=who(session, DGB_DIRECTOR), sitrep=sitrep, body="Zanzibar line of effort."
    )
    lesson = lessons.submit_observation(
        session=session,
        person=who(session, JUSTICE_MEMBER),
        title="Zanzibar lesson",
        observation="It happened.",
        task_force="task-force-great-lakes",
        policy=POLICY,
        now=NOW,
    )
    everything = {
        ("decision", decision.id),
        ("minutes", meeting.id),
        ("sitrep", sitrep.id),
        ("lesson", lesson.id),
    }

    # The secretary drafted the decision, sits in the steering group (minutes, submitted sitreps, lessons).
    assert set(find(session, secretary, "zanzibar")) == everything - {("sitrep", sitrep.id)}  # still a draft
    # The task force's secretary sees the sitrep draft and the lesson; not the draft decision, nor the
    # steering group's minutes.
    assert set(find(session, GL_SECRETARY, "zanzibar")) == {("sitrep", sitrep.id), ("lesson", lesson.id)}
    # Someone outside both bodies finds nothing at all until the lesson is accepted.
    outsider = who(session, AMBASSADOR_NIAMEY)
    assert find(session, outsider, "zanzibar") == []
    lessons.advance(session=session, person=secretary, lesson=lesson, step_name="accept", now=NOW)
    assert find(session, outsider, "zanzibar") == [("lesson", lesson.id)]
    decisions.adopt(session=session, person=chair, decision=decision, now=NOW)
    assert ("decision", decision.id) in find(session, GL_SECRETARY, "zanzibar")  # addressed to her task force
    assert find(session, GL_SECRETARY, "zanzibar", kinds=["decision"]) == [("decision", decision.id)]


def test_the_index_follows_edits_and_can_be_rebuilt(session):
    report = post(
        session, who(session, AMBASSADOR_KINSHASA), title="Quokka sighting", country_code="COD"
    ).report
    assert find(session, DGB_DIRECTOR, "quokka") == [("report", report.id)]
    report.title = "Pangolin sighting"
    session.add(report)
    session.commit()
    assert find(session, DGB_DIRECTOR, "quokka") == []
    assert find(session, DGB_DIRECTOR, "pangolin") == [("report", report.id)]
    assert rebuild(session.connection()) >= 1
    session.commit()
    assert find(session, DGB_DIRECTOR, "pangolin") == [("report", report.id)]


@pytest.mark.parametrize("query", ["", "   ", "* OR NOT", '"', "NEAR(", "-", "a:b"])
def test_odd_queries_never_fail(session, query):
    assert isinstance(find(session, SG_CHAIR, query), list)


def test_a_posted_report_is_found_at_once_and_an_edit_in_the_same_session_follows(session):
    """A post writes its report around the ORM (db.adopt_inserted): the search entry is written with it,
    and a change to the report later in the same session is an UPDATE that the index follows too."""
    report = post(
        session, who(session, AMBASSADOR_KINSHASA), mission_code="KINSHASA", title="Flooding near Kalemie"
    ).report
    assert find(session, AMBASSADOR_KINSHASA, "Kalemie") == [("report", report.id)]
    report.title = "Flooding near Moba"
    session.add(report)
    session.commit()
    assert find(session, AMBASSADOR_KINSHASA, "Moba") == [("report", report.id)]
    assert find(session, AMBASSADOR_KINSHASA, "Kalemie") == []
    titles = session.exec(select(FieldReport.title).where(FieldReport.id == report.id)).all()
    assert titles == ["Flooding near Moba"]  # one row, updated: not inserted a second time
