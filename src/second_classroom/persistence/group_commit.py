"""Group commit: concurrent appends of one process share a transaction.

A commit costs a disk sync (SQLite) or a round trip and a table lock (PostgreSQL), whatever it
holds. Appends are queued as *tickets*; a caller waiting for its ticket takes the whole queue,
if nobody is committing, and writes it in one transaction. A lone caller commits alone.

A ticket may *depend* on earlier ones: its events were decided on states those tickets had
not stored yet (the facade lets the next command on a stream decide while the previous one
is still committing). Tickets are written in the order they were queued, so a dependency is
always written first or in the same transaction; a ticket whose dependency failed fails too,
without writing, because its versions would follow versions that were never stored.

If a shared transaction meets a version conflict, its members are written again one by one,
so only the member that really conflicts (and what depends on it) fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import attrs

T = TypeVar("T")  # an item written (an event)
R = TypeVar("R")  # what writing one item returns (its recording)


@attrs.define(eq=False)
class Ticket(Generic[T, R]):
    """Items queued for one transaction, and what became of them."""

    items: Sequence[T]
    depends: tuple[Ticket[T, R], ...] = ()
    context: object = None  # the caller's, for ``settle``
    done: bool = False
    written: bool = False
    result: list[R] = attrs.Factory(list)
    error: BaseException | None = None

    @property
    def failed(self) -> bool:
        return self.done and not self.written


class GroupCommit(Generic[T, R]):
    """Write queued items with ``write``, sharing transactions between waiting callers.

    ``write`` stores a sequence atomically and returns one result per item, or raises
    ``conflict`` when a version was taken. ``settle`` runs once for every ticket as soon as
    it is written or has failed, whoever waits for it (or if nobody does).
    """

    def __init__(
        self,
        write: Callable[[Sequence[T]], Sequence[R]],
        conflict: type[BaseException],
        settle: Callable[[Ticket[T, R]], None] = lambda _ticket: None,
    ) -> None:
        self._write = write
        self._conflict = conflict
        self._settle = settle
        self._cond = threading.Condition()
        self._queue: list[Ticket[T, R]] = []
        self._leading = False
        self.groups = 0  # transactions written (for measurement)

    def enqueue(
        self, items: Sequence[T], depends: Sequence[Ticket[T, R]] = (), context: object = None
    ) -> Ticket[T, R]:
        """Queue ``items``; nothing is written until someone waits."""
        ticket: Ticket[T, R] = Ticket(items, tuple(d for d in depends if not d.written), context)
        with self._cond:
            self._queue.append(ticket)
        return ticket

    def wait(self, ticket: Ticket[T, R]) -> list[R]:
        """Write the queue (or wait while another caller does) until ``ticket`` is done;
        its results, or its error raised."""
        while True:
            with self._cond:
                while self._leading and not ticket.done:
                    self._cond.wait()
                if ticket.done:
                    break
                self._leading = True
                group, self._queue = self._queue, []
            try:
                self._commit(group)
            finally:
                with self._cond:
                    self._leading = False
                    self._cond.notify_all()
        if ticket.error is not None:
            raise ticket.error
        return ticket.result

    def submit(self, items: Sequence[T]) -> list[R]:
        """Queue ``items`` and wait for them."""
        return self.wait(self.enqueue(items))

    def _commit(self, group: list[Ticket[T, R]]) -> None:
        live = [ticket for ticket in group if not self._orphaned(ticket)]
        try:
            if len(live) > 1:
                try:
                    results = self._write([item for ticket in live for item in ticket.items])
                except self._conflict:
                    for ticket in live:
                        self._write_alone(ticket)
                else:
                    self.groups += 1
                    start = 0
                    for ticket in live:
                        ticket.result = list(results[start : start + len(ticket.items)])
                        ticket.written = True
                        start += len(ticket.items)
            elif live:
                self._write_alone(live[0])
        except Exception as error:
            # Every member not written learns what happened, from its own wait(); the
            # writing thread's own ticket may well have been written before the failure.
            for ticket in live:
                if not ticket.written and ticket.error is None:
                    ticket.error = error
        except BaseException as error:  # an interrupt: tell the others, and stop
            for ticket in live:
                if not ticket.written and ticket.error is None:
                    ticket.error = error
            raise
        finally:
            for ticket in group:
                ticket.done = True
                self._settle(ticket)

    def _orphaned(self, ticket: Ticket[T, R]) -> bool:
        """Fail ``ticket`` if a ticket it depends on failed (its versions were not stored)."""
        if any(d.failed or d.error is not None for d in ticket.depends):
            ticket.error = self._conflict("a change this one was decided on was not stored")
            return True
        return False

    def _write_alone(self, ticket: Ticket[T, R]) -> None:
        if self._orphaned(ticket):
            return
        self.groups += 1
        try:
            ticket.result = list(self._write(ticket.items))
            ticket.written = True
        except self._conflict as error:
            ticket.error = error


__all__ = ["GroupCommit", "Ticket"]
