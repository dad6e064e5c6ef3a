"""干部任期与考核 (002 一 3); 001 第四条): an organization's cadre round for one term.

A round (one organization, one term) holds the appointments of its cadres and their ratings:
the caps on each rating are a share of the round's cadres, so the round is the consistency
boundary and every rating is decided against all the others in one stream. Closing the round
makes the ratings final and writes each cadre's rated term, with its credits, into the
cadre's student record in the same save (``recorded``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

import attrs

from second_classroom.aggregates.cadre_record import CadreRecord
from second_classroom.aggregates.student import NOT_FOUND as STUDENT_NOT_FOUND
from second_classroom.aggregates.student import CadreTermRecorded, StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.terms import CadrePosition, CadreRating
from second_classroom.core.text import Code, Name, PersonId, Reason
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import CadreRule

TRIBE_UNKNOWN = ErrorCode(
    "cadre.tribe_unknown",
    "组织不存在",
    "No such organization (tribe)",
    Category.NOT_FOUND,
)
TERM_EMPTY = ErrorCode(
    "cadre.term_empty", "请填写任期（如 2026-2027学年）", "A term is required", Category.INVALID
)
TERM_INVERTED = ErrorCode(
    "cadre.term_inverted",
    "任期结束时间须晚于开始时间",
    "A term must end after it starts",
    Category.INVALID,
)
ALREADY_APPOINTED = ErrorCode(
    "cadre.already_appointed",
    "{student} 本任期已在本组织任职（{title}）",
    "{student} already holds a post here this term ({title})",
    Category.CONFLICT,
)
NOT_APPOINTED = ErrorCode(
    "cadre.not_appointed",
    "{student} 本任期未在本组织任职",
    "{student} holds no post here this term",
    Category.NOT_FOUND,
)
NOT_SERVING = ErrorCode(
    "cadre.not_serving",
    "{student} 的任期未在进行中，不能提前结束",
    "{student}'s term is not running: it cannot end early",
    Category.CLOSED,
)
REASON_REQUIRED = ErrorCode(
    "cadre.reason_required", "请填写理由", "A reason is required", Category.INVALID
)
TERM_NOT_OVER = ErrorCode(
    "cadre.term_not_over",
    "{student} 的任期尚未结束，任期期满后才能考核",
    "{student}'s term is not over: cadres are rated when their term ends",
    Category.CLOSED,
)
OVER_CAP = ErrorCode(
    "cadre.over_cap",
    "「{rating}」最多 {cap} 人（本轮 {cadres} 名干部的 {share}），已评 {rated} 人",
    "{rating} is capped at {cap} ({share} of the round's {cadres} cadres): {rated} rated already",
    Category.CONFLICT,
)
ROUND_NOT_FOUND = ErrorCode(
    "cadre.round_not_found",
    "本组织该任期没有干部任职记录",
    "This organization has no cadres in this term",
    Category.NOT_FOUND,
)
ROUND_CLOSED = ErrorCode(
    "cadre.round_closed",
    "本轮考核已结束，考核结果不可更改",
    "The round is closed: its ratings are final",
    Category.CLOSED,
)
UNRATED = ErrorCode(
    "cadre.unrated",
    "尚有干部未考核：{students}",
    "Some cadres are not rated yet: {students}",
    Category.CONFLICT,
)
SELF_DEALING = ErrorCode(
    "cadre.self_dealing",
    "不能任命或考核自己，须由其他负责人办理",
    "Nobody appoints or rates themselves: another manager must",
    Category.FORBIDDEN,
)


class TermEnd(StrEnum):
    """How a term ended early."""

    RESIGNED = "resigned"  # 辞职
    DISMISSED = "dismissed"  # 免职

    @property
    def label(self) -> str:
        return {"resigned": "辞职", "dismissed": "免职"}[self.value]


# -- state --------------------------------------------------------------------------------


@attrs.frozen
class Appointment:
    """One cadre's post in the round; ``ends`` is the term's end, ``ended_at`` an early end."""

    student_number: str
    name: str
    position: CadrePosition
    title: str
    starts: datetime
    ends: datetime
    ended_at: datetime | None = None
    end: TermEnd | None = None
    end_reason: str = ""
    rating: CadreRating | None = None

    @property
    def last_day(self) -> datetime:
        """When the service ended: early, or at the term's end."""
        return self.ended_at if self.ended_at is not None else self.ends

    def is_over(self, now: datetime) -> bool:
        return now >= self.last_day


