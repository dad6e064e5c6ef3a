"""``second-classroom serve`` and ``token``: uvicorn over ``create_app``, and development
tokens signed with the school's key."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from datetime import timedelta
from types import FrameType
from typing import Any

from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI
from second_classroom.http.app import HttpSettings, create_app
from second_classroom.http.auth import BearerTokens
from second_classroom.http.logs import configure
from second_classroom.service import SecondClassroom

WEBHOOK_SECRET_VARIABLE = "SECOND_CLASSROOM_WEBHOOK_SECRET"
logger = logging.getLogger(__name__)


def serve(
    service: SecondClassroom,
    host: str,
    port: int,
    *,
    worker: bool = True,
    interval: float = 1.0,
    webhook_url: str | None = None,
    log_level: str = "INFO",
) -> None:
    """Serve until SIGINT/SIGTERM: uvicorn stops accepting, lets requests in flight finish
    (up to 30 s), then the lifespan stops the worker; the caller closes ``service``."""
    import uvicorn

    configure(log_level)
    app = create_app(service, _settings(worker, interval, webhook_url))
    uvicorn.run(app, host=host, port=port, **_UVICORN)


# The JSON lines ``configure`` sets up replace uvicorn's logging config.
_UVICORN: dict[str, Any] = {
    "log_config": None,
    "timeout_graceful_shutdown": 30,
    "proxy_headers": True,
}


def _settings(worker: bool, interval: float, webhook_url: str | None) -> HttpSettings:
    secret = os.environ.get(WEBHOOK_SECRET_VARIABLE, "").encode("utf-8") or None
    if webhook_url is not None and secret is None:
        raise ValueError(f"--webhook-url needs the signing secret in {WEBHOOK_SECRET_VARIABLE}")
    return HttpSettings(
        worker=worker, worker_interval=interval, webhook_url=webhook_url, webhook_secret=secret
    )


def serve_processes(
    open_service: Callable[[], SecondClassroom],
    processes: int,
    host: str,
    port: int,
    *,
    worker: bool = True,
    interval: float = 1.0,
    webhook_url: str | None = None,
    log_level: str = "INFO",
) -> None:
    """Serve from ``processes`` OS processes accepting on one socket (a process per core).

    Each process opens its own facade with ``open_service`` (picklable: it crosses a spawn)
    on the one store; the state cache of each evicts what the others write at its next look
    at the log, and optimistic concurrency settles two decisions on one stream. Only the
    first process runs the views and reactions worker (with ``worker``). SIGTERM or SIGINT
    here is passed on to every process, which stops as ``serve`` does; returns when all
    have stopped.
    """
    import multiprocessing

    import uvicorn

    _settings(worker, interval, webhook_url)  # refuse a bad webhook setting before starting
    configure(log_level)
    # uvicorn's own binding (its socket options, the address it logs), not its app loading.
    sock = uvicorn.Config("unused:app", host=host, port=port, log_config=None).bind_socket()
    spawn = multiprocessing.get_context("spawn")
    children = [
        spawn.Process(
            target=_serve_child,
            args=(open_service, sock, worker and index == 0, interval, webhook_url, log_level),
            name=f"serve-{index}",
        )
        for index in range(processes)
    ]
    for child in children:
        child.start()
    sock.close()  # the children hold it
    logger.info("serving on %s:%d from %d processes", host, port, processes)

    def stop(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.is_alive() and child.pid is not None:
                os.kill(child.pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for child in children:
            child.join()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    logger.info("stopped: %d processes", processes)


def _serve_child(
    open_service: Callable[[], SecondClassroom],
    sock: Any,
    worker: bool,
    interval: float,
    webhook_url: str | None,
    log_level: str,
) -> None:
    """One serving process: its own facade, uvicorn on the shared socket."""
    import uvicorn

    configure(log_level)
    with open_service() as service:
        app = create_app(service, _settings(worker, interval, webhook_url))
        uvicorn.Server(uvicorn.Config(app, **_UVICORN)).run(sockets=[sock])


def development_token(secret: bytes, actor: Actor, hours: float) -> str:
    """A bearer token for ``actor`` signed with the key derived from ``secret``."""
    from datetime import datetime

    tokens = BearerTokens.from_secret(secret)
    return tokens.issue(actor, datetime.now(SHANGHAI), timedelta(hours=hours))
