"""Task force lifecycle: proposed from an adopted steering-group decision with chairs proposed by rule,
confirmed or overridden by the steering group (the record says who decided), stood down with a report."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.countries import find_country, unknown_countries
from coordination.decisions import queries as decisions
from coordination.decisions.enums import DecisionStatus
from coordination.lessons import service as lessons
from coordination.reports import service as reports
from coordination.rules import Conflict, RuleViolation
from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from coordination.structure.enums import BodyKind, BodyStatus, MembershipRole, Theme

if TYPE_CHECKING:
    from coordination.structure.models import Body, Person

STEERING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}


class TaskForceError(RuleViolation):
    """A task force the rules refuse."""


class TaskForceConflict(Conflict, TaskForceError):
    """Someone else confirmed or stood down the task force first."""


@dataclass(frozen=True)
class ChairProposal:
    role: MembershipRole
    person: "Person"
    reason: str


def _steering_group(session: Session) -> "Body":
    steering_group = structure.get_steering_group(session=session)
    if steering_group is None:
        raise TaskForceError("there is no steering group yet")
    return steering_group


def _require_steering_role(session: Session, person: "Person", roles=STEERING_ROLES) -> "Body":
    steering_group = _steering_group(session)
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=steering_group.id,
        roles=roles,
        refusal="only the chair, a co-chair or the secretary of the steering group does this",
    )
    return steering_group


def directorate_head(session: Session, department: str, directorate: str) -> "Person | None":
    found = structure.get_directorate(session=session, department_code=department, code=directorate)
    if found is None or found.head_id is None:
        return None
    return structure.people_by_id(session=session, ids=[found.head_id]).get(found.head_id)


def department_representative(session: Session, department_code: str) -> "Person | None":
    """The department's representative in the steering group: the one it named, while seated there;
    otherwise its chair, co-chair or first member."""
    department = structure.get_department(session=session, code=department_code)
    if department is None:
        return None
    representatives = structure.representatives_of(session=session, department_id=department.id)
    if representatives and representatives[0].id == department.representative_id:
        return representatives[0]
    seated = structure.steering_group_people_of_department(
        session=session, department_id=department.id, exclude_observers=True
    )
    order = {role: index for index, role in enumerate(MembershipRole)}
    seated = sorted(seated, key=lambda row: (order[row[1]], row[0].name))
    return seated[0][0] if seated else None


def propose_chairs(
    *,
    session: Session,
    countries: list[str],
    major_departments: list[str] = (),
    expert_director: "Person | None" = None,
) -> list[ChairProposal]:
    """The chairs the rules propose, each with its reason: the DGB director chairs (or a director with
    expertise chosen by the steering group); the DGD director co-chairs when a country in scope is a
    partner country of development cooperation; a department for which the issue is major may co-chair."""
    proposals: list[ChairProposal] = []
    if expert_director is not None:
        proposals.append(
            ChairProposal(
                MembershipRole.chair,
                expert_director,
                "director with expertise in the issue, chosen by the steering group",
            )
        )
    else:
        dgb = directorate_head(session, "FA", "DGB")
        if dgb is None:
            raise TaskForceError("no DGB director is recorded: name one in the departments data", "chair")
        proposals.append(ChairProposal(MembershipRole.chair, dgb, "the director of DGB chairs task forces"))
    partners = structure.partner_countries(session=session, codes=countries)
    if partners:
        dgd = directorate_head(session, "FA", "DGD")
        if dgd is not None:
            verb = "is a partner country" if len(partners) == 1 else "are partner countries"
            proposals.append(
                ChairProposal(
                    MembershipRole.co_chair,
                    dgd,
                    f"{', '.join(partners)} {verb} of development cooperation: DGD co-chairs",
                )
            )
    for code in major_departments:
        department = structure.get_department(session=session, code=code)
        if department is None:
            raise TaskForceError(f"no department {code!r}", "major_departments")
        representative = department_representative(session, department.code)
        if representative is None:
            raise TaskForceError(
                f"{department.name} has no representative in the steering group", "major_departments"
            )
        proposals.append(
            ChairProposal(
                MembershipRole.co_chair,
                representative,
                f"the issue is major for {department.name} (flagged by the steering group)",
            )
        )
    seen: set[int] = set()
    unique = []
    for proposal in proposals:
        if proposal.person.id not in seen:
            seen.add(proposal.person.id)
            unique.append(proposal)
    return unique


def _slug(session: Session, name: str) -> str:
    base = "task-force-" + (
        re.sub(r"[^a-z0-9]+", "-", name.lower().removeprefix("task force")).strip("-") or "new"
    )
    slug, n = base, 2
    while structure.find_body(session=session, slug=slug) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_task_force(
    *,
    session: Session,
    person: "Person",
    goals_decision_id: int | None,
    name: str,
    description: str = "",
    goals: str = "",
    countries: list[str] = (),
    themes: list[str] = (),
    major_departments: list[str] = (),
    expert_director_id: int | None = None,
    overlap_reason: str = "",
    now: datetime,
) -> tuple["Body", list[ChairProposal]]:
    """A proposed task force set up from an adopted steering-group decision, with chairs proposed by rule.

    Its description and goals are what the steering group writes for everyone to read; they are never
    copied from the decision, which may be classified. A country already covered by another active or
    proposed task force is refused unless the steering group gives `overlap_reason`: routing then sends
    that country's reports to both and says why."""
    steering_group = _require_steering_role(session, person)
    decision = (
        decisions.get_visible_decision(session=session, viewer=person, decision_id=goals_decision_id)
        if goals_decision_id
        else None
    )
    if (
        decision is None
        or decision.issuing_body_id != steering_group.id
        or decision.status != DecisionStatus.adopted
    ):
        raise TaskForceError(
            "a task force is set up only from an adopted steering-group decision that defines its goals",
            "goals_decision_id",
        )
    name = (name or "").strip()
    if len(name) < 3:
        raise TaskForceError("give the task force a name", "name")
    typed = {c.strip(): find_country(c) or c.strip().upper() for c in countries if c.strip()}
    countries = sorted(set(typed.values()))
    known = structure.known_countries(session=session, codes=countries)
    if unknown := [text for text, code in typed.items() if code not in known]:
        raise TaskForceError(unknown_countries(unknown), "countries")
    try:
        themes = [Theme(t).value for t in dict.fromkeys(themes)]
    except ValueError as exc:
        raise TaskForceError(str(exc), "themes") from exc
    if not countries and not themes:
        raise TaskForceError("a task force covers at least one country or theme", "countries")
    overlap_reason = (overlap_reason or "").strip()
    if len(overlap_reason) > 300:
        raise TaskForceError("the reason is at most 300 characters", "overlap_reason")
    # the organisation's revision is held from here to the commit (SELECT ... FOR UPDATE): two proposals
    # on one country at once check one after the other, the second seeing the first (on SQLite a writing
    # request holds the write lock from its start already)
    structure_service.bump_revision(session=session)
    overlaps = structure.task_forces_covering_countries(session=session, countries=countries)
    if overlaps and not overlap_reason:
        raise TaskForceError(_overlap_refusal(overlaps), "countries")
    expert = (
        structure.people_by_id(session=session, ids=[expert_director_id]).get(expert_director_id)
        if expert_director_id
        else None
    )
    if expert_director_id and expert is None:
        raise TaskForceError(f"no person {expert_director_id}", "expert_director_id")
    major = [code.upper() for code in dict.fromkeys(major_departments)]
    proposals = propose_chairs(
        session=session, countries=countries, major_departments=major, expert_director=expert
    )
    body, _created = structure_service.upsert_body(
        session=session,
        slug=_slug(session, name),
        kind=BodyKind.task_force,
        name=name,
        countries=countries,
        mission_codes=[m.code for m in structure.missions_covering(session=session, countries=countries)],
        status=BodyStatus.proposed,
        description=(description or "").strip(),
        goals=(goals or "").strip(),
        themes=themes,
        goals_decision_id=decision.id,
        major_departments=major,
        created_at=now,
    )
    for proposal in proposals:
        structure_service.open_seat(
            session=session,
            body=body,
            person=proposal.person,
            role=proposal.role,
            reason=proposal.reason,
            seated_by=person,
            now=now,
        )
    for code in overlaps:
        structure_service.set_country_override(
            session=session, body=body, country=code, reason=overlap_reason
        )
    audit.record(
        session,
        actor_id=person.id,
        action="task_force.propose",
        object_type="body",
        object_id=body.slug,
        decision=decision.id,
        proposals={p.person.email: f"{p.role}: {p.reason}" for p in proposals},
        overlaps={code: names for code, names in overlaps.items()},
        overlap_reason=overlap_reason or None,
    )
    session.commit()
    return body, proposals


