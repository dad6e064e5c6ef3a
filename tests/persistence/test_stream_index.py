"""The stream index: a stream that does not exist is known empty without a read, and a stream
another process created is never taken for empty once the log has been looked at."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from second_classroom.aggregates import enrolment
from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.persistence.stores import postgres_env, sqlite_env
from second_classroom.persistence.stream_index import StreamIndex
from second_classroom.service import SecondClassroom
from tests.enrolment_world import REGISTERING, approved_activity, found_school
from tests.spies import count_calls
from tests.stores import TEST_SECRET

OLD, NEW, LATE = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)


# -- the index on its own -----------------------------------------------------------------------


def test_a_stream_is_absent_only_once_the_log_was_read_and_it_is_not_there() -> None:
    index = StreamIndex(lambda: [OLD])
    assert not index.absent(OLD)
    assert index.absent(NEW)
    index.add([NEW])
    assert not index.absent(NEW)


def test_a_forget_during_the_read_leaves_the_index_incomplete() -> None:
    """Writes the log was not followed for may be missing from a read that began before."""

    def read_while_forgotten() -> list[uuid.UUID]:
        index.forget()  # the state cache reset while the query ran
        return [OLD]

    index = StreamIndex(read_while_forgotten)
    assert not index.absent(LATE)  # not complete: the store is read instead


def test_a_disabled_index_never_answers_absent() -> None:
    index = StreamIndex(list, enabled=False)
    assert not index.absent(NEW)


# -- on a store, as two processes ---------------------------------------------------------------


@pytest.fixture(params=["memory", "file", pytest.param("postgres", marks=pytest.mark.postgres)])
def pair(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[SecondClassroom, SecondClassroom]]:
    """Two facades on one store, as two processes: shared-cache SQLite memory, an SQLite
    file (where the log's top is read on a connection of its own), PostgreSQL."""
    if request.param == "memory":
        env = sqlite_env(f"file:index_{uuid.uuid4().hex}?mode=memory&cache=shared")
    elif request.param == "file":
        env = sqlite_env(tmp_path / "school.sqlite3")
    else:
        schema = request.getfixturevalue("postgres_schema")
        env = postgres_env(request.getfixturevalue("postgres_dsn"), schema=schema)
    with (
        SecondClassroom.open(env, secret=TEST_SECRET) as here,
        SecondClassroom.open(env, secret=TEST_SECRET) as there,
    ):
        yield here, there


def test_a_first_registration_reads_no_enrolment_stream(
    pair: tuple[SecondClassroom, SecondClassroom],
) -> None:
    """Given a school and an activity; when a student registers for the first time; then the
    new enrolment stream is not read from the store (the index knows it has no events), and
    the student is admitted."""
    here, _there = pair
    numbers = found_school(here, 2)
    talk = approved_activity(here, "talk", capacity=5)
    here._load.activity(talk)
    reads: list[Any] = count_calls(here.app.recorder, "select_events")
    here.execute(Register(talk), Actor.student(numbers[0]), REGISTERING)
    assert reads == []
    held = here.enrolment(talk, numbers[0], Actor.school_admin("T-office"))
    assert held is not None
    assert held.status is enrolment.EnrolmentStatus.ADMITTED


def test_an_enrolment_another_process_created_is_not_taken_for_new(
    pair: tuple[SecondClassroom, SecondClassroom],
) -> None:
    """Given both processes have read the log (the index is complete in each); when one
    registers a student, then the other registers the same student; then the second is
    refused as already registered — decided on the stored enrolment, not on an empty one."""
    here, there = pair
    numbers = found_school(here, 2)
    talk = approved_activity(here, "talk", capacity=5)
    here.execute(Register(talk), Actor.student(numbers[1]), REGISTERING)  # index read here
    assert there.app.streams.absent(enrolment.enrolment_id(talk, numbers[0]))  # and there
    there.execute(Register(talk), Actor.student(numbers[0]), REGISTERING)
    appends = count_calls(here.app, "stage")
    with pytest.raises(DomainError) as refused:
        here.execute(Register(talk), Actor.student(numbers[0]), REGISTERING)
    assert refused.value.code == "enrolment.already_registered"
    assert appends == []  # no stale decision, no conflict and retry
