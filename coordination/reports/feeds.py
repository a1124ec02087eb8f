"""The personal CAP 1.2 feed of early warnings, behind the same token as the decisions feed.

Each early warning the token's owner may see becomes a CAP alert with scope Restricted, addressed to the
bodies it was routed to; a report that updates an earlier one the reader may also see is a CAP Update
referencing it."""

from flask import Blueprint, Response, current_app, url_for

from coordination import playmode
from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.notifications.views import feed_reader_or_404
from coordination.reports import queries
from coordination.reports.models import FieldReport
from coordination.standards import cap_out
from coordination.structure import queries as structure

bp = Blueprint("report_feeds", __name__)

FEED_SIZE = 50


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


def _base() -> str:
    return playmode.base_url()


def report_identity(report: FieldReport) -> cap_out.CapIdentity:
    return cap_out.CapIdentity(cap_out.sender_for(_base()), f"report-{report.id}", report.created_at)


def restriction_of(report: FieldReport) -> str:
    """The handling a receiver owes the alert, in words (CAP's <restriction>)."""
    handling = f"Need to know: for the addressed bodies only. Classification: {report.classification}."
    if report.restricted_distribution:
        handling += " Restricted distribution (Beperkte Verspreiding): do not forward."
    return handling


def _alerts(session, person, reports: list[FieldReport]) -> list[cap_out.CapAlert]:
    """CAP alerts of reports the person may see (addresses: the bodies each was routed to)."""
    deliveries = queries.deliveries_of_many(session=session, report_ids=[r.id for r in reports])
    bodies = structure.bodies_by_id(session=session, ids={d.body_id for d in deliveries})
    addressed: dict[int, list[str]] = {}
    for delivery in deliveries:
        addressed.setdefault(delivery.report_id, []).append(bodies[delivery.body_id].slug)
    earlier_ids = {r.updates_report_id for r in reports if r.updates_report_id}
    earlier = {
        r.id: r
        for r in queries.visible_among(
            session=session, viewer=person, policy=_policy(), ids=list(earlier_ids)
        )
    }
    names = structure.country_names(session=session, codes={r.country_code for r in reports})
    alerts = []
    for report in reports:
        previous = earlier.get(report.updates_report_id)
        area = cap_out.CapArea(
            description=names.get(report.country_code, report.country_code),
            country_code=report.country_code,
            latitude=report.latitude,
            longitude=report.longitude,
        )
        info = cap_out.CapInfo(
            event=f"Early warning: {', '.join(report.themes)}" if report.themes else "Early warning",
            severity=cap_out.cap_severity(report.severity),
            urgency=cap_out.cap_urgency(report.severity),
            certainty=cap_out.cap_certainty(report.information_credibility),
            categories=cap_out.cap_categories(report.themes),
            headline=report.title[:160],
            description=report.body,
            sender_name="Coordination",
            web=f"{playmode.site_url()}{url_for('reports.report', report_id=report.id)}",
            areas=[area],
        )
        alerts.append(
            cap_out.CapAlert(
                identity=report_identity(report),
                msg_type="Update" if previous else "Alert",
                restriction=restriction_of(report),
                addresses=addressed.get(report.id, []),
                references=[report_identity(previous)] if previous else [],
                info=info,
            )
        )
    return alerts


@bp.get("/feeds/<token>/early-warnings.atom")
def early_warnings_atom(token: str):
    session = get_session()
    person = feed_reader_or_404(token)
    reports = queries.visible_early_warnings(
        session=session, viewer=person, policy=_policy(), limit=FEED_SIZE
    )
    base = _base()
    entries = [
        cap_out.FeedEntry(
            alert=alert,
            title=report.title,
            link=f"{playmode.site_url()}{url_for('reports.report', report_id=report.id)}",
            updated=report.updated_at,
        )
        for report, alert in zip(reports, _alerts(session, person, reports), strict=True)
    ]
    feed = cap_out.Feed(
        id=f"{base}/feeds/early-warnings/{person.id}",
        title=f"Coordination: early warnings for {person.name}",
        link=f"{playmode.site_url()}{url_for('reports.early_warning')}",
        updated=max((r.updated_at for r in reports), default=person.created_at),
        entries=entries,
    )
    return Response(cap_out.atom_feed(feed), mimetype="application/atom+xml")
