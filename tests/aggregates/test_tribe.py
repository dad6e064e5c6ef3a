"""Tribe (部落) specification.

Seed articles:
- 第七条: admins of every level create tribes (学生会、第二课堂服务中心、社团联合会、艺术团、
  社团、班级); students join their own organisations, clubs and class tribes.
- 第十条 / 第十一条: tribe leaders (部落负责人) and admins (管理员) act for the tribe.
- 第二十二条: tribe leaders are the organisations' responsible persons; management is by level.
- 第二十三条: tribes identify and register (注册管理) their own members.
- 发布规范 十六: only certified (认证) tribes may create activities.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from second_classroom.aggregates.tribe import (
    DECIDER,
    SCHOOL_TRIBE_COLLEGE,
    AddTribeMember,
    ApplyToTribe,
    AppointTribeRole,
    ApproveTribeMember,
    CertifyTribe,
    CreateTribe,
    LeaveTribe,
    RejectTribeMember,
    RemoveTribeMember,
    RemoveTribeRole,
    RevokeTribeCertification,
    Tribe,
    TribeCertificationRevoked,
    TribeCertified,
    TribeCreated,
    TribeMemberAdmitted,
    TribeMemberLeft,
    TribeMembershipRejected,
    TribeMembershipRequested,
    TribeRole,
    TribeRoleAppointed,
    TribeRoleRemoved,
    roles_in,
    with_tribe_roles,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import TribeKind, TribeLevel
from tests.specification import (
    CS_ADMIN,
    NEPU,
    NOW,
    PE_ADMIN,
    SCHOOL_ADMIN,
    at,
    context,
    given,
    present,
)

FORBIDDEN = "auth.forbidden"
EARLIER = at(9, 1)

# -- a college-level club of the PE college, and a school-level union -----------------------

CHESS = CreateTribe("PE-CHESS", "石油工程学院象棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE")
TID = CHESS.tribe_id
CREATED = TribeCreated(
    TID, "PE-CHESS", "石油工程学院象棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE", "T-pe", EARLIER
)

UNION = CreateTribe("SU", "东北石油大学学生会", TribeKind.STUDENT_UNION, TribeLevel.SCHOOL)
UNION_CREATED = TribeCreated(
    UNION.tribe_id,
    "SU",
    "东北石油大学学生会",
    TribeKind.STUDENT_UNION,
    TribeLevel.SCHOOL,
    None,
    "T-school",
    EARLIER,
)

LEADER_ID = "2023010101"
ADMIN_ID = "2023010102"
ORGANIZER_ID = "2023010103"
ALICE = "2023010201"  # an ordinary student
BOB = "2023010202"


def tribe_actor(person: str, kind: RoleKind, tribe: UUID = TID) -> Actor:
    """A student holding one tribe-scoped role (decide reads tribe roles from the Actor)."""
    return Actor(person, {Role.student(), Role.tribe(kind, tribe)})


LEADER = tribe_actor(LEADER_ID, RoleKind.TRIBE_LEADER)
TRIBE_ADMIN = tribe_actor(ADMIN_ID, RoleKind.TRIBE_ADMIN)
ORGANIZER = tribe_actor(ORGANIZER_ID, RoleKind.TRIBE_ORGANIZER)
OTHER_LEADER = tribe_actor(LEADER_ID, RoleKind.TRIBE_LEADER, UNION.tribe_id)
STUDENT = Actor.student(ALICE)
STAFF = Actor("T-staff")  # a teacher without any role

STAFFED = (
    CREATED,
    TribeRoleAppointed(TID, LEADER_ID, TribeRole.LEADER, "T-pe", EARLIER),
    TribeRoleAppointed(TID, ADMIN_ID, TribeRole.ADMIN, LEADER_ID, EARLIER),
    TribeRoleAppointed(TID, ORGANIZER_ID, TribeRole.ORGANIZER, LEADER_ID, EARLIER),
)
CERTIFIED = TribeCertified(TID, "T-pe", EARLIER)
ALICE_APPLIED = TribeMembershipRequested(TID, ALICE, EARLIER)
ALICE_JOINED = TribeMemberAdmitted(TID, ALICE, LEADER_ID, EARLIER)

OVERSEERS = pytest.mark.parametrize("overseer", [SCHOOL_ADMIN, PE_ADMIN], ids=["school", "pe"])
MANAGERS = pytest.mark.parametrize(
    "manager",
    [SCHOOL_ADMIN, PE_ADMIN, LEADER, TRIBE_ADMIN],
    ids=["school-admin", "college-admin", "tribe-leader", "tribe-admin"],
)
NOT_MANAGERS = pytest.mark.parametrize(
    "outsider",
    [CS_ADMIN, ORGANIZER, OTHER_LEADER, STUDENT, STAFF],
    ids=["other-college-admin", "organizer", "other-tribe-leader", "student", "staff"],
)
BLANK = pytest.mark.parametrize("blank", ["", "   "], ids=["empty", "spaces"])


# -- creation (第七条) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "college"),
    [(TribeLevel.SCHOOL, None), (TribeLevel.COLLEGE, "CS"), (TribeLevel.CLASS, "GEO")],
)
def test_school_admin_creates_a_tribe_at_any_level(level: TribeLevel, college: str | None) -> None:
    """第七条: 各级系统管理员可创建部落 — the school admin (校团委) at every level."""
    command = CreateTribe("T-1", "部落", TribeKind.CLUB, level, college)
    given(DECIDER).when(command, context(SCHOOL_ADMIN)).then(
        TribeCreated(
            command.tribe_id, "T-1", "部落", TribeKind.CLUB, level, college, "T-school", NOW
        )
    )


@pytest.mark.parametrize("level", [TribeLevel.COLLEGE, TribeLevel.CLASS])
def test_college_admin_creates_a_tribe_of_their_own_college(level: TribeLevel) -> None:
    """第七条: a college admin (学院分团委) creates college and class tribes of their college."""
    command = CreateTribe("PE-2301", "石工23-1班", TribeKind.CLASS, level, "PE")
    given(DECIDER).when(command, context(PE_ADMIN)).then(
        TribeCreated(
            command.tribe_id, "PE-2301", "石工23-1班", TribeKind.CLASS, level, "PE", "T-pe", NOW
        )
    )


def test_a_college_admin_may_not_create_a_tribe_of_another_college() -> None:
    """第七条: a college admin's authority stops at their own college."""
    given(DECIDER).when(CHESS, context(CS_ADMIN)).raises(FORBIDDEN)


