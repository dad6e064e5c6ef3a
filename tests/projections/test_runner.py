"""The projection runner never stops (issue 11, §3): no stored event poisons a view, and every
gap that can no longer be filled is passed in one call."""

from __future__ import annotations

import functools
import json
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom import cli
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.actor import Actor
from second_classroom.persistence.stores import popo_env, postgres_env, sqlite_env
from second_classroom.projections.database import PostgresViews
from second_classroom.projections.runner import ProjectionRunner
from second_classroom.projections.views import AuditLog, standard_views
from second_classroom.service import SecondClassroom
from tests.specification import PE_ADMIN, at
from tests.stores import TEST_SECRET, legacy_event

VIEWS = {view.name for view in standard_views()}


def student_registered(number: str, name: str, stream: uuid.UUID | None = None) -> StoredEvent:
    """A StudentRegistered as a writer before the boundary fix could have stored it."""
    stream = stream or uuid.uuid4()
    data = {
        "student_id": str(stream),
        "student_number": number,
        "name": name,
        "college": "PE",
        "class_name": "石工25-1班",
        "cohort": 2025,
        "program": "undergraduate",
        "by": "T-pe",
        "at": at(11, 24).isoformat(),
    }
    return legacy_event("StudentRegistered", stream, at(11, 24), data)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A store a second process could open: its settings, and the CLI arguments naming it."""
    if request.param == "sqlite":
        path = tmp_path / "school.sqlite3"
        yield str(path), ["--db", str(path)]
        return
    dsn = request.getfixturevalue("postgres_dsn")
    schema = request.getfixturevalue("postgres_schema")
    yield f"{dsn}#{schema}", ["--postgres", dsn, "--schema", schema]


def open_store(where: str) -> SecondClassroom:
    if "#" in where:
        dsn, schema = where.split("#")
        return SecondClassroom.open(postgres_env(dsn, schema), secret=TEST_SECRET)
    return SecondClassroom.open(sqlite_env(where), secret=TEST_SECRET)


def test_no_stored_event_stops_the_views(
    store: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a log holding, from before the boundary refused them, a name with a NUL, a name
    with a lone surrogate, a 100,000-character name, a student number too long for an index,
    a second registration of an existing number and bytes that are not an event at all;
    when the views (and the ``project`` worker) follow it, then they reach the end of the log,
    the odd text is stored with U+FFFD in place of the bad characters, and only what a view
    or the database refused is left out — listed, with the reason, in ``failures()``."""
    where, arguments = store
    with open_store(where) as service:
        service.execute(
            RegisterStudent("2025000001", "甲", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 23)
        )
        huge_name = "名" * 100_000
        huge_number = secrets.token_hex(10_000)  # random: no compression fits it in an index
        service.app.recorder.insert_events(
            [
                student_registered("2025000002", "张\x00三"),
                student_registered("2025000003", "李\ud800四"),
                student_registered("2025000004", huge_name),
                student_registered(huge_number, "王五"),
                student_registered("2025000001", "冒名"),  # the number is taken
                StoredEvent(uuid.uuid4(), 1, "NoticeDelivered", b"\x00not json"),
            ]
        )
        service.execute(
            RegisterStudent("2025000009", "赵六", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 25)
        )
        top = service.app.recorder.max_notification_id()

        assert service.views.catch_up() == top
        rows = service.views.query("SELECT student_number, name FROM student_summary")
        names = {row[0]: row[1] for row in rows}
        assert names["2025000001"] == "甲"
        assert names["2025000002"] == "张\ufffd三"
        assert names["2025000003"] == "李\ufffd四"
        assert names["2025000004"] == huge_name
        assert names["2025000009"] == "赵六"
        failures = {(f.view, f.position): f for f in service.views.failures()}
        garbage, taken, too_long = top - 1, top - 2, top - 3
        assert {view for view, position in failures if position == garbage} == VIEWS
        assert "JSONDecodeError" in failures["audit_log", garbage].error
        assert failures["student_summary", taken].event == "StudentRegistered"
        # SQLite has no limit on a key's length; PostgreSQL's index refuses it.
        if ("student_summary", too_long) in failures:
            assert service.views.database.kind == "postgres"
            assert huge_number not in names
        else:
            assert huge_number in names
        assert set(failures) - {("student_summary", too_long)} == {
            *(("student_summary", taken),),
            *((view, garbage) for view in VIEWS),
        }
        audited = service.views.query("SELECT COUNT(*) FROM audit_log")
        assert audited == [(top - 1,)]  # every event but the unreadable one
        live = service.views.runner.snapshot()
        assert failures["notice_outbox", garbage].event == "NoticeDelivered"
        # The in-process followers (the outbox follows NoticeDelivered) pass it too.
        assert service.outbox(Actor.system()) == []

    # The worker process, rebuilding from zero, reaches the same tables.
    assert cli.main(["project", *arguments, "--once", "--rebuild"]) == 0
    assert f"views at position {top}" in capsys.readouterr().out
    with open_store(where) as again:
        assert again.views.runner.snapshot() == live
        assert len(again.views.failures()) == len(failures)


def enrolment_registered(student: str) -> StoredEvent:
    """An EnrolmentRegistered as a writer before the boundary could have stored it, with no
    command (so the audit log's actor is its ``student``)."""
    stream = uuid.uuid4()
    data = {
        "enrolment_id": str(stream),
        "activity_id": str(uuid.uuid4()),
        "student": student,
        "status": "admitted",
        "at": at(11, 24).isoformat(),
    }
    return legacy_event("EnrolmentRegistered", stream, at(11, 24), data)


