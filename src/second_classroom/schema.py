"""JSON Schemas (2020-12) of every registered command, event, state and query result, of the
signed documents, the DomainError and the Outcome, generated from the same attrs classes the
codec reads; and of the plain answers the HTTP service builds (``answer_schema``).

Commands get the boundary's rules too (``policies.boundary``): lengths and forbidden
characters per kind of text, identifier patterns, integer, amount and year bounds, all from the
rulebook's limits. The schema describes the canonical form: identifiers already
NFKC-normalised, times as RFC 3339 text, amounts in plain decimal notation. What it cannot say
(no zero-width or other format characters in codes) ``admit`` still checks.
"""

from __future__ import annotations

import json
import types
import typing
from datetime import datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs

from second_classroom import codec
from second_classroom.aggregates.certificate import CertificateContent
from second_classroom.aggregates.transcript import Content
from second_classroom.answers import PAGE_ROWS  # importing answers registers the query results
from second_classroom.core.errors import Category, ErrorCode
from second_classroom.core.text import INT_MAX, INT_MIN, YEAR_MAX, YEAR_MIN, QuantityKind, TextKind
from second_classroom.policies import boundary
from second_classroom.policies.rulebook import Limits, Rulebook, preset
from second_classroom.verification import PROOF_TYPE, Proof

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Each top-level schema's ``$id`` is this, its kind and its name (``urn:second-classroom:event:X``).
ID_PREFIX = "urn:second-classroom:"
JSONSchema = dict[str, Any]

_UUID = f"^{codec.UUID_TEXT.pattern}$"  # the canonical forms the strict codec reads
_DATE_TIME = f"^{codec.DATE_TIME_TEXT.pattern}$"
_DECIMAL = f"^{codec.DECIMAL_TEXT.pattern}$"  # the texts the strict codec reads
_FRACTION = f"^{codec.FRACTION_TEXT.pattern}$"


