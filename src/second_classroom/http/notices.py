"""Notices out: signed webhooks for each notice in the outbox, and the SSE stream of a
student's own notices.

A webhook is ``POST <url>`` with the notice's JSON and three headers:
``X-Second-Classroom-Notice`` (the notice id: receivers drop a repeat),
``X-Second-Classroom-Timestamp`` (Unix seconds) and ``X-Second-Classroom-Signature``
(``sha256=`` hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the webhook secret). A 2xx reply
marks the notice delivered in its student's mailbox; the outbox then no longer lists it, so it
is sent once. Anything else is retried with exponential back-off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from uuid import UUID

import attrs
import httpx

from second_classroom import codec
from second_classroom.core.actor import Actor
from second_classroom.core.text import plain_whole
from second_classroom.projections.notices import Notice
from second_classroom.service import SecondClassroom

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Second-Classroom-Signature"
TIMESTAMP_HEADER = "X-Second-Classroom-Timestamp"
NOTICE_HEADER = "X-Second-Classroom-Notice"
WORKER = Actor.system("webhook-worker")

Post = Callable[[str, bytes, Mapping[str, str]], int]


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    mac = hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: bytes, headers: Mapping[str, str], body: bytes, now: datetime, tolerance: int = 300
) -> bool:
    """What a receiver checks: the signature, and a timestamp within ``tolerance`` seconds."""
    timestamp = plain_whole(headers.get(TIMESTAMP_HEADER, ""), digits=12)
    if timestamp is None:
        return False
    if abs(now.timestamp() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), headers.get(SIGNATURE_HEADER, ""))


def notice_json(notice: Notice) -> bytes:
    return json.dumps(codec.to_json(notice), ensure_ascii=False).encode("utf-8")


def http_post(timeout: float = 10.0) -> Post:
    """POST with httpx; the status, or 0 when the receiver could not be reached."""

    def post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            return httpx.post(url, content=body, headers=dict(headers), timeout=timeout).status_code
        except httpx.HTTPError as error:
            logger.warning("webhook to %s failed: %s", url, type(error).__name__)
            return 0

    return post


@attrs.define
class _Retry:
    attempts: int
    next_at: datetime


class Webhooks:
    """Deliver the outbox to one URL; ``deliver(now)`` is one turn of the worker."""

    def __init__(
        self,
        service: SecondClassroom,
        url: str,
        secret: bytes,
        post: Post | None = None,
        first_retry: timedelta = timedelta(seconds=5),
        max_retry: timedelta = timedelta(hours=1),
        batch: int = 100,
    ) -> None:
        self.service = service
        self.url = url
        self.secret = secret
        self.post = post or http_post()
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.batch = batch
        self._retries: dict[UUID, _Retry] = {}

    def deliver(self, now: datetime) -> int:
        """Send every pending notice not waiting out a back-off; returns how many were
        delivered (and marked)."""
        delivered = 0
        for notice in self.service.outbox(WORKER, limit=self.batch):
            retry = self._retries.get(notice.notice_id)
            if retry is not None and now < retry.next_at:
                continue
            body = notice_json(notice)
            timestamp = int(now.timestamp())
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                NOTICE_HEADER: str(notice.notice_id),
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            }
            status = self.post(self.url, body, headers)
            if 200 <= status < 300:
                self.service.mark_delivered(notice, now, WORKER)
                self._retries.pop(notice.notice_id, None)
                delivered += 1
                continue
            attempts = retry.attempts + 1 if retry is not None else 1
            wait = min(self.first_retry * 2 ** (attempts - 1), self.max_retry)
            self._retries[notice.notice_id] = _Retry(attempts, now + wait)
            logger.warning(
                "webhook for notice %s answered %d; attempt %d, next in %s",
                notice.notice_id,
                status,
                attempts,
                wait,
            )
        return delivered

    def waiting(self, notice_id: UUID) -> datetime | None:
        """When a failed notice is next tried, or None."""
        retry = self._retries.get(notice_id)
        return retry.next_at if retry is not None else None


def sse_event(notice: Notice) -> str:
    """One server-sent event: the notice id as the event id, its JSON as the data."""
    data = json.dumps(codec.to_json(notice), ensure_ascii=False)
    return f"id: {notice.notice_id}\nevent: notice\ndata: {data}\n\n"
