"""The projection runner: follows the application's notification log and applies each event to
the SQL views, writing the views and its tracking position in one transaction — so every event
is applied exactly once, a crash loses nothing, and any view can be rebuilt from zero.

Gaps. A notification id can be missing because its transaction has not committed yet, or
because it rolled back (PostgreSQL sequences never give ids back — every optimistic-concurrency
conflict leaves one). The runner never passes a missing id while a transaction that may hold it
is still running: on PostgreSQL, when it stops at a gap it notes the log's top id and then the
snapshot's ``xmax``; once ``pg_snapshot_xmin`` has passed that mark, every transaction that
could hold an id up to that top has ended, so every id still missing up to it — however many —
is passed in the next call. SQLite commits writers one at a time, in id order, so a gap there
is always a rollback.

Bad events. No stored event stops the views. Text is made safe on the way in (see
``database``); an event that cannot be decoded, or that a view or the database refuses, is
found by halving the failed batch, left out of the views that refuse it (each view is applied in
its own savepoint) and recorded in ``sc_view_failures``; the runner moves on. A failure of the
database or the connection, or of the code, is raised as before: nothing is skipped for it.

Decoding. Each view names the event types it reads (``events``); the runner hands it those
events only, and decodes an event's payload into its typed event only for a view that reads
it — once, however many views do. The audit log reads every event's stored JSON as it is
(a ``RecordView``), so an event no other view reads is never decoded. A view that names no
types is given every event, decoded.

Concurrency. Every write checks (and locks) the tracking row first, so any number of runners —
threads here, or other processes — may follow one log: each batch is applied once.

Shapes. A view whose tables changed shape (``shape``) is rebuilt alone when the views are
opened: its tables made again, then filled from the log's start up to the runner's position
before any catch-up (``setup``, ``_fill``), its indexes made once it is filled; the other
views keep their rows.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

import attrs

from second_classroom.codec import registry
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope
from second_classroom.persistence.reading import Recorded, Undecodable, Unreadable, records
from second_classroom.projections.database import Cursor, Index, PostgresViews, ViewDatabase
from second_classroom.projections.queries import table_digest, table_rows

TRACKING_TABLE = "sc_view_tracking"
FAILURES_TABLE = "sc_view_failures"
SHAPES_TABLE = "sc_view_shapes"
REBUILDS_TABLE = "sc_view_rebuilds"  # views being filled from the log after a change of shape
REBUILD_BATCH = 5000  # events to a transaction in a rebuild (a few MB of decoded events)
logger = logging.getLogger(__name__)
# Exceptions a view's own code raises on an event it cannot handle (a missing key, an
# unexpected value); anything else (a crash, an interrupt) is raised.
_EVENT_ERRORS = (LookupError, AttributeError, TypeError, ValueError, ArithmeticError)

Item = tuple[int, Recorded | Unreadable]


class View(Protocol):
    """A read model: its tables, and how one event changes them.

    A view may also name the event classes it reads (``events``, a tuple of classes): it is
    then given events of those types only. Without it, it is given every event. It may name
    the indexes its queries read by (``indexes``, a tuple of ``Index``): the runner makes
    them with its tables.
    """

    name: str
    tables: tuple[str, ...]

    def create(self, cursor: Cursor) -> None: ...

    def clear(self, cursor: Cursor) -> None: ...

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None: ...


@runtime_checkable
class _KnowsHorizon(Protocol):
    """A PostgreSQL recorder that reads the snapshot horizon on the log's own node."""

    def snapshot_horizon(self) -> tuple[int, int]: ...


@runtime_checkable
class BatchView(View, Protocol):
    """A view that applies a run of events at once (say, with one ``executemany``)."""

    def apply_all(self, cursor: Cursor, events: Sequence[tuple[int, Envelope]]) -> None: ...


@runtime_checkable
class RecordView(View, Protocol):
    """A view that reads every event's stored JSON (``Recorded``), never its typed payload."""

    def apply_records(self, cursor: Cursor, records: Sequence[tuple[int, Recorded]]) -> None: ...


