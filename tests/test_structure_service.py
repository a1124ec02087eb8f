import pytest
from sqlmodel import select

from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from coordination.structure.enums import BodyKind, BodyStatus
from coordination.structure.models import Body


def test_a_person_needs_a_known_department_directorate_and_clearance(session):
    with pytest.raises(structure_service.StructureError, match="department"):
        structure_service.upsert_person(
            session=session, email="x@y.example", name="X", department_code="NOPE"
        )
    with pytest.raises(structure_service.StructureError, match="directorate"):
        structure_service.upsert_person(
            session=session, email="x@y.example", name="X", department_code="FA", directorate_code="ADIV"
        )
    with pytest.raises(structure_service.StructureError, match="clearance"):
        structure_service.upsert_person(
            session=session, email="x@y.example", name="X", department_code="FA", clearance="restricted"
        )


def test_email_is_case_insensitive(session):
    person, created = structure_service.upsert_person(
        session=session, email="  New.Person@Diplobel.Example ", name="New Person", department_code="FA"
    )
    assert created and person.email == "new.person@diplobel.example"
    assert structure.get_person_by_email(session=session, email="NEW.PERSON@diplobel.example").id == person.id


def test_there_is_only_one_steering_group(session):
    with pytest.raises(structure_service.StructureError, match="already a steering group"):
        structure_service.upsert_body(
            session=session, slug="second-sg", kind=BodyKind.steering_group, name="Another"
        )


def test_a_platform_belongs_to_a_mission(session):
    with pytest.raises(structure_service.StructureError, match="mission"):
        structure_service.upsert_body(
            session=session, slug="floating", kind=BodyKind.consultation_platform, name="P"
        )


def test_a_person_can_sit_in_many_bodies_but_once_per_body(session):
    person = structure.get_person_by_email(session=session, email="bart.heylen@diplobel.example")
    body = structure.get_body(session=session, slug="platform-kinshasa")
    assert (
        structure_service.upsert_membership(session=session, body=body, person=person, role="observer")
        is True
    )
    assert (
        structure_service.upsert_membership(session=session, body=body, person=person, role="observer")
        is False
    )
    session.commit()
    person = structure.get_person(session=session, person_id=person.id)
    assert len({m.body_id for m in person.memberships}) == len(person.memberships) >= 3


def test_task_force_scope_rejects_unknown_countries(session):
    with pytest.raises(structure_service.StructureError, match="XXX"):
        structure_service.upsert_body(
            session=session, slug="tf-x", kind=BodyKind.task_force, name="TF", countries=["XXX"]
        )


def test_body_choices_offer_the_steering_group_then_task_forces_not_stood_down(session):
    great_lakes = structure.get_body(session=session, slug="task-force-great-lakes")
    great_lakes.status = BodyStatus.stood_down
    session.commit()
    choices = structure.body_choices(session=session, kinds=[BodyKind.steering_group, BodyKind.task_force])
    slugs = [slug for _id, slug, _name in choices]
    assert slugs[0] == "steering-group" and "task-force-great-lakes" not in slugs
    task_forces = session.exec(
        select(Body).where(Body.kind == BodyKind.task_force, Body.status != BodyStatus.stood_down)
    ).all()
    assert slugs[1:] == [b.slug for b in sorted(task_forces, key=lambda b: b.name)]
