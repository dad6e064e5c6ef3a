"""The boundary every command passes before it is decided, from JSON or from Python alike.

``admit(command, limits)`` walks the command's fields by their declared kinds
(``core.text``): text is free of control characters and within its kind's length,
identifiers (学号, 工号, tribe codes) are NFKC-normalised and match the rulebook's pattern, and
numbers, amounts and times are within bounds. It returns the command with its identifiers
normalised, or raises a coded error naming the field's path; a value of the wrong type (a
Python caller's ``approve="false"``) is ``command.malformed``, as it is from JSON.
"""

from __future__ import annotations

import math
import re
import sys
import types
import typing
import unicodedata
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import attrs

from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import Category, ErrorCode, malformed
from second_classroom.core.text import (
    INT_MAX,
    INT_MIN,
    YEAR_MAX,
    YEAR_MIN,
    QuantityKind,
    TextKind,
)
from second_classroom.policies.rulebook import Limits

T = TypeVar("T")

CONTROL_CHARACTER = ErrorCode(
    "text.control_character",
    "{path} 含有控制字符或不可见字符（U+{codepoint}）",
    "{path} contains a control or invisible character (U+{codepoint})",
    Category.INVALID,
)
TOO_LONG = ErrorCode(
    "text.too_long",
    "{path} 超过 {maximum} 个字符（{length} 个）",
    "{path} is longer than {maximum} characters ({length})",
    Category.INVALID,
)
IDENTIFIER_INVALID = ErrorCode(
    "text.identifier_invalid",
    "{path} 不是有效的编号（学号、工号或部落编码的格式见规则配置 limits）",
    "{path} is not a valid identifier (see the rulebook's limits for the format)",
    Category.INVALID,
)
TOO_MANY = ErrorCode(
    "value.too_many",
    "{path} 最多 {maximum} 项（收到 {count} 项）",
    "{path} holds at most {maximum} items ({count})",
    Category.INVALID,
)
TOO_PRECISE = ErrorCode(
    "value.too_precise",
    "{path} 最多 {places} 位小数",
    "{path} has more than {places} decimal places",
    Category.INVALID,
)
OUT_OF_RANGE = ErrorCode(
    "value.out_of_range",
    "{path} 超出允许范围（{minimum} 至 {maximum}）",
    "{path} is out of range ({minimum} to {maximum})",
    Category.INVALID,
)

# C0 and C1 controls, DEL, lone surrogates, and the bidirectional controls that can make text
# read differently from what it is (Trojan Source); tab and line breaks only in multi-line text.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")


def admit(command: T, limits: Limits) -> T:
    """``command`` with identifiers normalised, or a coded refusal of its first bad field."""
    checked: T = _check(command, type(command), "$", limits)
    return checked


def admit_actor(actor: object, limits: Limits) -> None:
    """Refuse an actor that is not a well-formed ``Actor``: its id is a PERSON_ID already in
    canonical form (NFKC) and matching the pattern, each role a ``RoleKind`` with a CODE scope.

    The actor comes from the frontend's sign-in, not from a form, and is stored in every event
    it causes; an id that NFKC would change is refused rather than normalised, so two distinct
    sign-in identities (``２０２４…`` and ``2024…``) never act as one person.
    """
    if not isinstance(actor, Actor):
        got = type(actor).__name__
        raise malformed([("$actor", f"应为 Actor，收到 {got}", f"expected Actor, got {got}")])
    path = "$actor.person_id"
    _require_type(actor.person_id, str, path, optional=False)
    if _text(actor.person_id, TextKind.PERSON_ID, path, limits) != actor.person_id:
        raise IDENTIFIER_INVALID.error(path=path)
    for role in actor.roles:
        if not isinstance(role, Role) or not isinstance(role.kind, RoleKind):
            got = type(getattr(role, "kind", role)).__name__
            raise malformed(
                [("$actor.roles", f"应为 Role，收到 {got}", f"expected a Role, got {got}")]
            )
        if role.scope is not None:
            _require_type(role.scope, str, "$actor.roles[].scope", optional=False)
            _text(role.scope, TextKind.CODE, "$actor.roles[].scope", limits)


