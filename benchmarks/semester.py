"""Semester: 20,000 students and 2,000 activities end to end (about 150k enrolments), views
included; then the consistency checks, a rebuild of every view from the semester log, and the
student-summary query on the full view. Baselines, same run: a raw batched insert of the same
stored rows, and a raw SELECT + JSON decode of them.

    python benchmarks/semester.py [--students 20000 --activities 2000] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import report, summary

from second_classroom.projections import queries
from second_classroom.service import SecondClassroom
from second_classroom.simulation import simulate

BATCH = 1000
Row = tuple[str, int, str, bytes]
TABLES = (
    "audit_log",
    "student_summary",
    "student_credits",
    "activity_board",
    "my_activities",
    "notice_outbox",
    "report_activities",
    "report_credits",
    "organizer_workload",
    "workload_people",
)


@contextmanager
def opened(folder: Path, dsn: str | None) -> Iterator[SecondClassroom]:
    """An SQLite file in ``folder``, or a throwaway PostgreSQL schema."""
    if not dsn:
        with SecondClassroom.sqlite(folder / "semester.sqlite3") as service:
            yield service
        return
    import psycopg

    from second_classroom.persistence.stores import postgres_env

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        with SecondClassroom.open(postgres_env(dsn, schema), secret=bytes(32)) as service:
            yield service
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def stored_rows(service: SecondClassroom) -> list[Row]:
    rows, start = [], 1
    while True:
        page = service.app.recorder.select_notifications(start, 10_000)
        if not page:
            return rows
        rows += [(str(n.originator_id), n.originator_version, n.topic, n.state) for n in page]
        start = page[-1].id + 1


def raw_batched_insert(
    rows: list[tuple[str, int, str, bytes]], folder: Path, dsn: str | None
) -> float:
    """Rows per second: the same rows, plain executemany, one transaction per 1,000."""
    create = (
        "CREATE TABLE raw_events (id TEXT, v INTEGER, topic TEXT, state BYTEA, PRIMARY KEY (id, v))"
    )
    if not dsn:
        db = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(create.replace("BYTEA", "BLOB"))
        began = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            db.execute("BEGIN")
            db.executemany("INSERT INTO raw_events VALUES (?, ?, ?, ?)", rows[i : i + BATCH])
            db.execute("COMMIT")
        elapsed = time.perf_counter() - began
        db.close()
        return len(rows) / elapsed
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TEMPORARY TABLE " + create.removeprefix("CREATE TABLE "))
        conn.commit()
        began = time.perf_counter()
        with conn.cursor() as cursor:
            for i in range(0, len(rows), BATCH):
                cursor.executemany(
                    "INSERT INTO raw_events VALUES (%s, %s, %s, %s)", rows[i : i + BATCH]
                )
                conn.commit()
        return len(rows) / (time.perf_counter() - began)


def raw_select_decode(service: SecondClassroom) -> float:
    """Rows per second: read the whole log through the recorder and decode each row's JSON."""
    began, count, start = time.perf_counter(), 0, 1
    while True:
        page = service.app.recorder.select_notifications(start, 2000)
        if not page:
            break
        count += len([json.loads(n.state) for n in page])
        start = page[-1].id + 1
    return count / (time.perf_counter() - began)


def views_snapshot(service: SecondClassroom) -> dict[str, list[tuple[Any, ...]]]:
    database = service.views.database
    return {table: queries.table_rows(database, table) for table in TABLES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=2_000)
    parser.add_argument("--postgres", help="run on PostgreSQL instead of an SQLite file")
    parser.add_argument("--batch", type=int, default=1, help="commands per transaction")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, opened(Path(name), args.postgres) as service:
        folder = Path(name)
        began = time.perf_counter()
        semester = simulate(service, args.students, args.activities, bars=not args.no_progress)
        wall = time.perf_counter() - began

        live = views_snapshot(service)
        began = time.perf_counter()
        service.views.runner.rebuild()
        rebuild = time.perf_counter() - began
        rebuilt_equal = views_snapshot(service) == live

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
            service.views.student_summary(number)
            facade_times.append(time.perf_counter() - started)

        rows = stored_rows(service)
        raw_insert = raw_batched_insert(rows, folder, args.postgres)
        raw_read = raw_select_decode(service)
    events_per_s = semester.events / wall
    report(
        {
            "benchmark": "semester",
            "store": "postgres" if args.postgres else "sqlite-file",
            "students": args.students,
            "batch": args.batch,
            "activities": args.activities,
            "events": semester.events,
            "commands": sum(stage.commands for stage in semester.stages),
            "enrolments": dict(semester.view_rows).get("my_activities", 0),
            "wall_s": round(wall, 1),
            "events_per_s": round(events_per_s, 1),
            "peak_rss_mb": semester.peak_rss_mb,
            "raw_batched_insert_rows_per_s": round(raw_insert, 1),
            "ratio_to_raw_insert": round(events_per_s / raw_insert, 4),
            "stages_commands_per_s": {s.name: round(s.commands_per_s, 1) for s in semester.stages},
            "over_admission": semester.over_admitted,
            "ledger_view_mismatches": semester.ledger_mismatches,
            "views_equal_rebuild": rebuilt_equal,
            "rebuild_events_per_s": round(semester.events / rebuild, 1),
            "raw_select_decode_rows_per_s": round(raw_read, 1),
            "rebuild_ratio_to_raw": round(semester.events / rebuild / raw_read, 4),
            "student_summary_query": summary(query_times),
            "student_summary_facade": summary(facade_times),
        }
    )
    if semester.over_admitted or semester.ledger_mismatches or not rebuilt_equal:
        raise SystemExit("semester consistency check failed")


if __name__ == "__main__":
    main()
