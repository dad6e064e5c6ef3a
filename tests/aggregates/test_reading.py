"""Who may read an aggregate (aggregates/reading.py), as pure functions of loaded states: the
activity's managers and its college's admin read it (第十三条), nobody else; the organizer's
screen shows a check-in code only to the activity's managers (第十五条)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from uuid import UUID

import attrs
import pytest

from second_classroom.aggregates import reading
from second_classroom.aggregates.activity import NOT_FOUND as ACTIVITY_NOT_FOUND
from second_classroom.aggregates.activity import Activity
from second_classroom.aggregates.activity_attendance import Attendance, Session, SessionKind
from second_classroom.aggregates.checkin import SESSION_UNKNOWN
from second_classroom.aggregates.claim import Claim
from second_classroom.aggregates.practice import Practice
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import UNAUTHORIZED, DomainError
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.policies.rulebook import preset
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER, ORGANIZER_NUMBER, UNION, approved_activity, found_school
from tests.specification import CS_ADMIN, NEPU, NOW, PE_ADMIN, SCHOOL_ADMIN, context

OUTSIDER = Actor.student("2024999999")


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Activity, Tribe]]:
    """Given an approved activity of 石油工程学院's union, as the log holds it."""
    with SecondClassroom.in_memory() as service:
        found_school(service, 1)
        activity_id = approved_activity(service, "talk")
        activity = service.activity(activity_id, SCHOOL_ADMIN)
        host = service.tribe(UNION.tribe_id, SCHOOL_ADMIN)
        assert activity is not None
        assert host is not None
        yield activity, host


@pytest.mark.parametrize(
    ("actor", "reads"),
    [
        (LEADER, True),  # the host tribe's leader, from the Tribe stream
        (Actor.student(ORGANIZER_NUMBER), True),  # an organizer the form names
        (PE_ADMIN, True),  # the host's college
        (SCHOOL_ADMIN, True),
        (CS_ADMIN, False),  # another college
        (OUTSIDER, False),
    ],
)
def test_an_activity_is_read_by_its_managers_and_admins_only(
    world: tuple[Activity, Tribe], actor: Actor, reads: bool
) -> None:
    activity, host = world
    assert reading.may_read_activity(actor, activity, host) is reads


def test_no_activity_reads_as_the_same_none_to_all_but_operators() -> None:
    assert reading.may_read_activity(SCHOOL_ADMIN, None, None) is True
    assert reading.may_read_activity(PE_ADMIN, None, None) is False


def test_a_tribe_role_the_caller_claims_is_not_believed(world: tuple[Activity, Tribe]) -> None:
    _, host = world
    claimed = OUTSIDER.with_roles(host.roles_of(LEADER.person_id))  # the leader's, claimed
    assert reading.may_read_tribe(claimed, host.id, host) is False
    assert reading.may_read_tribe(LEADER, host.id, host) is True


def test_the_check_in_code_of_an_unknown_activity_is_activity_not_found() -> None:
    missing = ids.activity_id(UNION.tribe_id, "none")
    with pytest.raises(DomainError) as refused:
        reading.check_in_session(missing, None, None, context(LEADER, NOW), 1)
    assert refused.value.code == ACTIVITY_NOT_FOUND.code
    assert refused.value.details == {"activity_id": str(missing)}


def test_the_check_in_code_is_refused_to_anyone_but_the_managers(
    world: tuple[Activity, Tribe],
) -> None:
    activity, host = world
    with pytest.raises(DomainError) as refused:
        reading.check_in_session(activity.id, activity, host, context(OUTSIDER, NOW), 1)
    assert refused.value.code == UNAUTHORIZED.code
    assert refused.value.details == {"action": "查看签到码 show check-in code"}


def test_a_session_never_opened_has_no_code(world: tuple[Activity, Tribe]) -> None:
    activity, host = world
    with pytest.raises(DomainError) as refused:
        reading.check_in_session(activity.id, activity, host, context(LEADER, NOW), 1)
    assert refused.value.code == SESSION_UNKNOWN.code


