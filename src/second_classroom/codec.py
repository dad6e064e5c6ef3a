"""JSON for every command, event, state, query result and error, through cattrs.

A message travels as ``{"type": "<Name>", ...fields}``; the registry maps names to classes.
Events also carry a schema version, and upcasters lift old payloads to the current shape.

Two converters share one JSON shape. ``strict`` reads what arrives from outside
(``from_json``): no coercion, no unknown keys, every failure ``command.malformed`` with the
field's path. ``converter`` reads what we stored ourselves (the mapper's events and snapshots)
and stays lenient, so events written before the strict boundary, or by older code, still load.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum, StrEnum
from fractions import Fraction
from typing import Any, get_args, get_origin
from uuid import UUID

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn
from cattrs.preconf.json import make_converter

from second_classroom.aggregates.kinds import COMMANDS, KINDS
from second_classroom.core.errors import UNKNOWN_COMMAND, DomainError, malformed
from second_classroom.core.text import YEAR_MAX, YEAR_MIN
from second_classroom.core.wire import converter as converter

JSON = dict[str, Any]
Upcaster = Callable[[JSON], JSON]


# -- the strict input converter -------------------------------------------------------------

# The integers a JavaScript client reads exactly (I-JSON, RFC 7493); orjson stores 64 bits.
JSON_INT_MAX = 2**53 - 1
# Plain notation only: an exponent ("1e-999999") says nothing a plain number cannot, and
# makes a tiny text stand for a huge or endlessly precise value.
DECIMAL_TEXT = re.compile(r"-?(?:0|[1-9][0-9]{0,39})(?:\.[0-9]{1,40})?")
FRACTION_TEXT = re.compile(r"-?[0-9]{1,40}(?:/[0-9]{1,40})?")
# The one form of each that is read (the schema states the same patterns): no braces, no
# ``urn:uuid:``, no bare 32 hex digits; RFC 3339 date-times with ``T``, seconds and an offset.
UUID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
DATE_TIME_TEXT = re.compile(
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)


class Refused(ValueError):
    """A value the strict converter will not read, said in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


_KINDS = {
    bool: ("布尔值", "boolean"),
    int: ("数字", "number"),
    float: ("数字", "number"),
    str: ("字符串", "string"),
    list: ("数组", "array"),
    tuple: ("数组", "array"),
    dict: ("对象", "object"),
    type(None): ("null", "null"),
}


def json_kind(value: Any) -> tuple[str, str]:
    """What JSON type ``value`` is, in Chinese and English (never its text: it may be huge)."""
    return _KINDS.get(type(value), ("其他值", type(value).__name__))


def _expected(zh: str, en: str, value: Any) -> Refused:
    got_zh, got_en = json_kind(value)
    zh = f" {zh}" if zh[0].isascii() else zh
    return Refused(f"应为{zh}，收到{got_zh}", f"expected {en}, got {got_en}")


def _strict_bool(value: Any, _type: type) -> bool:
    if value is True or value is False:
        return value
    raise _expected("布尔值 true/false", "a boolean (true or false)", value)


def _strict_int(value: Any, _type: type) -> int:
    if type(value) is not int:
        raise _expected("整数", "an integer", value)
    if not -JSON_INT_MAX <= value <= JSON_INT_MAX:
        raise Refused("整数超出范围（±2^53）", "integer out of range (±2^53)")
    return value


def _strict_float(value: Any, _type: type) -> float:
    if type(value) is int:
        return float(_strict_int(value, int))
    if type(value) is not float:
        raise _expected("数字", "a number", value)
    if not math.isfinite(value):
        raise Refused("数字须为有限值", "a number must be finite")
    return value


def _strict_str(value: Any, _type: type) -> str:
    if not isinstance(value, str):
        raise _expected("字符串", "a string", value)
    return value


def _strict_decimal(value: Any, _type: type) -> Decimal:
    if isinstance(value, str):
        if not DECIMAL_TEXT.fullmatch(value):
            raise Refused(
                '应为十进制数字（如 "2.5"，不用指数）',
                'expected a decimal number in plain notation (e.g. "2.5", no exponent)',
            )
        return Decimal(value)
    if type(value) is int:
        return Decimal(_strict_int(value, int))
    if type(value) is float:
        return Decimal(str(_strict_float(value, float)))
    raise _expected("数字或数字字符串", "a number or a numeric string", value)


