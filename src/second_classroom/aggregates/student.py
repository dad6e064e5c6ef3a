"""Student record (学生档案), minimal: identity and the publisher qualification (第十条)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.activity_record import ActivityRecord, ledger
from second_classroom.aggregates.backfill_record import BackfillRecord, CreditLine, credit_lines
from second_classroom.aggregates.cadre_record import CadreRecord
from second_classroom.aggregates.integrity_record import AppealStatus, IntegrityEntry
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.terms import AttendanceOutcome, Program
from second_classroom.core.text import Code, Name, PersonId, Proof, Reason
from second_classroom.policies import integrity
from second_classroom.policies.context import Context

NOT_FOUND = ErrorCode(
    "student.not_found",
    "学生 {student_number} 未注册",
    "Student {student_number} is not registered",
    Category.NOT_FOUND,
)
EXISTS = ErrorCode(
    "student.exists",
    "学号 {student_number} 已注册为其他信息",
    "Student number {student_number} is already registered with other details",
    Category.CONFLICT,
)
NUMBER_UNAVAILABLE = ErrorCode(
    "student.number_unavailable",
    "学号 {student_number} 不能由本学院注册：请核对学号；如需转入本学院，请校级管理员办理",
    "Student number {student_number} cannot be registered by this college: check it, or ask "
    "a school administrator to move the student",
    Category.CONFLICT,
)
FIELD_EMPTY = ErrorCode(
    "student.field_empty", "{field} 不能为空", "{field} must not be empty", Category.INVALID
)
COLLEGE_UNKNOWN = ErrorCode(
    "student.college_unknown",
    "未知的学院：{college}",
    "Unknown college: {college}",
    Category.INVALID,
)
ENTRY_UNKNOWN = ErrorCode(
    "integrity.entry_unknown",
    "没有这条诚信记录：{entry_id}",
    "No such integrity entry: {entry_id}",
    Category.NOT_FOUND,
)
NOT_YOUR_DEFAULT = ErrorCode(
    "integrity.not_your_default",
    "只能对本人的违约记录申诉",
    "A student can only appeal their own defaults",
    Category.FORBIDDEN,
)
NOT_A_DEFAULT = ErrorCode(
    "integrity.not_a_default",
    "该记录不是违约记录，无需申诉",
    "Only a default can be appealed",
    Category.INVALID,
)
APPEAL_EXISTS = ErrorCode(
    "integrity.appeal_exists",
    "该记录已申诉（{status}）",
    "This entry was already appealed ({status})",
    Category.CONFLICT,
)
NO_PENDING_APPEAL = ErrorCode(
    "integrity.no_pending_appeal",
    "该记录没有待处理的申诉",
    "No appeal awaits a decision here",
    Category.NOT_FOUND,
)
REASON_REQUIRED = ErrorCode(
    "integrity.reason_required", "请填写理由", "A reason is required", Category.INVALID
)
EXAM_FAILED = ErrorCode(
    "student.exam_failed",
    "发布考试未通过：{score} 分，及格线 {pass_score} 分",
    "The publishing exam was not passed: {score} of {pass_score} needed",
    Category.INVALID,
)
SCORE_INVALID = ErrorCode(
    "student.score_invalid",
    "考试成绩须在 0-100 之间：{score}",
    "Score must be 0-100: {score}",
    Category.INVALID,
)
COHORT_INVALID = ErrorCode(
    "student.cohort_invalid",
    "年级 {cohort} 无效",
    "Cohort {cohort} is not a valid year",
    Category.INVALID,
)


@attrs.frozen
class StudentRecord:
    """A student's record. Later issues add blacklist, ledger and activity records."""

    id: UUID
    student_number: str
    name: str
    college: str
    class_name: str
    cohort: int
    program: Program
    publisher_qualified_at: datetime | None = None
    blacklisted_until: datetime | None = None
    integrity: tuple[IntegrityEntry, ...] = ()
    activities: tuple[ActivityRecord, ...] = ()
    transcripts_issued: int = 0
    backfills: tuple[BackfillRecord, ...] = ()  # confirmed 补录 claims (seed 001)
    cadre_terms: tuple[CadreRecord, ...] = ()

    def credits(self) -> dict[tuple[str, str], Decimal]:
        """The credit ledger: per (module, credit type), over every finalized activity, every
        confirmed 补录 claim and every rated cadre term."""
        totals = ledger(self.activities)
        for line in credit_lines((), self.backfills, self.cadre_terms):
            key = (line.module, line.credit_type)
            totals[key] = totals.get(key, Decimal(0)) + line.amount
        return totals

    def credit_lines(self) -> tuple[CreditLine, ...]:
        """The ledger line by line, each with its source (an activity, a 补录 claim or a cadre
        round)."""
        return credit_lines(self.activities, self.backfills, self.cadre_terms)

    def entry(self, entry_id: UUID) -> IntegrityEntry | None:
        return next((e for e in self.integrity if e.entry_id == entry_id), None)

    @property
    def is_publisher_qualified(self) -> bool:
        return self.publisher_qualified_at is not None

    def is_blacklisted(self, now: datetime) -> bool:
        """Blacklisting expires by time alone (第十六条 120小时), no event needed."""
        return self.blacklisted_until is not None and now < self.blacklisted_until


