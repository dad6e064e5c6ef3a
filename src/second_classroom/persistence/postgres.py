"""PostgreSQL: eventsourcing's factory with table creation serialized across processes, and the
store's connection settings for other readers of the same database (the views).

eventsourcing creates its tables, types and insert function every time an application starts
(``CREATE TABLE IF NOT EXISTS``, ``CREATE TYPE``, ``CREATE OR REPLACE FUNCTION``). Two processes
doing so at once collide in the system catalogs (``tuple concurrently updated``, a duplicate
``pg_type`` key), so here each recorder creates its tables while holding a session advisory
lock named after the schema: processes starting together take turns, and a start never fails
because another one is starting.

Importing this module needs psycopg (the ``postgres`` extra).
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import time
from collections.abc import Sequence
from typing import Any

import attrs
from eventsourcing import postgres
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.utils import Environment, retry
from psycopg.errors import DuplicateObject
from psycopg.sql import SQL, Composed, Identifier

_CONNECTION_KEYS = ("dbname", "host", "port", "user", "password")


def schema_lock_key(schema: str) -> int:
    """The advisory lock (a signed 64-bit key) held while creating tables in ``schema``."""
    digest = hashlib.blake2b(f"second_classroom:schema:{schema}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


class _SerialCreation(postgres.PostgresRecorder):
    """A recorder whose ``create_table`` runs under the schema's advisory lock, on one
    connection (so a pool of size one suffices)."""

    def create_table(self) -> None:
        key = schema_lock_key(self.datastore.schema)
        with self.datastore.get_connection() as connection:  # autocommit
            connection.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                for statement in self.sql_create_statements:
                    if "CREATE TYPE" in statement.as_string():
                        # No IF NOT EXISTS for types: eventsourcing also ignores this error.
                        with contextlib.suppress(DuplicateObject), connection.transaction():
                            connection.execute(statement, prepare=False)
                with connection.transaction(), connection.cursor() as cursor:
                    self._create_table(cursor)
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (key,))
        self.datastore.register_type_adapters()


class SerialAggregateRecorder(_SerialCreation, postgres.PostgresAggregateRecorder):
    """Snapshots."""


# What makes a synchronous commit wait for the disk: PostgreSQL flushes the WAL at a commit
# only if the transaction wrote some, and a transaction id alone writes none. A transactional
# logical-decoding message takes an id and writes one small record (at any ``wal_level``),
# so the commit that follows flushes everything before it.
FLUSH = "pg_logical_emit_message(true, 'second_classroom', 'flush')"
# A commit waits for that flush only if ``synchronous_commit`` is not ``off``; a server,
# database or role may set it off (a common speed setting), which would make an append answer
# before it is on disk. So the flushing transaction raises an ``off`` to ``on`` for itself;
# any other value (``local``, ``remote_write``, ``remote_apply``) flushes locally and is kept.
DURABLE = (
    "IF current_setting('synchronous_commit') = 'off' THEN"
    " SET LOCAL synchronous_commit = on; END IF;"
)


class SerialApplicationRecorder(_SerialCreation, postgres.PostgresApplicationRecorder):
    """Events and the notification log, each append in one round trip.

    eventsourcing writes an append as a pipelined transaction — ``BEGIN``, ``SET LOCAL
    lock_timeout``, ``LOCK TABLE … IN EXCLUSIVE MODE``, ``NOTIFY``, the ``INSERT``, a sync
    to fetch the positions, ``COMMIT`` — two round trips and, on the client, more CPU than the
    command's own decision. Here the same statements run inside one procedure
    (``sc_append_<table>``) called in autocommit: one statement, one round trip, the same
    table lock held to the commit, so positions still become visible in order (the state
    cache and the views rely on it), and the same errors (a taken version is an
    ``IntegrityError``). The events travel as four plain arrays, not composite values.

    The lock is not held while the commit waits for its WAL flush: the procedure commits
    the append asynchronously (it becomes visible, in order, and releases the table lock and
    ``NOTIFY``'s server-wide commit lock at once), then commits a second transaction
    synchronously, whose flush covers the append's commit record (WAL is flushed in order).
    That transaction writes one logical-decoding message (``FLUSH``): PostgreSQL flushes a
    commit only if its transaction wrote WAL, and a transaction id alone writes none (the
    first version of this procedure relied on one and never waited for the disk); and it
    raises a ``synchronous_commit`` set ``off`` by the server, database or role to ``on``
    for itself (``DURABLE``).
    The call returns only after both, so an append is durable before its command answers,
    and the flushes of concurrent appends are grouped by the server instead of queueing
    behind the lock. The only difference a reader can observe: for the moment between the
    two commits another session may read an append that a crash would then lose — and any
    write that session makes after reading it lies later in the WAL, so no durable state
    ever depends on a lost append.

    A lost connection is tried again (10 attempts, 0.2 s apart, as eventsourcing retries),
    and the append it hid may have been stored: the connection can fail after the
    procedure's commit, or the reply can be lost. The next attempt then meets its own rows
    (``IntegrityError``). So after a connection error, an ``IntegrityError`` is checked with
    one plain ``SELECT`` of the rows at those (originator_id, originator_version) pairs: if
    every one is there with the same topic and the same state bytes, the earlier attempt
    committed, and its positions (in order) are the answer, after a synchronous commit that
    flushes the WAL past it (the earlier attempt may have lost its connection between its
    two commits; a logical-decoding message makes that commit write WAL, since a commit
    that wrote none is not flushed). If any row is missing or differs, another
    writer took the version: the ``IntegrityError`` stands. An append that never met a
    connection error answers a conflict without the check.
    """

    append_attempts = 10  # eventsourcing's retry of a lost connection, as it was
    append_wait = 0.2  # seconds between attempts (±5 %)

    def __init__(
        self, datastore: postgres.PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        procedure = Identifier(f"sc_append_{events_table_name}"[: self.MAX_IDENTIFIER_LEN])
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        id_type = Identifier(datastore.originator_id_type)
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE PROCEDURE {schema}.{procedure}("
                "ids {id_type}[], versions bigint[], topics text[], states bytea[], "
                "INOUT positions bigint[] DEFAULT NULL) LANGUAGE plpgsql AS $BODY$ "
                "BEGIN "
                "SET LOCAL synchronous_commit = off; "
                "SET LOCAL lock_timeout = '{timeout}s'; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "NOTIFY {channel}; "
                "WITH inserted AS (INSERT INTO {schema}.{table} "
                "(originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) "
                "RETURNING notification_id) "
                "SELECT array_agg(notification_id ORDER BY notification_id) INTO positions "
                "FROM inserted; "
                "COMMIT; "
                "{durable} "
                "PERFORM {flush}; "
                "END; $BODY$"
            ).format(
                schema=schema,
                procedure=procedure,
                id_type=id_type,
                timeout=datastore.lock_timeout,
                table=table,
                channel=Identifier(self.channel_name),
                durable=SQL(DURABLE),
                flush=SQL(FLUSH),
            )
        )
        # Rendered once (psycopg renders a composed statement again at every execution).
        insert = SQL(
            "CALL {schema}.{procedure}(%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[])"
        ).format(schema=schema, procedure=procedure, id_type=id_type)
        select = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {schema}.{table} WHERE notification_id >= %s"
        ).format(schema=schema, table=table)
        order = SQL(" ORDER BY notification_id LIMIT %s")
        # Names the events table so that a distributed engine (Citus) answers it on the node
        # that holds the log, not on the coordinator, whose transaction ids are its own.
        horizon = SQL(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,"
            " pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax, count(*) AS none"
            " FROM {schema}.{table} WHERE false"
        ).format(schema=schema, table=table)
        # A plain SELECT of the table (on Citus routed whole to the school's worker, like
        # every read of the log): a superset of the pairs, matched exactly in Python.
        ours = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s::{id_type}[]) AND originator_version = ANY(%s::bigint[])"
        ).format(schema=schema, table=table, id_type=id_type)
        # No table: on Citus it runs on the coordinator (the worker's COMMIT PREPARED
        # flushed the rows).
        flush = SQL("DO $BODY$ BEGIN " + DURABLE + " PERFORM " + FLUSH + "; END $BODY$")
        self._statements = {
            "horizon": horizon,
            "insert": insert,
            "ours": ours,
            "flush": flush,
            "from": Composed([select, order]),
            "between": Composed([select, SQL(" AND notification_id <= %s"), order]),
        }
        self._rendered: dict[str, bytes] = {}

    def _sql(self, name: str, connection: Any) -> bytes:
        rendered = self._rendered.get(name)
        if rendered is None:
            rendered = self._rendered[name] = self._statements[name].as_bytes(connection)
        return rendered

    def snapshot_horizon(self) -> tuple[int, int]:
        """(xmin, xmax) of a current snapshot of the node that holds the log: transactions
        below xmin have all ended, and every one that has written anything yet is below
        xmax (the view runner's gap rule)."""
        with self.datastore.get_connection() as connection:
            [row] = connection.execute(self._sql("horizon", connection)).fetchall()
        return int(row["xmin"]), int(row["xmax"])

    def insert_events(self, stored_events: Sequence[StoredEvent], **_: Any) -> Sequence[int]:
        """Append ``stored_events`` in one transaction; their positions in the log. A lost
        connection is tried again; an append it hid that was stored answers with its
        positions, not as a conflict (see the class)."""
        if not stored_events:
            return []
        params = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        lost = False  # an attempt failed with the connection: it may have committed
        attempt = 1
        while True:
            try:
                try:
                    return self._append(params)
                except IntegrityError:
                    if lost:
                        positions = self._stored_positions(stored_events)
                        if positions is not None:
                            return positions
                    raise
            except (InterfaceError, OperationalError):
                if attempt >= self.append_attempts:
                    raise
                lost = True
                attempt += 1
                time.sleep(self.append_wait * (1 + 0.1 * (random.random() - 0.5)))

    def _append(self, params: tuple[list[Any], ...]) -> list[int]:
        """One attempt: the procedure's call, one statement in autocommit."""
        with self.datastore.get_connection() as connection:
            query = self._sql("insert", connection)
            [row] = connection.execute(query, params, prepare=True).fetchall()
        return list(row["positions"])

    def _stored_positions(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """The positions of ``stored_events`` if exactly these are stored (same stream,
        version, topic and state bytes), flushed to disk; None if any is missing or
        differs."""
        ids = [e.originator_id for e in stored_events]
        versions = [e.originator_version for e in stored_events]
        with self.datastore.get_connection() as connection:
            rows = connection.execute(self._sql("ours", connection), (ids, versions)).fetchall()
            found = {(row["originator_id"], row["originator_version"]): row for row in rows}
            positions = []
            for event in stored_events:
                row = found.get((event.originator_id, event.originator_version))
                if row is None or row["topic"] != event.topic or bytes(row["state"]) != event.state:
                    return None
                positions.append(int(row["notification_id"]))
            # The lost attempt may have ended between its commit (not flushed) and the
            # flushing one: flush now, so that the append is durable before it answers.
            connection.execute(self._sql("flush", connection))
        return sorted(positions)  # as the procedure answers: in the order of the log

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """eventsourcing's, with the statement rendered once for the common case (every
        topic, from a position on): the state cache's look at the log before each command."""
        if topics or start is None or not inclusive_of_start:
            return list(
                super().select_notifications(
                    start, limit, stop, topics, inclusive_of_start=inclusive_of_start
                )
            )
        params = (start, limit) if stop is None else (start, stop, limit)
        with self.datastore.get_connection() as connection:
            query = self._sql("from" if stop is None else "between", connection)
            rows = connection.execute(query, params, prepare=True).fetchall()
        return [
            Notification(
                id=row["notification_id"],
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in rows
        ]


class Factory(postgres.PostgresFactory):
    """eventsourcing's PostgreSQL factory with serialized table creation."""

    aggregate_recorder_class = SerialAggregateRecorder
    application_recorder_class = SerialApplicationRecorder


def construct_factory(env: Environment) -> InfrastructureFactory[Any]:
    """The factory for ``env`` (``PERSISTENCE_MODULE=eventsourcing.postgres``)."""
    return Factory(env)


@attrs.frozen
class ConnectionSettings:
    """How the store connects: psycopg keyword arguments (never a rebuilt URL, so any
    character in a password is safe), the schema, and the store's pool size
    (``POSTGRES_POOL_SIZE``, without its overflow: a fair share for another pool)."""

    kwargs: dict[str, Any]
    schema: str
    max_size: int


def connection_settings(factory: object) -> ConnectionSettings | None:
    """The PostgreSQL connection of an application's infrastructure factory; None for others."""
    datastore = getattr(factory, "datastore", None)
    if not isinstance(datastore, postgres.PostgresDatastore):
        return None
    pool = datastore.pool
    given = pool.kwargs if isinstance(pool.kwargs, dict) else {}
    kwargs = {key: given[key] for key in _CONNECTION_KEYS if key in given}
    if pool.get_password_func is not None:
        kwargs["password"] = pool.get_password_func()
    return ConnectionSettings(kwargs, datastore.schema, max(pool.min_size, 1))
