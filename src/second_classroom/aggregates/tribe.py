"""Tribe (部落): a union, club, class or office that hosts activities (第七条、第二十二条)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.core.text import Code, Name, PersonId, Reason, TribeCode
from second_classroom.policies.context import Context

NOT_FOUND = ErrorCode("tribe.not_found", "部落不存在", "Tribe not found", Category.NOT_FOUND)
EXISTS = ErrorCode(
    "tribe.exists",
    "部落编码 {code} 已被占用",
    "Tribe code {code} is already taken",
    Category.CONFLICT,
)
NAME_EMPTY = ErrorCode(
    "tribe.name_empty", "部落名称不能为空", "Tribe name must not be empty", Category.INVALID
)
COLLEGE_REQUIRED = ErrorCode(
    "tribe.college_required",
    "院级和班级部落必须属于一个学院",
    "A college or class tribe must belong to a college",
    Category.INVALID,
)
SCHOOL_TRIBE_COLLEGE = ErrorCode(
    "tribe.school_tribe_has_college",
    "校级部落不属于任何学院",
    "A school-level tribe belongs to no college",
    Category.INVALID,
)
COLLEGE_UNKNOWN = ErrorCode(
    "tribe.college_unknown", "未知的学院：{college}", "Unknown college: {college}", Category.INVALID
)
NOT_MEMBER = ErrorCode(
    "tribe.not_member", "{person} 不是部落成员", "{person} is not a member", Category.NOT_FOUND
)
NO_APPLICATION = ErrorCode(
    "tribe.no_application",
    "{person} 没有待审核的入部落申请",
    "{person} has no pending application",
    Category.NOT_FOUND,
)
ROLE_HOLDER_NOT_FOUND = ErrorCode(
    "tribe.role_not_held",
    "{person} 未担任{role}",
    "{person} does not hold role {role}",
    Category.NOT_FOUND,
)
REASON_REQUIRED = ErrorCode(
    "tribe.reason_required", "请填写理由", "A reason is required", Category.INVALID
)


class TribeRole(StrEnum):
    """Roles inside a tribe (第二十二条 部落负责人; 第十三条 组织者; 第十条 管理员)."""

    LEADER = "leader"
    ORGANIZER = "organizer"
    ADMIN = "admin"

    @property
    def role_kind(self) -> RoleKind:
        return {
            TribeRole.LEADER: RoleKind.TRIBE_LEADER,
            TribeRole.ORGANIZER: RoleKind.TRIBE_ORGANIZER,
            TribeRole.ADMIN: RoleKind.TRIBE_ADMIN,
        }[self]


# Which field of ``Tribe`` holds each role's holders.
_HOLDERS = {
    TribeRole.LEADER: "leaders",
    TribeRole.ORGANIZER: "organizers",
    TribeRole.ADMIN: "admins",
}

# -- state --------------------------------------------------------------------------------


@attrs.frozen
class Tribe:
    """A tribe's current state."""

    id: UUID
    code: str
    name: str
    kind: TribeKind
    level: TribeLevel
    college: str | None
    certified: bool = False
    leaders: frozenset[str] = frozenset()
    organizers: frozenset[str] = frozenset()
    admins: frozenset[str] = frozenset()
    members: frozenset[str] = frozenset()
    applicants: frozenset[str] = frozenset()

    def holders(self, role: TribeRole) -> frozenset[str]:
        holders: frozenset[str] = getattr(self, _HOLDERS[role])
        return holders

    def belongs(self, person: str) -> bool:
        """A member, or anyone holding a role here (a leader belongs to the tribe they lead)."""
        return person in self.members or any(person in self.holders(role) for role in TribeRole)

    def roles_of(self, person: str) -> frozenset[Role]:
        """The tribe-scoped roles ``person`` holds here."""
        if not (person in self.leaders or person in self.organizers or person in self.admins):
            return frozenset()  # most actors (every student): asked once per command
        return frozenset(
            Role.tribe(role.role_kind, self.id)
            for role in TribeRole
            if person in self.holders(role)
        )


