"""Reports out: 学院月报 (seed 002: monthly college report) as rows, xlsx, CSV and a chart.

Spreadsheet cells that start with ``= + - @`` (or a tab/CR) are written as text, so a title
like ``=HYPERLINK(...)`` can never run as a formula in Excel (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from second_classroom.policies.graduation import Requirement
from second_classroom.projections.database import ViewDatabase, units_amount
from second_classroom.projections.queries import table_rows

HEADERS = (
    "学院",
    "组织",
    "发布活动数",
    "审核通过",
    "驳回次数",
    "参与人次",
    "出勤率",
    "未签到率",
)
# 社会实践 (002 一 4)), when the month's report has any: teams, members (人次), 学时 given
PRACTICE_HEADERS = ("实践团队数", "实践人次", "实践学时")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@attrs.frozen
class MonthlyRow:
    """One organization of one college in one month."""

    college: str
    tribe: str
    published: int
    approved: int
    rejections: int
    participants: int
    attendance_rate: Decimal | None
    no_show_rate: Decimal | None
    # (module, credit type, amount): each type on its own, never added to another
    credits: tuple[tuple[str, str, Decimal], ...]
    backfills: tuple[tuple[str, str, Decimal], ...] = ()  # 补录 credits of confirmed claims
    cadre: tuple[tuple[str, str, Decimal], ...] = ()  # credits of rated cadre terms recorded
    practice_teams: int = 0  # practice teams recorded in the month
    practice_members: int = 0  # their members (人次: a student in two teams counts twice)
    practice_hours: Decimal = Decimal(0)  # the 学时 written to the members: hours × members


def monthly_report(
    database: ViewDatabase,
    month: str,
    college: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> list[MonthlyRow]:
    """学院月报 for ``month`` ("2026-12"): per college and organization, in that order;
    optionally one college's, those after the (college, organization) ``after``, ``limit``."""
    groups: tuple[object, ...]
    where, groups = "TRUE", ()
    if college is not None:
        where, groups = f"{where} AND g.college = ?", (*groups, college)
    if after is not None:
        where, groups = f"{where} AND (g.college, g.tribe) > (?, ?)", (*groups, *after)
    # The month's groups: organizations with an activity, 补录 credits confirmed, a cadre
    # term's credits or a practice team recorded.
    rows = database.query(
        "SELECT g.college, g.tribe, COUNT(a.activity_id), SUM(a.approved), SUM(a.rejections),"
        " SUM(a.participants), SUM(a.attended), SUM(a.no_shows) FROM"
        " (SELECT COALESCE(college, '') AS college, tribe FROM report_activities WHERE month = ?"
        " UNION SELECT COALESCE(c.college, ''), c.tribe FROM report_claims c"
        " JOIN report_backfills b ON b.claim_id = c.claim_id WHERE b.month = ?"
        " UNION SELECT COALESCE(college, ''), tribe FROM report_cadres WHERE month = ?"
        " UNION SELECT COALESCE(college, ''), tribe FROM report_practice WHERE month = ?) g"
        " LEFT JOIN report_activities a ON COALESCE(a.college, '') = g.college"
        " AND a.tribe = g.tribe AND a.month = ?"
        f" WHERE {where} GROUP BY g.college, g.tribe ORDER BY 1, 2"
        + (" LIMIT ?" if limit is not None else ""),
        (*(month,) * 5, *groups, *((limit,) if limit is not None else ())),
    )
    if rows:
        last = (str(rows[-1][0]), str(rows[-1][1]))
        where = f"{where} AND (g.college, g.tribe) <= (?, ?)"
        groups = (*groups, *last)
    credits = database.query(
        "SELECT g.college, g.tribe, c.module, c.credit_type, SUM(c.amount)"
        " FROM report_credits c"
        " JOIN (SELECT activity_id, COALESCE(college, '') AS college, tribe"
        " FROM report_activities WHERE month = ?) g ON g.activity_id = c.activity_id"
        f" WHERE {where} GROUP BY g.college, g.tribe, c.module, c.credit_type"
        " ORDER BY 1, 2, 3, 4",
        (month, *groups),
    )
    backfills = database.query(
        "SELECT g.college, g.tribe, b.module, b.credit_type, SUM(b.amount)"
        " FROM report_backfills b"
        " JOIN (SELECT claim_id, COALESCE(college, '') AS college, tribe FROM report_claims) g"
        f" ON g.claim_id = b.claim_id WHERE b.month = ? AND {where}"
        " GROUP BY g.college, g.tribe, b.module, b.credit_type ORDER BY 1, 2, 3, 4",
        (month, *groups),
    )
    cadre = database.query(
        "SELECT g.college, g.tribe, g.module, g.credit_type, SUM(g.amount) FROM"
        " (SELECT COALESCE(college, '') AS college, tribe, module, credit_type, amount"
        " FROM report_cadres WHERE month = ?) g"
        f" WHERE {where} GROUP BY g.college, g.tribe, g.module, g.credit_type"
        " ORDER BY 1, 2, 3, 4",
        (month, *groups),
    )
    practice = {
        (str(group), str(tribe)): (int(teams), int(members or 0), units_amount(hours or 0))
        for group, tribe, teams, members, hours in database.query(
            "SELECT g.college, g.tribe, COUNT(*), SUM(g.members), SUM(g.amount) FROM"
            " (SELECT COALESCE(college, '') AS college, tribe, members, amount"
            " FROM report_practice WHERE month = ?) g"
            f" WHERE {where} GROUP BY g.college, g.tribe",
            (month, *groups),
        )
    }
    by_credits, by_backfills, by_cadre = _by_group(credits), _by_group(backfills), _by_group(cadre)
    report = []
    for group, tribe, count, approved, rejections, participants, attended, absent in rows:
        counted = int(attended or 0) + int(absent or 0)
        teams, members, hours = practice.get((group, tribe), (0, 0, Decimal(0)))
        report.append(
            MonthlyRow(
                group,
                tribe,
                int(count),
                int(approved or 0),
                int(rejections or 0),
                int(participants or 0),
                _rate(int(attended or 0), counted),
                _rate(int(absent or 0), counted),
                by_credits.get((group, tribe), ()),
                by_backfills.get((group, tribe), ()),
                by_cadre.get((group, tribe), ()),
                teams,
                members,
                hours,
            )
        )
    return report


