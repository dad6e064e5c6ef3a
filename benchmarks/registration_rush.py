"""Registration rush: 5,000 students against one 报名制 activity (capacity 300) and 20 lottery
activities, through the public facade, against raw sqlite3 one-row-per-commit inserts.

    python benchmarks/registration_rush.py [--students 5000] [--postgres DSN --threads 8]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import raw_one_row_per_commit, report, stored_sizes, summary

from second_classroom.aggregates.enrolment import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod
from second_classroom.service import SecondClassroom
from second_classroom.simulation import TERM_START, School

OPEN = TERM_START + timedelta(days=10)  # inside every registration window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--postgres", help="run on PostgreSQL instead of an SQLite file")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rush.sqlite3"
        schema = ""
        if args.postgres:
            import uuid

            import psycopg

            from second_classroom.persistence.stores import postgres_env

            schema = f"bench_{uuid.uuid4().hex[:10]}"  # a fresh schema, dropped afterwards
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            service = SecondClassroom.open(postgres_env(args.postgres, schema), secret=bytes(32))
        else:
            service = SecondClassroom.sqlite(path)
        school = School.found(service, args.students)
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

        def work(share: list[tuple[Actor, object, object]]) -> None:
            nonlocal refused
            for student, first, second in share:
                for activity in (first, second):
                    started = time.perf_counter()
                    try:
                        service.execute(Register(activity), student, OPEN)  # type: ignore[arg-type]
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
        admitted = len(service.activity(rush).roster.admitted)  # type: ignore[union-attr]
        commands = len(latencies)
        result = {
            "benchmark": "registration_rush",
            "store": "postgres" if args.postgres else "sqlite-file",
            "threads": args.threads,
            "students": args.students,
            "commands": commands,
            "refused": refused,
            "commands_per_s": round(commands / elapsed, 1),
            **summary(latencies),
            "over_admission": max(admitted - 300, 0),
        }
        if not args.postgres:
            raw = raw_one_row_per_commit(
                Path(folder) / "raw.sqlite3", stored_sizes(path)[:commands]
            )
            result["raw_rows_per_s"] = round(raw, 1)
            result["ratio_to_raw"] = round(commands / elapsed / raw, 3)
        service.close()
        if schema:
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        report(result)


if __name__ == "__main__":
    main()
