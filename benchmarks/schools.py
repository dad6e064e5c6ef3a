"""Many schools on one PostgreSQL database: ``--schools`` schools (one schema each, through
``SecondClassroom.postgres(dsn, school=...)``) served by ``--processes`` OS processes, each
process taking its share of the schools in turn; commands/s per school and in total.

Baseline, same run and same database: one school alone, served by one process, the same
number of commands — so the ratio says what serving many schools at once gains. The serving
processes' CPU a command by phase, and the commit time, over all schools (``Meter``).

    python benchmarks/schools.py --postgres DSN [--schools 8 --processes 2 --n 300]
                                 [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).parent))

from common import Meter, failing_together, max_rss_mb, repeated, report, together

from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI
from second_classroom.service import SecondClassroom

START = datetime(2026, 9, 1, 8, 0, tzinfo=SHANGHAI)
ADMIN = Actor.school_admin("T-bench")


def serve(dsn: str, schools: list[str], n: int, start: Any, out: Any) -> None:
    """A worker process: open its schools, wait for the others, then run ``n`` commands in
    each, one school after another in turn; put each school's command time on ``out``."""
    opened: list[SecondClassroom] = []
    with failing_together(start, out):
        try:
            for school in schools:
                opened.append(SecondClassroom.postgres(dsn, school=school, secret=os.urandom(32)))
            start.wait()
            spent = dict.fromkeys(schools, 0.0)
            # The meter wraps the classes: it counts every school this process serves.
            with Meter(opened[0]) as meter:
                for i in range(n):
                    for school, service in zip(schools, opened, strict=True):
                        command = RegisterStudent(
                            f"2026{i:06d}", f"学生{i}", "PE", "石工26-1班", 2026
                        )
                        began = time.perf_counter()
                        service.execute(command, ADMIN, START + timedelta(seconds=i))
                        spent[school] += time.perf_counter() - began
            out.put((spent, meter.raw()))
        finally:
            for service in opened:
                service.close()


def drive(
    dsn: str, schools: list[str], processes: int, n: int
) -> tuple[float, dict[str, float], dict[str, Any]]:
    """The wall time for every school's ``n`` commands from ``processes`` processes, the
    time each school's commands took, and the processes' CPU a command by phase."""
    shares = [(dsn, schools[k::processes], n) for k in range(processes)]
    wall, results = together(serve, shares, "serving")
    spent: dict[str, float] = {}
    for taken, _meter in results:
        spent.update(taken)
    return wall, spent, Meter.combined([meter for _taken, meter in results], len(schools) * n)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every school at once, then one school alone; the schemas are dropped afterwards."""
    import psycopg

    tag = uuid4().hex[:8]
    schools = [f"bench_{tag}_{k}" for k in range(args.schools)]
    alone = f"bench_{tag}_alone"
    try:
        wall, spent, metered = drive(args.postgres, schools, args.processes, args.n)
        alone_wall, _, _ = drive(args.postgres, [alone], 1, args.n)
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            for schema in [*schools, alone]:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    total = args.schools * args.n / wall
    one = args.n / alone_wall
    per_school = [args.n / seconds for seconds in spent.values()]
    return {
        "benchmark": "schools",
        "store": "postgres",
        "schools": args.schools,
        "processes": args.processes,
        "commands_per_school": args.n,
        "total_commands_per_s": round(total, 1),
        "per_school_commands_per_s_median": round(statistics.median(per_school), 1),
        "per_school_commands_per_s_min": round(min(per_school), 1),
        "raw_one_school_one_process_commands_per_s": round(one, 1),
        "ratio_total_to_one_school": round(total / one, 3),
        **metered,  # every school's commands, all processes' CPU
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", metavar="DSN", required=True)
    parser.add_argument("--schools", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--n", type=int, default=300, help="commands per school")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not 1 <= args.processes <= args.schools:
        parser.error("--processes must be 1 to --schools (a process serves its share of them)")
    result = repeated(args.repeat, lambda: run(args), "total_commands_per_s")
    report({**result, "max_rss_mb": max_rss_mb()})


if __name__ == "__main__":
    main()
