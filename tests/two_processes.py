"""Two OS processes registering for one activity at once (issue 17 §3), each from two threads:
the workers, and how many seats and students the tests use."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any
from uuid import UUID

from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.service import SecondClassroom
from tests.enrolment_world import REGISTERING
from tests.stores import TEST_SECRET

SEATS = 10
STUDENTS = 40


def register_all(env: dict[str, str], activity: str, numbers: list[str], start: Any) -> None:
    """A worker process: open the store, wait for the other, register every student from
    two threads (so its own writes queue behind each other too); any error but a full
    activity fails the process."""
    errors: list[BaseException] = []

    def register(share: list[str]) -> None:
        for number in share:
            try:
                service.execute(Register(UUID(activity)), Actor.student(number), REGISTERING)
            except DomainError as refused:
                if refused.code != "activity.capacity_full":
                    errors.append(refused)
            except BaseException as error:
                errors.append(error)

    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        start.wait()
        threads = [threading.Thread(target=register, args=(numbers[k::2],)) for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]


def register_from_two_processes(
    env: dict[str, str], activity: UUID, numbers: list[str], timeout: float
) -> list[int | None]:
    """Two spawned processes, started together on ``env``, each registering every other
    student of ``numbers`` (``register_all``); their exit codes."""
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    workers = [
        spawn.Process(target=register_all, args=(env, str(activity), numbers[k::2], start))
        for k in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=timeout)
    return [worker.exitcode for worker in workers]
