"""The projection runner: follows the application's notification log and applies each event to
the SQL views, writing the views and its tracking position in one transaction — so every event
is applied exactly once, a crash loses nothing, and any view can be rebuilt from zero.

Gaps. A notification id can be missing because its transaction has not committed yet, or
because it rolled back (PostgreSQL sequences never give ids back — every optimistic-concurrency
conflict leaves one). The runner never passes a missing id while a transaction that may hold it
is still running: on PostgreSQL it notes the snapshot's ``xmax`` when it first sees the gap and
only skips it once every transaction older than that has ended (``pg_snapshot_xmin`` has moved
past it) and the id is still missing. SQLite commits writers one at a time, in id order, so a
gap there is always a rollback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope
from second_classroom.projections.database import Cursor, PostgresViews, ViewDatabase
from second_classroom.projections.queries import table_rows

TRACKING_TABLE = "sc_view_tracking"
logger = logging.getLogger(__name__)


class View(Protocol):
    """A read model: its tables, and how one event changes them."""

    name: str
    tables: tuple[str, ...]

    def create(self, cursor: Cursor) -> None: ...

    def clear(self, cursor: Cursor) -> None: ...

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None: ...


@runtime_checkable
class BatchView(View, Protocol):
    """A view that applies a run of events at once (say, with one ``executemany``)."""

    def apply_all(self, cursor: Cursor, events: Sequence[tuple[int, Envelope]]) -> None: ...


@attrs.define
class _Gap:
    notification_id: int
    xmax: int


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
        self._gap: _Gap | None = None
        self.setup()

    def setup(self) -> None:
        with self.database.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} "
                "(projection TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            )
            for view in self.views:
                view.create(cursor)
            cursor.execute(
                f"INSERT INTO {TRACKING_TABLE} (projection, position) VALUES (?, 0) "
                "ON CONFLICT (projection) DO NOTHING",
                (self.name,),
            )

    def position(self) -> int:
        rows = self.database.query(
            f"SELECT position FROM {TRACKING_TABLE} WHERE projection = ?", (self.name,)
        )
        return int(rows[0][0]) if rows else 0

    def catch_up(self) -> int:
        """Apply every committed event not applied yet; returns the position reached."""
        while True:
            position = self.position()
            found = self.app.notifications(position, self.batch)
            if not found:
                return position
            ready = self._contiguous(position, found)
            if ready:
                self._apply(ready)
            if len(ready) < len(found) or len(found) < self.batch:
                if len(ready) == len(found):
                    return self.position()
                if not self._skip_gap_if_settled(ready[-1][0] if ready else position):
                    return self.position()

    def _contiguous(
        self, position: int, found: Sequence[tuple[int, Envelope]]
    ) -> list[tuple[int, Envelope]]:
        ready = []
        expected = position + 1
        for notification_id, envelope in found:
            if notification_id != expected:
                break
            ready.append((notification_id, envelope))
            expected += 1
        return ready

    def _apply(self, events: Sequence[tuple[int, Envelope]]) -> None:
        # View by view rather than event by event: a view only reads its own tables and the
        # board's tribes (the board comes first), so the order across views does not matter.
        with self.database.transaction() as cursor:
            for view in self.views:
                if isinstance(view, BatchView):
                    view.apply_all(cursor, events)
                    continue
                for notification_id, envelope in events:
                    view.apply(cursor, notification_id, envelope)
            cursor.execute(
                f"UPDATE {TRACKING_TABLE} SET position = ? WHERE projection = ?",
                (events[-1][0], self.name),
            )
        logger.debug("%s: applied %d events, at position %d", self.name, len(events), events[-1][0])

    def _skip_gap_if_settled(self, position: int) -> bool:
        """Move past id ``position + 1`` if it can no longer appear; True if it did."""
        missing = position + 1
        if isinstance(self.database, PostgresViews):
            xmin, xmax = self.database.snapshot_horizon()
            if self._gap is None or self._gap.notification_id != missing:
                self._gap = _Gap(missing, xmax)
                return False
            if xmin < self._gap.xmax:
                return False  # a transaction that may hold it is still running
        again = self.app.notifications(position, 1)
        if again and again[0][0] == missing:
            return True  # it committed meanwhile: the next read applies it
        with self.database.transaction() as cursor:
            cursor.execute(
                f"UPDATE {TRACKING_TABLE} SET position = ? WHERE projection = ?",
                (missing, self.name),
            )
        logger.debug("%s: passed the gap at %d (rolled back)", self.name, missing)
        self._gap = None
        return True

    def rebuild(self) -> int:
        """Empty every view and apply the whole log again."""
        logger.info("%s: rebuilding from zero", self.name)
        with self.database.transaction() as cursor:
            for view in self.views:
                view.clear(cursor)
            cursor.execute(
                f"UPDATE {TRACKING_TABLE} SET position = 0 WHERE projection = ?", (self.name,)
            )
        return self.catch_up()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every view table, in a stable order (to compare with a rebuild)."""
        return {
            table: table_rows(self.database, table) for view in self.views for table in view.tables
        }

    def wait(self, position: int, timeout: float = 5.0, interval: float = 0.02) -> bool:
        """Catch up until ``position`` is applied (read-your-writes); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.catch_up() < position:
            if time.monotonic() > deadline:
                return False
            time.sleep(interval)
        return True
