"""HXL: field reports and the joint budget as HXL-tagged CSV (read back with libhxl), and the import of
partner activities with its dry run."""

import io
from datetime import UTC, datetime

import hxl
import pytest

from coordination.audit.models import AuditEvent
from coordination.planning.models import Partnership
from tests.demo import AMBASSADOR_NIAMEY, DGB_DIRECTOR, SG_CHAIR

YEAR = datetime.now(UTC).year
URL = "/task-forces/task-force-great-lakes"


def _hxl(data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Columns by header with their hashtag (attributes sorted), and rows by header, as libhxl reads them."""
    source = hxl.data(io.BytesIO(data), hxl.InputOptions(allow_local=True))
    columns = {c.header: c.get_display_tag(sort_attributes=True) for c in source.columns}
    return columns, [dict(zip(columns, row.values, strict=False)) for row in source]


def test_report_export_in_hxl_keeps_the_inbox_filters(client, auth, api_token):
    posted = client.post(
        "/api/v1/field-reports",
        json={
            "title": "Flooding along the Niger river",
            "mission_code": "NIAMEY",
            "early_warning": True,
            "severity": "high",
            "themes": ["humanitarian", "development"],
            "latitude": 13.5,
            "longitude": 2.1,
        },
        headers=api_token(AMBASSADOR_NIAMEY),
    )
    report_id = posted.json["id"]
    auth.login(SG_CHAIR)
    response = client.get("/reports/export.hxl.csv?country=NER&severity=high")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    columns, rows = _hxl(response.data)
    assert columns["country_code"] == "#country+code" and columns["reported"] == "#date+reported"
    assert columns["department"] == "#org+name+reporting" and columns["themes"] == "#sector+list"
    assert columns["latitude"] == "#geo+lat" and columns["severity"] == "#severity"
    row = next(r for r in rows if r["id"] == str(report_id))
    assert row["country_code"] == "NER" and row["country"] == "Niger" and row["severity"] == "high"
    assert row["themes"] == "humanitarian, development" and row["latitude"] == "13.5"
    assert all(r["country_code"] == "NER" and r["severity"] == "high" for r in rows)
    _columns, low = _hxl(client.get("/reports/export.hxl.csv?country=NER&severity=low").data)
    assert str(report_id) not in {r["id"] for r in low}


PARTNERS = (
    "Organisation,Sector,Country,Province,Activity,Start,End,Status\n"
    "#org,#sector,#country+code,#adm1,#activity,#date+start,#date+end,#status\n"
    "UNHCR,Shelter,COD,North Kivu,Shelter kits for displaced families,{y}-01-01,{y}-06-30,ongoing\n"
    "Caritas,humanitarian,cod,South Kivu,Food distribution in camps,{y}-02-01,,planned\n"
)
BAD_ROWS = "{bad}\n,Health,ZZZ,,Clinics,{y}-13-01,,\nMSF,Gardening,COD,,Clinics,{y}-05-01,{y}-04-01,someday\n"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_budget_hxl_and_partner_import_with_dry_run(client, auth, session):
    auth.login(DGB_DIRECTOR)
    client.post(
        f"{URL}/budget",
        data={"department": "FA", "budget_year": YEAR, "pledged": "1200", "committed": "900", "spent": "450"},
    )
    columns, rows = _hxl(client.get(f"{URL}/budget.hxl.csv").data)
    assert columns["pledged_keur"] == "#value+k_eur+pledged" and columns["year"] == "#date+year"
    assert columns["department"] == "#org+code" and columns["currency"] == "#currency"
    assert {
        "year": str(YEAR),
        "department": "FA",
        "pledged_keur": "1200.0",
        "currency": "EUR",
    }.items() <= next(r for r in rows if r["department"] == "FA").items()

    def upload(text: str, mode: str):
        data = {"mode": mode, "file": (io.BytesIO(text.encode()), "partners.csv")}
        return client.post(f"{URL}/partners/import", data=data, content_type="multipart/form-data")

    assert client.get(f"{URL}/partners/import").status_code == 200
    before = len(session.exec(Partnership.__table__.select()).all())
    good = PARTNERS.format(y=YEAR)
    dry = upload(good, "dry_run")
    assert dry.status_code == 200 and "all 2 rows are good" in dry.get_data(as_text=True)
    assert "would add 2, update 0 and leave 0 as they are" in dry.get_data(as_text=True)
    bad = upload(good + BAD_ROWS.format(y=YEAR, bad=""), "import")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for expected in (
        "Line 6: no organisation (#org)",
        "Line 6: unknown country code “ZZZ”",
        "Line 6: “" + f"{YEAR}-13-01” is not a date",
        "Line 7: unknown sector “Gardening”",
        "Line 7: the end comes before the start",
        "Line 7: unknown status “someday”",
    ):
        assert expected in page, expected
    assert len(session.exec(Partnership.__table__.select()).all()) == before
    missing = upload("Who\n#org\nUNHCR\n", "dry_run").get_data(as_text=True)
    assert "the column #activity is missing" in missing
    assert "no row of HXL hashtags" in upload("Who,What\nUNHCR,Shelter\n", "dry_run").get_data(as_text=True)
    done = upload(good, "import")
    assert done.status_code == 302
    session.rollback()  # a fresh snapshot: the import committed in the app's own session
    added = session.exec(Partnership.__table__.select().order_by(Partnership.id)).all()[before:]
    assert [p.actor for p in added] == ["UNHCR", "Caritas"]
    assert (
        added[0].what
        == f"Shelter kits for displaced families · Shelter · COD/North Kivu · {YEAR}-01-01/{YEAR}-06-30"
    )
    assert added[1].status == "exploring" and added[0].status == "active"
    event = session.exec(AuditEvent.__table__.select().where(AuditEvent.action == "partner.import")).one()
    assert event.detail == {"rows": 2, "added": 2, "updated": 0}

    # next week's sheet: UNHCR's activity completed, Caritas's unchanged (written in other letter case,
    # and twice), one activity new; imported again, the register gains the new one and updates UNHCR's
    week_two = (
        good.replace(",ongoing\n", ",completed\n").replace("Caritas,", "CARITAS ,")
        + f"CARITAS,humanitarian,COD,South Kivu,Food distribution in camps,{YEAR}-02-01,,planned\n"
        + f"MSF,Health,COD,Ituri,Mobile clinics,{YEAR}-03-01,,ongoing\n"
    )
    table = Partnership.__table__
    session.execute(table.update().where(table.c.actor == "UNHCR").values(contact="kivu@unhcr.example"))
    session.commit()  # typed in by hand: a sheet without #contact leaves it
    dry = upload(week_two, "dry_run").get_data(as_text=True)
    assert "all 4 rows are good" in dry and "would add 1, update 1 and leave 1 as they are" in dry
    session.rollback()
    assert len(session.exec(Partnership.__table__.select()).all()) == before + 2  # a dry run writes nothing
    again = upload(week_two, "import")
    assert again.status_code == 302
    flashed = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Partners imported: 1 added, 1 updated, 1 already in the register." in flashed
    session.rollback()
    register = session.exec(Partnership.__table__.select().order_by(Partnership.id)).all()[before:]
    assert [(p.actor, p.status, p.contact) for p in register] == [
        ("UNHCR", "ended", "kivu@unhcr.example"),
        ("Caritas", "exploring", ""),
        ("MSF", "active", ""),
    ]
    upload(week_two, "import")  # the same sheet once more: nothing to add or update
    session.rollback()
    assert len(session.exec(Partnership.__table__.select()).all()) == before + 3
    auth.logout()
    auth.login(AMBASSADOR_NIAMEY)  # not in the task force
    assert upload(good, "import").status_code == 403
