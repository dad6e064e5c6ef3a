"""View rebuild: rebuild every SQL view from the log (3,000 students registering for 3 of 30
activities, a tenth cancelling), in events per second.

Baseline, same run and same store: a plain driver SELECT of every stored ``state`` with
``json.loads`` of each, in rows per second; and the CPU time (process time) of each side per
event, with their ratio (``cpu_ratio_to_raw``: the figure a loaded machine moves least).
On SQLite, the floor: a second rebuild's statements to the view database, replayed by plain
``sqlite3`` into a fresh file (``raw_view_statements_cpu_us_per_event``), and the ratio a
rebuild that cost only that and the raw read would reach (``floor_cpu_ratio_to_raw``), and
the rebuild's CPU against that same raw work (``cpu_ratio_to_floor``). ``max_rss_mb`` then
includes that log of every statement; ``rebuild_max_rss_mb`` is the peak before it.

    python benchmarks/view_rebuild.py [--students 3000] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import (
    BenchStore,
    Meter,
    StatementLog,
    add_store_option,
    events_table,
    max_rss_mb,
    repeated,
    report,
)

from second_classroom.aggregates.registration import CancelRegistration, Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.simulation import TERM_START, School


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=3000)
    add_store_option(parser)
    args = parser.parse_args()
    result = repeated(args.repeat, lambda: run(args), "ratio_to_raw")
    report({**result, "max_rss_mb": max_rss_mb()})


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One world on a fresh store, its rebuild, then the raw baseline."""
    with BenchStore(args.postgres) as store, store.open() as service:
        school = School.found(service, args.students)
        activities = [
            school.publish(service, school.clubs[i % len(school.clubs)], f"a{i}", capacity=200)
            for i in range(30)
        ]
        rng = random.Random(11)
        when = TERM_START + timedelta(days=10)
        for number, _college in school.students:
            student = Actor.student(number)
            for activity in rng.sample(activities, 3):
                try:
                    service.execute(Register(activity), student, when)
                    if rng.random() < 0.1:
                        service.execute(CancelRegistration(activity), student, when)
                except DomainError:
                    pass
        events = service.app.recorder.max_notification_id() or 0
        with Meter(service) as meter:
            started = time.perf_counter()
            service.views.runner.rebuild()
            rebuild = time.perf_counter() - started
        began = time.process_time()
        raw = store.raw_select_decode(events_table(service))
        raw_cpu = (time.process_time() - began) / events * 1e6
        rebuild_rss = max_rss_mb()  # before the floor's log of every statement
        replay = None
        if not args.postgres:
            # A second rebuild, untimed, its statements logged, then replayed raw: the floor.
            with StatementLog(service, store.folder / "replay.sqlite3") as statements:
                service.views.runner.rebuild()
            replay = statements.replay_cpu_s() / events * 1e6
    cpu = meter.figures(events)["cpu_us_per_command"]
    return {
        "benchmark": "view_rebuild",
        "store": store.label,
        "events": events,
        "views_events_per_s": round(events / rebuild, 1),
        "raw_select_decode_per_s": round(raw, 1),
        "ratio_to_raw": round((events / rebuild) / raw, 4),
        "cpu_us_per_event": round(cpu, 1),
        # Under load the wall-clock ratio moves with the moment; the CPU of each side less.
        "raw_cpu_us_per_row": round(raw_cpu, 2),
        "cpu_ratio_to_raw": round(raw_cpu / cpu, 4),
        "rebuild_max_rss_mb": rebuild_rss,
        **(floor(raw_cpu, replay, cpu) if replay is not None else {}),
    }


def floor(raw_cpu: float, replay: float, cpu: float) -> dict[str, float]:
    """The floor's figures (CPU µs an event): the statements replayed raw, the ratio a
    rebuild costing only them and the raw read would reach, and the rebuild's CPU against
    that same raw work."""
    return {
        "raw_view_statements_cpu_us_per_event": round(replay, 2),
        "floor_cpu_ratio_to_raw": round(raw_cpu / (raw_cpu + replay), 4),
        "cpu_ratio_to_floor": round((raw_cpu + replay) / cpu, 4),
    }


if __name__ == "__main__":
    main()
