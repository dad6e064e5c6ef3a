"""Idempotency keys: a retried ``POST /api/commands`` gets the first reply, not a second
decision. The replies live in a small table beside the views (the store's own database),
so every process behind the proxy sees them; they expire after ``ttl``."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import attrs

from second_classroom.http.refusals import (
    IDEMPOTENCY_IN_PROGRESS,
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_REUSED,
)
from second_classroom.projections.database import ViewDatabase

TABLE = "http_idempotency"
MAX_KEY_LENGTH = 200
PENDING = 0  # the status of a claimed key whose reply is not stored yet


@attrs.frozen
class Reply:
    status: int
    body: dict[str, Any]
    replayed: bool = False  # read back from an earlier request with the same key


def fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def check_key(key: str) -> str:
    """A key is 1 to 200 visible ASCII characters (``http.idempotency_key_invalid``)."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise IDEMPOTENCY_KEY_INVALID.error(maximum=MAX_KEY_LENGTH)
    return key


class IdempotencyKeys:
    """Claim a key, run the request once, keep its reply; a retry reads the reply.

    One connection per process, used under a lock: each call is one short statement.
    """

    def __init__(
        self,
        database: ViewDatabase,
        ttl_seconds: float = 24 * 3600,
        wait_seconds: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.ttl = ttl_seconds
        self.wait = wait_seconds
        self.clock = clock
        self._lock = threading.Lock()
        with self._lock, self.database.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} ("
                " actor TEXT NOT NULL, key TEXT NOT NULL, claim TEXT NOT NULL,"
                " request TEXT NOT NULL, status INTEGER NOT NULL, reply TEXT,"
                " created DOUBLE PRECISION NOT NULL, PRIMARY KEY (actor, key))"
            )

    def run(self, actor: str, key: str, request: str, decide: Callable[[], Reply]) -> Reply:
        """The stored reply of (``actor``, ``key``), or ``decide()``'s, stored for next time.

        The same key with another request body is ``http.idempotency_key_reused``; while the
        first request is still deciding, a retry waits up to ``wait`` seconds for its reply.
        """
        check_key(key)
        claim = uuid.uuid4().hex
        now = self.clock()
        with self._lock, self.database.transaction() as cursor:
            # An expired key is forgotten, so the key may be used again.
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE actor = ? AND key = ? AND created < ?",
                (actor, key, now - self.ttl),
            )
            cursor.execute(
                f"INSERT INTO {TABLE} (actor, key, claim, request, status, reply, created)"
                " VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING",
                (actor, key, claim, request, PENDING, now),
            )
        deadline = time.monotonic() + self.wait
        while True:
            row = self._row(actor, key)
            if row is None:  # expired and deleted by a concurrent request: claim afresh
                return self.run(actor, key, request, decide)
            owner, stored_request, status, reply = row
            if stored_request != request:
                raise IDEMPOTENCY_KEY_REUSED.error()
            if owner == claim:
                return self._decide(actor, key, claim, decide)
            if status != PENDING:
                return Reply(int(status), json.loads(reply), replayed=True)
            if time.monotonic() > deadline:
                raise IDEMPOTENCY_IN_PROGRESS.error()
            time.sleep(0.05)

    def _decide(self, actor: str, key: str, claim: str, decide: Callable[[], Reply]) -> Reply:
        try:
            reply = decide()
        except BaseException:
            # No reply to keep (a bug, a lost database): release the key for a retry.
            with self._lock, self.database.transaction() as cursor:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE actor = ? AND key = ? AND claim = ?",
                    (actor, key, claim),
                )
            raise
        text = json.dumps(reply.body, ensure_ascii=False)
        with self._lock, self.database.transaction() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET status = ?, reply = ? WHERE actor = ? AND key = ?"
                " AND claim = ?",
                (reply.status, text, actor, key, claim),
            )
        return reply

    def _row(self, actor: str, key: str) -> tuple[Any, ...] | None:
        with self._lock:
            rows = self.database.query(
                f"SELECT claim, request, status, reply FROM {TABLE} WHERE actor = ? AND key = ?",
                (actor, key),
            )
        return rows[0] if rows else None

    def purge(self) -> None:
        """Forget every expired key (the worker calls it on its schedule)."""
        with self._lock, self.database.transaction() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE created < ?", (self.clock() - self.ttl,))

    def close(self) -> None:
        with self._lock:
            self.database.close()