@pytest.mark.parametrize("college", [None, "PE"], ids=["no-college", "own-college"])
def test_a_college_admin_may_not_create_a_school_level_tribe(college: str | None) -> None:
    """第七条 / 第二十二条: school-level tribes are created by the school admin only."""
    command = CreateTribe("SU", "学生会", TribeKind.STUDENT_UNION, TribeLevel.SCHOOL, college)
    given(DECIDER).when(command, context(PE_ADMIN)).raises(FORBIDDEN)


@pytest.mark.parametrize("actor", [STUDENT, LEADER, STAFF], ids=["student", "leader", "staff"])
def test_only_admins_create_tribes(actor: Actor) -> None:
    """第七条: 系统管理员在管理后台创建部落 — nobody else does."""
    given(DECIDER).when(CHESS, context(actor)).raises(FORBIDDEN)


@pytest.mark.parametrize("level", [TribeLevel.COLLEGE, TribeLevel.CLASS])
def test_college_and_class_tribes_must_belong_to_a_college(level: TribeLevel) -> None:
    """第七条: 院级 and 班级 tribes live inside a college."""
    command = CreateTribe("X", "部落", TribeKind.CLUB, level, None)
    given(DECIDER).when(command, context(SCHOOL_ADMIN)).raises("tribe.college_required")


def test_a_tribe_of_an_unknown_college_is_refused() -> None:
    """第七条: the college must be one of the rulebook's colleges."""
    command = CreateTribe("X", "部落", TribeKind.CLUB, TribeLevel.COLLEGE, "NOPE")
    error = given(DECIDER).when(command, context(SCHOOL_ADMIN)).raises("tribe.college_unknown")
    assert error.details == {"college": "NOPE"}


@BLANK
def test_a_tribe_needs_a_name(blank: str) -> None:
    """第七条: a tribe is a named organisation."""
    command = CreateTribe("X", blank, TribeKind.CLUB, TribeLevel.COLLEGE, "PE")
    given(DECIDER).when(command, context(PE_ADMIN)).raises("tribe.name_empty")


def test_the_tribe_id_is_derived_from_its_code() -> None:
    """The same code always names the same tribe stream."""
    assert CHESS.tribe_id == ids.tribe_id("PE-CHESS")
    assert CHESS.tribe_id != UNION.tribe_id


def test_a_new_tribe_is_uncertified_and_has_no_people() -> None:
    """发布规范 十六: certification is a separate, later decision."""
    state = (
        given(DECIDER)
        .when(CHESS, context(PE_ADMIN))
        .then(
            TribeCreated(
                TID,
                "PE-CHESS",
                "石油工程学院象棋社",
                TribeKind.CLUB,
                TribeLevel.COLLEGE,
                "PE",
                "T-pe",
                NOW,
            )
        )
    )
    assert state == Tribe(
        TID, "PE-CHESS", "石油工程学院象棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE"
    )
    assert not state.certified
    assert state.leaders == state.members == state.applicants == frozenset()


def test_creating_the_same_tribe_again_changes_nothing() -> None:
    """Idempotent retry: the same code with the same data is accepted without new events."""
    given(DECIDER, *STAFFED).when(CHESS, context(SCHOOL_ADMIN)).then_nothing()


@pytest.mark.parametrize(
    "command",
    [
        CreateTribe("PE-CHESS", "象棋协会", TribeKind.CLUB, TribeLevel.COLLEGE, "PE"),
        CreateTribe(
            "PE-CHESS", "石油工程学院象棋社", TribeKind.ART_TROUPE, TribeLevel.COLLEGE, "PE"
        ),
        CreateTribe("PE-CHESS", "石油工程学院象棋社", TribeKind.CLUB, TribeLevel.CLASS, "PE"),
        CreateTribe("PE-CHESS", "石油工程学院象棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "CS"),
    ],
    ids=["name", "kind", "level", "college"],
)
def test_a_taken_code_with_different_data_is_refused(command: CreateTribe) -> None:
    """A tribe code is school-unique: it cannot be reused for another tribe."""
    error = given(DECIDER, CREATED).when(command, context(SCHOOL_ADMIN)).raises("tribe.exists")
    assert error.details == {"code": "PE-CHESS"}


# -- a missing tribe ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        CertifyTribe(TID),
        RevokeTribeCertification(TID, "违规"),
        AppointTribeRole(TID, ALICE, TribeRole.LEADER),
        RemoveTribeRole(TID, ALICE, TribeRole.LEADER),
        ApplyToTribe(TID),
        ApproveTribeMember(TID, ALICE),
        RejectTribeMember(TID, ALICE, "名额已满"),
        AddTribeMember(TID, ALICE),
        LeaveTribe(TID),
        RemoveTribeMember(TID, ALICE, "违纪"),
    ],
    ids=lambda command: type(command).__name__,
)
def test_every_command_on_a_missing_tribe_is_refused(command: Any) -> None:
    """Only a created tribe (第七条) can be certified, staffed or joined."""
    error = given(DECIDER).when(command, context(SCHOOL_ADMIN)).raises("tribe.not_found")
    assert error.details == {"tribe_id": str(TID)}


