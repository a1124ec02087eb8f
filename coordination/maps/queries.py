"""The maps' figures, for a reader: early warnings and located reports come only from the reports area's
reads for that reader, so a report hidden from them leaves no trace on a map (no point, not counted in a
country's shade or title). Missions are not secret: every mission is placed."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlmodel import Session

from coordination.classification import NeedToKnow
from coordination.maps.render import Pin, Shade, WorldMap, draw, frame_around, frame_of_countries, worst_of
from coordination.reports import queries as reports
from coordination.structure import queries as structure

if TYPE_CHECKING:
    from coordination.structure.models import Mission, Person


class Located(Protocol):
    """A report as the report page has it (its reader may see it)."""

    id: int | None
    title: str
    severity: str
    country_code: str
    place_name: str | None
    latitude: float | None
    longitude: float | None


def mission_pins(missions: list["Mission"]) -> list[Pin]:
    """Open missions at their city (located when opened or moved), else at their host country's marker."""
    pins = []
    for mission in missions:
        if mission.closed_at is not None:
            continue
        longitude, latitude = mission.longitude, mission.latitude
        pins.append(
            Pin("mission", mission.name, mission.host_country_code, longitude, latitude, key=mission.code)
        )
    return pins


def _report_label(title: str, place_name: str | None) -> str:
    return f"{title} ({place_name})" if place_name else title


def report_pins(located: list[reports.LocatedReport]) -> list[Pin]:
    return [
        Pin(
            "report",
            _report_label(r.title, r.place_name),
            r.country,
            r.longitude,
            r.latitude,
            r.severity,
            str(r.id),
        )
        for r in located
    ]


def early_warning_map(
    *,
    session: Session,
    viewer: "Person",
    policy: NeedToKnow,
    by_country: list[reports.CountryWarnings],
    since: datetime,
    countries: list[str] | None = None,
    tile_url: str = "",
) -> WorldMap:
    """Early warnings by country (`by_country` as the reports area counted them for this viewer) with the
    located ones as points and the missions; zoomed to `countries` when given (a task force's)."""
    wanted = set(countries) if countries is not None else None
    shades = [
        Shade(row.country, row.name, row.total, worst_of(row.by_severity))
        for row in by_country
        if wanted is None or row.country in wanted
    ]
    located = reports.located_early_warnings(
        session=session, viewer=viewer, policy=policy, since=since, countries=countries
    )
    missions = structure.mission_places(session=session)
    if wanted is not None:
        missions = [m for m in missions if m.host_country_code in wanted]
    return draw(
        shades=shades,
        pins=mission_pins(missions) + report_pins(located),
        view=frame_of_countries(countries) if countries else None,
        focus=countries or (),
        tile_url=tile_url,
    )


def report_map(*, report: Located, mission: "Mission | None", tile_url: str = "") -> WorldMap:
    """One report the reader already may see: at its place when it has one, else its country outlined."""
    pins = mission_pins([mission]) if mission else []
    if report.latitude is not None and report.longitude is not None:
        label = _report_label(report.title, report.place_name)
        pins.append(
            Pin("report", label, report.country_code, report.longitude, report.latitude, report.severity)
        )
        view = frame_around(report.longitude, report.latitude)
    else:
        view = frame_of_countries([report.country_code])
    return draw(pins=pins, view=view, focus=[report.country_code], tile_url=tile_url)


def countries_map(
    *,
    session: Session,
    viewer: "Person",
    policy: NeedToKnow,
    countries: list[str],
    now: datetime,
    weeks: int = 8,
    tile_url: str = "",
) -> WorldMap:
    """The early-warning map zoomed to these countries (a task force's), over the last weeks."""
    by_country = reports.early_warnings_by_country(
        session=session, viewer=viewer, policy=policy, now=now, weeks=weeks
    )
    return early_warning_map(
        session=session,
        viewer=viewer,
        policy=policy,
        by_country=by_country,
        since=now - timedelta(weeks=weeks),
        countries=countries,
        tile_url=tile_url,
    )
