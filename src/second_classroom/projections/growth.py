"""成长档案 (004 三（二）"建立学生从入学到毕业的相关业务及服务的数据链存储…构建学生成长档案"):
a student's growth timeline, read from their record's events as they stood at a date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

from second_classroom.aggregates import student, transcript
from second_classroom.core.terms import Program
from second_classroom.persistence.mapper import Envelope
from second_classroom.policies.activity_form import PlannedCredit


class GrowthKind(StrEnum):
    """What a line of the timeline records."""

    ENROLLED = "enrolled"  # 入学: the student record registered
    PUBLISHER_EXAM = "publisher_exam"  # 发布者考试通过
    ACTIVITY = "activity"  # 活动记录, with its outcome and credits
    AWARD = "award"  # an award won in an activity
    CLAIM = "claim"  # 补录 confirmed
    CADRE = "cadre"  # a rated term of office (工作履历)
    INTEGRITY = "integrity"  # 诚信记录: an outcome, an appeal decided, a 补签
    TRANSCRIPT = "transcript"  # a transcript issued
    CORRECTION = "correction"  # the record corrected by an admin (000 第八条)


@attrs.frozen
class GrowthEntry:
    """One line: when, what, its title, a short detail and the credits it carried."""

    at: datetime
    kind: GrowthKind
    title: str
    detail: str = ""
    source_id: UUID | None = None
    credits: tuple[PlannedCredit, ...] = ()


@attrs.frozen
class GrowthTimeline:
    """A student's 成长档案 as it stood at ``as_of``, oldest line first."""

    student_number: str
    name: str
    college: str
    cohort: int
    as_of: datetime
    entries: tuple[GrowthEntry, ...]


def _entries(event: object, program: Program) -> list[GrowthEntry]:
    """The lines one event of the student record adds (none for an appeal lodged);
    ``program`` is the student's when it happened (a transcript's heading follows it)."""
    kind = GrowthKind
    match event:
        case student.StudentRegistered():
            return [GrowthEntry(event.at, kind.ENROLLED, event.class_name, str(event.cohort))]
        case student.PublisherExamPassed():
            return [GrowthEntry(event.at, kind.PUBLISHER_EXAM, "发布者考试", str(event.score))]
        case student.ActivityRecorded():
            r = event.record
            outcome = r.outcome.label if r.outcome is not None else ""
            found = [
                GrowthEntry(event.at, kind.ACTIVITY, r.title, outcome, r.activity_id, r.credits)
            ]
            found += [
                GrowthEntry(event.at, kind.AWARD, r.title, a, r.activity_id) for a in r.awards
            ]
            return found
        case student.BackfillRecorded():
            b = event.record
            return [GrowthEntry(event.at, kind.CLAIM, b.title, b.kind.value, b.claim_id, b.credits)]
        case student.CadreTermRecorded():
            c = event.record
            title = f"{c.organization} {c.title}（{c.term}）"
            return [GrowthEntry(event.at, kind.CADRE, title, c.rating.label, c.round_id, c.credits)]
        case student.AttendanceRecorded():
            e = event.entry
            return [GrowthEntry(event.at, kind.INTEGRITY, e.rule, e.outcome.label, e.activity_id)]
        case student.AppealDecided():
            detail = "申诉成立" if event.overturned else "申诉驳回"
            return [GrowthEntry(event.at, kind.INTEGRITY, event.reason, detail, event.entry_id)]
        case student.DefaultMadeUp():
            return [GrowthEntry(event.at, kind.INTEGRITY, "补签", event.evidence, event.entry_id)]
        case student.TranscriptNumbered():
            heading = transcript.heading_for(program)  # 002 二 2) 研究生“第二课堂成绩单”
            return [GrowthEntry(event.at, kind.TRANSCRIPT, heading, event.serial)]
        case student.StudentRecordCorrected():
            return [GrowthEntry(event.at, kind.CORRECTION, "档案更正", event.reason)]
    return []


def timeline(history: Iterable[Envelope], as_of: datetime) -> GrowthTimeline | None:
    """The timeline from the student record's events stored by ``as_of``; ``None`` when the
    student was not registered by then."""
    kept = [e.payload for e in history if e.timestamp <= as_of]
    record: student.StudentRecord | None = None
    lines: list[GrowthEntry] = []
    for event in kept:
        record = student.DECIDER.fold((event,), record)
        program = record.program if record is not None else Program.UNDERGRADUATE
        lines += _entries(event, program)
    if record is None:
        return None
    entries = tuple(lines)
    return GrowthTimeline(
        record.student_number, record.name, record.college, record.cohort, as_of, entries
    )