def test_a_key_too_long_for_an_index_is_left_out_alike_by_a_catch_up_and_a_rebuild(
    store: tuple[str, list[str]],
) -> None:
    """Given a log holding, from before the boundary, a registration whose student number is
    10,000 random characters (too long for a PostgreSQL index key, and it names who acted in
    the audit log); when the views follow the log, then are rebuilt (their indexes dropped
    and made again at the end), then opened again, then each step reaches the end of the log,
    every index is there, and the rebuild's tables and failures equal the catch-up's: on
    both stores the event is left out of the two views that index the student (the audit log
    by who acted, 我的活动 by activity and student) and listed; the other registration is
    in both."""
    where, _arguments = store
    with open_store(where) as service:
        service.app.recorder.insert_events(
            [enrolment_registered("2025000001"), enrolment_registered(secrets.token_hex(5000))]
        )
        assert service.views.catch_up() == 2
        live, failures = service.views.runner.snapshot(), service.views.failures()
        assert {(f.view, f.position) for f in failures} == {("audit_log", 2), ("my_activities", 2)}
        assert all("indexed column" in f.error for f in failures)
        assert [row[1] for row in live["my_activities"]] == ["2025000001"]
        assert len(live["audit_log"]) == 1
        assert service.views.runner.rebuild() == 2
        assert index_names(service.views.database) >= DECLARED
        assert service.views.runner.snapshot() == live
        assert service.views.failures() == failures
    with open_store(where) as again:
        assert again.views.catch_up() == 2
        assert again.views.runner.snapshot() == live


def _events_table(dsn: str, schema: str) -> str:
    import psycopg

    with psycopg.connect(dsn) as connection:
        [(table,)] = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name LIKE %s AND table_name NOT LIKE %s",
            (schema, "%events", "%snapshot%"),
        ).fetchall()
    return str(table)


