"""Listings page (issue 11 §5): filters, a bounded limit and an opaque cursor; walking the
pages gives every row once, in a stable order, and no call returns a whole table."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.projections import queries
from second_classroom.service import SecondClassroom
from tests.checkin_world import finished
from tests.enrolment_world import LEADER, REGISTERING, approved_activity, found_school
from tests.specification import PE_ADMIN, SCHOOL_ADMIN

Fetch = Callable[[int, str | None], queries.Page[Any]]


def walk(fetch: Fetch, limit: int) -> list[Any]:
    """Every row, page by page; each page holds at most ``limit`` rows."""
    rows: list[Any] = []
    cursor: str | None = None
    for _ in range(1000):
        page = fetch(limit, cursor)
        assert len(page.rows) <= limit
        rows.extend(page.rows)
        cursor = page.next_cursor
        if cursor is None:
            return rows
    raise AssertionError("the pages never end")


@pytest.fixture
def busy(service: SecondClassroom) -> tuple[SecondClassroom, list[Any], list[str]]:
    """Five approved activities; seven students registered for the first."""
    numbers = found_school(service, 7)
    activities = [approved_activity(service, f"a{n}") for n in range(5)]
    for number in numbers:
        service.execute(Register(activities[0]), Actor.student(number), REGISTERING)
    return service, activities, numbers


def test_the_board_pages_in_start_order(busy: tuple[SecondClassroom, list[Any], list[str]]) -> None:
    service, activities, numbers = busy
    student = Actor.student(numbers[0])
    whole = list(service.activity_board(student, limit=queries.MAX_LIMIT))
    assert {row.activity_id for row in whole} == {str(a) for a in activities}
    pages = walk(
        lambda limit, cursor: service.activity_board(student, limit=limit, cursor=cursor), 2
    )
    assert pages == whole
    [only] = service.activity_board(student, activity_id=activities[0])
    assert only.registrations == 7


def test_a_roster_pages_in_registration_order(
    busy: tuple[SecondClassroom, list[Any], list[str]],
) -> None:
    service, activities, numbers = busy
    first = activities[0]
    rows = walk(lambda limit, cursor: service.roster(first, LEADER, limit=limit, cursor=cursor), 3)
    assert [row.student for row in rows] == numbers  # registered in this order
    assert service.roster(first, LEADER, status="admitted", limit=2).next_cursor is not None
    assert len(service.roster(first, LEADER).rows) == 7  # the default limit holds them


def test_the_audit_log_pages_by_position_and_filters(
    busy: tuple[SecondClassroom, list[Any], list[str]],
) -> None:
    service, _activities, _numbers = busy
    rows = walk(
        lambda limit, cursor: service.audit_log(SCHOOL_ADMIN, limit=limit, cursor=cursor), 7
    )
    positions = [row.position for row in rows]
    assert positions == sorted(set(positions))
    assert positions == [p for p, _ in service.app.notifications(0, 100_000)]
    registered = service.audit_log(SCHOOL_ADMIN, event="EnrolmentRegistered", limit=500)
    assert len(registered) == 7
    assert {row.command for row in registered} == {"Register"}


def statements_of(service: SecondClassroom, read: Callable[[], object], table: str) -> list[Any]:
    """The statements (with their parameters) reading ``table`` that ``read`` sends to the
    view database."""
    database = service.views.database
    sent: list[Any] = []
    original = database.query

    def query(statement: str, params: Any = ()) -> Any:
        sent.append((statement, params))
        return original(statement, params)

    database.query = query  # type: ignore[method-assign]
    try:
        read()
    finally:
        del database.query
    return [(statement, params) for statement, params in sent if f"FROM {table}" in statement]


def plan(service: SecondClassroom, statement: str, params: Any) -> str:
    """The database's plan for ``statement``: on PostgreSQL with sequential scans off, so a
    table of a few rows is read by an index whenever one serves the query."""
    database = service.views.database
    if database.kind == "sqlite":
        return " ".join(
            str(row[-1]) for row in database.query(f"EXPLAIN QUERY PLAN {statement}", params)
        )
    with database.transaction() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return " ".join(str(row[0]) for row in cursor.query(f"EXPLAIN {statement}", params))


def test_a_filtered_page_is_read_by_an_index_not_by_a_scan_of_the_table(
    busy: tuple[SecondClassroom, list[Any], list[str]],
) -> None:
    """Given a roster and an audit log; when a page of the roster, of one stream's, one
    actor's or one event type's audit rows is read (the first page and a later one), then
    each statement is planned on the index made for it: its cost follows the page, not the
    school's whole history (名单 第十二条; the audit log, issue 11 §5)."""
    service, activities, numbers = busy
    later = service.roster(activities[0], LEADER, limit=2).next_cursor
    reads: dict[str, list[Callable[[], object]]] = {
        "my_activities_by_activity": [
            lambda: service.roster(activities[0], LEADER, limit=2),
            lambda: service.roster(activities[0], LEADER, status="admitted", cursor=later),
        ],
        "audit_log_by_stream": [lambda: service.audit_log(SCHOOL_ADMIN, stream=activities[0])],
        "audit_log_by_actor": [lambda: service.audit_log(SCHOOL_ADMIN, by=numbers[0])],
        "audit_log_by_event": [
            lambda: service.audit_log(SCHOOL_ADMIN, event="EnrolmentRegistered", limit=2)
        ],
    }
    for index, calls in reads.items():
        for call in calls:
            [(statement, params)] = statements_of(service, call, index.split("_by_")[0])
            assert index in plan(service, statement, params), (index, statement)


