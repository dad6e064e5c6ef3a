"""Typed queries over the SQL views; every result is an attrs class that serializes to JSON.

Listings page: each takes filters, a ``limit`` (default ``DEFAULT_LIMIT``, at most
``MAX_LIMIT``) and the ``cursor`` of the page before, and answers a ``Page`` whose
``next_cursor`` is ``None`` on the last page. Cursors are opaque strings; rows come in a stable
order (a unique key last), and a cursor names the row a page ended on, so rows inserted
meanwhile never shift a page (rankings, being aggregates, page by position).
These functions check no actor: the facade's reads do (``policies.visibility``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs
import orjson

from second_classroom.codec import converter
from second_classroom.core.errors import Category, ErrorCode
from second_classroom.policies.registration_questions import Answer
from second_classroom.projections.database import ViewDatabase, units_amount

T = TypeVar("T")
R = TypeVar("R")
Key = tuple[str | int, ...]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

INVALID_QUERY = ErrorCode(
    "query.invalid",
    "查询参数无效：{reason}",
    "Invalid query: {reason}",
    Category.INVALID,
)


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing; pass ``next_cursor`` back for the next (``None``: no more)."""

    rows: tuple[T, ...]
    next_cursor: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


# Integer cursor keys (log positions, offsets) are exact in every JSON reader up to 2**53.
CURSOR_INT_MAX = 2**53
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
_CURSOR = re.compile("[A-Za-z0-9_-]*")  # base64url's alphabet; encode_cursor strips the "="


def check_limit(limit: int) -> int:
    """``limit`` if it is an int in 1..MAX_LIMIT, else ``query.invalid``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise INVALID_QUERY.error(reason=f"limit 须为 1..{MAX_LIMIT} / must be 1..{MAX_LIMIT}")
    return limit


def encode_cursor(query: str, key: Key) -> str:
    """An opaque cursor: the query's name and the key of the last row shown."""
    raw = json.dumps([query, *key], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(query: str, cursor: str, types: Sequence[type]) -> Key:
    """The key in ``cursor``; a cursor of another query, not ours at all, or not exactly as
    ``encode_cursor`` writes it (the urlsafe alphabet, no padding, compact JSON) is refused."""
    bad = INVALID_QUERY.error(reason="cursor 无效 / bad cursor")
    if not isinstance(cursor, str) or len(cursor) > 2048 or not _CURSOR.fullmatch(cursor):
        raise bad
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        # orjson, not json: a list nested deeper than the interpreter recurses ("[" * 1536
        # fits in a cursor) is refused by its depth limit, not by a RecursionError, which
        # could strike a finalizer run in that deep stack instead of this parser.
        raw = orjson.loads(text)
    # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors.
    except ValueError:
        raise bad from None
    if not isinstance(raw, list) or len(raw) != len(types) + 1 or raw[0] != query:
        raise bad
    key = tuple(raw[1:])
    for value, kind in zip(key, types, strict=True):
        if isinstance(value, bool) or not isinstance(value, kind):
            raise bad
        # A key goes into SQL as a parameter: an integer beyond BIGINT, or a NUL or lone
        # surrogate in text, is an error inside the database (and on PostgreSQL aborts the
        # connection's transaction), so a forged cursor is refused before it gets there.
        if isinstance(value, int) and not 0 <= value <= CURSOR_INT_MAX:
            raise bad
        if isinstance(value, str) and _UNSAFE_TEXT.search(value):
            raise bad
    # One key, one cursor: the base64 left lenient above (set padding bits, say) and the JSON
    # (spaces, escapes, "-0") must be exactly what encode_cursor writes for this key.
    if encode_cursor(query, key) != cursor:
        raise bad
    return key


def after(
    query: str, cursor: str | None, columns: Sequence[str], types: Sequence[type]
) -> tuple[str, Key]:
    """SQL ``(columns) > (key)`` for the rows after ``cursor`` (``TRUE`` without one)."""
    if cursor is None:
        return "1 = 1", ()
    key = decode_cursor(query, cursor, types)
    return f"({', '.join(columns)}) > ({', '.join('?' * len(columns))})", key


Row = tuple[Any, ...]


def paged(
    rows: Sequence[R],
    limit: int,
    query: str,
    key: Callable[[R], Key],
    convert: Callable[[R], T],
) -> Page[T]:
    """A page from up to ``limit + 1`` rows (the extra one only says there is more);
    the cursor holds the last row's key as stored, so the next page starts exactly after it."""
    shown = rows[:limit]
    more = len(rows) > limit and bool(shown)
    cursor = encode_cursor(query, key(shown[-1])) if more else None
    return Page(tuple(convert(row) for row in shown), cursor)


def offset_of(query: str, cursor: str | None) -> int:
    """The position a ranking's page starts at."""
    if cursor is None:
        return 0
    (offset,) = decode_cursor(query, cursor, (int,))
    assert isinstance(offset, int)  # and within 0..CURSOR_INT_MAX (decode_cursor)
    return offset


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
    credit_type: str = ""  # the one type ranked: types are never added together


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
        tuple((m, t, units_amount(a)) for m, t, a in credits),
    )


