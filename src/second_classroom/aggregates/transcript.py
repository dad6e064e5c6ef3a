"""成绩单 (第二十条): numbered, permanent, signed transcripts a student issues from their records,
and the 查证入口 (第四条) employers use to verify them."""

from __future__ import annotations

import hmac
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

import attrs

from second_classroom.aggregates.activity_record import ActivityRecord, ledger
from second_classroom.aggregates.backfill_record import BackfillRecord
from second_classroom.aggregates.cadre_record import CadreRecord, cadre_credits
from second_classroom.aggregates.school_keys import SchoolKeys
from second_classroom.aggregates.student import StudentRecord
from second_classroom.core import ids
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.terms import AttendanceOutcome, Program
from second_classroom.core.text import Code, PersonId, Reason
from second_classroom.core.time import SHANGHAI
from second_classroom.core.wire import converter
from second_classroom.policies import serials
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import Rulebook
from second_classroom.policies.signing import Keyring, canonical_json

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


BACKFILL_LABEL = "补录"  # a 补录 line's outcome, and its heading in the 按评价方式 layout


class Status(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@attrs.frozen
class Line:
    """One record on the transcript: an activity's, or a confirmed 补录 claim's credits in one
    module (``source`` "backfill", ``activity_id`` then the claim's id)."""

    activity_id: UUID
    title: str
    date: str
    module: str
    level: str
    hours: Decimal
    outcome: str
    awards: tuple[str, ...]
    credits: tuple[tuple[str, Decimal], ...]  # (credit type, amount)
    source: str = "activity"  # or "backfill" (补录), or "cadre" (a rated term, 工作履历)


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


TRANSCRIPT_HEADING = "第二课堂成绩单"
GRADUATE_HEADING = "研究生第二课堂成绩单"  # 002 二 2) 开通研究生“第二课堂成绩单”


def heading_of(content: Content) -> str:
    """The document's own heading: a graduate student's transcript is the 研究生第二课堂成绩单
    (002 二 2)), an undergraduate's the 第二课堂成绩单; ``content.program`` is signed with it."""
    graduate = content.program == Program.GRADUATE.label
    return GRADUATE_HEADING if graduate else TRANSCRIPT_HEADING


def heading_for(program: Program) -> str:
    """The heading of a transcript issued to a student of ``program`` (as ``heading_of``)."""
    return GRADUATE_HEADING if program is Program.GRADUATE else TRANSCRIPT_HEADING


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
    keys: SchoolKeys | None = None  # the published keys: only a published, active key signs


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
            record = required(ctx.record, NO_RECORD)
            require(state is None, SERIAL_TAKEN)
            require(ctx.keyring is not None, SIGNING_KEY_MISSING)
            assert ctx.keyring is not None
            require_signing_key(ctx.keyring, ctx.keys)
            serial = serial_for(record, ctx.keyring.private_seed)
            content = build_content(command, record, serial, base.rulebook, base.now)
            signature = ctx.keyring.sign(content_json(content))
            return [
                TranscriptIssued(content.serial, content, ctx.keyring.key_id, signature, base.now)
            ]
        case RevokeTranscript(reason=reason, superseded_by=newer):
            require(base.actor.is_school_admin, UNAUTHORIZED, action="作废成绩单 revoke transcript")
            state = required(state, NOT_FOUND)
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
SIGNING_KEY_UNPUBLISHED = ErrorCode(
    "config.signing_key_unpublished",
    "成绩单签名密钥 {key_id} 尚未由学校管理员公布（或与已公布的同名公钥不符）",
    "The transcript signing key {key_id} is not published by a school admin (or differs from "
    "the public key published under that id)",
    Category.UNAVAILABLE,
)
SIGNING_KEY_RETIRED = ErrorCode(
    "config.signing_key_retired",
    "成绩单签名密钥 {key_id} 已停用，请配置已公布的新密钥",
    "The transcript signing key {key_id} is retired; configure a newly published key",
    Category.UNAVAILABLE,
)


def require_signing_key(keyring: Keyring, keys: SchoolKeys | None) -> None:
    """Sign only with a key the log publishes and has not retired, so every transcript
    verifies from the log alone."""
    published = keys.key(keyring.key_id) if keys is not None else None
    require(
        published is not None and published.raw == keyring.public_key,
        SIGNING_KEY_UNPUBLISHED,
        key_id=keyring.key_id,
    )
    assert published is not None
    require(published.retired_at is None, SIGNING_KEY_RETIRED, key_id=keyring.key_id)


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
    """The signed form of the content: the codec's JSON as plain JSON values (lists, never
    tuples), so it equals what any JSON parser reads back."""
    data: dict[str, Any] = converter.unstructure(content)
    for section in data["sections"]:
        for line in section["lines"]:
            if line.get("source") == "activity":
                del line["source"]  # signed as before 补录 lines existed: those still verify
    plain: dict[str, object] = json.loads(canonical_json(data))
    return plain


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
        rulebook.level_name(record.level),
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


WORK_HISTORY = "工作履历"  # the heading of cadre terms when the rulebook names no module


def _cadre_line(record: CadreRecord, rulebook: Rulebook) -> Line:
    """A rated cadre term (002 一 3); 001 第四条): the post, the dates and the rating."""
    module = rulebook.module(record.module)
    return Line(
        record.round_id,
        f"{record.organization} {record.title}（{record.position.label}，{record.term}）",
        f"{record.starts.astimezone(SHANGHAI):%Y-%m-%d}至{record.ends.astimezone(SHANGHAI):%Y-%m-%d}",
        module.name if module else WORK_HISTORY,
        "",
        Decimal(0),
        record.rating.label,
        (),
        tuple((c.credit_type, c.amount) for c in record.credits),
        source="cadre",
    )


def _cadre_heading(record: CadreRecord, layout: Layout, rulebook: Rulebook) -> str:
    if layout is Layout.TERM:
        listed = rulebook.term(record.starts.astimezone(SHANGHAI).date())
        return listed.name if listed else term_of(record.starts)
    module = rulebook.module(record.module)
    return module.name if module and layout is Layout.MODULE else WORK_HISTORY


def build_content(
    command: IssueTranscript,
    record: StudentRecord,
    serial: str,
    rulebook: Rulebook,
    now: datetime,
) -> Content:
    chosen, claimed, terms = _chosen(command, record)
    if command.version is Version.CREDIT:
        chosen = [r for r in chosen if r.credits]
        terms = [t for t in terms if t.credits]
    claimed = [b for b in claimed if b.credits]  # a 补录 record is there for its credits
    require(bool(chosen or claimed or terms), EMPTY)
    groups: dict[str, list[tuple[datetime, Line]]] = defaultdict(list)
    order = [m.name for m in rulebook.modules]
    for entry in chosen:
        line = _line(entry, rulebook)
        groups[_heading(entry, command.layout, rulebook)].append((entry.starts_at, line))
    for backfill in claimed:
        for heading, line in _backfill_lines(backfill, command.layout, rulebook):
            groups[heading].append((backfill.confirmed_at, line))
    for term in terms:
        line = _cadre_line(term, rulebook)
        groups[_cadre_heading(term, command.layout, rulebook)].append((term.starts, line))
    headings = sorted(groups, key=lambda h: (order.index(h) if h in order else len(order), h))
    sections = tuple(
        Section(h, tuple(line for _, line in sorted(groups[h], key=lambda item: item[0])))
        for h in headings
    )
    amounts = ledger(chosen)
    for credit in [*(c for b in claimed for c in b.credits), *cadre_credits(terms)]:
        key = (credit.module, credit.credit_type)
        amounts[key] = amounts.get(key, Decimal(0)) + credit.amount
    totals = tuple(
        Total(rulebook.module(module).name if rulebook.module(module) else module, kind, amount)  # type: ignore[union-attr]
        for (module, kind), amount in sorted(amounts.items())
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


def took_part(entry: ActivityRecord) -> bool:
    """第二十条 活动记录中包含所有参加过的活动: a no-show, signed-off or excused student did not
    take part (their default stays in the integrity record); a record without an attendance
    outcome (none was taken) counts as taken part."""
    return entry.outcome is None or entry.outcome is AttendanceOutcome.ATTENDED


def _chosen(
    command: IssueTranscript, record: StudentRecord
) -> tuple[list[ActivityRecord], list[BackfillRecord], list[CadreRecord]]:
    """The activity records, 补录 records and cadre terms asked for: all, or those
    ``activity_ids`` names (an activity's id, a confirmed claim's, or a cadre round's); a
    记录版 holds only the activities the student took part in."""
    entries = record.activities
    if command.version is Version.RECORD:
        entries = tuple(r for r in entries if took_part(r))
    if not command.activity_ids:
        return list(entries), list(record.backfills), list(record.cadre_terms)
    by_id: Mapping[UUID, ActivityRecord] = {r.activity_id: r for r in entries}
    claims: Mapping[UUID, BackfillRecord] = {b.claim_id: b for b in record.backfills}
    rounds: Mapping[UUID, CadreRecord] = {t.round_id: t for t in record.cadre_terms}
    missing = [
        str(a)
        for a in command.activity_ids
        if a not in by_id and a not in claims and a not in rounds
    ]
    require(not missing, UNKNOWN_RECORDS, activity_ids="、".join(missing))
    wanted = dict.fromkeys(command.activity_ids)
    return (
        [by_id[a] for a in wanted if a in by_id],
        [claims[a] for a in wanted if a in claims],
        [rounds[a] for a in wanted if a in rounds],
    )


def _backfill_lines(
    backfill: BackfillRecord, layout: Layout, rulebook: Rulebook
) -> list[tuple[str, Line]]:
    """A confirmed 补录 claim's lines under their headings, one per module."""
    by_module: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for credit in backfill.credits:
        by_module[credit.module].append((credit.credit_type, credit.amount))
    listed = rulebook.term(backfill.confirmed_at.astimezone(SHANGHAI).date())
    placed = []
    for code, credits in by_module.items():
        module = rulebook.module(code)
        name = module.name if module else code
        heading = {
            Layout.MODULE: name,
            Layout.TERM: listed.name if listed else term_of(backfill.confirmed_at),
            Layout.METHOD: BACKFILL_LABEL,
        }[layout]
        line = Line(
            backfill.claim_id,
            backfill.title,
            f"{backfill.confirmed_at.astimezone(SHANGHAI):%Y-%m-%d}",
            name,
            "",
            Decimal(0),
            BACKFILL_LABEL,
            (),
            tuple(credits),
            source="backfill",
        )
        placed.append((heading, line))
    return placed


DECIDER: FunctionalDecider[TranscriptCommand, Transcript, TranscriptEvent, TranscriptContext] = (
    FunctionalDecider("transcript", decide, evolve, Transcript, EVENTS, short=True)
)
