"""Loaded states kept between commands, trusted while the log shows nobody else wrote.

eventsourcing's repository cache re-reads every cached stream on every load (a fast-forward
SELECT), which cost more than the command's own commit. This cache instead follows the
application's notification log: a *watermark* says up to which position every write is already
reflected here. Our own writes advance it as they are saved; a log position above the watermark
that is not ours is another process's write. If the cached state of its stream is the version
just before that write, the write's event is folded onto it (the check of the log read the
event anyway), so a stream that several processes write stays cached; any other older state is
evicted. So one cheap
``max_notification_id`` per command replaces a read per stream, and a stale state can only be
read between another process's commit and our next check of the log — the same window any read
has. A decision made on it still meets optimistic concurrency when it is saved.

Races between a read from the store and an eviction are settled by a *generation* counter:
a state read (or written) before an eviction of its stream is not put back afterwards. Each
eviction records its generation per stream (so evicting one stream does not throw away the
states of others being read or written meanwhile, as a single counter did: with several
threads and processes, the hot activity's own writes were dropped and read again).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

EVICTIONS_KEPT = 20_000  # streams whose last eviction is remembered one by one


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
        self._evicted: dict[UUID, int] = {}  # stream: the generation of its last eviction
        self._floor = 0  # states older than this generation are never put (see ``_drop``)

    @property
    def enabled(self) -> bool:
        return self._lru is not None

    def get(self, stream: UUID) -> Any | None:
        """A command's or query's load: the cached state, now the most recently used."""
        lru = self._lru
        if lru is None:
            return None
        with self._lock:
            found = lru.get(stream)
            if found is not None:
                lru.move_to_end(stream)
            return found

    def _peek(self, stream: UUID) -> Any | None:
        """The cached state, its place in the LRU unchanged: ``put`` and ``caught_up`` compare
        versions with it, which is no use of the state (``_keep`` is, when they replace it)."""
        return self._lru.get(stream) if self._lru is not None else None

    def __len__(self) -> int:
        return len(self._lru) if self._lru is not None else 0

    def _keep(self, lru: OrderedDict[UUID, Any], stream: UUID, loaded: Any) -> None:
        lru[stream] = loaded
        lru.move_to_end(stream)
        if len(lru) > self._maxsize:
            lru.popitem(last=False)  # the least recently used

    def put(self, loaded: Any, generation: int) -> None:
        """Keep ``loaded`` unless a newer version is already here; if an eviction happened
        since ``generation``, drop the stream instead."""
        lru = self._lru
        if lru is None:
            return
        with self._lock:
            if generation < self._floor or self._evicted.get(loaded.id, -1) > generation:
                # What is cached may be older than ``loaded``: let the next load read the store.
                self._discard(loaded.id)
                return
            current = self._peek(loaded.id)
            if current is None or current.version <= loaded.version:
                self._keep(lru, loaded.id, loaded)

    def recorded(self, positions: Iterable[int]) -> None:
        """Our own writes reached the log at ``positions``: advance the watermark over them."""
        with self._lock:
            self._own.update(p for p in positions if p > self.watermark)
            while self.watermark + 1 in self._own:
                self.watermark += 1
                self._own.discard(self.watermark)

    def caught_up(
        self,
        top: int,
        written: Sequence[tuple[int, UUID, int]],
        follow: Callable[[Any, int], Any | None] | None = None,
    ) -> set[UUID]:
        """The log reached ``top``; ``written`` is every (position, stream, version) after
        the watermark, in log order. A stream is kept if its cached state already holds that
        version (then the write is ours, or was read from the store after it); if the cached
        state is the version just before, ``follow(cached, position)`` may return it with the
        write applied, which replaces it; otherwise the stream is evicted. Returns the
        streams written by others (positions that are not ours)."""
        with self._lock:
            stale = set()
            foreign = set()
            for position, stream, version in written:
                if position in self._own:
                    continue
                foreign.add(stream)
                if stream in stale:
                    continue
                cached = self._peek(stream)
                # Not cached: a load of it may be in flight, so the generation must move.
                if cached is not None and cached.version >= version:
                    continue
                ahead = None
                if cached is not None and cached.version == version - 1 and follow is not None:
                    ahead = follow(cached, position)
                if ahead is None:
                    stale.add(stream)
                else:
                    self._keep(self._lru, stream, ahead)  # type: ignore[arg-type]  # cached: enabled
            if stale:
                self._drop(stale)
            self._own = {p for p in self._own if p > top}
            self.watermark = max(self.watermark, top)
        return foreign

    def reset(self, top: int) -> None:
        """Forget every state (the log moved too far ahead to scan, or on request)."""
        with self._lock:
            self.generation += 1
            self._floor = self.generation
            self._evicted.clear()
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
            self._evicted[stream] = self.generation
            self._discard(stream)
        if len(self._evicted) > EVICTIONS_KEPT:
            # Forget which streams: any state from before now counts as evicted.
            self._evicted.clear()
            self._floor = self.generation

    def _discard(self, stream: UUID) -> None:
        if self._lru is not None:
            self._lru.pop(stream, None)


__all__ = ["StateCache"]