# -- events -------------------------------------------------------------------------------


@attrs.frozen
class TribeCreated:
    tribe_id: UUID
    code: str
    name: str
    kind: TribeKind
    level: TribeLevel
    college: str | None
    by: str
    at: datetime


@attrs.frozen
class TribeCertified:
    tribe_id: UUID
    by: str
    at: datetime


@attrs.frozen
class TribeCertificationRevoked:
    tribe_id: UUID
    reason: str
    by: str
    at: datetime


@attrs.frozen
class TribeRoleAppointed:
    tribe_id: UUID
    person_id: str
    role: TribeRole
    by: str
    at: datetime


@attrs.frozen
class TribeRoleRemoved:
    tribe_id: UUID
    person_id: str
    role: TribeRole
    by: str
    at: datetime


@attrs.frozen
class TribeMembershipRequested:
    tribe_id: UUID
    person_id: str
    at: datetime


@attrs.frozen
class TribeMembershipRejected:
    tribe_id: UUID
    person_id: str
    reason: str
    by: str
    at: datetime


@attrs.frozen
class TribeMemberAdmitted:
    """A member joined: by an approved application or added by an admin."""

    tribe_id: UUID
    person_id: str
    by: str
    at: datetime


@attrs.frozen
class TribeMemberLeft:
    """A member left, or was removed (``by`` differs from ``person_id``)."""

    tribe_id: UUID
    person_id: str
    reason: str
    by: str
    at: datetime


TribeEvent = (
    TribeCreated
    | TribeCertified
    | TribeCertificationRevoked
    | TribeRoleAppointed
    | TribeRoleRemoved
    | TribeMembershipRequested
    | TribeMembershipRejected
    | TribeMemberAdmitted
    | TribeMemberLeft
)
EVENTS: tuple[type, ...] = TribeEvent.__args__

# -- commands -----------------------------------------------------------------------------


@attrs.frozen
class CreateTribe:
    """A school admin, or a college admin for their own college, creates a tribe (第七条)."""

    code: TribeCode
    name: Name
    kind: TribeKind
    level: TribeLevel
    college: Code | None = None

    @property
    def tribe_id(self) -> UUID:
        return ids.tribe_id(self.code)


@attrs.frozen
class CertifyTribe:
    """Certify a tribe; only certified tribes may publish (发布规范 十六)."""

    tribe_id: UUID


@attrs.frozen
class RevokeTribeCertification:
    tribe_id: UUID
    reason: Reason


@attrs.frozen
class AppointTribeRole:
    tribe_id: UUID
    person_id: PersonId
    role: TribeRole


@attrs.frozen
class RemoveTribeRole:
    tribe_id: UUID
    person_id: PersonId
    role: TribeRole


@attrs.frozen
class ApplyToTribe:
    """The acting student asks to join (第七条 加入部落)."""

    tribe_id: UUID


@attrs.frozen
class ApproveTribeMember:
    tribe_id: UUID
    person_id: PersonId


@attrs.frozen
class RejectTribeMember:
    tribe_id: UUID
    person_id: PersonId
    reason: Reason


@attrs.frozen
class AddTribeMember:
    """A tribe manager registers a member directly (第二十三条 注册管理)."""

    tribe_id: UUID
    person_id: PersonId


@attrs.frozen
class LeaveTribe:
    """The acting member leaves."""

    tribe_id: UUID


@attrs.frozen
class RemoveTribeMember:
    tribe_id: UUID
    person_id: PersonId
    reason: Reason


TribeCommand = (
    CreateTribe
    | CertifyTribe
    | RevokeTribeCertification
    | AppointTribeRole
    | RemoveTribeRole
    | ApplyToTribe
    | ApproveTribeMember
    | RejectTribeMember
    | AddTribeMember
    | LeaveTribe
    | RemoveTribeMember
)
COMMANDS: tuple[type, ...] = TribeCommand.__args__


def target(command: TribeCommand) -> UUID:
    """The tribe stream a command writes to."""
    return command.tribe_id


