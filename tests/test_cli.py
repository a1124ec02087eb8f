from coordination.auth import service as auth
from coordination.cli import main
from coordination.structure import queries as structure


def test_create_user_reads_the_password_from_stdin_and_can_sign_in(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        main,
        [
            "create-user",
            "--email",
            "Liaison@Justice.fgov.example",
            "--name",
            "New Liaison",
            "--department",
            "JUST",
            "--clearance",
            "confidential",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    person = auth.authenticate(
        session=session,
        email="liaison@justice.fgov.example",
        password="a long enough password",
        production=True,
    )
    assert person.clearance == "confidential" and not person.is_demo


def test_create_user_refuses_a_short_password_and_an_unknown_department(app, session):
    runner = app.test_cli_runner()
    short = runner.invoke(
        main,
        ["create-user", "--email", "a@b.example", "--name", "A", "--department", "FA", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0 and "12 characters" in short.output
    unknown = runner.invoke(
        main,
        ["create-user", "--email", "a@b.example", "--name", "A", "--department", "NOPE", "--password-stdin"],
        input="a long enough password\n",
    )
    assert unknown.exit_code != 0 and "unknown department" in unknown.output
    assert structure.get_person_by_email(session=session, email="a@b.example") is None


def test_seed_and_db_upgrade_commands_are_idempotent(app):
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["seed"])
    assert result.exit_code == 0 and "nothing to change" in result.output


def test_search_index_rebuild_refills_the_index_after_a_bulk_load(app, session):
    from sqlalchemy import text

    from coordination.search import queries as search_queries
    from coordination.seed import load_scenario
    from tests.factories import POLICY

    load_scenario(session=session)
    session.execute(text("DELETE FROM search_index"))  # as after rows written around the ORM
    session.commit()
    chair = structure.get_person_by_email(session=session, email="bart.heylen@diplobel.example")
    assert search_queries.search(session=session, viewer=chair, policy=POLICY, query="Goma") == []
    result = app.test_cli_runner().invoke(main, ["search-index", "rebuild"])
    assert result.exit_code == 0 and "search index rebuilt" in result.output, result.output
    session.rollback()  # end this session's read snapshot
    assert search_queries.search(session=session, viewer=chair, policy=POLICY, query="Goma")
