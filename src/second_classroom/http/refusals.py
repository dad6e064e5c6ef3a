"""The HTTP layer's own error codes, and the status each category answers with
(docs/errors.md)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from second_classroom import codec
from second_classroom.core.errors import Category, DomainError, ErrorCode

STATUS = {
    Category.INVALID: 400,
    Category.FORBIDDEN: 403,
    Category.NOT_FOUND: 404,
    Category.CONFLICT: 409,
    Category.CLOSED: 422,
    Category.UNAVAILABLE: 503,
}

UNAUTHENTICATED = ErrorCode(
    "http.unauthenticated",
    "需要登录：{reason}",
    "Sign-in required: {reason}",
    Category.FORBIDDEN,
)
RATE_LIMITED = ErrorCode(
    "http.rate_limited",
    "请求过于频繁，请 {retry_after} 秒后再试",
    "Too many requests; try again in {retry_after} s",
    Category.UNAVAILABLE,
)
NOT_FOUND = ErrorCode(
    "http.not_found",
    "{what_zh}不存在",
    "No such {what}",
    Category.NOT_FOUND,
)
MAX_BODY = 1024 * 1024  # bytes of a request body: far above any command or PDF, far below harm
BODY_INVALID = ErrorCode(
    "http.body_invalid",
    "请求体不是 UTF-8 编码的 JSON：{reason}",
    "The request body is not UTF-8 JSON: {reason}",
    Category.INVALID,
)
IDEMPOTENCY_KEY_INVALID = ErrorCode(
    "http.idempotency_key_invalid",
    "Idempotency-Key 应为 1 至 {maximum} 个可见 ASCII 字符",
    "An Idempotency-Key is 1 to {maximum} visible ASCII characters",
    Category.INVALID,
)
IDEMPOTENCY_KEY_REUSED = ErrorCode(
    "http.idempotency_key_reused",
    "该 Idempotency-Key 已用于另一个请求",
    "This Idempotency-Key was used for a different request",
    Category.CONFLICT,
)
IDEMPOTENCY_IN_PROGRESS = ErrorCode(
    "http.idempotency_in_progress",
    "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试",
    "A request with this Idempotency-Key is still being processed; retry shortly",
    Category.CONFLICT,
)

# Two codes answer with the status HTTP has for them rather than their category's.
_SPECIAL = {UNAUTHENTICATED.code: 401, RATE_LIMITED.code: 429}


def status_of(error: DomainError) -> int:
    """The HTTP status of a refusal: by its category, 401 and 429 for the two HTTP codes."""
    return _SPECIAL.get(error.code, STATUS[error.category])


def error_body(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = codec.error_to_json(error)
    return body


def error_response(error: DomainError) -> JSONResponse:
    """The DomainError JSON with its status; a 401 names the scheme, a 429 the wait."""
    headers = {}
    if error.code == UNAUTHENTICATED.code:
        headers["WWW-Authenticate"] = 'Bearer realm="second-classroom"'
    if error.code == RATE_LIMITED.code:
        headers["Retry-After"] = str(error.details.get("retry_after", 60))
    return JSONResponse(error_body(error), status_code=status_of(error), headers=headers)
