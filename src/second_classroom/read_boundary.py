"""The read-side boundary: every public read's arguments, checked before anything loads.

``reads`` wraps a facade method: each argument has its declared type (``query.invalid``
naming it otherwise), the actor is well-formed (``admit_actor``), times are aware and within
the years the library computes with, and text is free of control characters and within its
kind's length (``text.*``). So any value a frontend passes gives a result or a
``DomainError``, never a Python exception.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from datetime import datetime
from types import UnionType
from typing import Any, ParamSpec, Protocol, TypeVar, Union

from second_classroom.core.actor import Actor
from second_classroom.core.text import INT_MAX, INT_MIN, YEAR_MAX, YEAR_MIN, TextKind
from second_classroom.core.time import require_aware
from second_classroom.policies.boundary import OUT_OF_RANGE, admit_actor, identifier
from second_classroom.policies.rulebook import Limits, Rulebook
from second_classroom.projections.queries import INVALID_QUERY

P = ParamSpec("P")
R = TypeVar("R")

# The kind of text each string argument of a read holds (others: a one-line name).
ARGUMENT_KINDS = {
    "student_number": TextKind.PERSON_ID,
    "serial": TextKind.CODE,
    "college": TextKind.CODE,
    "module": TextKind.CODE,
    "status": TextKind.CODE,
    "by": TextKind.CODE,
    "month": TextKind.CODE,
    "verify_url": TextKind.PROOF,
    "source": TextKind.PROOF,  # check_backfill: a file's path
}


class _Reader(Protocol):
    """The object whose reads are checked: the limits come from its rulebook."""

    rulebook: Rulebook


def reads(method: Callable[P, R]) -> Callable[P, R]:
    """A public read whose arguments pass the read-side boundary first (see the module)."""
    signature = inspect.signature(method)
    hints: dict[str, Any] = {}

    @functools.wraps(method)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        if not hints:
            hints.update(_parameter_hints(method))
        bound = signature.bind(*args, **kwargs)
        service: _Reader = bound.arguments["self"]
        for name, value in bound.arguments.items():
            if name != "self":
                admit_argument(name, value, hints[name], service.rulebook.limits)
        return method(*args, **kwargs)

    return checked


def _parameter_hints(method: Callable[..., Any]) -> dict[str, Any]:
    """The parameters' type hints, resolved in the method's module; the return type is left
    out, since it may name a class imported for type checking only (``TemplateCheck``)."""
    given = {k: v for k, v in method.__annotations__.items() if k != "return"}
    holder = types.SimpleNamespace(__annotations__=given)
    return typing.get_type_hints(holder, globalns=method.__globals__)


def admit_argument(name: str, value: Any, hint: Any, limits: Limits) -> None:
    """Check one argument ``name`` against its type ``hint`` and the rulebook's ``limits``."""
    path = f"$.{name}"
    if hint is object:
        return  # a document to verify: the read answers ``malformed`` for anything itself
    arms = typing.get_args(hint) if typing.get_origin(hint) in (Union, UnionType) else (hint,)
    if value is None and type(None) in arms:
        return
    if Actor in arms:
        admit_actor(value, limits)
        return
    if datetime in arms:
        moment = require_aware(value, name)
        if not YEAR_MIN <= moment.year <= YEAR_MAX:
            raise OUT_OF_RANGE.error(path=path, minimum=str(YEAR_MIN), maximum=str(YEAR_MAX))
        return
    classes = tuple(typing.get_origin(a) or a for a in arms if a is not type(None))
    wanted = tuple(c for c in classes if isinstance(c, type))
    if wanted and (
        not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted)
    ):
        expected = " | ".join(c.__name__ for c in wanted)
        reason = f"{path} 应为 {expected} / must be {expected}, got {type(value).__name__}"
        raise INVALID_QUERY.error(reason=reason, path=path)
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise OUT_OF_RANGE.error(path=path, minimum=str(INT_MIN), maximum=str(INT_MAX))
    elif isinstance(value, str) and name != "cursor":  # a cursor is checked when decoded
        identifier(value, ARGUMENT_KINDS.get(name, TextKind.NAME), limits, path)


__all__ = ["ARGUMENT_KINDS", "admit_argument", "reads"]
