"""Small helpers that make test data through the services (no framework)."""

from itertools import count

from sqlmodel import Session

from coordination.classification import NeedToKnow
from coordination.reports import service as reports
from coordination.reports.models import ReportCreate
from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from coordination.structure.graph import organisation_graph
from coordination.structure.models import Person

_numbers = count(1)
POLICY = NeedToKnow()


def make_person(
    session: Session,
    *,
    department: str = "FA",
    directorate: str | None = None,
    clearance: str = "unclassified",
    bodies: tuple[tuple[str, str], ...] = (),
    name: str | None = None,
) -> Person:
    """A person of a department with a clearance, seated in bodies given as (slug, role)."""
    number = next(_numbers)
    person, _ = structure_service.upsert_person(
        session=session,
        email=f"test.person{number}@{department.lower()}.example",
        name=name or f"Test Person {number}",
        department_code=department,
        directorate_code=directorate,
        clearance=clearance,
    )
    for slug, role in bodies:
        structure_service.upsert_membership(
            session=session, body=structure.get_body(session=session, slug=slug), person=person, role=role
        )
    structure_service.bump_revision(session=session)
    session.commit()
    return structure.get_person(session=session, person_id=person.id)


def post(session: Session, author: Person, idempotency_key: str | None = None, **fields) -> reports.Posted:
    data = ReportCreate(**{"title": "Situation update", **fields})
    return reports.post_report(
        session=session,
        author=author,
        data=data,
        graph=organisation_graph(session=session),
        policy=POLICY,
        idempotency_key=idempotency_key,
    )


def triage_status(session: Session, report, body_slug: str) -> str:
    """Where one receiving body's triage of a report stands."""
    from coordination.reports import queries as report_queries

    body = structure.get_body(session=session, slug=body_slug)
    return report_queries.delivery_to(session=session, report=report, body_id=body.id).status
