"""How writers in one process queue and how any writer waits before retrying a conflict."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from uuid import UUID


class StreamLocks:
    """Striped in-process locks, so writers in one process queue instead of conflicting.

    Writers in other processes still meet optimistic concurrency, and are retried.
    """

    def __init__(self, stripes: int = 256) -> None:
        self._stripes = [threading.Lock() for _ in range(stripes)]

    @contextmanager
    def holding(self, streams: Iterable[UUID]) -> Iterator[None]:
        # Sorted acquisition keeps multi-stream commands free of deadlocks.
        stripes = self._stripes
        indexes = sorted({stream.int % len(stripes) for stream in streams})
        taken: list[threading.Lock] = []
        try:
            for index in indexes:
                stripes[index].acquire()
                taken.append(stripes[index])
            yield
        finally:
            for lock in reversed(taken):
                lock.release()


def back_off(attempt: int) -> None:
    """Jittered exponential pause before retrying against another process's write."""
    time.sleep(random.random() * min(0.002 * 2**attempt, 0.1))


__all__ = ["StreamLocks", "back_off"]