def _by_group(
    rows: list[tuple[Any, ...]],
) -> dict[tuple[str, str], tuple[tuple[str, str, Decimal], ...]]:
    found: dict[tuple[str, str], list[tuple[str, str, Decimal]]] = {}
    for group, tribe, module, kind, amount in rows:
        amount = units_amount(amount)
        found.setdefault((group, tribe), []).append((str(module), str(kind), amount))
    return {key: tuple(value) for key, value in found.items()}


@attrs.frozen
class Shortfall:
    """A student below a graduation requirement: what is required, held and missing."""

    student_number: str
    name: str
    college: str
    cohort: int
    module: str
    credit_type: str
    required: Decimal
    held: Decimal

    @property
    def missing(self) -> Decimal:
        return self.required - self.held


def graduation_shortfall(
    database: ViewDatabase,
    requirements: Sequence[Requirement],
    college: str | None = None,
    cohort: int | None = None,
) -> list[Shortfall]:
    """Every student (of ``college``, of ``cohort``) below a requirement, by 学号 then the
    requirements' order; credits as the ``student_credits`` view holds them (补录 included)."""
    params: tuple[object, ...]
    where, params = "TRUE", ()
    if college is not None:
        where, params = f"{where} AND s.college = ?", (*params, college)
    if cohort is not None:
        where, params = f"{where} AND s.cohort = ?", (*params, cohort)
    found = []
    for order, requirement in enumerate(requirements):
        rows = database.query(
            "SELECT s.student_number, s.name, s.college, s.cohort, COALESCE(c.amount, 0)"
            " FROM student_summary s LEFT JOIN student_credits c"
            " ON c.student_number = s.student_number AND c.module = ? AND c.credit_type = ?"
            f" WHERE {where}",
            (requirement.module, requirement.credit_type, *params),
        )
        for number, name, group, year, amount in rows:
            held = units_amount(amount)
            if held < requirement.amount:
                shortfall = Shortfall(
                    str(number), str(name), str(group), int(str(year)),
                    requirement.module, requirement.credit_type, requirement.amount, held,
                )  # fmt: skip
                found.append((str(number), order, shortfall))
    return [shortfall for _number, _order, shortfall in sorted(found, key=lambda f: f[:2])]


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(Decimal("0.0001")) if whole else None