# -- authorization ------------------------------------------------------------------------


def _is_overseer(actor: Actor, tribe: Tribe) -> bool:
    """School admins oversee every tribe; a college admin oversees their college's tribes."""
    return actor.is_school_admin or (
        tribe.college is not None and actor.is_college_admin(tribe.college)
    )


def _is_manager(actor: Actor, tribe: Tribe) -> bool:
    """Leaders and admins of the tribe, and its overseers."""
    return _is_overseer(actor, tribe) or actor.holds_tribe_role(
        tribe.id, RoleKind.TRIBE_LEADER, RoleKind.TRIBE_ADMIN
    )


def _may_appoint(actor: Actor, tribe: Tribe, role: TribeRole) -> bool:
    """Overseers appoint leaders; leaders also appoint organizers and admins (第二十二条)."""
    if role is TribeRole.LEADER:
        return _is_overseer(actor, tribe)
    return _is_overseer(actor, tribe) or actor.holds_tribe_role(tribe.id, RoleKind.TRIBE_LEADER)


# -- decide -------------------------------------------------------------------------------


def decide(command: TribeCommand, state: Tribe | None, ctx: Context) -> Sequence[TribeEvent]:
    """Decide the events for ``command``; raise a DomainError when it is refused."""
    if isinstance(command, CreateTribe):
        return _create(command, state, ctx)
    state = required(state, NOT_FOUND, tribe_id=str(command.tribe_id))
    actor, now = ctx.actor, ctx.now
    by = actor.person_id
    match command:
        case CertifyTribe():
            require(_is_overseer(actor, state), UNAUTHORIZED, action="认证部落 certify tribe")
            return [] if state.certified else [TribeCertified(state.id, by, now)]
        case RevokeTribeCertification(reason=reason):
            require(_is_overseer(actor, state), UNAUTHORIZED, action="撤销认证 revoke")
            require(bool(reason.strip()), REASON_REQUIRED)
            return [TribeCertificationRevoked(state.id, reason, by, now)] if state.certified else []
        case AppointTribeRole(person_id=person, role=role):
            require(_may_appoint(actor, state, role), UNAUTHORIZED, action=f"任命 appoint {role}")
            if person in state.holders(role):
                return []
            return [TribeRoleAppointed(state.id, person, role, by, now)]
        case RemoveTribeRole(person_id=person, role=role):
            require(_may_appoint(actor, state, role), UNAUTHORIZED, action=f"免去 remove {role}")
            require(person in state.holders(role), ROLE_HOLDER_NOT_FOUND, person=person, role=role)
            return [TribeRoleRemoved(state.id, person, role, by, now)]
        case ApplyToTribe():
            require(actor.has(Role.student()), UNAUTHORIZED, action="申请加入部落 apply")
            if by in state.members or by in state.applicants:
                return []
            return [TribeMembershipRequested(state.id, by, now)]
        case ApproveTribeMember(person_id=person):
            require(_is_manager(actor, state), UNAUTHORIZED, action="审核成员 approve member")
            if person in state.members:
                return []
            require(person in state.applicants, NO_APPLICATION, person=person)
            return [TribeMemberAdmitted(state.id, person, by, now)]
        case RejectTribeMember(person_id=person, reason=reason):
            require(_is_manager(actor, state), UNAUTHORIZED, action="审核成员 reject member")
            require(person in state.applicants, NO_APPLICATION, person=person)
            require(bool(reason.strip()), REASON_REQUIRED)
            return [TribeMembershipRejected(state.id, person, reason, by, now)]
        case AddTribeMember(person_id=person):
            require(_is_manager(actor, state), UNAUTHORIZED, action="添加成员 add member")
            return (
                [] if person in state.members else [TribeMemberAdmitted(state.id, person, by, now)]
            )
        case LeaveTribe():
            require(by in state.members, NOT_MEMBER, person=by)
            return [TribeMemberLeft(state.id, by, "", by, now)]
        case RemoveTribeMember(person_id=person, reason=reason):
            require(_is_manager(actor, state), UNAUTHORIZED, action="移除成员 remove member")
            require(person in state.members, NOT_MEMBER, person=person)
            require(bool(reason.strip()), REASON_REQUIRED)
            return [TribeMemberLeft(state.id, person, reason, by, now)]
    raise AssertionError(f"unhandled command {command!r}")