def _horizon(dsn: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        row: Any = connection.execute(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
            " pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
        ).fetchone()
    return int(row[0]), int(row[1])


@pytest.mark.postgres
def test_hundreds_of_gaps_are_passed_in_one_call(postgres_dsn: str, postgres_schema: str) -> None:
    """Given 300 events with a rolled-back insert (a gap) after each, read 100 at a time;
    when the runner first meets a gap it applies what comes before and notes the horizon;
    then, once every transaction running at that moment has ended, the next call passes all
    300 gaps and applies every event: two calls, not one per gap."""
    import psycopg

    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        service.execute(
            RegisterStudent("2025000000", "甲", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 23)
        )
        table = _events_table(postgres_dsn, postgres_schema)
        insert = (
            f'INSERT INTO "{postgres_schema}"."{table}"'
            " (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
        )
        with psycopg.connect(postgres_dsn) as writer:
            for n in range(1, 301):
                kept = student_registered(f"2025{n:06d}", f"学生{n}")
                writer.execute(insert, (kept.originator_id, 1, kept.topic, kept.state))
                writer.commit()
                lost = student_registered(f"2026{n:06d}", "回滚")
                writer.execute(insert, (lost.originator_id, 1, lost.topic, lost.state))
                writer.rollback()
        top = service.app.recorder.max_notification_id()
        assert top == 600  # 301 events, 299 gaps between them (the last rollback is past the top)

        views = PostgresViews(postgres_dsn, postgres_schema)
        runner = ProjectionRunner(service.app, views, standard_views(), batch=100)
        assert runner.catch_up() == 2  # stops at the first gap, id 3
        _xmin, noted = _horizon(postgres_dsn)  # later than the runner's own note
        deadline = time.monotonic() + 60
        while _horizon(postgres_dsn)[0] < noted:  # transactions elsewhere on the server
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert runner.catch_up() == top
        assert views.query("SELECT COUNT(*) FROM student_summary") == [(301,)]
        assert views.query("SELECT COUNT(*) FROM student_summary WHERE name = ?", ("回滚",)) == [
            (0,)
        ]
        views.close()


class FussyView:
    """A view whose own code fails (a KeyError, as a lookup of an unknown value would) on
    one student's registration, after writing part of it."""

    name = "fussy"
    tables: tuple[str, ...] = ("fussy",)

    def __init__(self, refuse: str) -> None:
        self.refuse = refuse

    def create(self, cursor: Any) -> None:
        cursor.execute("CREATE TABLE IF NOT EXISTS fussy (number TEXT PRIMARY KEY)")

    def clear(self, cursor: Any) -> None:
        cursor.execute("DELETE FROM fussy")

    def apply(self, cursor: Any, position: int, envelope: Any) -> None:
        number = envelope.payload.student_number
        cursor.execute("INSERT INTO fussy VALUES (?)", (number,))
        if number == self.refuse:
            raise KeyError(number)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_view_that_fails_on_one_event_leaves_out_only_that_event(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """Given 500 registrations applied in batches of 200, and a view whose code fails on the
    333rd after writing part of it; then that view lacks exactly that event (its partial write
    undone), every other view and event is applied, and the failure names the view, the event
    and the KeyError."""
    from second_classroom.persistence.stores import popo_env
    from second_classroom.projections.database import SQLiteViews

    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    for n in range(1, 501):
        command = RegisterStudent(f"2025{n:06d}", "学生", "PE", "石工25-1班", 2025)
        service.execute(command, PE_ADMIN, at(11, 23))
    if kind == "sqlite":
        database: Any = SQLiteViews(f"file:fussy_{uuid.uuid4().hex}?mode=memory&cache=shared")
    else:
        database = PostgresViews(
            request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")
        )
    runner = ProjectionRunner(
        service.app, database, [*standard_views(), FussyView("2025000333")], batch=200
    )
    assert runner.catch_up() == 500
    assert database.query("SELECT COUNT(*) FROM fussy") == [(499,)]
    assert database.query("SELECT COUNT(*) FROM fussy WHERE number = ?", ("2025000333",)) == [(0,)]
    assert database.query("SELECT COUNT(*) FROM student_summary") == [(500,)]
    assert database.query("SELECT COUNT(*) FROM audit_log") == [(500,)]
    [failure] = runner.failures()
    assert (failure.view, failure.position, failure.event) == ("fussy", 333, "StudentRegistered")
    assert failure.error == "KeyError: '2025000333'"
    database.close()


class EveryEvent:
    """A view as it was before views named their events: given every event, decoded."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name, self.tables = inner.name, inner.tables
        self.shape = getattr(inner, "shape", 0)

    def create(self, cursor: Any) -> None:
        self.inner.create(cursor)

    def clear(self, cursor: Any) -> None:
        self.inner.clear(cursor)

    def apply(self, cursor: Any, position: int, envelope: Any) -> None:
        self.inner.apply(cursor, position, envelope)


def test_views_given_only_the_events_they_name_equal_views_given_every_event(
    tmp_path: Path,
) -> None:
    """Given the demo's log (tribes, drafts edited and rejected, details changed, every
    admission method, leave, check-in, results, 补录 claims, cadre terms, transcripts and
    certificates); when each view is given only the event types it names, decoded once, and
    the audit log only the stored JSON, then every table equals the one the same view builds
    when given every event decoded (as before views named their events)."""
    from second_classroom.demo import run_demo
    from second_classroom.projections.database import SQLiteViews

    service = run_demo(tmp_path / "demo.sqlite3", lambda _line: None)
    log = service.app.notifications(0, 10**6)
    kinds = {type(envelope.payload).__name__ for _, envelope in log}
    assert len(kinds) >= 50  # a log of many kinds, not a few
    named = ProjectionRunner(
        service.app, SQLiteViews(f"file:n_{uuid.uuid4().hex}?mode=memory&cache=shared"),
        standard_views(), batch=97,
    )  # fmt: skip
    every = ProjectionRunner(
        service.app, SQLiteViews(f"file:e_{uuid.uuid4().hex}?mode=memory&cache=shared"),
        [EveryEvent(view) for view in standard_views()], batch=97,
    )  # fmt: skip
    assert named.catch_up() == every.catch_up() == log[-1][0]
    assert named.snapshot() == every.snapshot()
    assert named.failures() == every.failures() == []
    service.close()


def test_every_event_type_a_view_matches_is_one_it_names() -> None:
    """A view is given only the event types it names (``events``): every event class its code
    matches on (a ``case`` pattern or an ``isinstance``) must be among them, or the view would
    silently miss those events. Read from the views' source, so a case added without naming
    its type fails here."""
    import ast
    import inspect
    import sys
    import textwrap

    from second_classroom.projections import notices
    from second_classroom.projections.runner import RecordView

    def matched(source: Any) -> set[type]:
        module = sys.modules[source.__module__]
        tree = ast.parse(textwrap.dedent(inspect.getsource(source)))
        names = [n.cls for n in ast.walk(tree) if isinstance(n, ast.MatchClass)]
        names += [
            n.args[1]
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "isinstance"
        ]
        found: set[type] = set()
        for name in names:
            value = eval(compile(ast.Expression(name), "<view>", "eval"), vars(module))
            for cls in value if isinstance(value, tuple) else (value,):
                # a union of classes (X | Y) in an isinstance
                found.update(getattr(cls, "__args__", (cls,)))
        return {cls for cls in found if cls.__module__.startswith("second_classroom.aggregates")}

    checked = 0
    for view in standard_views():
        if isinstance(view, RecordView):
            continue  # the audit log reads every event's stored JSON
        named = set(view.events)
        assert matched(type(view)) <= named, view.name
        checked += len(matched(type(view)))
    assert checked >= 40
    # The outbox reads what notices_for matches, and names NOTICE_EVENTS for it.
    assert matched(notices.notices_for) <= set(notices.NOTICE_EVENTS)
    assert matched(notices.notices_for)


def test_an_event_whose_payload_cannot_be_decoded_is_left_out_only_of_the_views_reading_it(
    tmp_path: Path,
) -> None:
    """Given a StudentRegistered stored by hand whose JSON reads but whose cohort is not a
    number (its payload cannot be decoded); when the views follow the log, then the views that
    read a StudentRegistered (the student summary) are left without it and list it in
    ``failures()``, and the audit log, which keeps each event's stored JSON, holds it."""
    with open_store(str(tmp_path / "school.sqlite3")) as service:
        bad = json.loads(student_registered("2025000002", "张三").state)
        bad["data"]["cohort"] = "二〇二五"
        stored = StoredEvent(uuid.uuid4(), 1, "StudentRegistered", json.dumps(bad).encode())
        service.app.recorder.insert_events([stored])
        service.execute(
            RegisterStudent("2025000009", "赵六", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 25)
        )
        assert service.views.catch_up() == service.app.recorder.max_notification_id() == 2
        [failure] = service.views.failures()
        assert (failure.view, failure.position, failure.event) == (
            "student_summary",
            1,
            "StudentRegistered",
        )
        assert "StudentRegistered" in failure.error  # cattrs: while structuring StudentRegistered
        numbers = service.views.query("SELECT student_number FROM student_summary")
        assert numbers == [("2025000009",)]
        [(data,)] = service.views.query("SELECT data FROM audit_log WHERE position = 1")
        assert json.loads(str(data))["cohort"] == "二〇二五"


def test_the_collector_paused_for_a_batch_is_running_again_after_it(tmp_path: Path) -> None:
    """The runner pauses the cyclic garbage collector while it reads and applies a batch
    (its passes cost a fifth of a rebuild); given a catch-up, a rebuild and a catch-up that
    fails, the collector runs again after each; and a process that had paused it itself
    finds it still paused."""
    import gc

    with open_store(str(tmp_path / "school.sqlite3")) as service:
        service.execute(
            RegisterStudent("2025000001", "甲", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 23)
        )
        assert gc.isenabled()
        assert service.views.catch_up() == 1
        assert gc.isenabled()
        assert service.views.runner.rebuild() == 1
        assert gc.isenabled()
        runner = service.views.runner
        original = runner._apply

        def failing(*_args: Any) -> bool:
            assert not gc.isenabled()  # paused while the batch is applied
            raise RuntimeError("the database went away")

        runner._apply = failing  # type: ignore[method-assign,assignment]  # a failing batch
        with pytest.raises(RuntimeError):
            runner.rebuild()
        assert gc.isenabled()
        runner._apply = original  # type: ignore[method-assign]
        gc.disable()
        try:
            assert runner.rebuild() == 1
            assert not gc.isenabled()
        finally:
            gc.enable()


# -- a view whose shape changed is rebuilt alone ------------------------------------------------


class Tally:
    """A view of the registrations that notes every event it is given (to count what a setup
    replays to it), refuses one student's registration, and can crash on one event."""

    def __init__(self, name: str, shape: int, refuse: str, crash: int = 0) -> None:
        self.name, self.tables, self.shape = name, (name,), shape
        self.refuse, self.crash = refuse, crash
        self.given: list[int] = []

    def create(self, cursor: Any) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.name} (position BIGINT PRIMARY KEY,"
            f" number TEXT NOT NULL, shape INTEGER NOT NULL)"
        )

    def clear(self, cursor: Any) -> None:
        cursor.execute(f"DELETE FROM {self.name}")

    def apply(self, cursor: Any, position: int, envelope: Any) -> None:
        self.given.append(position)
        if position == self.crash:
            raise RuntimeError("the process stopped")  # not the event's fault: raised
        number = envelope.payload.student_number
        if number == self.refuse:
            raise KeyError(number)
        cursor.execute(f"INSERT INTO {self.name} VALUES (?, ?, ?)", (position, number, self.shape))