def safe_cell(value: Any) -> Any:
    """A value that a spreadsheet will show, never evaluate."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


SCHOOL_LEVEL = "校级组织"  # the 学院 cell of a school-level organization (no college)


@attrs.frozen
class Names:
    """What the files call things: the school, college names and module names by code."""

    school: str
    colleges: dict[str, str]
    modules: dict[str, str]


Column = tuple[str, str]  # (module, credit type): one type per column, never two added


@attrs.frozen
class Columns:
    """The columns after the fixed ones: the practice columns when a row has a practice team,
    then one credit column per module and credit type (学分 and 志愿时 are different units, so
    no column or total adds them): activity credits, 补录 credits, then cadre terms' credits,
    each in the rulebook's module order, then any other by code."""

    credits: list[Column]
    backfills: list[Column]
    cadre: list[Column] = attrs.field(factory=list)
    practice: bool = False

    @classmethod
    def of(cls, rows: list[MonthlyRow], names: Names) -> Columns:
        order = list(names.modules)

        def ordered(seen: set[Column]) -> list[Column]:
            return sorted(
                seen, key=lambda c: (order.index(c[0]) if c[0] in order else len(order), c)
            )

        return cls(
            ordered({(m, k) for row in rows for m, k, _ in row.credits}),
            ordered({(m, k) for row in rows for m, k, _ in row.backfills}),
            ordered({(m, k) for row in rows for m, k, _ in row.cadre}),
            any(row.practice_teams for row in rows),
        )

    def header(self, names: Names) -> list[str]:
        return [
            *HEADERS,
            *(PRACTICE_HEADERS if self.practice else ()),
            *(f"{names.modules.get(m, m)}（{k}）" for m, k in self.credits),
            *(f"{names.modules.get(m, m)}补录（{k}）" for m, k in self.backfills),
            *(f"{names.modules.get(m, m)}干部任期（{k}）" for m, k in self.cadre),
        ]

    def number_formats(self) -> list[str | None]:
        """Each column's spreadsheet number format (None: as it comes)."""
        rates = [None] * (len(HEADERS) - 2) + ["0.0%", "0.0%"]
        practice = ["0", "0", "0.0#"] if self.practice else []
        amounts = ["0.0#"] * (len(self.credits) + len(self.backfills) + len(self.cadre))
        return [*rates, *practice, *amounts]

    def exact(self, row: MonthlyRow) -> list[Decimal]:
        """The row's amounts after the fixed columns, exact: practice's, then credits."""
        credits = {(m, k): a for m, k, a in row.credits}
        backfills = {(m, k): a for m, k, a in row.backfills}
        cadre = {(m, k): a for m, k, a in row.cadre}
        practice = (row.practice_teams, row.practice_members, row.practice_hours)
        return [
            *(Decimal(n) for n in (practice if self.practice else ())),
            *(credits.get(c, Decimal(0)) for c in self.credits),
            *(backfills.get(c, Decimal(0)) for c in self.backfills),
            *(cadre.get(c, Decimal(0)) for c in self.cadre),
        ]

    def amounts(self, row: MonthlyRow) -> list[int | float]:
        """The same as spreadsheet numbers: counts as integers, amounts as floats."""
        return _numbers(self.exact(row), self.practice)


def _numbers(exact: list[Decimal], practice: bool) -> list[int | float]:
    counts = 2 if practice else 0  # 实践团队数 and 实践人次 are whole numbers
    return [int(a) if i < counts else float(a) for i, a in enumerate(exact)]


