"""The ASGI application: routes, the pages, health, and the worker's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote
from uuid import UUID

from python_multipart.exceptions import FormParserError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import Message

from second_classroom.core.errors import DomainError
from second_classroom.http import checkin_page, commands, reads, verify_page
from second_classroom.http.answers import Liveness, Readiness, StoreDown, plain
from second_classroom.http.auth import BearerTokens
from second_classroom.http.idempotency import IdempotencyKeys
from second_classroom.http.logs import RequestIds
from second_classroom.http.notices import Webhooks, sse_event
from second_classroom.http.openapi import DOCS_PAGE, openapi
from second_classroom.http.refusals import NOT_FOUND, RATE_LIMITED, error_response
from second_classroom.http.settings import Http, HttpSettings, http_of
from second_classroom.http.worker import Worker
from second_classroom.projections.notices import Notice
from second_classroom.projections.viewset import database_for
from second_classroom.service import SecondClassroom

logger = logging.getLogger(__name__)

__all__ = ["HttpSettings", "create_app"]


def create_app(service: SecondClassroom, settings: HttpSettings | None = None) -> Starlette:
    """The HTTP service over ``service``; the caller keeps ``service`` and closes it."""
    settings = settings or HttpSettings()
    service.calendar_gaps(settings.clock())  # a year nobody loaded: say so at start-up
    authenticate = settings.authenticate
    if authenticate is None:
        with service.first_use_dated(settings.clock()):  # the deployment's clock, not the wall
            secret = service.secret
        if secret is None:
            raise ValueError("no school secret: pass HttpSettings(authenticate=...) instead")
        authenticate = BearerTokens.from_secret(secret)
    webhooks = None
    if settings.webhook_url is not None:
        if not settings.webhook_secret:
            raise ValueError("a webhook URL needs a webhook secret to sign with")
        webhooks = Webhooks(service, settings.webhook_url, settings.webhook_secret)
    http = Http(
        service=service,
        settings=settings,
        authenticate=authenticate,
        idempotency=IdempotencyKeys(
            database_for(service.app), ttl_seconds=settings.idempotency_ttl_seconds
        ),
        limiter=verify_page.RateLimiter(settings.verify_rate_per_minute, 60.0),
        webhooks=webhooks,
    )
    contract = openapi(service.rulebook)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker = None
        if settings.worker:
            worker = Worker(
                service,
                settings.clock,
                settings.worker_interval,
                webhooks,
                http.idempotency,
            )
            worker.start()
        # Every serving process says so: an operator (and a test) can tell each one is up.
        logger.info("ready: serving requests (pid %d)", os.getpid())
        try:
            yield
        finally:
            # Graceful: streams end, the worker finishes its turn, then the keys' connection.
            http.stopping.set()
            if worker is not None:
                await run_in_threadpool(worker.stop)
            http.idempotency.close()
            logger.info("stopped: streams ended, worker finished its turn")

    async def contract_json(request: Request) -> Response:
        del request
        return JSONResponse(contract)

    async def docs(request: Request) -> Response:
        del request
        return HTMLResponse(DOCS_PAGE)

    app = Starlette(
        routes=[
            Route("/api/commands", commands.post_command, methods=["POST"]),
            Route("/api/me", reads.me),
            Route("/api/students/{number}", reads.student),
            Route("/api/students/{number}/summary", reads.student_summary),
            Route("/api/students/{number}/activities", reads.my_activities),
            Route("/api/students/{number}/notices", reads.my_notices),
            Route("/api/students/{number}/notices/stream", notice_stream),
            Route("/api/students/{number}/integrity", reads.my_integrity),
            Route("/api/students/{number}/growth", reads.growth_timeline),
            Route("/api/activities", reads.activity_board),
            Route("/api/activities/overdue-results", reads.overdue_results),
            Route("/api/activities/{activity_id}", reads.activity),
            Route("/api/activities/{activity_id}/phase", reads.phase),
            Route("/api/activities/{activity_id}/roster", reads.roster),
            Route("/api/activities/{activity_id}/enrolments/{number}", reads.enrolment),
            Route("/api/activities/{activity_id}/draw", reads.draw_record),
            Route("/api/activities/{activity_id}/checkin/{session}", reads.check_in_code),
            Route("/api/tribes/{tribe_id}", reads.tribe),
            Route("/api/tribes/{tribe_id}/cadres/{term}", reads.cadre_round),
            Route("/api/claims/to-review", reads.claims_to_review),
            Route("/api/claims/{claim_id}", reads.claim),
            Route("/api/practices/{practice_id}", reads.practice),
            Route("/api/leaderboards/{by}", reads.leaderboard),
            Route("/api/reports/{month}", reads.monthly_report),
            Route("/api/reports/{month}/overdue", reads.overdue_reports),
            Route("/api/workload/advisors/{advisor}", reads.advisor_workload),
            Route("/api/workload/organizers", reads.organizer_workload),
            Route("/api/graduation/shortfall", reads.graduation_shortfall),
            Route("/api/audit", reads.audit_log),
            Route("/api/transcripts/{serial}", reads.transcript),
            Route("/api/certificates/{serial}", reads.certificate),
            Route("/checkin/{activity_id}/{session}", checkin_page.checkin_page),
            Route("/verify", verify_form, methods=["GET", "POST"]),
            Route("/verify/", verify_form, methods=["GET"]),
            Route("/verify/{serial:path}", verify_serial),
            Route("/openapi.json", contract_json),
            Route("/docs", docs),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        middleware=[Middleware(RequestIds)],
        exception_handlers={404: _no_route},
        lifespan=lifespan,
    )
    app.state.http = http
    return app


# -- 查证入口 (000 第四条) ----------------------------------------------------------------------


def _limited(request: Request) -> Response | None:
    """A 429 page when this client asked too often, else None."""
    http = http_of(request)
    client = request.client.host if request.client else "?"
    wait = http.limiter.allow(client)
    if not wait:
        return None
    error = RATE_LIMITED.error(retry_after=int(wait) + 1)
    page = verify_page.form_page(error.message_zh)
    return HTMLResponse(page, status_code=429, headers={"Retry-After": str(int(wait) + 1)})


async def _no_route(request: Request, _error: Exception) -> Response:
    """A path no route takes (or a path parameter holding a character none reads, such as a
    line break): under ``/api/`` the DomainError ``http.not_found``, the contract's 404;
    elsewhere the 查证 form with the message that the page does not exist."""
    if request.url.path.startswith("/api/"):
        return error_response(NOT_FOUND.error(what_zh="接口", what="endpoint"))
    return HTMLResponse(verify_page.form_page(verify_page.NO_PAGE), status_code=404)


async def verify_form(request: Request) -> Response:
    """GET: the form (``?serial=`` goes to its page); POST: an uploaded PDF or JSON document."""
    if request.method == "GET":
        serial = request.query_params.get("serial", "").strip()
        if serial:
            return RedirectResponse(f"/verify/{quote(serial[:64], safe='')}", status_code=303)
        return HTMLResponse(verify_page.form_page())
    limited = _limited(request)
    if limited is not None:
        return limited
    try:
        body = await commands.read_body(request)
    except DomainError:  # over the body cap: refused before it is parsed or kept
        return HTMLResponse(verify_page.form_page(verify_page.TOO_LARGE), status_code=413)
    data = await _uploaded(request, body)
    service = http_of(request).service
    if verify_page.is_pdf(data):
        found = await run_in_threadpool(service.verify_pdf, data)
        return HTMLResponse(verify_page.result_page(found))
    document = verify_page.read_document(data)
    if document is None:
        return HTMLResponse(verify_page.form_page(verify_page.NOT_A_DOCUMENT), status_code=400)
    if isinstance(document.get("proof"), dict) and "key_id" in document["proof"]:
        found = await run_in_threadpool(service.verify_transcript, document)
    else:
        found = await run_in_threadpool(service.verify_credential, document)
    return HTMLResponse(verify_page.result_page(found))


async def _uploaded(request: Request, body: bytes) -> bytes:
    """The ``document`` file of a multipart body already read within the cap; empty when
    there is none or the body is not multipart."""
    replayed = False

    async def receive() -> Message:
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(request.scope, receive).form(max_files=1, max_fields=4) as form:
            upload = form.get("document")
            return await upload.read() if isinstance(upload, UploadFile) else b""
    # A broken multipart body uploads nothing: Starlette's refusals, and python-multipart's
    # own (a malformed part header reaches here as its ``MultipartParseError``).
    except (HTTPException, MultiPartException, FormParserError):
        return b""


async def verify_serial(request: Request) -> Response:
    limited = _limited(request)
    if limited is not None:
        return limited
    serial = request.path_params["serial"][:64]
    found = await run_in_threadpool(http_of(request).service.verify_transcript, serial)
    return HTMLResponse(verify_page.result_page(found))


# -- notices as server-sent events -------------------------------------------------------


async def notice_stream(request: Request) -> Response:
    """The student's undelivered notices, then each new one as it comes; a comment line
    every poll keeps proxies from closing the stream. A reconnect's ``Last-Event-ID`` skips
    the notices up to that one. Reading does not mark them delivered (the webhook worker
    does)."""
    http = http_of(request)
    number = request.path_params["number"]
    try:
        actor = http.actor(request)
        first = await run_in_threadpool(http.service.outbox, actor, number)
    except DomainError as error:
        return error_response(error)

    async def events() -> AsyncIterator[str]:
        sent: set[Any] = set(already_sent(first, request.headers.get("last-event-id", "")))
        pending = first
        while True:
            for notice in pending:
                if notice.notice_id not in sent:
                    sent.add(notice.notice_id)
                    yield sse_event(notice)
            yield ": waiting\n\n"
            for _ in range(max(1, int(http.settings.sse_poll_seconds * 10))):
                if http.stopping.is_set() or await request.is_disconnected():
                    return
                await asyncio.sleep(0.1)
            try:
                pending = await run_in_threadpool(http.service.outbox, actor, number)
            except DomainError:
                return  # the caller lost the right to read (or the store went away)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


def already_sent(pending: list[Notice], last_event_id: str) -> list[UUID]:
    """The notices a reconnecting client already has: the pending ones up to and including
    its ``Last-Event-ID`` (the outbox is oldest first). An id no longer pending (delivered
    since) or unknown cannot be placed, so then nothing is skipped — a repeat is dropped by
    its id, a lost notice would not be."""
    ids = [notice.notice_id for notice in pending]
    for index, notice_id in enumerate(ids):
        if str(notice_id) == last_event_id.strip():
            return ids[: index + 1]
    return []


# -- operations ------------------------------------------------------------------------------


async def healthz(request: Request) -> Response:
    """The process answers (liveness)."""
    del request
    return JSONResponse(plain(Liveness("ok")))


async def readyz(request: Request) -> Response:
    """Ready: the store answers and the views are at most ``max_view_lag`` events behind."""
    http = http_of(request)

    def check() -> Readiness:
        top = http.service.app.recorder.max_notification_id() or 0
        position = http.service.views.runner.position()
        ready = top - position <= http.settings.max_view_lag
        return Readiness("ready" if ready else "views lagging", top, position, top - position)

    try:
        with contextlib.suppress(TimeoutError):
            found = await asyncio.wait_for(run_in_threadpool(check), 10.0)
            status = 200 if found.status == "ready" else 503
            return JSONResponse(plain(found), status_code=status)
        return JSONResponse(plain(StoreDown("store not answering", None)), status_code=503)
    except Exception as error:  # any failure of the store means not ready
        logger.warning("readyz: %s", type(error).__name__)
        down = StoreDown("store unreachable", type(error).__name__)
        return JSONResponse(plain(down), status_code=503)