# -- certification (发布规范 十六) ----------------------------------------------------------


@OVERSEERS
def test_an_overseer_certifies_a_tribe(overseer: Actor) -> None:
    """发布规范 十六: 认证部落 — certified by the school admin or the tribe's college admin."""
    state = (
        given(DECIDER, *STAFFED)
        .when(CertifyTribe(TID), context(overseer))
        .then(TribeCertified(TID, overseer.person_id, NOW))
    )
    assert state.certified


def test_certifying_a_certified_tribe_changes_nothing() -> None:
    """发布规范 十六: certification is a state, certifying twice is a no-op."""
    given(DECIDER, *STAFFED, CERTIFIED).when(CertifyTribe(TID), context(PE_ADMIN)).then_nothing()


@NOT_MANAGERS
def test_only_overseers_certify(outsider: Actor) -> None:
    """发布规范 十六: a tribe cannot certify itself, nor can another college's admin."""
    given(DECIDER, *STAFFED).when(CertifyTribe(TID), context(outsider)).raises(FORBIDDEN)


def test_a_tribe_leader_may_not_certify_their_own_tribe() -> None:
    """发布规范 十六: certification is an admin's decision, not the tribe's."""
    given(DECIDER, *STAFFED).when(CertifyTribe(TID), context(LEADER)).raises(FORBIDDEN)


def test_a_college_admin_does_not_oversee_a_school_level_tribe() -> None:
    """第二十二条: a school-level tribe without a college is overseen by the school admin only."""
    given(DECIDER, UNION_CREATED).when(CertifyTribe(UNION.tribe_id), context(PE_ADMIN)).raises(
        FORBIDDEN
    )


@OVERSEERS
def test_an_overseer_revokes_a_certification_with_a_reason(overseer: Actor) -> None:
    """发布规范 十六: an uncertified tribe loses the right to create activities."""
    state = (
        given(DECIDER, *STAFFED, CERTIFIED)
        .when(RevokeTribeCertification(TID, "长期未开展活动"), context(overseer))
        .then(TribeCertificationRevoked(TID, "长期未开展活动", overseer.person_id, NOW))
    )
    assert not state.certified
    assert state.certified is False


@BLANK
def test_revoking_a_certification_requires_a_reason(blank: str) -> None:
    """发布规范 十六: a revocation must say why."""
    given(DECIDER, *STAFFED, CERTIFIED).when(
        RevokeTribeCertification(TID, blank), context(PE_ADMIN)
    ).raises("tribe.reason_required")


def test_revoking_an_uncertified_tribe_changes_nothing() -> None:
    """发布规范 十六: revocation is idempotent."""
    given(DECIDER, *STAFFED).when(
        RevokeTribeCertification(TID, "重复操作"), context(PE_ADMIN)
    ).then_nothing()


@pytest.mark.parametrize(
    "outsider", [CS_ADMIN, LEADER, TRIBE_ADMIN, STUDENT], ids=["cs", "leader", "admin", "student"]
)
def test_only_overseers_revoke_a_certification(outsider: Actor) -> None:
    """发布规范 十六: only those who certify may revoke."""
    given(DECIDER, *STAFFED, CERTIFIED).when(
        RevokeTribeCertification(TID, "违规"), context(outsider)
    ).raises(FORBIDDEN)


# -- roles (第二十二条) ---------------------------------------------------------------------


@OVERSEERS
def test_an_overseer_appoints_a_tribe_leader(overseer: Actor) -> None:
    """第二十二条: 部落负责人由各学生组织责任人担任 — appointed from above."""
    state = (
        given(DECIDER, CREATED)
        .when(AppointTribeRole(TID, ALICE, TribeRole.LEADER), context(overseer))
        .then(TribeRoleAppointed(TID, ALICE, TribeRole.LEADER, overseer.person_id, NOW))
    )
    assert state.leaders == {ALICE}


@pytest.mark.parametrize(
    "outsider",
    [LEADER, TRIBE_ADMIN, ORGANIZER, CS_ADMIN, STUDENT],
    ids=["leader", "tribe-admin", "organizer", "other-college-admin", "student"],
)
def test_only_overseers_appoint_a_tribe_leader(outsider: Actor) -> None:
    """第二十二条: a leader cannot appoint another leader (nor can anyone inside the tribe)."""
    given(DECIDER, *STAFFED).when(
        AppointTribeRole(TID, ALICE, TribeRole.LEADER), context(outsider)
    ).raises(FORBIDDEN)