def _cells(row: MonthlyRow, columns: Columns, names: Names) -> list[Any]:
    """One row's values: counts as integers, rates as fractions (0.6667), practice's teams,
    members and 学时, credits as numbers in one column per module and type, 补录 and cadre
    terms' credits in their own columns."""
    return [
        names.colleges.get(row.college, row.college) if row.college else SCHOOL_LEVEL,
        row.tribe,
        row.published,
        row.approved,
        row.rejections,
        row.participants,
        None if row.attendance_rate is None else float(row.attendance_rate),
        None if row.no_show_rate is None else float(row.no_show_rate),
        *columns.amounts(row),
    ]


def _totals(rows: list[MonthlyRow], columns: Columns) -> list[Any]:
    def total(pick: Any) -> Any:
        return sum(pick(row) for row in rows)

    # Summed as decimals, each column on its own (0.01 + 2.01 is 2.02, not 2.0199999999999996).
    sums = [
        sum(amounts, Decimal(0)) for amounts in zip(*(columns.exact(r) for r in rows), strict=True)
    ]
    return [
        "合计",
        f"{len(rows)} 个组织",
        total(lambda r: r.published),
        total(lambda r: r.approved),
        total(lambda r: r.rejections),
        total(lambda r: r.participants),
        None,  # a rate does not add up; each row carries its own
        None,
        *_numbers(sums, columns.practice),  # no rows: no columns either
    ]


