"""The demo scenario loads through the report services, backdated, and loading it twice posts nothing."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from coordination.reports import service
from coordination.seed import load_scenario
from coordination.structure import service as structure
from tests.demo import AMBASSADOR_KINSHASA, SG_CHAIR


def test_scenario_posts_routes_and_triages_once(session):
    now = datetime.now(UTC)
    posted = load_scenario(session=session, now=now)
    assert posted >= 15
    assert load_scenario(session=session, now=now) == 0
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    queue = service.early_warning_queue(session=session, person=chair, policy=service.NeedToKnow())
    assert {d.rule for _r, d in queue} & {"uncovered", "early_warning"}
    by_country = service.early_warnings_by_country(
        session=session, person=chair, policy=service.NeedToKnow(), now=now, weeks=8
    )
    assert len(by_country) >= 3
    ambassador = structure.get_person_by_email(session=session, email=AMBASSADOR_KINSHASA)
    mine = service.my_reports(session=session, person=ambassador)
    assert mine and all(r.created_at < now for r in mine)
    assert {r.status for r in service.my_reports(session=session, person=ambassador)} - {"new"}


def test_scenario_sets_priorities_and_the_weekly_meeting_once(session):
    from coordination.meetings import service as meetings
    from coordination.steering import service as priorities

    load_scenario(session=session)
    load_scenario(session=session)
    tiers = {p.subject: p.tier for p in priorities.list_priorities(session=session)}
    assert tiers["COD"] == 1 and tiers["humanitarian"] == 2
    weekly = meetings.meetings_of(session=session, body=structure.get_steering_group(session=session))
    assert len(weekly) == 8 and weekly[0].starts_at > datetime.now(UTC)
    brussels = weekly[0].starts_at.astimezone(ZoneInfo("Europe/Brussels"))
    assert brussels.strftime("%a %H:%M") == "Mon 10:00"


def test_scenario_lessons_stand_at_several_stages_and_are_searchable(session):
    from coordination.lessons import service as lessons
    from coordination.search import service as search

    now = datetime.now(UTC)
    load_scenario(session=session, now=now)
    load_scenario(session=session, now=now)
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    counts = lessons.counts_by_stage(session=session, person=chair)
    assert {stage.value for stage, n in counts.items() if n} == {
        "learned",
        "tasked",
        "accepted",
        "submitted",
        "rejected",
    }
    assert sum(counts.values()) == 5
    learned = lessons.find(session=session, person=chair, filters=lessons.LessonFilter(stage="learned"))[0]
    assert [t.to_stage for t, _p in lessons.history(session=session, lesson=learned)][-1] == "learned"
    assert lessons.history(session=session, lesson=learned)[0][0].at < now
    hits = search.search(
        session=session, person=chair, policy=service.NeedToKnow(), query="consultatieplatform"
    )
    assert [h.kind for h in hits] == ["lesson"]
