"""Registration rush: 5,000 students each register for one 报名制 activity (capacity 300) and
one of 20 lottery activities (Zipf popularity), through the facade, from ``--threads`` threads;
commands/s, latency p50/p99, and over-admission (must be 0).

Baseline, same run and same kind of store: plain ``sqlite3`` (WAL) or ``psycopg`` inserting as
many rows as commands ran, of the stored payload sizes, one row per commit, one thread.

    python benchmarks/registration_rush.py [--students 5000] [--threads 1] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).parent))

from common import BenchStore, add_store_option, events_table, report, summary

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
    with BenchStore(args.postgres) as store, store.open() as service:
        school = School.found(service, args.students)
        club = school.clubs[0]  # school level: every student may register (发布规范 二)
        rush = school.publish(service, club, "rush", capacity=300)
        lotteries = [
            school.publish(
                service,
                school.clubs[i % len(school.clubs)],
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

        shares = [plan[i :: args.threads] for i in range(args.threads)]
        began = time.perf_counter()
        if args.threads == 1:
            work(shares[0])
        else:
            threads = [threading.Thread(target=work, args=(share,)) for share in shares]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        elapsed = time.perf_counter() - began
        state = service.activity(rush, Actor.school_admin("T-bench"))
        assert state is not None
        admitted = len(state.roster.admitted)
        commands = len(latencies)
        table = events_table(service)
        raw = store.raw_one_row_per_commit(store.stored_sizes(table, commands))
    report(
        {
            "benchmark": "registration_rush",
            "store": store.label,
            "threads": args.threads,
            "students": args.students,
            "commands": commands,
            "refused": refused,
            "commands_per_s": round(commands / elapsed, 1),
            **summary(latencies),
            "over_admission": max(admitted - 300, 0),
            "raw_rows_per_s": round(raw, 1),
            "ratio_to_raw": round(commands / elapsed / raw, 3),
        }
    )


if __name__ == "__main__":
    main()
