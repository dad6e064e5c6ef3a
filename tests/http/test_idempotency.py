"""Idempotency keys in the store's database: concurrent retries decide once; a key expires."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from second_classroom.core.errors import DomainError
from second_classroom.http.idempotency import IdempotencyKeys, Reply
from second_classroom.projections.database import SQLiteViews
from tests.stores import sqlite_memory_env


def keys(clock: list[float] | None = None, wait: float = 10.0) -> IdempotencyKeys:
    moment = clock if clock is not None else [1000.0]
    database = SQLiteViews(sqlite_memory_env()["SQLITE_DBNAME"])
    return IdempotencyKeys(database, ttl_seconds=60, wait_seconds=wait, clock=lambda: moment[0])


def test_concurrent_requests_with_one_key_decide_once() -> None:
    store = keys()
    decided = []
    lock = threading.Lock()

    def decide() -> Reply:
        with lock:
            decided.append(1)
        time.sleep(0.2)  # the others arrive while this one decides
        return Reply(200, {"n": len(decided)})

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: store.run("a", "k", "req", decide), range(8)))
    assert len(decided) == 1
    assert {r.body["n"] for r in replies} == {1}
    assert sum(not r.replayed for r in replies) == 1


def test_a_key_expires_and_is_decided_afresh() -> None:
    clock = [1000.0]
    store = keys(clock)
    assert store.run("a", "k", "req", lambda: Reply(200, {"v": 1})).body == {"v": 1}
    clock[0] += 59
    assert store.run("a", "k", "req", lambda: Reply(200, {"v": 2})).body == {"v": 1}
    clock[0] += 2
    assert store.run("a", "k", "other", lambda: Reply(200, {"v": 3})).body == {"v": 3}
    clock[0] += 61
    store.purge()
    assert store.database.query("SELECT COUNT(*) FROM http_idempotency") == [(0,)]


def test_a_failed_decision_releases_the_key_and_a_stuck_one_times_out() -> None:
    store = keys(wait=0.2)

    def broken() -> Reply:
        raise RuntimeError("lost the database")

    with pytest.raises(RuntimeError):
        store.run("a", "k", "req", broken)
    assert store.run("a", "k", "req", lambda: Reply(200, {})).status == 200
    release = threading.Event()

    def slow() -> Reply:
        release.wait(5)
        return Reply(200, {})

    first = threading.Thread(target=store.run, args=("a", "slow", "req", slow))
    first.start()
    time.sleep(0.05)
    with pytest.raises(DomainError) as caught:
        store.run("a", "slow", "req", slow)
    assert caught.value.code == "http.idempotency_in_progress"
    release.set()
    first.join()
