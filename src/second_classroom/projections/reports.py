"""Reports out: 学院月报 (seed 002: monthly college report) as rows, xlsx, CSV and a chart.

Spreadsheet cells that start with ``= + - @`` (or a tab/CR) are written as text, so a title
like ``=HYPERLINK(...)`` can never run as a formula in Excel (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
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


def _cells(row: MonthlyRow, college_names: dict[str, str]) -> list[Any]:
    def percent(rate: Decimal | None) -> str:
        return "" if rate is None else f"{rate * 100:.1f}%"

    credits = "；".join(f"{module} {amount}" for module, amount in row.credits)
    return [
        college_names.get(row.college, row.college),
        row.tribe,
        row.published,
        row.approved,
        row.rejections,
        row.participants,
        percent(row.attendance_rate),
        percent(row.no_show_rate),
        credits,
    ]


def to_xlsx(rows: list[MonthlyRow], month: str, college_names: dict[str, str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{month} 学院月报"
    sheet.append(list(HEADERS))
    for row in rows:
        values = [safe_cell(v) for v in _cells(row, college_names)]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it looks like
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(rows: list[MonthlyRow], college_names: dict[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([safe_cell(v) for v in _cells(row, college_names)])
    return buffer.getvalue()


def participation_chart(
    database: ViewDatabase,
    college_names: dict[str, str],
    width: int = 800,
    height: int = 480,
    college: str | None = None,
) -> bytes:
    """PNG: participation (人次) per college per month — people would rather look than read;
    of one ``college`` only when given."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

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
    figure, axes = plt.subplots(figsize=(width / 100, height / 100), dpi=100)
    cjk = [f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name or "Hei" in f.name]
    if cjk:
        plt.rcParams["font.sans-serif"] = [cjk[0]]
    step = 0.8 / max(len(colleges), 1)
    for index, college in enumerate(colleges):
        xs = [m + index * step for m in range(len(months))]
        label = college_names.get(college, college) if cjk else college
        axes.bar(xs, [counts.get((college, month), 0) for month in months], step, label=label)
    axes.set_xticks([m + 0.4 - step / 2 for m in range(len(months))], months)
    axes.set_ylabel("participants")
    axes.set_title("Participation per college per month")
    if colleges:
        axes.legend()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


__all__ = ["monthly_report", "participation_chart", "safe_cell", "table_rows", "to_csv", "to_xlsx"]