# -- events -------------------------------------------------------------------------------


@attrs.frozen
class StudentRegistered:
    student_id: UUID
    student_number: str
    name: str
    college: str
    class_name: str
    cohort: int
    program: Program
    by: str
    at: datetime


@attrs.frozen
class PublisherExamPassed:
    """The student passed the exam required before a first publication (第十条)."""

    student_id: UUID
    score: int
    by: str
    at: datetime


@attrs.frozen
class AttendanceRecorded:
    """An activity's outcome entered in the record; ``blacklisted_until`` is the blacklist
    all entries impose under the rule in force when it was decided."""

    student_id: UUID
    entry: IntegrityEntry
    blacklisted_until: datetime | None
    at: datetime


@attrs.frozen
class DefaultAppealed:
    student_id: UUID
    entry_id: UUID
    reason: str
    evidence: tuple[str, ...]
    at: datetime


@attrs.frozen
class AppealDecided:
    """Upheld, or overturned — a reversal appended, never an edit of the default."""

    student_id: UUID
    entry_id: UUID
    overturned: bool
    reason: str
    blacklisted_until: datetime | None
    by: str
    at: datetime


@attrs.frozen
class StudentRecordCorrected:
    """An admin corrected the record's name or class (000 第八条 修改……信息): ``before`` and
    ``after`` hold the corrected fields only, as (field, value) pairs; transcripts issued
    before keep what they said."""

    student_id: UUID
    before: tuple[tuple[str, str], ...]
    after: tuple[tuple[str, str], ...]
    reason: str
    by: str
    at: datetime


@attrs.frozen
class DefaultMadeUp:
    """A no-show made up after attendance closed (补签, 发布规范 十): the entry now reads
    attended; ``blacklisted_until`` is what the remaining defaults impose. Appended, never an
    edit of the no-show's event."""

    student_id: UUID
    entry_id: UUID
    evidence: str
    blacklisted_until: datetime | None
    by: str
    at: datetime


@attrs.frozen
class ActivityRecorded:
    """完结活动 wrote this activity into the student's record (第十九条)."""

    student_id: UUID
    record: ActivityRecord
    at: datetime


@attrs.frozen
class BackfillRecorded:
    """A confirmed 补录 claim credited this student (seed 001 第三条: 名单导入)."""

    student_id: UUID
    record: BackfillRecord
    at: datetime


@attrs.frozen
class CadreTermRecorded:
    """A cadre round closed and wrote this rated term (工作履历) into the record."""

    student_id: UUID
    record: CadreRecord
    at: datetime


@attrs.frozen
class TranscriptNumbered:
    """The student issued the transcript with this serial (their count goes up)."""

    student_id: UUID
    serial: str
    at: datetime


StudentEvent = (
    BackfillRecorded
    | TranscriptNumbered
    | ActivityRecorded
    | StudentRegistered
    | PublisherExamPassed
    | AttendanceRecorded
    | DefaultAppealed
    | AppealDecided
    | CadreTermRecorded
    | DefaultMadeUp
    | StudentRecordCorrected
)
EVENTS: tuple[type, ...] = StudentEvent.__args__

# -- commands -----------------------------------------------------------------------------


@attrs.frozen
class _StudentCommand:
    """A command on one student's record: its stream is ``ids.student_id`` of the 学号."""

    student_number: PersonId

    @property
    def student_id(self) -> UUID:
        return ids.student_id(self.student_number)


@attrs.frozen
class RegisterStudent(_StudentCommand):
    """Register a student (第六条: 账号为学生学号，姓名需填写真实姓名)."""

    name: Name
    college: Code
    class_name: Name
    cohort: int
    program: Program = Program.UNDERGRADUATE


@attrs.frozen
class RecordPublisherExam(_StudentCommand):
    """Record that a student passed the publishing exam (首次发布活动需进行考试答题)."""

    score: int


@attrs.frozen
class AppealDefault(_StudentCommand):
    """The acting student appeals one of their defaults, with reasons and evidence."""

    entry_id: UUID
    reason: Reason
    evidence: tuple[Proof, ...] = ()


@attrs.frozen
class DecideAppeal(_StudentCommand):
    """A college admin (the student's college) or a school admin upholds or overturns."""

    entry_id: UUID
    overturn: bool
    reason: Reason


