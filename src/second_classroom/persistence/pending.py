"""States decided but not yet stored, for the next command on the same streams.

The facade holds a stream's in-process lock only while deciding; the commit happens after,
shared with other commands (``group_commit``). So the next command on a hot activity must
decide on the state the previous one *will* store. It finds that state here, with the ticket
that stores it, and its own ticket then depends on that one: if the earlier write fails, the
later one fails too and is decided again. Queries never read these states, only deciders.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any
from uuid import UUID


class PendingStates:
    """The latest undecided-on state of each stream with an unstored write, by ticket."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[UUID, tuple[Any, object]] = {}

    def get(self, stream: UUID) -> tuple[Any, object] | None:
        """(loaded state, ticket storing it), or None."""
        if not self._states:
            # Nothing unstored (a lone writer, between commits): the locked lookup would say
            # the same, and a decision holds its streams' locks, under which they were held.
            return None
        with self._lock:
            return self._states.get(stream)

    def hold(self, states: Iterable[Any], ticket: object) -> None:
        """``states`` (``Loaded``) will be stored by ``ticket``."""
        with self._lock:
            for loaded in states:
                self._states[loaded.id] = (loaded, ticket)

    def release(self, streams: Iterable[UUID], ticket: object) -> None:
        """``ticket`` is settled: forget what it held, unless a later ticket holds it now."""
        with self._lock:
            for stream in streams:
                held = self._states.get(stream)
                if held is not None and held[1] is ticket:
                    del self._states[stream]

    def __len__(self) -> int:
        return len(self._states)


__all__ = ["PendingStates"]
