"""``batch()``: many commands, one transaction — each decided on the state the ones before it
left, nothing visible to others until the end, and all or nothing."""

from __future__ import annotations

import pytest

from second_classroom.aggregates.registration import CancelRegistration, Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.service import SecondClassroom
from tests.enrolment_world import REGISTERING, approved_activity, found_school
from tests.specification import present


def test_commands_in_a_batch_see_each_other_and_are_stored_together(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    here, there = two_services
    students = found_school(here, 3)
    seat = approved_activity(here, "one-seat", capacity=1)
    top = here.app.recorder.max_notification_id()
    refused = []
    with here.batch():
        for number in students:
            try:
                here.execute(Register(seat), Actor.student(number), REGISTERING)
            except DomainError as error:
                refused.append(error.code)  # a refused command stages nothing
        inside = here._load.activity(seat)
        assert inside is not None
        assert inside.roster.admitted == frozenset({students[0]})  # read your own writes
        assert present(there._load.activity(seat)).roster.admitted == frozenset()
        assert here.app.recorder.max_notification_id() == top  # nothing stored yet
    assert refused == ["activity.capacity_full", "activity.capacity_full"]
    assert present(there._load.activity(seat)).roster.admitted == frozenset({students[0]})
    assert len(there._load.history(seat)) == len(here._load.history(seat))


def test_an_exception_leaving_the_batch_stores_nothing(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    here, there = two_services
    [student] = found_school(here, 1)
    talk = approved_activity(here, "talk")
    top = here.app.recorder.max_notification_id()

    def import_cut_short() -> None:
        with here.batch():
            here.execute(Register(talk), Actor.student(student), REGISTERING)
            raise RuntimeError("the import file was cut short")

    with pytest.raises(RuntimeError):
        import_cut_short()
    assert here.app.recorder.max_notification_id() == top
    assert here._load.enrolment(talk, student) is None
    assert there._load.enrolment(talk, student) is None


def test_a_batch_that_meets_another_writer_stores_nothing(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    here, there = two_services
    first, second = found_school(here, 2)
    talk = approved_activity(here, "talk")

    def batch_overtaken() -> None:
        with here.batch():
            here.execute(Register(talk), Actor.student(first), REGISTERING)
            there.execute(Register(talk), Actor.student(second), REGISTERING)

    with pytest.raises(DomainError) as conflict:
        batch_overtaken()
    top = there.app.recorder.max_notification_id()
    assert conflict.value.code == "store.conflict"
    assert here.app.recorder.max_notification_id() == top
    assert here._load.enrolment(talk, first) is None
    state = here._load.activity(talk)
    assert state is not None
    assert state.roster.admitted == frozenset({second})
    # Run again, it goes through on the fresh state.
    with here.batch():
        here.execute(Register(talk), Actor.student(first), REGISTERING)
        here.execute(CancelRegistration(talk), Actor.student(first), REGISTERING)
    assert there._load.enrolment(talk, first) is not None