def identifier(text: str, kind: TextKind, limits: Limits, path: str = "$") -> str:
    """A 学号, 工号 or tribe code given outside a command (a query argument): NFKC-normalised
    and checked as a command field of ``kind`` would be."""
    return _text(text, kind, path, limits)


def maximum_length(kind: TextKind, limits: Limits) -> int:
    """The rulebook's longest text of ``kind``."""
    return int(getattr(limits, _LENGTH_LIMIT[kind]))


# Which of the rulebook's limits bounds each kind of text (a lookup, not a dict per call).
_LENGTH_LIMIT = {
    TextKind.PERSON_ID: "ids",
    TextKind.TRIBE_CODE: "ids",
    TextKind.CODE: "ids",
    TextKind.NAME: "names",
    TextKind.TITLE: "titles",
    TextKind.DETAIL: "details",
    TextKind.REASON: "reasons",
    TextKind.PROOF: "proofs",
}


def maximum_items(sequence_hint: Any, limits: Limits) -> int | None:
    """The most entries a list field (``tuple[X, ...]`` or ``frozenset[X]``) may hold: the
    rulebook's ``people`` for lists of 学号/工号, ``items`` for any other; ``None`` for a
    fixed-length tuple (a pair, a coordinate)."""
    args = typing.get_args(sequence_hint)
    if typing.get_origin(sequence_hint) is tuple and Ellipsis not in args:
        return None
    _base, kind = kind_of(args[0]) if args else (None, None)
    return limits.people if kind is TextKind.PERSON_ID else limits.items


def decimal_places(value: Decimal) -> int:
    """The decimal places ``value`` needs (``2.50`` needs 1, ``1E+2`` none), exactly: no
    context rounding, as ``Decimal.normalize`` would do beyond 28 digits."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    zeros = _trailing_zeros(digits)
    return max(0, -exponent - zeros)


def _trailing_zeros(digits: tuple[int, ...]) -> int:
    count = 0
    for digit in reversed(digits):
        if digit:
            break
        count += 1
    return count


def pattern(kind: TextKind, limits: Limits) -> str | None:
    """The pattern an identifier of ``kind`` must match entirely, after NFKC."""
    if kind is TextKind.PERSON_ID:
        return limits.person_id_pattern
    if kind is TextKind.TRIBE_CODE:
        return limits.tribe_code_pattern
    return None


def forbidden_characters(kind: TextKind) -> str:
    """A regular-expression character class of what text of ``kind`` may never contain
    (ids and codes: format characters too, as ``_text`` refuses them)."""
    forbidden = (_MULTI_LINE if kind.multiline else _SINGLE_LINE).pattern
    if kind in _CODE_KINDS:
        forbidden = forbidden.removesuffix("]") + _format_characters() + "]"
    return forbidden


@cache
def _format_characters() -> str:
    """Every Unicode format character (category Cf) as character-class ranges."""
    ranges: list[tuple[int, int]] = []
    for point in range(0x80, sys.maxunicode + 1):
        if unicodedata.category(chr(point)) == "Cf":
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


def kind_of(hint: Any) -> tuple[Any, TextKind | QuantityKind | None]:
    """A field's type without ``Annotated``, and the kind it declares (if any)."""
    if typing.get_origin(hint) is typing.Annotated:
        base, *extras = typing.get_args(hint)
        declared = [e for e in extras if isinstance(e, TextKind | QuantityKind)]
        return base, declared[0] if declared else None
    return hint, None


_HINTS: dict[type, dict[str, Any]] = {}