def test_rankings_and_reports_page_too(service: SecondClassroom) -> None:
    finished(service)
    ranking = walk(
        lambda limit, cursor: service.leaderboard(
            PE_ADMIN, by="student", college="PE", limit=limit, cursor=cursor
        ),
        1,
    )
    assert [row.rank for row in ranking] == list(range(1, len(ranking) + 1))
    assert len(ranking) == 1
    workload = walk(
        lambda limit, cursor: service.organizer_workload(SCHOOL_ADMIN, limit=limit, cursor=cursor),
        1,
    )
    assert {row.person for row in workload} == {"2023010101", "2023010102"}
    [row] = walk(
        lambda limit, cursor: service.monthly_report(
            "2026-12", PE_ADMIN, college="PE", limit=limit, cursor=cursor
        ),
        1,
    )
    assert row.tribe == "石油工程学院学生会"


@pytest.mark.parametrize("limit", [0, -1, queries.MAX_LIMIT + 1, True])
def test_a_limit_out_of_bounds_is_refused(service: SecondClassroom, limit: Any) -> None:
    with pytest.raises(DomainError) as caught:
        service.activity_board(SCHOOL_ADMIN, limit=limit)
    assert caught.value.code == "query.invalid"


def test_a_cursor_not_ours_is_refused(busy: tuple[SecondClassroom, list[Any], list[str]]) -> None:
    """A cursor from another listing, garbage, or a hand-made key: ``query.invalid``."""
    service, activities, _numbers = busy
    audit_cursor = service.audit_log(SCHOOL_ADMIN, limit=1).next_cursor
    assert audit_cursor is not None
    forged = queries.encode_cursor("board", (1, 2))  # right query, wrong key types
    nested = base64.urlsafe_b64encode(b"[" * 1536).decode()  # deeper than Python recurses
    for cursor in (audit_cursor, "not a cursor!", "", "W10", forged, "x" * 5000, nested):
        with pytest.raises(DomainError) as caught:
            service.activity_board(SCHOOL_ADMIN, cursor=cursor)
        assert caught.value.code == "query.invalid"
    with pytest.raises(DomainError) as caught:
        service.roster(activities[0], LEADER, cursor=audit_cursor)
    assert caught.value.code == "query.invalid"


def test_an_unknown_ranking_is_refused(service: SecondClassroom) -> None:
    with pytest.raises(DomainError) as caught:
        service.leaderboard(SCHOOL_ADMIN, by="dormitory")
    assert caught.value.code == "query.invalid"