@pytest.mark.parametrize("role", [TribeRole.ORGANIZER, TribeRole.ADMIN])
@pytest.mark.parametrize("appointer", [LEADER, SCHOOL_ADMIN, PE_ADMIN], ids=["leader", "s", "pe"])
def test_the_leader_or_an_overseer_appoints_organizers_and_admins(
    role: TribeRole, appointer: Actor
) -> None:
    """第二十二条 / 第十条: the leader staffs their tribe with organizers and admins."""
    state = (
        given(DECIDER, *STAFFED)
        .when(AppointTribeRole(TID, ALICE, role), context(appointer))
        .then(TribeRoleAppointed(TID, ALICE, role, appointer.person_id, NOW))
    )
    assert ALICE in state.holders(role)


@pytest.mark.parametrize("role", [TribeRole.ORGANIZER, TribeRole.ADMIN])
@pytest.mark.parametrize(
    "outsider",
    [TRIBE_ADMIN, ORGANIZER, OTHER_LEADER, CS_ADMIN, STUDENT],
    ids=["tribe-admin", "organizer", "other-tribe-leader", "other-college-admin", "student"],
)
def test_only_the_leader_or_an_overseer_appoints_organizers_and_admins(
    role: TribeRole, outsider: Actor
) -> None:
    """第二十二条: tribe admins and organizers do not staff the tribe."""
    given(DECIDER, *STAFFED).when(AppointTribeRole(TID, ALICE, role), context(outsider)).raises(
        FORBIDDEN
    )


def test_appointing_a_current_holder_again_changes_nothing() -> None:
    """Appointments are idempotent."""
    given(DECIDER, *STAFFED).when(
        AppointTribeRole(TID, ADMIN_ID, TribeRole.ADMIN), context(LEADER)
    ).then_nothing()


def test_one_person_may_hold_several_roles() -> None:
    """第二十二条: roles are independent — an admin may also be made an organizer."""
    state = (
        given(DECIDER, *STAFFED)
        .when(AppointTribeRole(TID, ADMIN_ID, TribeRole.ORGANIZER), context(LEADER))
        .then(TribeRoleAppointed(TID, ADMIN_ID, TribeRole.ORGANIZER, LEADER_ID, NOW))
    )
    assert ADMIN_ID in state.admins
    assert ADMIN_ID in state.organizers


@OVERSEERS
def test_an_overseer_removes_a_tribe_leader(overseer: Actor) -> None:
    """第二十二条: whoever appoints the leader may remove them."""
    state = (
        given(DECIDER, *STAFFED)
        .when(RemoveTribeRole(TID, LEADER_ID, TribeRole.LEADER), context(overseer))
        .then(TribeRoleRemoved(TID, LEADER_ID, TribeRole.LEADER, overseer.person_id, NOW))
    )
    assert state.leaders == frozenset()


@pytest.mark.parametrize(
    "outsider", [LEADER, TRIBE_ADMIN, CS_ADMIN], ids=["the-leader", "tribe-admin", "cs-admin"]
)
def test_only_overseers_remove_a_tribe_leader(outsider: Actor) -> None:
    """第二十二条: a leader cannot be removed from inside the tribe (not even by themself)."""
    given(DECIDER, *STAFFED).when(
        RemoveTribeRole(TID, LEADER_ID, TribeRole.LEADER), context(outsider)
    ).raises(FORBIDDEN)


@pytest.mark.parametrize(
    ("person", "role"),
    [(ADMIN_ID, TribeRole.ADMIN), (ORGANIZER_ID, TribeRole.ORGANIZER)],
    ids=["admin", "organizer"],
)
def test_the_leader_removes_an_organizer_or_admin(person: str, role: TribeRole) -> None:
    """第二十二条: the leader who staffs the tribe may also unstaff it."""
    state = (
        given(DECIDER, *STAFFED)
        .when(RemoveTribeRole(TID, person, role), context(LEADER))
        .then(TribeRoleRemoved(TID, person, role, LEADER_ID, NOW))
    )
    assert person not in state.holders(role)


def test_a_tribe_admin_may_not_remove_an_organizer() -> None:
    """第二十二条: staffing belongs to the leader and overseers, not to tribe admins."""
    given(DECIDER, *STAFFED).when(
        RemoveTribeRole(TID, ORGANIZER_ID, TribeRole.ORGANIZER), context(TRIBE_ADMIN)
    ).raises(FORBIDDEN)


def test_removing_a_role_the_person_does_not_hold_is_refused() -> None:
    """第二十二条: only a held role can be taken away."""
    error = (
        given(DECIDER, *STAFFED)
        .when(RemoveTribeRole(TID, ORGANIZER_ID, TribeRole.ADMIN), context(LEADER))
        .raises("tribe.role_not_held")
    )
    assert error.details["person"] == ORGANIZER_ID


def test_roles_of_lists_the_tribe_scoped_roles_a_person_holds() -> None:
    """第十条 / 第二十二条: the tribe stream is the source of a person's tribe roles."""
    state = DECIDER.fold(
        [*STAFFED, TribeRoleAppointed(TID, LEADER_ID, TribeRole.ADMIN, "T-pe", EARLIER)]
    )
    assert state is not None
    assert state.roles_of(LEADER_ID) == {
        Role.tribe(RoleKind.TRIBE_LEADER, TID),
        Role.tribe(RoleKind.TRIBE_ADMIN, TID),
    }
    assert state.roles_of(ORGANIZER_ID) == {Role.tribe(RoleKind.TRIBE_ORGANIZER, TID)}