@attrs.frozen
class CadreRound:
    """An organization's cadres in one term, their ratings, and whether the round is closed."""

    id: UUID
    tribe_id: UUID
    term: str
    organization: str
    appointments: tuple[Appointment, ...] = ()
    closed_at: datetime | None = None

    def appointment(self, student: str) -> Appointment | None:
        return next((a for a in self.appointments if a.student_number == student), None)

    def rated(self, rating: CadreRating) -> int:
        return sum(1 for a in self.appointments if a.rating is rating)


# -- events -------------------------------------------------------------------------------


@attrs.frozen
class CadreAppointed:
    round_id: UUID
    tribe_id: UUID
    term: str
    organization: str
    student_number: str
    name: str
    position: CadrePosition
    title: str
    starts: datetime
    ends: datetime
    by: str
    at: datetime


@attrs.frozen
class CadreTermEnded:
    """The term ended early, by resignation or dismissal, with the reason."""

    round_id: UUID
    student_number: str
    end: TermEnd
    reason: str
    by: str
    at: datetime


@attrs.frozen
class CadreRated:
    round_id: UUID
    student_number: str
    rating: CadreRating
    by: str
    at: datetime


@attrs.frozen
class CadreRoundClosed:
    """The ratings are final; ``records`` went into the cadres' student records."""

    round_id: UUID
    records: tuple[tuple[str, CadreRecord], ...]  # (学号, the record written)
    by: str
    at: datetime


CadreEvent = CadreAppointed | CadreTermEnded | CadreRated | CadreRoundClosed
EVENTS: tuple[type, ...] = CadreEvent.__args__

# -- commands -----------------------------------------------------------------------------


@attrs.frozen
class _RoundCommand:
    """A command on one organization's round of a term: its stream is ``ids.cadre_round_id``."""

    tribe_id: UUID
    term: Code

    @property
    def round_id(self) -> UUID:
        return ids.cadre_round_id(self.tribe_id, self.term)


@attrs.frozen
class AppointCadre(_RoundCommand):
    """Appoint a student to a post in the organization for a term (001 第四条 学生会、学生组织、
    学生社团、班委)."""

    student_number: PersonId
    position: CadrePosition
    title: Name  # the post: 主席、部长、班长…
    starts: datetime
    ends: datetime


@attrs.frozen
class EndCadreTerm(_RoundCommand):
    """End a cadre's term early now: a resignation or a dismissal, with the reason."""

    student_number: PersonId
    end: TermEnd
    reason: Reason


@attrs.frozen
class RateCadre(_RoundCommand):
    """Rate a cadre whose term is over (002 一 3) 优秀、称职、一般称职、不称职); a rating may
    change until the round closes, within the caps."""

    student_number: PersonId
    rating: CadreRating


@attrs.frozen
class CloseCadreRound(_RoundCommand):
    """Make the round's ratings final and write each cadre's term into their record."""


CadreCommand = AppointCadre | EndCadreTerm | RateCadre | CloseCadreRound
COMMANDS: tuple[type, ...] = CadreCommand.__args__


def target(command: CadreCommand) -> UUID:
    return command.round_id


@attrs.frozen
class CadreContext:
    """The facts a round decides on: the organization (with the actor's roles in it) and the
    records of the students involved."""

    base: Context
    tribe: Tribe | None
    records: Mapping[str, StudentRecord] = attrs.field(factory=dict)


