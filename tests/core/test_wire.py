"""The wire converter's moments: ``isoformat`` remembers recent texts and always writes what
``datetime.isoformat`` writes, whatever the zone, the fold or the order of the calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from second_classroom.core import wire
from second_classroom.core.wire import converter, isoformat

ZONES = [
    None,
    UTC,
    timezone(timedelta(hours=8)),
    timezone(timedelta(hours=8), "CST"),
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("America/New_York"),  # has a repeated hour: fold 0 and 1 differ
]


@given(
    st.lists(
        st.tuples(
            st.datetimes(
                min_value=datetime(1970, 1, 1),
                max_value=datetime(2199, 12, 31),
                timezones=st.none(),
            ),
            st.sampled_from(ZONES),
            st.sampled_from([0, 1]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_the_text_is_always_datetime_isoformat(moments: list[tuple[datetime, object, int]]) -> None:
    # given moments in several zones (equal instants among them), asked in any order, twice
    for naive, zone, fold in [*moments, *reversed(moments)]:
        moment = naive.replace(tzinfo=zone, fold=fold)  # type: ignore[arg-type]
        # then each text is exactly what datetime writes, and the converter writes it too
        assert isoformat(moment) == moment.isoformat()
        assert converter.unstructure(moment) == moment.isoformat()


def test_the_same_instant_in_two_zones_keeps_each_zones_text() -> None:
    # given one instant in UTC and in Shanghai (equal as datetimes, with equal hashes)
    utc = datetime(2026, 9, 7, 0, 0, tzinfo=UTC)
    shanghai = utc.astimezone(ZoneInfo("Asia/Shanghai"))
    assert utc == shanghai
    # when both are written, the second after the first is remembered
    first, second = isoformat(utc), isoformat(shanghai)
    # then each keeps its own offset
    assert first == "2026-09-07T00:00:00+00:00"
    assert second == "2026-09-07T08:00:00+08:00"


def test_the_repeated_hour_keeps_its_fold() -> None:
    # given 01:30 on the night New York's clocks go back, before (fold 0) and after (fold 1)
    zone = ZoneInfo("America/New_York")
    before = datetime(2026, 11, 1, 1, 30, tzinfo=zone)
    after = before.replace(fold=1)
    # then the two texts differ by their offsets, remembered or not
    assert isoformat(before) == "2026-11-01T01:30:00-04:00"
    assert isoformat(after) == "2026-11-01T01:30:00-05:00"
    assert isoformat(before) == "2026-11-01T01:30:00-04:00"


def test_the_memory_is_bounded() -> None:
    # given more distinct moments than the memory holds
    start = datetime(2026, 9, 7, tzinfo=UTC)
    for n in range(wire._ISO_LIMIT + 10):
        isoformat(start + timedelta(seconds=n))
    # then it never holds more than its limit
    assert len(wire._iso_texts) <= wire._ISO_LIMIT


def test_a_datetime_subclass_writes_itself() -> None:
    # given a subclass of datetime with its own text
    class Stamped(datetime):
        def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
            return "stamped"

    # then its own isoformat is used, never a remembered text of an equal datetime
    moment = Stamped(2026, 9, 7, tzinfo=UTC)
    isoformat(datetime(2026, 9, 7, tzinfo=UTC))
    assert isoformat(moment) == "stamped"
