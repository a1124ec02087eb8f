"""Place and time of a report's event: the offline gazetteer and the rules of `reports.service`."""

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from coordination.places import queries as places
from coordination.places.coordinates import CoordinateError, parse_point
from coordination.reports import service
from coordination.reports.models import ReportCreate
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA
from tests.factories import POLICY

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_every_mission_city_is_a_town_of_the_gazetteer():
    """The maps put missions at their city with `find`."""
    missions = yaml.safe_load((Path(__file__).parents[1] / "seed" / "missions.yaml").read_text())
    for mission in missions:
        place = places.find(mission["host_country"], mission["city"])
        assert place is not None and place.country == mission["host_country"], mission["code"]
    assert places.find("PSE", "Jerusalem").kind == places.ADMIN_AREA  # GeoNames has East Jerusalem
    assert places.find("USA", "Washington").admin_area == "District of Columbia"  # the best known of 3


def test_search_finds_towns_and_admin_areas_by_name_other_name_and_label():
    assert places.search("cod", "goma")[0].id == "geonames:216281"
    assert "iso3166-2:CD-NK" in {p.id for p in places.search("COD", "nord")}
    assert places.search("NER", "tillaberi")[0].name == "Tillabéri"  # accents do not matter
    assert places.search("COD", "Leopoldville")[0].name == "Kinshasa"  # another name
    assert places.search("COD", "") == [] and places.search("XXX", "Goma") == []
    assert places.matches("COD", "Nord-Kivu (CD-NK)")[0].kind == places.ADMIN_AREA
    assert places.get("geonames:216281").name == "Goma" and places.get("geonames:0") is None


def test_coordinates_are_read_in_decimal_degrees_and_kept_on_earth():
    assert parse_point("-1.68, 29.22") == (-1.68, 29.22)
    assert parse_point("-1,68; 29,22") == (-1.68, 29.22)
    for text in ("91, 0", "0, 181", "nan, 0", "inf, 1", "-1.68", "Goma", "1, 2, 3"):
        with pytest.raises(CoordinateError):
            parse_point(text)


def test_a_named_place_is_stored_with_its_coordinates_and_id():
    located = service.locate(country="COD", place_name="goma")
    assert located == service.Location("geonames:216281", "Goma", -1.67409, 29.22845)
    precise = service.locate(country="COD", place_name="Goma", latitude=-1.68, longitude=29.22)
    assert (precise.place_id, precise.latitude) == ("geonames:216281", -1.68)  # given coordinates win
    assert service.locate(country="COD", place_id="iso3166-2:CD-NK").latitude is None


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"latitude": 91.0, "longitude": 0.0}, "latitude", "between -90 and 90"),
        ({"latitude": 0.0, "longitude": -180.5}, "latitude", "between -180 and 180"),
        ({"latitude": math.nan, "longitude": 0.0}, "latitude", "decimal degrees"),
        ({"latitude": 1.0}, "latitude", "both"),
        ({"place_name": "Washington", "country": "USA"}, "place_name", "Several places"),
        ({"place_name": "Atlantis"}, "place_name", "give coordinates"),
        ({"place_id": "geonames:2800866"}, "place_id", "no place"),  # Brussels, not in COD
    ],
)
def test_the_place_rules_refuse_with_the_field_and_a_message(given, field, words):
    with pytest.raises(service.ReportError) as refused:
        service.locate(**{"country": "COD", **given})
    assert refused.value.field == field and words in str(refused.value)


def test_a_name_the_gazetteer_does_not_know_is_kept_with_coordinates():
    located = service.locate(country="COD", place_name="Masisi", latitude=-1.4, longitude=28.82)
    assert located == service.Location(None, "Masisi", -1.4, 28.82)


def test_the_event_time_is_at_most_ten_minutes_ahead_and_ninety_days_back():
    assert service.check_event_time(NOW + timedelta(minutes=9), now=NOW) == NOW + timedelta(minutes=9)
    assert service.check_event_time(datetime(2026, 11, 1, 8, 0), now=NOW) == datetime(
        2026, 11, 1, 8, tzinfo=UTC
    )
    for wrong in (NOW + timedelta(minutes=11), NOW - timedelta(days=90, minutes=1)):
        with pytest.raises(service.ReportError) as refused:
            service.check_event_time(wrong, now=NOW)
        assert refused.value.field == "event_at"


def test_the_api_type_refuses_coordinates_off_earth_or_not_finite():
    for latitude in (90.5, math.nan, math.inf):
        with pytest.raises(ValidationError):
            ReportCreate(title="Clashes", latitude=latitude, longitude=1.0)


def test_a_posted_report_keeps_its_place_and_event_time(session):
    author = structure.get_person_by_email(session=session, email=AMBASSADOR_KINSHASA)
    data = ReportCreate(title="Clashes near Sake", mission_code="KINSHASA", place_name="Sake", event_at=NOW)
    posted = service.post_report(
        session=session,
        author=author,
        data=data,
        graph=structure.organisation_graph(session=session),
        policy=POLICY,
        now=NOW + timedelta(hours=3),
    )
    session.expire_all()
    report = service.queries.get_visible_report(
        session=session, viewer=author, report_id=posted.report.id, policy=POLICY
    )
    assert (report.place_id, report.place_name) == ("geonames:205970", "Sake")
    assert (report.latitude, report.longitude) == (-1.57386, 29.04339)
    assert report.event_at == NOW and report.created_at == NOW + timedelta(hours=3)
