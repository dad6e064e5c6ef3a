"""The JSON shape of plain values (times, ids, decimals, fractions, frozensets) through cattrs.

One converter for every layer: the codec builds its message registry on it, and a transcript
signs its content as this converter writes it (``aggregates.transcript.content_json``). It
knows no message type, so the aggregates may use it without importing the codec above them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any
from uuid import UUID

from cattrs.preconf.json import make_converter

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


# Remembered texts of recent moments (a command's events share its ``now``; a log's events
# share few distinct moments): ``datetime.isoformat`` with a zone costs 2–6 µs, a look-up
# about 0.5. Bounded: emptied when full.
_ISO_LIMIT = 4096
_iso_texts: dict[tuple[datetime, object, int], str] = {}


def isoformat(moment: datetime) -> str:
    """``moment.isoformat()``, remembered for recent moments.

    The key holds the zone and ``fold`` beside the moment: two aware datetimes are equal
    when they are the same instant, whatever their zones, yet their texts differ by offset;
    equal datetimes with equal zones and folds have the same fields, hence the same text.
    """
    if type(moment) is not datetime:  # a subclass may write itself otherwise
        return moment.isoformat()
    key = (moment, moment.tzinfo, moment.fold)
    try:
        return _iso_texts[key]
    except KeyError:
        if len(_iso_texts) >= _ISO_LIMIT:
            _iso_texts.clear()
        text = _iso_texts[key] = moment.isoformat()
        return text


converter.register_unstructure_hook(datetime, isoformat)
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

__all__ = ["converter", "isoformat"]
