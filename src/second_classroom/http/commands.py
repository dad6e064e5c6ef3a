"""``POST /api/commands``: a command's JSON in, the stored events (``Outcome``) or the
``DomainError`` out, with the status of its category; an ``Idempotency-Key`` header makes a
retry return the first reply without deciding again."""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from second_classroom import codec
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.http.idempotency import Reply, fingerprint
from second_classroom.http.refusals import (
    BODY_INVALID,
    MAX_BODY,
    error_body,
    error_response,
    status_of,
)
from second_classroom.http.settings import Http, http_of


async def read_body(request: Request) -> bytes:
    """The body, refused (``http.body_invalid``) once it passes ``MAX_BODY`` bytes: a huge
    upload is never held in memory whole."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BODY_INVALID.error(reason=f"超过 {MAX_BODY} 字节 over {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes) -> Any:
    """The JSON value of a request body; ``http.body_invalid`` when it is none."""
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BODY_INVALID.error(reason="不是 UTF-8 not UTF-8") from None
    except (ValueError, RecursionError) as error:
        raise BODY_INVALID.error(reason=f"JSON 语法错误 {type(error).__name__}") from None


def decide(http: Http, actor: Actor, message: Any) -> Reply:
    """Run the command; a refusal is a reply too (a retry is refused the same way)."""
    try:
        command = codec.from_json(message, kind="command")
        outcome = http.service.execute(command, actor, http.now())
    except DomainError as error:
        return Reply(status_of(error), error_body(error))
    return Reply(200, outcome.to_json())


async def post_command(request: Request) -> Response:
    http = http_of(request)
    try:
        actor = http.actor(request)
        body = await read_body(request)
        message = parse_json(body)
    except DomainError as error:
        return error_response(error)
    key = request.headers.get("idempotency-key")
    if key is None:
        reply = await run_in_threadpool(decide, http, actor, message)
    else:
        try:
            reply = await run_in_threadpool(
                http.idempotency.run,
                actor.person_id,
                key,
                fingerprint(body),
                lambda: decide(http, actor, message),
            )
        except DomainError as error:
            return error_response(error)
    headers = {"Idempotent-Replayed": "true"} if reply.replayed else {}
    return JSONResponse(reply.body, status_code=reply.status, headers=headers)
