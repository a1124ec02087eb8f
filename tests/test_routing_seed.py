"""Routing over the seeded organisation: the people a report reaches through its recipient bodies."""

from coordination.routing.rules import ReportFacts, route_report
from coordination.structure import queries as structure
from coordination.structure.graph import organisation_graph
from tests.demo import DGB_DIRECTOR, DGD_DIRECTOR, SG_CHAIR


def people_reached(session, recipients) -> set[str]:
    emails = set()
    for recipient in recipients:
        body = structure.get_body(session=session, slug=recipient.body)
        emails |= {m.person.email for m in body.memberships}
    return emails


def test_burundi_report_reaches_the_great_lakes_dgb_chair_and_dgd_co_chair(session):
    graph = organisation_graph(session=session)
    recipients = route_report(ReportFacts(country="BDI", mission="BUJUMBURA"), graph)
    assert {r.body: r.reason for r in recipients}["task-force-great-lakes"] == "task force covers BDI"
    assert {DGB_DIRECTOR, DGD_DIRECTOR} <= people_reached(session, recipients)


def test_niamey_early_warning_reaches_the_steering_group_queue(session):
    graph = organisation_graph(session=session)
    recipients = route_report(ReportFacts(country="NER", mission="NIAMEY", early_warning=True), graph)
    by_body = {r.body: r for r in recipients}
    assert by_body["steering-group"].rule == "uncovered"
    assert "no active task force covers NER" in by_body["steering-group"].reason
    assert "platform-niamey" in by_body
    assert SG_CHAIR in people_reached(session, recipients)
