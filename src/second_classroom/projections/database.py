"""The SQL database the views live in: the same kind (and, by default, the same database) as the
event store, so a frontend can query the views without this library.

Statements take ``?`` placeholders on both stores; on PostgreSQL they become ``%s`` and every
``%`` is escaped, so ``LIKE 'a%'`` and a ``'?'`` inside a string literal mean the same on both.
Every text parameter is made safe first (NUL and lone surrogates become U+FFFD): PostgreSQL
refuses NUL in text, and SQLite's functions stop at it.

Any number of threads may use one database: SQLite files get a connection per thread (an
in-memory database, which lives in one connection's cache, is used by one thread at a time);
PostgreSQL uses a connection pool.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import attrs

from second_classroom.core.text import KEY_CHARS_MAX
from second_classroom.persistence.reading import safe_text

T = TypeVar("T")


class Cursor(Protocol):
    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any: ...

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> Any: ...

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class ViewDatabase(Protocol):
    """Where the views live; safe to use from any number of threads."""

    kind: str

    def transaction(
        self, *, pipeline: bool = True, create: bool = False
    ) -> AbstractContextManager[Cursor]:
        """One transaction, yielding a ``Cursor``. ``pipeline=False`` makes
        every statement fail where it is run (so a savepoint can catch it); ``create=True``
        waits for any other process creating tables in this database."""
        ...

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def stream(self, statement: str, size: int = 5000) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, fetched ``size`` at a time (a whole view table need not fit
        in memory)."""
        ...

    def refuses(self, error: BaseException) -> bool:
        """True if ``error`` is the database refusing the data written, not a failure of the
        database or the connection (which a retry may cure)."""
        ...

    def close(self) -> None: ...


def safe_params(params: Sequence[Any]) -> Sequence[Any]:
    """The parameters with every text made safe to store (see ``safe_text``)."""
    for value in params:
        # An ASCII text without a NUL (most are) is safe: decided here, without a call.
        if type(value) is str and (not value.isascii() or "\x00" in value) and _is_unsafe(value):
            return tuple(safe_text(v) if isinstance(v, str) else v for v in params)
    return params  # the usual case, checked without building anything


def _is_unsafe(text: str) -> bool:
    """True if ``text`` holds a NUL or a surrogate (``UNSAFE_TEXT``), found without the
    pattern, which reads the text a character at a time (several times slower): an ASCII
    text (``isascii`` is O(1)) holds no surrogate, and any other is unsafe exactly when
    UTF-8 refuses it (a surrogate) or its bytes hold a NUL."""
    if text.isascii():
        return "\x00" in text
    try:
        return b"\x00" in text.encode()
    except UnicodeEncodeError:
        return True


# -- Indexes ---------------------------------------------------------------------------------


@attrs.frozen
class Index:
    """A secondary index on a view's table that its queries read by (a roster by activity, the
    audit log by stream). A view's ``create`` makes its tables; the runner makes its indexes,
    and a rebuild drops them and makes them again once the view is filled: one sort of the
    table instead of an insert into every index for every row."""

    name: str
    table: str
    columns: tuple[str, ...]

    @property
    def create(self) -> str:
        return f"CREATE INDEX IF NOT EXISTS {self.name} ON {self.table} ({', '.join(self.columns)})"

    @property
    def drop(self) -> str:
        return f"DROP INDEX IF EXISTS {self.name}"


# PostgreSQL refuses an index row over about 2,700 bytes (a B-tree page's third). A text in a
# column an ``Index`` covers is held to a bound in characters (at most 4 bytes each in UTF-8,
# with room for the other columns) on every store, by the view that writes it: so a row is
# left out alike whether the index is there (a catch-up) or not yet (a rebuild makes its
# indexes at its end, where one over-long key would otherwise stop it), and on SQLite too.
# The bound is ``core.text.KEY_CHARS_MAX``, which no rulebook's ids exceed
# (``Limits.problems``): only a legacy event's text is refused.


def index_key(text: str) -> str:
    """``text``, for a column an index covers; ValueError if it is longer than
    ``KEY_CHARS_MAX`` (the runner then leaves the event out of that view and lists it)."""
    if len(text) > KEY_CHARS_MAX:
        raise ValueError(
            f"a text of {len(text)} characters for an indexed column (at most {KEY_CHARS_MAX})"
        )
    return text


# -- Exact amounts ---------------------------------------------------------------------------