def _overlap_refusal(overlaps: dict[str, list[str]]) -> str:
    covered = "; ".join(f"{code} by {', '.join(names)}" for code, names in sorted(overlaps.items()))
    return (
        f"one task force per country: {covered}. The steering group may override this with a reason "
        "(both task forces then receive that country's reports)"
    )


def confirm_chairs(
    *,
    session: Session,
    person: "Person",
    task_force: "Body",
    chair_id: int | None = None,
    co_chair_ids: list[int] | None = None,
    reason: str = "",
    now: datetime,
) -> "Body":
    """The steering group confirms the proposed chairs or overrides them, with a reason; the task force
    becomes active and receives the open reports of the last 90 days on its countries or themes.

    The seats keep the record: a proposed chair who is overridden has their seat ended with the reason,
    and the chair chosen instead is seated with it."""
    _require_steering_role(session, person, {MembershipRole.chair, MembershipRole.co_chair})
    structure_service.lock_body(session=session, body=task_force)
    if task_force.kind == BodyKind.task_force and task_force.status != BodyStatus.proposed:
        raise TaskForceConflict(gettext("This task force's chairs have already been confirmed."), "status")
    if task_force.kind != BodyKind.task_force:
        raise TaskForceError("only a proposed task force has its chairs confirmed", "status")
    overrides: dict[MembershipRole, list[int]] = {}
    if chair_id is not None:
        overrides[MembershipRole.chair] = [chair_id]
    if co_chair_ids is not None:
        overrides[MembershipRole.co_chair] = list(dict.fromkeys(co_chair_ids))
    proposed = {
        role: structure.seated_person_ids(session=session, body_id=task_force.id, roles=[role])
        for role in (MembershipRole.chair, MembershipRole.co_chair)
    }
    overrides = {role: ids for role, ids in overrides.items() if set(ids) != proposed[role]}
    reason = (reason or "").strip()
    if overrides and not reason:
        raise TaskForceError("say why the steering group overrides the proposed chairs", "reason")
    if len(reason) > 300:
        raise TaskForceError("the reason is at most 300 characters", "reason")
    chosen_people = structure.people_by_id(
        session=session, ids=[i for ids in overrides.values() for i in ids]
    )
    for role, ids in overrides.items():
        field = "chair_id" if role is MembershipRole.chair else "co_chair_ids"
        for pid in ids:
            if pid not in chosen_people:
                raise TaskForceError(f"no person {pid}", field)
            if not chosen_people[pid].active:
                raise TaskForceError(f"{chosen_people[pid].name} is deactivated", field)
    if set(overrides.get(MembershipRole.chair, [])) & set(overrides.get(MembershipRole.co_chair, [])):
        raise TaskForceError("one person cannot be both chair and co-chair", "co_chair_ids")
    structure_service.bump_revision(session=session)  # held to the commit, as in create_task_force
    overlaps = structure.task_forces_covering_countries(
        session=session,
        countries=structure.body_country_codes(session=session, body_id=task_force.id),
        statuses=[BodyStatus.active],
        exclude_body_id=task_force.id,
        without_override_of=task_force.id,
    )
    if overlaps:
        raise TaskForceError(_overlap_refusal(overlaps), "countries")
    for role, ids in overrides.items():
        for pid in proposed[role] - set(ids):
            structure_service.unseat(
                session=session,
                body=task_force,
                person_id=pid,
                ended_by=person,
                reason=f"proposal overridden by the steering group: {reason}",
                now=now,
            )
        for pid in ids:
            structure_service.open_seat(
                session=session,
                body=task_force,
                person=chosen_people[pid],
                role=role,
                reason=f"chosen by the steering group ({person.name}): {reason}",
                seated_by=person,
                now=now,
            )
    structure_service.update_body(
        session=session,
        body=task_force,
        status=BodyStatus.active,
        chairs_decided_by_id=person.id,
        chairs_decided_at=now,
        chairs_override_reason=reason if overrides else "",
    )
    session.flush()
    handed_over = reports.hand_over(session=session, task_force=task_force, now=now)
    audit.record(
        session,
        actor_id=person.id,
        action="task_force.confirm",
        object_type="body",
        object_id=task_force.slug,
        proposed={r.value: sorted(ids) for r, ids in proposed.items()},
        confirmed={r.value: ids for r, ids in overrides.items()},
        overridden=[r.value for r in overrides],
        reason=reason or None,
        handed_over=handed_over,
    )
    session.commit()
    return task_force


def stand_down(
    *, session: Session, person: "Person", task_force: "Body", closing_report: str, now: datetime
) -> "Body":
    """An active task force is stood down with a closing report; it no longer receives field reports."""
    _require_steering_role(session, person, {MembershipRole.chair, MembershipRole.co_chair})
    structure_service.lock_body(session=session, body=task_force)
    if task_force.kind == BodyKind.task_force and task_force.status == BodyStatus.stood_down:
        raise TaskForceConflict(gettext("This task force has already been stood down."), "status")
    if task_force.kind != BodyKind.task_force or task_force.status != BodyStatus.active:
        raise TaskForceError("only an active task force is stood down", "status")
    if not (closing_report or "").strip():
        raise TaskForceError("write the closing report", "closing_report")
    structure_service.update_body(
        session=session,
        body=task_force,
        status=BodyStatus.stood_down,
        closing_report=closing_report.strip(),
        stood_down_at=now,
    )
    structure_service.bump_revision(session=session)
    audit.record(
        session,
        actor_id=person.id,
        action="task_force.stand_down",
        object_type="body",
        object_id=task_force.slug,
    )
    session.commit()
    lessons.ask_for_observations(session=session, task_force=task_force, now=now)
    session.commit()
    return task_force
