"""Shared pieces of the benchmark scripts: timing, baselines, results file."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from second_classroom.core.time import SHANGHAI

RESULTS = Path(
    os.environ.get("SECOND_CLASSROOM_BENCH_RESULTS", Path(__file__).with_name("results.jsonl"))
)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def raw_one_row_per_commit(path: Path, sizes: Sequence[int]) -> float:
    """Rows per second: plain sqlite3, WAL like eventsourcing, one row per commit."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE e (id TEXT, v INTEGER, topic TEXT, state BLOB, PRIMARY KEY (id, v))")
    began = time.perf_counter()
    for size in sizes:
        db.execute("BEGIN")
        db.execute("INSERT INTO e VALUES (?, 1, 't', ?)", (uuid4().hex, b"x" * size))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - began
    db.close()
    return len(sizes) / elapsed


def stored_sizes(path: Path, limit: int = 100_000) -> list[int]:
    db = sqlite3.connect(path)
    sizes = [len(row[0]) for row in db.execute("SELECT state FROM stored_events LIMIT ?", (limit,))]
    db.close()
    return sizes


def report(result: dict[str, Any], results: Path = RESULTS) -> None:
    result = {
        **result,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
    }
    for key, value in result.items():
        print(f"{key:>32}: {value}")
    with results.open("a", encoding="utf-8") as out:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")


def summary(latencies: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
    }
