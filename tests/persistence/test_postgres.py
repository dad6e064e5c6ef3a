"""PostgreSQL deployments: many processes may start at once, and the views connect with the
store's own settings (issue 11, §3 and §4); an append is one statement, and one whose
connection was lost after it was stored is answered as stored, not as a conflict."""

from __future__ import annotations

import multiprocessing
import queue
import time
import uuid
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from second_classroom.aggregates import enrolment
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.postgres import connection_settings
from second_classroom.persistence.stores import postgres_env
from second_classroom.service import SecondClassroom
from tests.enrolment_world import REGISTERING, approved_activity, found_school
from tests.persistence.change_fixtures import drafted_on
from tests.specification import NOW, PE_ADMIN, at
from tests.stores import TEST_SECRET

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
    """Given a store; when an event is appended; then the server's WAL (read with
    ``pg_walinspect``) shows two transactions: the row's own, committed first (without
    waiting for its flush, so the table lock is free at once), then another that writes the
    flush message; and the connection's ``synchronous_commit`` is still ``on`` afterwards.
    (Filtered by the row's transaction id, so other sessions' WAL does not matter.)"""
    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroomApplication(env) as app:
        recorder = app.recorder
        datastore = recorder.datastore  # type: ignore[attr-defined]
        table = f'"{postgres_schema}"."{recorder.events_table_name}"'  # type: ignore[attr-defined]
        stream = uuid.uuid4()
        with datastore.get_connection() as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            start = connection.execute("SELECT pg_current_wal_insert_lsn() AS lsn").fetchone()
            call = recorder._sql("insert", connection)  # type: ignore[attr-defined]
            params = ([stream], [1], ["test-topic"], [b'{"v":1}'])
            positions = connection.execute(call, params).fetchone()["positions"]
            row = connection.execute(
                f"SELECT xmin::text::bigint AS xid FROM {table} WHERE originator_id = %s",
                (stream,),
            ).fetchone()
            records = connection.execute(
                "SELECT start_lsn, xid::text::bigint AS xid, resource_manager, record_type,"
                " description FROM pg_get_wal_records_info(%s, pg_current_wal_flush_lsn())"
                " ORDER BY start_lsn",
                (start["lsn"],),
            ).fetchall()
            setting = connection.execute("SHOW synchronous_commit").fetchone()
    assert len(positions) == 1
    own = [r for r in records if r["xid"] == row["xid"]]
    commit = [r["start_lsn"] for r in own if r["record_type"] == "COMMIT"]
    messages = [
        r
        for r in records
        if r["resource_manager"] == "LogicalMessage" and "second_classroom" in r["description"]
    ]
    assert len(commit) == 1
    assert [r["record_type"] for r in own if r["resource_manager"] == "LogicalMessage"] == []
    assert any(r["xid"] != row["xid"] and r["start_lsn"] > commit[0] for r in messages)
    assert setting == {"synchronous_commit": "on"}


@pytest.mark.parametrize("session", ["on", "off"])
def test_an_append_is_on_disk_when_it_returns(
    postgres_dsn: str, postgres_schema: str, session: str
) -> None:
    """Given a store whose events table notes the WAL position of each insert (a trigger),
    on a connection whose ``synchronous_commit`` is ``on`` or ``off`` (as a server, database
    or role may set it); when an event is appended; then, as the call returns, the server has
    flushed its WAL past that position: the append's commit is on disk before its command
    answers, whatever the setting. (The
    append's own commit does not wait for the disk; the procedure's second commit must.
    One that wrote no WAL — a transaction id alone — is not flushed, and the wal writer
    flushes only every ``wal_writer_delay``, 200 ms by default, so without the flush this
    fails.)"""
    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroomApplication(env) as app:
        recorder = app.recorder
        datastore = recorder.datastore  # type: ignore[attr-defined]
        table = f'"{postgres_schema}"."{recorder.events_table_name}"'  # type: ignore[attr-defined]
        with datastore.get_connection() as connection:
            connection.execute(
                f'CREATE FUNCTION "{postgres_schema}".note_lsn() RETURNS trigger'
                " LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('sc.inserted',"
                " pg_current_wal_insert_lsn()::text, false); RETURN NULL; END; $$"
            )
            connection.execute(
                f"CREATE TRIGGER note_lsn AFTER INSERT ON {table}"
                f' FOR EACH STATEMENT EXECUTE FUNCTION "{postgres_schema}".note_lsn()'
            )
        flushed = []
        for _ in range(5):
            with datastore.get_connection() as connection:
                connection.execute(f"SET synchronous_commit = {session}")
                call = recorder._sql("insert", connection)  # type: ignore[attr-defined]
                params = ([uuid.uuid4()], [1], ["test-topic"], [b'{"v":1}'])
                try:
                    connection.execute(call, params)
                    row = connection.execute(
                        "SELECT pg_current_wal_flush_lsn()"
                        " >= current_setting('sc.inserted')::pg_lsn AS flushed"
                    ).fetchone()
                finally:
                    connection.execute("RESET synchronous_commit")
                flushed.append(row["flushed"])
    assert flushed == [True] * 5


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


