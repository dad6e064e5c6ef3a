"""The views' database is safe from any number of threads and takes ``?`` parameters on both
stores (issue 11, §4)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.errors import DomainError
from second_classroom.persistence.reading import UNSAFE_TEXT, safe_text
from second_classroom.persistence.stores import postgres_env, sqlite_env
from second_classroom.projections.database import psycopg_statement, safe_params
from second_classroom.service import SecondClassroom
from tests.enrolment_world import approved_activity, found_school
from tests.specification import PE_ADMIN, at
from tests.stores import TEST_SECRET, sqlite_memory_env


@pytest.fixture(params=["sqlite", "memory", pytest.param("postgres", marks=pytest.mark.postgres)])
def deployed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SecondClassroom]:
    """A store as deployed: an SQLite file, or a PostgreSQL schema with a small pool; and the
    in-memory SQLite store of the tests."""
    if request.param == "sqlite":
        env = sqlite_env(tmp_path / "school.sqlite3")
    elif request.param == "memory":
        env = sqlite_memory_env()
    else:
        env = postgres_env(
            request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")
        )
        env.update(POSTGRES_POOL_SIZE="4", POSTGRES_MAX_OVERFLOW="4")
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        yield service


def test_64_threads_read_and_write_the_views_without_an_error(deployed: SecondClassroom) -> None:
    """Given a school with an activity; when 64 threads, started together, register students
    and read the board, summaries, leaderboard and raw SQL for three seconds; then no call
    fails, every student is counted once, and the views equal a rebuild from zero."""
    service = deployed
    found_school(service, 2)
    talk = approved_activity(service, "talk")
    errors: list[BaseException] = []
    registered: list[str] = []
    start = threading.Barrier(64)
    stop = time.monotonic() + 3 + 2  # the barrier itself takes a moment

    def work(k: int) -> None:
        start.wait()
        n = 0
        while time.monotonic() < stop:
            try:
                match k % 4:
                    case 0:
                        number = f"2099{k:02d}{n:04d}"
                        command = RegisterStudent(number, "学生", "PE", "石工99-1班", 2024)
                        service.execute(command, PE_ADMIN, at(11, 24))
                        registered.append(number)
                        n += 1
                    case 1:
                        [board] = service.views.activity_board(str(talk))
                        assert board.status == "approved"
                    case 2:
                        assert service.views.student_summary("2023010101") is not None
                        service.views.leaderboard(by="college")
                    case _:
                        service.views.query(
                            "SELECT COUNT(*) FROM audit_log WHERE event LIKE ?", ("Student%",)
                        )
            except (Exception, DomainError) as error:
                errors.append(error)
                return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(registered) >= 16
    views = service.views
    top = service.app.recorder.max_notification_id()
    assert views.catch_up() == top
    assert views.query("SELECT COUNT(*) FROM audit_log") == [(top,)]
    counted = views.query(
        "SELECT COUNT(*) FROM student_summary WHERE class_name = ?", ("石工99-1班",)
    )
    assert counted == [(len(registered),)]
    live = views.runner.snapshot()
    views.runner.rebuild()
    assert views.runner.snapshot() == live


def test_query_takes_question_marks_on_both_stores(service: SecondClassroom) -> None:
    """``views.query`` takes ``?`` parameters on every store; ``%`` (as in LIKE) and a ``?``
    inside a string literal are plain text."""
    found_school(service, 2)
    views = service.views
    assert views.query("SELECT name FROM student_summary WHERE name LIKE ?", ("李%",)) == [
        ("李明",)
    ]
    assert views.query("SELECT COUNT(*) FROM student_summary WHERE name LIKE '%明'") == [(1,)]
    assert views.query("SELECT '?', '100%', ?, 'it''s ?'", ("x",)) == [("?", "100%", "x", "it's ?")]
    assert views.query("SELECT ? || '%' || ?", ("50", "?")) == [("50%?",)]


def test_psycopg_statements_escape_percent_everywhere_and_keep_quoted_question_marks() -> None:
    """Given ``?`` statements with string literals, quoted identifiers, dollar quotes and
    comments; then only the bare ``?`` become ``%s`` and every ``%`` is doubled."""
    assert psycopg_statement("SELECT a FROM t WHERE b LIKE 'x%' AND c = ?") == (
        "SELECT a FROM t WHERE b LIKE 'x%%' AND c = %s"
    )
    assert psycopg_statement("""SELECT '?', E'\\'?', "a?", $$?%$$, $q$?$q$ -- ?\n, ?""") == (
        """SELECT '?', E'\\'?', "a?", $$?%%$$, $q$?$q$ -- ?\n, %s"""
    )
    assert psycopg_statement("SELECT 'it''s ?', ? /* ? % */") == "SELECT 'it''s ?', %s /* ? %% */"


