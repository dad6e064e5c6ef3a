"""补录 list template (seed 001 附件4): ``backfill.check`` and ``backfill.import_list`` of an
N-row filled template, against openpyxl reading the same file alone (read-only, values only)
in the same run; the import's CPU by phase and commit time (``Meter``; it is one command).

    python benchmarks/backfill_template.py [--rows 5000] [--results FILE]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import attrs
import openpyxl

sys.path.insert(0, str(Path(__file__).parent))

from common import RESULTS, SECRET, Meter, report

from second_classroom import backfill
from second_classroom.aggregates.claim import FileCollectiveClaim, ReviewClaim
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.aggregates.tribe import AppointTribeRole, CreateTribe, TribeRole
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.core.time import SHANGHAI
from second_classroom.persistence.stores import sqlite_env
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.rulebook import Rulebook, preset
from second_classroom.service import SecondClassroom

CLAIMS = """
[claims]
[[claims.chains]]
kind = "collective"
list_import = true
steps = [
  { name = "指导老师", role = "advisor", scope = "tribe" },
  { name = "第二课堂指导与服务中心", role = "school_admin" },
]
"""
CENTER = Actor.school_admin("T-center")
LEADER = Actor.student("2026999999")
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)


def rulebook(rows: int) -> Rulebook:
    # NEPU's world without its roles list: the chain's 指导老师 is not one of NEPU's roles
    nepu = attrs.evolve(preset("nepu"), roles=())
    head = nepu.to_toml().split("\n[claims]\n")[0]
    limits = f"template_max_rows = {rows}\n"
    return Rulebook.from_toml(head + CLAIMS.replace("[claims]\n", "[claims]\n" + limits))


def school(service: SecondClassroom, rows: int) -> UUID:
    """N students, a union and an approved collective claim for all of them."""
    numbers = [f"2026{i:06d}" for i in range(rows)]
    with service.batch():
        for number in [*numbers, LEADER.person_id]:
            command = RegisterStudent(number, f"学生{number[-4:]}", "PE", "石工26-1班", 2026)
            service.execute(command, CENTER, NOW)
    union = CreateTribe(
        "PE-SU", "石油工程学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "PE"
    )
    service.execute(union, CENTER, NOW)
    service.execute(
        AppointTribeRole(union.tribe_id, LEADER.person_id, TribeRole.LEADER), CENTER, NOW
    )
    credit = (PlannedCredit("volunteering", "学分", Decimal("0.5")),)
    held = NOW.replace(day=6)
    filing = FileCollectiveClaim(
        union.tribe_id, "cleanup", "校园清洁志愿活动", "校园", held, held,
        "志愿公益", "第3项", credit, tuple(numbers), "未在系统发布", "13800000000",
    )  # fmt: skip
    service.execute(filing, LEADER, NOW)
    advisor = Actor("T-advisor", {Role(RoleKind.ADVISOR, str(union.tribe_id))})
    service.execute(ReviewClaim(filing.claim_id, True), advisor, NOW)
    service.execute(ReviewClaim(filing.claim_id, True), CENTER, NOW)
    return filing.claim_id


def filled(rules: Rulebook, rows: int) -> bytes:
    """The template with one row per student from row 7."""
    out = io.BytesIO()
    backfill.write_template(rules, out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    sheet = book.worksheets[0]
    for i in range(rows):
        number = f"2026{i:06d}"
        values = (number, f"学生{number[-4:]}", "2026/3/6", None, "校园清洁志愿活动", "志愿公益",
                  "志愿公益", "院系级", None, "学分", 0.5)  # fmt: skip
        for column, value in enumerate(values, start=1):
            sheet.cell(backfill.FIRST_DATA_ROW + i, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def openpyxl_alone(data: bytes) -> float:
    began = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert count > 0
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    rules = rulebook(args.rows)
    data = filled(rules, args.rows)
    with tempfile.TemporaryDirectory() as folder:
        env = sqlite_env(Path(folder) / "bench.sqlite3")
        with SecondClassroom.open(env, rules, secret=SECRET) as service:
            claim_id = school(service, args.rows)
            raw = openpyxl_alone(data)
            began = time.perf_counter()
            checked = service.check_backfill(data, Actor.system())
            checking = time.perf_counter() - began
            assert checked.ok
            assert len(checked.rows) == args.rows
            with Meter(service) as meter:
                began = time.perf_counter()
                outcome = backfill.import_list(service, data, claim_id, CENTER, NOW)
                importing = time.perf_counter() - began
            assert len(outcome.events) == 2 + args.rows
    report(
        {
            "benchmark": "backfill_template",
            "store": "sqlite-file",
            "rows": args.rows,
            "file_bytes": len(data),
            "raw_openpyxl_rows_per_s": round(args.rows / raw, 1),
            "check_rows_per_s": round(args.rows / checking, 1),
            "import_rows_per_s": round(args.rows / importing, 1),
            "ratio_check_to_openpyxl": round(raw / checking, 3),
            "ratio_import_to_openpyxl": round(raw / importing, 3),
            # the import is one command (every row in one append): its CPU by phase
            **{f"import_{key}": value for key, value in meter.figures(1).items()},
        },
        args.results,
    )


if __name__ == "__main__":
    main()