# Credit amounts are stored as whole units of 10**-AMOUNT_PLACES: SQLite keeps a NUMERIC column
# as a binary float, so 0.1 + 0.2 there is 0.30000000000000004; integers add exactly in SQL on
# both databases. AMOUNT_PLACES is the rulebook's bound on ``limits.credit_places``.
AMOUNT_PLACES = 10
_UNIT = Decimal(1).scaleb(-AMOUNT_PLACES)
# The column's CHECK: below BIGINT's top, so an SQLite ``+`` that overflows (into a float) or a
# PostgreSQL one (an error) is refused and recorded, never kept (9e8 学分 a row).
AMOUNT_CHECK = "CHECK (amount BETWEEN -9000000000000000000 AND 9000000000000000000)"


def amount_units(amount: Decimal) -> int:
    """``amount`` in stored units; ValueError if it has more places than they hold."""
    units = amount.scaleb(AMOUNT_PLACES)
    if not units.is_finite() or units != units.to_integral_value():
        raise ValueError(f"an amount with more than {AMOUNT_PLACES} places: {amount}")
    return int(units)


def units_amount(units: object) -> Decimal:
    """A stored (or summed) amount back as an exact decimal, without trailing zeros."""
    if isinstance(units, float):  # only a column of the old shape holds one
        raise TypeError(f"a stored amount is not a whole number of units: {units!r}")
    exact = (Decimal(str(units)) * _UNIT).normalize()
    exponent = exact.as_tuple().exponent
    # normalize() writes 10 as 1E+1; a whole amount is shown as a whole number
    return exact.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else exact


# -- SQLite ------------------------------------------------------------------------------------

_SQLITE_LOCKED = 6  # another connection to a shared in-memory cache holds the table


class _SQLiteCursor:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(statement, safe_params(params))

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self.connection.executemany(statement, [safe_params(row) for row in rows])

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.connection.execute(statement, safe_params(params)).fetchall())


class _ThreadConnection:
    """One thread's connection, closed when the thread ends and its local storage goes (a
    server starting a thread per request would otherwise keep one open file per request)."""

    __slots__ = ("__weakref__", "connection")

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __del__(self) -> None:
        self.connection.close()


