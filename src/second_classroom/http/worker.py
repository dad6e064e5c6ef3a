"""The in-process worker: on a schedule, run the due reactions (``run_reactions``: draws,
attendance closing), send webhooks, catch the views up and forget expired idempotency keys.
``second-classroom serve --no-worker`` leaves this to a separate process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from second_classroom.core.errors import DomainError
from second_classroom.http.idempotency import IdempotencyKeys
from second_classroom.http.notices import Webhooks
from second_classroom.service import SecondClassroom

logger = logging.getLogger(__name__)


class Worker:
    """One daemon thread doing ``turn()`` every ``interval`` seconds until ``stop()``."""

    def __init__(
        self,
        service: SecondClassroom,
        clock: Callable[[], datetime],
        interval: float = 1.0,
        webhooks: Webhooks | None = None,
        idempotency: IdempotencyKeys | None = None,
    ) -> None:
        self.service = service
        self.clock = clock
        self.interval = interval
        self.webhooks = webhooks
        self.idempotency = idempotency
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.turns = 0

    def turn(self) -> None:
        """One round; a failing step is logged and the others still run."""
        now = self.clock()
        # Reactions first, so the notices they make go out and the views see them this turn.
        steps: list[tuple[str, Callable[[], object]]] = [
            ("reactions", lambda: self.service.run_reactions(now))
        ]
        if self.webhooks is not None:
            steps.append(("webhooks", lambda: self.webhooks.deliver(now) if self.webhooks else 0))
        steps.append(("views", self._catch_up))
        if self.idempotency is not None:
            steps.append(("idempotency", self.idempotency.purge))
        for name, step in steps:
            try:
                step()
            except DomainError as error:
                logger.warning("worker %s: [%s] %s", name, error.code, error.message_en)
            except Exception:
                logger.exception("worker %s failed", name)
        self.turns += 1

    def _catch_up(self) -> int:
        return self.service.views.catch_up()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="second-classroom-worker")
        self._thread.daemon = True
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.turn()
            self._stopping.wait(self.interval)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the current turn and stop (graceful shutdown)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
