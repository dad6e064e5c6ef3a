"""Reports (the projections issue; seed 002 学院月报, 排行榜, 组织者工作量) and as-of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.aggregates.tribe import CreateTribe
from second_classroom.core.actor import Actor
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.projections.reports import safe_cell
from second_classroom.service import SecondClassroom
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, at
from tests.test_checkin_service import ENDED, ORGANIZER, checked_in_world


def finished(service: SecondClassroom) -> list[Actor]:
    talk, students = checked_in_world(service)
    service.run_reactions(ENDED)
    service.execute(GrantCredits(talk, (students[0].person_id,)), ORGANIZER, at(12, 4))
    service.execute(FinalizeActivity(talk), Actor.student("2023010101"), at(12, 4, 1))
    return students


def test_the_monthly_college_report(service: SecondClassroom) -> None:
    """学院月报: per college and organization — published, approved, rejected, participants,
    attendance and no-show rates, credits per module."""
    finished(service)
    [row] = service.monthly_report("2026-12", PE_ADMIN, college="PE")
    assert (row.college, row.tribe) == ("PE", "石油工程学院学生会")
    assert (row.published, row.approved, row.rejections, row.participants) == (1, 1, 0, 3)
    assert row.attendance_rate == Decimal("0.6667")
    assert row.no_show_rate == Decimal("0.3333")
    assert row.credits == (("skills", Decimal("0.5")),)
    assert service.monthly_report("2026-11", SCHOOL_ADMIN).rows == ()


def test_the_report_opens_as_a_workbook_csv_and_chart(service: SecondClassroom) -> None:
    from openpyxl import load_workbook
    from PIL import Image

    finished(service)
    # A tribe whose name is a formula must come out as text (formula injection).
    service.execute(
        CreateTribe("EVIL", '=HYPERLINK("http://x")', TribeKind.CLUB, TribeLevel.COLLEGE, "PE"),
        PE_ADMIN,
        NOW,
    )
    xlsx, text, png = service.report_files("2026-12", SCHOOL_ADMIN)
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "学院"
    assert values[1][:6] == ["石油工程学院", "石油工程学院学生会", 1, 1, 0, 3]
    assert values[1][6] == "66.7%"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "石油工程学院"
    image = Image.open(io.BytesIO(png))
    assert image.size == (800, 480)
    darkest, lightest = image.convert("L").getextrema()  # type: ignore[misc]
    assert darkest < 100 < lightest  # something was drawn on the white page
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+86 138") == "'+86 138"
    assert safe_cell("石油工程学院") == "石油工程学院"


def test_leaderboards_and_organizer_workload(service: SecondClassroom) -> None:
    """排行榜 by college and cohort; workload of the submitter and the organizers."""
    students = finished(service)
    reader = students[0]
    [by_college] = service.leaderboard(reader, by="college")
    assert (by_college.group, by_college.amount) == ("PE", Decimal("0.5"))
    [by_cohort] = service.leaderboard(reader, by="cohort", module="skills")
    assert by_cohort.group == "2024"
    assert service.leaderboard(reader, by="college", module="ideology").rows == ()
    workload = {
        w.person: (w.activities, w.participants) for w in service.organizer_workload(SCHOOL_ADMIN)
    }
    assert workload["2023010101"] == (1, 2)  # the submitter: 1 activity, 2 attended
    assert workload["2023010102"] == (1, 2)  # the listed organizer


def test_as_of_queries_replay_the_log(service: SecondClassroom) -> None:
    """A student's record and integrity as of any past date, from the event log."""
    students = finished(service)
    absent = students[2].person_id
    before = service.integrity_as_of(absent, SCHOOL_ADMIN, ENDED - timedelta(minutes=1))
    after = service.integrity_as_of(absent, SCHOOL_ADMIN, ENDED + timedelta(hours=1))
    assert before is not None
    assert after is not None
    assert before.entries == ()
    assert before.blacklisted_until is None
    assert after.blacklisted_until == ENDED + timedelta(hours=120)
    record = service.student_as_of(students[0].person_id, SCHOOL_ADMIN, at(12, 4, 0, 30))
    assert record is not None
    assert record.credits() == {}  # not finalized yet at that time
    later = service.student_as_of(students[0].person_id, SCHOOL_ADMIN, at(12, 5))
    assert later is not None
    assert later.credits() == {("skills", "学分"): Decimal("0.5")}
