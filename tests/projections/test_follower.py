"""The in-memory log follower: each event handled once, in order, whatever the number of
threads catching up; an event that cannot be decoded is passed over (issue 11, §3 and §4)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.student import RegisterStudent, StudentRegistered
from second_classroom.core.actor import Actor
from second_classroom.persistence.mapper import Envelope
from second_classroom.projections.follower import LogFollower
from second_classroom.service import SecondClassroom
from tests.enrolment_world import REGISTERING, approved_activity, found_school
from tests.specification import PE_ADMIN, at
from tests.stores import TEST_SECRET, sqlite_memory_env


def test_threads_catching_up_at_once_handle_each_event_once_in_order() -> None:
    """Given 20 registrations and a slow handler; when 8 threads catch up at the same moment;
    then every event was handled exactly once, in log order."""
    with SecondClassroom.open(sqlite_memory_env(), secret=TEST_SECRET) as service:
        for n in range(20):
            command = RegisterStudent(f"2025{n:06d}", "学生", "PE", "石工25-1班", 2025)
            service.execute(command, PE_ADMIN, at(11, 23))
        handled: list[int] = []

        def handle(position: int, _envelope: Envelope) -> None:
            time.sleep(0.001)  # lets another thread run mid-batch
            handled.append(position)

        follower = LogFollower(service.app, (StudentRegistered,), handle, batch=5)
        start = threading.Barrier(8)

        def catch_up() -> None:
            start.wait()
            follower.catch_up()

        threads = [threading.Thread(target=catch_up) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert Counter(handled).most_common(1)[0][1] == 1
        assert handled == sorted(handled)
        assert len(handled) == 20


def test_an_event_that_cannot_be_decoded_is_passed_over() -> None:
    """Given a stored event whose bytes are not JSON between two registrations; when the
    follower catches up; then it handles both registrations and reaches the end."""
    with SecondClassroom.open(sqlite_memory_env(), secret=TEST_SECRET) as service:
        service.execute(
            RegisterStudent("2025000001", "甲", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 23)
        )
        broken = StoredEvent(uuid.uuid4(), 1, "StudentRegistered", b"\x00not json")
        service.app.recorder.insert_events([broken])
        service.execute(
            RegisterStudent("2025000002", "乙", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 23)
        )
        seen: list[str] = []
        follower = LogFollower(
            service.app, (StudentRegistered,), lambda _p, e: seen.append(e.payload.name)
        )
        assert follower.catch_up() == 3
        assert seen == ["甲", "乙"]


def test_my_activities_read_while_registrations_arrive_never_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given a student registering for twelve activities one by one, and four threads reading
    their 我的活动 all the while (each load made slow, as a busy database is); then no read
    fails and the last one lists every registration."""
    with SecondClassroom.open(sqlite_memory_env(), secret=TEST_SECRET) as service:
        [number] = found_school(service, 1)
        student = Actor.student(number)
        activities = [approved_activity(service, f"a{k}") for k in range(12)]
        load = service.app.load

        def slow_load(decider: Any, stream: Any) -> Any:
            time.sleep(0.0005)
            return load(decider, stream)

        monkeypatch.setattr(service.app, "load", slow_load)
        errors: list[BaseException] = []
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                try:
                    service.my_activities(number, student, REGISTERING)
                except Exception as error:
                    errors.append(error)
                    return

        readers = [threading.Thread(target=read) for _ in range(4)]
        for reader in readers:
            reader.start()
        for activity_id in activities:
            service.execute(Register(activity_id), student, REGISTERING)
            time.sleep(0.01)
        done.set()
        for reader in readers:
            reader.join()
        assert errors == []
        assert len(service.my_activities(number, student, REGISTERING)) == 12