def to_xlsx(rows: list[MonthlyRow], month: str, names: Names, now: datetime) -> bytes:
    """The 学院月报 workbook: a title row (school and month), a frozen header, rates as
    numbers shown in percent, one numeric column per module's credits, a totals row, set
    widths; ``now`` stamps its properties (no wall clock, the same report gives the same
    cells)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    columns = Columns.of(rows, names)
    header = columns.header(names)
    book = Workbook()
    book.properties.created = book.properties.modified = now.replace(tzinfo=None)
    book.properties.creator = names.school
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{month} 学院月报"
    sheet.append([f"{names.school} {month} 第二课堂学院月报"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in [*(_cells(r, columns, names) for r in rows), _totals(rows, columns)]:
        sheet.append([safe_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it looks like
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    formats = columns.number_formats()
    for line in sheet.iter_rows(min_row=3):
        for cell, number_format in zip(line, formats, strict=True):
            if number_format is not None:
                cell.number_format = number_format
    for column, title in enumerate(header, start=1):
        wide = 26 if column == 2 else 16 if column == 1 else max(10, len(title) * 2 + 2)
        sheet.column_dimensions[get_column_letter(column)].width = wide
    sheet.freeze_panes = "C3"  # the title, the header and the names stay in view
    buffer = io.BytesIO()
    # Not book.save(): openpyxl's save_workbook stamps ``modified`` with the wall clock, so
    # the same report written a second later would differ.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return _stamped(buffer.getvalue(), now)


def _stamped(package: bytes, now: datetime) -> bytes:
    """The xlsx package with every member dated ``now``: openpyxl dates them by the wall
    clock, which would make the same report differ from one second to the next."""
    stamp = now.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as given, zipfile.ZipFile(out, "w") as written:
        for member in given.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            written.writestr(info, given.read(member.filename))
    return out.getvalue()


def to_csv(rows: list[MonthlyRow], names: Names) -> bytes:
    """The same table as CSV in UTF-8 with a BOM, so Excel on Chinese Windows reads it as
    UTF-8; rates as percent text with one decimal, credits as numbers."""
    columns = Columns.of(rows, names)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns.header(names))
    for row in [*(_cells(r, columns, names) for r in rows), _totals(rows, columns)]:
        shown = [
            "" if v is None else f"{v * 100:.1f}%" if i in (6, 7) else v for i, v in enumerate(row)
        ]
        writer.writerow([safe_cell(v) for v in shown])
    return buffer.getvalue().encode("utf-8-sig")


def participation_chart(
    database: ViewDatabase,
    names: Names,
    width: int = 800,
    height: int = 480,
    college: str | None = None,
) -> tuple[bytes, str]:
    """(PNG, SVG): participation (人次) per college per month, titled, labelled and with a
    legend in Chinese, set in the PDF's embedded font (``second_classroom.fonts``); below it,
    when any practice team was recorded, the 社会实践学时 per college per month in a second
    panel, each college in the same colour in both; of one ``college`` only when given. The
    SVG draws its glyphs as paths, so it needs no font."""
    plt, family = _pyplot()

    params: tuple[object, ...]
    where, params = "month IS NOT NULL", ()
    if college is not None:
        where, params = f"{where} AND COALESCE(college, '') = ?", (college,)
    rows = database.query(
        "SELECT COALESCE(college, ''), month, SUM(participants) FROM report_activities"
        f" WHERE {where} GROUP BY COALESCE(college, ''), month ORDER BY 2, 1",
        params,
    )
    practice = database.query(
        "SELECT COALESCE(college, ''), month, SUM(amount) FROM report_practice"
        f" WHERE {where} GROUP BY COALESCE(college, ''), month ORDER BY 2, 1",
        params,
    )
    months = sorted({m for _c, m, _n in [*rows, *practice]})
    colleges = sorted({c for c, _m, _n in [*rows, *practice]})
    counts = {(c, m): int(n or 0) for c, m, n in rows}
    # The bar's height only: the report's cells carry the exact 学时.
    hours = {(c, m): float(units_amount(n)) for c, m, n in practice}
    with plt.rc_context({"font.family": family, "svg.hashsalt": "second_classroom"}):
        panels = 2 if practice else 1
        figure, found = plt.subplots(
            panels, 1, figsize=(width / 100, height / 100), dpi=100, sharex=True, squeeze=False
        )
        axes = found[0][0]
        step = 0.8 / max(len(colleges), 1)
        colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]

        def bars(panel: Any, values: dict[tuple[str, str], Any], labelled: bool) -> None:
            for index, code in enumerate(colleges):
                xs = [m + index * step for m in range(len(months))]
                label = names.colleges.get(code, code) if code else SCHOOL_LEVEL
                heights = [values.get((code, month), 0) for month in months]
                colour = colours[index % len(colours)]
                panel.bar(xs, heights, step, label=label if labelled else None, color=colour)
            # Counts and hours are never negative: the axis starts at 0, and a panel with
            # nothing to show says so instead of drawing matplotlib's ±0.05 around zero.
            if any(values.values()):
                panel.set_ylim(bottom=0)
            else:
                panel.set_ylim(0, 1)
                panel.text(0.5, 0.5, "无记录", transform=panel.transAxes, ha="center")

        bars(axes, counts, True)
        axes.yaxis.get_major_locator().set_params(integer=True)  # 人次 are whole people
        axes.set_ylabel("参与人次")
        if practice:
            below = found[1][0]
            bars(below, hours, False)
            below.set_ylabel("社会实践学时")
            figure.suptitle(f"{names.school} 各学院每月第二课堂参与人次与社会实践学时")
        else:
            below = axes
            axes.set_title(f"{names.school} 各学院每月第二课堂参与人次")
        below.set_xticks([m + 0.4 - step / 2 for m in range(len(months))], months)
        below.set_xlabel("月份")
        if colleges:
            axes.legend(title="学院")
        png, svg = io.BytesIO(), io.StringIO()
        figure.savefig(png, format="png", metadata={"Software": None})
        figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(figure)
    return png.getvalue(), svg.getvalue()


def _pyplot() -> tuple[Any, str]:
    """matplotlib's pyplot on the Agg backend with the embedded CJK font registered, and that
    font's family name; ``config.extra_missing`` naming ``[reports]`` without matplotlib."""
    from second_classroom import fonts
    from second_classroom.core.extras import require_extra

    require_extra("matplotlib", "reports", "学院月报图表 report chart")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = str(fonts.cjk_font_path())
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return plt, font_manager.FontProperties(fname=path).get_name()


__all__ = [
    "Names",
    "monthly_report",
    "participation_chart",
    "safe_cell",
    "table_rows",
    "to_csv",
    "to_xlsx",
]