def test_roles_of_is_empty_for_members_and_strangers() -> None:
    """第七条: membership alone confers no tribe role."""
    state = DECIDER.fold([*STAFFED, ALICE_JOINED])
    assert state is not None
    assert state.roles_of(ALICE) == frozenset()
    assert state.roles_of("nobody") == frozenset()


def test_roles_of_forgets_a_removed_role() -> None:
    """第二十二条: a removed leader no longer holds the leader role."""
    state = DECIDER.fold(
        [*STAFFED, TribeRoleRemoved(TID, LEADER_ID, TribeRole.LEADER, "T-pe", EARLIER)]
    )
    assert state is not None
    assert state.roles_of(LEADER_ID) == frozenset()


# -- membership (第七条, 第二十三条) --------------------------------------------------------


def test_a_student_applies_to_join_a_tribe() -> None:
    """第七条: 学生注册成功后首先需要加入自己所在学生组织、社团和班级部落."""
    state = (
        given(DECIDER, *STAFFED)
        .when(ApplyToTribe(TID), context(STUDENT))
        .then(TribeMembershipRequested(TID, ALICE, NOW))
    )
    assert state.applicants == {ALICE}
    assert ALICE not in state.members


@pytest.mark.parametrize(
    "actor", [STAFF, SCHOOL_ADMIN, PE_ADMIN], ids=["staff", "school-admin", "college-admin"]
)
def test_only_students_apply_to_join(actor: Actor) -> None:
    """第七条: joining a tribe is what students do."""
    given(DECIDER, *STAFFED).when(ApplyToTribe(TID), context(actor)).raises(FORBIDDEN)


def test_applying_again_while_pending_changes_nothing() -> None:
    """第七条: one pending application per student."""
    given(DECIDER, *STAFFED, ALICE_APPLIED).when(ApplyToTribe(TID), context(STUDENT)).then_nothing()


def test_a_member_applying_changes_nothing() -> None:
    """第七条: a member has already joined."""
    given(DECIDER, *STAFFED, ALICE_JOINED).when(ApplyToTribe(TID), context(STUDENT)).then_nothing()


@MANAGERS
def test_a_manager_approves_an_application(manager: Actor) -> None:
    """第二十三条: 各级部落要实时对本部落内的组织成员进行身份认定."""
    state = (
        given(DECIDER, *STAFFED, ALICE_APPLIED)
        .when(ApproveTribeMember(TID, ALICE), context(manager))
        .then(TribeMemberAdmitted(TID, ALICE, manager.person_id, NOW))
    )
    assert state.members == {ALICE}
    assert state.applicants == frozenset()


@NOT_MANAGERS
def test_only_managers_approve_an_application(outsider: Actor) -> None:
    """第二十三条: identification is done by the tribe's leader/admins or its overseers."""
    given(DECIDER, *STAFFED, ALICE_APPLIED).when(
        ApproveTribeMember(TID, ALICE), context(outsider)
    ).raises(FORBIDDEN)


def test_an_applicant_may_not_approve_themself() -> None:
    """第二十三条: an application is decided by someone else."""
    given(DECIDER, *STAFFED, ALICE_APPLIED).when(
        ApproveTribeMember(TID, ALICE), context(STUDENT)
    ).raises(FORBIDDEN)


def test_approving_without_an_application_is_refused() -> None:
    """第二十三条: there must be something to approve."""
    error = (
        given(DECIDER, *STAFFED)
        .when(ApproveTribeMember(TID, BOB), context(LEADER))
        .raises("tribe.no_application")
    )
    assert error.details == {"person": BOB}


def test_approving_a_member_again_changes_nothing() -> None:
    """Approval is idempotent once the person is a member."""
    given(DECIDER, *STAFFED, ALICE_APPLIED, ALICE_JOINED).when(
        ApproveTribeMember(TID, ALICE), context(LEADER)
    ).then_nothing()


@MANAGERS
def test_a_manager_rejects_an_application_with_a_reason(manager: Actor) -> None:
    """第二十三条: identification may conclude that the applicant does not belong."""
    state = (
        given(DECIDER, *STAFFED, ALICE_APPLIED)
        .when(RejectTribeMember(TID, ALICE, "非本班学生"), context(manager))
        .then(TribeMembershipRejected(TID, ALICE, "非本班学生", manager.person_id, NOW))
    )
    assert state.applicants == frozenset()
    assert state.members == frozenset()


@BLANK
def test_a_rejection_requires_a_reason(blank: str) -> None:
    """第二十三条: the applicant is told why."""
    given(DECIDER, *STAFFED, ALICE_APPLIED).when(
        RejectTribeMember(TID, ALICE, blank), context(LEADER)
    ).raises("tribe.reason_required")


def test_rejecting_without_an_application_is_refused() -> None:
    """第二十三条: there must be something to reject."""
    given(DECIDER, *STAFFED, ALICE_JOINED).when(
        RejectTribeMember(TID, ALICE, "非本班学生"), context(LEADER)
    ).raises("tribe.no_application")


@NOT_MANAGERS
def test_only_managers_reject_an_application(outsider: Actor) -> None:
    """第二十三条: identification is the managers' job."""
    given(DECIDER, *STAFFED, ALICE_APPLIED).when(
        RejectTribeMember(TID, ALICE, "非本班学生"), context(outsider)
    ).raises(FORBIDDEN)


