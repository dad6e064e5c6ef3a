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
from typing import Any

import attrs
from eventsourcing import postgres
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment
from psycopg.errors import DuplicateObject

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


class SerialApplicationRecorder(_SerialCreation, postgres.PostgresApplicationRecorder):
    """Events and the notification log."""


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
