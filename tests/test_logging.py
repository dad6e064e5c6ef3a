"""The library logs through ``logging`` (``second_classroom.*`` loggers): the store opened, the
reactions run, the views' progress — at levels that make no noise by default, and never a
password."""

from __future__ import annotations

import logging

import pytest

from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.core.terms import AdmissionMethod
from second_classroom.persistence.stores import (
    describe_store,
    popo_env,
    postgres_env,
    sqlite_env,
)
from second_classroom.service import SecondClassroom
from tests.conftest import TEST_SECRET, sqlite_memory_env
from tests.enrolment_world import CLOSED, REGISTERING, approved_activity, found_school


def test_a_store_is_described_by_where_it_lives_never_by_its_password() -> None:
    dsn = "postgresql://school:hunter2@db.example:5433/transcripts"
    assert (
        describe_store(postgres_env(dsn, "pe"))
        == "PostgreSQL db.example:5433/transcripts schema pe"
    )
    assert (
        describe_store(postgres_env(dsn)) == "PostgreSQL db.example:5433/transcripts schema public"
    )
    assert describe_store(sqlite_env("school.sqlite3")) == "SQLite school.sqlite3"
    assert describe_store(popo_env()) == "in memory"


def test_opening_a_store_is_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    env = sqlite_memory_env()
    with caplog.at_level(logging.INFO, logger="second_classroom"):
        SecondClassroom.open(env, secret=TEST_SECRET).close()
    assert [
        (r.name, r.levelno, r.getMessage())
        for r in caplog.records
        if r.name == "second_classroom.persistence.application"
    ] == [
        (
            "second_classroom.persistence.application",
            logging.INFO,
            f"store opened: SQLite {env['SQLITE_DBNAME']}",
        )
    ]


def test_reactions_are_logged_when_some_were_due(caplog: pytest.LogCaptureFixture) -> None:
    # Given a lottery with registrants, registration still open
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        students = [Actor.student(n) for n in found_school(service, 3)]
        draw = approved_activity(service, "draw", AdmissionMethod.LOTTERY, capacity=2)
        for student in students:
            service.execute(Register(draw), student, REGISTERING)
        with caplog.at_level(logging.DEBUG, logger="second_classroom.service"):
            # When nothing is due, nothing is logged
            assert service.run_reactions(REGISTERING) == []
            assert caplog.records == []
            # When the draw is due, one line says what ran
            [_drawn] = service.run_reactions(CLOSED)
    assert [r.getMessage() for r in caplog.records] == [
        f"reactions at {CLOSED.isoformat()}: 1 due, 1 ran, 0 failed"
    ]
    assert caplog.records[0].levelno == logging.INFO


def test_the_library_is_silent_unless_the_application_configures_logging() -> None:
    # Only a NullHandler: warnings do not fall through to Python's last-resort stderr handler.
    handlers = logging.getLogger("second_classroom").handlers
    assert [type(h) for h in handlers] == [logging.NullHandler]
