"""Registration rush: 5,000 students each register for one 报名制 activity (capacity 300) and
one of 20 lottery activities (Zipf popularity), through the facade, from ``--threads`` threads;
commands/s, latency p50/p99, and over-admission (must be 0).

Baseline, same run and same kind of store: plain ``sqlite3`` (WAL) or ``psycopg`` inserting as
many rows as commands ran, of the stored payload sizes, one row per commit, one thread.

    python benchmarks/registration_rush.py [--students 5000] [--threads 1] [--repeat 3]
                                          [--postgres DSN] [--profile FILE]

``--profile FILE`` runs the rush itself (not the founding, not the baseline) under cProfile,
writes its statistics to FILE and prints ``python_calls``: the count of Python calls, a figure
that does not move with the machine's load.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
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
    SECRET,
    BenchStore,
    MachineLoad,
    Meter,
    add_store_option,
    events_table,
    failing_together,
    max_rss_mb,
    repeated,
    report,
    summary,
    together,
)

from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod
from second_classroom.service import SecondClassroom
from second_classroom.simulation import TERM_START, School

OPEN = TERM_START + timedelta(days=10)  # inside every registration window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="OS processes sharing the store (each with --threads threads)",
    )
    parser.add_argument(
        "--leases",
        action="store_true",
        help="PostgreSQL: processes take turns on a stream they all write (STREAM_LEASES=y)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="one process, one thread: the rush under cProfile, its statistics to FILE",
    )
    add_store_option(parser)
    args = parser.parse_args()
    if args.leases:
        os.environ["STREAM_LEASES"] = "y"  # eventsourcing reads its settings from os.environ
    result = repeated(
        args.repeat,
        lambda: run(args.students, args.threads, args.postgres, args.processes, args.profile),
        "ratio_to_raw",
    )
    report({**result, "max_rss_mb": max_rss_mb()})


def rush_in_process(
    env: dict[str, str], threads: int, share: list[tuple[str, str, str]], start: Any, out: Any
) -> None:
    """A worker process: open the store, warm its cache, wait for the others, run its share
    of the rush; put its latencies, refusals, gave-ups and metered CPU on ``out``."""
    with failing_together(start, out), SecondClassroom.open(env, secret=SECRET) as service:
        plan = [(Actor.student(s), UUID(a), UUID(b)) for s, a, b in share]
        # Warm, as the founding process is for ``--processes 1`` (and a running server
        # is): the student records and activities are in the state cache before the
        # start, so the figures compare the rush itself, not a cold cache.
        for student, first, second in plan:
            service._load.student(student.person_id)
            service._load.activity(first)
            service._load.activity(second)
        start.wait()
        began = time.perf_counter()
        with Meter(service) as meter:
            latencies, refused, gave_up = rush_threads(service, plan, threads)
        elapsed = time.perf_counter() - began
        out.put((latencies, refused, elapsed, meter.raw(), gave_up))


def rush_threads(
    service: SecondClassroom, plan: list[tuple[Actor, UUID, UUID]], threads: int
) -> tuple[list[float], int, int]:
    """Every student of ``plan`` registers for both activities, from ``threads`` threads;
    each command's latency, how many were refused, and how many gave up on conflicts."""
    latencies: list[float] = []
    refused = gave_up = 0
    lock = threading.Lock()

    def work(share: list[tuple[Actor, UUID, UUID]]) -> None:
        nonlocal refused, gave_up
        for student, first, second in share:
            for activity in (first, second):
                started = time.perf_counter()
                try:
                    service.execute(Register(activity), student, OPEN)
                except DomainError as error:
                    with lock:
                        # Conflicts that outlast every retry are no refusal: counted apart.
                        if error.code == "store.conflict":
                            gave_up += 1
                        else:
                            refused += 1
                with lock:
                    latencies.append(time.perf_counter() - started)

    shares = [plan[i::threads] for i in range(threads)]
    if threads == 1:
        work(shares[0])
    else:
        running = [threading.Thread(target=work, args=(share,)) for share in shares]
        for thread in running:
            thread.start()
        for thread in running:
            thread.join()
    return latencies, refused, gave_up


def run(
    students: int,
    threads: int,
    dsn: str | None,
    processes: int = 1,
    profile: str | None = None,
) -> dict[str, Any]:
    """One rush on a fresh store, and the raw baseline right after it on the same kind;
    with ``profile``, the rush runs under cProfile and its statistics go to that file."""
    with BenchStore(dsn) as store, store.open() as service:
        school = School.found(service, students)
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
        extra: dict[str, Any] = {}
        load = MachineLoad()
        if processes > 1:
            with load:
                elapsed, latencies, (refused, gave_up), extra = run_processes(
                    store, plan, threads, processes
                )
            meter = None
        else:
            profiler = cProfile.Profile() if profile else None
            with load, Meter(service) as meter:
                began = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                latencies, refused, gave_up = rush_threads(service, plan, threads)
                if profiler is not None:
                    profiler.disable()
                elapsed = time.perf_counter() - began
            if profiler is not None and profile:
                profiler.dump_stats(profile)
                extra["python_calls"] = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
        state = service.activity(rush, Actor.school_admin("T-bench"))
        assert state is not None
        admitted = len(state.roster.admitted)
        commands = len(latencies)
        table = events_table(service)
        sizes = store.stored_sizes(table, commands)
        raw = store.raw_one_row_per_commit(sizes)
        if processes > 1:
            # The raw inserts from as many processes: what more writers gain on this machine
            # with no library at all, beside the library's gain (a pair of rushes, 1 and N).
            raw_processes = store.raw_one_row_per_commit(sizes, processes)
            extra["raw_rows_per_s_from_processes"] = round(raw_processes, 1)
            extra["raw_gain_from_processes"] = round(raw_processes / raw, 3)
    metered = meter.figures(commands) if meter is not None else {}
    client_cpu = (metered or extra).get("cpu_us_per_command")  # one process's, or all of them
    machine = load.figures(commands, client_cpu) if dsn else {}
    return {
        "benchmark": "registration_rush",
        "store": store.label,
        "threads": threads,
        "processes": processes,
        "students": students,
        "commands": commands,
        "refused": refused,
        "gave_up_on_conflicts": gave_up,
        "commands_per_s": round(commands / elapsed, 1),
        **summary(latencies),
        "over_admission": max(admitted - 300, 0),
        "raw_rows_per_s": round(raw, 1),
        "ratio_to_raw": round(commands / elapsed / raw, 3),
        **metered,
        **extra,
        **machine,
    }


def run_processes(
    store: BenchStore, plan: list[tuple[Actor, UUID, UUID]], threads: int, processes: int
) -> tuple[float, list[float], tuple[int, int], dict[str, Any]]:
    """The rush from ``processes`` OS processes started together: the wall time from the
    start to the last one's end, every latency, refusals, and CPU per command."""
    shares = [
        (store.env, threads, [(s.person_id, str(a), str(b)) for s, a, b in plan[k::processes]])
        for k in range(processes)
    ]
    elapsed, results = together(rush_in_process, shares, "rushing")
    latencies = [latency for result in results for latency in result[0]]
    figures = Meter.combined([result[3] for result in results], len(latencies))
    refused = sum(result[1] for result in results), sum(result[4] for result in results)
    return elapsed, latencies, refused, figures


if __name__ == "__main__":
    main()