def students_involved(command: CadreCommand, state: CadreRound | None) -> set[str]:
    """The records a command reads: the appointee's; at closing, every cadre's (written)."""
    if isinstance(command, AppointCadre):
        return {command.student_number}
    if isinstance(command, CloseCadreRound) and state is not None:
        return {a.student_number for a in state.appointments}
    return set()


# -- authorization ------------------------------------------------------------------------

_TRIBE_SCOPED = frozenset({RoleKind.ADVISOR})
_COLLEGE_SCOPED = frozenset({RoleKind.COLLEGE_ADMIN, RoleKind.COUNSELOR, RoleKind.LEAGUE_SECRETARY})
_SCHOOL_WIDE = frozenset({RoleKind.SCHOOL_ADMIN, RoleKind.CENTER, RoleKind.ACADEMIC_AFFAIRS})


def may_manage(actor: Actor, tribe: Tribe, rule: CadreRule) -> bool:
    """Whether ``actor`` holds one of the rulebook's cadre managers' roles over ``tribe``."""
    for kind in rule.managers:
        if kind.is_tribe_scoped or kind in _TRIBE_SCOPED:
            held = actor.has(Role(kind, str(tribe.id)))
        elif kind in _COLLEGE_SCOPED:
            held = tribe.college is not None and actor.has(Role(kind, tribe.college))
        elif kind in _SCHOOL_WIDE:
            held = actor.has(Role(kind))
        else:
            continue  # a student or the system never manages cadres
        if held:
            return True
    return False


# -- decide -------------------------------------------------------------------------------


def decide(
    command: CadreCommand, state: CadreRound | None, ctx: CadreContext
) -> Sequence[CadreEvent]:
    """Decide the round's events; raise a DomainError when the command is refused."""
    tribe = required(ctx.tribe, TRIBE_UNKNOWN)
    base = ctx.base
    rule = base.rulebook.cadre
    require(may_manage(base.actor, tribe, rule), UNAUTHORIZED, action="干部管理 manage cadres")
    require(bool(command.term.strip()), TERM_EMPTY)
    require(state is None or state.closed_at is None, ROUND_CLOSED)
    match command:
        case AppointCadre():
            return _appoint(command, state, tribe, ctx)
        case CloseCadreRound():
            state = required(state, ROUND_NOT_FOUND)
            return _close(state, ctx)
    state = required(state, ROUND_NOT_FOUND)
    found = state.appointment(command.student_number)
    found = required(found, NOT_APPOINTED, student=command.student_number)
    by, now = base.actor.person_id, base.now
    match command:
        case EndCadreTerm(end=end, reason=reason):
            require(found.starts <= now < found.last_day, NOT_SERVING, student=found.student_number)
            require(bool(reason.strip()), REASON_REQUIRED)
            return [CadreTermEnded(state.id, found.student_number, end, reason, by, now)]
        case RateCadre(rating=rating):
            require(by != found.student_number, SELF_DEALING)
            require(found.is_over(now), TERM_NOT_OVER, student=found.student_number)
            if found.rating is rating:
                return []
            _require_within_cap(state, rating, rule)
            return [CadreRated(state.id, found.student_number, rating, by, now)]
    raise AssertionError(f"unhandled command {command!r}")


def cap_of(share: Decimal, cadres: int) -> int:
    """The most cadres of ``cadres`` one rating may go to: ⌊share × cadres⌋, never above it."""
    return math.floor(share * cadres)


def _require_within_cap(state: CadreRound, rating: CadreRating, rule: CadreRule) -> None:
    share = rule.cap(rating)
    if share is None:
        return
    cadres = len(state.appointments)
    cap, rated = cap_of(share, cadres), state.rated(rating)
    require(
        rated + 1 <= cap,
        OVER_CAP,
        rating=rating.label,
        cap=cap,
        cadres=cadres,
        share=f"{(share * 100).normalize():f}%",
        rated=rated,
    )


