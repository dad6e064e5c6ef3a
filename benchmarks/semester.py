"""Semester: 20,000 students and 2,000 activities end to end (about 150k enrolments), views
included; then the consistency checks, a rebuild of every view from the semester log, and the
student-summary query on the full view.

Baselines, same run and same kind of store: the same stored rows inserted with plain ``sqlite3``
or ``psycopg`` executemany, one transaction per 1,000 rows; and a plain driver SELECT of every
stored ``state`` with ``json.loads`` of each.

    python benchmarks/semester.py [--students 20000 --activities 2000] [--batch 1]
                                  [--no-progress] [--repeat 3] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import (
    BenchStore,
    Meter,
    Row,
    add_store_option,
    events_table,
    max_rss_mb,
    repeated,
    report,
    summary,
)

from second_classroom.core.actor import Actor
from second_classroom.projections import queries
from second_classroom.service import SecondClassroom
from second_classroom.simulation import simulate

OFFICE = Actor.school_admin("T-bench")  # reads as the school office


def stored_rows(service: SecondClassroom) -> Iterator[Row]:
    """Every stored event of the log as a raw row, in notification order, a page at a time."""
    start = 1
    while True:
        page = service.app.recorder.select_notifications(start, 10_000)
        if not page:
            return
        yield from ((str(n.originator_id), n.originator_version, n.topic, n.state) for n in page)
        start = page[-1].id + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=1, help="commands per transaction")
    parser.add_argument("--no-progress", action="store_true")
    add_store_option(parser)
    args = parser.parse_args()
    result = repeated(args.repeat, lambda: run(args), "wall_s")
    report({**result, "max_rss_mb": max_rss_mb()})
    if result["over_admission"] or result["ledger_view_mismatches"]:
        raise SystemExit("semester consistency check failed")
    if not result["views_equal_rebuild"]:
        raise SystemExit("semester consistency check failed")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One semester on a fresh store, its checks, a rebuild, and the raw baselines."""
    with BenchStore(args.postgres) as store, store.open() as service:
        with Meter(service) as meter:
            began = time.perf_counter()
            semester = simulate(
                service,
                args.students,
                args.activities,
                bars=not args.no_progress,
                batch=args.batch,
            )
            wall = time.perf_counter() - began
        commands = sum(stage.commands for stage in semester.stages)
        # Digests, not the rows: a copy of every view table would hold gigabytes.
        live = service.views.runner.digests()
        began, cpu = time.perf_counter(), time.process_time()
        service.views.runner.rebuild()
        rebuild = time.perf_counter() - began
        rebuild_cpu = (time.process_time() - cpu) / max(semester.events, 1) * 1e6
        rebuilt_equal = service.views.runner.digests() == live
        rebuild_rss = max_rss_mb()

        rng = random.Random(5)
        database = service.views.database
        numbers = sorted(
            str(r[0]) for r in database.query("SELECT student_number FROM student_summary")
        )
        sample = rng.sample(numbers, min(2000, len(numbers)))
        query_times, facade_times = [], []
        for number in sample:
            started = time.perf_counter()
            queries.student_summary(database, number)
            query_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            service.student_summary(number, OFFICE)
            facade_times.append(time.perf_counter() - started)

        raw_insert = store.raw_batched_insert(stored_rows(service))
        cpu = time.process_time()
        raw_read = store.raw_select_decode(events_table(service))
        raw_read_cpu = (time.process_time() - cpu) / max(semester.events, 1) * 1e6
    events_per_s = semester.events / wall
    return {
        "benchmark": "semester",
        "store": store.label,
        "students": args.students,
        "batch": args.batch,
        "activities": args.activities,
        "events": semester.events,
        "commands": commands,
        "enrolments": dict(semester.view_rows).get("my_activities", 0),
        "wall_s": round(wall, 1),
        "events_per_s": round(events_per_s, 1),
        "raw_batched_insert_rows_per_s": round(raw_insert, 1),
        "ratio_to_raw_insert": round(events_per_s / raw_insert, 4),
        **meter.figures(commands),
        "stages_commands_per_s": {s.name: round(s.commands_per_s, 1) for s in semester.stages},
        "stages_commands_s": {s.name: [s.commands, round(s.seconds, 1)] for s in semester.stages},
        "stages_max_rss_mb": {s.name: s.max_rss_mb for s in semester.stages},
        "checks_max_rss_mb": semester.peak_rss_mb,
        "rebuild_max_rss_mb": rebuild_rss,
        "over_admission": semester.over_admitted,
        "ledger_view_mismatches": semester.ledger_mismatches,
        "views_equal_rebuild": rebuilt_equal,
        "rebuild_events_per_s": round(semester.events / rebuild, 1),
        "raw_select_decode_rows_per_s": round(raw_read, 1),
        "rebuild_ratio_to_raw": round(semester.events / rebuild / raw_read, 4),
        "rebuild_cpu_us_per_event": round(rebuild_cpu, 1),
        "raw_select_decode_cpu_us_per_row": round(raw_read_cpu, 2),
        "rebuild_cpu_ratio_to_raw": round(raw_read_cpu / rebuild_cpu, 4) if rebuild_cpu else 0.0,
        "student_summary_query": summary(query_times),
        "student_summary_facade": summary(facade_times),
    }


if __name__ == "__main__":
    main()
