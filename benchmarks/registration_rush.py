"""Registration rush: 5,000 students each register for one 报名制 activity (capacity 300) and
one of 20 lottery activities (Zipf popularity), through the facade, from ``--threads`` threads;
commands/s, latency p50/p99, and over-admission (must be 0).

Baseline, same run and same kind of store: plain ``sqlite3`` (WAL) or ``psycopg`` inserting as
many rows as commands ran, of the stored payload sizes, one row per commit, one thread.

    python benchmarks/registration_rush.py [--students 5000] [--threads 1] [--repeat 3]
                                          [--postgres DSN]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).parent))

from common import (
    BenchStore,
    Meter,
    add_store_option,
    events_table,
    max_rss_mb,
    repeated,
    report,
    summary,
)

from second_classroom.aggregates.enrolment import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod
from second_classroom.simulation import TERM_START, School

OPEN = TERM_START + timedelta(days=10)  # inside every registration window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=1)
    add_store_option(parser)
    args = parser.parse_args()
    result = repeated(
        args.repeat, lambda: run(args.students, args.threads, args.postgres), "ratio_to_raw"
    )
    report({**result, "max_rss_mb": max_rss_mb()})


def run(students: int, threads: int, dsn: str | None) -> dict[str, Any]:
    """One rush on a fresh store, and the raw baseline right after it on the same kind."""
    with BenchStore(dsn) as store, store.open() as service:
        school = School.found(service, students)
        union = school.unions[0]
        rush = school.publish(service, union, "rush", capacity=300)
        lotteries = [
            school.publish(
                service,
                school.unions[i % len(school.unions)],
                f"lottery-{i}",
                AdmissionMethod.LOTTERY,
            )
            for i in range(20)
        ]
        rng = random.Random(7)
        weights = [1 / (k + 1) for k in range(len(lotteries))]  # popularity skew (Zipf)
        plan = [
            (Actor.student(number), rush, rng.choices(lotteries, weights)[0])
            for number, _college in school.students
        ]
        rng.shuffle(plan)
        latencies: list[float] = []
        refused = 0
        lock = threading.Lock()

        def work(share: list[tuple[Actor, UUID, UUID]]) -> None:
            nonlocal refused
            for student, first, second in share:
                for activity in (first, second):
                    started = time.perf_counter()
                    try:
                        service.execute(Register(activity), student, OPEN)
                    except DomainError:
                        with lock:
                            refused += 1
                    with lock:
                        latencies.append(time.perf_counter() - started)

        shares = [plan[i::threads] for i in range(threads)]
        with Meter(service) as meter:
            began = time.perf_counter()
            if threads == 1:
                work(shares[0])
            else:
                running = [threading.Thread(target=work, args=(share,)) for share in shares]
                for thread in running:
                    thread.start()
                for thread in running:
                    thread.join()
            elapsed = time.perf_counter() - began
        state = service.activity(rush, Actor.school_admin("T-bench"))
        assert state is not None
        admitted = len(state.roster.admitted)
        commands = len(latencies)
        table = events_table(service)
        raw = store.raw_one_row_per_commit(store.stored_sizes(table, commands))
    return {
        "benchmark": "registration_rush",
        "store": store.label,
        "threads": threads,
        "students": students,
        "commands": commands,
        "refused": refused,
        "commands_per_s": round(commands / elapsed, 1),
        **summary(latencies),
        "over_admission": max(admitted - 300, 0),
        "raw_rows_per_s": round(raw, 1),
        "ratio_to_raw": round(commands / elapsed / raw, 3),
        **meter.figures(commands),
    }


if __name__ == "__main__":
    main()