def test_a_page_serializes_to_json(busy: tuple[SecondClassroom, list[Any], list[str]]) -> None:
    from second_classroom import codec

    service, _activities, _numbers = busy
    page = service.activity_board(SCHOOL_ADMIN, limit=2)
    encoded = codec.to_json(page)
    assert encoded["type"] == "Page"
    assert len(encoded["rows"]) == 2
    assert encoded["next_cursor"] == page.next_cursor


def test_the_outbox_is_a_queue_read_in_bounded_batches(service: SecondClassroom) -> None:
    """第十四条 群发通知: the delivery worker takes the oldest notices, marks them, asks again."""
    from second_classroom.aggregates.activity import CancelActivity

    numbers = found_school(service, 3)
    talk = approved_activity(service, "talk")
    for number in numbers:
        service.execute(Register(talk), Actor.student(number), REGISTERING)
    service.execute(CancelActivity(talk, "场地调整"), LEADER, REGISTERING)
    worker = Actor.system("notice-worker")
    delivered: list[str] = []
    while batch := service.outbox(worker, limit=2):
        assert len(batch) <= 2
        for notice in batch:
            service.mark_delivered(notice, REGISTERING, worker)
        delivered.extend(notice.student for notice in batch)
    assert sorted(delivered) == numbers
    with pytest.raises(DomainError) as caught:
        service.outbox(worker, limit=0)
    assert caught.value.code == "query.invalid"


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("leaderboard", (2**63,)),
        ("leaderboard", (2**53 + 1,)),
        ("leaderboard", (-1,)),
        ("audit", (2**63,)),
        ("audit", (-(2**63) - 1,)),
        ("board", ("2026-01-01", "\x00")),
        ("board", ("\ud800", "x")),
    ],
)
def test_a_forged_cursor_key_is_refused_and_the_views_keep_answering(
    service: SecondClassroom, query: str, key: tuple[Any, ...]
) -> None:
    """Given a cursor whose key no database column can hold (beyond BIGINT, a NUL, a lone
    surrogate), when a listing is asked for it, then it is ``query.invalid`` before SQL runs,
    and the next reads still answer (on PostgreSQL an error inside the database would leave the
    views' connection in an aborted transaction)."""
    if query == "leaderboard":  # the default ranking's name: by college, of the first type
        query = queries.leaderboard_query("college", None, None, service.rulebook.credit_types[0])
    # As a client would forge it, exactly as encode_cursor writes a key (so only the key's
    # check refuses it) but for the lone surrogate's JSON escape, base64url without padding.
    raw = json.dumps([query, *key], separators=(",", ":")).encode()
    forged = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    for read in (
        lambda: service.leaderboard(SCHOOL_ADMIN, cursor=forged),
        lambda: service.audit_log(SCHOOL_ADMIN, cursor=forged),
        lambda: service.activity_board(SCHOOL_ADMIN, cursor=forged),
    ):
        with pytest.raises(DomainError) as caught:
            read()
        assert caught.value.code == "query.invalid"
    assert list(service.activity_board(SCHOOL_ADMIN)) == []
    assert service.leaderboard(SCHOOL_ADMIN).next_cursor is None


def test_the_largest_cursor_offset_is_still_a_page(service: SecondClassroom) -> None:
    """An offset of 2**53 is a cursor we could have written: an empty page, no error."""
    name = queries.leaderboard_query("college", None, None, service.rulebook.credit_types[0])
    last = queries.encode_cursor(name, (queries.CURSOR_INT_MAX,))
    assert list(service.leaderboard(SCHOOL_ADMIN, cursor=last)) == []


def test_a_rankings_cursor_pages_only_that_ranking(service: SecondClassroom) -> None:
    """Given a cursor of the 学分 ranking of PE's students, when it is used for another
    module, college or credit type's ranking, then it is refused (``query.invalid``), not
    an offset into a ranking it was not written for."""
    finished(service)
    kind = service.rulebook.credit_types[0]
    name = queries.leaderboard_query("student", None, "PE", kind)
    cursor = queries.encode_cursor(name, (1,))
    assert list(service.leaderboard(PE_ADMIN, by="student", college="PE", cursor=cursor)) == []
    module = service.rulebook.modules[0].code
    others: list[Callable[[], object]] = [
        lambda: service.leaderboard(SCHOOL_ADMIN, by="student", cursor=cursor),
        lambda: service.leaderboard(PE_ADMIN, "student", module, college="PE", cursor=cursor),
        lambda: service.leaderboard(SCHOOL_ADMIN, by="college", cursor=cursor),
    ]
    for read in others:
        with pytest.raises(DomainError) as caught:
            read()
        assert caught.value.code == "query.invalid"


