"""What a deployment configures, and what the running application holds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
from starlette.requests import Request

from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI
from second_classroom.http.auth import Authenticate
from second_classroom.http.idempotency import IdempotencyKeys
from second_classroom.http.notices import Webhooks
from second_classroom.http.verify_page import RateLimiter
from second_classroom.service import SecondClassroom


def shanghai_now() -> datetime:
    return datetime.now(SHANGHAI)


@attrs.frozen
class HttpSettings:
    """A deployment's choices; every one has a working default.

    ``authenticate`` None: bearer tokens signed with a key derived from the school secret.
    ``worker`` False: a separate process runs the views and reactions (``serve --no-worker``).
    """

    authenticate: Authenticate | None = None
    worker: bool = True
    worker_interval: float = 1.0
    webhook_url: str | None = None
    webhook_secret: bytes | None = None
    verify_rate_per_minute: int = 30
    idempotency_ttl_seconds: float = 24 * 3600
    max_view_lag: int = 10_000  # /readyz: events the views may be behind
    sse_poll_seconds: float = 1.0
    clock: Callable[[], datetime] = shanghai_now


@attrs.define
class Http:
    """The running application's parts, on ``app.state.http``."""

    service: SecondClassroom
    settings: HttpSettings
    authenticate: Authenticate
    idempotency: IdempotencyKeys
    limiter: RateLimiter
    webhooks: Webhooks | None
    stopping: threading.Event = attrs.field(factory=threading.Event)

    def now(self) -> datetime:
        return self.settings.clock()

    def actor(self, request: Request) -> Actor:
        return self.authenticate(request)


def http_of(request: Request) -> Http:
    found: Any = request.app.state.http
    assert isinstance(found, Http)
    return found
