"""Exercise mode's pages (issue 20): the controller's pages on the real site, and the exercise played on
pages of its own (/exercises/<key>/play/...) that read and write the exercise's database, under a banner,
with sign-in kept on the real site and the record read-only once the exercise has ended."""

import io
import re
from pathlib import Path

from sqlmodel import select

from coordination.exercises import queries
from coordination.exercises.models import Exercise
from coordination.lessons.models import Lesson
from coordination.reports.models import FieldReport
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, SG_CHAIR

FIRST_INJECT = "AFC/M23 offensive north of Goma"


def plan_and_start(client, auth, session, name="Goma drill"):
    auth.login(SG_CHAIR)
    response = client.post("/exercises", data={"script_key": "great-lakes-escalation", "name": name})
    assert response.status_code == 302, response.text
    key = session.exec(select(Exercise.key).where(Exercise.name == name)).one()
    assert client.post(f"/exercises/{key}/speed", data={"speed": "60"}).status_code == 302
    assert client.post(f"/exercises/{key}/start").status_code == 302
    assert client.post(f"/exercises/{key}/post-due").status_code == 302
    return key


def test_a_controller_plans_starts_and_players_work_on_the_exercises_own_pages(client, auth, session):
    key = plan_and_start(client, auth, session)
    page = client.get(f"/exercises/{key}").text
    assert "Goma drill" in page and FIRST_INJECT in page and "posted" in page
    auth.logout()

    auth.login(DGB_DIRECTOR)  # chairs Task Force Great Lakes
    play = f"/exercises/{key}/play"
    inbox = client.get(f"{play}/inbox")
    assert inbox.status_code == 200
    assert "exercise-banner" in inbox.text and "EXERCISE" in inbox.text and FIRST_INJECT in inbox.text
    assert f'href="{play}/reports/' in inbox.text  # links stay inside the exercise
    assert FIRST_INJECT in client.get(f"{play}/search?q=Kibumba").text

    # the real site knows nothing of it
    real = client.get("/inbox").text
    assert FIRST_INJECT not in real and "exercise-banner" not in real
    assert FIRST_INJECT not in client.get("/search?q=Kibumba").text
    assert FIRST_INJECT not in client.get("/dashboard").text
    session.rollback()
    assert not session.exec(select(FieldReport.id).where(FieldReport.title.contains("Kibumba"))).all()

    # the embassy posts a report in the exercise; it is written to the exercise's database only
    auth.logout()
    auth.login(AMBASSADOR_KINSHASA)
    response = client.post(
        f"{play}/reports/new",
        data={
            "title": "Embassy staff regroup in Kinshasa",
            "body": "Exercise report.",
            "mission_code": "KINSHASA",
            "country_code": "COD",
            "severity": "info",
            "classification": "unclassified",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].startswith(f"{play}/reports/")
    assert "Embassy staff regroup" in client.get(response.headers["Location"]).text
    assert not session.exec(select(FieldReport.id).where(FieldReport.title.contains("regroup"))).all()
    assert "Embassy staff regroup" not in client.get("/reports/mine").text


def test_sign_in_pages_are_the_real_sites_and_downloads_are_marked(client, auth, session):
    key = plan_and_start(client, auth, session)
    play = f"/exercises/{key}/play"
    response = client.get(f"{play}/login?next={play}/inbox")
    assert response.status_code == 307 and response.headers["Location"].endswith(f"/login?next={play}/inbox")
    export = client.get(f"{play}/reports/export.csv")
    assert export.status_code == 200
    assert "EXERCISE-" in export.headers["Content-Disposition"]
    assert export.headers["X-Coordination-Exercise"] == key
    assert "EXERCISE-" not in client.get("/reports/export.csv").headers["Content-Disposition"]


def test_an_ended_exercise_is_read_only_and_archiving_keeps_it_only_in_the_archive(
    app, client, auth, session
):
    key = plan_and_start(client, auth, session)
    play = f"/exercises/{key}/play"
    # a file attached in the exercise is kept with it, and deleted with it
    files = Path(app.config["ATTACHMENT_DIR"])
    before = {p for p in files.rglob("*") if p.is_file()}
    report_link = re.search(rf'href="{play}/reports/(\d+)"', client.get(f"{play}/inbox").text)
    attached = client.post(
        f"{play}/reports/{report_link.group(1)}/attachments",
        data={"files": [(io.BytesIO(b"%PDF-1.4 exercise annex"), "annex.pdf")]},
        content_type="multipart/form-data",
    )
    assert attached.status_code == 302
    kept = {p for p in files.rglob("*") if p.is_file()} - before
    assert client.post(f"/exercises/{key}/end").status_code == 302
    assert client.get(f"{play}/inbox").status_code == 200
    refused = client.post(f"{play}/reports/new", data={"title": "Too late"})
    assert refused.status_code == 409
    assert client.post(f"/exercises/{key}/archive").status_code == 302
    listing = client.get("/exercises").text
    current, archive = listing.split('id="archive"')
    assert "Goma drill" not in current and "Goma drill" in archive
    assert client.get(f"{play}/inbox").status_code == 200  # its record, from the archive

    assert client.post(f"/exercises/{key}/delete").status_code == 302
    assert client.get(f"{play}/inbox").status_code == 404
    assert kept and not any(p.exists() for p in kept)
    assert all(p.exists() for p in before)  # the real files stay
    session.rollback()  # a fresh snapshot
    assert queries.by_key(session=session, key=key) is None


def test_the_after_action_review_seeds_lessons_marked_as_from_the_exercise(client, auth, session):
    key = plan_and_start(client, auth, session)
    evaluation = client.get(f"/exercises/{key}/evaluation")
    assert evaluation.status_code == 200 and "Inject to first triage" in evaluation.text
    response = client.post(
        f"/exercises/{key}/review",
        data={
            "title": "Triage took too long",
            "observation": "The first early warning waited 50 minutes.",
            "recommendation": "Name a duty officer for triage.",
            "classification": "unclassified",
        },
    )
    assert response.status_code == 302
    session.rollback()
    lesson = session.exec(select(Lesson).where(Lesson.title == "Triage took too long")).one()
    assert lesson.from_exercise == "Goma drill" and "exercise" in lesson.tags
    assert "From the exercise Goma drill" in client.get(f"/lessons/{lesson.id}").text


def test_only_controllers_run_exercises_and_bad_input_gets_messages(client, auth, session):
    auth.login(AMBASSADOR_KINSHASA)
    assert client.get("/exercises").status_code == 200
    assert client.post("/exercises", data={"script_key": "great-lakes-escalation"}).status_code == 403
    auth.logout()
    auth.login(SG_CHAIR)
    assert client.post("/exercises", data={"script_key": "no-such-script"}).status_code == 400
    assert (
        client.post(
            "/exercises", data={"script_key": "great-lakes-escalation", "name": "x" * 300}
        ).status_code
        == 400
    )
    key = plan_and_start(client, auth, session, name="Speed test")
    for bad in ("0", "61", "NaN", "1e9", ""):
        assert client.post(f"/exercises/{key}/speed", data={"speed": bad}).status_code == 400, bad
    assert client.post(f"/exercises/{key}/start").status_code == 409
    assert (
        client.post(f"/exercises/{key}/inject", data={"mission": "NOWHERE", "title": "x"}).status_code == 400
    )
    response = client.post(
        f"/exercises/{key}/inject",
        data={
            "mission": "KINSHASA",
            "title": "Hand-written inject",
            "severity": "high",
            "classification": "unclassified",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/exercises/{key}").text
    assert "by-hand-1" in page and "injected by hand" in page
    assert client.get("/exercises/no-such-exercise/play/inbox").status_code == 404


def test_upgrading_the_database_upgrades_every_exercises_own(app, client, auth, session):
    key = plan_and_start(client, auth, session, name="Kept across upgrades")
    from coordination.cli import main

    result = app.test_cli_runner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"exercise {key}: its database at head" in result.output
    assert client.get(f"/exercises/{key}/play/inbox").status_code == 200


def test_the_api_lists_exercises_and_gives_their_evaluation_to_controllers(client, auth, session, api_token):
    key = plan_and_start(client, auth, session, name="API drill")
    chair = api_token(SG_CHAIR)
    listed = client.get("/api/v1/exercises", headers=chair).json["items"]
    assert [(e["key"], e["status"], e["play_path"]) for e in listed] == [
        (key, "running", f"/exercises/{key}/play/")
    ]
    detail = client.get(f"/api/v1/exercises/{key}", headers=chair).json
    assert detail["speed"] == 60 and {"gl-1"} <= {i["key"] for i in detail["injects"]}
    evaluation = client.get(f"/api/v1/exercises/{key}/evaluation", headers=chair).json
    assert {m["what"] for m in evaluation["measures"]} >= {"first_triage"}
    assert evaluation["timeline"][0]["kind"] == "inject_posted"

    ambassador = api_token(AMBASSADOR_KINSHASA)
    assert client.get(f"/api/v1/exercises/{key}", headers=ambassador).json["injects"] == []
    assert client.get(f"/api/v1/exercises/{key}/evaluation", headers=ambassador).status_code == 403
    assert client.get("/api/v1/exercises/no-such", headers=chair).status_code == 404
    assert client.get("/api/v1/exercises/NOT%20A%20KEY", headers=chair).status_code == 422
    # the exercise is played through the same API under its prefix, with the real token
    inbox = client.get(f"/exercises/{key}/play/api/v1/inbox", headers=ambassador)
    assert inbox.status_code == 200 and "Kibumba" in inbox.text
    assert "Kibumba" not in client.get("/api/v1/inbox", headers=ambassador).text
    assert client.get(f"/exercises/{key}/play/api/v1/exercises", headers=chair).status_code == 404


def test_an_exercise_sets_up_a_task_force_of_its_own(client, auth, session):
    """A task force set up in the exercise (from a decision adopted there) exists only there: its page, the
    exercise's list of bodies and the routing of the exercise's reports know it; the real site does not."""
    from datetime import UTC, datetime

    from coordination.decisions import service as decisions
    from coordination.exercises import service
    from coordination.structure import queries as structure
    from coordination.taskforces import service as taskforces
    from tests.demo import SG_SECRETARY

    key = plan_and_start(client, auth, session, name="Burundi drill")
    session.rollback()
    exercise = queries.by_key(session=session, key=key)
    now = datetime.now(UTC)
    with service.play_session(session=session, exercise=exercise, writing=True) as play:
        secretary = structure.get_person_by_email(session=play, email=SG_SECRETARY)
        chair = structure.get_person_by_email(session=play, email=SG_CHAIR)
        goals = decisions.draft_decision(
            session=play,
            author=secretary,
            issuing_body="steering-group",
            title="Set up an exercise effort on Burundi",
            text="Goals: rehearse.",
            addressees=[("department", "FA")],
            now=now,
        )
        decisions.adopt(session=play, person=chair, decision=goals, now=now)
        body, _proposals = taskforces.create_task_force(
            session=play,
            person=secretary,
            now=now,
            goals_decision_id=goals.id,
            name="Task Force Burundi Drill",
            countries=["BDI"],
            overlap_reason="an exercise of its own",
        )
        slug = body.slug
    play_path = f"/exercises/{key}/play"
    assert "Task Force Burundi Drill" in client.get(f"{play_path}/bodies").text
    assert client.get(f"{play_path}/bodies/{slug}").status_code == 200
    assert "Task Force Burundi Drill" not in client.get("/bodies").text
    assert client.get(f"/bodies/{slug}").status_code == 404


def test_what_leaves_an_exercise_says_so_documents_feeds_and_calendars(client, auth, session):
    """A decision's PDF carries the exercise's mark above its classification, its acknowledgements as CAP
    have the status Exercise, the personal feeds' titles and calendar entries say EXERCISE; the same
    documents on the real site do not."""
    import pypdf

    from coordination.decisions import service as decisions
    from coordination.exercises import service
    from coordination.notifications import service as notifications
    from coordination.structure import queries as structure

    key = plan_and_start(client, auth, session, name="Marked drill")
    session.rollback()  # a fresh snapshot: the exercise has started since
    exercise = queries.by_key(session=session, key=key)
    with service.play_session(session=session, exercise=exercise, writing=True) as play:
        chair = structure.get_person_by_email(session=play, email=SG_CHAIR)
        decision = decisions.draft_decision(
            session=play,
            author=chair,
            issuing_body="steering-group",
            title="Evacuation planning for Goma",
            addressees=[("mission", "KINSHASA")],
            now=exercise.started_at,
        )
        decisions.adopt(session=play, person=chair, decision=decision, now=exercise.started_at)
        decisions.acknowledge(
            session=play,
            person=structure.get_person_by_email(session=play, email=AMBASSADOR_KINSHASA),
            decision=decision,
            unit_kind="mission",
            unit_key="KINSHASA",
            now=exercise.started_at,
        )
        second = decisions.draft_decision(
            session=play,
            author=chair,
            issuing_body="steering-group",
            title="Reduce staff in Goma",
            addressees=[("mission", "KINSHASA")],
            now=exercise.started_at,
        )
        decisions.adopt(session=play, person=chair, decision=second, now=exercise.started_at)
        token = notifications.new_feed_token(session=play, person=chair)
        ambassador_token = notifications.new_feed_token(
            session=play, person=structure.get_person_by_email(session=play, email=AMBASSADOR_KINSHASA)
        )
        play.commit()
        decision_id = decision.id
    play_path = f"/exercises/{key}/play"
    pdf = client.get(f"{play_path}/decisions/{decision_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Disposition"].startswith(
        'inline; filename="EXERCISE-'
    )
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "EXERCISE — OEFENING — EXERCICE" in text
    cap = client.get(f"{play_path}/decisions/{decision_id}/acknowledgements.cap.xml").text
    assert "<status>Exercise</status>" in cap and "<status>Actual</status>" not in cap
    atom = client.get(f"{play_path}/feeds/{token}/decisions.atom").text
    assert "<title>EXERCISE (Marked drill): " in atom
    assert f"http://127.0.0.1:5000{play_path}/decisions/{decision_id}" in atom  # links into the exercise
    assert f"{play_path}/exercises/" not in cap + atom
    calendar = client.get(f"{play_path}/feeds/{ambassador_token}/deadlines.ics").text.replace("\r\n ", "")
    assert "SUMMARY:EXERCISE (Marked drill): Acknowledge: Reduce staff in Goma" in calendar
    assert "X-WR-CALNAME:EXERCISE (Marked drill): " in calendar
    # the real site's token and documents are its own
    assert client.get(f"/feeds/{token}/decisions.atom").status_code == 404


def test_someone_added_after_the_start_is_not_in_the_exercise(client, auth, session, api_token):
    """The organisation was copied when the exercise started: a person created since signs in to the real
    site as usual, and is told they are not in the exercise, by page and by API (never a failed write)."""
    from datetime import UTC, datetime

    from coordination.auth import service as auth_service
    from coordination.structure import queries as structure
    from coordination.structure import service as structure_service

    key = plan_and_start(client, auth, session, name="Late joiner drill")
    auth.logout()
    session.rollback()  # a fresh snapshot, before writing
    admin = structure.get_person_by_email(session=session, email="thomas.delvaux@diplobel.example")
    late = structure_service.create_person(
        session=session,
        actor=admin,
        email="late.joiner@diplobel.example",
        now=datetime.now(UTC),
        name="Late Joiner",
        department_code="FA",
    )
    auth_service.set_password(session=session, person=late, password="a long enough password 1")
    session.commit()
    assert auth.login("late.joiner@diplobel.example", "a long enough password 1").status_code == 302
    assert client.get("/inbox").status_code == 200
    play = f"/exercises/{key}/play"
    refused = client.get(f"{play}/inbox")
    assert refused.status_code == 403 and "You are not in this exercise" in refused.text
    assert client.post(f"{play}/reports/new", data={"title": "From a late joiner"}).status_code == 403
    token = api_token("late.joiner@diplobel.example", "a long enough password 1")
    assert client.get(f"{play}/api/v1/inbox", headers=token).status_code == 403
    assert client.get("/api/v1/inbox", headers=token).status_code == 200