def test_the_views_follow_a_store_that_other_threads_open_at_once(tmp_path: Path) -> None:
    """Given eight facades opened on one SQLite file at once, each asking for its views from
    eight threads; then every one reads the same caught-up board."""
    path = tmp_path / f"{uuid.uuid4().hex}.sqlite3"
    with SecondClassroom.open(sqlite_env(path), secret=TEST_SECRET) as first:
        found_school(first, 1)
    errors: list[BaseException] = []
    seen: list[int] = []

    def read(service: SecondClassroom) -> None:
        try:
            seen.append(service.views.catch_up())
        except Exception as error:
            errors.append(error)

    services = [SecondClassroom.open(sqlite_env(path), secret=TEST_SECRET) for _ in range(8)]
    threads = [threading.Thread(target=read, args=(s,)) for s in services for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for service in services:
        service.close()
    assert errors == []
    assert len(set(seen)) == 1
    assert seen[0] > 0


def test_a_thread_per_request_leaves_no_connection_open(tmp_path: Path) -> None:
    """Given views on an SQLite file read by 200 threads one after another (a server with a
    thread per request); then each thread's connection is closed when it ends: the process
    holds about as many open files afterwards as before."""
    import gc
    import os

    with SecondClassroom.open(
        sqlite_env(tmp_path / "school.sqlite3"), secret=TEST_SECRET
    ) as service:
        found_school(service, 1)
        service.views.catch_up()
        before = len(os.listdir("/proc/self/fd"))
        for _ in range(200):
            reader = threading.Thread(target=service.views.query, args=("SELECT 1",))
            reader.start()
            reader.join()
        gc.collect()
        assert len(os.listdir("/proc/self/fd")) < before + 10


def test_table_digests_read_a_page_at_a_time_and_tell_a_changed_row(
    deployed: SecondClassroom,
) -> None:
    """Given a school's views; when they are read through ``stream`` with pages of 2 rows and
    digested; then the stream holds every row of the table, a rebuild has equal digests, and
    one changed summary row changes that table's digest and no other."""
    service = deployed
    found_school(service, 5)
    approved_activity(service, "talk")
    views = service.views
    views.catch_up()
    rows = views.query("SELECT * FROM student_summary")
    assert sorted(views.database.stream("SELECT * FROM student_summary", size=2)) == sorted(rows)
    live = views.runner.digests()
    assert live["student_summary"][0] == len(rows) > 3
    views.runner.rebuild()
    assert views.runner.digests() == live
    with views.database.transaction() as cursor:
        cursor.execute(
            "UPDATE student_summary SET name = ? WHERE student_number = ?", ("改", rows[0][0])
        )
    changed = views.runner.digests()
    assert changed["student_summary"] != live["student_summary"]
    assert {t: d for t, d in changed.items() if t != "student_summary"} == {
        t: d for t, d in live.items() if t != "student_summary"
    }


@given(
    st.lists(
        st.one_of(
            st.text(),
            st.text(alphabet=st.characters(codec=None)),  # surrogates and NUL included
            st.sampled_from(["张\x00三", "李\ud800四", "\udfff", "ascii\x00", "石工25-1班"]),
            st.integers(),
            st.none(),
        ),
        max_size=6,
    )
)
def test_safe_params_replace_exactly_what_the_pattern_finds(params: list[object]) -> None:
    """Any parameters (text of any code points, NUL and lone surrogates included, numbers,
    NULL): ``safe_params`` leaves them as they are when no text holds a NUL or a surrogate,
    and otherwise replaces each such character by U+FFFD — as ``safe_text`` (the pattern)
    does, though the check runs without the pattern."""
    unsafe = any(isinstance(p, str) and UNSAFE_TEXT.search(p) for p in params)
    made = safe_params(params)
    if not unsafe:
        assert made is params
    else:
        assert list(made) == [safe_text(p) if isinstance(p, str) else p for p in params]
        assert not any(isinstance(p, str) and UNSAFE_TEXT.search(p) for p in made)