def _strict_datetime(value: Any, _type: type) -> datetime:
    if not isinstance(value, str):
        raise _expected("ISO 8601 时间字符串", "an ISO 8601 date-time string", value)
    try:
        moment = datetime.fromisoformat(value) if DATE_TIME_TEXT.fullmatch(value) else None
    except ValueError:
        moment = None
    if moment is None:
        raise Refused(
            "应为 RFC 3339 时间（如 2026-11-23T09:00:00+08:00）",
            "expected an RFC 3339 date-time (e.g. 2026-11-23T09:00:00+08:00)",
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise Refused("时间必须带时区", "a timezone offset is required")
    if not YEAR_MIN <= moment.year <= YEAR_MAX:
        raise Refused(
            f"年份须在 {YEAR_MIN}-{YEAR_MAX} 之间", f"the year must be {YEAR_MIN}-{YEAR_MAX}"
        )
    return moment


def _strict_uuid(value: Any, _type: type) -> UUID:
    if not isinstance(value, str):
        raise _expected("UUID 字符串", "a UUID string", value)
    if UUID_TEXT.fullmatch(value):
        return UUID(value)
    raise Refused(
        "应为 UUID（8-4-4-4-12 位十六进制）", "expected a UUID (8-4-4-4-12 hexadecimal digits)"
    )


def _strict_fraction(value: Any, _type: type) -> Fraction:
    if not isinstance(value, str):
        raise _expected("分数字符串", "a fraction string", value)
    if not FRACTION_TEXT.fullmatch(value):
        raise Refused('应为分数（如 "1/3"）', 'expected a fraction (e.g. "1/3")')
    try:
        return Fraction(value)
    except ZeroDivisionError:
        raise Refused("分母不能为 0", "the denominator must not be 0") from None


def _strict_enum(value: Any, enum_type: type[Enum]) -> Enum:
    if isinstance(value, str):
        try:
            return enum_type(value)
        except ValueError:
            pass
    allowed = ", ".join(str(member.value) for member in enum_type)
    raise Refused(f"应为以下之一：{allowed}", f"expected one of: {allowed}")


def _strict_sequence(sequence_type: Any) -> Callable[[Any, type], Any]:
    """Arrays only: ``tuple[X, ...]`` and ``frozenset[X]`` of any length, ``tuple[X, Y]``
    of exactly its length."""
    origin = get_origin(sequence_type)
    args = get_args(sequence_type)
    fixed = origin is tuple and Ellipsis not in args
    hooks = [(t, strict.get_structure_hook(t)) for t in (args if fixed else args[:1])]

    def structure(value: Any, _type: type) -> Any:
        if not isinstance(value, list | tuple):
            raise _expected("数组", "an array", value)
        if fixed and len(value) != len(hooks):
            raise Refused(f"数组应有 {len(hooks)} 项", f"expected an array of {len(hooks)} items")
        items, errors = [], []
        for index, item in enumerate(value):
            item_type, hook = hooks[index if fixed else 0]
            try:
                items.append(hook(item, item_type))
            except Exception as exc:  # collected with their index, as cattrs does
                exc.add_note(IterableValidationNote(f"item {index}", index, item_type))
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid items", errors, sequence_type)
        return frozenset(items) if origin is frozenset else tuple(items)

    return structure


def _strict_attrs(cls: type) -> Callable[[Any, type], Any]:
    generated: Callable[[Any, type], Any] = make_dict_structure_fn(cls, strict)

    def structure(value: Any, _type: type) -> Any:
        if not isinstance(value, dict):
            raise _expected("JSON 对象", "a JSON object", value)
        return generated(value, cls)

    return structure


strict = make_converter(forbid_extra_keys=True)
strict.register_structure_hook(bool, _strict_bool)
strict.register_structure_hook(int, _strict_int)
strict.register_structure_hook(float, _strict_float)
strict.register_structure_hook(str, _strict_str)
strict.register_structure_hook(Decimal, _strict_decimal)
strict.register_structure_hook(datetime, _strict_datetime)
strict.register_structure_hook(UUID, _strict_uuid)
strict.register_structure_hook(Fraction, _strict_fraction)
# StrEnum precedes str in the MRO, so enum fields keep their own hook rather than str's.
strict.register_structure_hook(StrEnum, _strict_enum)
strict.register_structure_hook(Enum, _strict_enum)
strict.register_structure_hook_factory(
    lambda t: getattr(t, "__origin__", None) in (tuple, frozenset), _strict_sequence
)
strict.register_structure_hook_factory(attrs.has, _strict_attrs)


def _printable(text: str, limit: int = 40) -> str:
    """``text`` shortened and with invisible or unencodable characters escaped, safe to echo."""
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def _problems(exc: BaseException, path: str) -> list[tuple[str, str, str]]:
    """(path, Chinese, English) for every leaf of a cattrs validation error."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        found = []
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            if isinstance(note, IterableValidationNote):
                found += _problems(inner, f"{path}[{note.index}]")
            else:
                found += _problems(inner, f"{path}.{note.name}")
        for inner in without:
            found += _problems(inner, path)
        return found
    if isinstance(exc, Refused):
        return [(path, exc.zh, exc.en)]
    if isinstance(exc, DomainError):
        return [(path, exc.message_zh, exc.message_en)]
    if isinstance(exc, ForbiddenExtraKeysError):
        names = sorted(str(name) for name in exc.extra_fields)  # a Python caller's keys may be any
        shown = ", ".join(_printable(n) for n in names[:5]) + (", …" if len(names) > 5 else "")
        return [(path, f"未知字段：{shown}", f"unknown field(s): {shown}")]
    if isinstance(exc, KeyError):
        return [(path, "缺少必填字段", "required field missing")]
    return [(path, "值无效", "invalid value")]


@attrs.frozen
class MessageType:
    """A registered message class: its name, kind and (for events) schema version."""

    name: str
    cls: type
    kind: str
    version: int = 1


class Registry:
    """Message classes by name, and the upcasters for old event shapes."""

    def __init__(self) -> None:
        self._by_name: dict[str, MessageType] = {}
        self._by_class: dict[type, MessageType] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, classes: Iterable[type], kind: str) -> None:
        for cls in classes:
            self.add(MessageType(cls.__name__, cls, kind, getattr(cls, "schema_version", 1)))

    def add(self, message_type: MessageType) -> None:
        if message_type.name in self._by_name:
            raise ValueError(f"message name {message_type.name!r} registered twice")
        self._by_name[message_type.name] = message_type
        self._by_class[message_type.cls] = message_type

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function lifting ``name`` payloads from ``from_version`` to the next."""

        def register(function: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = function
            return function

        return register

    def named(self, name: str) -> MessageType:
        try:
            return self._by_name[name]
        except KeyError:
            raise UNKNOWN_COMMAND.error(type=name) from None

    def of(self, obj: object) -> MessageType:
        return self._by_class[type(obj)]

    def of_class(self, cls: type) -> MessageType:
        return self._by_class[cls]

    def names(self, kind: str) -> list[str]:
        return sorted(n for n, t in self._by_name.items() if t.kind == kind)

    def upcast(self, name: str, version: int, data: JSON) -> JSON:
        """Lift ``data`` stored at ``version`` to the current schema of ``name``."""
        current = self.named(name).version
        while version < current:
            data = self._upcasters[(name, version)](data)
            version += 1
        return data


registry = Registry()
registry.register(COMMANDS, "command")  # every kind's, declared once in aggregates/kinds.py
for _kind in KINDS:  # each event type belongs to one kind of stream: registered once
    registry.register(sorted(_kind.events, key=lambda cls: cls.__name__), "event")
    registry.register((_kind.state,), "state")


def to_json(message: object) -> JSON:
    """``{"type": name, ...fields}`` for a registered message."""
    data: JSON = converter.unstructure(message)
    return {"type": registry.of(message).name, **data}


def from_json(data: Any, kind: str | None = None) -> Any:
    """The message a JSON value describes, read strictly; any problem raises
    ``command.malformed`` (or ``command.unknown`` for an unregistered type)."""
    if isinstance(data, Mapping) and not isinstance(data, dict):
        data = dict(data)
    if not isinstance(data, dict):
        raise malformed([("$", *_expected_object(data))])
    name = data.get("type")
    if not isinstance(name, str):
        zh, en = '应为带 "type" 字段的 JSON 对象', 'expected a JSON object with a "type" field'
        raise malformed([("$.type", zh, en)])
    try:
        message_type = registry.named(name)
    except DomainError:
        raise UNKNOWN_COMMAND.error(type=_printable(name)) from None
    if kind is not None and message_type.kind != kind:
        raise malformed(
            [("$.type", f"{name} 不是{_KIND_ZH.get(kind, kind)}", f"{name} is not a {kind}")]
        )
    fields = {k: v for k, v in data.items() if k != "type"}
    try:
        return strict.structure(fields, message_type.cls)
    except DomainError as error:
        raise malformed([("$", error.message_zh, error.message_en)]) from None
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise malformed(_problems(exc, "$")) from None


_KIND_ZH = {"command": "命令", "event": "事件", "state": "状态", "result": "查询结果"}


def _expected_object(value: Any) -> tuple[str, str]:
    refused = _expected("JSON 对象", "a JSON object", value)
    return refused.zh, refused.en


def error_to_json(error: DomainError) -> JSON:
    """A refused command as JSON: stable code, both messages, details."""
    return {
        "type": "DomainError",
        "code": error.code,
        "category": error.category.value,
        "message_zh": error.message_zh,
        "message_en": error.message_en,
        "details": converter.unstructure(error.details),
    }


# -- upcasters ------------------------------------------------------------------------------


@registry.upcaster("ActivityDrafted", from_version=1)
def _split_locations(data: JSON) -> JSON:
    """Schema 1 kept one comma-separated location string (发布规范 五)."""
    form = dict(data["form"])
    joined = form.pop("location", "") or ""
    parts = joined.replace("，", ",").split(",")
    form["locations"] = [p.strip() for p in parts if p.strip()]
    return {**data, "form": form}


def register_results(classes: Iterable[type]) -> None:
    """Query results the facade returns, so frontends get them as JSON too."""
    registry.register(classes, "result")
