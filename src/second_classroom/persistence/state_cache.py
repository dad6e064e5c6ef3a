"""Loaded states kept between commands, trusted while the log shows nobody else wrote.

eventsourcing's repository cache re-reads every cached stream on every load (a fast-forward
SELECT), which cost more than the command's own commit. This cache instead follows the
application's notification log: a *watermark* says up to which position every write is already
reflected here. Our own writes advance it as they are saved; a log position above the watermark
that is not ours is another process's write, and its stream is evicted if the cached state is
older than that write. So one cheap
``max_notification_id`` per command replaces a read per stream, and a stale state can only be
read between another process's commit and our next check of the log — the same window any read
has. A decision made on it still meets optimistic concurrency when it is saved.

Races between a read from the store and an eviction are settled by a *generation* counter:
a state read (or written) before an eviction is not put back afterwards.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID


class StateCache:
    """An LRU of ``Loaded`` states keyed by stream, with the log watermark that validates it."""

    def __init__(self, maxsize: int, watermark: int) -> None:
        # Least recently used first. An OrderedDict (C) under our lock, rather than
        # eventsourcing's LRUCache (a linked list in Python under a lock of its own): a load
        # from the cache is the most frequent thing a command does.
        self._lru: OrderedDict[UUID, Any] | None = OrderedDict() if maxsize > 0 else None
        self._maxsize = maxsize
        self._lock = threading.Lock()
        self._own: set[int] = set()  # our log positions above the watermark
        self.watermark = watermark
        self.generation = 0

    @property
    def enabled(self) -> bool:
        return self._lru is not None

    def get(self, stream: UUID) -> Any | None:
        lru = self._lru
        if lru is None:
            return None
        with self._lock:
            return self._get(lru, stream)

    @staticmethod
    def _get(lru: OrderedDict[UUID, Any], stream: UUID) -> Any | None:
        found = lru.get(stream)
        if found is not None:
            lru.move_to_end(stream)
        return found

    def __len__(self) -> int:
        return len(self._lru) if self._lru is not None else 0

    def put(self, loaded: Any, generation: int) -> None:
        """Keep ``loaded`` unless a newer version is already here; if an eviction happened
        since ``generation``, drop the stream instead."""
        lru = self._lru
        if lru is None:
            return
        with self._lock:
            if generation != self.generation:
                # What is cached may be older than ``loaded``: let the next load read the store.
                self._discard(loaded.id)
                return
            current = self._get(lru, loaded.id)
            if current is None or current.version <= loaded.version:
                lru[loaded.id] = loaded
                if len(lru) > self._maxsize:
                    lru.popitem(last=False)  # the least recently used

    def recorded(self, positions: Iterable[int]) -> None:
        """Our own writes reached the log at ``positions``: advance the watermark over them."""
        with self._lock:
            self._own.update(p for p in positions if p > self.watermark)
            while self.watermark + 1 in self._own:
                self.watermark += 1
                self._own.discard(self.watermark)

    def caught_up(self, top: int, written: Sequence[tuple[int, UUID, int]]) -> None:
        """The log reached ``top``; ``written`` is every (position, stream, version) after
        the watermark. A stream is evicted unless its cached state already holds that
        version (then the write is ours, or was read from the store after it)."""
        with self._lock:
            stale = set()
            for position, stream, version in written:
                if position in self._own:
                    continue
                cached = self._lru.get(stream) if self._lru is not None else None
                # Not cached: a load of it may be in flight, so the generation must move.
                if cached is None or cached.version < version:
                    stale.add(stream)
            if stale:
                self._drop(stale)
            self._own = {p for p in self._own if p > top}
            self.watermark = max(self.watermark, top)

    def reset(self, top: int) -> None:
        """Forget every state (the log moved too far ahead to scan, or on request)."""
        with self._lock:
            self.generation += 1
            if self._lru is not None:
                self._lru.clear()
            self._own.clear()
            self.watermark = top

    def evict(self, streams: Iterable[UUID]) -> None:
        """Drop ``streams`` (after a conflict showed them stale)."""
        with self._lock:
            self._drop(streams)

    def _drop(self, streams: Iterable[UUID]) -> None:
        self.generation += 1
        for stream in streams:
            self._discard(stream)

    def _discard(self, stream: UUID) -> None:
        if self._lru is not None:
            self._lru.pop(stream, None)


__all__ = ["StateCache"]
