"""Streamed exports of the inbox, the decisions list and the audit log: the pages' need-to-know and
filters, batches streamed one chunk at a time, audited as a whole; the audit log's filters and pages."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from coordination import db, exports
from coordination.audit import views as audit_views
from coordination.decisions import queries as decisions
from coordination.decisions import service as decision_service
from coordination.reports import queries as reports
from coordination.structure import queries as structure
from tests.demo import ADIV_ANALYST, AMBASSADOR_KINSHASA, DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY, post

BRIEF = {
    "title": "Armed group movements north of Goma",
    "country_code": "COD",
    "kind": "intelligence_brief",
    "intelligence_level": "tactical",
    "classification": "secret",
    "severity": "high",
}


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def _jsonl(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "application/jsonl"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def _exports_audited(app, action: str) -> list[dict]:
    with db.engine_of(app).connect() as connection:
        rows = connection.execute(
            text("SELECT detail FROM auditevent WHERE action = :action ORDER BY id"), {"action": action}
        )
        return [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in rows]


def test_exports_are_the_pages_lists_without_what_the_reader_may_not_see(app, client, auth, session):
    brief = post(session, who(session, ADIV_ANALYST), **BRIEF).report
    seen = post(
        session, who(session, AMBASSADOR_KINSHASA), title="Protest in Gombe", mission_code="KINSHASA"
    ).report
    now = datetime.now(UTC)
    decision = decision_service.draft_decision(
        session=session,
        author=who(session, SG_SECRETARY),
        issuing_body="steering-group",
        title="Evacuation plan Bravo",
        classification="secret",
        addressees=[("body", "task-force-great-lakes"), ("mission", "KINSHASA")],
        now=now,
    )
    decision_service.adopt(session=session, person=who(session, SG_CHAIR), decision=decision, now=now)

    auth.login(JUSTICE_MEMBER)
    justice = who(session, JUSTICE_MEMBER)
    exported = _jsonl(client.get("/reports/export.jsonl"))
    inbox = reports.inbox(session=session, viewer=justice, policy=POLICY, limit=100_000)
    assert [r["id"] for r in exported] == sorted((i.report.id for i in inbox), reverse=True)
    assert seen.id in {r["id"] for r in exported} and brief.id not in {r["id"] for r in exported}
    exported = _jsonl(client.get("/decisions/export.jsonl"))
    listed = decisions.list_decisions(session=session, viewer=justice, limit=100_000)
    assert [r["id"] for r in exported] == [d.id for d in listed] and decision.id not in {
        r["id"] for r in exported
    }
    auth.logout()

    auth.login(DGB_DIRECTOR)
    exported = _jsonl(client.get("/reports/export.jsonl?body=task-force-great-lakes&severity=high"))
    assert exported[0]["id"] == brief.id and exported[0]["classification"] == "secret"
    assert {"body": "task-force-great-lakes", "status": "new"} in exported[0]["received_by"]
    assert {r["severity"] for r in exported} == {"high"}
    assert _exports_audited(app, "report.export") == [
        {
            "filters": {"body_slug": "task-force-great-lakes", "severity": "high"},
            "count": len(exported),
            "classified": sum(r["classification"] != "unclassified" for r in exported),
            "complete": True,
        }
    ]
    exported = _jsonl(client.get("/decisions/export.jsonl?status=adopted"))
    assert exported[0]["id"] == decision.id and {r["status"] for r in exported} == {"adopted"}
    assert {a["unit"]: a["status"] for a in exported[0]["acknowledgements"]} == {
        "body:task-force-great-lakes": "pending",
        "mission:KINSHASA": "pending",
    }
    assert _exports_audited(app, "decision.export")[-1]["filters"] == {"status": "adopted"}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_exports_stream_one_chunk_per_batch_with_formulas_defused(client, auth, session, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 1)
    ambassador = who(session, AMBASSADOR_KINSHASA)
    for title in ("Roadblock at Kisangani", "-1 bridge left", '=HYPERLINK("http://evil.example")'):
        post(session, ambassador, title=title, mission_code="KINSHASA", severity="medium")
    auth.login(DGB_DIRECTOR)
    page = client.get("/inbox?body=task-force-great-lakes&severity=medium").get_data(as_text=True)
    assert 'href="/reports/export.csv?body=task-force-great-lakes&amp;severity=medium"' in page
    decisions_page = client.get("/decisions?status=adopted").get_data(as_text=True)
    assert 'href="/decisions/export.jsonl?status=adopted"' in decisions_page
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in decisions_page
    response = client.get("/reports/export.csv?severity=medium", buffered=False)
    assert response.is_streamed and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=reports.csv"
    chunks = list(response.response)
    response.close()
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert len(chunks) == 1 + 3
    assert [r["title"] for r in rows] == [
        '\'=HYPERLINK("http://evil.example")',
        "'-1 bridge left",
        "Roadblock at Kisangani",
    ]


def test_audit_log_export_by_who_what_and_when_for_administrators_only(app, client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    assert client.get("/audit/export.csv").status_code == 403
    auth.logout()
    auth.login(SG_SECRETARY)
    exported = _jsonl(client.get("/audit/export.jsonl?what=session.sign_in&from=2000-01-01"))
    assert len(exported) == 2 and {e["action"] for e in exported} == {"session.sign_in"}
    assert {e["actor"] for e in exported} == {AMBASSADOR_KINSHASA, SG_SECRETARY}
    mine = _jsonl(client.get(f"/audit/export.jsonl?who={SG_SECRETARY}&what=session."))
    assert [e["action"] for e in mine] == ["session.sign_in"]
    assert _jsonl(client.get("/audit/export.jsonl?what=session.sign_in&to=2000-01-01")) == []
    assert _exports_audited(app, "audit.export")[-1]["filters"] == {
        "what": "session.sign_in",
        "to": "2000-01-01",
    }


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_audit_log_page_is_filtered_paged_and_refuses_bad_filters(client, auth, monkeypatch):
    auth.login(AMBASSADOR_KINSHASA)
    auth.logout()
    auth.login(SG_SECRETARY)
    bad = client.get("/audit/export.csv?from=yesterday&who=nobody@example.org")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Give a date as YYYY-MM-DD." in page and "No one has this" in page
    monkeypatch.setattr(audit_views, "SHOWN", 1)
    first = client.get("/audit?what=session.sign_in").get_data(as_text=True)
    assert "Thomas Delvaux" in first and "Catherine Lemmens" not in first
    assert 'href="/audit/export.csv?what=session.sign_in"' in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True).split("<tbody>")[1]
    assert "Catherine Lemmens" in second and "Thomas Delvaux" not in second


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_api_exports_are_documented_and_stream_what_the_reader_may_see(client, api_token, session):
    brief = post(session, who(session, ADIV_ANALYST), **BRIEF).report
    seen = post(
        session, who(session, AMBASSADOR_KINSHASA), title="Protest in Gombe", mission_code="KINSHASA"
    ).report
    headers = api_token(JUSTICE_MEMBER)
    exported = {r["id"] for r in _jsonl(client.get("/api/v1/field-reports/export.jsonl", headers=headers))}
    assert seen.id in exported and brief.id not in exported
    decisions_csv = client.get("/api/v1/decisions/export.csv?status=adopted", headers=headers)
    assert decisions_csv.status_code == 200 and decisions_csv.mimetype == "text/csv"
    assert decisions_csv.get_data(as_text=True).startswith("id,created_at,title,issuing_body")
    bad = client.get("/api/v1/field-reports/export.csv?severity=apocalyptic", headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert client.get("/api/v1/field-reports/export.csv").status_code == 401
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert (
        "application/jsonl"
        in paths["/api/v1/field-reports/export.jsonl"]["get"]["responses"]["200"]["content"]
    )
    assert "text/csv" in paths["/api/v1/decisions/export.csv"]["get"]["responses"]["200"]["content"]
