"""Pipelined commands: the next command on a stream decides on the state the previous one is
still storing; if that write fails, the later decision is made again — never stored on top of
versions that do not exist."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from second_classroom.aggregates.activity import ChangeActivityDetails
from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.persistence.pending import PendingStates
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER, REGISTERING, approved_activity, found_school
from tests.specification import at


def test_a_later_ticket_keeps_the_stream_when_an_earlier_one_settles() -> None:
    pending = PendingStates()
    stream = uuid.UUID(int=1)
    first, second = object(), object()

    class Held:
        id = stream

    pending.hold([Held()], first)
    pending.hold([Held()], second)
    pending.release([stream], first)
    held = pending.get(stream)
    assert held is not None
    assert held[1] is second
    pending.release([stream], second)
    assert pending.get(stream) is None


@pytest.mark.parametrize(
    "seats",
    [
        pytest.param(1, id="b refused on a's seat"),
        pytest.param(2, id="b admitted after a"),
    ],
)
def test_a_decision_on_a_write_that_failed_is_made_again(
    two_services: tuple[SecondClassroom, SecondClassroom], seats: int
) -> None:
    here, there = two_services
    a, b = found_school(here, 2)
    talk = approved_activity(here, "seats", capacity=seats)
    here._load.activity(talk)

    # Hold the first commit of `here` at the store until told to go on.
    entered, go_on = threading.Event(), threading.Event()
    original = here.app.recorder.insert_events
    calls = 0

    def held_put(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            entered.set()
            go_on.wait(5)
        return original(*args, **kwargs)

    here.app.recorder.insert_events = held_put  # type: ignore[method-assign]
    b_decided = threading.Event()  # on a's state, not stored yet
    settled, stage = here.app.settled, here.app.stage

    def refusal_waits(depends: Any) -> bool:
        b_decided.set()
        return settled(depends)

    def staged(*args: Any, **kwargs: Any) -> Any:
        found = stage(*args, **kwargs)
        if kwargs.get("depends") or (len(args) > 4 and args[4]):
            b_decided.set()
        return found

    here.app.settled = refusal_waits  # type: ignore[method-assign]
    here.app.stage = staged  # type: ignore[method-assign]
    outcomes: dict[str, str] = {}

    def register(student: str) -> None:
        try:
            here.execute(Register(talk), Actor.student(student), REGISTERING)
            outcomes[student] = "admitted"
        except DomainError as error:
            outcomes[student] = error.code

    first = threading.Thread(target=register, args=(a,))
    first.start()
    assert entered.wait(5)  # a's registration is decided and being stored
    second = threading.Thread(target=register, args=(b,))
    second.start()
    assert b_decided.wait(5)
    # b was refused on a's seat, or admitted after a — on a state not stored yet.
    # Meanwhile another process closes registration, taking the version a's was decided for.
    close = ChangeActivityDetails(talk, registration_closes=at(12, 1, 9))
    there.execute(close, LEADER, REGISTERING)
    go_on.set()
    first.join(10)
    second.join(10)

    state = there._load.activity(talk)
    assert state is not None
    assert state.roster.admitted == frozenset()
    # Both decided again on the stored state: registration is closed. (Had b's decision been
    # kept, it would rest on a registration of a's that was never stored.)
    assert outcomes == {a: "enrolment.not_registering", b: "enrolment.not_registering"}
    versions = [e.originator_version for e in there._load.history(talk)]
    assert versions == list(range(1, len(versions) + 1))  # no gap, nothing on top of a ghost
    assert len(here.app._pending) == 0