@attrs.define
class Loss:
    """What became of an append whose connection was lost: the statements sent from the
    lost ``CALL`` on, and (``unflushed``) where the WAL ended after its commit."""

    sent: list[bytes] = attrs.Factory(list)
    written: list[str] = attrs.Factory(list)

    def calls(self) -> int:
        return sum(1 for text in self.sent if text.startswith(b"CALL "))


def lose_the_next_append(
    monkeypatch: pytest.MonkeyPatch,
    *,
    stored: bool,
    unflushed: bool = False,
    session_off: bool = False,
) -> Loss:
    """The next append's ``CALL`` runs on the server if ``stored`` (and is lost if not),
    then the connection breaks, so the client sees psycopg's ``OperationalError``, as when
    the server's reply is lost. ``unflushed``: that session's
    commits do not wait for the flush, as if the connection were lost between the
    procedure's two commits. ``session_off``: the retry's session, too, has
    ``synchronous_commit = off`` (as a server, database or role may set it)."""
    import psycopg

    original = psycopg.Cursor.execute
    armed = [True]
    loss = Loss()

    def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        text = query if isinstance(query, bytes) else str(query).encode()
        if not armed[0]:
            loss.sent.append(text)
            if session_off:
                original(self, "SET synchronous_commit = off")
        elif text.startswith(b"CALL "):
            armed[0] = False
            loss.sent.append(text)
            if unflushed:
                original(self, "SET synchronous_commit = off")
            if stored:
                original(self, query, *args, **kwargs)
            if unflushed:
                original(self, "SELECT pg_current_wal_insert_lsn()::text AS lsn")
                loss.written.append(self.fetchone()["lsn"])
            self.connection.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    return loss


