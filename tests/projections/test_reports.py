"""Reports (the projections issue; seed 002 学院月报, 排行榜, 组织者工作量) and as-of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.aggregates.tribe import CreateTribe
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.projections.reports import MonthlyRow, Names, safe_cell, to_csv, to_xlsx
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, at
from tests.test_checkin_service import ENDED, checked_in_world


def finished(service: SecondClassroom) -> list[Actor]:
    talk, students = checked_in_world(service)
    service.run_reactions(ENDED)
    service.execute(GrantCredits(talk, (students[0].person_id,)), LEADER, at(12, 4))
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
    assert row.credits == (("skills", "学分", Decimal("0.5")),)
    assert service.monthly_report("2026-11", SCHOOL_ADMIN).rows == ()


def test_the_report_opens_as_a_workbook_csv_and_chart(service: SecondClassroom) -> None:
    """Seed 002 一 5) 学院月报 for 团委: a title row, a frozen header, rates as numbers shown in
    percent, Chinese names, one numeric column per module's credits, a totals row; CSV that
    Excel on Chinese Windows opens (a BOM); the same report gives the same workbook."""
    from openpyxl import load_workbook

    finished(service)
    # A tribe whose name is a formula must come out as text (formula injection).
    service.execute(
        CreateTribe("EVIL", '=HYPERLINK("http://x")', TribeKind.CLUB, TribeLevel.COLLEGE, "PE"),
        PE_ADMIN,
        NOW,
    )
    files = service.report_files("2026-12", SCHOOL_ADMIN, at(12, 31))
    sheet = load_workbook(io.BytesIO(files.xlsx)).active
    assert sheet is not None
    assert sheet["A1"].value == "东北石油大学 2026-12 第二课堂学院月报"
    assert "A1:I1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "C3"
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == [
        "学院", "组织", "发布活动数", "审核通过", "驳回次数", "参与人次", "出勤率", "未签到率",
        "技能特长（学分）",
    ]  # fmt: skip
    assert values[1][:6] == ["石油工程学院", "石油工程学院学生会", 1, 1, 0, 3]
    assert values[1][6] == pytest.approx(0.6667)
    assert sheet["G3"].number_format == "0.0%"
    assert sheet["G3"].data_type == "n"
    assert values[1][8] == 0.5
    assert values[-1][:6] == ["合计", "1 个组织", 1, 1, 0, 3]
    assert values[-1][8] == 0.5
    assert sheet.column_dimensions["B"].width == 26
    again = service.report_files("2026-12", SCHOOL_ADMIN, at(12, 31))
    assert again.xlsx == files.xlsx
    # Dated by ``now`` alone: openpyxl's own save would stamp the wall clock here.
    properties = load_workbook(io.BytesIO(files.xlsx)).properties
    assert properties.modified == properties.created == at(12, 31).replace(tzinfo=None)
    assert files.csv.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(files.csv.decode("utf-8-sig"))))
    assert rows[1][0] == "石油工程学院"
    assert rows[1][6] == "66.7%"
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+86 138") == "'+86 138"
    assert safe_cell("石油工程学院") == "石油工程学院"


def test_two_credit_types_of_one_module_are_two_columns_and_two_totals() -> None:
    """Issue 14 §3: different credit types are never added together — given 0.5 学分 and
    4 志愿时 of one module in a month, when written out, then each type has its own column
    and its own total (never 4.5)."""
    from openpyxl import load_workbook

    names = Names("合肥工业大学", {"JS": "计算机与信息学院"}, {"vol": "志愿服务"})
    rows = [
        MonthlyRow("JS", "青协", 1, 1, 0, 4, None, None,
                   (("vol", "学分", Decimal("0.5")), ("vol", "志愿时", Decimal("4")))),
    ]  # fmt: skip
    sheet = load_workbook(io.BytesIO(to_xlsx(rows, "2026-12", names, NOW))).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][8:] == ["志愿服务（学分）", "志愿服务（志愿时）"]
    assert values[1][8:] == [0.5, 4.0]
    assert values[2][8:] == [0.5, 4.0]  # 合计: one per type
    assert 4.5 not in [v for row in values for v in row]


def test_backfill_credits_have_their_own_columns_in_the_files() -> None:
    """Seed 001 第三条 补录 credits are reported apart from credits of published activities:
    given a month with both, when written out, then each has its module columns and totals."""
    from openpyxl import load_workbook

    names = Names(
        "四川工业科技学院", {"PE": "石油工程学院"}, {"skills": "技能特长", "vol": "志愿公益"}
    )
    rows = [
        MonthlyRow("PE", "学生会", 2, 2, 0, 10, Decimal("0.9"), Decimal("0.1"),
                   (("skills", "学分", Decimal("1.5")),), (("vol", "学分", Decimal("2")),)),
        MonthlyRow("", "校青协", 0, 0, 0, 0, None, None, (), (("vol", "学分", Decimal("0.5")),)),
    ]  # fmt: skip
    sheet = load_workbook(io.BytesIO(to_xlsx(rows, "2026-03", names, NOW))).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][6:] == ["出勤率", "未签到率", "技能特长（学分）", "志愿公益补录（学分）"]
    assert values[1][8:] == [1.5, 2.0]
    assert values[2][:2] == ["校级组织", "校青协"]
    assert values[2][8:] == [0.0, 0.5]
    assert values[3][8:] == [1.5, 2.5]
    table = list(csv.reader(io.StringIO(to_csv(rows, names).decode("utf-8-sig"))))
    assert table[0][-1] == "志愿公益补录（学分）"
    assert table[2][6:] == ["", "", "0.0", "0.5"]


def test_the_chart_is_in_chinese_in_the_embedded_font(service: SecondClassroom) -> None:
    """The chart's title, axes and legend are Chinese, drawn with the PDF's font (the SVG's
    glyphs are that font's outlines of CJK code points), as a PNG and an SVG."""
    import re

    from PIL import Image

    finished(service)
    files = service.report_files("2026-12", SCHOOL_ADMIN, at(12, 31))
    image = Image.open(io.BytesIO(files.png))
    assert image.size == (800, 480)
    darkest, lightest = image.convert("L").getextrema()
    assert darkest < 100 < lightest  # something was drawn on the white page
    from fontTools.ttLib import TTCollection

    from second_classroom.fonts import cjk_font_path

    font = TTCollection(str(cjk_font_path())).fonts[0]
    cmap = font.getBestCmap()
    drawn = {int(n, 16) for n in re.findall(r'id="WenQuanYiMicroHei-([0-9a-f]+)"', files.svg)}
    for text in ("各学院每月第二课堂参与人次", "月份", "参与人次", "石油工程学院"):
        missing = [ch for ch in text if font.getGlyphID(cmap[ord(ch)]) not in drawn]
        assert not missing, missing
    assert files.svg == service.report_files("2026-12", SCHOOL_ADMIN, at(12, 31)).svg


def test_the_chart_without_matplotlib_names_the_extra(
    service: SecondClassroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Install weight (matplotlib is about 124 MB with numpy): the chart is the [reports]
    extra's; without it the refusal says what to install."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real(name, *a),
    )
    with pytest.raises(DomainError) as refused:
        service.report_files("2026-12", SCHOOL_ADMIN, at(12, 31))
    assert refused.value.code == "config.extra_missing"
    assert "second-classroom[reports]" in str(refused.value)


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
