"""Valid instances of any registered command, drawn from its declared field kinds, and the
paths of its text fields; for the boundary and schema tests."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import attrs
from hypothesis import strategies as st

from second_classroom import codec
from second_classroom.core.text import QuantityKind, TextKind
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.boundary import field_hints, kind_of

COMMANDS: list[type] = [codec.registry.named(n).cls for n in codec.registry.names("command")]

_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_LINE = st.text(st.one_of(_CJK, _PRINTABLE), max_size=30)
TEXTS: dict[TextKind, st.SearchStrategy[str]] = {
    TextKind.PERSON_ID: st.from_regex(r"20[0-9]{8}|T-[a-z]{2,6}", fullmatch=True),
    TextKind.TRIBE_CODE: st.from_regex(r"[A-Z]{2}-[A-Z0-9]{1,8}", fullmatch=True),
    TextKind.CODE: st.from_regex(r"[A-Za-z0-9]{0,12}", fullmatch=True),
    TextKind.NAME: _LINE,
    TextKind.TITLE: _LINE,
    TextKind.DETAIL: st.text(st.one_of(_CJK, _PRINTABLE, st.sampled_from("\n\t")), max_size=60),
    TextKind.REASON: st.text(st.one_of(_CJK, _PRINTABLE, st.just("\n")), max_size=40),
    TextKind.PROOF: st.from_regex(
        r"https://files\.example\.edu\.cn/[a-z0-9]{1,12}\.pdf", fullmatch=True
    ),
}
TIMES = st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)).flatmap(
    lambda d: st.sampled_from([SHANGHAI, UTC, timezone(timedelta(hours=-5))]).map(
        lambda tz: d.replace(tzinfo=tz)
    )
)


def of_hint(hint: Any, kind: Any = None) -> st.SearchStrategy[Any]:
    """Valid values of a field declared as ``hint``."""
    base, declared = kind_of(hint)
    kind = declared or kind
    origin = typing.get_origin(base)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([of_hint(arm, kind) for arm in typing.get_args(base)])
    if origin in (tuple, frozenset):
        args = typing.get_args(base)
        if origin is tuple and Ellipsis not in args:
            return st.tuples(*(of_hint(arg, kind) for arg in args))
        items = st.lists(of_hint(args[0], kind), max_size=3)
        return items.map(frozenset if origin is frozenset else tuple)
    if base is type(None):
        return st.none()
    if isinstance(base, type) and issubclass(base, Enum):
        return st.sampled_from(list(base))
    if base is bool:
        return st.booleans()
    if base is int:
        return st.integers(0, 10_000)
    if base is float:
        return st.floats(-90, 90)
    if base is str:
        return TEXTS[kind if isinstance(kind, TextKind) else TextKind.NAME]
    if base is Decimal:
        assert kind in (QuantityKind.CREDIT, QuantityKind.NUMBER), "every decimal is declared"
        return st.decimals(0, 10, places=1)
    if base is datetime:
        return TIMES
    if base is UUID:
        return st.uuids()
    if attrs.has(base):
        return instances(base)
    raise AssertionError(f"no strategy for {hint!r}")


def instances(cls: type) -> st.SearchStrategy[Any]:
    """Valid instances of the attrs class ``cls``, every field drawn by its kind."""
    hints = field_hints(cls)
    fields = {f.alias: of_hint(hints[f.name]) for f in attrs.fields(cls)}
    return st.fixed_dictionaries(fields).map(lambda kwargs: cls(**kwargs))


def text_paths(value: Any, path: str = "$") -> Iterator[str]:
    """The path of every text leaf in ``value`` (enum members are not text)."""
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from text_paths(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple | frozenset):
        for index, item in enumerate(value):
            yield from text_paths(item, f"{path}[{index}]")
    elif isinstance(value, str) and not isinstance(value, Enum):
        yield path


_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def replaced(value: Any, path: str, new: Any) -> Any:
    """``value`` with the leaf at ``path`` (as ``text_paths`` names it) replaced by ``new``."""
    steps = _STEP.findall(path.removeprefix("$"))
    return _replace(value, steps, new)


def _replace(value: Any, steps: list[tuple[str, str]], new: Any) -> Any:
    if not steps:
        return new
    (name, index), rest = steps[0], steps[1:]
    if name:
        alias = attrs.fields_dict(type(value))[name].alias
        assert alias is not None  # attrs sets it on every class it makes
        return attrs.evolve(value, **{alias: _replace(getattr(value, name), rest, new)})
    items = list(value)
    items[int(index)] = _replace(items[int(index)], rest, new)
    return type(value)(items)
