"""Who may read an aggregate (aggregates/reading.py), as pure functions of loaded states: the
activity's managers and its college's admin read it (第十三条), nobody else; the organizer's
screen shows a check-in code only to the activity's managers (第十五条)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from second_classroom.aggregates import reading
from second_classroom.aggregates.activity import NOT_FOUND as ACTIVITY_NOT_FOUND
from second_classroom.aggregates.activity import Activity
from second_classroom.aggregates.checkin import SESSION_UNKNOWN
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import UNAUTHORIZED, DomainError
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER, ORGANIZER_NUMBER, UNION, approved_activity, found_school
from tests.specification import CS_ADMIN, NOW, PE_ADMIN, SCHOOL_ADMIN, context

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


def test_the_check_in_code_is_refused_to_anyone_but_the_managers(
    world: tuple[Activity, Tribe],
) -> None:
    activity, host = world
    with pytest.raises(DomainError) as refused:
        reading.check_in_session(activity.id, activity, host, context(OUTSIDER, NOW), 1)
    assert refused.value.code == UNAUTHORIZED.code


def test_a_session_never_opened_has_no_code(world: tuple[Activity, Tribe]) -> None:
    activity, host = world
    with pytest.raises(DomainError) as refused:
        reading.check_in_session(activity.id, activity, host, context(LEADER, NOW), 1)
    assert refused.value.code == SESSION_UNKNOWN.code
