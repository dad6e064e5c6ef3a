"""Reports out: 学院月报 (seed 002: monthly college report) as rows, xlsx, CSV and a chart.

Spreadsheet cells that start with ``= + - @`` (or a tab/CR) are written as text, so a title
like ``=HYPERLINK(...)`` can never run as a formula in Excel (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from second_classroom.projections.database import ViewDatabase
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
    "学分发放",
)
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
    credits: tuple[tuple[str, Decimal], ...]  # (module, amount)


def monthly_report(
    database: ViewDatabase,
    month: str,
    college: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> list[MonthlyRow]:
    """学院月报 for ``month`` ("2026-12"): per college and organization, in that order;
    optionally one college's, those after the (college, organization) ``after``, ``limit``."""
    params: tuple[object, ...]
    where, params = "month = ?", (month,)
    if college is not None:
        where, params = f"{where} AND COALESCE(college, '') = ?", (*params, college)
    if after is not None:
        where, params = f"{where} AND (COALESCE(college, ''), tribe) > (?, ?)", (*params, *after)
    rows = database.query(
        "SELECT COALESCE(college, ''), tribe, COUNT(*), SUM(approved), SUM(rejections),"
        " SUM(participants), SUM(attended), SUM(no_shows) FROM report_activities"
        f" WHERE {where} GROUP BY COALESCE(college, ''), tribe ORDER BY 1, 2"
        + (" LIMIT ?" if limit is not None else ""),
        (*params, limit) if limit is not None else params,
    )
    if rows:
        last = (str(rows[-1][0]), str(rows[-1][1]))
        where = f"{where} AND (COALESCE(college, ''), tribe) <= (?, ?)"
        params = (*params, *last)
    credits = database.query(
        "SELECT COALESCE(a.college, ''), a.tribe, c.module, SUM(c.amount) FROM report_credits c"
        f" JOIN (SELECT * FROM report_activities WHERE {where}) a"
        " ON a.activity_id = c.activity_id"
        " GROUP BY COALESCE(a.college, ''), a.tribe, c.module ORDER BY 1, 2, 3",
        params,
    )
    by_group: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
    for group, tribe, module, amount in credits:
        by_group.setdefault((group, tribe), []).append((module, Decimal(str(amount)).normalize()))
    report = []
    for group, tribe, count, approved, rejections, participants, attended, absent in rows:
        counted = int(attended or 0) + int(absent or 0)
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
                tuple(by_group.get((group, tribe), ())),
            )
        )
    return report


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


def _modules(rows: list[MonthlyRow], names: Names) -> list[str]:
    """Every module credited in ``rows``, in the rulebook's order, then any other by code."""
    seen = {module for row in rows for module, _ in row.credits}
    order = list(names.modules)
    return sorted(seen, key=lambda m: (order.index(m) if m in order else len(order), m))


def _header(modules: list[str], names: Names) -> list[str]:
    return [*HEADERS[:-1], *(f"{names.modules.get(m, m)}学分" for m in modules)]


def _cells(row: MonthlyRow, modules: list[str], names: Names) -> list[Any]:
    """One row's values: counts as integers, rates as fractions (0.6667), credits as numbers
    in one column per module."""
    amounts = dict(row.credits)
    return [
        names.colleges.get(row.college, row.college) if row.college else SCHOOL_LEVEL,
        row.tribe,
        row.published,
        row.approved,
        row.rejections,
        row.participants,
        None if row.attendance_rate is None else float(row.attendance_rate),
        None if row.no_show_rate is None else float(row.no_show_rate),
        *(float(amounts[m]) if m in amounts else 0.0 for m in modules),
    ]


def _totals(rows: list[MonthlyRow], modules: list[str]) -> list[Any]:
    def total(pick: Any) -> Any:
        return sum(pick(row) for row in rows)

    return [
        "合计",
        f"{len(rows)} 个组织",
        total(lambda r: r.published),
        total(lambda r: r.approved),
        total(lambda r: r.rejections),
        total(lambda r: r.participants),
        None,  # a rate does not add up; each row carries its own
        None,
        *(
            float(sum((dict(r.credits).get(m, Decimal(0)) for r in rows), Decimal(0)))
            for m in modules
        ),
    ]


def to_xlsx(rows: list[MonthlyRow], month: str, names: Names, now: datetime) -> bytes:
    """The 学院月报 workbook: a title row (school and month), a frozen header, rates as
    numbers shown in percent, one numeric column per module's credits, a totals row, set
    widths; ``now`` stamps its properties (no wall clock, the same report gives the same
    cells)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    modules = _modules(rows, names)
    header = _header(modules, names)
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
    for row in [*(_cells(r, modules, names) for r in rows), _totals(rows, modules)]:
        sheet.append([safe_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it looks like
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=3):
        for column, cell in enumerate(line, start=1):
            if column in (7, 8):
                cell.number_format = "0.0%"
            elif column > len(HEADERS) - 1:
                cell.number_format = "0.0#"
    for column, title in enumerate(header, start=1):
        wide = 26 if column == 2 else 16 if column == 1 else max(10, len(title) * 2 + 2)
        sheet.column_dimensions[get_column_letter(column)].width = wide
    sheet.freeze_panes = "C3"  # the title, the header and the names stay in view
    buffer = io.BytesIO()
    book.save(buffer)
    return _stamped(buffer.getvalue(), now)


def _stamped(package: bytes, now: datetime) -> bytes:
    """The xlsx package with every member dated ``now``: openpyxl dates them by the wall
    clock, which would make the same report differ from one second to the next."""
    import zipfile

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
    modules = _modules(rows, names)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header(modules, names))
    for row in [*(_cells(r, modules, names) for r in rows), _totals(rows, modules)]:
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
    legend in Chinese, set in the PDF's embedded font (``second_classroom.fonts``); of one
    ``college`` only when given. The SVG draws its glyphs as paths, so it needs no font."""
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
    months = sorted({m for _c, m, _n in rows})
    colleges = sorted({c for c, _m, _n in rows})
    counts = {(c, m): int(n or 0) for c, m, n in rows}
    with plt.rc_context({"font.family": family, "svg.hashsalt": "second_classroom"}):
        figure, axes = plt.subplots(figsize=(width / 100, height / 100), dpi=100)
        step = 0.8 / max(len(colleges), 1)
        for index, code in enumerate(colleges):
            xs = [m + index * step for m in range(len(months))]
            label = names.colleges.get(code, code) if code else SCHOOL_LEVEL
            axes.bar(xs, [counts.get((code, month), 0) for month in months], step, label=label)
        axes.set_xticks([m + 0.4 - step / 2 for m in range(len(months))], months)
        axes.yaxis.get_major_locator().set_params(integer=True)  # 人次 are whole people
        axes.set_xlabel("月份")
        axes.set_ylabel("参与人次")
        axes.set_title(f"{names.school} 各学院每月第二课堂参与人次")
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
