"""CAP 1.2 alerts and HXL tables as the platform writes and reads them (pure: no app, no database)."""

import io
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

import hxl as libhxl
import pytest
import xmlschema

from coordination.standards import cap_out, hxl

SENT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


@cache
def cap_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema("coordination/standards/schemas/CAP-v1.2.xsd")


def test_cap_time_has_seconds_and_an_offset_only():
    assert cap_out.cap_time(SENT) == "2026-03-01T09:30:15+00:00"
    assert cap_out.cap_time(SENT.astimezone(timezone(timedelta(hours=1)))) == "2026-03-01T09:30:15+00:00"


def test_mappings_of_the_platform_vocabulary():
    assert cap_out.cap_severity("critical") == "Extreme" and cap_out.cap_urgency("info") == "Unknown"
    assert cap_out.cap_certainty(None) == "Unknown" and cap_out.cap_certainty("1") == "Observed"
    assert cap_out.cap_categories(["defence", "order", "humanitarian"]) == ["Security", "Rescue"]
    assert cap_out.cap_categories([]) == ["Other"]
    assert (
        cap_out.sender_for("https://coordination.example.be/app", "body.tf")
        == "body.tf@coordination.example.be"
    )


def test_alert_update_and_ack_validate_against_the_cap_schema():
    original = cap_out.CapIdentity("coordination@example.be", "report-1", SENT)
    area = cap_out.CapArea("Niger", "NER", 13.5116, 2.1254)
    info = cap_out.CapInfo("Early warning", "Severe", "Expected", "Likely", ["Security"], areas=[area])
    alert = cap_out.CapAlert(
        original, "Alert", "Need to know", ["steering-group", "Task force Sahel"], info=info
    )
    update = cap_out.CapAlert(
        cap_out.CapIdentity("coordination@example.be", "report-2", SENT), "Update", "x", references=[original]
    )
    ack = cap_out.CapAlert(
        cap_out.CapIdentity("body.tf@example.be", "decision-1-ack-3", SENT),
        "Ack",
        "Need to know",
        references=[original],
        note="Task force: acknowledged",
    )
    for each in (alert, update, ack):
        cap_schema().validate(cap_out.alert_xml(each))
    written = cap_out.alert_xml(alert).decode()
    assert '<addresses>steering-group "Task force Sahel"</addresses>' in written
    assert "<circle>13.51160,2.12540 0</circle>" in written and "<value>NER</value>" in written
    assert "<references>coordination@example.be,report-1,2026-03-01T09:30:15+00:00</references>" in (
        cap_out.alert_xml(ack).decode()
    )
    feed = cap_out.Feed(
        "urn:feed",
        "A & B",
        "https://example.be/?a=1&b=2",
        SENT,
        [
            cap_out.FeedEntry(alert, "<Flooding>", "https://example.be/reports/1", SENT),
            cap_out.FeedEntry(ack, "Ack", "https://example.be/decisions/1#ack-3", SENT),
        ],
    )
    carried = cap_out.alerts_in_feed(cap_out.atom_feed(feed))
    assert len(carried) == 2
    for element in carried:
        cap_schema().validate(element)


def test_hxl_written_reads_back_with_libhxl_and_quotes_formulas():
    columns = [
        hxl.HxlColumn("id", "#meta+id"),
        hxl.HxlColumn("title", "#description+title"),
        hxl.HxlColumn("lon", "#geo+lon"),
    ]
    text = hxl.hxl_csv(columns, [{"id": 1, "title": "=HYPERLINK()", "lon": -8.25}, {"id": 2}])
    source = libhxl.data(io.BytesIO(text.encode()), libhxl.InputOptions(allow_local=True))
    assert [c.get_display_tag() for c in source.columns] == ["#meta+id", "#description+title", "#geo+lon"]
    assert [row.values for row in source] == [["1", "'=HYPERLINK()", "-8.25"], ["2", "", ""]]


def test_hxl_reader_finds_the_hashtag_row_and_counts_lines():
    text = (
        "Partner activities, first quarter\n"
        "Organisation,Kind,Activity\n"
        "#org, #org +type,#activity\n"
        'UNHCR,UN,"Shelter kits,\nsecond line"\n'
        "\n"
        "Caritas,other,Food\n"
    )
    table = hxl.read_hxl(text)
    assert table.hashtag_line == 3 and [row.line for row in table.rows] == [4, 7]
    first = table.rows[0]
    assert table.value(first, "#org") == "UNHCR" and table.value(first, "#org+type") == "UN"
    assert table.value(first, "#activity") == "Shelter kits,\nsecond line"
    assert table.has("#org+type") and not table.has("#sector") and table.value(first, "#sector") == ""
    with pytest.raises(hxl.HxlError):
        hxl.read_hxl("a,b\n1,2\n")
