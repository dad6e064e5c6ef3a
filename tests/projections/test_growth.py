"""成长档案 lines (seed 004 三（二）"建立学生从入学到毕业的相关业务及服务的数据链存储"): every
kind of fact on a student's record becomes a line of the timeline, in the order it was
recorded, and a line recorded after the as-of date is left out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.backfill_record import BackfillRecord
from second_classroom.aggregates.cadre_record import CadreRecord
from second_classroom.aggregates.integrity_record import IntegrityEntry
from second_classroom.aggregates.student import (
    ActivityRecorded,
    AppealDecided,
    AttendanceRecorded,
    BackfillRecorded,
    CadreTermRecorded,
    DefaultAppealed,
    DefaultMadeUp,
    StudentEvent,
    StudentRecordCorrected,
    StudentRegistered,
    TranscriptNumbered,
)
from second_classroom.core import ids
from second_classroom.core.terms import (
    ActivityLevel,
    AttendanceOutcome,
    CadrePosition,
    CadreRating,
    Program,
)
from second_classroom.persistence.mapper import Envelope
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.projections.growth import GrowthKind, timeline
from tests.specification import at

NUMBER = "2023010101"
SID = ids.student_id(NUMBER)
TALK = ids.derive("activity", "talk")
MISSED = ids.derive("activity", "missed")
CLAIM = ids.derive("claim", "paper")
ROUND = ids.derive("cadre", "union")
ENTRY = ids.derive("integrity", str(MISSED), NUMBER)
CREDIT = PlannedCredit("skills", "学分", Decimal("0.5"))


def events() -> list[StudentEvent]:
    talk = ActivityRecord(
        TALK, "安全讲座", "skills", ActivityLevel.SCHOOL, at(10, 1), at(10, 1, 11),
        Decimal(2), AttendanceOutcome.ATTENDED, ("一等奖",), (CREDIT,), at(10, 2),
    )  # fmt: skip
    default = IntegrityEntry(
        ENTRY, MISSED, ActivityLevel.SCHOOL, AttendanceOutcome.NO_SHOW, at(10, 1), "校级"
    )
    cadre = CadreRecord(
        ROUND, ids.tribe_id("PE-SU"), "石油工程学院学生会", "2025-2026学年", "work_experience",
        CadrePosition.STUDENT_UNION, "干事", at(9, 1, year=2025), at(9, 1), False,
        CadreRating.EXCELLENT, (CREDIT,), at(9, 2),
    )  # fmt: skip
    return [
        StudentRegistered(
            SID,
            NUMBER,
            "张三",
            "PE",
            "石工23-1班",
            2023,
            Program.UNDERGRADUATE,
            "T-pe",
            at(9, 1, year=2023),
        ),
        CadreTermRecorded(SID, cadre, at(9, 2)),
        AttendanceRecorded(SID, default, None, at(10, 1, 12)),
        ActivityRecorded(SID, talk, at(10, 2)),
        BackfillRecorded(
            SID, BackfillRecord(CLAIM, ClaimKind.PERSONAL, "论文", (CREDIT,), at(10, 3)), at(10, 3)
        ),
        DefaultAppealed(SID, ENTRY, "生病", (), at(10, 4)),
        AppealDecided(SID, ENTRY, True, "病假属实", None, "T-pe", at(10, 5)),
        DefaultMadeUp(SID, ENTRY, "https://files.example.edu.cn/a.pdf", None, "T-pe", at(10, 6)),
        StudentRecordCorrected(
            SID, (("name", "张三"),), (("name", "张叁"),), "错字", "T-pe", at(10, 7)
        ),
        TranscriptNumbered(SID, "SC-1", at(10, 8)),
    ]


def history() -> list[Envelope]:
    return [Envelope(SID, n + 1, e.at, e) for n, e in enumerate(events())]


def test_every_fact_of_the_record_is_a_line_in_the_order_recorded() -> None:
    """Given a record with an enrolment, a rated cadre term, a default, a finalized activity
    with an award, a confirmed 补录, the default's appeal upheld for the student, a 补签, a
    correction and a transcript, when the timeline is read, then each is a line (an appeal
    lodged is not: its decision is)."""
    found = timeline(history(), at(12, 1))
    assert found is not None
    assert found.name == "张叁"  # the header as corrected by then
    lines = [(e.kind, e.title, e.detail) for e in found.entries]
    assert lines == [
        (GrowthKind.ENROLLED, "石工23-1班", "2023"),
        (GrowthKind.CADRE, "石油工程学院学生会 干事（2025-2026学年）", "优秀"),
        (GrowthKind.INTEGRITY, "校级", "未签到"),
        (GrowthKind.ACTIVITY, "安全讲座", "已参加"),
        (GrowthKind.AWARD, "安全讲座", "一等奖"),
        (GrowthKind.CLAIM, "论文", "personal"),
        (GrowthKind.INTEGRITY, "病假属实", "申诉成立"),
        (GrowthKind.INTEGRITY, "补签", "https://files.example.edu.cn/a.pdf"),
        (GrowthKind.CORRECTION, "档案更正", "错字"),
        (GrowthKind.TRANSCRIPT, "第二课堂成绩单", "SC-1"),
    ]
    assert [e.credits for e in found.entries if e.credits] == [(CREDIT,)] * 3
    assert found.entries[1].source_id == ROUND
    assert found.entries[2].source_id == MISSED
    assert found.entries[5].source_id == CLAIM


def test_as_of_a_date_the_timeline_holds_only_what_was_recorded_by_then() -> None:
    found = timeline(history(), at(10, 2) + timedelta(hours=1))
    assert found is not None
    assert found.name == "张三"
    assert [e.kind for e in found.entries][-1] is GrowthKind.AWARD
    assert timeline(history(), at(8, 31, year=2023)) is None  # not yet enrolled


def test_a_graduate_students_transcript_line_is_the_graduate_transcript() -> None:
    """002 二 2) 开通研究生“第二课堂成绩单”: given a graduate student's record, when a
    transcript is issued, then its line is headed 研究生第二课堂成绩单 as the document is
    (transcript.heading_of), not the undergraduate 第二课堂成绩单."""
    graduate: list[StudentEvent] = [
        StudentRegistered(
            SID, NUMBER, "张三", "PE", "石工23-1班", 2023, Program.GRADUATE, "T-pe", at(9, 1)
        ),
        TranscriptNumbered(SID, "SC-1", at(10, 8)),
    ]
    found = timeline([Envelope(SID, n + 1, e.at, e) for n, e in enumerate(graduate)], at(12, 1))
    assert found is not None
    assert [(e.kind, e.title) for e in found.entries][-1] == (
        GrowthKind.TRANSCRIPT,
        "研究生第二课堂成绩单",
    )
