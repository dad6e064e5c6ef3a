"""Reports (the projections issue; seed 002 学院月报, 排行榜, 组织者工作量) and as-of queries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from second_classroom.aggregates.tribe import CreateTribe
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.projections.report_views import COLLEGE_PRACTICE
from second_classroom.projections.reports import MonthlyRow, Names, safe_cell, to_csv, to_xlsx
from second_classroom.service import SecondClassroom
from tests import report_world
from tests.checkin_world import ENDED, finished
from tests.enrolment_world import LEADER
from tests.specification import CS_ADMIN, NOW, PE_ADMIN, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET


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
    assert isinstance(darkest, int)  # one band: two levels
    assert isinstance(lightest, int)
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


@pytest.fixture
def school(store_env: dict[str, str]) -> Iterator[SecondClassroom]:
    """A school crediting cadre terms and recording practice teams (``tests.report_world``)."""
    with SecondClassroom.open(store_env, report_world.RULES, secret=TEST_SECRET) as opened:
        yield opened


def march(
    school: SecondClassroom, actor: Actor = SCHOOL_ADMIN, college: str | None = None
) -> list[MonthlyRow]:
    return list(school.monthly_report("2027-03", actor, college=college))


def test_a_cadre_term_recorded_in_march_counts_in_march_under_the_student_s_college(
    school: SecondClassroom,
) -> None:
    """002 一 3), 5): given a round of 石油工程学院学生会 rated and closed in March 2027
    (001 第四条: a full year earns 工作履历 学分), when the 学院月报 of March is read, then
    each term's credits count in the row of its student's college under the organization:
    2 + 0.5 学分 for the two 石油工程学院 cadres, 0.5 for the 计算机与信息技术学院 one, by
    module and credit type, and none in February's report; a college's admin reads its own
    college's rows only."""
    report_world.march_world(school)
    rows = {(r.college, r.tribe): r for r in march(school)}
    union = rows[("PE", "石油工程学院学生会")]
    assert union.cadre == (("work_experience", "学分", Decimal("2.5")),)
    assert (union.published, union.participants, union.credits) == (0, 0, ())
    other = rows[("CS", "石油工程学院学生会")]
    assert other.cadre == (("work_experience", "学分", Decimal("0.5")),)
    february = school.monthly_report("2027-02", SCHOOL_ADMIN)
    assert all(row.cadre == () for row in february)
    assert [(r.college, r.tribe) for r in march(school, CS_ADMIN, college="CS")] == [
        ("CS", "石油工程学院学生会")
    ]
    with pytest.raises(DomainError) as refused:
        march(school, CS_ADMIN, college="PE")
    assert refused.value.code == "auth.forbidden"


def test_practice_hours_recorded_in_march_count_in_march_under_the_practice_s_college(
    school: SecondClassroom,
) -> None:
    """002 一 4), 5): given 石油工程学院's 基层团委 recording a three-day team of three students in
    March (8 学时 a day: 24 each) and a one-day team of one in February, when the 学院月报 of
    each month is read, then March's row of 石油工程学院 / （基层团委） holds 1 team, 3 members
    and 72 学时 (24 × 3, exact), February's 1, 1 and 8; the 学时 the practice wrote into the
    members' records are not counted again among the activity credits."""
    report_world.march_world(school)
    (recorder,) = [r for r in march(school) if r.tribe == COLLEGE_PRACTICE]
    assert recorder.college == "PE"
    assert (recorder.practice_teams, recorder.practice_members) == (1, 3)
    assert recorder.practice_hours == Decimal(72)
    assert str(recorder.practice_hours) == "72"  # the view's units, not a float
    assert (recorder.published, recorder.credits, recorder.cadre) == (0, (), ())
    (winter,) = school.monthly_report("2027-02", PE_ADMIN, college="PE")
    assert winter.tribe == COLLEGE_PRACTICE
    assert (winter.practice_teams, winter.practice_members) == (1, 1)
    assert winter.practice_hours == Decimal(8)


def test_the_cadre_and_practice_facts_equal_a_rebuild_and_count_once(
    school: SecondClassroom,
) -> None:
    """Given the March facts read once, when the views are rebuilt from the log (twice), then
    the report is the same: no term's credits nor team's hours counted twice."""
    report_world.march_world(school)
    before = march(school)
    for _ in range(2):
        school.views.runner.rebuild()
        assert march(school) == before
    totals = [(r.practice_hours, r.cadre) for r in before if r.practice_teams or r.cadre]
    assert sorted(totals, key=str) == sorted(
        [
            (Decimal(0), (("work_experience", "学分", Decimal("0.5")),)),
            (Decimal(0), (("work_experience", "学分", Decimal("2.5")),)),
            (Decimal(72), ()),
        ],
        key=str,
    )


