"""PostgreSQL deployments: many processes may start at once, and the views connect with the
store's own settings (issue 11, §3 and §4)."""

from __future__ import annotations

import multiprocessing
import queue
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from second_classroom.aggregates.student import RegisterStudent
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.postgres import connection_settings
from second_classroom.persistence.stores import postgres_env
from second_classroom.service import SecondClassroom
from tests.conftest import TEST_SECRET
from tests.persistence.change_fixtures import drafted_on
from tests.specification import NOW, PE_ADMIN, at

pytestmark = pytest.mark.postgres
PROCESSES = 40


def _start(env: dict[str, str], number: str, start: Any, results: Any) -> None:
    """One process: open the store and its views, write a student, read the views."""
    try:
        start.wait()
        with SecondClassroom.open(env, secret=TEST_SECRET) as service:
            service.views.catch_up()
            command = RegisterStudent(number, "学生", "PE", "石工25-1班", 2025)
            service.execute(command, PE_ADMIN, at(11, 23))
            service.views.catch_up()
        results.put("ok")
    except BaseException as error:
        results.put(f"{type(error).__name__}: {error}")


def test_forty_processes_start_at_once_on_a_fresh_schema(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """Given an empty schema; when 40 processes open the store and its views at the same moment
    (each creating the tables, types and functions it needs); then every one starts, writes
    and reads, and the views count all 40 students."""
    env = postgres_env(postgres_dsn, postgres_schema)
    # One connection for the store and one for the views per process: 80 in all.
    env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="0")
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_start, args=(env, f"2025{n:06d}", start, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    answers = []
    try:
        for _ in processes:
            answers.append(results.get(timeout=120))
    except queue.Empty:
        pass
    for process in processes:
        process.join(timeout=30)
    assert answers == ["ok"] * PROCESSES
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        assert service.views.query("SELECT COUNT(*) FROM student_summary") == [(PROCESSES,)]


@pytest.fixture
def odd_role(postgres_dsn: str, postgres_schema: str) -> Iterator[str]:
    """A login role whose password holds ``@`` and ``/``, allowed into the test schema."""
    import psycopg

    role = f"sc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'p@ss/w0rd'")
        admin.execute(f'GRANT ALL ON SCHEMA "{postgres_schema}" TO {role}')
    yield role
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"DROP OWNED BY {role} CASCADE")
        admin.execute(f"DROP ROLE {role}")


def test_the_views_connect_with_the_stores_settings_whatever_the_password(
    postgres_dsn: str, postgres_schema: str, odd_role: str
) -> None:
    """Given a DSN whose password ``p@ss/w0rd`` is percent-encoded (as a URL needs); when the
    store opens and its views connect; then the views use the store's host, database, user
    and password as given — not a URL rebuilt from them, which would read ``ss`` as the
    host."""
    host = postgres_dsn.split("@")[-1]  # host:port/dbname
    dsn = f"postgresql://{odd_role}:p%40ss%2Fw0rd@{host}"
    env = postgres_env(dsn, postgres_schema)
    with SecondClassroomApplication(env) as app:
        settings = connection_settings(app.factory)
        assert settings is not None
        assert settings.kwargs["password"] == "p@ss/w0rd"
        assert settings.kwargs["user"] == odd_role
        assert settings.schema == postgres_schema
        assert settings.max_size == int(env["POSTGRES_POOL_SIZE"])  # the views' pool
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        service.execute(
            RegisterStudent("2025000001", "甲", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 23)
        )
        assert service.views.query("SELECT name FROM student_summary") == [("甲",)]
        database: Any = service.views.database
        with database.pool.connection() as connection:
            info = connection.info
            assert (info.user, info.password) == (odd_role, "p@ss/w0rd")
            assert f"{info.host}:{info.port}/{info.dbname}" == host


def test_an_sqlite_or_memory_store_has_no_postgres_settings() -> None:
    with SecondClassroomApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}) as app:
        assert connection_settings(app.factory) is None


def stored(stream: uuid.UUID, version: int, body: bytes = b'{"v":1}') -> StoredEvent:
    return StoredEvent(stream, version, "test-topic", body)