@pytest.mark.parametrize("changes", [{"credit_type": "不存在"}, {"module": "nowhere"}])
def test_a_ranking_of_an_unknown_type_or_module_is_refused(
    service: SecondClassroom, changes: dict[str, str]
) -> None:
    """Given a credit type or a module the rulebook does not have (001 附件4 说明 4 学分类型),
    when a ranking of it is asked, then it is ``query.invalid``, not an empty ranking."""
    with pytest.raises(DomainError) as caught:
        service.leaderboard(SCHOOL_ADMIN, by="college", **changes)  # type: ignore[arg-type]
    assert caught.value.code == "query.invalid"


# -- the cursor's encoding ------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
SHAPES = {
    (int,): st.tuples(st.integers(0, queries.CURSOR_INT_MAX)),
    (str, str): st.tuples(TEXT, TEXT),
}
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@st.composite
def issued(draw: st.DrawFn) -> tuple[str, tuple[type, ...], tuple[Any, ...]]:
    """A query's name, its key's types and a key: what a listing writes into a cursor."""
    types = draw(st.sampled_from(sorted(SHAPES, key=len)))
    return draw(TEXT), types, draw(SHAPES[types])


@st.composite
def near(draw: st.DrawFn, query: str, key: tuple[Any, ...]) -> str:
    """A cursor near the one issued for ``key``, or any text."""
    cursor = queries.encode_cursor(query, key)
    spaced = json.dumps([query, *key], ensure_ascii=draw(st.booleans()))  # ", " between items
    where = draw(st.integers(0, len(cursor)))
    last = ALPHABET.index(cursor[-1])
    unused = {2: 0b1111, 3: 0b11}.get(len(cursor) % 4, 0)  # the last character's spare bits
    return draw(
        st.sampled_from(
            [
                cursor + "=" * draw(st.integers(1, 3)),
                cursor[:where] + draw(st.sampled_from("+/=. \n%~")) + cursor[where:],
                cursor.replace("-", "+").replace("_", "/"),
                cursor[:-1] + ALPHABET[last ^ draw(st.integers(0, unused))],
                base64.urlsafe_b64encode(spaced.encode()).decode().rstrip("="),
                cursor[:where] + draw(st.sampled_from(ALPHABET)) + cursor[where + 1 :],
                cursor[:where] + cursor[where + 1 :],
                draw(st.text()),
            ]
        )
    )


@given(issued(), st.data())
def test_only_a_cursor_exactly_as_issued_decodes(
    written: tuple[str, tuple[type, ...], tuple[Any, ...]], data: st.DataObject
) -> None:
    """Given a key a listing wrote into a cursor, when the cursor is decoded, then it is that
    key; and any other text near it (padded, with '+', '/' or another character outside
    base64url, the last character's spare bits set, its JSON spaced or ASCII-escaped, a
    character changed or dropped) is refused (``query.invalid``) unless it is exactly the
    cursor written for the key it holds (decoding is strict: one key, one cursor)."""
    query, types, key = written
    assert queries.decode_cursor(query, queries.encode_cursor(query, key), types) == key
    cursor = data.draw(near(query, key))
    found = decoded(query, cursor, types)
    if isinstance(found, str):
        assert found == "query.invalid"
    else:
        assert cursor == queries.encode_cursor(query, found)


def decoded(query: str, cursor: str, types: tuple[type, ...]) -> queries.Key | str:
    """The key in ``cursor``, or the code it is refused with."""
    try:
        return queries.decode_cursor(query, cursor, types)
    except DomainError as error:
        return error.code
