"""JSON for every command, event, state, query result and error, through one cattrs converter.

A message travels as ``{"type": "<Name>", ...fields}``; the registry maps names to classes.
Events also carry a schema version, and upcasters lift old payloads to the current shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any
from uuid import UUID

import attrs
import cattrs
from cattrs.preconf.json import make_converter

from second_classroom.aggregates import (
    activity,
    activity_feedback,
    checkin,
    claim,
    enrolment,
    mailbox,
    results,
    student,
    transcript,
    tribe,
)
from second_classroom.aggregates.kinds import KINDS
from second_classroom.core.errors import MALFORMED, UNKNOWN_COMMAND, DomainError

JSON = dict[str, Any]
Upcaster = Callable[[JSON], JSON]

converter = make_converter()


def _structure_datetime(value: Any, _type: type) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: a timezone offset is required")
    return moment


def _structure_decimal(value: Any, _type: type) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal: {value!r}") from exc


converter.register_unstructure_hook(datetime, datetime.isoformat)
converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(UUID, str)
converter.register_structure_hook(UUID, lambda v, _t: v if isinstance(v, UUID) else UUID(str(v)))
converter.register_unstructure_hook(Decimal, str)
converter.register_structure_hook(Decimal, _structure_decimal)
converter.register_unstructure_hook(Fraction, str)
converter.register_structure_hook(Fraction, lambda v, _t: Fraction(str(v)))
converter.register_unstructure_hook_factory(
    lambda t: getattr(t, "__origin__", None) is frozenset,
    lambda _t: lambda value: [converter.unstructure(v) for v in sorted(value)],
)


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
for _module in (tribe, student, activity, enrolment, mailbox):
    registry.register(_module.COMMANDS, "command")
registry.register(checkin.COMMANDS, "command")
registry.register(results.COMMANDS, "command")
registry.register(transcript.COMMANDS, "command")
registry.register(activity_feedback.COMMANDS, "command")
registry.register(claim.COMMANDS, "command")
for _kind in KINDS:  # each event type belongs to one kind of stream: registered once
    registry.register(sorted(_kind.events, key=lambda cls: cls.__name__), "event")
    registry.register((_kind.state,), "state")


def to_json(message: object) -> JSON:
    """``{"type": name, ...fields}`` for a registered message."""
    data: JSON = converter.unstructure(message)
    return {"type": registry.of(message).name, **data}


def from_json(data: JSON, kind: str | None = None) -> Any:
    """The message a JSON object describes; malformed input raises ``command.malformed``."""
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise MALFORMED.error(reason='a JSON object with a "type" field is expected')
    fields = {k: v for k, v in data.items() if k != "type"}
    message_type = registry.named(data["type"])
    if kind is not None and message_type.kind != kind:
        raise MALFORMED.error(reason=f"{data['type']} is not a {kind}")
    try:
        return converter.structure(fields, message_type.cls)
    except DomainError:
        raise
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        reason = (
            "; ".join(cattrs.transform_error(exc))
            if isinstance(exc, cattrs.BaseValidationError)
            else str(exc)
        )
        raise MALFORMED.error(reason=reason) from exc


def error_to_json(error: DomainError) -> JSON:
    """A refused command as JSON: stable code, both messages, details."""
    return {
        "type": "DomainError",
        "code": error.code,
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
