"""Command throughput through the facade on an SQLite file, against raw sqlite3 in the same run.

Workload: N students registered one command each (one event, one stream per command), the
write path every later issue builds on. Baseline: plain ``sqlite3`` inserting rows of the same
payload size, one row per commit, into a table with the same unique key.

    python benchmarks/command_throughput.py [--n 2000] [--results benchmarks/results.jsonl]
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).parent))

from common import RESULTS

from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI
from second_classroom.service import SecondClassroom

START = datetime(2026, 9, 1, 8, 0, tzinfo=SHANGHAI)
ADMIN = Actor.school_admin("T-bench")


def run_facade(path: Path, n: int) -> tuple[float, list[float], list[int]]:
    """Seconds in total, per-command latencies, and stored payload sizes."""
    latencies: list[float] = []
    with SecondClassroom.sqlite(path) as service:
        began = time.perf_counter()
        for i in range(n):
            command = RegisterStudent(f"2026{i:06d}", f"学生{i}", "PE", "石工26-1班", 2026)
            t0 = time.perf_counter()
            service.execute(command, ADMIN, START + timedelta(seconds=i))
            latencies.append(time.perf_counter() - t0)
        total = time.perf_counter() - began
    sizes = [
        len(row[0]) for row in sqlite3.connect(path).execute("SELECT state FROM stored_events")
    ]
    return total, latencies, sizes


def run_raw(path: Path, sizes: list[int]) -> float:
    """Raw sqlite3: one row per commit, same payload sizes, same unique key, and the same
    journal mode (WAL) that eventsourcing's SQLite datastore switches a file to."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE events (id TEXT, version INTEGER, topic TEXT, state BLOB, "
        "PRIMARY KEY (id, version))"
    )
    began = time.perf_counter()
    for size in sizes:
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO events VALUES (?, 1, 'StudentRegistered', ?)", (uuid4().hex, b"x" * size)
        )
        db.execute("COMMIT")
    total = time.perf_counter() - began
    db.close()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        facade_s, latencies, sizes = run_facade(Path(folder) / "facade.sqlite3", args.n)
        raw_s = run_raw(Path(folder) / "raw.sqlite3", sizes)
    ordered = sorted(latencies)
    result = {
        "benchmark": "command_throughput",
        "store": "sqlite-file",
        "commands": args.n,
        "facade_commands_per_s": round(args.n / facade_s, 1),
        "raw_rows_per_s": round(args.n / raw_s, 1),
        "ratio_facade_to_raw": round(raw_s / facade_s, 3),
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3),
        "mean_payload_bytes": round(statistics.mean(sizes), 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
    }
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    with args.results.open("a", encoding="utf-8") as out:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