# -- 补录 claims (seed 001 第三、六条) and recorded practice teams (seed 002 一 4)) ------------

SIIT = preset("siit")
COUNSELOR_PE = Actor("T-counselor", frozenset({Role(RoleKind.COUNSELOR, "PE")}))
COUNSELOR_CS = Actor("T-counselor-cs", frozenset({Role(RoleKind.COUNSELOR, "CS")}))
CENTER = Actor("T-center", frozenset({Role(RoleKind.CENTER)}))
CLAIMANT = Actor.student("2023010105")


def personal_claim(college: str | None = "PE") -> Claim:
    """A 个人成长积分补录 of 石油工程学院's student, in review (seed 001 第六条)."""
    return Claim(
        UUID(int=5),
        ClaimKind.PERSONAL,
        CLAIMANT.person_id,
        None,
        college,
        "全国大学生数学竞赛",
        (),
        (CLAIMANT.person_id,),
        None,
        None,
        None,
        None,
    )


def collective_claim(tribe: Tribe) -> Claim:
    """A 集体活动积分补录 filed by ``tribe`` (seed 001 第二、三条)."""
    return attrs.evolve(
        personal_claim(),
        kind=ClaimKind.COLLECTIVE,
        tribe_id=tribe.id,
        beneficiaries=("2023010106",),
    )


@pytest.mark.parametrize(
    ("actor", "reads"),
    [
        (CLAIMANT, True),  # the student who filed it
        (PE_ADMIN, True),  # their college's admin
        (COUNSELOR_PE, True),  # 辅导员 of the college: a step of the chain (第六条)
        (CENTER, True),  # 二课中心: the last step
        (SCHOOL_ADMIN, True),
        (COUNSELOR_CS, False),  # another college's counselor
        (CS_ADMIN, False),
        (OUTSIDER, False),
    ],
    ids=["claimant", "college", "counselor", "center", "school", "counselor-cs", "cs", "outsider"],
)
def test_a_personal_claim_is_read_by_its_student_their_college_and_its_reviewers(
    actor: Actor, reads: bool
) -> None:
    assert reading.may_read_claim(actor, personal_claim(), None, SIIT) is reads


def test_a_claim_of_no_college_is_read_by_no_college_step() -> None:
    """A college-scoped step applies to the claim's college: none, nobody of a college."""
    claim = personal_claim(college=None)
    assert reading.may_read_claim(COUNSELOR_PE, claim, None, SIIT) is False
    assert reading.may_read_claim(CLAIMANT, claim, None, SIIT) is True


def test_a_reviewer_who_gains_from_the_claim_does_not_read_it_as_reviewer() -> None:
    """may_decide: nobody reviews a claim they file or gain from, so the step gives no read."""
    counselor_student = Actor(
        "2023010106", frozenset({Role(RoleKind.COUNSELOR, "CS"), Role.student()})
    )
    claim = attrs.evolve(personal_claim(college="CS"), beneficiaries=("2023010106",))
    assert reading.may_read_claim(counselor_student, claim, None, SIIT) is False
    assert reading.may_read_claim(COUNSELOR_CS, claim, None, SIIT) is True


def test_a_kind_without_a_chain_is_read_by_no_reviewer() -> None:
    """NEPU's rulebook has no 补录 chains: a counselor reads nothing through one."""
    assert NEPU.claims.chain(ClaimKind.PERSONAL) is None
    assert reading.may_read_claim(COUNSELOR_PE, personal_claim(), None, NEPU) is False
    assert reading.may_read_claim(PE_ADMIN, personal_claim(), None, NEPU) is True


def test_no_claim_reads_as_the_same_none_to_all_but_operators() -> None:
    assert reading.may_read_claim(SCHOOL_ADMIN, None, None, SIIT) is True
    assert reading.may_read_claim(CENTER, None, None, SIIT) is False


