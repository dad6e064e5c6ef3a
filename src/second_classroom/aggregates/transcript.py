"""成绩单 (第二十条): numbered, permanent, signed transcripts a student issues from their records,
and the 查证入口 (第四条) employers use to verify them."""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

import attrs

from second_classroom.aggregates.activity_record import ActivityRecord, ledger
from second_classroom.aggregates.student import StudentRecord
from second_classroom.core import ids
from second_classroom.core.decider import Context, FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require
from second_classroom.core.text import Code, PersonId, Reason
from second_classroom.core.time import SHANGHAI
from second_classroom.policies import serials
from second_classroom.policies.rulebook import Rulebook
from second_classroom.policies.signing import Keyring

NO_RECORD = ErrorCode(
    "transcript.no_student", "学生未注册", "The student is not registered", Category.NOT_FOUND
)
UNKNOWN_RECORDS = ErrorCode(
    "transcript.records_unknown",
    "所选活动不在本人的活动记录中：{activity_ids}",
    "Selected activities are not in the student's records: {activity_ids}",
    Category.INVALID,
)
EMPTY = ErrorCode(
    "transcript.empty",
    "没有可打印的活动记录",
    "There are no records to put on a transcript",
    Category.INVALID,
)
SERIAL_TAKEN = ErrorCode(
    "transcript.serial_taken",
    "成绩单编号冲突，请重试",
    "Serial number collision; try again",
    Category.CONFLICT,
)
NOT_FOUND = ErrorCode(
    "transcript.not_found", "成绩单不存在", "No transcript with this serial", Category.NOT_FOUND
)
ALREADY_REVOKED = ErrorCode(
    "transcript.already_revoked",
    "成绩单已作废",
    "The transcript is already revoked",
    Category.CLOSED,
)
REASON_REQUIRED = ErrorCode(
    "transcript.reason_required", "请填写理由", "A reason is required", Category.INVALID
)


class Version(StrEnum):
    CREDIT = "credit"  # 学分版
    RECORD = "record"  # 记录版

    @property
    def label(self) -> str:
        return "学分版" if self is Version.CREDIT else "记录版"


class Layout(StrEnum):
    """The three styles (seed 002 线下打印; 第二十条 选择性打印)."""

    MODULE = "module"  # 按模块
    TERM = "term"  # 按学期/学年
    METHOD = "method"  # 按评价方式

    @property
    def label(self) -> str:
        return {"module": "按模块", "term": "按学期", "method": "按评价方式"}[self.value]


