"""实践及培训经历 (002 一 4)): a practice team's experience (暑期“三下乡”), recorded for its
members by the college's league committee (学院基层团委) or by the team's school-level tribe.

The team is its own stream: who recorded it, its days and hours, its members. Recording it
writes the experience into every member's student record in the same save, as an activity
record (``ActivityRecorded``): the transcript, the ledger, the views and the growth timeline
read it as they read a finalized activity. Its hours are the days × the rulebook's hours per
day (HFUT: 8) unless the recorder gives them (特殊情况根据实际情况记录).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.student import NOT_FOUND as STUDENT_NOT_FOUND
from second_classroom.aggregates.student import ActivityRecorded, StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import RoleKind
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require
from second_classroom.core.terms import ActivityLevel
from second_classroom.core.text import Code, Credit, Name, PersonId
from second_classroom.core.time import local_date
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import HoursRule

NOT_OFFERED = ErrorCode(
    "practice.not_offered",
    "本校未开通实践经历记录（规则配置 practice.module）",
    "This school records no practice experiences (the rulebook's practice.module)",
    Category.INVALID,
)
EXISTS = ErrorCode(
    "practice.exists",
    "该实践团队已记录",
    "This practice team is already recorded",
    Category.CONFLICT,
)
RECORDER = ErrorCode(
    "practice.recorder",
    "请指定记录单位：学院（college）或校级组织（tribe_id），二者选一",
    "Name the recorder: a college or a tribe, exactly one",
    Category.INVALID,
)
TRIBE_UNKNOWN = ErrorCode(
    "practice.tribe_unknown", "组织不存在", "No such organization (tribe)", Category.NOT_FOUND
)
COLLEGE_UNKNOWN = ErrorCode(
    "practice.college_unknown",
    "未知的学院：{college}",
    "Unknown college: {college}",
    Category.INVALID,
)
DATES_INVERTED = ErrorCode(
    "practice.dates_inverted",
    "实践结束时间须晚于开始时间",
    "A practice must end after it starts",
    Category.INVALID,
)
NOT_OVER = ErrorCode(
    "practice.not_over",
    "实践结束后才能记录经历",
    "A practice is recorded after it ends",
    Category.CLOSED,
)
HOURS_INVALID = ErrorCode(
    "practice.hours_invalid",
    "学时须大于 0、不超过 {most}（{days} 天）",
    "Hours must be above 0 and at most {most} ({days} days)",
    Category.INVALID,
)
FIELD_EMPTY = ErrorCode(
    "practice.field_empty",
    "{field} 不能为空",
    "{field} must not be empty",
    Category.INVALID,
)
TOO_LONG = ErrorCode(
    "practice.too_long",
    "实践跨度不能超过 {most} 小时（规则配置 limits.max_activity_hours）",
    "A practice spans at most {most} hours (the rulebook's limits.max_activity_hours)",
    Category.INVALID,
)
TRIBE_NOT_ALLOWED = ErrorCode(
    "practice.tribe_not_allowed",
    "只有经认证的{levels}级组织记录本组织的实践团队（规则配置 practice.tribe_levels）",
    "Only a certified tribe of level {levels} records its team (the rulebook's "
    "practice.tribe_levels)",
    Category.FORBIDDEN,
)
SELF_RECORDING = ErrorCode(
    "practice.self_recording",
    "不能为自己记录实践经历，须由其他负责人办理",
    "Nobody records their own practice: another manager must",
    Category.FORBIDDEN,
)
NOBODY = ErrorCode("practice.nobody", "请填写团队成员", "Name the team's members", Category.INVALID)
NOT_MEMBER = ErrorCode(
    "practice.not_member",
    "{student} 不是本组织成员，校级组织只记录本组织的实践团队",
    "{student} is not a member: a tribe records its own team only",
    Category.FORBIDDEN,
)
OTHER_COLLEGE = ErrorCode(
    "practice.other_college",
    "{student} 不是本学院学生，学院只记录本学院的实践团队",
    "{student} is of another college: a college records its own teams only",
    Category.FORBIDDEN,
)

# -- state --------------------------------------------------------------------------------


@attrs.frozen
class Practice:
    """A recorded practice team: its recorder, dates, days, hours and members."""

    id: UUID
    title: str
    college: str | None
    tribe_id: UUID | None
    starts: datetime
    ends: datetime
    days: int
    hours: Decimal
    members: tuple[str, ...]
    by: str
    at: datetime


# -- events -------------------------------------------------------------------------------


@attrs.frozen
class PracticeRecorded:
    """The team's experience, written into each member's record in the same save."""

    practice_id: UUID
    title: str
    college: str | None
    tribe_id: UUID | None
    starts: datetime
    ends: datetime
    days: int
    hours: Decimal
    members: tuple[str, ...]
    by: str
    at: datetime


PracticeEvent = PracticeRecorded
EVENTS: tuple[type, ...] = (PracticeRecorded,)

# -- commands -----------------------------------------------------------------------------


@attrs.frozen
class RecordPractice:
    """Record a practice team's experience for its members (002 一 4)): by a college's 基层团委
    (``college``) for a team of its students, or by a tribe (``tribe_id``, e.g. 校学生会) for
    its own team. ``key`` names the team within its recorder. ``hours`` overrides the days ×
    hours per day (特殊情况根据实际情况记录)."""

    key: Code
    title: Name
    starts: datetime
    ends: datetime
    members: tuple[PersonId, ...]
    college: Code | None = None
    tribe_id: UUID | None = None
    hours: Credit | None = None

    @property
    def practice_id(self) -> UUID:
        return ids.practice_id(self.college or str(self.tribe_id), self.key)


PracticeCommand = RecordPractice
COMMANDS: tuple[type, ...] = (RecordPractice,)


@attrs.frozen
class PracticeContext:
    base: Context
    tribe: Tribe | None  # the recording tribe, when a tribe records
    records: Mapping[str, StudentRecord] = attrs.field(factory=dict)  # the members' records


def students_involved(command: PracticeCommand) -> set[str]:
    return set(command.members)


def authorize(command: PracticeCommand, ctx: PracticeContext) -> str | None:
    """The recording college, once the actor may record for the recorder named (002 一 4));
    needs no member's record, so a refused actor costs no loads."""
    base = ctx.base
    rule = base.rulebook.practice
    require(bool(rule.module), NOT_OFFERED)
    require((command.college is None) != (command.tribe_id is None), RECORDER)
    college = command.college
    if command.tribe_id is not None:
        tribe = ctx.tribe
        require(tribe is not None, TRIBE_UNKNOWN)
        assert tribe is not None
        college = tribe.college
        allowed = base.actor.is_school_admin or base.actor.holds_tribe_role(
            tribe.id, RoleKind.TRIBE_LEADER, RoleKind.TRIBE_ADMIN
        )
    else:
        assert college is not None
        require(base.rulebook.college(college) is not None, COLLEGE_UNKNOWN, college=college)
        allowed = base.actor.is_school_admin or base.actor.is_college_admin(college)
    require(allowed, UNAUTHORIZED, action="记录实践经历 record practice")
    if ctx.tribe is not None and command.tribe_id is not None:
        # 002 一 4): 校级社团账号 record their own teams; a class group is no such account.
        require(
            ctx.tribe.certified and ctx.tribe.level.value in rule.tribe_levels,
            TRIBE_NOT_ALLOWED,
            levels="/".join(rule.tribe_levels),
        )
    return college