@attrs.frozen
class ViewFailure:
    """An event a view could not apply: left out of that view, kept for an operator."""

    view: str
    position: int
    event: str
    error: str


@attrs.frozen
class _Mark:
    top: int  # the log's highest id when the gap was seen
    xmax: int  # then the snapshot's xmax: transactions that may hold an id up to top are below


class ProjectionRunner:
    """Keeps a set of views caught up with the log, exactly once."""

    def __init__(
        self,
        app: SecondClassroomApplication,
        database: ViewDatabase,
        views: Sequence[View],
        name: str = "views",
        batch: int = 2000,
    ) -> None:
        self.app = app
        self.database = database
        self.views = list(views)
        self.name = name
        self.batch = batch
        self._routes = [_Route.of(view) for view in self.views]
        self._all = _Step(tuple(self._routes), self._claim, self._move)
        self._lock = threading.Lock()  # one catch-up at a time in this process
        self._settled = 0  # every id missing up to here is known never to come
        self._mark: _Mark | None = None
        self.setup()

    def setup(self) -> None:
        """Create the tables; rebuild, alone, each view whose shape changed (see ``_fill``)."""
        # Not pipelined: the recorded shapes are read inside it.
        with self.database.transaction(create=True, pipeline=False) as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} "
                "(projection TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {FAILURES_TABLE} (projection TEXT NOT NULL,"
                " view TEXT NOT NULL, position BIGINT NOT NULL, event TEXT NOT NULL,"
                " error TEXT NOT NULL, PRIMARY KEY (projection, view, position))"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {SHAPES_TABLE} (projection TEXT NOT NULL,"
                " view TEXT NOT NULL, shape INTEGER NOT NULL, PRIMARY KEY (projection, view))"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {REBUILDS_TABLE} (projection TEXT NOT NULL,"
                " view TEXT NOT NULL, shape INTEGER NOT NULL, position BIGINT NOT NULL,"
                " PRIMARY KEY (projection, view))"
            )
            started = bool(
                cursor.query(
                    f"SELECT position FROM {TRACKING_TABLE} WHERE projection = ?", (self.name,)
                )
            )
            # The recorded shapes and the fills under way in one statement, so one snapshot
            # (PostgreSQL's READ COMMITTED takes one a statement): a fill that another process
            # completes between two reads would look like a changed view, to empty and fill
            # again while that process's catch-ups write to it (each event applied twice).
            rows = cursor.query(
                f"SELECT 'shape', view, shape FROM {SHAPES_TABLE} WHERE projection = ?"
                f" UNION ALL SELECT 'fill', view, shape FROM {REBUILDS_TABLE}"
                " WHERE projection = ?",
                (self.name, self.name),
            )
            recorded = {view: shape for kind, view, shape in rows if kind == "shape"}
            filling = {view: shape for kind, view, shape in rows if kind == "fill"}
            current = []
            for view in self.views:
                # A database that recorded no shapes (an older release's) is at shape 0; one
                # that recorded some lacks a view only if it is new: it is built from the log.
                known = recorded.get(view.name, None if recorded else 0)
                if known == _shape(view):
                    self._create(cursor, view)
                    current.append(view)
                elif not started:  # nothing applied yet: nothing to fill
                    self._drop(cursor, view)
                    current.append(view)
                elif filling.get(view.name) == _shape(view):
                    # Its tables are being filled at this shape (by another process now, or by
                    # one that stopped): _fill goes on from where that got to, and makes its
                    # indexes once it is filled.
                    view.create(cursor)
                else:
                    # Tables of another shape (an older release's columns) would read wrong.
                    logger.info("%s: view %s changed shape; rebuilding it", self.name, view.name)
                    self._drop(cursor, view)
                    self._restart(cursor, view)
            self._record_shapes(cursor, current)
            cursor.execute(
                f"INSERT INTO {TRACKING_TABLE} (projection, position) VALUES (?, 0) "
                "ON CONFLICT (projection) DO NOTHING",
                (self.name,),
            )
        self._fill()

    def _drop(self, cursor: Cursor, view: View) -> None:
        """Make ``view``'s tables again, at its shape, empty."""
        for table in view.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")  # and its indexes
        self._create(cursor, view)

    @staticmethod
    def _create(cursor: Cursor, view: View) -> None:
        """Make ``view``'s tables and indexes, those that are not there yet."""
        view.create(cursor)
        for index in _indexes(view):
            cursor.execute(index.create)

    def _restart(self, cursor: Cursor, view: View) -> None:
        """Empty ``view`` and note that it is to be filled from the log's start (``_fill``);
        its recorded shape is -1 until it is filled, a shape no release has, so no release
        reads it half-filled (an older one rebuilds it). Its indexes are dropped until then,
        as a rebuild drops them: made once from the filled tables, not kept row by row."""
        view.clear(cursor)
        for index in _indexes(view):
            cursor.execute(index.drop)
        cursor.execute(
            f"DELETE FROM {FAILURES_TABLE} WHERE projection = ? AND view = ?",
            (self.name, view.name),
        )
        cursor.execute(
            f"INSERT INTO {SHAPES_TABLE} (projection, view, shape) VALUES (?, ?, -1)"
            " ON CONFLICT (projection, view) DO UPDATE SET shape = excluded.shape",
            (self.name, view.name),
        )
        cursor.execute(
            f"INSERT INTO {REBUILDS_TABLE} (projection, view, shape, position) VALUES (?, ?, ?, 0)"
            " ON CONFLICT (projection, view) DO UPDATE SET shape = excluded.shape, position = 0",
            (self.name, view.name, _shape(view)),
        )

    def _record_shapes(self, cursor: Cursor, views: Sequence[View]) -> None:
        """Record ``views`` as filled up to the position at their shapes."""
        for view in views:
            cursor.execute(
                f"INSERT INTO {SHAPES_TABLE} (projection, view, shape) VALUES (?, ?, ?)"
                " ON CONFLICT (projection, view) DO UPDATE SET shape = excluded.shape",
                (self.name, view.name, _shape(view)),
            )
            cursor.execute(
                f"DELETE FROM {REBUILDS_TABLE} WHERE projection = ? AND view = ?",
                (self.name, view.name),
            )

    def _fill(self) -> None:
        """Bring each view rebuilt by ``setup`` up to the runner's position: the log from the
        start for those views alone, in batches, each moving their own position (in
        ``sc_view_rebuilds``); the batch that reaches the runner's position records their
        shape, in the same transaction. Every id up to the runner's position is settled (it
        passed them), so no gap stops a fill. Another process filling them too is safe: each
        batch locks the rows it moves, as a catch-up does."""
        batch = max(self.batch, REBUILD_BATCH)
        while pending := self._pending():
            position = min(pending.values())
            group = [view for view in self.views if pending.get(view.name) == position]
            # Views at another position join the group when it reaches theirs.
            end = min([p for p in pending.values() if p > position] + [self.position()])
            if end < position:
                self._restart_ahead(group)
                continue
            with _collector_paused():
                found = records(self.app, position, batch) if end > position else []
                items = [item for item in found if item[0] <= end]
                whole = len(found) < batch or len(items) < len(found)
                reached = end if whole else items[-1][0]
                self._apply(position, items, reached, self._filling(group, end))

    def _restart_ahead(self, group: Sequence[View]) -> None:
        """Fill ``group`` again from the start if it is past the runner's position, which only
        a rebuild by an older release (emptying every view) moves back."""
        names = {view.name for view in group}
        with self.database.transaction() as cursor:
            tracked = self._tracked(cursor)
            at = self._at(cursor, names)
            if tracked is not None and at is not None and at > tracked:
                for view in group:
                    self._restart(cursor, view)

    def _at(self, cursor: Cursor, names: set[str]) -> int | None:
        """The position the views named are filled to (locked), if all are at one."""
        lock = " FOR UPDATE" if self.database.kind == "postgres" else ""
        rows = cursor.query(
            f"SELECT view, position FROM {REBUILDS_TABLE} WHERE projection = ?{lock}",
            (self.name,),
        )
        at = {int(p) for v, p in rows if v in names}
        found = {str(v) for v, _p in rows} & names
        return at.pop() if len(at) == 1 and found == names else None

    def _pending(self) -> dict[str, int]:
        """The position of each of this runner's views being filled at its shape."""
        shapes = {view.name: _shape(view) for view in self.views}
        rows = self.database.query(
            f"SELECT view, shape, position FROM {REBUILDS_TABLE} WHERE projection = ?",
            (self.name,),
        )
        return {str(v): int(p) for v, s, p in rows if v in shapes and shapes[v] == int(s)}

    def _filling(self, group: Sequence[View], end: int) -> _Step:
        """How a batch of the log is applied to the views of ``group``, all at one position,
        towards ``end``."""
        names = {view.name for view in group}

        def claim(cursor: Cursor, position: int) -> bool:
            tracked = self._tracked(cursor)
            return tracked is not None and tracked >= end and self._at(cursor, names) == position

        def move(cursor: Cursor, reached: int) -> None:
            for view in group:
                cursor.execute(
                    f"UPDATE {REBUILDS_TABLE} SET position = ? WHERE projection = ? AND view = ?",
                    (reached, self.name, view.name),
                )
            if reached == self._tracked(cursor):
                logger.info("%s: rebuilt %s, at position %d", self.name, sorted(names), reached)
                self._record_shapes(cursor, group)
                for view in group:
                    for index in _indexes(view):
                        cursor.execute(index.create)

        routes = tuple(route for route in self._routes if route.view.name in names)
        return _Step(routes, claim, move)

    def position(self) -> int:
        rows = self.database.query(
            f"SELECT position FROM {TRACKING_TABLE} WHERE projection = ?", (self.name,)
        )
        return int(rows[0][0]) if rows else 0

    def catch_up(self) -> int:
        """Apply every committed event not applied yet; returns the position reached."""
        with self._lock:
            return self._catch_up(self.batch)

    def _catch_up(self, batch: int) -> int:
        while True:
            position = self.position()
            settled = self._settled_gaps()
            with _collector_paused():
                found = records(self.app, position, batch)
                ready, reached, blocked = self._passable(position, found, settled)
                applied = reached <= position or self._apply(position, ready, reached, self._all)
            if not applied:
                continue  # another runner moved the position meanwhile: read it again
            if blocked:
                self._mark_gap()
                return reached
            if len(found) < batch:
                return reached

    def _passable(
        self, position: int, found: Sequence[Item], settled: int
    ) -> tuple[list[Item], int, bool]:
        """The events up to the first gap that may still be filled; the position after them;
        whether such a gap stopped them."""
        ready: list[Item] = []
        reached = position
        for notification_id, item in found:
            if notification_id != reached + 1 and notification_id - 1 > settled:
                return ready, reached, True
            ready.append((notification_id, item))
            reached = notification_id
        return ready, reached, False

    def _settled_gaps(self) -> int:
        """The id up to which every missing id is known never to come."""
        if not isinstance(self.database, PostgresViews):
            return sys.maxsize  # SQLite and memory: a gap is always a rollback
        if self._mark is not None:
            xmin, _xmax = self._horizon()
            if xmin >= self._mark.xmax:
                logger.debug("%s: every gap up to %d is settled", self.name, self._mark.top)
                self._settled = max(self._settled, self._mark.top)
                self._mark = None
        return self._settled

    def _horizon(self) -> tuple[int, int]:
        """The transaction horizon of the log's own node (on Citus, the worker that holds
        the school's schema; a query naming no table would be answered by the coordinator)."""
        recorder = self.app.recorder
        # Views on PostgreSQL read a log on PostgreSQL, whose recorder is always ours.
        assert isinstance(recorder, _KnowsHorizon), type(recorder)
        return recorder.snapshot_horizon()

    def _mark_gap(self) -> None:
        if self._mark is not None or not isinstance(self.database, PostgresViews):
            return
        # The top first, the horizon after: any transaction holding an id up to the top had
        # taken it, so it is below this xmax.
        top = self.app.recorder.max_notification_id() or 0
        _xmin, xmax = self._horizon()
        self._mark = _Mark(top, xmax)

    def _apply(self, position: int, items: Sequence[Item], reached: int, step: _Step) -> bool:
        """Apply ``items`` to the step's views and move its position from ``position`` to
        ``reached``; False if another runner had moved it. An event that is refused is found
        by halving."""
        try:
            with self.database.transaction() as cursor:
                if not step.claim(cursor, position):
                    return False
                self._write(cursor, items, step.routes)
                step.move(cursor, reached)
            logger.debug("%s: applied %d events, at position %d", self.name, len(items), reached)
            return True
        except Exception as error:
            if not self._refused(error):
                raise
        if len(items) > 1:
            half = len(items) // 2
            middle = items[half - 1][0]
            return self._apply(position, items[:half], middle, step) and self._apply(
                middle, items[half:], reached, step
            )
        return self._apply_carefully(position, items, reached, step)

    def _write(self, cursor: Cursor, items: Sequence[Item], routes: Sequence[_Route]) -> None:
        readable = [(n, r) for n, r in items if isinstance(r, Recorded)]
        # View by view rather than event by event: a view reads only its own tables and facts
        # of an earlier view that no later event changes (the board's tribes, the students'
        # colleges, the report's activity colleges), so this gives what event by event would.
        for route in routes:
            self._deliver(cursor, route, readable)
        for notification_id, item in items:
            if isinstance(item, Unreadable):
                for route in routes:
                    name = route.view.name
                    self._record(cursor, name, notification_id, item.topic, item.error)

    def _deliver(
        self, cursor: Cursor, route: _Route, found: Sequence[tuple[int, Recorded]]
    ) -> None:
        """Apply to the route's view the events of ``found`` it reads, each decoded once; an
        event whose payload cannot be decoded is left out of it and recorded."""
        view, topics = route.view, route.topics
        if route.records is not None:
            route.records(cursor, found)
            return
        events: list[tuple[int, Envelope]] = []
        for notification_id, recorded in found:
            if topics is not None and recorded.topic not in topics:
                continue
            try:
                events.append((notification_id, recorded.envelope()))
            except Undecodable as error:
                self._record(cursor, view.name, notification_id, recorded.topic, str(error))
        if route.batch is not None:
            route.batch(cursor, events)
            return
        apply = view.apply
        for notification_id, envelope in events:
            apply(cursor, notification_id, envelope)

    def _apply_carefully(
        self, position: int, items: Sequence[Item], reached: int, step: _Step
    ) -> bool:
        """One event, each view in a savepoint: a view that refuses it is left without it."""
        with self.database.transaction(pipeline=False) as cursor:
            if not step.claim(cursor, position):
                return False
            for notification_id, item in items:
                if isinstance(item, Unreadable):
                    self._write(cursor, [(notification_id, item)], step.routes)
                    continue
                for route in step.routes:
                    if route.topics is not None and item.topic not in route.topics:
                        continue
                    cursor.execute("SAVEPOINT sc_view")
                    try:
                        self._deliver(cursor, route, [(notification_id, item)])
                    except Exception as error:
                        if not self._refused(error):
                            raise
                        cursor.execute("ROLLBACK TO SAVEPOINT sc_view")
                        name = route.view.name
                        self._record(cursor, name, notification_id, item.topic, _describe(error))
                    cursor.execute("RELEASE SAVEPOINT sc_view")
            step.move(cursor, reached)
        return True

    def _refused(self, error: BaseException) -> bool:
        return isinstance(error, _EVENT_ERRORS) or self.database.refuses(error)

    def _claim(self, cursor: Cursor, position: int) -> bool:
        """Lock the tracking row; True if it is still at ``position``."""
        return self._tracked(cursor) == position

    def _tracked(self, cursor: Cursor) -> int | None:
        """The runner's position, its row locked (None before ``setup``)."""
        lock = " FOR UPDATE" if self.database.kind == "postgres" else ""  # SQLite: BEGIN IMMEDIATE
        rows = cursor.query(
            f"SELECT position FROM {TRACKING_TABLE} WHERE projection = ?{lock}", (self.name,)
        )
        return int(rows[0][0]) if rows else None

    def _move(self, cursor: Cursor, reached: int) -> None:
        cursor.execute(
            f"UPDATE {TRACKING_TABLE} SET position = ? WHERE projection = ?", (reached, self.name)
        )

    def _record(self, cursor: Cursor, view: str, position: int, event: str, error: str) -> None:
        logger.warning("%s: %s left out event %d (%s): %s", self.name, view, position, event, error)
        cursor.execute(
            f"INSERT INTO {FAILURES_TABLE} VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (projection, view, position) DO UPDATE SET error = excluded.error",
            (self.name, view, position, event, error[:2000]),
        )

    def failures(self) -> list[ViewFailure]:
        """The events left out of a view because it or the database refused them."""
        rows = self.database.query(
            f"SELECT view, position, event, error FROM {FAILURES_TABLE}"
            " WHERE projection = ? ORDER BY position, view",
            (self.name,),
        )
        return [ViewFailure(str(v), int(p), str(e), str(m)) for v, p, e, m in rows]

    def rebuild(self) -> int:
        """Empty every view and apply the whole log again."""
        logger.info("%s: rebuilding from zero", self.name)
        indexes = [index for view in self.views for index in _indexes(view)]
        with self._lock:
            with self.database.transaction() as cursor:
                for view in self.views:
                    view.clear(cursor)
                # Made again once the views are filled (a stop before then: by ``setup``).
                for index in indexes:
                    cursor.execute(index.drop)
                cursor.execute(f"DELETE FROM {FAILURES_TABLE} WHERE projection = ?", (self.name,))
                self._move(cursor, 0)
                self._record_shapes(cursor, self.views)  # a view being filled is now empty too
            # Larger transactions than a catch-up's: a rebuild reads the whole log at once.
            reached = self._catch_up(max(self.batch, REBUILD_BATCH))
            with self.database.transaction() as cursor:
                for index in indexes:
                    cursor.execute(index.create)
            return reached

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every view table, in a stable order (to compare with a rebuild)."""
        return {
            table: table_rows(self.database, table) for view in self.views for table in view.tables
        }

    def digests(self) -> dict[str, tuple[int, str]]:
        """Each view table's row count and digest (``table_digest``): compares a large
        database with a rebuild without holding either in memory."""
        return {
            table: table_digest(self.database, table)
            for view in self.views
            for table in view.tables
        }

    def wait(self, position: int, timeout: float = 5.0, interval: float = 0.02) -> bool:
        """Catch up until ``position`` is applied (read-your-writes); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.catch_up() < position:
            if time.monotonic() > deadline:
                return False
            time.sleep(interval)
        return True


@attrs.frozen
class _Step:
    """Where a batch of the log goes: the views given it, and how the position it starts
    from is checked (and locked) and then moved."""

    routes: tuple[_Route, ...]
    claim: Callable[[Cursor, int], bool]
    move: Callable[[Cursor, int], None]


@attrs.frozen
class _Route:
    """How a view is given events: the topics it reads (None: every event), and its batch
    methods if it has them (protocol checks are slow: made once, here)."""

    view: View
    topics: frozenset[str] | None
    records: Any  # RecordView.apply_records, or None
    batch: Any  # BatchView.apply_all, or None

    @classmethod
    def of(cls, view: View) -> _Route:
        if isinstance(view, RecordView):  # every event's stored JSON
            return cls(view, None, view.apply_records, None)
        events = getattr(view, "events", None)
        topics = None if events is None else frozenset(registry.of_class(e).name for e in events)
        return cls(view, topics, None, view.apply_all if isinstance(view, BatchView) else None)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for one batch. A batch allocates some ten
    containers an event (rows, JSON, events), none in a cycle, all freed by reference counts
    when it ends; the collector's passes over them cost about a fifth of a rebuild's CPU
    (measured with ``gc.callbacks``). A process that had paused it keeps it paused."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _indexes(view: View) -> tuple[Index, ...]:
    """The indexes a view's queries read by (``indexes``, none if it declares none)."""
    return tuple(getattr(view, "indexes", ()))


def _shape(view: View) -> int:
    """The version of a view's table shape (``shape``, 0 if it declares none)."""
    return int(getattr(view, "shape", 0))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
