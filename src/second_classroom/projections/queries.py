"""Typed queries over the SQL views; every result is an attrs class that serializes to JSON."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from second_classroom.projections.database import ViewDatabase


@attrs.frozen
class StudentSummaryRow:
    student_number: str
    name: str
    college: str
    class_name: str
    cohort: int
    attended: int
    no_shows: int
    signed_off: int
    excused: int
    overturned: int
    blacklisted_until: datetime | None
    activities: int
    transcripts: int
    credits: tuple[tuple[str, str, Decimal], ...]  # (module, credit type, amount)


@attrs.frozen
class BoardRow:
    activity_id: str
    title: str
    host_tribe: str
    college: str | None
    level: str | None
    module: str | None
    status: str
    capacity: int | None
    admitted: int
    pending: int
    waitlisted: int
    registrations: int
    checkins: int
    registration_opens: datetime | None
    registration_closes: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    finalized: bool

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.admitted, 0)


@attrs.frozen
class LeaderboardRow:
    """排行榜: a group (college, cohort or student) and its credits."""

    rank: int
    group: str
    amount: Decimal


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def student_summary(database: ViewDatabase, student_number: str) -> StudentSummaryRow | None:
    rows = database.query(
        "SELECT student_number, name, college, class_name, cohort, attended, no_shows,"
        " signed_off, excused, overturned, blacklisted_until, activities, transcripts"
        " FROM student_summary WHERE student_number = ?",
        (student_number,),
    )
    if not rows:
        return None
    row = rows[0]
    credits = database.query(
        "SELECT module, credit_type, amount FROM student_credits WHERE student_number = ?"
        " ORDER BY module, credit_type",
        (student_number,),
    )
    number, name, college, class_name, cohort, attended, absent, off, excused, overturned = row[:10]
    return StudentSummaryRow(
        number,
        name,
        college,
        class_name,
        int(cohort),
        int(attended),
        int(absent),
        int(off),
        int(excused),
        int(overturned),
        _time(row[10]),
        int(row[11]),
        int(row[12]),
        tuple((m, t, Decimal(str(a))) for m, t, a in credits),
    )


def activity_board(database: ViewDatabase, activity_id: str | None = None) -> list[BoardRow]:
    where, params = ("WHERE activity_id = ?", (activity_id,)) if activity_id else ("", ())
    rows = database.query(
        "SELECT activity_id, title, host_tribe, college, level, module, status, capacity,"
        " admitted, pending, waitlisted, registrations, checkins, registration_opens,"
        f" registration_closes, starts_at, ends_at, finalized FROM activity_board {where}"
        " ORDER BY starts_at, activity_id",
        params,
    )
    return [_board_row(row) for row in rows]


def _board_row(row: tuple[Any, ...]) -> BoardRow:
    admitted, pending, waitlisted, registrations, checkins = (int(v) for v in row[8:13])
    opens, closes, starts, ends = (_time(v) for v in row[13:17])
    return BoardRow(
        activity_id=str(row[0]),
        title=str(row[1]),
        host_tribe=str(row[2]),
        college=row[3],
        level=row[4],
        module=row[5],
        status=str(row[6]),
        capacity=int(row[7]) if row[7] is not None else None,
        admitted=admitted,
        pending=pending,
        waitlisted=waitlisted,
        registrations=registrations,
        checkins=checkins,
        registration_opens=opens,
        registration_closes=closes,
        starts_at=starts,
        ends_at=ends,
        finalized=bool(row[17]),
    )


def leaderboard(
    database: ViewDatabase, by: str = "college", module: str | None = None, limit: int = 10
) -> list[LeaderboardRow]:
    """排行榜: total credits by college, cohort or student, optionally of one module."""
    group = {"college": "s.college", "cohort": "s.cohort", "student": "s.student_number"}[by]
    where, params = ("WHERE c.module = ?", (module,)) if module else ("", ())
    rows = database.query(
        f"SELECT {group}, SUM(c.amount) AS total FROM student_credits c"
        f" JOIN student_summary s ON s.student_number = c.student_number {where}"
        f" GROUP BY {group} ORDER BY total DESC, {group} LIMIT ?",
        (*params, limit),
    )
    return [
        LeaderboardRow(rank, str(group_value), Decimal(str(total)).normalize())
        for rank, (group_value, total) in enumerate(rows, start=1)
    ]


def table_rows(database: ViewDatabase, table: str) -> list[tuple[Any, ...]]:
    """Every row of a view table in a stable order (used to compare with a rebuild)."""
    return sorted(database.query(f"SELECT * FROM {table}"), key=repr)