def decide(
    command: PracticeCommand, state: Practice | None, ctx: PracticeContext
) -> Sequence[PracticeEvent]:
    """Decide the team's event; raise a DomainError when the command is refused."""
    base = ctx.base
    college = authorize(command, ctx)
    require(state is None, EXISTS)
    require(bool(command.key.strip()), FIELD_EMPTY, field="key")
    require(bool(command.title.strip()), FIELD_EMPTY, field="title")
    require(command.ends > command.starts, DATES_INVERTED)
    longest = base.rulebook.limits.max_activity_hours
    require(command.ends - command.starts <= timedelta(hours=longest), TOO_LONG, most=longest)
    require(base.now >= command.ends, NOT_OVER)
    members = tuple(dict.fromkeys(command.members))
    require(bool(members), NOBODY)
    require(
        base.rulebook.results.allow_self_results or base.actor.person_id not in members,
        SELF_RECORDING,
    )
    for student in members:
        record = ctx.records.get(student)
        require(record is not None, STUDENT_NOT_FOUND, student_number=student)
        assert record is not None
        if command.tribe_id is not None:
            assert ctx.tribe is not None
            require(ctx.tribe.belongs(student), NOT_MEMBER, student=student)
        else:
            require(record.college == college, OTHER_COLLEGE, student=student)
    days = HoursRule.days(local_date(command.starts), local_date(command.ends))
    hours = practice_hours(command, base.rulebook.hours)
    # Computed hours obey the cap typed ones do (limits.max_credit), and no more than the days.
    most = min(Decimal(24 * days), base.rulebook.limits.max_credit)
    require(
        hours.is_finite() and Decimal(0) < hours <= most,
        HOURS_INVALID,
        most=format(most, "f"),
        days=days,
    )
    return (
        PracticeRecorded(
            command.practice_id,
            command.title,
            college,
            command.tribe_id,
            command.starts,
            command.ends,
            days,
            hours,
            members,
            base.actor.person_id,
            base.now,
        ),
    )


def practice_hours(command: RecordPractice, rule: HoursRule) -> Decimal:
    """The hours given, else the rulebook's count of the span (002 一 4) 建议一天按8学时记录):
    each day the team spent at least the hours per day counts them, a partial day (a start
    late in the evening, an end early in the morning) its clock hours."""
    if command.hours is not None:
        return command.hours
    return rule.of(command.starts, command.ends)


def record_of(event: PracticeRecorded, module: str, credit_type: str) -> ActivityRecord:
    """The member's activity record: the practice's title, days, hours, and the hours as
    credits of ``credit_type`` when the rulebook names one."""
    credits = (PlannedCredit(module, credit_type, event.hours),) if credit_type else ()
    level = ActivityLevel.COLLEGE if event.college is not None else ActivityLevel.SCHOOL
    return ActivityRecord(
        event.practice_id,
        event.title,
        module,
        level,
        event.starts,
        event.ends,
        event.hours,
        None,  # no attendance is taken: the recorder vouches for the team
        (),
        credits,
        event.at,
    )


def recorded(
    events: Sequence[PracticeEvent],
    records: Mapping[str, StudentRecord],
    module: str,
    credit_type: str,
) -> dict[str, tuple[ActivityRecorded, ...]]:
    """The student events a recording writes: the experience into each member's record."""
    written: dict[str, tuple[ActivityRecorded, ...]] = {}
    for event in events:
        entry = record_of(event, module, credit_type)
        for student in event.members:
            written[student] = (ActivityRecorded(records[student].id, entry, event.at),)
    return written


def evolve(state: Practice | None, event: PracticeEvent) -> Practice:
    """Apply one event."""
    return Practice(
        event.practice_id,
        event.title,
        event.college,
        event.tribe_id,
        event.starts,
        event.ends,
        event.days,
        event.hours,
        event.members,
        event.by,
        event.at,
    )


DECIDER: FunctionalDecider[PracticeCommand, Practice, PracticeEvent, PracticeContext] = (
    FunctionalDecider("practice", decide, evolve, Practice, EVENTS)
)
