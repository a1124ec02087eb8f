"""The organisation's vocabulary: kinds of departments, missions and bodies, roles and themes."""

from enum import StrEnum


class GovernmentLevel(StrEnum):
    federal = "federal"
    regional = "regional"
    community = "community"


class DepartmentKind(StrEnum):
    public_service = "public_service"
    defence = "defence"
    agency = "agency"
    government = "government"


class MissionKind(StrEnum):
    embassy = "embassy"
    permanent_representation = "permanent_representation"
    consulate = "consulate"


class BodyKind(StrEnum):
    steering_group = "steering_group"
    task_force = "task_force"
    consultation_platform = "consultation_platform"


class BodyStatus(StrEnum):
    proposed = "proposed"
    active = "active"
    stood_down = "stood_down"


class MembershipRole(StrEnum):
    chair = "chair"
    co_chair = "co_chair"
    secretary = "secretary"
    member = "member"
    observer = "observer"


class Theme(StrEnum):
    diplomacy = "diplomacy"
    development = "development"
    defence = "defence"
    law = "law"
    order = "order"
    humanitarian = "humanitarian"
    economic = "economic"
    consular = "consular"