def test_a_rejected_student_may_apply_again() -> None:
    """第七条: a rejection closes the application, not the tribe."""
    rejected = TribeMembershipRejected(TID, ALICE, "材料不全", LEADER_ID, EARLIER)
    given(DECIDER, *STAFFED, ALICE_APPLIED, rejected).when(
        ApplyToTribe(TID), context(STUDENT)
    ).then(TribeMembershipRequested(TID, ALICE, NOW))


@MANAGERS
def test_a_manager_adds_a_member_directly(manager: Actor) -> None:
    """第二十三条: 各级组织按照相关规定做好本部落成员的注册管理."""
    state = (
        given(DECIDER, *STAFFED)
        .when(AddTribeMember(TID, BOB), context(manager))
        .then(TribeMemberAdmitted(TID, BOB, manager.person_id, NOW))
    )
    assert state.members == {BOB}


def test_adding_a_pending_applicant_closes_their_application() -> None:
    """第二十三条: a directly added applicant is a member, no longer an applicant."""
    state = (
        given(DECIDER, *STAFFED, ALICE_APPLIED)
        .when(AddTribeMember(TID, ALICE), context(LEADER))
        .then(TribeMemberAdmitted(TID, ALICE, LEADER_ID, NOW))
    )
    assert state.members == {ALICE}
    assert state.applicants == frozenset()


def test_adding_an_existing_member_changes_nothing() -> None:
    """第二十三条: registration is idempotent."""
    given(DECIDER, *STAFFED, ALICE_JOINED).when(
        AddTribeMember(TID, ALICE), context(TRIBE_ADMIN)
    ).then_nothing()


@NOT_MANAGERS
def test_only_managers_add_members(outsider: Actor) -> None:
    """第二十三条: member registration is the managers' job."""
    given(DECIDER, *STAFFED).when(AddTribeMember(TID, BOB), context(outsider)).raises(FORBIDDEN)


def test_a_member_leaves_the_tribe() -> None:
    """第七条: membership is voluntary; leaving needs no reason and no approval."""
    state = (
        given(DECIDER, *STAFFED, ALICE_JOINED)
        .when(LeaveTribe(TID), context(STUDENT))
        .then(TribeMemberLeft(TID, ALICE, "", ALICE, NOW))
    )
    assert state.members == frozenset()


@pytest.mark.parametrize("events", [(), (ALICE_APPLIED,)], ids=["stranger", "pending-applicant"])
def test_a_non_member_cannot_leave(events: tuple[Any, ...]) -> None:
    """第七条: only a member can leave."""
    error = (
        given(DECIDER, *STAFFED, *events)
        .when(LeaveTribe(TID), context(STUDENT))
        .raises("tribe.not_member")
    )
    assert error.details == {"person": ALICE}


def test_a_former_member_may_apply_again() -> None:
    """第七条: leaving does not bar a student from rejoining."""
    left = TribeMemberLeft(TID, ALICE, "", ALICE, EARLIER)
    given(DECIDER, *STAFFED, ALICE_JOINED, left).when(ApplyToTribe(TID), context(STUDENT)).then(
        TribeMembershipRequested(TID, ALICE, NOW)
    )


@MANAGERS
def test_a_manager_removes_a_member_with_a_reason(manager: Actor) -> None:
    """第二十三条 / 第二十四条: managers keep the roster true, e.g. removing a fraudulent member."""
    state = (
        given(DECIDER, *STAFFED, ALICE_JOINED)
        .when(RemoveTribeMember(TID, ALICE, "已毕业"), context(manager))
        .then(TribeMemberLeft(TID, ALICE, "已毕业", manager.person_id, NOW))
    )
    assert state.members == frozenset()


@BLANK
def test_removing_a_member_requires_a_reason(blank: str) -> None:
    """第二十三条: a removal must say why."""
    given(DECIDER, *STAFFED, ALICE_JOINED).when(
        RemoveTribeMember(TID, ALICE, blank), context(LEADER)
    ).raises("tribe.reason_required")


def test_removing_a_non_member_is_refused() -> None:
    """第二十三条: only a member can be removed."""
    given(DECIDER, *STAFFED).when(RemoveTribeMember(TID, BOB, "已毕业"), context(LEADER)).raises(
        "tribe.not_member"
    )


@NOT_MANAGERS
def test_only_managers_remove_members(outsider: Actor) -> None:
    """第二十三条: member registration is the managers' job."""
    given(DECIDER, *STAFFED, ALICE_JOINED).when(
        RemoveTribeMember(TID, ALICE, "已毕业"), context(outsider)
    ).raises(FORBIDDEN)


# -- every refusal names what was refused --------------------------------------------------

APPLIED = (*STAFFED, ALICE_APPLIED)
REFUSALS = {
    "certify": (STAFFED, CertifyTribe(TID), STUDENT, {"action": "认证部落 certify tribe"}),
    "revoke": (
        (*STAFFED, CERTIFIED),
        RevokeTribeCertification(TID, "违规"),
        STUDENT,
        {"action": "撤销认证 revoke"},
    ),
    "appoint": (
        STAFFED,
        AppointTribeRole(TID, ALICE, TribeRole.LEADER),
        STUDENT,
        {"action": "任命 appoint leader"},
    ),
    "remove role": (
        STAFFED,
        RemoveTribeRole(TID, ORGANIZER_ID, TribeRole.ORGANIZER),
        STUDENT,
        {"action": "免去 remove organizer"},
    ),
    "apply": (STAFFED, ApplyToTribe(TID), STAFF, {"action": "申请加入部落 apply"}),
    "approve": (
        APPLIED,
        ApproveTribeMember(TID, ALICE),
        STUDENT,
        {"action": "审核成员 approve member"},
    ),
    "reject": (
        APPLIED,
        RejectTribeMember(TID, ALICE, "名额已满"),
        STUDENT,
        {"action": "审核成员 reject member"},
    ),
    "add": (STAFFED, AddTribeMember(TID, BOB), STUDENT, {"action": "添加成员 add member"}),
    "remove member": (
        (*STAFFED, ALICE_JOINED),
        RemoveTribeMember(TID, ALICE, "违纪"),
        STUDENT,
        {"action": "移除成员 remove member"},
    ),
}


