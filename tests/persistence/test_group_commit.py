"""Group commit: appends that arrive while a commit runs share the next transaction, and each
member still succeeds or fails on its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from second_classroom.persistence.group_commit import GroupCommit


class Conflict(Exception):
    pass


class Store:
    """Writes items; the first write blocks until released, so others queue behind it."""

    def __init__(self, taken: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.calls: list[list[str]] = []
        self.taken = set(taken)
        self.first_started = threading.Event()
        self.release = threading.Event()

    def write(self, items: Sequence[str]) -> list[str]:
        self.calls.append(list(items))
        if len(self.calls) == 1:
            self.first_started.set()
            self.release.wait(5)
        if self.taken & set(items):
            raise Conflict(sorted(self.taken & set(items)))
        return [f"ok:{item}" for item in items]


def run_while_first_commits(
    group: GroupCommit[str, str], store: Store, batches: list[list[str]]
) -> dict[str, object]:
    """Submit ``batches[0]``, then the rest while it is committing; collect each outcome."""
    outcomes: dict[str, object] = {}

    def submit(items: list[str]) -> None:
        try:
            outcomes[items[0]] = group.submit(items)
        except Exception as error:
            outcomes[items[0]] = error

    first = threading.Thread(target=submit, args=(batches[0],))
    first.start()
    store.first_started.wait(5)
    others = [threading.Thread(target=submit, args=(items,)) for items in batches[1:]]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 5
    while len(group._queue) < len(others) and time.monotonic() < deadline:
        time.sleep(0.001)
    store.release.set()
    for thread in [first, *others]:
        thread.join(5)
    return outcomes


def test_a_lone_caller_commits_alone() -> None:
    store = Store()
    store.release.set()
    group = GroupCommit(store.write, Conflict)
    assert group.submit(["a", "b"]) == ["ok:a", "ok:b"]
    assert group.submit(["c"]) == ["ok:c"]
    assert store.calls == [["a", "b"], ["c"]]


def test_callers_arriving_during_a_commit_share_the_next_one() -> None:
    store = Store()
    group = GroupCommit(store.write, Conflict)
    outcomes = run_while_first_commits(group, store, [["a"], ["b1", "b2"], ["c"]])
    assert store.calls[0] == ["a"]
    assert sorted(store.calls[1]) == ["b1", "b2", "c"]
    assert len(store.calls) == 2
    assert outcomes == {"a": ["ok:a"], "b1": ["ok:b1", "ok:b2"], "c": ["ok:c"]}


def test_a_conflict_in_a_group_fails_only_the_member_that_conflicts() -> None:
    store = Store(taken={"c"})
    group = GroupCommit(store.write, Conflict)
    outcomes = run_while_first_commits(group, store, [["a"], ["b"], ["c"]])
    assert outcomes["a"] == ["ok:a"]
    assert outcomes["b"] == ["ok:b"]
    assert isinstance(outcomes["c"], Conflict)
    assert ["b"] in store.calls
    assert ["c"] in store.calls


def test_an_unexpected_failure_reaches_every_member() -> None:
    class Broken(Store):
        def write(self, items: Sequence[str]) -> list[str]:
            if len(items) > 1:
                raise OSError("disk full")
            return super().write(items)

    store = Broken()
    group = GroupCommit(store.write, Conflict)
    outcomes = run_while_first_commits(group, store, [["a"], ["b"], ["c"]])
    assert outcomes["a"] == ["ok:a"]
    assert isinstance(outcomes["b"], OSError)
    assert isinstance(outcomes["c"], OSError)


def test_the_next_caller_can_commit_after_a_failure() -> None:
    store = Store(taken={"x"})
    store.release.set()
    group = GroupCommit(store.write, Conflict)
    with pytest.raises(Conflict):
        group.submit(["x"])
    assert group.submit(["y"]) == ["ok:y"]


def test_a_ticket_decided_on_a_failed_one_fails_without_writing() -> None:
    store = Store(taken={"a"})
    store.release.set()
    settled: list[str] = []
    group = GroupCommit(store.write, Conflict, lambda t: settled.append(str(t.items[0])))
    first = group.enqueue(["a"])
    second = group.enqueue(["b"], depends=[first])
    with pytest.raises(Conflict):
        group.wait(second)
    assert first.failed
    assert second.failed
    assert ["b"] not in store.calls  # its versions would have followed ones never stored
    assert sorted(settled) == ["a", "b"]


def test_a_ticket_whose_dependency_was_stored_is_written() -> None:
    store = Store()
    store.release.set()
    group = GroupCommit(store.write, Conflict)
    first = group.enqueue(["a"])
    second = group.enqueue(["b"], depends=[first])
    assert group.wait(second) == ["ok:b"]
    assert group.wait(first) == ["ok:a"]
    assert store.calls == [["a", "b"]]  # one transaction, in queue order


def test_settle_runs_for_tickets_nobody_waits_for() -> None:
    store = Store()
    store.release.set()
    settled: list[object] = []
    group = GroupCommit(store.write, Conflict, settled.append)
    abandoned = group.enqueue(["a"])
    group.submit(["b"])
    assert abandoned in settled
    assert abandoned.written


def test_a_failure_after_the_writers_own_ticket_was_stored_is_not_reported_to_it() -> None:
    class Flaky(Store):
        def write(self, items: Sequence[str]) -> list[str]:
            if len(items) > 1:
                raise Conflict("one of them is taken")  # so each is written alone
            if list(items) == ["b"]:
                raise OSError("disk full")
            return super().write(items)

    store = Flaky()
    store.release.set()
    group = GroupCommit(store.write, Conflict)
    a, b, c = (group.enqueue([name]) for name in "abc")
    assert group.wait(a) == ["ok:a"]  # this thread wrote the group; its own ticket is stored
    for ticket in (b, c):
        with pytest.raises(OSError, match="disk full"):
            group.wait(ticket)