def _create(command: CreateTribe, state: Tribe | None, ctx: Context) -> Sequence[TribeEvent]:
    actor = ctx.actor
    college = command.college
    if command.level is TribeLevel.SCHOOL:
        require(actor.is_school_admin, UNAUTHORIZED, action="创建校级部落 create school tribe")
        # A college admin oversees the tribes of their college; a school tribe has none.
        require(college is None, SCHOOL_TRIBE_COLLEGE)
    else:
        college = required(college, COLLEGE_REQUIRED)
        require(
            actor.is_school_admin or actor.is_college_admin(college),
            UNAUTHORIZED,
            action="创建部落 create tribe",
        )
    require(bool(command.name.strip()), NAME_EMPTY)
    if college is not None:
        require(ctx.rulebook.college(college) is not None, COLLEGE_UNKNOWN, college=college)
    if state is not None:
        same = (state.name, state.kind, state.level, state.college) == (
            command.name,
            command.kind,
            command.level,
            college,
        )
        require(same, EXISTS, code=command.code)
        return []
    return [
        TribeCreated(
            command.tribe_id,
            command.code,
            command.name,
            command.kind,
            command.level,
            college,
            actor.person_id,
            ctx.now,
        )
    ]


# -- evolve -------------------------------------------------------------------------------


def evolve(state: Tribe | None, event: TribeEvent) -> Tribe:
    """Apply one event."""
    if isinstance(event, TribeCreated):
        return Tribe(event.tribe_id, event.code, event.name, event.kind, event.level, event.college)
    assert state is not None, "a tribe event before TribeCreated"
    match event:
        case TribeCertified():
            return attrs.evolve(state, certified=True)
        case TribeCertificationRevoked():
            return attrs.evolve(state, certified=False)
        case TribeRoleAppointed(person_id=person, role=role):
            return _with_holders(state, role, state.holders(role) | {person})
        case TribeRoleRemoved(person_id=person, role=role):
            return _with_holders(state, role, state.holders(role) - {person})
        case TribeMembershipRequested(person_id=person):
            return attrs.evolve(state, applicants=state.applicants | {person})
        case TribeMembershipRejected(person_id=person):
            return attrs.evolve(state, applicants=state.applicants - {person})
        case TribeMemberAdmitted(person_id=person):
            return attrs.evolve(
                state, members=state.members | {person}, applicants=state.applicants - {person}
            )
        case TribeMemberLeft(person_id=person):
            return attrs.evolve(state, members=state.members - {person})
    raise AssertionError(f"unhandled event {event!r}")


def _with_holders(state: Tribe, role: TribeRole, holders: frozenset[str]) -> Tribe:
    match role:
        case TribeRole.LEADER:
            return attrs.evolve(state, leaders=holders)
        case TribeRole.ORGANIZER:
            return attrs.evolve(state, organizers=holders)
    return attrs.evolve(state, admins=holders)


# -- the roles a decision sees: from the Tribe stream, never from the caller ---------------


def roles_in(actor: Actor, host: Tribe | None) -> Actor:
    """``actor`` with the tribe roles ``host`` records and no others (never the caller's)."""
    actor = actor.institutional()
    return actor if host is None else actor.with_roles(host.roles_of(actor.person_id))


def with_tribe_roles(base: Context, host: Tribe | None) -> Context:
    """Tribe roles come from the Tribe stream, never from the caller."""
    actor = roles_in(base.actor, host)
    return base if actor is base.actor else attrs.evolve(base, actor=actor)


DECIDER: FunctionalDecider[TribeCommand, Tribe, TribeEvent, Context] = FunctionalDecider(
    "tribe", decide, evolve, Tribe, EVENTS
)