@pytest.mark.parametrize(
    ("events", "command", "actor", "details"), REFUSALS.values(), ids=REFUSALS.keys()
)
def test_a_forbidden_command_names_its_action(
    events: tuple[Any, ...], command: Any, actor: Actor, details: dict[str, str]
) -> None:
    """The refusal tells the user what they may not do, in both languages."""
    error = given(DECIDER, *events).when(command, context(actor)).raises(FORBIDDEN)
    assert error.details == details


def test_refusals_about_people_name_the_person_and_role() -> None:
    missing_role = (
        given(DECIDER, *STAFFED)
        .when(RemoveTribeRole(TID, ALICE, TribeRole.ORGANIZER), context(LEADER))
        .raises("tribe.role_not_held")
    )
    assert missing_role.details == {"person": ALICE, "role": "organizer"}
    for command in (ApproveTribeMember(TID, BOB), RejectTribeMember(TID, BOB, "名额已满")):
        error = (
            given(DECIDER, *APPLIED).when(command, context(LEADER)).raises("tribe.no_application")
        )
        assert error.details == {"person": BOB}
    not_member = (
        given(DECIDER, *STAFFED)
        .when(RemoveTribeMember(TID, BOB, "违纪"), context(LEADER))
        .raises("tribe.not_member")
    )
    assert not_member.details == {"person": BOB}


def test_creating_a_tribe_beyond_ones_remit_names_the_action() -> None:
    """第七条: a college admin creates tribes of their own college only, and none of the school."""
    school = given(DECIDER).when(UNION, context(PE_ADMIN)).raises(FORBIDDEN)
    assert school.details == {"action": "创建校级部落 create school tribe"}
    other = given(DECIDER).when(CHESS, context(CS_ADMIN)).raises(FORBIDDEN)
    assert other.details == {"action": "创建部落 create tribe"}


def test_members_and_role_holders_belong_to_the_tribe() -> None:
    """第二十二条: a leader belongs to the tribe they lead, as do its members."""
    tribe = DECIDER.fold([*STAFFED, ALICE_JOINED])
    assert tribe is not None
    assert tribe.belongs(ALICE)
    assert all(tribe.belongs(p) for p in (LEADER_ID, ADMIN_ID, ORGANIZER_ID))
    assert not tribe.belongs(BOB)
    assert not present(DECIDER.fold([*STAFFED, ALICE_APPLIED])).belongs(
        ALICE
    )  # an applicant is not yet


def test_an_event_before_the_tribe_exists_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match=r"^a tribe event before TribeCreated$"):
        DECIDER.fold([CERTIFIED])
    # a foreign event on the stream is refused by the fold; evolve itself asserts
    foreign: Any = "certified"  # no tribe event: typed Any to hand it over all the same
    with pytest.raises(DomainError) as caught:
        DECIDER.fold([CREATED, foreign])
    assert caught.value.code == "store.wrong_stream_kind"
    assert caught.value.details == {"kind": "tribe"}
    with pytest.raises(AssertionError, match="unhandled event 'certified'"):
        DECIDER.evolve(DECIDER.fold([CREATED]), foreign)
    unknown = SimpleNamespace(tribe_id=TID)
    with pytest.raises(AssertionError, match=r"unhandled command namespace\(tribe_id="):
        given(DECIDER, *STAFFED).when(unknown, context(LEADER)).events()


# -- a school-level tribe belongs to no college ----------------------------------------------


def test_a_college_admin_never_oversees_a_school_level_tribe() -> None:
    """第二十二条: a school-level tribe is the school admin's. Naming a college for it is
    refused (tribe.school_tribe_has_college), so no college admin can come to oversee it; one
    created without a college takes no role appointments from a college admin."""
    naming_a_college = CreateTribe(
        "SU-PE", "校学生会", TribeKind.STUDENT_UNION, TribeLevel.SCHOOL, "PE"
    )
    given(DECIDER).when(naming_a_college, context(SCHOOL_ADMIN)).raises(SCHOOL_TRIBE_COLLEGE.code)
    school_union = CreateTribe("SU", "校学生会", TribeKind.STUDENT_UNION, TribeLevel.SCHOOL, None)
    created = DECIDER.decide(school_union, None, context(SCHOOL_ADMIN))
    assert [type(e) for e in created] == [TribeCreated]
    given(DECIDER, *created).when(
        AppointTribeRole(school_union.tribe_id, ALICE, TribeRole.LEADER), context(PE_ADMIN)
    ).raises(FORBIDDEN)


# -- property: membership and roles under arbitrary commands by arbitrary actors -------------

PEOPLE = (ALICE, BOB, LEADER_ID)
BASE_ACTORS = (
    SCHOOL_ADMIN,
    PE_ADMIN,
    CS_ADMIN,
    STAFF,
    *(Actor.student(person) for person in PEOPLE),
)
REASONS = st.sampled_from(["", "  ", "理由"])


