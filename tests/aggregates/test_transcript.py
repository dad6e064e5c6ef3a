"""成绩单 content (第二十条): what a 记录版 transcript lists.

第二十条: 活动记录中包含所有参加过的活动 — the record version lists the activities a student took
part in. A no-show's activity stays in their student record (with its outcome) and the default
in the integrity record (第十六条), but it is not a participation record on the 记录版.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import attrs
import pytest

from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.transcript import (
    IssueTranscript,
    Version,
    build_content,
    took_part,
)
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import ActivityLevel, AttendanceOutcome
from second_classroom.policies.activity_form import PlannedCredit
from tests.aggregates.activity_fixtures import record
from tests.specification import NEPU, at

STUDENT = "2023020201"
STARTS = at(12, 3, 14)


def entry(outcome: AttendanceOutcome | None, *, credit: str | None = None) -> ActivityRecord:
    credits = (PlannedCredit("skills", "学分", Decimal(credit)),) if credit else ()
    return ActivityRecord(
        uuid4(),
        f"活动 {outcome}",
        "skills",
        ActivityLevel.COLLEGE,
        STARTS,
        STARTS + timedelta(hours=2),
        Decimal("2.00"),
        outcome,
        (),
        credits,
        at(12, 4),
    )


ATTENDED = entry(AttendanceOutcome.ATTENDED, credit="0.5")
NO_SHOW = entry(AttendanceOutcome.NO_SHOW)
SIGNED_OFF = entry(AttendanceOutcome.SIGNED_OFF)
EXCUSED = entry(AttendanceOutcome.EXCUSED)
UNTAKEN = entry(None)  # no attendance was taken (a record without an outcome)
STUDENT_RECORD = attrs.evolve(
    record(STUDENT), activities=(ATTENDED, NO_SHOW, SIGNED_OFF, EXCUSED, UNTAKEN)
)


def listed(command: IssueTranscript) -> set[UUID]:
    content = build_content(command, STUDENT_RECORD, "S1", NEPU, at(12, 5))
    return {line.activity_id for section in content.sections for line in section.lines}


def test_a_record_version_lists_only_activities_taken_part_in() -> None:
    """Given a record with an attended, a no-show, a signed-off, an excused and an untaken
    activity, when a 记录版 of all records is issued, then it lists the attended and untaken."""
    assert listed(IssueTranscript(STUDENT, Version.RECORD)) == {
        ATTENDED.activity_id,
        UNTAKEN.activity_id,
    }


@pytest.mark.parametrize(
    "outcome", [AttendanceOutcome.NO_SHOW, AttendanceOutcome.SIGNED_OFF, AttendanceOutcome.EXCUSED]
)
def test_an_activity_not_taken_part_in_cannot_be_chosen_for_the_record_version(
    outcome: AttendanceOutcome,
) -> None:
    """Given a no-show (or signed-off, excused) activity, when it is chosen for a 记录版, then
    transcript.records_unknown: it is no participation record."""
    chosen = {NO_SHOW, SIGNED_OFF, EXCUSED}
    (the_one,) = (e for e in chosen if e.outcome is outcome)
    command = IssueTranscript(STUDENT, Version.RECORD, activity_ids=(the_one.activity_id,))
    with pytest.raises(DomainError) as caught:
        listed(command)
    assert caught.value.code == "transcript.records_unknown"


def test_the_student_record_keeps_the_no_show_activity() -> None:
    """The no-show's entry stays in the student record; only the transcript leaves it out."""
    assert NO_SHOW in STUDENT_RECORD.activities
    assert not took_part(NO_SHOW)
    assert took_part(ATTENDED)
    assert took_part(UNTAKEN)


def test_the_credit_version_lists_credit_bearing_records_as_before() -> None:
    assert listed(IssueTranscript(STUDENT, Version.CREDIT)) == {ATTENDED.activity_id}
