"""Who acts: a person id and the roles they hold, each with its scope."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from uuid import UUID

import attrs


class RoleKind(StrEnum):
    """The kinds of role; the scope says where a role applies."""

    STUDENT = "student"
    TRIBE_LEADER = "tribe_leader"  # 部落负责人
    TRIBE_ORGANIZER = "tribe_organizer"  # 组织者
    TRIBE_ADMIN = "tribe_admin"  # 部落管理员
    COLLEGE_ADMIN = "college_admin"  # 院级管理员（学院分团委）
    SCHOOL_ADMIN = "school_admin"  # 校团委
    # Staff roles some schools name in their procedures (001 第三条、第六条; 003 (三)(四)); a
    # rulebook's ``roles`` lists the kinds a school uses. Asserted by the caller like the admins;
    # where one applies is its scope: a tribe id (a tribe's advisor), a college code (counselor,
    # secretary) or none (center, academic affairs, and 003's 指导教师, an advisor whom a
    # research claim names). A 补录 step says which scope it asks for (claim_rules.StepScope).
    COUNSELOR = "counselor"  # 辅导员
    ADVISOR = "advisor"  # 指导老师 of a tribe (scope: the tribe id); 指导教师 of a student (003)
    LEAGUE_SECRETARY = "league_secretary"  # 学院团总支书记
    CENTER = "center"  # 第二课堂指导与服务中心（二课中心）
    ACADEMIC_AFFAIRS = "academic_affairs"  # 教务处
    SYSTEM = "system"  # 系统: the library's own reactions (e.g. the draw when registration closes)

    @property
    def is_tribe_scoped(self) -> bool:
        return self in _TRIBE_ROLES


_TRIBE_ROLES = frozenset({RoleKind.TRIBE_LEADER, RoleKind.TRIBE_ORGANIZER, RoleKind.TRIBE_ADMIN})


@attrs.frozen(order=True)
class Role:
    """A role and its scope: a tribe id, a college code, or nothing for student/school roles."""

    kind: RoleKind
    scope: str | None = None

    @classmethod
    def student(cls) -> Role:
        return cls(RoleKind.STUDENT)

    @classmethod
    def school_admin(cls) -> Role:
        return cls(RoleKind.SCHOOL_ADMIN)

    @classmethod
    def college_admin(cls, college: str) -> Role:
        return cls(RoleKind.COLLEGE_ADMIN, college)

    @classmethod
    def tribe(cls, kind: RoleKind, tribe: UUID) -> Role:
        if not kind.is_tribe_scoped:
            raise ValueError(f"{kind} is not a tribe role")
        return cls(kind, str(tribe))


# Asked of every actor on every command and reply: built once (roles are frozen values).
_SYSTEM = Role(RoleKind.SYSTEM)
_SCHOOL_ADMIN = Role(RoleKind.SCHOOL_ADMIN)


def _role_set(roles: Iterable[Role]) -> frozenset[Role]:
    return frozenset(roles)


@attrs.frozen
class Actor:
    """The acting person: their id (学号 or 工号) and roles.

    Tribe roles are not trusted from the caller: the service derives them from the
    Tribe stream (see ``with_tribe_roles``), so a frontend cannot grant itself a tribe.
    """

    person_id: str
    roles: frozenset[Role] = attrs.field(factory=frozenset, converter=_role_set)

    @classmethod
    def student(cls, student_number: str) -> Actor:
        return cls(student_number, frozenset({Role.student()}))

    @classmethod
    def school_admin(cls, staff_id: str) -> Actor:
        return cls(staff_id, frozenset({Role.school_admin()}))

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The actor of automatic reactions."""
        return cls(name, frozenset({Role(RoleKind.SYSTEM)}))

    @property
    def is_system(self) -> bool:
        return _SYSTEM in self.roles

    @classmethod
    def college_admin(cls, staff_id: str, college: str) -> Actor:
        return cls(staff_id, frozenset({Role.college_admin(college)}))

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_school_admin(self) -> bool:
        return _SCHOOL_ADMIN in self.roles

    def is_college_admin(self, college: str) -> bool:
        return self.has(Role.college_admin(college))

    def holds_tribe_role(self, tribe: UUID, *kinds: RoleKind) -> bool:
        return any(self.has(Role(kind, str(tribe))) for kind in kinds)

    def institutional(self) -> Actor:
        """This actor without any tribe role (those come from the Tribe stream only)."""
        kept = frozenset(r for r in self.roles if not r.kind.is_tribe_scoped)
        # Frozen: an actor with nothing to drop is its own institutional self (no copy).
        return self if len(kept) == len(self.roles) else attrs.evolve(self, roles=kept)

    def with_roles(self, roles: Iterable[Role]) -> Actor:
        added = frozenset(roles)
        return self if added <= self.roles else attrs.evolve(self, roles=self.roles | added)
