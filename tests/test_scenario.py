"""The demo scenario loads through the report services, backdated, and loading it twice posts nothing."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from coordination.classification import NeedToKnow
from coordination.reports import queries
from coordination.seed import load_scenario
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA, SG_CHAIR


def test_scenario_posts_routes_and_triages_once(session):
    now = datetime.now(UTC)
    posted = load_scenario(session=session, now=now)
    assert posted >= 15
    assert load_scenario(session=session, now=now) == 0
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    queue = queries.early_warning_queue(session=session, viewer=chair, policy=NeedToKnow())
    assert {d.rule for _r, d in queue} & {"uncovered", "early_warning"}
    by_country = queries.early_warnings_by_country(
        session=session, viewer=chair, policy=NeedToKnow(), now=now, weeks=8
    )
    assert len(by_country) >= 3
    ambassador = structure.get_person_by_email(session=session, email=AMBASSADOR_KINSHASA)
    mine = queries.my_reports(session=session, viewer=ambassador)
    assert mine and all(r.created_at < now for r in mine)
    sake = next(r for r in mine if r.place_name == "Sake")  # a point on the maps
    assert sake.latitude and sake.event_at < sake.created_at
    statuses = queries.triage_statuses(session=session, reports=mine)
    assert {status for pairs in statuses.values() for _body, status in pairs} - {"new"}


def test_scenario_sets_priorities_and_the_weekly_meeting_once(session):
    from coordination.meetings import queries as meetings_queries
    from coordination.steering import queries as priorities_queries

    load_scenario(session=session)
    load_scenario(session=session)
    tiers = {p.subject: p.tier for p in priorities_queries.list_priorities(session=session)}
    assert tiers["COD"] == 1 and tiers["humanitarian"] == 2
    great_lakes = priorities_queries.find_priority(
        session=session, subject_kind="region", subject="African Great Lakes"
    )
    assert priorities_queries.subject_label(session, great_lakes) == "African Great Lakes (BDI, COD, RWA)"
    weekly = meetings_queries.meetings_of(session=session, body=structure.get_steering_group(session=session))
    assert len(weekly) == 8 and weekly[0].starts_at > datetime.now(UTC)
    brussels = weekly[0].starts_at.astimezone(ZoneInfo("Europe/Brussels"))
    assert brussels.strftime("%a %H:%M") == "Mon 10:00"


def test_scenario_lessons_stand_at_several_stages_and_are_searchable(session):
    from coordination.lessons import queries as lessons_queries
    from coordination.search import queries as search_queries

    now = datetime.now(UTC)
    load_scenario(session=session, now=now)
    load_scenario(session=session, now=now)
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    counts = lessons_queries.counts_by_stage(session=session, viewer=chair)
    assert {stage.value for stage, n in counts.items() if n} == {
        "learned",
        "tasked",
        "accepted",
        "submitted",
        "rejected",
    }
    assert sum(counts.values()) == 5
    learned = lessons_queries.find(
        session=session, viewer=chair, filters=lessons_queries.LessonFilter(stage="learned")
    )[0]
    assert [t.to_stage for t, _p in lessons_queries.history(session=session, lesson=learned)][-1] == "learned"
    assert lessons_queries.history(session=session, lesson=learned)[0][0].at < now
    hits = search_queries.search(
        session=session, viewer=chair, policy=NeedToKnow(), query="consultatieplatform"
    )
    assert [h.kind for h in hits] == ["lesson"]
