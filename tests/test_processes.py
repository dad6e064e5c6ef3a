"""Several processes on one store (issue 17 §3): two OS processes registering for one activity
at once keep every invariant — no over-admission, each seat with its enrolment, and views
equal to a rebuild from zero."""

from __future__ import annotations

from pathlib import Path

import pytest

from second_classroom.aggregates import enrolment
from second_classroom.core.actor import Actor
from second_classroom.persistence.stores import postgres_env, sqlite_env
from second_classroom.service import SecondClassroom
from tests.enrolment_world import approved_activity, found_school
from tests.stores import TEST_SECRET
from tests.two_processes import SEATS, STUDENTS, register_from_two_processes


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("postgres-leases", marks=pytest.mark.postgres),
    ]
)
def shared_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """An SQLite file, or a PostgreSQL schema (optimistic concurrency alone, or with the
    processes taking turns on the streams they both write: ``STREAM_LEASES``)."""
    if request.param == "sqlite":
        return sqlite_env(tmp_path / "school.sqlite3")
    schema = request.getfixturevalue("postgres_schema")
    env = postgres_env(request.getfixturevalue("postgres_dsn"), schema=schema)
    return {**env, "STREAM_LEASES": "y"} if request.param == "postgres-leases" else env


def test_two_processes_registering_at_once_keep_every_invariant(
    shared_env: dict[str, str],
) -> None:
    """Given an activity of 10 seats and 40 students; when two processes, started together,
    each register half of them from two threads, interleaving on one store; then exactly 10
    are admitted,
    every admitted student holds an admitted enrolment, every other registration was refused
    for a full activity, and the views equal a rebuild from zero."""
    with SecondClassroom.open(shared_env, secret=TEST_SECRET) as service:
        numbers = found_school(service, STUDENTS)
        talk = approved_activity(service, "talk", capacity=SEATS)

    assert register_from_two_processes(shared_env, talk, numbers, timeout=300) == [0, 0]

    with SecondClassroom.open(shared_env, secret=TEST_SECRET) as service:
        office = Actor.school_admin("T-office")
        state = service.activity(talk, office)
        assert state is not None
        assert len(state.roster.admitted) == SEATS
        for number in numbers:
            held = service.enrolment(talk, number, office)
            admitted = number in state.roster.admitted
            assert (
                held is not None and held.status is enrolment.EnrolmentStatus.ADMITTED
            ) == admitted
        # Conflicts between the processes leave gaps in PostgreSQL's log: the views pass
        # them once every transaction that could fill them has ended.
        top = service.app.recorder.max_notification_id() or 0
        assert service.views.runner.wait(top, timeout=60)
        live = service.views.runner.digests()
        service.views.runner.rebuild()
        assert service.views.runner.digests() == live
        rows = service.views.query("SELECT COUNT(*) FROM my_activities")
        assert rows == [(SEATS,)]