def test_an_append_is_one_statement_its_positions_in_order_and_all_or_nothing(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """Given a store; when three events of two streams are appended in one call, and then
    an append whose second event takes a version already stored; then the first append got
    consecutive positions in its order through one statement, and the second stored
    nothing (IntegrityError, as eventsourcing's own insert raises)."""
    import psycopg

    env = postgres_env(postgres_dsn, schema=postgres_schema)
    a, b = uuid.uuid4(), uuid.uuid4()
    with SecondClassroomApplication(env) as app:
        recorder = app.recorder
        statements: list[object] = []
        original = psycopg.Cursor.execute

        def spy(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            statements.append(query)
            return original(self, query, *args, **kwargs)

        psycopg.Cursor.execute = spy  # type: ignore[method-assign]
        try:
            positions = recorder.insert_events([stored(a, 1), stored(b, 1), stored(a, 2)])
        finally:
            psycopg.Cursor.execute = original  # type: ignore[method-assign]
        assert len(statements) == 1
        assert positions is not None
        assert list(positions) == list(range(positions[0], positions[0] + 3))
        with pytest.raises(IntegrityError):
            recorder.insert_events([stored(b, 2), stored(a, 2, b'{"v":2}')])
        assert [e.originator_version for e in recorder.select_events(b)] == [1]
        assert recorder.max_notification_id() == positions[-1]
        found = recorder.select_notifications(positions[0], 10)
        assert [(n.originator_id, n.originator_version) for n in found] == [(a, 1), (b, 1), (a, 2)]
        between = recorder.select_notifications(positions[0] + 1, 10, stop=positions[1])
        assert [n.id for n in between] == [positions[1]]


def test_an_append_commits_then_flushes_in_a_second_transaction_before_it_returns(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """Given a store; when an event is appended between two reads of the next transaction
    id on one connection; then the append used two transactions (the append, committed
    without waiting for its flush so the table lock is free at once, then one whose
    synchronous commit flushes the WAL up to both), and the connection's setting
    ``synchronous_commit`` is still ``on`` afterwards."""
    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroomApplication(env) as app:
        recorder = app.recorder
        datastore = recorder.datastore  # type: ignore[attr-defined]
        with datastore.get_connection() as connection:
            next_id = "SELECT pg_current_xact_id()::text::bigint AS xid"
            before = connection.execute(next_id).fetchone()["xid"]
            call = recorder._sql("insert", connection)  # type: ignore[attr-defined]
            params = ([uuid.uuid4()], [1], ["test-topic"], [b'{"v":1}'])
            positions = connection.execute(call, params).fetchone()["positions"]
            after = connection.execute(next_id).fetchone()["xid"]
            setting = connection.execute("SHOW synchronous_commit").fetchone()
        assert len(positions) == 1
        assert after - before == 3
        assert setting == {"synchronous_commit": "on"}


def test_a_lease_on_a_stream_holds_off_another_process_until_released(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """Given a stream leased by one application (``STREAM_LEASES``); then another session
    cannot lock it until the lease is released, and a stream not leased is free."""
    import psycopg

    env = {**postgres_env(postgres_dsn, schema=postgres_schema), "STREAM_LEASES": "y"}
    hot, cold = uuid.uuid4(), uuid.uuid4()
    with SecondClassroomApplication(env) as app, psycopg.connect(postgres_dsn) as other:
        leases = app._leases
        assert leases is not None

        def free(stream: uuid.UUID) -> bool:
            row = other.execute("SELECT pg_try_advisory_lock(%s)", (leases.key(stream),))
            got = bool(row.fetchone()[0])  # type: ignore[index]
            if got:
                other.execute("SELECT pg_advisory_unlock(%s)", (leases.key(stream),))
            return got

        lease = leases.take([hot])
        assert lease is not None
        assert not free(hot)
        assert free(cold)
        lease.release()
        assert free(hot)


def test_a_lease_taken_for_a_decision_is_held_until_its_write_is_stored(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """Given a stream another process wrote lately, with ``STREAM_LEASES``: when a decision on
    it stages a write and its block ends (the in-process lock is released), then the lease is
    still held, until the write is stored; a decision that stages nothing releases it at the
    end of its block (service.execute's comment)."""
    import psycopg

    env = {**postgres_env(postgres_dsn, schema=postgres_schema), "STREAM_LEASES": "y"}
    change = drafted_on(uuid.uuid4())
    hot = change.loaded.id
    with SecondClassroomApplication(env) as app, psycopg.connect(postgres_dsn) as other:
        leases = app._leases
        assert leases is not None

        def free() -> bool:
            row = other.execute("SELECT pg_try_advisory_lock(%s)", (leases.key(hot),))
            got = bool(row.fetchone()[0])  # type: ignore[index]
            if got:
                other.execute("SELECT pg_advisory_unlock(%s)", (leases.key(hot),))
            return got

        app._foreign[hot] = time.monotonic()  # as if the log showed another process's write
        with app.writing([hot]), app.deciding():
            assert not free()
        assert free()  # nothing staged: released with the block
        with app.writing([hot]), app.deciding() as depends:
            staged = app.stage([change], NOW, "DraftActivity", "2023010101", depends)
        assert not free()  # decided, not stored: still held
        staged.wait()
        assert free()


def test_without_the_setting_there_are_no_leases(postgres_dsn: str, postgres_schema: str) -> None:
    """Leases are asked for: by default processes rely on optimistic concurrency alone."""
    with SecondClassroomApplication(postgres_env(postgres_dsn, schema=postgres_schema)) as app:
        assert app._leases is None
