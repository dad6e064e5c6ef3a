"""Domain errors: a stable machine code, a Chinese and an English message, structured details."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

import attrs

T = TypeVar("T")

JSONScalar = str | int | float | bool | None


class Category(StrEnum):
    """What kind of refusal an error is, so a wrapper maps it to a status without guessing
    (docs/errors.md: invalid 400, forbidden 403, not_found 404, conflict 409, closed 422,
    unavailable 503)."""

    INVALID = "invalid"  # the request is wrong in itself; sent again unchanged it fails again
    FORBIDDEN = "forbidden"  # this actor may not do this (role, eligibility, credentials)
    NOT_FOUND = "not_found"  # what the request names does not exist
    CONFLICT = "conflict"  # it clashes with what exists (duplicate, full, a concurrent write)
    CLOSED = "closed"  # the target's phase or time window does not admit it (now)
    UNAVAILABLE = "unavailable"  # the deployment lacks something (secret, key, calendar year)


@attrs.frozen
class ErrorCode:
    """A documented error: its stable code, message templates in both languages, category.

    Templates use ``str.format`` fields filled from the error's details.
    """

    code: str
    zh: str
    en: str
    category: Category = attrs.field(validator=attrs.validators.instance_of(Category))

    catalogue: ClassVar[dict[str, ErrorCode]] = {}

    def __attrs_post_init__(self) -> None:
        known = ErrorCode.catalogue.get(self.code)
        if known is not None and known != self:
            raise ValueError(f"error code {self.code!r} defined twice with different texts")
        ErrorCode.catalogue[self.code] = self

    def error(self, **details: Any) -> DomainError:
        """Build the error, filling the message templates from ``details``."""
        return DomainError(
            code=self.code,
            message_zh=_fill(self.zh, details),
            message_en=_fill(self.en, details),
            details=dict(details),
        )


class _Details(dict[str, Any]):
    """Details for a template: a missing ``x_zh`` reads its English twin ``x``."""

    def __missing__(self, key: str) -> Any:
        if key.endswith("_zh") and key.removesuffix("_zh") in self:
            return self[key.removesuffix("_zh")]
        raise KeyError(key)


def _fill(template: str, details: Mapping[str, Any]) -> str:
    try:
        return template.format_map(_Details(details))
    except (KeyError, IndexError, ValueError):
        return template


@attrs.define(eq=False, str=False)
class DomainError(Exception):
    """A refused command. Nothing was written when this is raised."""

    code: str
    message_zh: str
    message_en: str
    details: dict[str, Any] = attrs.field(factory=dict)

    @property
    def category(self) -> Category:
        """The category of this error's code (docs/errors.md); ``invalid`` for a code built
        by hand outside the catalogue, so an error reply never fails for want of one."""
        known = ErrorCode.catalogue.get(self.code)
        return known.category if known is not None else Category.INVALID

    def __str__(self) -> str:
        return f"[{self.code}] {self.message_zh} / {self.message_en}"


def malformed(problems: list[tuple[str, str, str]]) -> DomainError:
    """``command.malformed`` from (JSONPath, Chinese, English) problems: the first names the
    field in both messages and ``details["path"]``; the first ten are listed."""
    path, zh, en = problems[0]
    listed = [{"path": p, "reason_zh": z, "reason": e} for p, z, e in problems[:10]]
    return MALFORMED.error(
        path=path, reason_zh=f"{path}：{zh}", reason=f"{path}: {en}", problems=listed
    )


def require(condition: bool, code: ErrorCode, /, **details: Any) -> None:
    """Raise ``code`` unless ``condition`` holds."""
    if not condition:
        raise code.error(**details)


def required(value: T | None, code: ErrorCode, **details: object) -> T:
    """``value``, or raise ``code`` when it is missing: ``require`` for a value one goes on
    to use, so the type checker sees it is there."""
    if value is None:
        raise code.error(**details)
    return value


UNAUTHORIZED = ErrorCode(
    "auth.forbidden",
    "无权执行此操作：{action}",
    "Not allowed to {action}",
    Category.FORBIDDEN,
)
NAIVE_TIME = ErrorCode(
    "time.naive",
    "时间必须带时区：{field}",
    "Time must be timezone-aware: {field}",
    Category.INVALID,
)
NOT_A_TIME = ErrorCode(
    "time.invalid",
    "{field} 应为带时区的 datetime，收到 {got}",
    "{field} must be a timezone-aware datetime, got {got}",
    Category.INVALID,
)
UNKNOWN_COMMAND = ErrorCode(
    "command.unknown",
    "未知的命令类型：{type}",
    "Unknown command type: {type}",
    Category.INVALID,
)
MALFORMED = ErrorCode(
    "command.malformed",
    "命令格式错误：{reason_zh}",
    "Malformed command: {reason}",
    Category.INVALID,
)
CONCURRENCY = ErrorCode(
    "store.conflict",
    "并发冲突，重试 {attempts} 次后仍未成功",
    "Concurrent update conflict persisted after {attempts} attempts",
    Category.CONFLICT,
)
