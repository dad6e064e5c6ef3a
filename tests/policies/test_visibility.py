"""The read rules as pure functions (policies/visibility.py); the facade's matrix is in
tests/test_read_authorization.py."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import attrs
import pytest

from second_classroom.aggregates.activity_roster import (
    Outcome,
    RegistrationAccepted,
    RegistrationWithdrawn,
)
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.policies import visibility

AT = datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)
ME = "2024000001"
HOST = uuid4()


def test_a_student_reads_only_their_own_record() -> None:
    assert visibility.may_read_student(Actor.student(ME), ME, "PE")
    assert not visibility.may_read_student(Actor.student("2024000002"), ME, "PE")
    assert visibility.may_read_student(Actor.college_admin("T", "PE"), ME, "PE")
    assert not visibility.may_read_student(Actor.college_admin("T", "CS"), ME, "PE")
    # no record, no college: a college admin cannot probe whether a 学号 exists
    assert not visibility.may_read_student(Actor.college_admin("T", "PE"), ME, None)
    assert visibility.may_read_student(Actor.school_admin("T"), ME, None)
    assert visibility.may_read_student(Actor.system(), ME, None)


def test_an_activity_is_its_managers_and_its_colleges() -> None:
    leader = Actor.student("2023").with_roles([Role.tribe(RoleKind.TRIBE_LEADER, HOST)])
    organizer = Actor.student("2023").with_roles([Role.tribe(RoleKind.TRIBE_ORGANIZER, HOST)])
    elsewhere = Actor.student("2023").with_roles([Role.tribe(RoleKind.TRIBE_LEADER, uuid4())])
    assert visibility.may_read_activity(leader, HOST, "PE")
    assert visibility.may_read_activity(organizer, HOST, "PE")
    assert not visibility.may_read_activity(elsewhere, HOST, "PE")
    assert visibility.may_read_activity(Actor.student("2023"), HOST, "PE", organizers=("2023",))
    assert visibility.may_read_activity(Actor.college_admin("T", "PE"), HOST, "PE")
    assert not visibility.may_read_activity(Actor.college_admin("T", "CS"), HOST, "PE")
    # a school-level tribe has no college: only operators beyond its managers
    assert not visibility.may_read_activity(Actor.college_admin("T", "PE"), HOST, None)


def test_an_actor_without_any_role_reads_nothing() -> None:
    nobody = Actor("someone")
    assert not visibility.is_signed_in(nobody)
    assert not visibility.may_read_student(nobody, "someone", "PE")
    assert not visibility.may_read_college(nobody, None)


def test_an_event_about_the_actor_alone_is_theirs() -> None:
    mine = RegistrationAccepted(HOST, ME, Outcome.ADMITTED, AT)
    assert visibility.about_only(mine, ME)
    assert not visibility.about_only(mine, "2024000002")


def test_an_event_naming_someone_else_is_not() -> None:
    """第十二条 候补: the withdrawal names who was promoted."""
    promoting = RegistrationWithdrawn(HOST, ME, "2024000002", AT, Outcome.ADMITTED)
    assert not visibility.about_only(promoting, ME)
    alone = attrs.evolve(promoting, promoted=None)
    assert visibility.about_only(alone, ME)


def test_an_event_without_a_subject_is_nobody_s() -> None:
    @attrs.frozen
    class Anonymous:
        activity_id: object

    assert not visibility.about_only(Anonymous(HOST), ME)
    assert not visibility.about_only("not an event", ME)


def test_anyone_holding_a_role_is_signed_in() -> None:
    """What is published (the activity board, the leaderboards) is for every role holder."""
    assert visibility.is_signed_in(Actor.student(ME))
    assert visibility.is_signed_in(Actor.college_admin("T", "PE"))


def test_a_tribe_is_its_managers_and_its_colleges() -> None:
    """第二十二条: a tribe's members and role holders are read by its leaders, admins and
    organizers, its college admin and operators; a member or another tribe's leader is not."""
    for kind in visibility.MANAGER_KINDS:
        manager = Actor.student("2023").with_roles([Role.tribe(kind, HOST)])
        assert visibility.may_read_tribe(manager, HOST, "PE")
        assert visibility.may_read_tribe(manager, HOST, None)  # a school-level tribe too
    elsewhere = Actor.student("2023").with_roles([Role.tribe(RoleKind.TRIBE_LEADER, uuid4())])
    assert not visibility.may_read_tribe(elsewhere, HOST, "PE")
    assert not visibility.may_read_tribe(Actor.student(ME), HOST, "PE")
    assert visibility.may_read_tribe(Actor.college_admin("T", "PE"), HOST, "PE")
    assert not visibility.may_read_tribe(Actor.college_admin("T", "CS"), HOST, "PE")
    assert not visibility.may_read_tribe(Actor.college_admin("T", "PE"), HOST, None)
    assert visibility.may_read_tribe(Actor.school_admin("T"), HOST, None)


def test_a_refused_read_is_forbidden_and_says_what() -> None:
    visibility.require_read(True, "部落 tribe")  # allowed: returns quietly
    with pytest.raises(DomainError) as refused:
        visibility.require_read(False, "部落 tribe")
    assert refused.value.code == "auth.forbidden"
    assert refused.value.details == {"action": "查看 read 部落 tribe"}


@attrs.frozen
class Listing:
    """An event with a subject and two fields naming other people."""

    student: str
    promoted: str | None = None
    students: tuple[str, ...] = ()


def test_every_field_naming_people_is_read() -> None:
    """A list naming only the actor is theirs; naming anyone else, in any field, even after
    an empty one, is not."""
    assert visibility.about_only(Listing(ME, students=(ME,)), ME)
    assert visibility.about_only(Listing(ME, promoted=ME, students=(ME, ME)), ME)
    assert not visibility.about_only(Listing(ME, students=(ME, "2024000002")), ME)
    assert not visibility.about_only(Listing(ME, promoted=None, students=("2024000002",)), ME)
    assert not visibility.about_only(Listing(ME, promoted="2024000002"), ME)
