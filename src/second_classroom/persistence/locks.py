"""How writers in one process queue, how writers in several processes take turns on a hot
stream (PostgreSQL), and how any writer waits before retrying a conflict."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
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


class Lease:
    """Cross-process locks on some streams, held on one connection until ``release``."""

    def __init__(self, pool: Any, connection: Any, keys: Sequence[int]) -> None:
        self._pool, self._connection, self._keys = pool, connection, keys
        self.handed = False  # to a write, which releases it once stored (or failed)

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            for key in reversed(self._keys):
                connection.execute("SELECT pg_advisory_unlock(%s)", (key,))
        except Exception:  # the server releases a closed session's locks
            connection.close()
        finally:
            self._pool.putconn(connection)


class StreamLeases:
    """PostgreSQL session advisory locks on streams, shared by every process on one schema.

    Optimistic concurrency alone lets two processes writing one hot stream (an activity in
    a registration rush) decide at once, and the loser decides again, often several times.
    Taken before the decision, on the streams another process wrote lately, and held until
    the write is stored, such a lock makes the other process wait instead. Versions are
    still checked on insert: a lock only avoids wasted work, it guards nothing.
    """

    def __init__(self, pool: Any, schema: str) -> None:
        self._pool, self._schema = pool, schema

    def key(self, stream: UUID) -> int:
        digest = hashlib.blake2b(
            f"second_classroom:{self._schema}:{stream}".encode(), digest_size=8
        )
        return int.from_bytes(digest.digest(), "big", signed=True)

    def take(self, streams: Iterable[UUID]) -> Lease | None:
        """Lock ``streams`` (in key order, so two processes never wait for each other);
        None if the database refuses (a deadlock it detected): then nothing is held."""
        keys = sorted({self.key(stream) for stream in streams})
        connection = self._pool.getconn()
        lease = Lease(self._pool, connection, [])
        try:
            for key in keys:
                connection.execute("SELECT pg_advisory_lock(%s)", (key,))
                lease._keys = [*lease._keys, key]
        except Exception:
            lease.release()
            return None
        return lease


__all__ = ["Lease", "StreamLeases", "StreamLocks", "back_off"]