def _years(first: int, last: int) -> str:
    """A regular expression of the four-digit years ``first``..``last`` (1970-2199: 19[7-9]x,
    20xx, 21xx)."""
    centuries = []
    for century in range(first // 100, last // 100 + 1):
        low = max(first, century * 100) % 100
        high = min(last, century * 100 + 99) % 100
        if (low, high) == (0, 99):
            centuries.append(f"{century}[0-9]{{2}}")
        else:
            tens = "".join(
                _decade(century, decade, low, high) for decade in range(low // 10, high // 10 + 1)
            )
            centuries.append(f"{century}(?:{tens.rstrip('|')})")
    return "(?:" + "|".join(centuries) + ")"


def _decade(century: int, decade: int, low: int, high: int) -> str:
    first = max(low, decade * 10) % 10
    last = min(high, decade * 10 + 9) % 10
    return f"{decade}[{first}-{last}]|"


class _Builder:
    """Schemas of one message and the attrs classes it refers to (``$defs``); with
    ``results``, a registered query result inside another is referred to by its own schema,
    ``type`` included, as ``answers`` writes it (a timeline's entries)."""

    def __init__(self, limits: Limits | None, results: bool = False) -> None:
        self.limits = limits  # None: an output (event, state, result), no boundary rules
        self.results = results
        self.defs: dict[str, JSONSchema] = {}

    def of(self, hint: Any, kind: TextKind | QuantityKind | None = None) -> JSONSchema:
        base, declared = boundary.kind_of(hint)
        kind = declared or kind
        origin = typing.get_origin(base)
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self.of(arm, kind) for arm in typing.get_args(base)]}
        if origin in (tuple, frozenset):
            return self._array(base, origin, kind)
        if origin is typing.Literal:
            return {"enum": list(typing.get_args(base))}
        if base is type(None):
            return {"type": "null"}
        if isinstance(base, type) and issubclass(base, Enum):
            return {"enum": [member.value for member in base]}
        if base is bool:
            return {"type": "boolean"}
        if base is int:
            low, high = (
                (INT_MIN, INT_MAX) if self.limits else (-codec.JSON_INT_MAX, codec.JSON_INT_MAX)
            )
            return {"type": "integer", "minimum": low, "maximum": high}
        if base is float:
            return {"type": "number"}
        if base is str:
            return self._text(kind if isinstance(kind, TextKind) else TextKind.NAME)
        if base is Decimal:
            return self._decimal(kind)
        if base is datetime:
            return self._datetime()
        if base is UUID:
            return {"type": "string", "format": "uuid", "pattern": _UUID}
        if base is Fraction:
            return {"type": "string", "pattern": _FRACTION}
        if attrs.has(base):
            if self.results and _is_result(base):
                return _result(base.__name__)
            return {"$ref": f"#/$defs/{self._define(base)}"}
        return {}

    def object(self, cls: type, name: str | None = None) -> JSONSchema:
        """The object schema of an attrs class; with ``name``, its ``type`` field too."""
        hints = boundary.field_hints(cls)
        properties: JSONSchema = {}
        required = []
        if name is not None:
            properties["type"] = {"const": name}
            required.append("type")
        for field in attrs.fields(cls):
            properties[field.name] = self.of(hints[field.name])
            if field.default is attrs.NOTHING:
                required.append(field.name)
        schema: JSONSchema = {"type": "object", "properties": properties, "required": required}
        schema["additionalProperties"] = False
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        if doc:
            schema["description"] = " ".join(doc.split())
        return schema

    def _define(self, cls: type) -> str:
        name = cls.__name__
        if self.defs.get(name, {}).get("x-python") not in (None, _qualified(cls)):
            name = _qualified(cls)
        if name not in self.defs:
            self.defs[name] = {}  # a placeholder, so a recursive reference ends
            self.defs[name] = {**self.object(cls), "x-python": _qualified(cls)}
        return name

    def _array(self, base: Any, origin: Any, kind: Any) -> JSONSchema:
        args = typing.get_args(base)
        if origin is tuple and Ellipsis not in args:
            items = [self.of(arg, kind) for arg in args]
            count = len(items)
            fixed = {"prefixItems": items, "items": False, "minItems": count, "maxItems": count}
            return {"type": "array", **fixed}
        schema: JSONSchema = {"type": "array", "items": self.of(args[0], kind)}
        if origin is frozenset:
            schema["uniqueItems"] = True
        if self.limits is not None:
            schema["maxItems"] = boundary.maximum_items(base, self.limits)
        return schema

    def _text(self, kind: TextKind) -> JSONSchema:
        if self.limits is None:
            return {"type": "string"}
        schema: JSONSchema = {
            "type": "string",
            "maxLength": boundary.maximum_length(kind, self.limits),
            "x-text-kind": kind.value,
        }
        identifier = boundary.pattern(kind, self.limits)
        if identifier is not None:
            schema["pattern"] = f"^(?:{identifier})$"
            schema["description"] = (
                "the canonical form; execute_json first applies NFKC normalisation (so"
                " full-width digits and letters are accepted and stored as ASCII)"
            )
        else:
            schema["pattern"] = "^[^" + _escaped_class(boundary.forbidden_characters(kind)) + "]*$"
        return schema

    def _decimal(self, kind: Any) -> JSONSchema:
        if self.limits is None or kind is not QuantityKind.CREDIT:
            return {"anyOf": [{"type": "string", "pattern": _DECIMAL}, {"type": "number"}]}
        most = self.limits.max_credit
        digits = len(str(int(most)))
        places = self.limits.credit_places
        # At most ``places`` decimals, then only trailing zeros (``2.50`` is 2.5), as admit.
        decimals = rf"\.[0-9]{{1,{places}}}0{{0,40}}" if places else r"\.0{1,40}"
        plain = rf"^-?[0-9]{{1,{digits}}}(?:{decimals})?$"
        number = {"type": "number", "minimum": -most, "maximum": most}
        return {
            "anyOf": [{"type": "string", "pattern": plain}, number],
            "x-quantity": kind.value,
            "x-decimal-places": places,
            "description": f"at most {places} decimal places, plain notation (no exponent)",
        }

    def _datetime(self) -> JSONSchema:
        if self.limits is None:
            return {"type": "string", "format": "date-time", "pattern": _DATE_TIME}
        years = _years(YEAR_MIN, YEAR_MAX)
        pattern = "^" + years + _DATE_TIME.removeprefix("^[0-9]{4}")
        return {"type": "string", "format": "date-time", "pattern": pattern}


