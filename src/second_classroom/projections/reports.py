"""Reports out: 学院月报 (seed 002: monthly college report) as rows, xlsx, CSV and a chart.

Spreadsheet cells that start with ``= + - @`` (or a tab/CR) are written as text, so a title
like ``=HYPERLINK(...)`` can never run as a formula in Excel (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from second_classroom.policies.graduation import Requirement
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
    "补录学分",
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
    backfills: tuple[tuple[str, Decimal], ...] = ()  # 补录: (module, amount) of confirmed claims


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
    # The month's groups: organizations with an activity, or with 补录 credits confirmed.
    rows = database.query(
        "SELECT g.college, g.tribe, COUNT(a.activity_id), SUM(a.approved), SUM(a.rejections),"
        " SUM(a.participants), SUM(a.attended), SUM(a.no_shows) FROM"
        " (SELECT COALESCE(college, '') AS college, tribe FROM report_activities WHERE month = ?"
        " UNION SELECT COALESCE(c.college, ''), c.tribe FROM report_claims c"
        " JOIN report_backfills b ON b.claim_id = c.claim_id WHERE b.month = ?) g"
        " LEFT JOIN report_activities a ON COALESCE(a.college, '') = g.college"
        " AND a.tribe = g.tribe AND a.month = ?"
        f" WHERE {where} GROUP BY g.college, g.tribe ORDER BY 1, 2"
        + (" LIMIT ?" if limit is not None else ""),
        (month, month, month, *groups, *((limit,) if limit is not None else ())),
    )
    if rows:
        last = (str(rows[-1][0]), str(rows[-1][1]))
        where = f"{where} AND (g.college, g.tribe) <= (?, ?)"
        groups = (*groups, *last)
    credits = database.query(
        "SELECT g.college, g.tribe, c.module, SUM(c.amount) FROM report_credits c"
        " JOIN (SELECT activity_id, COALESCE(college, '') AS college, tribe"
        " FROM report_activities WHERE month = ?) g ON g.activity_id = c.activity_id"
        f" WHERE {where} GROUP BY g.college, g.tribe, c.module ORDER BY 1, 2, 3",
        (month, *groups),
    )
    backfills = database.query(
        "SELECT g.college, g.tribe, b.module, SUM(b.amount) FROM report_backfills b"
        " JOIN (SELECT claim_id, COALESCE(college, '') AS college, tribe FROM report_claims) g"
        f" ON g.claim_id = b.claim_id WHERE b.month = ? AND {where}"
        " GROUP BY g.college, g.tribe, b.module ORDER BY 1, 2, 3",
        (month, *groups),
    )
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
                _by_group(credits).get((group, tribe), ()),
                _by_group(backfills).get((group, tribe), ()),
            )
        )
    return report


def _by_group(
    rows: list[tuple[Any, ...]],
) -> dict[tuple[str, str], tuple[tuple[str, Decimal], ...]]:
    found: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
    for group, tribe, module, amount in rows:
        found.setdefault((group, tribe), []).append((module, Decimal(str(amount)).normalize()))
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
            held = Decimal(str(amount)).normalize()
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


def _cells(row: MonthlyRow, college_names: dict[str, str]) -> list[Any]:
    def percent(rate: Decimal | None) -> str:
        return "" if rate is None else f"{rate * 100:.1f}%"

    credits = "；".join(f"{module} {amount}" for module, amount in row.credits)
    backfills = "；".join(f"{module} {amount}" for module, amount in row.backfills)
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
        backfills,
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