def register(service: SecondClassroom, numbers: range) -> None:
    for n in numbers:
        command = RegisterStudent(f"2025{n:06d}", "学生", "PE", "石工25-1班", 2025)
        service.execute(command, PE_ADMIN, at(11, 23))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def view_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """An empty view database, in an SQLite file or a PostgreSQL schema."""
    from second_classroom.projections.database import SQLiteViews

    if request.param == "sqlite":
        database: Any = SQLiteViews(str(tmp_path / "views.sqlite3"))
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        database = PostgresViews(dsn, request.getfixturevalue("postgres_schema"))
    yield database
    database.close()


def tallies(shape: int, refuse: str, crash: int = 0) -> list[Any]:
    """The standard views, a tally that keeps its shape and one at ``shape``."""
    changed = Tally("changed", shape, refuse, crash)
    return [*standard_views(), Tally("kept", 1, "2025000007"), changed]


def tally(runner: ProjectionRunner, index: int) -> Tally:
    """The runner's view at ``index``, which ``tallies`` made a ``Tally``."""
    view = runner.views[index]
    assert isinstance(view, Tally)
    return view


def marked(database: Any) -> None:
    """A row no event wrote in each tally and in the audit log: it stays while a table is
    kept, and goes if the table is rebuilt."""
    with database.transaction() as cursor:
        for table in ("kept", "changed"):
            cursor.execute(f"INSERT INTO {table} VALUES (-1, 'marker', 0)")
        cursor.execute("INSERT INTO audit_log VALUES (-1, 'marker', 0, 'x', 'x', 'x', 'x', 'x')")


def unmark(database: Any) -> None:
    with database.transaction() as cursor:
        for table in ("kept", "changed", "audit_log"):
            cursor.execute(f"DELETE FROM {table} WHERE position = -1")


DECLARED = {index.name for view in standard_views() for index in getattr(view, "indexes", ())}


def index_names(database: Any) -> set[str]:
    """The indexes of the views' database (its schema's, on PostgreSQL)."""
    if database.kind == "sqlite":
        rows = database.query("SELECT name FROM sqlite_master WHERE type = 'index'")
    else:
        rows = database.query(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        )
    return {str(name) for (name,) in rows}