def _appoint(
    command: AppointCadre, state: CadreRound | None, tribe: Tribe, ctx: CadreContext
) -> Sequence[CadreEvent]:
    base = ctx.base
    student = command.student_number
    require(base.actor.person_id != student, SELF_DEALING)
    require(command.ends > command.starts, TERM_INVERTED)
    record = required(ctx.records.get(student), STUDENT_NOT_FOUND, student_number=student)
    found = state.appointment(student) if state is not None else None
    if found is not None:
        same = (found.position, found.title, found.starts, found.ends) == (
            command.position,
            command.title,
            command.starts,
            command.ends,
        )
        require(same, ALREADY_APPOINTED, student=student, title=found.title)
        return []
    return [
        CadreAppointed(
            command.round_id,
            tribe.id,
            command.term,
            tribe.name,
            student,
            record.name,
            command.position,
            command.title,
            command.starts,
            command.ends,
            base.actor.person_id,
            base.now,
        )
    ]


def _close(state: CadreRound, ctx: CadreContext) -> Sequence[CadreEvent]:
    unrated = [a.student_number for a in state.appointments if a.rating is None]
    require(not unrated, UNRATED, students="、".join(unrated))
    base = ctx.base
    rule = base.rulebook.cadre
    records = tuple(
        (a.student_number, _record(state, a, rule, base.now)) for a in state.appointments
    )
    return [CadreRoundClosed(state.id, records, base.actor.person_id, base.now)]


def _record(state: CadreRound, a: Appointment, rule: CadreRule, now: datetime) -> CadreRecord:
    """The rated term; credits only after the minimum service (001 第四条 工作满一年)."""
    assert a.rating is not None
    served = a.last_day - a.starts >= timedelta(days=rule.min_service_days)
    amount = rule.credit(a.rating)
    credits = (
        (PlannedCredit(rule.module, rule.credit_type, amount),) if served and amount > 0 else ()
    )
    return CadreRecord(
        state.id,
        state.tribe_id,
        state.organization,
        state.term,
        rule.module,
        a.position,
        a.title,
        a.starts,
        a.last_day,
        a.ended_at is not None,
        a.rating,
        credits,
        now,
    )


def recorded(
    events: Sequence[CadreEvent], records: Mapping[str, StudentRecord]
) -> dict[str, tuple[CadreTermRecorded, ...]]:
    """The student events a closing writes: each rated term into its cadre's record."""
    written: dict[str, tuple[CadreTermRecorded, ...]] = {}
    for event in events:
        if isinstance(event, CadreRoundClosed):
            for student, record in event.records:
                written[student] = (CadreTermRecorded(records[student].id, record, event.at),)
    return written


def evolve(state: CadreRound | None, event: CadreEvent) -> CadreRound:
    """Apply one event."""
    match event:
        case CadreAppointed():
            appointment = Appointment(
                event.student_number,
                event.name,
                event.position,
                event.title,
                event.starts,
                event.ends,
            )
            if state is None:
                state = CadreRound(event.round_id, event.tribe_id, event.term, event.organization)
            return attrs.evolve(state, appointments=(*state.appointments, appointment))
        case CadreTermEnded(student_number=student, end=end, reason=reason, at=at):
            assert state is not None
            return _with(
                state,
                student,
                lambda a: attrs.evolve(a, ended_at=at, end=end, end_reason=reason),
            )
        case CadreRated(student_number=student, rating=rating):
            assert state is not None
            return _with(state, student, lambda a: attrs.evolve(a, rating=rating))
        case CadreRoundClosed(at=at):
            assert state is not None
            return attrs.evolve(state, closed_at=at)
    raise AssertionError(f"unhandled event {event!r}")


def _with(
    state: CadreRound, student: str, change: Callable[[Appointment], Appointment]
) -> CadreRound:
    appointments = tuple(
        change(a) if a.student_number == student else a for a in state.appointments
    )
    return attrs.evolve(state, appointments=appointments)


DECIDER: FunctionalDecider[CadreCommand, CadreRound, CadreEvent, CadreContext] = FunctionalDecider(
    "cadre", decide, evolve, CadreRound, EVENTS
)
