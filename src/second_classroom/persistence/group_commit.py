"""Group commit: concurrent appends of one process share a transaction.

A commit costs a disk sync (SQLite) or a round trip and a table lock (PostgreSQL), whatever it
holds. While one thread commits, the appends that arrive queue up; the next of them to run
takes the whole queue and writes it in one transaction. A lone caller commits alone, as before.

Appends in one group never depend on each other: each caller still holds the in-process locks
of the streams it decided on. If the group's transaction fails on a version conflict, every
member is written again on its own, so only the member that really conflicts sees it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import attrs

T = TypeVar("T")  # an item written (an event)
R = TypeVar("R")  # what writing one item returns (its recording)


@attrs.define
class _Ticket(Generic[T, R]):
    items: Sequence[T]
    done: bool = False
    written: bool = False
    result: list[R] = attrs.Factory(list)
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """Write ``items`` with ``write``, sharing a call with concurrent callers.

    ``write`` stores a sequence atomically and returns one result per item, or raises
    ``conflict`` when a version was taken.
    """

    def __init__(
        self, write: Callable[[Sequence[T]], Sequence[R]], conflict: type[BaseException]
    ) -> None:
        self._write = write
        self._conflict = conflict
        self._cond = threading.Condition()
        self._queue: list[_Ticket[T, R]] = []
        self._leading = False
        self.groups = 0  # transactions written (for measurement)

    def submit(self, items: Sequence[T]) -> list[R]:
        ticket: _Ticket[T, R] = _Ticket(items)
        with self._cond:
            self._queue.append(ticket)
            while self._leading and not ticket.done:
                self._cond.wait()
            if not ticket.done:
                self._leading = True
                group, self._queue = self._queue, []
        if not ticket.done:
            try:
                self._commit(group)
            finally:
                with self._cond:
                    self._leading = False
                    self._cond.notify_all()
        if ticket.error is not None:
            raise ticket.error
        return ticket.result

    def _commit(self, group: list[_Ticket[T, R]]) -> None:
        try:
            if len(group) == 1:
                self._write_alone(group[0])
                return
            try:
                results = self._write([item for ticket in group for item in ticket.items])
            except self._conflict:
                for ticket in group:
                    self._write_alone(ticket)
                return
            self.groups += 1
            start = 0
            for ticket in group:
                ticket.result = list(results[start : start + len(ticket.items)])
                ticket.written = True
                start += len(ticket.items)
        except BaseException as error:  # every waiter must learn what happened
            for ticket in group:
                if not ticket.written and ticket.error is None:
                    ticket.error = error
            raise
        finally:
            with self._cond:
                for ticket in group:
                    ticket.done = True

    def _write_alone(self, ticket: _Ticket[T, R]) -> None:
        self.groups += 1
        try:
            ticket.result = list(self._write(ticket.items))
            ticket.written = True
        except self._conflict as error:
            ticket.error = error


__all__ = ["GroupCommit"]