def test_the_indexes_are_dropped_for_a_rebuild_and_made_once_it_has_filled_the_views(
    view_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the standard views over 50 registrations, with every index they declare; when
    they are rebuilt, then no declared index is there while the log is applied (each is made
    once, from the filled table, instead of taking an insert a row), every one is there after
    it, and the views equal what they were."""
    assert {"audit_log_by_stream", "my_activities_by_activity"} <= DECLARED
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 51))
    runner = ProjectionRunner(service.app, view_database, standard_views(), batch=16)
    assert runner.catch_up() == 50
    assert index_names(view_database) >= DECLARED
    before = runner.snapshot()
    during: list[set[str]] = []
    applying = runner._catch_up

    def catch_up(batch: int) -> int:
        during.append(index_names(view_database) & DECLARED)
        return applying(batch)

    monkeypatch.setattr(runner, "_catch_up", catch_up)
    assert runner.rebuild() == 50
    assert during == [set()]
    assert index_names(view_database) >= DECLARED
    assert runner.snapshot() == before
    service.close()


def test_a_database_made_before_its_indexes_gets_them_when_opened_and_keeps_its_rows(
    view_database: Any,
) -> None:
    """Given views an older release filled, without the indexes this one declares (a marker
    row no event wrote in the audit log); when this release opens them, then every index is
    made on the tables as they are: nothing is refilled (the marker stays), the position
    stays, and the next events are applied as usual."""
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 31))
    first = ProjectionRunner(service.app, view_database, standard_views(), batch=16)
    assert first.catch_up() == 30
    with view_database.transaction() as cursor:
        cursor.execute("INSERT INTO audit_log VALUES (-1, 'marker', 0, 'x', 'x', 'x', 'x', 'x')")
        for name in DECLARED:
            cursor.execute(f"DROP INDEX {name}")
    assert not DECLARED & index_names(view_database)

    second = ProjectionRunner(service.app, view_database, standard_views(), batch=16)
    assert index_names(view_database) >= DECLARED
    assert second.position() == 30
    assert view_database.query("SELECT COUNT(*) FROM audit_log WHERE position = -1") == [(1,)]
    register(service, range(31, 41))
    assert second.catch_up() == 40
    service.close()


def test_a_rebuild_that_stops_before_its_end_has_its_indexes_made_by_the_next_opening(
    view_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a rebuild that stops (a crash) after its first batch, its indexes dropped; when
    the views are opened again, then the indexes are made, and the catch-up that goes on from
    where the rebuild stopped leaves the views equal to a full rebuild."""
    from second_classroom.projections import runner as runner_module

    monkeypatch.setattr(runner_module, "REBUILD_BATCH", 20)
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 61))
    first = ProjectionRunner(service.app, view_database, standard_views(), batch=10)
    assert first.catch_up() == 60
    whole = first.snapshot()
    applying = first._apply

    def stop_after_one_batch(position: int, *args: Any) -> bool:
        if position > 0:
            raise RuntimeError("the process stopped")
        return applying(position, *args)

    monkeypatch.setattr(first, "_apply", stop_after_one_batch)
    with pytest.raises(RuntimeError, match="the process stopped"):
        first.rebuild()
    assert first.position() == 20
    assert not DECLARED & index_names(view_database)

    second = ProjectionRunner(service.app, view_database, standard_views(), batch=10)
    assert index_names(view_database) >= DECLARED
    assert second.catch_up() == 60
    assert second.snapshot() == whole
    service.close()


class ReshapedAuditLog(AuditLog):
    """The audit log as a release that changed its tables would declare it."""

    shape = 1


AUDIT_INDEXES = {index.name for index in AuditLog.indexes}


def reshaped_views() -> list[Any]:
    return [ReshapedAuditLog(), *standard_views()[1:]]


def test_a_view_whose_shape_changed_is_filled_without_its_indexes_and_gets_them_at_its_end(
    view_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the standard views over 60 registrations, with every index; when a release
    changes the audit log's shape, then while the audit log is filled from the log none of
    its indexes is there (each is made once, from the filled table, as a rebuild makes
    them), the other views keep theirs, and once filled every index is there and the views
    equal a full rebuild."""
    from second_classroom.projections import runner as runner_module

    assert standard_views()[0].name == "audit_log"
    monkeypatch.setattr(runner_module, "REBUILD_BATCH", 20)
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 61))
    assert ProjectionRunner(service.app, view_database, standard_views()).catch_up() == 60
    during: list[set[str]] = []
    applying = ProjectionRunner._apply

    def apply(runner: ProjectionRunner, *args: Any) -> bool:
        during.append(index_names(view_database) & DECLARED)
        return applying(runner, *args)

    monkeypatch.setattr(ProjectionRunner, "_apply", apply)
    reshaped = ProjectionRunner(service.app, view_database, reshaped_views(), batch=10)
    assert len(during) == 3  # the fill: three batches of 20
    assert all(found == DECLARED - AUDIT_INDEXES for found in during)
    assert index_names(view_database) >= DECLARED
    filled = reshaped.snapshot()
    assert reshaped.rebuild() == 60
    assert reshaped.snapshot() == filled
    service.close()


def test_a_fill_that_stops_is_ended_by_the_next_opening_and_only_then_gets_its_indexes(
    view_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a changed audit log whose fill stops (a crash) after its first batch of 20;
    when the views are opened again, then that opening goes on with the fill without the
    audit log's indexes, makes them at its end, and the views equal a full rebuild."""
    from second_classroom.projections import runner as runner_module

    monkeypatch.setattr(runner_module, "REBUILD_BATCH", 20)
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 61))
    assert ProjectionRunner(service.app, view_database, standard_views()).catch_up() == 60
    applying = ProjectionRunner._apply
    during: list[set[str]] = []

    def stop_after_one_batch(runner: ProjectionRunner, position: int, *args: Any) -> bool:
        if position > 0:
            raise RuntimeError("the process stopped")
        return applying(runner, position, *args)

    monkeypatch.setattr(ProjectionRunner, "_apply", stop_after_one_batch)
    with pytest.raises(RuntimeError, match="the process stopped"):
        ProjectionRunner(service.app, view_database, reshaped_views(), batch=10)
    assert not AUDIT_INDEXES & index_names(view_database)

    def apply(runner: ProjectionRunner, *args: Any) -> bool:
        during.append(index_names(view_database) & AUDIT_INDEXES)
        return applying(runner, *args)

    monkeypatch.setattr(ProjectionRunner, "_apply", apply)
    again = ProjectionRunner(service.app, view_database, reshaped_views(), batch=10)
    assert during == [set(), set()]  # the fill's two batches left, from event 21
    assert index_names(view_database) >= DECLARED
    filled = again.snapshot()
    assert again.rebuild() == 60
    assert again.snapshot() == filled
    service.close()