@attrs.frozen
class CorrectStudentRecord(_StudentCommand):
    """A college admin (the student's college) or a school admin corrects a misspelt name or a
    wrong class, with a reason (000 第八条: 在网页端点击“用户管理”→输入学号或姓名→“编辑”).
    A field left None is unchanged."""

    reason: Reason
    name: Name | None = None
    class_name: Name | None = None


StudentCommand = (
    RegisterStudent | RecordPublisherExam | AppealDefault | DecideAppeal | CorrectStudentRecord
)
COMMANDS: tuple[type, ...] = StudentCommand.__args__


def target(command: StudentCommand) -> UUID:
    return command.student_id


def _may_manage(actor: Actor, college: str) -> bool:
    return actor.is_school_admin or actor.is_college_admin(college)


def _require_manager(
    actor: Actor, state: StudentRecord | None, student_number: str, action: str
) -> None:
    """The record's college admin or a school admin, else ``auth.forbidden`` — the same answer
    for a 学号 of another college as for one never registered (only a school admin, who may
    read every record, learns ``student.not_found``)."""
    college = state.college if state is not None else None
    allowed = actor.is_school_admin or (college is not None and actor.is_college_admin(college))
    require(allowed, UNAUTHORIZED, action=action)
    require(state is not None, NOT_FOUND, student_number=student_number)


def decide(
    command: StudentCommand, state: StudentRecord | None, ctx: Context
) -> Sequence[StudentEvent]:
    """Decide the events for ``command``; raise a DomainError when it is refused."""
    match command:
        case RegisterStudent():
            return _register(command, state, ctx)
        case AppealDefault():
            # Only the student appeals: refused before the record is looked at, so the answer
            # never tells whether a 学号 exists or who was marked absent where.
            require(ctx.actor.person_id == command.student_number, NOT_YOUR_DEFAULT)
            state = required(state, NOT_FOUND, student_number=command.student_number)
            return _appeal(command, state, ctx)
        case DecideAppeal():
            _require_manager(ctx.actor, state, command.student_number, "处理申诉 decide appeal")
            assert state is not None
            return _appeal(command, state, ctx)
        case CorrectStudentRecord():
            _require_manager(
                ctx.actor, state, command.student_number, "更正学生信息 correct record"
            )
            assert state is not None
            return _correct(command, state, ctx)
        case RecordPublisherExam(student_number=number, score=score):
            _require_manager(ctx.actor, state, number, "登记考试 record exam")
            assert state is not None
            require(0 <= score <= 100, SCORE_INVALID, score=score)
            if state.is_publisher_qualified:
                return []
            pass_score = ctx.rulebook.publisher_exam_pass_score
            require(score >= pass_score, EXAM_FAILED, score=score, pass_score=pass_score)
            return [PublisherExamPassed(state.id, score, ctx.actor.person_id, ctx.now)]
    raise AssertionError(f"unhandled command {command!r}")


def _appeal(
    command: AppealDefault | DecideAppeal, state: StudentRecord, ctx: Context
) -> Sequence[StudentEvent]:
    """Appeals (none of the peer systems has these): decided by an admin, never edited."""
    entry = required(state.entry(command.entry_id), ENTRY_UNKNOWN, entry_id=str(command.entry_id))
    require(bool(command.reason.strip()), REASON_REQUIRED)
    actor, now = ctx.actor, ctx.now
    if isinstance(command, AppealDefault):
        require(integrity.is_default(entry.outcome, ctx.rulebook.integrity), NOT_A_DEFAULT)
        if entry.appeal is not None:
            raise APPEAL_EXISTS.error(status=entry.appeal.label)
        return [DefaultAppealed(state.id, entry.entry_id, command.reason, command.evidence, now)]
    require(entry.appeal is AppealStatus.PENDING, NO_PENDING_APPEAL)
    after = [
        attrs.evolve(e, appeal=AppealStatus.OVERTURNED)
        if e.entry_id == entry.entry_id and command.overturn
        else e
        for e in state.integrity
    ]
    until = integrity.blacklisted_until(after, ctx.rulebook.integrity)
    return [
        AppealDecided(
            state.id, entry.entry_id, command.overturn, command.reason, until, actor.person_id, now
        )
    ]


CORRECTABLE = ("name", "class_name")


def _correct(
    command: CorrectStudentRecord, state: StudentRecord, ctx: Context
) -> Sequence[StudentEvent]:
    """A correction is appended, never an edit: the record's history keeps what it said (who
    may correct was checked by ``_require_manager``)."""
    require(bool(command.reason.strip()), REASON_REQUIRED)
    given = {f: getattr(command, f) for f in CORRECTABLE if getattr(command, f) is not None}
    for field, value in given.items():
        require(bool(value.strip()), FIELD_EMPTY, field=field)
    changed = {f: v for f, v in given.items() if v != getattr(state, f)}
    if not changed:
        return []
    before = tuple((f, str(getattr(state, f))) for f in changed)
    after = tuple(changed.items())
    return [
        StudentRecordCorrected(
            state.id, before, after, command.reason, ctx.actor.person_id, ctx.now
        )
    ]


