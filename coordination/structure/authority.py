"""Who may seat whom: a pure rule over the roles of the person acting, so it is tested without a database.

- The steering group: its chair, a co-chair or its secretary seats its members, observers and officers.
- A task force: the steering group's chair, co-chair or secretary seats its chairs and co-chairs; the
  task force's own chair, co-chairs or secretary seat its secretary, members and observers.
- A consultation platform: the head of mission (the platform's chair) seats everyone; a platform without
  a head of mission gets one from the steering group's chair, co-chair or secretary.
"""

from coordination.structure.enums import BodyKind, MembershipRole

OFFICERS = frozenset({MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary})
CHAIRS = frozenset({MembershipRole.chair, MembershipRole.co_chair})


def seating_refusal(
    *,
    body_kind: BodyKind,
    role: MembershipRole,
    actor_role: MembershipRole | None,
    actor_steering_role: MembershipRole | None,
    body_has_chair: bool = True,
) -> str | None:
    """None when the actor may seat or unseat someone in `role`; otherwise the rule that refuses."""
    steering_officer = actor_steering_role in OFFICERS
    if body_kind is BodyKind.steering_group:
        if actor_role in OFFICERS:
            return None
        return (
            "only the steering group's chair, a co-chair or its secretary seats people in the steering group"
        )
    if body_kind is BodyKind.task_force:
        if role in CHAIRS:
            if steering_officer:
                return None
            return (
                "a task force's chairs are seated by the steering group's chair, a co-chair or its secretary"
            )
        if actor_role in OFFICERS:
            return None
        return (
            "only the task force's chair, a co-chair or its secretary seats its members, observers and "
            "secretary"
        )
    if body_kind is BodyKind.consultation_platform:
        if actor_role is MembershipRole.chair:
            return None
        if not body_has_chair and role is MembershipRole.chair and steering_officer:
            return None
        return "only the head of mission (the platform's chair) seats people in a consultation platform"
    return "unknown kind of body"