def test_a_view_whose_shape_changed_is_rebuilt_alone_and_equals_a_full_rebuild(
    view_database: Any,
) -> None:
    """Given 400 registrations and an unreadable event, applied to the standard views and two
    tallies (each refusing one student); when a release changes one tally's shape (and what it
    refuses), then opening the views rebuilds that tally alone from the log's start — the
    other views keep their rows (a marker row stays) and are given no event — its old failure
    is gone and its new one recorded, the position stays where it was; the next catch-up then
    brings every view on together, and every table and failure equals a full rebuild."""
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 201))
    service.app.recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "StudentRegistered", b"\0")])
    register(service, range(201, 401))
    first = ProjectionRunner(service.app, view_database, tallies(1, "2025000011"), batch=64)
    assert first.catch_up() == 401
    marked(view_database)
    register(service, range(401, 451))

    views = tallies(2, "2025000022")
    second = ProjectionRunner(service.app, view_database, views, batch=64)
    kept, changed = views[-2:]
    assert kept.given == []  # the unchanged views were given nothing
    # The changed one the log up to the position (an event it refused, found by halving a
    # batch, more than once; the unreadable one not at all).
    assert set(changed.given) == set(range(1, 402)) - {201}
    assert second.position() == 401
    shapes = dict(view_database.query("SELECT view, shape FROM sc_view_shapes"))
    assert (shapes["kept"], shapes["changed"]) == (1, 2)
    assert view_database.query("SELECT COUNT(*) FROM kept WHERE number = 'marker'") == [(1,)]
    assert view_database.query("SELECT COUNT(*) FROM audit_log WHERE position = -1") == [(1,)]
    assert view_database.query("SELECT COUNT(*) FROM changed WHERE number = 'marker'") == [(0,)]
    assert view_database.query("SELECT COUNT(*), MIN(shape) FROM changed") == [(399, 2)]
    failed = {(f.view, f.position) for f in second.failures() if f.view in ("kept", "changed")}
    assert failed == {("kept", 7), ("kept", 201), ("changed", 22), ("changed", 201)}

    replayed = len(changed.given)
    assert second.catch_up() == 451
    assert kept.given == changed.given[replayed:] == list(range(402, 452))
    unmark(view_database)
    caught_up, failures = second.snapshot(), second.failures()
    assert second.rebuild() == 451
    assert second.snapshot() == caught_up
    assert second.failures() == failures
    service.close()


def test_a_rebuild_of_a_changed_view_that_stops_goes_on_where_it_stopped(
    view_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given views caught up with 300 registrations; when the process rebuilding a changed
    view stops (a crash) after two batches of 100, then that view is not recorded at its new
    shape (it is half filled); the next process goes on from event 201, never dropping the
    other views, and every view equals a full rebuild."""
    from second_classroom.projections import runner

    monkeypatch.setattr(runner, "REBUILD_BATCH", 100)
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 301))
    first = ProjectionRunner(service.app, view_database, tallies(1, "2025000011"), batch=10)
    assert first.catch_up() == 300
    marked(view_database)

    with pytest.raises(RuntimeError, match="the process stopped"):
        ProjectionRunner(service.app, view_database, tallies(2, "2025000022", 250), batch=10)
    shapes = dict(view_database.query("SELECT view, shape FROM sc_view_shapes"))
    assert shapes["changed"] not in (1, 2)  # neither the old tables nor the new, filled
    assert view_database.query("SELECT COUNT(*) FROM changed") == [(199,)]

    views = tallies(2, "2025000022")
    second = ProjectionRunner(service.app, view_database, views, batch=10)
    kept, changed = views[-2:]
    assert kept.given == []
    assert changed.given == list(range(201, 301))
    assert dict(view_database.query("SELECT view, shape FROM sc_view_shapes"))["changed"] == 2
    assert view_database.query("SELECT COUNT(*) FROM kept WHERE number = 'marker'") == [(1,)]
    unmark(view_database)
    caught_up, failures = second.snapshot(), second.failures()
    assert second.rebuild() == 300
    assert (second.snapshot(), second.failures()) == (caught_up, failures)
    service.close()


def test_a_half_filled_view_is_filled_again_after_an_older_release_emptied_every_view(
    view_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a changed view half filled (200 of 300 events) when its process stopped; when an
    older release, which knows nothing of fills, then starts a rebuild (empties every view
    and moves the position to 0) and stops too; then the next opening fills that view again
    from the start instead of from 200 (``_restart_ahead``: its rows were emptied), and every
    view, the changed one included, equals a full rebuild."""
    from second_classroom.projections import runner

    monkeypatch.setattr(runner, "REBUILD_BATCH", 100)
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 301))
    first = ProjectionRunner(service.app, view_database, tallies(1, "2025000011"), batch=10)
    assert first.catch_up() == 300
    with pytest.raises(RuntimeError, match="the process stopped"):
        ProjectionRunner(service.app, view_database, tallies(2, "2025000022", 250), batch=10)
    assert view_database.query("SELECT position FROM sc_view_rebuilds") == [(200,)]
    # The older release's rebuild, as far as it got: every view emptied, the position at 0.
    with view_database.transaction() as cursor:
        for view in tallies(1, "2025000011"):
            view.clear(cursor)
        cursor.execute("DELETE FROM sc_view_failures")
        cursor.execute("UPDATE sc_view_tracking SET position = 0")

    # A fill that never restarts would look at the pending fills for ever: fail instead.
    pending = runner.ProjectionRunner._pending
    looks = [0]

    def bounded(self: ProjectionRunner) -> dict[str, int]:
        looks[0] += 1
        assert looks[0] < 100, "the half-filled view was never filled again"
        return pending(self)

    monkeypatch.setattr(runner.ProjectionRunner, "_pending", bounded)
    views = tallies(2, "2025000022")
    second = ProjectionRunner(service.app, view_database, views, batch=10)
    assert dict(view_database.query("SELECT view, shape FROM sc_view_shapes"))["changed"] == 2
    assert view_database.query("SELECT COUNT(*) FROM sc_view_rebuilds") == [(0,)]
    kept, changed = views[-2:]
    assert changed.given == kept.given == []  # filled again up to the position, 0: nothing
    assert second.catch_up() == 300
    # Each view is given the whole log (an event a view refuses more than once, as a batch
    # holding it is halved to find it).
    assert set(changed.given) == set(kept.given) == set(range(1, 301))
    caught_up, failures = second.snapshot(), second.failures()
    assert second.rebuild() == 300
    assert (second.snapshot(), second.failures()) == (caught_up, failures)
    service.close()