def _commands(tribe_id: Any) -> st.SearchStrategy[Any]:
    people = st.sampled_from(PEOPLE)
    tid = st.just(tribe_id)
    return st.one_of(
        st.builds(AppointTribeRole, tid, people, st.sampled_from(TribeRole)),
        st.builds(RemoveTribeRole, tid, people, st.sampled_from(TribeRole)),
        st.just(ApplyToTribe(tribe_id)),
        st.builds(ApproveTribeMember, tid, people),
        st.builds(RejectTribeMember, tid, people, REASONS),
        st.builds(AddTribeMember, tid, people),
        st.just(LeaveTribe(tribe_id)),
        st.builds(RemoveTribeMember, tid, people, REASONS),
    )


def _authorized(actor: Actor, tribe: Tribe, command: Any) -> bool:
    """An oracle of 第七条/第二十二条/第二十三条, read from the tribe's state, not the actor."""
    person = actor.person_id
    overseer = actor.is_school_admin or (
        tribe.college is not None and actor.is_college_admin(tribe.college)
    )
    manager = overseer or person in tribe.leaders or person in tribe.admins
    match command:
        case AppointTribeRole(role=TribeRole.LEADER) | RemoveTribeRole(role=TribeRole.LEADER):
            return overseer
        case AppointTribeRole() | RemoveTribeRole():
            return overseer or person in tribe.leaders
        case ApplyToTribe():
            return actor.has(Role.student())
        case LeaveTribe():
            return True
    return manager


Scenario = tuple[list[Any], list[tuple[Actor, Any]]]


@st.composite
def _scenarios(draw: st.DrawFn) -> Scenario:
    """A tribe with randomly staffed and joined people, then random commands by random actors."""
    created = draw(st.sampled_from([CREATED, UNION_CREATED]))
    tid = created.tribe_id
    history: list[Any] = [created]
    for person in PEOPLE:
        for role in sorted(draw(st.sets(st.sampled_from(TribeRole)))):
            history.append(TribeRoleAppointed(tid, person, role, "T-school", EARLIER))
        status = draw(st.sampled_from(["stranger", "applicant", "member"]))
        if status != "stranger":
            history.append(TribeMembershipRequested(tid, person, EARLIER))
        if status == "member":
            history.append(TribeMemberAdmitted(tid, person, "T-school", EARLIER))
    step = st.tuples(st.sampled_from(BASE_ACTORS), _commands(tid))
    return history, draw(st.lists(step, max_size=40))


@settings(max_examples=300, deadline=None)
@for_all(_scenarios())
def test_membership_and_authority_hold_for_any_command_sequence(scenario: Scenario) -> None:
    """第七条 / 第二十二条 / 第二十三条, as invariants.

    Whatever students, staff, tribe leaders/admins and admins of any college do, in any order:
    nobody is at once a member and a pending applicant, and a command by an actor the
    rules do not empower is refused with ``auth.forbidden`` — it never yields events.
    Tribe roles are derived from the tribe stream, as the service does.
    """
    history, steps = scenario
    state = DECIDER.fold(history)
    assert state is not None
    assert state.members.isdisjoint(state.applicants)
    for base, command in steps:
        actor = base.institutional().with_roles(state.roles_of(base.person_id))
        allowed = _authorized(actor, state, command)
        events, refusal = _attempt(command, state, actor)
        if not allowed:
            assert refusal == FORBIDDEN, (command, actor, refusal)
            assert events == []
        else:
            assert refusal != FORBIDDEN, (command, actor)
        state = DECIDER.fold(events, state)
        assert state is not None
        assert state.members.isdisjoint(state.applicants)


def _attempt(command: Any, state: Tribe, actor: Actor) -> tuple[list[Any], str | None]:
    """The events a command yields, or none and the code it was refused with."""
    try:
        return list(DECIDER.decide(command, state, context(actor))), None
    except DomainError as error:
        return [], error.code


# -- the roles a decision sees (第二十二条: the tribe's own record says who leads it) -----------


def test_a_decision_sees_the_tribe_roles_the_tribe_records_and_never_the_caller_s() -> None:
    """Given a caller who claims to lead 象棋社 and is a college admin, while 象棋社's stream
    records them as its organizer only, then the actor a decision sees holds the college admin
    role and the organizer role, and no leader role; without a host tribe, no tribe role at
    all; the context keeps its clock and rulebook."""
    host = DECIDER.fold([*STAFFED, TribeRoleAppointed(TID, "T-pe", TribeRole.ORGANIZER, "x", NOW)])
    caller = Actor(
        "T-pe",
        {
            Role.college_admin("PE"),
            Role.tribe(RoleKind.TRIBE_LEADER, TID),
            Role.tribe(RoleKind.TRIBE_ADMIN, UNION.tribe_id),
        },
    )
    organizer = Actor("T-pe", {Role.college_admin("PE"), Role.tribe(RoleKind.TRIBE_ORGANIZER, TID)})
    assert roles_in(caller, host) == organizer
    assert roles_in(caller, None) == Actor("T-pe", {Role.college_admin("PE")})
    base = context(caller, at(10, 1), NEPU)
    seen = with_tribe_roles(base, host)
    assert seen.actor == organizer
    assert (seen.now, seen.rulebook) == (at(10, 1), NEPU)
    assert with_tribe_roles(base, None).actor == Actor("T-pe", {Role.college_admin("PE")})
