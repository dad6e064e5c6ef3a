"""The facade's reads as ``GET`` endpoints. Each passes the caller's actor to the facade, which
authorizes it (policies/visibility.py); the listings page with ``limit`` and ``cursor``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypedDict, TypeVar
from urllib.parse import quote
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from second_classroom import codec
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.text import plain_whole
from second_classroom.http.answers import ANSWERS, ActivityPhase, Caller, CheckInScreen, plain
from second_classroom.http.refusals import NOT_FOUND, error_response
from second_classroom.http.settings import Http, http_of
from second_classroom.projections import queries
from second_classroom.projections.queries import INVALID_QUERY

T = TypeVar("T")
Read = Callable[[Http, Actor], Any]
Endpoint = Callable[[Request], Awaitable[Response]]
ReadById = Callable[[Http, UUID, Actor], Any]


class Page(TypedDict):
    """A paged read's ``limit`` and ``cursor``, as the facade's keyword arguments."""

    limit: int
    cursor: str | None


PagedRead = Callable[[Http, Actor, Request, Page], Any]


async def answer(request: Request, read: Read, what: tuple[str, str]) -> Response:
    """Authenticate, run ``read`` off the event loop, and answer its JSON (a list as
    ``{"items": [...]}``, one of ``http.answers`` plain), ``http.not_found`` for None, or the
    refusal with its status."""
    http = http_of(request)
    try:
        actor = http.actor(request)
        found = await run_in_threadpool(read, http, actor)
        if found is None:
            raise NOT_FOUND.error(what_zh=what[0], what=what[1])
    except DomainError as error:
        return error_response(error)
    if isinstance(found, Response):
        return found
    if isinstance(found, list):
        return JSONResponse({"items": [codec.to_json(item) for item in found]})
    if isinstance(found, dict):
        return JSONResponse(found)
    if isinstance(found, ANSWERS):
        return JSONResponse(plain(found))
    return JSONResponse(codec.to_json(found))


def by_id(name: str, read: ReadById, what: tuple[str, str]) -> Endpoint:
    """The endpoint of a read by the one UUID in path parameter ``name``: 401 without a valid
    token, then 400 ``query.invalid`` for an id that is no UUID, the facade's refusal (403),
    ``http.not_found`` (404) when ``read`` finds nothing, else the JSON of what it found."""

    async def endpoint(request: Request) -> Response:
        def run(http: Http, actor: Actor) -> Any:
            return read(http, uuid_of(request, name), actor)

        return await answer(request, run, what)

    return endpoint


def paged(read: PagedRead, what: tuple[str, str], default: int = queries.DEFAULT_LIMIT) -> Endpoint:
    """The endpoint of a paged read: ``read`` is called with the ``limit`` (``default`` when
    absent) and ``cursor`` of the query string, the limit decoded strictly first."""

    async def endpoint(request: Request) -> Response:
        def run(http: Http, actor: Actor) -> Any:
            return read(http, actor, request, page_of(request, default))

        return await answer(request, run, what)

    return endpoint


def page_of(request: Request, default: int = queries.DEFAULT_LIMIT) -> Page:
    return Page(limit=limit_of(request, default), cursor=param(request, "cursor"))


def param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value if value else None


def limit_of(request: Request, default: int = queries.DEFAULT_LIMIT) -> int:
    """``?limit=``: ``default`` when absent, else ASCII digits in 1..MAX_LIMIT (an empty value
    is refused: it names no number)."""
    given = request.query_params.get("limit")
    if given is None:
        return default
    return queries.check_limit(_whole(given, "limit"))


def whole_number(request: Request, name: str) -> int | None:
    """An optional whole-number query parameter (ASCII digits only, as written)."""
    given = param(request, name)
    return None if given is None else _whole(given, name)


def _whole(given: str, name: str) -> int:
    found = plain_whole(given)
    if found is None:
        raise INVALID_QUERY.error(reason=f"{name} 须为整数 / must be a whole number")
    return found


def moment(request: Request, name: str) -> datetime | None:
    """An optional instant: ISO 8601 with its UTC offset (a local time names no instant)."""
    given = param(request, name)
    if given is None:
        return None
    reason = f"{name} 须为带时区的 ISO 8601 时间 / must be ISO 8601 with a UTC offset"
    try:
        found = datetime.fromisoformat(given)
    except ValueError:
        raise INVALID_QUERY.error(reason=reason) from None
    if found.utcoffset() is None:
        raise INVALID_QUERY.error(reason=reason)
    return found


def as_of(
    request: Request,
    number: str,
    actor: Actor,
    now: Callable[[str, Actor], T],
    then: Callable[[str, Actor, datetime], T],
) -> T:
    """A read of student ``number``: ``now``, or with ``?as_of=`` (checked by ``moment``),
    ``then`` at that instant."""
    when = moment(request, "as_of")
    return now(number, actor) if when is None else then(number, actor, when)


def uuid_of(request: Request, name: str) -> UUID:
    return _uuid(request.path_params[name], name)


async def me(request: Request) -> Response:
    def read(http: Http, actor: Actor) -> Caller:
        return Caller.of(actor)

    return await answer(request, read, ("用户", "user"))


async def student(request: Request) -> Response:
    """A student record; ``?as_of=`` replays it as it stood then."""
    number = request.path_params["number"]

    def read(http: Http, actor: Actor) -> Any:
        return as_of(request, number, actor, http.service.student, http.service.student_as_of)

    return await answer(request, read, ("学生档案", "student record"))


async def student_summary(request: Request) -> Response:
    number = request.path_params["number"]
    return await answer(
        request,
        lambda h, a: h.service.student_summary(number, a),
        ("学生概况", "student summary"),
    )


async def my_activities(request: Request) -> Response:
    number = request.path_params["number"]
    return await answer(
        request, lambda h, a: h.service.my_activities(number, a, h.now()), ("活动", "activities")
    )


async def my_notices(request: Request) -> Response:
    number = request.path_params["number"]

    def read(http: Http, actor: Actor) -> Any:
        return http.service.outbox(actor, number, limit_of(request, queries.MAX_LIMIT))

    return await answer(request, read, ("通知", "notices"))


async def my_integrity(request: Request) -> Response:
    """诚信分 and blacklist; ``?as_of=`` as they stood then."""
    number = request.path_params["number"]

    def read(http: Http, actor: Actor) -> Any:
        service = http.service
        return as_of(request, number, actor, service.integrity, service.integrity_as_of)

    return await answer(request, read, ("诚信记录", "integrity record"))


async def growth_timeline(request: Request) -> Response:
    """成长档案 (004 三（二）): the student's timeline, ``?as_of=`` as it stood then."""
    number = request.path_params["number"]

    def read(http: Http, actor: Actor) -> Any:
        return http.service.growth_timeline(number, actor, http.now(), moment(request, "as_of"))

    return await answer(request, read, ("成长档案", "growth timeline"))