@pytest.mark.postgres
def test_a_fill_another_process_completes_while_a_process_opens_is_not_begun_again(
    postgres_dsn: str, postgres_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a changed tally being filled by one process (at event 0 of 60); when a second
    process opens the views and the first completes the fill just after the second has read
    the recorded shapes, then the second neither empties nor fills the tally again (it reads
    the shapes and the fills under way as one snapshot): it is given no event, and the views
    equal a full rebuild."""
    from second_classroom.projections.database import _PostgresCursor

    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 61))
    database = PostgresViews(postgres_dsn, postgres_schema)
    assert ProjectionRunner(service.app, database, tallies(1, "2025000011")).catch_up() == 60
    # The first process: the changed tally noted to be filled, its fill not begun yet.
    with monkeypatch.context() as paused:
        paused.setattr(ProjectionRunner, "_fill", lambda _runner: None)
        filler = ProjectionRunner(service.app, database, tallies(2, "2025000022"))
    query = _PostgresCursor.query
    fired: list[bool] = []

    def query_then_fill(cursor: Any, statement: str, params: Any = ()) -> Any:
        rows = query(cursor, statement, params)
        if "sc_view_shapes" in statement and not fired:
            fired.append(True)
            filler._fill()  # on another connection: commits while the opening goes on
        return rows

    monkeypatch.setattr(_PostgresCursor, "query", query_then_fill)
    views = tallies(2, "2025000022")
    opener = ProjectionRunner(service.app, database, views)
    assert fired
    assert tally(opener, -1).given == []  # filled once, by the first process
    assert dict(database.query("SELECT view, shape FROM sc_view_shapes"))["changed"] == 2
    caught_up, failures = opener.snapshot(), opener.failures()
    assert opener.rebuild() == 60
    assert (opener.snapshot(), opener.failures()) == (caught_up, failures)
    database.close()
    service.close()


@pytest.mark.postgres
def test_a_changed_view_is_rebuilt_past_the_gaps_the_runner_had_passed(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """Given a PostgreSQL log with a rolled-back insert (a gap) before each of 20 events, the
    views caught up past every gap; when a release changes the student summary's and the
    audit log's shapes while a transaction holds the horizon back, then opening the views
    rebuilds both up to the position at once, without waiting for the gaps to settle again
    (the runner passed them: none can be filled), and they equal a full rebuild."""
    import psycopg

    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        register(service, range(1, 2))
        table = _events_table(postgres_dsn, postgres_schema)
        insert = (
            f'INSERT INTO "{postgres_schema}"."{table}"'
            " (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
        )
        with psycopg.connect(postgres_dsn) as writer:
            for n in range(2, 22):
                lost = student_registered(f"2026{n:06d}", "回滚")
                writer.execute(insert, (lost.originator_id, 1, lost.topic, lost.state))
                writer.rollback()
                kept = student_registered(f"2025{n:06d}", f"学生{n}")
                writer.execute(insert, (kept.originator_id, 1, kept.topic, kept.state))
                writer.commit()
        top = service.app.recorder.max_notification_id()
        assert top is not None
        deadline = time.monotonic() + 60
        while service.views.catch_up() < top:  # until every gap has settled
            assert time.monotonic() < deadline
            time.sleep(0.05)

        views = standard_views()
        for view in views:
            if view.name in ("student_summary", "audit_log"):
                view.shape = getattr(view, "shape", 0) + 1
        opened: list[ProjectionRunner] = []
        with psycopg.connect(postgres_dsn) as holder:
            # A transaction that holds the horizon back: a gap would not settle while it runs.
            holder.execute("SELECT pg_current_xact_id()")
            opening = threading.Thread(
                target=lambda: opened.append(
                    ProjectionRunner(service.app, service.views.database, views)
                ),
                daemon=True,
            )
            opening.start()
            opening.join(30)
            assert opened, "the rebuild waited for the gaps to settle"
            holder.rollback()
        [changed] = opened
        assert changed.position() == top
        assert service.views.database.query("SELECT COUNT(*) FROM student_summary") == [(21,)]
        assert service.views.database.query("SELECT COUNT(*) FROM audit_log") == [(21,)]
        rebuilt = changed.snapshot()
        changed.rebuild()
        while changed.catch_up() < top:  # a fresh runner waits for each gap to settle
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert changed.snapshot() == rebuilt


def test_a_view_new_to_a_release_is_built_from_the_log(tmp_path: Path) -> None:
    """Given a view database that recorded its views' shapes and follows 30 registrations;
    when a release adds a view (one that declares no shape), then opening the views builds it
    from the log's start."""
    from second_classroom.projections.database import SQLiteViews

    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 31))
    database = SQLiteViews(str(tmp_path / "views.sqlite3"))
    assert ProjectionRunner(service.app, database, standard_views()).catch_up() == 30
    added = FussyView("2025000003")
    runner = ProjectionRunner(service.app, database, [*standard_views(), added])
    assert database.query("SELECT COUNT(*) FROM fussy") == [(29,)]
    assert [(f.view, f.position) for f in runner.failures()] == [("fussy", 3)]
    assert dict(database.query("SELECT view, shape FROM sc_view_shapes"))["fussy"] == 0
    database.close()


