"""Hypothesis properties of closing attendance through the facade (第十六条):

- the no-show reaction run several times, or interrupted by a crash and restarted, gives
  exactly one integrity entry per admitted student;
- blacklisted-until is the same from a replay of the store as from the live state.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom.aggregates import student as student_module
from second_classroom.aggregates.activity_attendance import Geofence
from second_classroom.aggregates.checkin import (
    CheckIn,
    Location,
    MakeUpCheckIn,
    OpenCheckInSession,
    SignOff,
)
from second_classroom.aggregates.registration import DecideLeave, Register, RequestLeave
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.terms import AttendanceOutcome
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.service import SecondClassroom
from tests.enrolment_world import (
    CLOSED,
    ORGANIZER_NUMBER,
    REGISTERING,
    approved_activity,
    found_school,
)
from tests.specification import at
from tests.stores import TEST_SECRET, sqlite_memory_env

ORGANIZER = Actor.student(ORGANIZER_NUMBER)
FIELD = Geofence(46.5889, 125.1487, 100.0)
ON_SITE = Location(46.5890, 125.1488, 10.0)
STARTED = at(12, 3, 14, 5)
ENDED = at(12, 3, 16)
STUDENTS = 6
fates = st.lists(
    st.sampled_from(["scan", "makeup", "leave", "signoff", "absent"]),
    min_size=STUDENTS,
    max_size=STUDENTS,
)

# 第十六条: a default blacklists for 120 hours from the moment of the default.
BLACKLISTED_UNTIL = {
    "absent": ENDED + timedelta(hours=120),
    "signoff": STARTED + timedelta(hours=120),
}


class Crash(Exception):
    """A process dying between deciding and committing."""


def play(service: SecondClassroom, plan: list[str]) -> list[Actor]:
    students = [Actor.student(n) for n in found_school(service, STUDENTS)]
    talk = approved_activity(service, "talk", capacity=STUDENTS)
    for student in students:
        service.execute(Register(talk), student, REGISTERING)
    service.execute(OpenCheckInSession(talk, 10, geofence=FIELD), ORGANIZER, STARTED)
    code = service.check_in_code(talk, 1, ORGANIZER, STARTED)
    assert code.password is not None
    for student, fate in zip(students, plan, strict=True):
        if fate == "scan":
            service.execute(
                CheckIn(talk, 1, password=code.password, location=ON_SITE),
                student,
                STARTED + timedelta(minutes=1),
            )
        elif fate == "makeup":
            service.execute(MakeUpCheckIn(talk, student.person_id, "定位失败"), ORGANIZER, STARTED)
        elif fate == "leave":
            service.execute(RequestLeave(talk, "有事"), student, CLOSED)
            service.execute(DecideLeave(talk, student.person_id, True), ORGANIZER, CLOSED)
        elif fate == "signoff":
            service.execute(SignOff(talk, student.person_id, "中途离场"), ORGANIZER, STARTED)
    return students


EXPECTED = {
    "scan": AttendanceOutcome.ATTENDED,
    "makeup": AttendanceOutcome.ATTENDED,
    "leave": AttendanceOutcome.EXCUSED,
    "signoff": AttendanceOutcome.SIGNED_OFF,
    "absent": AttendanceOutcome.NO_SHOW,
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=fates, runs=st.integers(1, 3), crash_first=st.booleans())
def test_closing_is_exactly_once_even_after_a_crash(
    plan: list[str], runs: int, crash_first: bool
) -> None:
    env = sqlite_memory_env()
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        students = play(service, plan)
        if crash_first:
            original = service.app.recorder.insert_events

            def crashing(*_args: Any, **_kwargs: Any) -> Any:
                raise Crash  # the store fails at the write

            service.app.recorder.insert_events = crashing  # type: ignore[method-assign]
            with contextlib.suppress(Crash):
                service.run_reactions(ENDED)
            service.app.recorder.insert_events = original  # type: ignore[method-assign]
        for _ in range(runs):
            with SecondClassroom.open(env, secret=TEST_SECRET) as restarted:
                restarted.run_reactions(ENDED)
        for student, fate in zip(students, plan, strict=True):
            record = service._load.student(student.person_id)
            assert record is not None
            assert [e.outcome for e in record.integrity] == [EXPECTED[fate]]
        with SecondClassroomApplication(env) as fresh:
            fresh.forget_states()
            for student in students:
                stream = ids.student_id(student.person_id)
                replayed = fresh.load(student_module.DECIDER, stream).state
                live = service._load.student(student.person_id)
                assert replayed == live
                assert replayed is not None
                assert replayed.blacklisted_until == (
                    ENDED + timedelta(hours=120)
                    if plan[students.index(student)] == "absent"
                    else (
                        STARTED + timedelta(hours=120)
                        if plan[students.index(student)] == "signoff"
                        else None
                    )
                )