def field_hints(cls: type) -> dict[str, Any]:
    """The resolved type hints of an attrs class, ``Annotated`` kept."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls, include_extras=True)
    return hints


@attrs.frozen
class _Shape:
    """What ``_check`` needs of a field's type hint, worked out once per hint: the type
    without ``| None`` and ``Annotated`` (``base``), whether None is allowed, the declared
    kind, the container ``base`` is (tuple or frozenset), if any, and its type arguments."""

    base: Any
    optional: bool
    kind: TextKind | QuantityKind | None
    container: type | None
    args: tuple[Any, ...]


_SHAPES: dict[Any, _Shape] = {}
_FIELDS: dict[type, tuple[tuple[str, str, Any], ...]] = {}


def _shape(hint: Any) -> _Shape:
    """``hint``'s shape; cached, since hints are the classes' own (a fixed, small set)."""
    try:
        return _SHAPES[hint]
    except KeyError:
        pass
    except TypeError:  # an unhashable hint: work it out every time
        return _shape_of(hint)
    shape = _SHAPES[hint] = _shape_of(hint)
    return shape


def _shape_of(hint: Any) -> _Shape:
    required = _without_none(hint)
    base, kind = kind_of(required)
    origin = typing.get_origin(base)
    container = origin if origin in (tuple, frozenset) else None
    return _Shape(base, required is not hint, kind, container, typing.get_args(base))


def _fields(cls: type) -> tuple[tuple[str, str, Any], ...]:
    """Each attrs field of ``cls`` as (name, alias, resolved hint), once per class."""
    found = _FIELDS.get(cls)
    if found is None:
        hints = field_hints(cls)
        found = _FIELDS[cls] = tuple((f.name, f.alias, hints[f.name]) for f in attrs.fields(cls))
    return found


def _check(value: Any, hint: Any, path: str, limits: Limits) -> Any:
    shape = _shape(hint)
    base, kind = shape.base, shape.kind
    _require_type(value, base, path, optional=shape.optional, container=shape.container)
    if value is None or isinstance(value, Enum | bool):
        return value
    if attrs.has(type(value)):
        changes = {}
        for name, alias, field_hint in _fields(type(value)):
            before = getattr(value, name)
            after = _check(before, field_hint, f"{path}.{name}", limits)
            if after is not before:
                changes[alias] = after
        return attrs.evolve(value, **changes) if changes else value
    if isinstance(value, tuple | frozenset):
        _require_length(value, shape, path)
        if not value:
            return value  # no item to check, none too many
        entries = maximum_items(base, limits)
        if entries is not None and len(value) > entries:
            # Counted before any item is looked at: a list of 200,000 costs one len().
            raise TOO_MANY.error(path=path, maximum=entries, count=len(value))
        return _check_items(value, _hints_of_items(shape.args, len(value)), path, limits)
    if isinstance(value, str):
        return _text(value, kind if isinstance(kind, TextKind) else TextKind.NAME, path, limits)
    if isinstance(value, int):
        _bound(value, INT_MIN, INT_MAX, path)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise OUT_OF_RANGE.error(path=path, minimum="-∞", maximum="∞")
    elif isinstance(value, Decimal):
        most = limits.max_credit if kind is QuantityKind.CREDIT else Decimal(INT_MAX)
        if not value.is_finite():
            raise OUT_OF_RANGE.error(path=path, minimum=str(-most), maximum=str(most))
        _bound(value, -most, most, path)
        if kind is QuantityKind.CREDIT and decimal_places(value) > limits.credit_places:
            raise TOO_PRECISE.error(path=path, places=limits.credit_places)
    elif isinstance(value, datetime):
        _bound(value.year, YEAR_MIN, YEAR_MAX, path)
    return value


_NUMBERS: dict[Any, tuple[type, ...]] = {int: (int,), float: (int, float), Decimal: (int, Decimal)}


def _require_type(
    value: Any, base: Any, path: str, optional: bool, container: type | None = None
) -> None:
    """A Python caller's value must have its field's type, as a JSON one's must (the strict
    codec): no str for a bool, no int for a str, nothing for a required field. ``container``
    is ``base``'s tuple or frozenset origin when ``base`` is one (``_shape`` knows it)."""
    if value is None:
        ok = optional or base is Any
    elif container is not None:
        ok = isinstance(value, container)
    elif isinstance(base, type) and base is not Any:  # Any is a class since Python 3.11
        # The numeric tower: an int is a fine float or Decimal, a bool is no number.
        numbers = _NUMBERS.get(base)
        if numbers is None:
            ok = isinstance(value, base)
        else:
            ok = isinstance(value, numbers) and not isinstance(value, bool)
    else:
        ok = True
    if not ok:
        expected = getattr(base, "__name__", str(base))
        got = type(value).__name__
        raise malformed([(path, f"应为 {expected}，收到 {got}", f"expected {expected}, got {got}")])