def test_a_collective_claim_is_read_by_its_tribe_and_its_advisor(
    world: tuple[Activity, Tribe],
) -> None:
    """附件2 二级学院团总支/指导老师审核意见: the tribe's advisor decides the first step."""
    _, host = world
    claim = collective_claim(host)
    advisor = Actor("T-advisor", frozenset({Role(RoleKind.ADVISOR, str(host.id))}))
    other_advisor = Actor("T-advisor2", frozenset({Role(RoleKind.ADVISOR, str(ids.tribe_id("X")))}))
    assert reading.may_read_claim(LEADER, claim, host, SIIT) is True
    assert reading.may_read_claim(advisor, claim, host, SIIT) is True
    assert reading.may_read_claim(other_advisor, claim, host, SIIT) is False
    assert reading.may_read_claim(CLAIMANT, claim, host, SIIT) is False  # not the tribe's
    # the leader's role comes from the tribe stream: without it, the leader reads nothing
    assert reading.may_read_claim(LEADER, claim, None, SIIT) is False


def practice(tribe_id: UUID | None = None, college: str | None = "PE") -> Practice:
    return Practice(
        ids.practice_id("PE", "team-1"),
        "暑期三下乡",
        college,
        tribe_id,
        NOW,
        NOW,
        5,
        Decimal("40"),
        ("2023010105",),
        "T-pe",
        NOW,
    )


def test_a_practice_team_recorded_by_a_college_is_read_by_that_college(
    world: tuple[Activity, Tribe],
) -> None:
    team = practice()
    assert reading.may_read_practice(PE_ADMIN, team, None) is True
    assert reading.may_read_practice(SCHOOL_ADMIN, team, None) is True
    assert reading.may_read_practice(CS_ADMIN, team, None) is False
    assert reading.may_read_practice(LEADER, team, world[1]) is False


def test_a_practice_team_recorded_by_a_tribe_is_read_by_the_tribe(
    world: tuple[Activity, Tribe],
) -> None:
    _, host = world
    team = practice(tribe_id=host.id, college=None)
    assert reading.may_read_practice(LEADER, team, host) is True
    assert reading.may_read_practice(PE_ADMIN, team, host) is True  # the tribe's college
    assert reading.may_read_practice(CS_ADMIN, team, host) is False
    assert reading.may_read_practice(LEADER, team, None) is False


def test_no_practice_team_reads_as_none_to_all_but_operators() -> None:
    assert reading.may_read_practice(SCHOOL_ADMIN, None, None) is True
    assert reading.may_read_practice(PE_ADMIN, None, None) is False


def test_a_tribe_is_read_by_its_college_admin(world: tuple[Activity, Tribe]) -> None:
    _, host = world
    assert reading.may_read_tribe(PE_ADMIN, host.id, host) is True
    assert reading.may_read_tribe(CS_ADMIN, host.id, host) is False
    assert reading.may_read_tribe(PE_ADMIN, host.id, None) is False  # no tribe, no college


def test_an_activity_of_an_unknown_host_is_read_by_its_named_organizers_only(
    world: tuple[Activity, Tribe],
) -> None:
    activity, _ = world
    assert reading.may_read_activity(Actor.student(ORGANIZER_NUMBER), activity, None) is True
    assert reading.may_read_activity(PE_ADMIN, activity, None) is False
    assert reading.may_read_activity(SCHOOL_ADMIN, activity, None) is True


def test_the_check_in_code_of_an_opened_session_is_shown_to_a_manager(
    world: tuple[Activity, Tribe],
) -> None:
    """第十五条: given sessions 1 and 2 were opened, the leader's screen shows session 2."""
    activity, host = world
    sessions = tuple(Session(n, SessionKind.CHECK_IN, NOW, NOW, False, None, 30) for n in (1, 2))
    opened = attrs.evolve(activity, attendance=Attendance(sessions=sessions))
    shown = reading.check_in_session(activity.id, opened, host, context(LEADER, NOW), 2)
    assert shown is sessions[1]