def test_the_workbook_and_csv_show_practice_and_cadre_columns_in_chinese(
    school: SecondClassroom,
) -> None:
    """002 附件1: given March's cadre terms and practice team, when the report is written as a
    workbook and read back with openpyxl, then the header has 实践团队数, 实践人次, 实践学时
    after the fixed columns and 工作履历干部任期（学分） after the credit columns, each row its
    numbers (counts as integers, 学时 and credits as numbers) and the totals row their sums;
    the CSV has the same header."""
    from openpyxl import load_workbook

    report_world.march_world(school)
    files = school.report_files("2027-03", SCHOOL_ADMIN, at(3, 31, year=2027))
    sheet = load_workbook(io.BytesIO(files.xlsx)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == [
        "学院", "组织", "发布活动数", "审核通过", "驳回次数", "参与人次", "出勤率", "未签到率",
        "实践团队数", "实践人次", "实践学时", "工作履历干部任期（学分）",
    ]  # fmt: skip
    # By college code (CS before PE), then organization in the database's collation.
    assert values[1] == ["计算机与信息技术学院", "石油工程学院学生会", 0, 0, 0, 0, None, None,
                         0, 0, 0, 0.5]  # fmt: skip
    assert sorted(values[2:4], key=str) == [
        ["石油工程学院", "石油工程学院学生会", 0, 0, 0, 0, None, None, 0, 0, 0, 2.5],
        ["石油工程学院", COLLEGE_PRACTICE, 0, 0, 0, 0, None, None, 1, 3, 72, 0],
    ]
    assert values[4] == ["合计", "3 个组织", 0, 0, 0, 0, None, None, 1, 3, 72, 3]
    assert [sheet.cell(3, c).number_format for c in (9, 10, 11, 12)] == ["0", "0", "0.0#", "0.0#"]
    table = list(csv.reader(io.StringIO(files.csv.decode("utf-8-sig"))))
    assert table[0] == values[0]
    assert table[-1][8:] == ["1", "3", "72.0", "3.0"]


def test_a_report_view_of_the_previous_shape_is_rebuilt_with_cadres_and_practice(
    tmp_path: Path,
) -> None:
    """Given a store whose report view was written by the release before cadre terms and
    practice teams were reported (shape 1: no such tables), when the library opens it, then
    the view is rebuilt from the log and March's report holds the terms' credits and the
    team's 学时 recorded before the upgrade."""
    import sqlite3

    from second_classroom.persistence.stores import sqlite_env

    env = sqlite_env(str(tmp_path / "school.db"))
    with SecondClassroom.open(env, report_world.RULES, secret=TEST_SECRET) as school:
        report_world.march_world(school)
        expected = march(school)
    with sqlite3.connect(tmp_path / "school.db") as old:  # as the release before left it
        old.execute("DROP TABLE report_cadres")
        old.execute("DROP TABLE report_practice")
        old.execute("UPDATE sc_view_shapes SET shape = 1 WHERE view = 'report_facts'")
    with SecondClassroom.open(env, report_world.RULES, secret=TEST_SECRET) as school:
        assert march(school) == expected
        assert sum(r.practice_hours for r in expected) == Decimal(72)


def test_the_chart_adds_a_practice_hours_panel_when_teams_were_recorded(
    school: SecondClassroom,
) -> None:
    """002 一 4), 5): given practice teams recorded, when the report's chart is drawn, then
    below the 参与人次 panel a second one shows the 社会实践学时 per college and month (its
    label and the title drawn in the embedded font's glyphs), on the same 800 × 480 page."""
    import re

    from fontTools.ttLib import TTCollection
    from PIL import Image

    from second_classroom.fonts import cjk_font_path

    report_world.march_world(school)
    files = school.report_files("2027-03", SCHOOL_ADMIN, at(3, 31, year=2027))
    assert Image.open(io.BytesIO(files.png)).size == (800, 480)
    font = TTCollection(str(cjk_font_path())).fonts[0]
    cmap = font.getBestCmap()
    drawn = {int(n, 16) for n in re.findall(r'id="WenQuanYiMicroHei-([0-9a-f]+)"', files.svg)}
    for text in ("参与人次与社会实践学时", "社会实践学时"):
        missing = [ch for ch in text if font.getGlyphID(cmap[ord(ch)]) not in drawn]
        assert not missing, missing
    assert files.svg.count('id="axes_') == 2  # two panels


def test_a_team_a_school_level_tribe_recorded_counts_under_that_tribe_without_a_college(
    school: SecondClassroom,
) -> None:
    """002 一 4) 校学生会…等校级社团账号负责本社团实践团队: given the certified 校学生会 (no
    college) recording its member's three-day team in December, when December's report is
    read, then the team counts in the row of 校学生会 with no college (the practice's college),
    printed 校级组织 in the workbook, not in the member's college."""
    from openpyxl import load_workbook

    from tests.practice_world import AFTER, by_tribe, school_union

    numbers = report_world.march_world(school)
    school_union(school, numbers[:1])
    school.execute(by_tribe(numbers[:1]), LEADER, AFTER)
    (row,) = school.monthly_report("2026-12", SCHOOL_ADMIN)
    assert (row.college, row.tribe) == ("", "校学生会")
    assert (row.practice_teams, row.practice_members, row.practice_hours) == (1, 1, Decimal(24))
    assert school.monthly_report("2026-12", PE_ADMIN, college="PE").rows == ()
    files = school.report_files("2026-12", SCHOOL_ADMIN, at(12, 31))
    sheet = load_workbook(io.BytesIO(files.xlsx)).active
    assert sheet is not None
    assert [cell.value for cell in sheet[3]][:2] == ["校级组织", "校学生会"]
    assert [cell.value for cell in sheet[3]][8:] == [1, 1, 24]


def test_a_panel_with_nothing_to_show_says_so_and_never_counts_below_zero(
    school: SecondClassroom,
) -> None:
    """002 一 5) 月报: given a month with practice teams but no activity participation, when
    the chart is drawn, then the 参与人次 panel reads 无记录 on an axis from 0 to 1 — no minus
    sign is drawn anywhere (matplotlib's default axis around an empty panel runs from −0.05
    to 0.05, as if people could be negative). matplotlib's SVG names each text it draws in a
    comment."""
    import re

    report_world.march_world(school)
    files = school.report_files("2027-03", SCHOOL_ADMIN, at(3, 31, year=2027))
    texts = re.findall(r"<!-- (.*?) -->", files.svg)
    assert "无记录" in texts
    assert texts[: texts.index("参与人次")] == ["0", "1"]  # the 参与人次 panel's ticks
    assert not [t for t in texts if t.startswith(("−", "-"))]