def _register(
    command: RegisterStudent, state: StudentRecord | None, ctx: Context
) -> Sequence[StudentEvent]:
    require(
        _may_manage(ctx.actor, command.college), UNAUTHORIZED, action="注册学生 register student"
    )
    for field in ("student_number", "name", "class_name"):
        require(bool(getattr(command, field).strip()), FIELD_EMPTY, field=field)
    require(
        ctx.rulebook.college(command.college) is not None,
        COLLEGE_UNKNOWN,
        college=command.college,
    )
    require(1950 <= command.cohort <= 2100, COHORT_INVALID, cohort=command.cohort)
    if state is not None:
        # One 学号, one person (第六条): never a second record. Only who may read the record
        # (a school admin, its college's admin) learns it exists with other details; a
        # college admin naming another college's 学号 learns that it is not theirs to
        # register — not the college, the name or the class — whatever details they give.
        require(
            _may_manage(ctx.actor, state.college),
            NUMBER_UNAVAILABLE,
            student_number=command.student_number,
        )
        same = (state.name, state.college, state.class_name, state.cohort, state.program) == (
            command.name,
            command.college,
            command.class_name,
            command.cohort,
            command.program,
        )
        require(same, EXISTS, student_number=command.student_number)
        return []
    return [
        StudentRegistered(
            command.student_id,
            command.student_number,
            command.name,
            command.college,
            command.class_name,
            command.cohort,
            command.program,
            ctx.actor.person_id,
            ctx.now,
        )
    ]


def evolve(state: StudentRecord | None, event: StudentEvent) -> StudentRecord:
    """Apply one event."""
    match event:
        case StudentRegistered():
            return StudentRecord(
                event.student_id,
                event.student_number,
                event.name,
                event.college,
                event.class_name,
                event.cohort,
                event.program,
            )
        case PublisherExamPassed(at=at):
            assert state is not None
            return attrs.evolve(state, publisher_qualified_at=at)
        case AttendanceRecorded(entry=entry, blacklisted_until=until):
            assert state is not None
            return attrs.evolve(state, integrity=(*state.integrity, entry), blacklisted_until=until)
        case TranscriptNumbered():
            assert state is not None
            return attrs.evolve(state, transcripts_issued=state.transcripts_issued + 1)
        case ActivityRecorded(record=record):
            assert state is not None
            return attrs.evolve(state, activities=(*state.activities, record))
        case BackfillRecorded(record=backfill):
            assert state is not None
            return attrs.evolve(state, backfills=(*state.backfills, backfill))
        case CadreTermRecorded(record=cadre):
            assert state is not None
            return attrs.evolve(state, cadre_terms=(*state.cadre_terms, cadre))
        case DefaultAppealed(entry_id=entry_id):
            assert state is not None
            return _with_appeal(state, entry_id, AppealStatus.PENDING)
        case AppealDecided(entry_id=entry_id, overturned=overturned, blacklisted_until=until):
            assert state is not None
            status = AppealStatus.OVERTURNED if overturned else AppealStatus.UPHELD
            return attrs.evolve(_with_appeal(state, entry_id, status), blacklisted_until=until)
        case StudentRecordCorrected(after=after):
            assert state is not None
            fields = dict(after)
            return attrs.evolve(
                state,
                name=fields.get("name", state.name),
                class_name=fields.get("class_name", state.class_name),
            )
        case DefaultMadeUp(entry_id=entry_id, blacklisted_until=until):
            assert state is not None
            return attrs.evolve(
                state, integrity=made_up(state.integrity, entry_id), blacklisted_until=until
            )
    raise AssertionError(f"unhandled event {event!r}")


def made_up(entries: Sequence[IntegrityEntry], entry_id: UUID) -> tuple[IntegrityEntry, ...]:
    """The entries after a 补签 reversed the no-show ``entry_id``: it reads attended."""
    return tuple(
        attrs.evolve(e, outcome=AttendanceOutcome.ATTENDED, rule=integrity.MADE_UP_CITATION)
        if e.entry_id == entry_id
        else e
        for e in entries
    )


def _with_appeal(state: StudentRecord, entry_id: UUID, status: AppealStatus) -> StudentRecord:
    entries = tuple(
        attrs.evolve(e, appeal=status) if e.entry_id == entry_id else e for e in state.integrity
    )
    return attrs.evolve(state, integrity=entries)


DECIDER: FunctionalDecider[StudentCommand, StudentRecord, StudentEvent, Context] = (
    FunctionalDecider("student", decide, evolve, StudentRecord, EVENTS)
)
