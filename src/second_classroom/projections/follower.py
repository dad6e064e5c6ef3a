"""Follow the application's event log from a position, in order, in memory.

The in-process read models of the enrolment issue use this; each rebuilds by reading from
position 0 after a restart. Unlike the tracked runner it does not wait at gaps: on PostgreSQL
the library's writers lock the events table while they insert, so their ids commit in order and
a gap behind a visible id is a rollback. An event that cannot be decoded (see
``persistence.reading``) is passed over, so it cannot stop the follower.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from second_classroom.codec import registry
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope
from second_classroom.persistence.reading import Unreadable, notifications

Handler = Callable[[int, Envelope], None]


class LogFollower:
    """Calls ``handle(position, envelope)`` once per event of the given types, in log order."""

    def __init__(
        self,
        app: SecondClassroomApplication,
        event_types: Iterable[type],
        handle: Handler,
        batch: int = 1000,
    ) -> None:
        self.app = app
        self.topics = tuple(sorted(registry.of_class(t).name for t in event_types))
        self.handle = handle
        self.batch = batch
        self.position = 0
        self._lock = threading.Lock()  # threads catching up at once would handle events twice

    def catch_up(self) -> int:
        """Handle every new event; returns the position reached."""
        with self._lock:
            return self._catch_up()

    @contextmanager
    def caught_up(self) -> Iterator[int]:
        """Catch up, and keep the handler from running while the caller reads what it built
        (another thread's catch-up would change it mid-iteration); yields the position."""
        with self._lock:
            yield self._catch_up()

    def _catch_up(self) -> int:
        while True:
            found = notifications(self.app, self.position, self.batch, self.topics)
            for position, envelope in found:
                if not isinstance(envelope, Unreadable):
                    self.handle(position, envelope)
                self.position = position
            if len(found) < self.batch:
                return self.position