def _is_result(cls: type) -> bool:
    try:
        return codec.registry.of_class(cls).kind == "result"
    except KeyError:
        return False


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _escaped_class(characters: str) -> str:
    """A Python character class's contents with every non-printable character of the Basic
    Multilingual Plane as ``\\uXXXX`` (an ECMA-262 regular expression, as JSON Schema's
    ``pattern`` is); characters beyond it stay literal."""
    body = characters.removeprefix("[").removesuffix("]")
    return "".join(
        c if (c.isprintable() and c.isascii()) or ord(c) > 0xFFFF else f"\\u{ord(c):04x}"
        for c in body
    )


def _json_safe(schema: Any) -> Any:
    """Decimals (credit bounds) as JSON numbers."""
    if isinstance(schema, dict):
        return {k: _json_safe(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_json_safe(v) for v in schema]
    if isinstance(schema, Decimal):
        return int(schema) if schema == schema.to_integral_value() else float(schema)
    return schema


def message_schema(name: str, rulebook: Rulebook | None = None) -> JSONSchema:
    """The schema of the registered message ``name``; a command's carries the boundary rules
    of ``rulebook`` (default: the NEPU preset)."""
    message_type = codec.registry.named(name)
    limits = (rulebook or preset("nepu")).limits if message_type.kind == "command" else None
    builder = _Builder(limits, results=message_type.kind == "result")
    body = builder.object(message_type.cls, name)
    if name == "Page":  # the generic page: rows of any listing, each by its own schema
        body["properties"]["rows"]["items"] = {"anyOf": [_result(row) for row in _page_rows()]}
    return _top(message_type.kind, name, body, builder)


def _top(kind: str, name: str, body: JSONSchema, builder: _Builder) -> JSONSchema:
    """The schema ``urn:second-classroom:<kind>:<name>`` of ``body``, with the classes it
    refers to (the builder's ``$defs``), made JSON-safe."""
    schema: JSONSchema = {
        "$schema": DIALECT,
        "$id": f"{ID_PREFIX}{kind}:{name}",
        "title": name,
        "x-kind": kind,
        **body,
    }
    if builder.defs:
        schema["$defs"] = builder.defs
    return _json_safe(schema)  # type: ignore[no-any-return]


def _result(name: str) -> JSONSchema:
    return {"$ref": f"{ID_PREFIX}result:{name}"}


def _page_rows() -> list[str]:
    return sorted(row.__name__ for row in PAGE_ROWS)


def page_schema(row: str) -> JSONSchema:
    """The schema ``<row>Page``: a ``Page`` (``{"type": "Page", "rows", "next_cursor"}``)
    whose rows are each a ``row`` result by its own schema, type included."""
    if row not in _page_rows():
        raise ValueError(f"no listing answers a page of {row!r}")
    page = message_schema("Page")
    title = f"{row}Page"
    rows = {**page["properties"]["rows"], "items": _result(row)}
    return {
        **page,
        "$id": f"{ID_PREFIX}result:{title}",
        "title": title,
        "description": f"{page['description']} Each row is a {row}.",
        "properties": {**page["properties"], "rows": rows},
    }


def answer_schema(cls: type) -> JSONSchema:
    """The schema ``urn:second-classroom:answer:<Name>`` of the attrs class ``cls`` written as
    plain JSON (``codec.converter``), without a ``type`` field: what the HTTP service builds
    itself (who is calling, a phase, the check-in screen, health)."""
    builder = _Builder(None)
    return _top("answer", cls.__name__, builder.object(cls), builder)


# The signed documents (``verification.signed_document``) by title, and what they sign.
DOCUMENTS: dict[str, type] = {"SignedTranscript": Content, "SignedCertificate": CertificateContent}


def document_schema(title: str) -> JSONSchema:
    """The schema of the signed document ``title`` (``DOCUMENTS``): ``{"content": …,
    "proof": {"type": "Ed25519Signature", "key_id", "signature"}}``, the content by the
    schema of the class it is written from."""
    builder = _Builder(None)
    content = builder.of(DOCUMENTS[title])
    proof = builder.object(Proof, PROOF_TYPE)
    body: JSONSchema = {
        "description": "A signed document: its content and the school key's signature of it.",
        "type": "object",
        "properties": {"content": content, "proof": proof},
        "required": ["content", "proof"],
        "additionalProperties": False,
    }
    return _top("document", title, body, builder)


def error_schema() -> JSONSchema:
    """The schema of a DomainError as ``codec.error_to_json`` writes it."""
    return {
        "$schema": DIALECT,
        "$id": f"{ID_PREFIX}error:DomainError",
        "title": "DomainError",
        "x-kind": "error",
        "description": "A refused command or query: its stable code, category and messages.",
        "type": "object",
        "properties": {
            "type": {"const": "DomainError"},
            "code": {"enum": sorted(ErrorCode.catalogue)},
            "category": {"enum": [c.value for c in Category]},
            "message_zh": {"type": "string"},
            "message_en": {"type": "string"},
            "details": {"type": "object"},
        },
        "required": ["type", "code", "category", "message_zh", "message_en", "details"],
        "additionalProperties": False,
    }


def outcome_schema() -> JSONSchema:
    """The schema of an Outcome as ``Outcome.to_json`` writes it (each event by its own
    schema, ``urn:second-classroom:event:<Name>``)."""
    events = [{"$ref": f"{ID_PREFIX}event:{n}"} for n in codec.registry.names("event")]
    stored = {
        "type": "object",
        "properties": {
            "stream": {"type": "string", "format": "uuid", "pattern": _UUID},
            "version": {"type": "integer", "minimum": 1},
            "event": {"anyOf": events},
        },
        "required": ["stream", "version", "event"],
        "additionalProperties": False,
    }
    return {
        "$schema": DIALECT,
        "$id": "urn:second-classroom:outcome:Outcome",
        "title": "Outcome",
        "x-kind": "outcome",
        "description": "What an accepted command stored: its events with streams and versions.",
        "type": "object",
        "properties": {"type": {"const": "Outcome"}, "events": {"type": "array", "items": stored}},
        "required": ["type", "events"],
        "additionalProperties": False,
    }


def schemas(rulebook: Rulebook | None = None) -> dict[str, JSONSchema]:
    """Every schema by title: each registered command, event, state and query result, the
    ``<Row>Page`` of each row a listing pages (``page_schema``), the signed documents
    (``document_schema``), the DomainError and the Outcome."""
    found = {
        name: message_schema(name, rulebook)
        for kind in ("command", "event", "state", "result")
        for name in codec.registry.names(kind)
    }
    found.update((f"{row}Page", page_schema(row)) for row in _page_rows())
    found.update((title, document_schema(title)) for title in DOCUMENTS)
    found["DomainError"] = error_schema()
    found["Outcome"] = outcome_schema()
    return found


def write_schemas(out_dir: str | Path, rulebook: Rulebook | None = None) -> list[Path]:
    """Write every schema to ``out_dir/<Title>.schema.json``; returns the files written."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for title, schema in schemas(rulebook).items():
        path = folder / f"{title}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