class SQLiteViews:
    """Views in an SQLite file (or a shared in-memory database for tests)."""

    kind = "sqlite"

    def __init__(self, database: str, timeout: float = 30.0) -> None:
        self.database = database
        self.timeout = timeout
        self._uri = database.startswith("file:")
        self._memory = database == ":memory:" or "mode=memory" in database
        self._local = threading.local()
        self._threads: weakref.WeakSet[_ThreadConnection] = weakref.WeakSet()
        # An in-memory database is one connection used in turns (its shared cache answers
        # "table is locked" to concurrent connections instead of waiting); a file gets one
        # connection per thread, and SQLite's own locks order the writers.
        self._turns = threading.RLock() if self._memory else None
        self._shared = self._connect() if self._memory else None

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.database,
            uri=self._uri,
            isolation_level=None,
            check_same_thread=False,
            timeout=self.timeout,
        )
        if not self._memory:
            connection.execute("PRAGMA journal_mode=WAL")
            # A commit of the views need not wait for the disk: in WAL mode NORMAL keeps each
            # commit atomic and the file consistent; a power cut can lose only the last view
            # commits, with their tracking position, so the runner applies those events again
            # (a view is derived from the log, whose own writers keep FULL).
            connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._turns is not None and self._shared is not None:
            with self._turns:
                yield self._shared
            return
        mine: _ThreadConnection | None = getattr(self._local, "connection", None)
        if mine is None:
            mine = self._local.connection = _ThreadConnection(self._connect())
            self._threads.add(mine)
        yield mine.connection

    def _patiently(self, action: Callable[[], T]) -> T:
        """Run ``action``, waiting while another connection to a shared in-memory cache
        holds the table (busy timeouts do not apply there)."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return action()
            except sqlite3.OperationalError as error:
                locked = getattr(error, "sqlite_errorcode", 0) & 0xFF == _SQLITE_LOCKED
                if not locked or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    @contextmanager
    def transaction(self, *, pipeline: bool = True, create: bool = False) -> Iterator[Cursor]:
        # BEGIN IMMEDIATE takes the write lock now: writers, also those creating tables, go
        # one at a time in every process.
        with self._connection() as connection:
            self._patiently(lambda: connection.execute("BEGIN IMMEDIATE"))
            try:
                yield _SQLiteCursor(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            self._patiently(lambda: connection.execute("COMMIT"))

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        values = safe_params(params)
        with self._connection() as connection:
            return self._patiently(lambda: list(connection.execute(statement, values).fetchall()))

    def stream(self, statement: str, size: int = 5000) -> Iterator[tuple[Any, ...]]:
        if self._memory:  # a test's database, used in turns: small enough to read at once
            yield from self.query(statement)
            return
        # A connection of its own: the thread's may be used between two pages.
        connection = self._connect()
        try:
            rows = connection.execute(statement)
            while page := rows.fetchmany(size):
                yield from page
        finally:
            connection.close()

    def refuses(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.IntegrityError | sqlite3.DataError)

    def close(self) -> None:
        if self._shared is not None:
            self._shared.close()
        for mine in list(self._threads):
            mine.connection.close()


# -- PostgreSQL --------------------------------------------------------------------------------

# A string literal (plain, E'' with backslash escapes, or dollar-quoted), a quoted identifier or
# a comment: ``?`` inside one is text, not a placeholder.
_QUOTED = re.compile(
    r"""
    (?<![\w$])[eE]'(?:[^'\\]|\\.|'')*'
    | '(?:[^']|'')*'
    | "(?:[^"]|"")*"
    | --[^\n]*
    | /\*.*?\*/
    | (?<![\w$])\$(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?\$(?P=tag)\$
    | [?%]
    """,
    re.DOTALL | re.VERBOSE,
)


@functools.lru_cache(maxsize=512)
def psycopg_statement(statement: str) -> str:
    """``statement`` with ``?`` placeholders in psycopg's style: ``%s``, and ``%%`` for ``%``."""

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        return text.replace("%", "%%")

    return _QUOTED.sub(replace, statement)


# Classes of SQLSTATE for errors caused by the data: cardinality, data exception, integrity
# constraint, program limit exceeded (say, a key too long for its index).
_DATA_ERROR_CLASSES = frozenset({"21", "22", "23", "54"})


class _PostgresCursor:
    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.cursor.execute(psycopg_statement(statement), safe_params(params))

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self.cursor.executemany(
            psycopg_statement(statement), [safe_params(row) for row in rows]
        )

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(psycopg_statement(statement), safe_params(params))
        return list(self.cursor.fetchall())


class PostgresViews:
    """Views in a PostgreSQL schema (``search_path`` set to it), through a connection pool.

    ``conninfo`` is a libpq connection string or URL; ``kwargs`` (psycopg's keyword
    arguments: host, port, dbname, user, password ...) are added to it and win, so a
    password needs no escaping there.
    """

    kind = "postgres"

    def __init__(
        self,
        conninfo: str = "",
        schema: str = "public",
        *,
        kwargs: Mapping[str, Any] | None = None,
        max_size: int = 10,
        timeout: float = 30.0,
    ) -> None:
        import psycopg
        from psycopg import sql
        from psycopg_pool import ConnectionPool

        self.schema = schema
        search_path = sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))

        def configure(connection: psycopg.Connection[Any]) -> None:
            connection.autocommit = True
            connection.execute(search_path)

        self.pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            conninfo,
            kwargs=dict(kwargs or {}),
            min_size=1,
            max_size=max(max_size, 1),
            configure=configure,
            timeout=timeout,
            open=True,
            name=f"views:{schema}",
        )

    @contextmanager
    def transaction(self, *, pipeline: bool = True, create: bool = False) -> Iterator[Cursor]:
        # Pipeline mode: the views only write, so statements are sent without waiting for
        # each one's answer — one round trip per batch of events, not one per statement.
        with self.pool.connection() as connection:
            if pipeline:
                with (
                    connection.pipeline(),
                    connection.transaction(),
                    connection.cursor() as cursor,
                ):
                    self._wait_for_creators(cursor, create)
                    yield _PostgresCursor(cursor)
            else:
                with connection.transaction(), connection.cursor() as cursor:
                    self._wait_for_creators(cursor, create)
                    yield _PostgresCursor(cursor)

    def _wait_for_creators(self, cursor: Any, create: bool) -> None:
        if create:
            # Concurrent CREATE TABLE IF NOT EXISTS collide in the catalogs; the event
            # store's tables are created under the same lock.
            from second_classroom.persistence.postgres import schema_lock_key

            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (schema_lock_key(self.schema),))

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.pool.connection() as connection, connection.cursor() as cursor:
            cursor.execute(psycopg_statement(statement), safe_params(params))
            return list(cursor.fetchall())

    def stream(self, statement: str, size: int = 5000) -> Iterator[tuple[Any, ...]]:
        # A server-side cursor: the client holds one page at a time.
        with (
            self.pool.connection() as connection,
            connection.transaction(),
            connection.cursor(name="sc_stream") as cursor,
        ):
            cursor.itersize = size
            cursor.execute(psycopg_statement(statement))
            yield from cursor

    def refuses(self, error: BaseException) -> bool:
        import psycopg

        if not isinstance(error, psycopg.Error):
            return False
        if isinstance(error, psycopg.DataError | psycopg.IntegrityError):
            return True  # also psycopg's own refusals, before anything is sent
        return (error.sqlstate or "")[:2] in _DATA_ERROR_CLASSES

    def close(self) -> None:
        self.pool.close()