class Status(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@attrs.frozen
class Line:
    activity_id: UUID
    title: str
    date: str
    module: str
    level: str
    hours: Decimal
    outcome: str
    awards: tuple[str, ...]
    credits: tuple[tuple[str, Decimal], ...]  # (credit type, amount)


@attrs.frozen
class Section:
    heading: str
    lines: tuple[Line, ...]


@attrs.frozen
class Total:
    module: str
    credit_type: str
    amount: Decimal


@attrs.frozen
class Content:
    """What the transcript says, frozen at issue; this is what the signature covers."""

    school: str
    serial: str
    version: Version
    layout: Layout
    student_number: str
    name: str
    college: str
    class_name: str
    cohort: int
    program: str
    sections: tuple[Section, ...]
    totals: tuple[Total, ...]
    issued_at: datetime


@attrs.frozen
class Transcript:
    serial: str
    content: Content
    key_id: str
    signature: str
    status: Status = Status.VALID
    reason: str = ""
    superseded_by: str | None = None


@attrs.frozen
class TranscriptIssued:
    serial: str
    content: Content
    key_id: str
    signature: str
    at: datetime


@attrs.frozen
class TranscriptRevoked:
    serial: str
    reason: str
    superseded_by: str | None
    by: str
    at: datetime


TranscriptEvent = TranscriptIssued | TranscriptRevoked
EVENTS: tuple[type, ...] = TranscriptEvent.__args__


@attrs.frozen
class IssueTranscript:
    """The acting student issues a transcript from some (``activity_ids``) or all records."""

    student_number: PersonId
    version: Version = Version.CREDIT
    layout: Layout = Layout.MODULE
    activity_ids: tuple[UUID, ...] = ()


@attrs.frozen
class RevokeTranscript:
    """A school admin revokes a transcript, or marks it superseded by a newer one."""

    serial: Code
    reason: Reason
    superseded_by: Code | None = None


TranscriptCommand = IssueTranscript | RevokeTranscript
COMMANDS: tuple[type, ...] = TranscriptCommand.__args__


def transcript_id(serial: str) -> UUID:
    return ids.derive("transcript", serial)


def serial_for(record: StudentRecord, key: bytes) -> str:
    """The student's next serial: unique per (student, how many they issued before), and keyed
    with the school's signing key so nobody can work out another student's serials."""
    seed = hmac.new(key, f"{record.student_number}/{record.transcripts_issued}".encode(), "sha256")
    return serials.make(seed.hexdigest())


@attrs.frozen
class TranscriptContext:
    base: Context
    record: StudentRecord | None
    keyring: Keyring | None


def decide(
    command: TranscriptCommand, state: Transcript | None, ctx: TranscriptContext
) -> Sequence[TranscriptEvent]:
    base = ctx.base
    match command:
        case IssueTranscript():
            # Authorised before anything is looked up: nobody learns whether a 学号 exists.
            require(
                base.actor.person_id == command.student_number,
                UNAUTHORIZED,
                action="生成成绩单 issue transcript",
            )
            record = ctx.record
            require(record is not None, NO_RECORD)
            assert record is not None
            require(state is None, SERIAL_TAKEN)
            require(ctx.keyring is not None, SIGNING_KEY_MISSING)
            assert ctx.keyring is not None
            serial = serial_for(record, ctx.keyring.private_seed)
            content = build_content(command, record, serial, base.rulebook, base.now)
            signature = ctx.keyring.sign(content_json(content))
            return [
                TranscriptIssued(content.serial, content, ctx.keyring.key_id, signature, base.now)
            ]
        case RevokeTranscript(reason=reason, superseded_by=newer):
            require(base.actor.is_school_admin, UNAUTHORIZED, action="作废成绩单 revoke transcript")
            require(state is not None, NOT_FOUND)
            assert state is not None
            require(state.status is Status.VALID, ALREADY_REVOKED)
            require(bool(reason.strip()), REASON_REQUIRED)
            replacement = serials.normalize(newer) if newer else None
            require(newer is None or replacement is not None, NOT_FOUND)
            by, now = base.actor.person_id, base.now
            return [TranscriptRevoked(state.serial, reason, replacement, by, now)]
    raise AssertionError(f"unhandled command {command!r}")


SIGNING_KEY_MISSING = ErrorCode(
    "config.signing_key_missing",
    "未配置成绩单签名密钥",
    "No transcript signing key is configured",
    Category.UNAVAILABLE,
)


def evolve(state: Transcript | None, event: TranscriptEvent) -> Transcript:
    match event:
        case TranscriptIssued():
            return Transcript(event.serial, event.content, event.key_id, event.signature)
        case TranscriptRevoked(reason=reason, superseded_by=newer):
            assert state is not None
            status = Status.SUPERSEDED if newer else Status.REVOKED
            return attrs.evolve(state, status=status, reason=reason, superseded_by=newer)
    raise AssertionError(f"unhandled event {event!r}")


def content_json(content: Content) -> dict[str, object]:
    """The signed form of the content (the codec's JSON, whatever the store)."""
    from second_classroom.codec import converter

    data: dict[str, object] = converter.unstructure(content)
    return data


# -- building the content -------------------------------------------------------------------


def term_of(moment: datetime) -> str:
    """学年学期 when the rulebook lists no term for the day: September–February is the first
    semester, March–August the second."""
    local = moment.astimezone(SHANGHAI)
    if local.month >= 9:
        return f"{local.year}-{local.year + 1}学年第一学期"
    if local.month <= 2:
        return f"{local.year - 1}-{local.year}学年第一学期"
    return f"{local.year - 1}-{local.year}学年第二学期"


def _line(record: ActivityRecord, rulebook: Rulebook) -> Line:
    module = rulebook.module(record.module)
    return Line(
        record.activity_id,
        record.title,
        f"{record.starts_at.astimezone(SHANGHAI):%Y-%m-%d}",
        module.name if module else record.module,
        record.level.label,
        record.hours,
        record.outcome.label if record.outcome else "",
        record.awards,
        tuple((c.credit_type, c.amount) for c in record.credits),
    )


def _heading(record: ActivityRecord, layout: Layout, rulebook: Rulebook) -> str:
    if layout is Layout.TERM:
        listed = rulebook.term(record.starts_at.astimezone(SHANGHAI).date())
        return listed.name if listed else term_of(record.starts_at)
    if layout is Layout.METHOD:
        if record.awards:
            return "获奖"
        return "活动参与" if record.credits else "参与记录"
    module = rulebook.module(record.module)
    return module.name if module else record.module


def build_content(
    command: IssueTranscript,
    record: StudentRecord,
    serial: str,
    rulebook: Rulebook,
    now: datetime,
) -> Content:
    chosen = _chosen(command, record)
    if command.version is Version.CREDIT:
        chosen = [r for r in chosen if r.credits]
    require(bool(chosen), EMPTY)
    groups: dict[str, list[Line]] = defaultdict(list)
    order = [m.name for m in rulebook.modules]
    for entry in sorted(chosen, key=lambda r: r.starts_at):
        groups[_heading(entry, command.layout, rulebook)].append(_line(entry, rulebook))
    headings = sorted(groups, key=lambda h: (order.index(h) if h in order else len(order), h))
    sections = tuple(Section(h, tuple(groups[h])) for h in headings)
    totals = tuple(
        Total(rulebook.module(module).name if rulebook.module(module) else module, kind, amount)  # type: ignore[union-attr]
        for (module, kind), amount in sorted(ledger(chosen).items())
    )
    college = rulebook.college(record.college)
    return Content(
        rulebook.school,
        serial,
        command.version,
        command.layout,
        record.student_number,
        record.name,
        college.name if college else record.college,
        record.class_name,
        record.cohort,
        record.program.label,
        sections,
        totals,
        now,
    )


def _chosen(command: IssueTranscript, record: StudentRecord) -> list[ActivityRecord]:
    if not command.activity_ids:
        return list(record.activities)
    by_id: Mapping[UUID, ActivityRecord] = {r.activity_id: r for r in record.activities}
    missing = [str(a) for a in command.activity_ids if a not in by_id]
    require(not missing, UNKNOWN_RECORDS, activity_ids="、".join(missing))
    return [by_id[a] for a in dict.fromkeys(command.activity_ids)]


DECIDER: FunctionalDecider[TranscriptCommand, Transcript, TranscriptEvent, TranscriptContext] = (
    FunctionalDecider("transcript", decide, evolve, Transcript, EVENTS, short=True)
)
