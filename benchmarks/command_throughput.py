"""Command throughput: N students registered through the facade, one command each (one event,
one stream per command), the write path every later issue builds on.

Baseline, same run and same kind of store: plain ``sqlite3`` (WAL) or ``psycopg`` inserting rows
of the stored payload sizes, one row per commit, into a table shaped like eventsourcing's.

    python benchmarks/command_throughput.py [--n 2000] [--postgres DSN] [--results FILE]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import (
    RESULTS,
    BenchStore,
    Meter,
    add_store_option,
    events_table,
    max_rss_mb,
    repeated,
    report,
    summary,
)

from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI

START = datetime(2026, 9, 1, 8, 0, tzinfo=SHANGHAI)
ADMIN = Actor.school_admin("T-bench")


def run_facade(store: BenchStore, n: int) -> tuple[float, list[float], list[int], Meter]:
    """Seconds in total, per-command latencies, the stored payload sizes, where the CPU
    went."""
    latencies: list[float] = []
    with store.open() as service:
        with Meter(service) as meter:
            began = time.perf_counter()
            for i in range(n):
                command = RegisterStudent(f"2026{i:06d}", f"学生{i}", "PE", "石工26-1班", 2026)
                t0 = time.perf_counter()
                service.execute(command, ADMIN, START + timedelta(seconds=i))
                latencies.append(time.perf_counter() - t0)
            total = time.perf_counter() - began
        table = events_table(service)
    return total, latencies, store.stored_sizes(table), meter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--results", type=Path, default=RESULTS)
    add_store_option(parser)
    args = parser.parse_args()
    result = repeated(args.repeat, lambda: run(args), "ratio_facade_to_raw")
    report({**result, "max_rss_mb": max_rss_mb()}, args.results)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One run on a fresh store, then the raw baseline."""
    with BenchStore(args.postgres) as store:
        facade_s, latencies, sizes, meter = run_facade(store, args.n)
        raw = store.raw_one_row_per_commit(sizes)
    facade = args.n / facade_s
    return {
        "benchmark": "command_throughput",
        "store": store.label,
        "commands": args.n,
        "facade_commands_per_s": round(facade, 1),
        "raw_rows_per_s": round(raw, 1),
        "ratio_facade_to_raw": round(facade / raw, 3),
        **summary(latencies),
        "mean_payload_bytes": round(statistics.mean(sizes), 1),
        **meter.figures(args.n),
    }


if __name__ == "__main__":
    main()