def _activity_board(http: Http, actor: Actor, request: Request, page: Page) -> Any:
    return http.service.activity_board(
        actor,
        college=param(request, "college"),
        host_tribe=param(request, "host_tribe"),
        status=param(request, "status"),
        module=param(request, "module"),
        **page,
    )


activity_board = paged(_activity_board, ("活动看板", "activity board"))


activity = by_id("activity_id", lambda h, id_, a: h.service.activity(id_, a), ("活动", "activity"))


def _phase(http: Http, activity_id: UUID, actor: Actor) -> ActivityPhase | None:
    found = http.service.phase(activity_id, actor, http.now())
    return None if found is None else ActivityPhase.of(found)


phase = by_id("activity_id", _phase, ("活动", "activity"))


def _roster(http: Http, actor: Actor, request: Request, page: Page) -> Any:
    activity_id = uuid_of(request, "activity_id")
    return http.service.roster(activity_id, actor, status=param(request, "status"), **page)


roster = paged(_roster, ("活动名单", "roster"))


def _leaderboard(http: Http, actor: Actor, request: Request, page: Page) -> Any:
    return http.service.leaderboard(
        actor,
        request.path_params["by"],
        param(request, "module"),
        college=param(request, "college"),
        credit_type=param(request, "credit_type"),
        **page,
    )


leaderboard = paged(_leaderboard, ("排行榜", "leaderboard"), default=10)


REPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",  # with a BOM, for Excel on Chinese Windows
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(name: str) -> str:
    """A ``Content-Disposition`` of a download named ``name`` (RFC 6266): ``filename`` in
    printable ASCII (anything else, a quote or a backslash becomes ``_``), and the name
    itself as UTF-8 in ``filename*`` (RFC 8187) when it differs — a college's name in
    Chinese reaches the browser, and no text a caller gives can break the header."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    if plain == name:
        return f'attachment; filename="{plain}"'
    encoded = quote(name, safe="", errors="replace")  # a lone surrogate: "?"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}"


async def monthly_report(request: Request) -> Response:
    """学院月报: JSON rows (paged), or the whole month as ``?format=xlsx`` or ``csv``."""

    def read(http: Http, actor: Actor) -> Any:
        month, college = request.path_params["month"], param(request, "college")
        kind = request.query_params.get("format", "json")
        if kind == "json":
            return http.service.monthly_report(month, actor, college=college, **page_of(request))
        if kind not in REPORT_TYPES:
            raise INVALID_QUERY.error(reason="format 须为 json、csv 或 xlsx / json, csv or xlsx")
        files = http.service.report_files(month, actor, http.now(), college)
        name = f"report-{month}-{college or 'all'}.{kind}"
        return Response(
            files.xlsx if kind == "xlsx" else files.csv,
            media_type=REPORT_TYPES[kind],
            headers={"Content-Disposition": attachment(name)},
        )

    return await answer(request, read, ("月报", "report"))


async def transcript(request: Request) -> Response:
    serial = request.path_params["serial"]
    return await answer(
        request, lambda h, a: h.service.transcript_document(serial, a), ("成绩单", "transcript")
    )


async def certificate(request: Request) -> Response:
    """电子证书 (002 二 8)): the signed document, to whom may read the certificate."""
    serial = request.path_params["serial"]
    return await answer(
        request, lambda h, a: h.service.certificate_document(serial, a), ("证书", "certificate")
    )


async def check_in_code(request: Request) -> Response:
    """The organizer's screen data: the current QR payload as SVG, the password, and when the
    code turns (the page refreshes then)."""

    def read(http: Http, actor: Actor) -> CheckInScreen:
        activity_id = uuid_of(request, "activity_id")
        session = _whole(request.path_params["session"], "session")
        now = http.now()
        code = http.service.check_in_code(activity_id, session, actor, now)
        found = http.service.activity(activity_id, actor)
        opened = found.attendance.session(session) if found is not None else None
        rotation = opened.rotation_seconds if opened is not None else 30
        return CheckInScreen.of(code, max(1, rotation - int(now.timestamp()) % rotation))

    return await answer(request, read, ("签到", "check-in"))


async def enrolment(request: Request) -> Response:
    """One registration: the student's, or the activity's managers' and admins'."""

    def read(http: Http, actor: Actor) -> Any:
        activity_id, number = uuid_of(request, "activity_id"), request.path_params["number"]
        return http.service.enrolment(activity_id, number, actor)

    return await answer(request, read, ("报名", "registration"))


# 中签制: the published commitment and the draw, to check with ``verify_draw``.
draw_record = by_id(
    "activity_id", lambda h, id_, a: h.service.draw_record(id_, a), ("抽签", "draw")
)


async def overdue_results(request: Request) -> Response:
    """Activities past their results deadline and not finalized."""
    return await answer(
        request, lambda h, a: h.service.overdue_results(a, h.now()), ("活动", "activities")
    )


tribe = by_id("tribe_id", lambda h, id_, a: h.service.tribe(id_, a), ("部落", "tribe"))


async def cadre_round(request: Request) -> Response:
    """An organization's cadre round for a term (appointments, ratings)."""

    def read(http: Http, actor: Actor) -> Any:
        term = request.path_params["term"]
        return http.service.cadre_round(uuid_of(request, "tribe_id"), term, actor)

    return await answer(request, read, ("干部考核", "cadre round"))


# A 补录 claim and where it stands.
claim = by_id("claim_id", lambda h, id_, a: h.service.claim(id_, a), ("补录申请", "claim"))


async def claims_to_review(request: Request) -> Response:
    """待我审核: the claims at a step the caller may act on now, each with its actions."""
    return await answer(
        request, lambda h, a: h.service.claims_to_review(a, h.now()), ("补录申请", "claims")
    )


# A recorded practice team (002 一 4)).
practice = by_id(
    "practice_id", lambda h, id_, a: h.service.practice(id_, a), ("实践经历", "practice")
)


async def overdue_reports(request: Request) -> Response:
    """学院月报 not submitted by the due day (002 一 5))."""

    def read(http: Http, actor: Actor) -> Any:
        return http.service.overdue_reports(request.path_params["month"], actor, http.now())

    return await answer(request, read, ("月报", "report"))


def _advisor_workload(http: Http, actor: Actor, request: Request, page: Page) -> Any:
    """指导老师工作量表 (002 二 3))."""
    advisor = request.path_params["advisor"]
    return http.service.advisor_workload(advisor, actor, college=param(request, "college"), **page)


advisor_workload = paged(_advisor_workload, ("工作量", "workload"))
# 组织者工作量, busiest first.
organizer_workload = paged(
    lambda h, a, _, page: h.service.organizer_workload(a, **page), ("工作量", "workload")
)


async def graduation_shortfall(request: Request) -> Response:
    """毕业要求 (seed 003): students below a credit requirement."""

    def read(http: Http, actor: Actor) -> Any:
        return http.service.graduation_shortfall(
            actor, college=param(request, "college"), cohort=whole_number(request, "cohort")
        )

    return await answer(request, read, ("毕业要求", "graduation requirements"))


def _audit_log(http: Http, actor: Actor, request: Request, page: Page) -> Any:
    """审计日志 in log order, filtered by stream, actor or event type."""
    stream = param(request, "stream")
    return http.service.audit_log(
        actor,
        stream=_uuid(stream, "stream") if stream is not None else None,
        by=param(request, "by"),
        event=param(request, "event"),
        **page,
    )


audit_log = paged(_audit_log, ("审计日志", "audit log"))


def _uuid(text: str, name: str) -> UUID:
    """``text`` in the one form the codec reads (8-4-4-4-12 hex digits): ``UUID()`` would
    also read braces, ``urn:uuid:``, 32 bare digits, a sign and other scripts' digits."""
    if not codec.UUID_TEXT.fullmatch(text):
        raise INVALID_QUERY.error(reason=f"{name} 须为 UUID / must be a UUID")
    return UUID(text)
