"""Documents in the field's standards: a submitted situation report as EDXL-SitRep 1.0 (valid against the
schema in coordination/standards/schemas/edxl-sitrep), and situation reports, decisions with their
acknowledgements and annual reviews as A4 PDFs marked on every page, for readers who may see them."""

import io
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
import xmlschema
from sqlmodel import select

from coordination.audit.models import AuditEvent
from coordination.decisions import flows
from coordination.decisions import service as decisions
from coordination.markup import render_markdown
from coordination.sitreps import service as sitreps
from coordination.standards import edxl, pdf
from coordination.standards.marking import marking
from coordination.structure import queries as structure
from tests.demo import DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY

NOW = datetime.now(UTC).replace(microsecond=0)
GREAT_LAKES = "task-force-great-lakes"
SECRET = "SECRET — GEHEIM — SECRET"
ACCENTS = "Lotte Baert — réunion à Liège, € 5 000, Ştefan, ĳs"
LONG = "\n\n".join(
    f"{i}. Paragraph about the crossing at Goma, {ACCENTS}, " + "text " * 40 for i in range(45)
)


def pages_of(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def assert_marked(data: bytes, mark: str, *, pages: int = 1) -> list[str]:
    texts = pages_of(data)
    assert len(texts) >= pages
    for number, text in enumerate(texts, start=1):
        assert mark in text and text.count(mark) >= 2, f"page {number}: {text[:200]}"  # header and footer
        assert f"{number} / {len(texts)}" in text
    return texts


# --- pure serialisers -------------------------------------------------------------------------------


def test_an_edxl_sitrep_validates_against_its_schema_and_a_broken_one_does_not():
    document = edxl.sitrep_xml(
        edxl.SitrepDocument(
            message_id="http://coordination.test/situation-reports/7",
            incident_id=GREAT_LAKES,
            task_force="Task force Great Lakes",
            report_number=3,
            prepared_by="Lotte Baert",
            submitted_at=datetime(2026, 3, 1, 12, 0, 5, 250, tzinfo=UTC),
            period_start=date(2026, 2, 1),
            period_end=date(2026, 2, 28),
            body=f"# Situation\n\n{ACCENTS} <b>&</b>\x01",
            classification="confidential",
            title="Task force Great Lakes: situation report",
        )
    )
    edxl.validate(document)
    text = document.decode()
    assert "CONFIDENTIAL — VERTROUWELIJK" in text and "Lotte Baert" in text and "&lt;b&gt;&amp;" in text
    assert "<sitrep:reportVersion>Update</sitrep:reportVersion>" in text
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        edxl.validate(document.replace(b"<sitrep:severity>Unknown", b"<sitrep:severity>Bad"))


def test_a_pdf_carries_the_marking_on_every_page_and_survives_any_text():
    html = render_markdown(
        "## Été\n\n| a | b |\n|---|---|\n| 1 |\n\n- one\n  - two\n\n```\ncode € ș 😀\n```\n\n<i>open" + LONG
    )
    document = pdf.Document(
        title=f"Situation report — {ACCENTS}",
        marking=marking("secret", restricted_distribution=True),
        kicker="Task force Great Lakes",
        facts=[("Submitted by", "Lotte Baert")],
        body_html=html + "<p>unclosed <b>bold <table><tr><td>x",
        tables=[pdf.Table("Acknowledgements", ["Addressee", "Answer"], [["Embassy in Kinshasa", "€"]])],
    )
    texts = assert_marked(pdf.render(document), SECRET, pages=2)
    assert all("BEPERKTE VERSPREIDING" in text for text in texts)
    assert "Lotte Baert" in texts[0] and "réunion à Liège, € 5 000" in texts[0]
    assert "Embassy in Kinshasa" in texts[-1]


# --- pages ------------------------------------------------------------------------------------------


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def submitted_sitrep(session, *, classification="secret", body="Calm at the border."):
    chair = who(session, DGB_DIRECTOR)
    sitrep = sitreps.compile_draft(
        session=session,
        person=chair,
        policy=POLICY,
        task_force=structure.get_body(session=session, slug=GREAT_LAKES),
        period_start=NOW.date() - timedelta(days=7),
        period_end=NOW.date(),
        now=NOW,
    )
    sitreps.edit(session=session, person=chair, sitrep=sitrep, body=body, classification=classification)
    sitreps.submit(session=session, person=chair, sitrep=sitrep, now=NOW)
    return sitrep


def adopted_decision(session, *, text="Open the crossings."):
    decision = decisions.draft_decision(
        session=session,
        author=who(session, SG_SECRETARY),
        issuing_body="steering-group",
        title="Open the border crossings",
        text=text,
        classification="secret",
        addressees=[("body", GREAT_LAKES), ("department", "FA")],
        now=NOW,
    )
    flows.adopt_and_notify(
        session=session,
        person=who(session, SG_CHAIR),
        decision=decision,
        now=NOW,
        config={"BASE_URL": "http://coordination.test"},
    )
    return decision


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_reader_downloads_a_situation_report_a_decision_and_an_annual_review(
    client, auth, session, api_token
):
    sitrep = submitted_sitrep(session, body=LONG)
    decision = adopted_decision(session, text=LONG)
    decisions.acknowledge(
        session=session,
        person=who(session, DGB_DIRECTOR),
        decision=decision,
        unit_kind="body",
        unit_key=GREAT_LAKES,
        comment="Crossings open at 06:00.",
        now=NOW,
    )
    decisions.create_action(
        session=session,
        person=who(session, SG_SECRETARY),
        decision=decision,
        title="Staff the crossings",
        owner_kind="body",
        owner_key=GREAT_LAKES,
        due_on=NOW.date(),
        now=NOW,
    )
    auth.login(DGB_DIRECTOR)

    page = client.get(f"/situation-reports/{sitrep.id}").get_data(as_text=True)
    assert f"/situation-reports/{sitrep.id}.pdf" in page and "edxl-sitrep.xml" in page
    response = client.get(f"/situation-reports/{sitrep.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    texts = assert_marked(response.data, SECRET, pages=2)
    assert "Task Force Great Lakes" in texts[0] and "Lotte Baert" in " ".join(texts)

    response = client.get(f"/situation-reports/{sitrep.id}/edxl-sitrep.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    edxl.validate(response.data)
    assert b"SECRET" in response.data and b"Paragraph about the crossing" in response.data

    response = client.get(f"/decisions/{decision.id}.pdf")
    assert response.status_code == 200
    texts = assert_marked(response.data, SECRET, pages=2)
    table = " ".join(texts)
    assert "Acknowledgements" in table and "Crossings open at 06:00." in table
    assert "Acknowledged" in table and "Not yet acknowledged" in table

    # the review lists the action of the secret decision: it carries that decision's marking
    response = client.get(f"/task-forces/{GREAT_LAKES}/annual-review.pdf?year={NOW.year}")
    assert response.status_code == 200
    assert "Staff the crossings" in assert_marked(response.data, SECRET)[0]
    assert client.get(f"/task-forces/{GREAT_LAKES}/annual-review.pdf?year=1").status_code == 400
    opened = session.exec(select(AuditEvent.action).where(AuditEvent.action.endswith(".pdf"))).all()
    assert {"sitrep.pdf", "decision.pdf", "review.pdf"} <= set(opened)

    # the same three documents through the API, for systems that file or forward them
    chair = api_token(DGB_DIRECTOR)
    for url, pages, words in (
        (f"/api/v1/situation-reports/{sitrep.id}.pdf", 2, "Task Force Great Lakes"),
        (f"/api/v1/decisions/{decision.id}.pdf", 2, "Crossings open at 06:00."),
        (f"/api/v1/task-forces/{GREAT_LAKES}/annual-review.pdf?year={NOW.year}", 1, "Staff the crossings"),
    ):
        response = client.get(url, headers=chair)
        assert response.status_code == 200 and response.mimetype == "application/pdf", url
        assert "inline; filename=" in response.headers["Content-Disposition"]
        assert words in " ".join(assert_marked(response.data, SECRET, pages=pages)), url
    year_out = client.get(f"/api/v1/task-forces/{GREAT_LAKES}/annual-review.pdf?year=1", headers=chair)
    assert year_out.status_code == 422 and year_out.mimetype == "application/problem+json"
    assert client.get("/api/v1/task-forces/nowhere/annual-review.pdf", headers=chair).status_code == 404
    session.rollback()
    printed = session.exec(
        select(AuditEvent.action).where(AuditEvent.actor_id == who(session, DGB_DIRECTOR).id)
    ).all()
    assert [a for a in printed if a.endswith(".pdf")].count("decision.pdf") == 2  # the page's, the API's


def test_a_reader_without_clearance_gets_no_document(client, auth, session, api_token):
    sitrep = submitted_sitrep(session)
    decision = adopted_decision(session)
    draft = sitreps.compile_draft(
        session=session,
        person=who(session, DGB_DIRECTOR),
        policy=POLICY,
        task_force=structure.get_body(session=session, slug=GREAT_LAKES),
        period_start=NOW.date(),
        period_end=NOW.date(),
        now=NOW,
    )
    auth.login(JUSTICE_MEMBER)  # confidential: may not see what is secret
    for url in (
        f"/situation-reports/{sitrep.id}.pdf",
        f"/situation-reports/{sitrep.id}/edxl-sitrep.xml",
        f"/decisions/{decision.id}.pdf",
    ):
        assert client.get(url).status_code == 404, url

    justice = api_token(JUSTICE_MEMBER)
    for url in (f"/api/v1/situation-reports/{sitrep.id}.pdf", f"/api/v1/decisions/{decision.id}.pdf"):
        refused = client.get(url, headers=justice)
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json", url
    # the annual review is printed as its reader may read it: without the secret decision's action
    decisions.create_action(
        session=session,
        person=who(session, SG_SECRETARY),
        decision=decision,
        title="Open the northern crossing",
        owner_kind="body",
        owner_key=GREAT_LAKES,
        due_on=NOW.date(),
        now=NOW,
    )
    review_url = f"/api/v1/task-forces/{GREAT_LAKES}/annual-review.pdf?year={NOW.year}"
    review = client.get(review_url, headers=justice)
    text = " ".join(pages_of(review.data))
    assert review.status_code == 200 and SECRET not in text and "Open the northern crossing" not in text
    chairs = client.get(review_url, headers=api_token(DGB_DIRECTOR))
    assert "Open the northern crossing" in " ".join(assert_marked(chairs.data, SECRET))

    chair = api_token(DGB_DIRECTOR)  # a draft is not exported, even to its chair
    assert client.get(f"/api/v1/situation-reports/{draft.id}.pdf", headers=chair).status_code == 404
    assert (
        client.get(f"/api/v1/situation-reports/{draft.id}/edxl-sitrep.xml", headers=chair).status_code == 404
    )
    shown = client.get(f"/api/v1/situation-reports/{sitrep.id}/edxl-sitrep.xml", headers=chair)
    assert shown.status_code == 200 and shown.mimetype == "application/xml"
    edxl.validate(shown.data)
