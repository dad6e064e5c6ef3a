"""``second-classroom serve`` and ``token``: uvicorn over ``create_app``, and development
tokens signed with the school's key."""

from __future__ import annotations

import os
from datetime import timedelta

from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI
from second_classroom.http.app import HttpSettings, create_app
from second_classroom.http.auth import BearerTokens
from second_classroom.http.logs import configure
from second_classroom.service import SecondClassroom

WEBHOOK_SECRET_VARIABLE = "SECOND_CLASSROOM_WEBHOOK_SECRET"


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

    secret = os.environ.get(WEBHOOK_SECRET_VARIABLE, "").encode("utf-8") or None
    if webhook_url is not None and secret is None:
        raise ValueError(f"--webhook-url needs the signing secret in {WEBHOOK_SECRET_VARIABLE}")
    settings = HttpSettings(
        worker=worker, worker_interval=interval, webhook_url=webhook_url, webhook_secret=secret
    )
    configure(log_level)
    app = create_app(service, settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,  # the JSON lines configured above
        timeout_graceful_shutdown=30,
        proxy_headers=True,
    )


def development_token(secret: bytes, actor: Actor, hours: float) -> str:
    """A bearer token for ``actor`` signed with the key derived from ``secret``."""
    from datetime import datetime

    tokens = BearerTokens.from_secret(secret)
    return tokens.issue(actor, datetime.now(SHANGHAI), timedelta(hours=hours))