def test_processes_opening_changed_views_at_once_each_apply_every_event_once(
    view_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given views caught up with 300 registrations; when four processes (threads here, each
    with its own connections) open the views of a release that changed one tally at once,
    rebuilding it 25 events a batch, then each returns with the tally filled: every event
    applied once (a second would be refused by the table's key and recorded), the other
    views untouched, and every view equal to a full rebuild."""
    from second_classroom.projections import runner

    monkeypatch.setattr(runner, "REBUILD_BATCH", 25)
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    register(service, range(1, 301))
    first = ProjectionRunner(service.app, view_database, tallies(1, "2025000011"), batch=5)
    assert first.catch_up() == 300
    marked(view_database)
    opened: list[ProjectionRunner] = []
    errors: list[BaseException] = []

    def open_views() -> None:
        try:
            opened.append(
                ProjectionRunner(service.app, view_database, tallies(2, "2025000022"), batch=5)
            )
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=open_views) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(opened) == 4
    given = [n for runner_ in opened for n in tally(runner_, -1).given]
    assert sorted(set(given)) == list(range(1, 301))
    assert all(tally(runner_, -2).given == [] for runner_ in opened)
    assert view_database.query("SELECT COUNT(*) FROM kept WHERE number = 'marker'") == [(1,)]
    assert view_database.query("SELECT COUNT(*) FROM changed") == [(299,)]
    assert [(f.view, f.position) for f in opened[0].failures()] == [("kept", 7), ("changed", 22)]
    unmark(view_database)
    caught_up = opened[0].snapshot()
    assert opened[0].rebuild() == 300
    assert opened[0].snapshot() == caught_up
    service.close()


@functools.cache
def demo_log() -> SecondClassroom:
    """The demo's log (kept for the module: it takes seconds to play)."""
    from second_classroom.demo import run_demo

    return run_demo(Path(tempfile.mkdtemp()) / "demo.sqlite3", lambda _line: None)


@settings(max_examples=25, deadline=None)
@given(
    changed=st.sets(st.sampled_from(sorted(VIEWS)), min_size=1),
    batch=st.integers(min_value=1, max_value=200),
)
def test_any_views_whose_shape_changed_equal_a_full_rebuild(changed: set[str], batch: int) -> None:
    """Given the demo's log (whose report views read the board's tribes and the students'
    colleges from other views) applied to the standard views; when any of them change shape,
    rebuilt in batches of any size, then every table and failure equals a full rebuild, and
    the views left alone are never given an event."""
    from unittest.mock import patch

    from second_classroom.projections import runner
    from second_classroom.projections.database import SQLiteViews

    service = demo_log()
    top = service.app.recorder.max_notification_id()
    database = SQLiteViews(f"file:s_{uuid.uuid4().hex}?mode=memory&cache=shared")
    assert ProjectionRunner(service.app, database, standard_views()).catch_up() == top
    views = [Counted(view) for view in standard_views()]
    for view in views:
        if view.name in changed:
            view.shape += 1
    with patch.object(runner, "REBUILD_BATCH", batch):
        rebuilt = ProjectionRunner(service.app, database, views, batch=1)
    assert {view.name for view in views if view.given} <= changed
    assert rebuilt.position() == top
    kept, failures = rebuilt.snapshot(), rebuilt.failures()
    assert rebuilt.rebuild() == top
    assert (rebuilt.snapshot(), rebuilt.failures()) == (kept, failures)
    database.close()


class Counted(EveryEvent):
    """A standard view given every event, counting them (``given``)."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.given = 0

    def apply(self, cursor: Any, position: int, envelope: Any) -> None:
        self.given += 1
        super().apply(cursor, position, envelope)