def test_an_append_stored_before_its_connection_was_lost_answers_its_positions_once(
    postgres_dsn: str, postgres_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an append of three events of two streams that the server commits but whose
    reply the client never gets (a connection error); when it is tried again and meets its
    own rows; then it answers the positions those rows hold, in order, not a conflict, and
    every event is stored once."""
    env = postgres_env(postgres_dsn, schema=postgres_schema)
    a, b = uuid.uuid4(), uuid.uuid4()
    with SecondClassroomApplication(env) as app:
        recorder = app.recorder
        monkeypatch.setattr(recorder, "append_wait", 0)
        loss = lose_the_next_append(monkeypatch, stored=True)
        inserted = recorder.insert_events([stored(a, 1), stored(b, 1), stored(a, 2)])
        assert inserted is not None
        positions = list(inserted)
        assert loss.calls() == 2  # the lost one and the retry that met its rows
        found = recorder.select_notifications(1, 10)
        assert [(n.id, n.originator_id, n.originator_version) for n in found] == [
            (positions[0], a, 1),
            (positions[1], b, 1),
            (positions[2], a, 2),
        ]
        assert recorder.max_notification_id() == positions[-1]


@pytest.mark.parametrize("session", ["on", "off"])
def test_an_append_found_stored_after_a_lost_connection_is_flushed_before_it_answers(
    postgres_dsn: str, postgres_schema: str, monkeypatch: pytest.MonkeyPatch, session: str
) -> None:
    """Given an append whose connection was lost after its (asynchronous) commit and before
    the flushing one (here: the session's own commits do not wait for the flush either);
    when the retry finds it stored, on a session whose ``synchronous_commit`` is ``on`` or
    ``off``; then a synchronous commit follows the check before the append answers, so the
    WAL is flushed past the append's commit (durable before its command answers, as every
    append is)."""
    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroomApplication(env) as app:
        recorder = app.recorder
        datastore = recorder.datastore  # type: ignore[attr-defined]
        monkeypatch.setattr(recorder, "append_wait", 0)
        loss = lose_the_next_append(
            monkeypatch, stored=True, unflushed=True, session_off=session == "off"
        )
        positions = recorder.insert_events([stored(uuid.uuid4(), 1)])
        assert positions is not None
        monkeypatch.undo()
        with datastore.get_connection() as connection:
            connection.execute("RESET synchronous_commit")
            flushed = connection.execute(
                "SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn AS done", loss.written
            ).fetchone()["done"]
    assert len(positions) == 1
    sent = loss.sent
    check = next(i for i, text in enumerate(sent) if text.startswith(b"SELECT notification_id"))
    assert any(b"pg_logical_emit_message" in text for text in sent[check + 1 :])
    assert flushed


OURS = [stored(uuid.UUID(int=1), 1), stored(uuid.UUID(int=2), 1)]
RIVALS = {
    # another writer's events at every one of our versions: same topic, another state
    "another state": [StoredEvent(e.originator_id, 1, e.topic, b'{"v":2}') for e in OURS],
    # the same state bytes at every one of our versions, under another topic
    "another topic": [StoredEvent(e.originator_id, 1, "other-topic", e.state) for e in OURS],
    # the same event as our first, but not the rest of our append
    "only part of ours": OURS[:1],
}


@pytest.mark.parametrize("rival", RIVALS.values(), ids=list(RIVALS))
def test_another_writers_rows_met_after_a_lost_connection_are_still_a_conflict(
    postgres_dsn: str,
    postgres_schema: str,
    monkeypatch: pytest.MonkeyPatch,
    rival: list[StoredEvent],
) -> None:
    """Given an append whose connection is lost before the server runs it, while another
    writer stores events at its versions; when it is tried again; then it raises
    IntegrityError (a concurrency conflict) unless every row at its versions is its own
    (same topic, same state bytes) — and nothing of it is stored."""
    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroomApplication(env) as app, SecondClassroomApplication(env) as other:
        recorder = app.recorder
        monkeypatch.setattr(recorder, "append_wait", 0)
        inserted = other.recorder.insert_events(rival)
        assert inserted is not None
        theirs = list(inserted)
        loss = lose_the_next_append(monkeypatch, stored=False)
        with pytest.raises(IntegrityError):
            recorder.insert_events(OURS)
        assert loss.calls() == 2
        found = recorder.select_notifications(1, 10)
        assert [(n.id, n.topic, n.state) for n in found] == [
            (position, event.topic, event.state)
            for position, event in zip(theirs, rival, strict=True)
        ]


def test_a_conflict_without_a_lost_connection_is_answered_without_a_look_at_the_rows(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """Given events stored; when the very same events are appended again on a sound
    connection; then it is a conflict (IntegrityError) after one statement: only a lost
    connection makes an append look whether the rows it met are its own."""
    import psycopg

    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroomApplication(env) as app:
        recorder = app.recorder
        recorder.insert_events(OURS)
        statements: list[object] = []
        original = psycopg.Cursor.execute

        def spy(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            statements.append(query)
            return original(self, query, *args, **kwargs)

        psycopg.Cursor.execute = spy  # type: ignore[method-assign]
        try:
            with pytest.raises(IntegrityError):
                recorder.insert_events(OURS)
        finally:
            psycopg.Cursor.execute = original  # type: ignore[method-assign]
        assert len(statements) == 1


def test_a_registration_stored_before_its_connection_was_lost_is_answered_as_stored(
    postgres_dsn: str, postgres_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """第十二条 报名制活动即报即成功. Given a first-come activity; when a student registers
    and the store commits the registration but the connection is lost before the reply;
    then the student is answered with the registration (not decided again and refused as
    ``enrolment.already_registered``), the enrolment is stored once, and registering again
    is refused."""
    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        [number] = found_school(service, 1)
        talk = approved_activity(service, "talk", capacity=5)
        student = Actor.student(number)
        monkeypatch.setattr(service.app.recorder, "append_wait", 0)
        loss = lose_the_next_append(monkeypatch, stored=True)
        outcome = service.execute(Register(talk), student, REGISTERING)
        assert loss.calls() == 2
        stream = enrolment.enrolment_id(talk, number)
        assert [e.originator_id for e in outcome.events].count(stream) == 1
        held = service.enrolment(talk, number, student)
        assert held is not None
        assert held.status is enrolment.EnrolmentStatus.ADMITTED
        assert len(list(service.app.recorder.select_events(stream))) == 1
        with pytest.raises(DomainError) as refused:
            service.execute(Register(talk), student, REGISTERING)
        assert refused.value.code == "enrolment.already_registered"
