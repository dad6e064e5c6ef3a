"""Time is data: always timezone-aware, passed in by the caller; calendars use Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from attrs import Attribute

from second_classroom.core.errors import NAIVE_TIME, NOT_A_TIME

SHANGHAI = ZoneInfo("Asia/Shanghai")


def require_aware(moment: datetime, field: str = "now") -> datetime:
    """Return ``moment`` unchanged, or refuse a naive datetime (or no datetime at all: a
    caller's string or ``None`` is ``time.invalid``, not an AttributeError)."""
    if not isinstance(moment, datetime):
        raise NOT_A_TIME.error(field=field, got=type(moment).__name__)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NAIVE_TIME.error(field=field)
    return moment


def in_words(day: date) -> str:
    """A day as Chinese text writes it: ``2026年12月6日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def local_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in Shanghai."""
    return require_aware(moment).astimezone(SHANGHAI).date()


def aware(_instance: object, attribute: Attribute[datetime], value: datetime) -> None:
    """attrs validator: refuse naive datetimes at construction."""
    require_aware(value, attribute.name)


def aware_or_none(
    _instance: object, attribute: Attribute[datetime | None], value: datetime | None
) -> None:
    """attrs validator for optional datetimes."""
    if value is not None:
        require_aware(value, attribute.name)