PUBLISHED = ("approved", "cancelled")  # what a board shows to those who may not see drafts
_BOARD_KEY = ("COALESCE(starts_at, '')", "activity_id")


def activity_board(
    database: ViewDatabase,
    activity_id: str | None = None,
    *,
    college: str | None = None,
    host_tribe: str | None = None,
    status: str | None = None,
    module: str | None = None,
    published_only: bool = False,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[BoardRow]:
    """活动看板, by start time; filters combine (``host_tribe`` is the tribe's name)."""
    check_limit(limit)
    where, params = after("board", cursor, _BOARD_KEY, (str, str))
    filters = {
        "activity_id": activity_id,
        "college": college,
        "host_tribe": host_tribe,
        "status": status,
        "module": module,
    }
    for column, value in filters.items():
        if value is not None:
            where, params = f"{where} AND {column} = ?", (*params, value)
    if published_only:
        where += f" AND status IN ({', '.join('?' * len(PUBLISHED))})"
        params = (*params, *PUBLISHED)
    rows = database.query(
        "SELECT activity_id, title, host_tribe, college, level, module, status, capacity,"
        " admitted, pending, waitlisted, registrations, checkins, registration_opens,"
        f" registration_closes, starts_at, ends_at, finalized FROM activity_board WHERE {where}"
        f" ORDER BY {', '.join(_BOARD_KEY)} LIMIT ?",
        (*params, limit + 1),
    )
    return paged(rows, limit, "board", lambda r: (str(r[15] or ""), str(r[0])), _board_row)


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


LEADERBOARD_GROUPS = {"college": "s.college", "cohort": "s.cohort", "student": "s.student_number"}


def leaderboard_query(by: str, module: str | None, college: str | None, credit_type: str) -> str:
    """The name a ranking's cursors carry: a cursor of one ranking (its grouping, module,
    college and credit type) must not page another."""
    return f"leaderboard:{by}:" + json.dumps([module, college, credit_type], ensure_ascii=False)


def leaderboard(
    database: ViewDatabase,
    by: str = "college",
    module: str | None = None,
    limit: int = 10,
    *,
    college: str | None = None,
    cursor: str | None = None,
    credit_type: str | None = None,
) -> Page[LeaderboardRow]:
    """排行榜: total credits of one credit type by college, cohort or student, optionally of
    one module or of one college's students. Types are never added together (学分 and 志愿时
    are different units): with ``credit_type`` None, the one type recorded is ranked, and
    several types are refused (``query.invalid``)."""
    group = LEADERBOARD_GROUPS.get(by)
    if group is None:
        raise INVALID_QUERY.error(reason=f"by 须为 / must be one of {sorted(LEADERBOARD_GROUPS)}")
    check_limit(limit)
    if credit_type is None:
        kinds = database.query("SELECT DISTINCT credit_type FROM student_credits ORDER BY 1")
        if len(kinds) > 1:
            named = "、".join(str(k) for (k,) in kinds)
            raise INVALID_QUERY.error(reason=f"请指定学分类型 / name one credit_type: {named}")
        credit_type = str(kinds[0][0]) if kinds else ""
    query = leaderboard_query(by, module, college, credit_type)
    offset = offset_of(query, cursor)
    params: tuple[object, ...]
    where, params = "c.credit_type = ?", (credit_type,)
    for column, value in (("c.module", module), ("s.college", college)):
        if value is not None:
            where, params = f"{where} AND {column} = ?", (*params, value)
    rows = database.query(
        f"SELECT {group}, SUM(c.amount) AS total FROM student_credits c"
        f" JOIN student_summary s ON s.student_number = c.student_number WHERE {where}"
        f" GROUP BY {group} ORDER BY total DESC, {group} LIMIT ? OFFSET ?",
        (*params, limit + 1, offset),
    )
    ranked = [(rank, group_value, total) for rank, (group_value, total) in enumerate(rows, offset)]
    return paged(
        ranked,
        limit,
        query,
        lambda r: (r[0] + 1,),
        lambda r: LeaderboardRow(r[0] + 1, str(r[1]), units_amount(r[2]), credit_type),
    )


@attrs.frozen
class AuditRow:
    """审计日志: one stored event, who caused it and by which command."""

    position: int
    stream: str
    version: int
    event: str
    command: str
    actor: str
    at: datetime
    data: str  # the event as stored, JSON


def audit_log(
    database: ViewDatabase,
    *,
    stream: str | None = None,
    actor: str | None = None,
    event: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[AuditRow]:
    """The audit log in log order, optionally of one stream, actor or event type."""
    check_limit(limit)
    where, params = after("audit", cursor, ("position",), (int,))
    for column, value in (("stream", stream), ("actor", actor), ("event", event)):
        if value is not None:
            where, params = f"{where} AND {column} = ?", (*params, value)
    rows = database.query(
        "SELECT position, stream, version, event, command, actor, at, data FROM audit_log"
        f" WHERE {where} ORDER BY position LIMIT ?",
        (*params, limit + 1),
    )
    return paged(rows, limit, "audit", lambda r: (int(r[0]),), _audit_row)


def _audit_row(row: Row) -> AuditRow:
    position, stream, version, event, command, actor, at, data = row
    return AuditRow(
        int(position),
        str(stream),
        int(version),
        str(event),
        str(command),
        str(actor),
        datetime.fromisoformat(at),
        str(data),
    )


@attrs.frozen
class RosterRow:
    """名单: one registration of an activity, its status, leave and outcome, and the answers
    to the form's registration questions (002 二 6)."""

    student: str
    status: str
    leave: str | None
    outcome: str | None
    registered_at: datetime
    answers: tuple[Answer, ...] = ()


def roster(
    database: ViewDatabase,
    activity_id: str,
    *,
    status: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[RosterRow]:
    """An activity's live registrations in registration order, optionally of one status."""
    check_limit(limit)
    where, params = after("roster", cursor, ("registered_at", "student"), (str, str))
    if status is not None:
        where, params = f"{where} AND status = ?", (*params, status)
    rows = database.query(
        "SELECT student, status, leave, outcome, registered_at, answers FROM my_activities"
        " LEFT JOIN roster_answers USING (enrolment_id)"
        f" WHERE activity_id = ? AND live = 1 AND {where}"
        " ORDER BY registered_at, student LIMIT ?",
        (activity_id, *params, limit + 1),
    )
    return paged(
        rows,
        limit,
        "roster",
        lambda r: (str(r[4]), str(r[0])),
        _roster_row,
    )


def _roster_row(row: Row) -> RosterRow:
    student, status, leave, outcome, registered_at, answers = row
    return RosterRow(
        str(student),
        str(status),
        leave,
        outcome,
        datetime.fromisoformat(registered_at),
        converter.structure(json.loads(answers), tuple[Answer, ...]) if answers else (),
    )


@attrs.frozen
class WorkloadRow:
    """组织者工作量: activities a person organized and the participants they served."""

    person: str
    activities: int
    participants: int


def organizer_workload(
    database: ViewDatabase, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> Page[WorkloadRow]:
    """Busiest organizers first."""
    check_limit(limit)
    offset = offset_of("workload", cursor)
    rows = database.query(
        "SELECT person, activities, participants FROM organizer_workload"
        " ORDER BY activities DESC, participants DESC, person LIMIT ? OFFSET ?",
        (limit + 1, offset),
    )
    return paged(
        rows,
        limit,
        "workload",
        lambda _r: (offset + limit,),
        lambda r: WorkloadRow(str(r[0]), int(r[1]), int(r[2])),
    )


@attrs.frozen
class AdvisorRow:
    """指导老师工作量表 (002 二 3)): one approved activity an advisor guided, its participants
    (attended) and its 学时 (None until its records are written)."""

    advisor: str
    activity_id: str
    title: str
    college: str | None
    participants: int
    hours: Decimal | None


def advisor_workload(
    database: ViewDatabase,
    *,
    advisor: str | None = None,
    college: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[AdvisorRow]:
    """Approved activities by advisor, then title; of one advisor or one college if given."""
    check_limit(limit)
    query = f"advisors:{advisor}:{college}"
    offset = offset_of(query, cursor)
    params: tuple[object, ...]
    where, params = "approved = 1", ()
    for column, value in (("advisor", advisor), ("college", college)):
        if value is not None:
            where, params = f"{where} AND {column} = ?", (*params, value)
    rows = database.query(
        "SELECT advisor, activity_id, title, college, participants, hours"
        f" FROM advisor_activities WHERE {where}"
        " ORDER BY advisor, title, activity_id LIMIT ? OFFSET ?",
        (*params, limit + 1, offset),
    )
    return paged(
        rows,
        limit,
        query,
        lambda _r: (offset + limit,),
        lambda r: AdvisorRow(
            str(r[0]),
            str(r[1]),
            str(r[2]),
            None if r[3] is None else str(r[3]),
            int(r[4]),
            None if r[5] is None else Decimal(str(r[5])).normalize(),
        ),
    )


def table_rows(database: ViewDatabase, table: str) -> list[tuple[Any, ...]]:
    """Every row of a view table in a stable order (used to compare with a rebuild)."""
    return sorted(database.query(f"SELECT * FROM {table}"), key=repr)


def table_digest(database: ViewDatabase, table: str) -> tuple[int, str]:
    """The row count and an order-free digest of a view table: equal for equal row multisets,
    read a page at a time (``table_rows`` holds the whole table, sorted, in memory)."""
    count, total = 0, 0
    for row in database.stream(f"SELECT * FROM {table}"):
        count += 1
        total += int.from_bytes(hashlib.blake2b(repr(row).encode(), digest_size=16).digest())
    return count, f"{total % (1 << 128):032x}"