def _require_length(value: tuple[Any, ...] | frozenset[Any], shape: _Shape, path: str) -> None:
    """A fixed-length tuple (``tuple[float, str]``) holds exactly its items, as from JSON:
    a third item would go unchecked (no hint of its own), a missing one unnoticed."""
    args = shape.args
    if shape.container is tuple and args and Ellipsis not in args and len(value) != len(args):
        wanted, got = len(args), len(value)
        raise malformed(
            [(path, f"应为 {wanted} 项，收到 {got} 项", f"expected {wanted} items, got {got}")]
        )


def _without_none(hint: Any) -> Any:
    """``X`` for ``X | None``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        arms = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(arms) == 1:
            return arms[0]
    return hint


def _item_hints(sequence_hint: Any, length: int) -> list[Any]:
    return _hints_of_items(typing.get_args(sequence_hint), length)


def _hints_of_items(args: tuple[Any, ...], length: int) -> list[Any]:
    """The hint of each of ``length`` items, from the sequence hint's type arguments."""
    if len(args) == 1 or Ellipsis in args:
        return [args[0]] * length
    return list(args) if len(args) == length else [Any] * length


def _check_items(value: Any, hints: list[Any], path: str, limits: Limits) -> Any:
    items = list(value)
    checked = [_check(item, hints[i], f"{path}[{i}]", limits) for i, item in enumerate(items)]
    if all(a is b for a, b in zip(checked, items, strict=True)):
        return value
    return frozenset(checked) if isinstance(value, frozenset) else tuple(checked)


def _bound(value: Any, minimum: Any, maximum: Any, path: str) -> None:
    if not minimum <= value <= maximum:
        raise OUT_OF_RANGE.error(path=path, minimum=str(minimum), maximum=str(maximum))


def _text(value: str, kind: TextKind, path: str, limits: Limits) -> str:
    text = unicodedata.normalize("NFKC", value) if kind.identifier else value
    bad = (_MULTI_LINE if kind.multiline else _SINGLE_LINE).search(text)
    if bad is None and kind in _CODE_KINDS:
        # Zero-width and other format characters make look-alike identifiers.
        bad = next((m for m in _FORMAT.finditer(text) if unicodedata.category(m[0]) == "Cf"), None)
    if bad is not None:
        raise CONTROL_CHARACTER.error(path=path, codepoint=f"{ord(bad[0]):04X}")
    most = maximum_length(kind, limits)
    if len(text) > most:
        raise TOO_LONG.error(path=path, maximum=most, length=len(text))
    expected = pattern(kind, limits)
    if expected is not None and not _compiled(expected).fullmatch(text):
        raise IDENTIFIER_INVALID.error(path=path)
    return value if text == value else text


_CODE_KINDS = (TextKind.PERSON_ID, TextKind.TRIBE_CODE, TextKind.CODE)
_FORMAT = re.compile(r"[^\x20-\x7e]")  # only non-ASCII characters can be format characters


@cache
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source)
