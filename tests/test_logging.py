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
from tests.enrolment_world import CLOSED, REGISTERING, approved_activity, found_school
from tests.stores import TEST_SECRET, sqlite_memory_env


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


# -- a year of the official calendar nobody loaded is said at start-up ---------------------------

CALENDAR_LOGGER = "second_classroom.service"


def _calendar_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == CALENDAR_LOGGER and r.levelno == logging.WARNING and "calendar" in r.msg
    ]


def test_a_year_nobody_loaded_is_warned_about_and_named(caplog: pytest.LogCaptureFixture) -> None:
    """Given NEPU's rulebook (no [[calendar]] table) and chinesecalendar ending with 2026, when
    a school checks its calendar on 1 December 2026 (next month is January 2027), then 2027 is
    named and logged as a warning; on 30 November, or once 2027 is loaded, nothing is."""
    import attrs

    from second_classroom.policies.rulebook import YearCalendar
    from tests.specification import NEPU, at

    caplog.set_level(logging.WARNING, logger=CALENDAR_LOGGER)
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        assert service.calendar_gaps(at(11, 30, 23)) == ()
        assert _calendar_warnings(caplog) == []
        assert service.calendar_gaps(at(12, 1, 0)) == (2027,)
        [warning] = _calendar_warnings(caplog)
        assert "2027" in warning
        assert "calendar.year_unknown" in warning
    loaded = attrs.evolve(NEPU, calendar=(YearCalendar(2027),))
    caplog.clear()
    with SecondClassroom.open(popo_env(), loaded, secret=TEST_SECRET) as service:
        assert service.calendar_gaps(at(12, 1, 0)) == ()
        assert _calendar_warnings(caplog) == []


@pytest.mark.parametrize(("month", "warned"), [(11, False), (12, True)], ids=["nov", "dec"])
def test_serve_start_up_checks_the_calendar_with_its_clock(
    caplog: pytest.LogCaptureFixture, month: int, warned: bool
) -> None:
    """Given an HTTP deployment whose clock says November or December 2026, when the app is
    created (``serve`` does it at start-up), then 2027 is warned about in December only — the
    clock given, not the machine's."""
    from second_classroom.http.app import HttpSettings, create_app
    from tests.specification import at

    caplog.set_level(logging.WARNING, logger=CALENDAR_LOGGER)
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        create_app(service, HttpSettings(worker=False, clock=lambda: at(month, 15)))
        assert bool(_calendar_warnings(caplog)) is warned
