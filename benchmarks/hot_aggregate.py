"""Hot aggregate: loading an activity whose stream holds 3,000 registrations, p50 of 50 loads,
with snapshot and state cache, with snapshot only, and as a full replay.

Baseline, same run and same store: a plain driver SELECT of the stream's ``state`` rows in version
order with ``json.loads`` of each (what a full replay reads and decodes, without folding).
It runs no command, so it reports latencies of loads, not a command's CPU by phase.

    python benchmarks/hot_aggregate.py [--students 3000] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import BenchStore, add_store_option, events_table, max_rss_mb, repeated, report, summary

from second_classroom.aggregates import activity
from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.simulation import TERM_START, School


def timed(load: Callable[[], object], repeat: int) -> list[float]:
    """Seconds taken by each of ``repeat`` calls of ``load``."""
    latencies = []
    for _ in range(repeat):
        started = time.perf_counter()
        load()
        latencies.append(time.perf_counter() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=3000)
    add_store_option(parser)
    args = parser.parse_args()
    result = repeated(args.repeat, lambda: run(args), "snapshot+cache p50_ms")
    report({**result, "max_rss_mb": max_rss_mb()})


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One run of the scenario on a fresh store."""
    with BenchStore(args.postgres) as store:
        with store.open() as service:
            school = School.found(service, args.students)
            hot = school.publish(service, school.clubs[0], "hot", capacity=args.students + 10)
            for number, _college in school.students:
                when = TERM_START + timedelta(days=10)
                service.execute(Register(hot), Actor.student(number), when)
            table = events_table(service)
        reader = SecondClassroomApplication(store.env)
        length = len(reader.history(hot))
        reader.close()
        variants: dict[str, dict[str, str]] = {
            "snapshot+cache": {},
            "snapshot, no cache": {"STATE_CACHE_MAXSIZE": "0"},
            "no snapshot, no cache": {
                "STATE_CACHE_MAXSIZE": "0",
                "IS_SNAPSHOTTING_ENABLED": "n",
            },
        }
        result: dict[str, object] = {
            "benchmark": "hot_aggregate",
            "store": store.label,
            "events_in_stream": length,
        }
        for name, overrides in variants.items():
            app = SecondClassroomApplication({**store.env, **overrides})
            app.load(activity.DECIDER, hot)  # warm (fills the cache where there is one)
            latencies = timed(partial(app.load, activity.DECIDER, hot), 50)
            result[f"{name} p50_ms"] = summary(latencies)["p50_ms"]
            app.close()
        read = len(store.raw_read_stream(table, hot))  # warm, as the loads are
        assert read == length, f"the raw read found {read} of the stream's {length} events"
        raw = summary(timed(lambda: store.raw_read_stream(table, hot), 20))["p50_ms"]
        result["raw select+decode of the whole stream p50_ms"] = raw
        replay = result["no snapshot, no cache p50_ms"]
        assert isinstance(replay, float)
        result["ratio_replay_to_raw"] = round(raw / replay, 3)
    return dict(result)


if __name__ == "__main__":
    main()
