"""The lessons-learned lifecycle, who may take each step, need-to-know, and lessons coming back."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from coordination.audit.models import AuditEvent
from coordination.decisions import queries as decisions_queries
from coordination.decisions import service as decisions
from coordination.decisions.models import Decision
from coordination.lessons import queries, service
from coordination.lessons.enums import LessonStage
from coordination.notifications.models import Notification
from coordination.rules import Forbidden
from coordination.structure import queries as structure
from coordination.taskforces import service as taskforces
from tests.demo import (
    AMBASSADOR_KINSHASA,
    DGB_DIRECTOR,
    JUSTICE_MEMBER,
    SG_CHAIR,
    SG_SECRETARY,
)
from tests.factories import POLICY, make_person

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
GL_SECRETARY = "lotte.baert@diplobel.example"


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def submit(session, email=JUSTICE_MEMBER, **fields):
    defaults = {
        "title": "Judicial liaison joined the task force too late",
        "observation": "The FPS Justice liaison was designated three weeks after the task force was set up.",
        "effort": "Great Lakes 2026",
        "task_force": "task-force-great-lakes",
        "tags": ["Staffing", "justice"],
    }
    return service.submit_observation(
        session=session, person=who(session, email), policy=POLICY, now=NOW, **{**defaults, **fields}
    )


def step(session, lesson, name, email, note="", at=NOW):
    return service.advance(
        session=session, person=who(session, email), lesson=lesson, step_name=name, note=note, now=at
    )


def analysed(session, lesson):
    step(session, lesson, "accept", DGB_DIRECTOR)
    service.edit(
        session=session,
        person=who(session, DGB_DIRECTOR),
        lesson=lesson,
        title=lesson.title,
        observation=lesson.observation,
        discussion="Departments only designate people once the task force exists.",
        conclusion="Designations made in advance avoid the delay.",
        recommendation="Each department keeps a standby designation for every active crisis country.",
    )
    step(session, lesson, "analyse", DGB_DIRECTOR)
    return lesson


def endorsed(session, lesson):
    analysed(session, lesson)
    step(session, lesson, "identify", DGB_DIRECTOR)
    service.endorse(
        session=session,
        person=who(session, SG_CHAIR),
        lesson=lesson,
        action_body="task-force-great-lakes",
        now=NOW,
    )
    return lesson


def test_an_observation_walks_through_every_stage_with_who_and_when(session):
    lesson = submit(session)
    assert lesson.stage == "submitted"
    assert lesson.countries == ["BDI", "COD", "RWA"]  # taken from the task force
    assert lesson.tags == ["staffing", "justice"]
    endorsed(session, lesson)
    assert lesson.stage == "endorsed"
    decision = session.get(Decision, lesson.endorsement_decision_id)
    assert decision.status == "adopted" and decision.title.startswith("Lesson endorsed:")
    assert [a.unit_kind for a in decisions_queries.addressees_of(session=session, decision=decision)] == [
        "body"
    ]

    owner = who(session, GL_SECRETARY)
    action = service.add_remedial_action(
        session=session,
        person=who(session, SG_SECRETARY),
        lesson=lesson,
        title="Designate a standby justice liaison for DRC",
        due_on=date(2027, 1, 15),
        owner_person_id=owner.id,
        now=NOW,
    )
    assert lesson.stage == "tasked"
    assert queries.remedial_actions(session=session, viewer=who(session, SG_CHAIR), lesson=lesson) == [action]
    with pytest.raises(service.LessonError, match="every remedial action must be done"):
        step(session, lesson, "implement", GL_SECRETARY)
    decisions.update_action(
        session=session, person=owner, action=action, status="done", body="Done.", now=NOW
    )
    step(session, lesson, "implement", GL_SECRETARY, at=NOW + timedelta(days=30))
    step(session, lesson, "validate", SG_CHAIR, at=NOW + timedelta(days=60))
    step(session, lesson, "learn", SG_SECRETARY, at=NOW + timedelta(days=61))
    step(session, lesson, "archive", SG_SECRETARY, at=NOW + timedelta(days=400))

    history = queries.history(session=session, lesson=lesson)
    assert [(t.from_stage, t.to_stage, p.email) for t, p in history] == [
        (None, "submitted", JUSTICE_MEMBER),
        ("submitted", "accepted", DGB_DIRECTOR),
        ("accepted", "analysed", DGB_DIRECTOR),
        ("analysed", "identified", DGB_DIRECTOR),
        ("identified", "endorsed", SG_CHAIR),
        ("endorsed", "tasked", SG_SECRETARY),
        ("tasked", "implemented", GL_SECRETARY),
        ("implemented", "validated", SG_CHAIR),
        ("validated", "learned", SG_SECRETARY),
        ("learned", "archived", SG_SECRETARY),
    ]
    assert history[-1][0].at == NOW + timedelta(days=400)
    audited = session.exec(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "lesson", AuditEvent.object_id == str(lesson.id)
        )
    ).all()
    assert {"lesson.submit", "lesson.accept", "lesson.endorse", "lesson.validate", "lesson.archive"} <= set(
        audited
    )
    # The action owner was told, and the action body was told of the endorsement.
    kinds = set(session.exec(select(Notification.kind).where(Notification.person_id == owner.id)))
    assert {"lesson.endorsed", "lesson.action"} <= kinds


@pytest.mark.parametrize(
    ("reach", "name"),
    [
        (0, "analyse"),  # submitted: must be accepted first
        (0, "identify"),
        (0, "validate"),
        (1, "identify"),  # accepted: must be analysed first
        (2, "implement"),  # analysed: not yet tasked
        (2, "learn"),
        (3, "validate"),  # identified: not yet endorsed, tasked or implemented
        (3, "archive"),
    ],
)
def test_skipped_stages_are_refused(session, reach, name):
    lesson = submit(session)
    if reach >= 1:
        step(session, lesson, "accept", DGB_DIRECTOR)
    if reach >= 2:
        lesson.discussion = "Why."
        step(session, lesson, "analyse", DGB_DIRECTOR)
    if reach >= 3:
        lesson.conclusion, lesson.recommendation = "So.", "Do."
        step(session, lesson, "identify", DGB_DIRECTOR)
    stage = lesson.stage
    with pytest.raises(service.LessonError, match="cannot be"):
        step(session, lesson, name, SG_CHAIR)
    session.refresh(lesson)
    assert lesson.stage == stage
    if reach < 3:
        with pytest.raises(service.LessonError, match="cannot be endorsed"):
            service.endorse(
                session=session,
                person=who(session, SG_CHAIR),
                lesson=lesson,
                action_body="steering-group",
                now=NOW,
            )


@pytest.mark.parametrize(
    ("name", "email", "allowed"),
    [
        ("accept", DGB_DIRECTOR, True),  # chair of the task force concerned
        ("accept", SG_SECRETARY, True),
        ("accept", JUSTICE_MEMBER, False),  # the author, a plain member
        ("accept", AMBASSADOR_KINSHASA, False),
        ("endorse", SG_CHAIR, True),
        ("endorse", SG_SECRETARY, False),  # only the steering group's chair or co-chairs speak for it
        ("endorse", DGB_DIRECTOR, False),  # a member of the steering group, and the task force's chair
        ("validate", SG_CHAIR, True),
        ("validate", SG_SECRETARY, False),
        ("validate", DGB_DIRECTOR, False),
        ("validate", GL_SECRETARY, False),
    ],
)
def test_who_may_take_each_step(session, name, email, allowed):
    lesson = submit(session)
    if name == "endorse":
        analysed(session, lesson)
        step(session, lesson, "identify", DGB_DIRECTOR)
    elif name == "validate":
        endorsed(session, lesson)
        action = service.add_remedial_action(
            session=session,
            person=who(session, SG_SECRETARY),
            lesson=lesson,
            title="Fix it",
            due_on=date(2027, 1, 1),
            now=NOW,
        )
        decisions.update_action(
            session=session, person=who(session, SG_SECRETARY), action=action, status="done", body="", now=NOW
        )
        step(session, lesson, "implement", SG_SECRETARY)
    stage = lesson.stage

    def take():
        if name == "endorse":
            service.endorse(
                session=session,
                person=who(session, email),
                lesson=lesson,
                action_body="task-force-great-lakes",
                now=NOW,
            )
        else:
            step(session, lesson, name, email)

    if allowed:
        take()
        assert lesson.stage == service.STEPS[name].target
    else:
        with pytest.raises(Forbidden):
            take()
        session.refresh(lesson)
        assert lesson.stage == stage


def test_only_the_steering_groups_staff_task_remedial_actions(session):
    lesson = endorsed(session, submit(session))
    with pytest.raises(Forbidden):
        service.add_remedial_action(
            session=session,
            person=who(session, DGB_DIRECTOR),
            lesson=lesson,
            title="Fix",
            due_on=date(2027, 1, 1),
            now=NOW,
        )
    with pytest.raises(service.LessonError, match="due date is in the past"):
        service.add_remedial_action(
            session=session,
            person=who(session, SG_CHAIR),
            lesson=lesson,
            title="Fix",
            due_on=date(2020, 1, 1),
            now=NOW,
        )
    with pytest.raises(service.LessonError, match="owner must sit in the action body"):
        service.add_remedial_action(
            session=session,
            person=who(session, SG_CHAIR),
            lesson=lesson,
            title="Fix it",
            due_on=date(2027, 1, 1),
            owner_person_id=who(session, SG_SECRETARY).id,
            now=NOW,
        )
    assert lesson.stage == "endorsed"


def test_rejection_needs_a_reason_and_can_then_be_archived(session):
    lesson = submit(session)
    with pytest.raises(service.LessonError, match="reason"):
        step(session, lesson, "reject", DGB_DIRECTOR)
    step(session, lesson, "reject", DGB_DIRECTOR, note="Already covered by lesson 12.")
    assert lesson.stage == "rejected" and lesson.rejection_reason == "Already covered by lesson 12."
    step(session, lesson, "archive", SG_SECRETARY)
    assert lesson.stage == "archived"


def test_submission_is_validated(session):
    with pytest.raises(service.LessonError, match="what happened"):
        submit(session, observation="  ")
    with pytest.raises(service.LessonError, match="above your own clearance"):
        submit(session, classification="secret")  # the Justice member is cleared to confidential
    with pytest.raises(service.LessonError, match="no task force"):
        submit(session, task_force="steering-group")
    with pytest.raises(service.LessonError, match="Not a country we know: XXX"):
        submit(session, countries=["XXX"])
    with pytest.raises(service.LessonError, match="unknown theme"):
        submit(session, themes=["weather"])
    with pytest.raises(service.LessonError, match="no field report"):
        submit(session, report_ids=[999_999])


def test_visibility_matrix(session):
    outsider = make_person(session, department="FIN", clearance="secret")
    uncleared = make_person(session, department="FA", clearance="unclassified")
    gl_member = who(session, "sarah.claessens@ibz.fgov.example")
    lesson = submit(session, classification="confidential")

    def sees(person):
        return queries.get_visible_lesson(session=session, viewer=person, lesson_id=lesson.id) is not None

    people = {
        "author": who(session, JUSTICE_MEMBER),
        "task force member": gl_member,
        "steering group member": who(session, "benoit.colson@bosa.fgov.example"),
        "outsider": outsider,
        "uncleared": uncleared,
    }
    submitted = {name: sees(p) for name, p in people.items()}
    step(session, lesson, "accept", DGB_DIRECTOR)
    accepted = {name: sees(p) for name, p in people.items()}
    assert submitted == {
        "author": True,
        "task force member": True,
        "steering group member": True,
        "outsider": False,
        "uncleared": False,
    }
    assert accepted == {**submitted, "outsider": True}
    clearance = {p.email: p.clearance for p in people.values()}
    assert clearance[gl_member.email] in ("confidential", "secret", "top_secret")


def test_standing_down_asks_the_members_for_observations(session):
    task_force = structure.get_body(session=session, slug="task-force-great-lakes")
    members = {m.person_id for m in task_force.memberships}
    taskforces.stand_down(
        session=session, person=who(session, SG_CHAIR), task_force=task_force, closing_report="Done.", now=NOW
    )
    asked = set(session.exec(select(Notification.person_id).where(Notification.kind == "lesson.request")))
    assert asked == members
    link = session.exec(select(Notification.link).where(Notification.kind == "lesson.request")).first()
    assert link == "/lessons/new?task_force=task-force-great-lakes"


def test_a_new_task_force_sees_earlier_lessons_on_its_countries_or_themes(session):
    lesson = analysed(session, submit(session, countries=["COD"], themes=["law"]))
    other = submit(session, title="Not yet identified", countries=["COD"])
    step(session, lesson, "identify", DGB_DIRECTOR)
    for name, countries, themes, expected in [
        ("Task Force Kivu", ["COD"], [], True),
        ("Task Force Rule of Law", ["LBN"], ["law"], True),
        ("Task Force Lebanon", ["LBN"], ["consular"], False),
    ]:
        decision = decisions.draft_decision(
            session=session,
            author=who(session, SG_SECRETARY),
            issuing_body="steering-group",
            title=f"Set up {name}",
            addressees=[("department", "FA")],
            now=NOW,
        )
        decisions.adopt(session=session, person=who(session, SG_CHAIR), decision=decision, now=NOW)
        body, _ = taskforces.create_task_force(
            session=session,
            person=who(session, SG_SECRETARY),
            goals_decision_id=decision.id,
            name=name,
            countries=countries,
            themes=themes,
            overlap_reason="each case of the test is its own task force",
            now=NOW,
        )
        found = queries.earlier_lessons(session=session, viewer=who(session, SG_CHAIR), task_force=body)
        assert (lesson in found) is expected, name
        assert other not in found


def test_filters_chart_counts_and_exports(session):
    first = submit(session, title="First observation", themes=["law"], countries=["COD"])
    second = submit(
        session, title="Second observation", effort="Sahel 2025", task_force=None, countries=["MLI"]
    )
    step(session, first, "accept", DGB_DIRECTOR, at=NOW + timedelta(days=40))
    chair = who(session, SG_CHAIR)
    find = queries.find
    assert find(session=session, viewer=chair, filters=queries.LessonFilter(stage="accepted")) == [first]
    assert find(session=session, viewer=chair, filters=queries.LessonFilter(effort="Sahel 2025")) == [second]
    assert find(session=session, viewer=chair, filters=queries.LessonFilter(country="MLI")) == [second]
    assert find(session=session, viewer=chair, filters=queries.LessonFilter(theme="law")) == [first]
    assert queries.efforts(session=session, viewer=chair) == ["Great Lakes 2026", "Sahel 2025"]

    series = queries.stage_counts_over_time(
        session=session, viewer=chair, now=NOW + timedelta(days=40), months=3
    )
    assert series.months == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert series.counts[LessonStage.submitted] == [2, 2, 1]
    assert series.counts[LessonStage.accepted] == [0, 0, 1]

    csv_text = queries.as_csv([first, second])
    assert csv_text.splitlines()[0].startswith("id,title,stage")
    assert "Second observation,submitted" in csv_text
    markdown = queries.as_markdown([first])
    assert "## " in markdown and "### Observation" in markdown and "First observation" in markdown
