"""Hot aggregate: loading an activity whose stream holds 3,000 registrations, with and without
snapshot and cache, against a raw SELECT + JSON decode of the same rows.

    python benchmarks/hot_aggregate.py [--students 3000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import report, summary

from second_classroom.aggregates import activity
from second_classroom.aggregates.enrolment import Register
from second_classroom.core.actor import Actor
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.stores import sqlite_env
from second_classroom.service import SecondClassroom
from second_classroom.simulation import TERM_START, School


def timed(load: object, repeat: int) -> list[float]:
    latencies = []
    for _ in range(repeat):
        started = time.perf_counter()
        load()  # type: ignore[operator]
        latencies.append(time.perf_counter() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hot.sqlite3"
        service = SecondClassroom.sqlite(path)
        school = School.found(service, args.students)
        hot = school.publish(service, school.unions[0], "hot", capacity=args.students + 10)
        for number, _college in school.students:
            service.execute(Register(hot), Actor.student(number), TERM_START + timedelta(days=10))
        service.close()
        length = len(SecondClassroomApplication(sqlite_env(path)).history(hot))
        variants = {
            "snapshot+cache": {},
            "snapshot, no cache": {"STATE_CACHE_MAXSIZE": "0"},
            "no snapshot, no cache": {
                "STATE_CACHE_MAXSIZE": "0",
                "IS_SNAPSHOTTING_ENABLED": "n",
            },
        }
        result: dict[str, object] = {"benchmark": "hot_aggregate", "events_in_stream": length}
        for name, overrides in variants.items():
            app = SecondClassroomApplication({**sqlite_env(path), **overrides})
            app.load(activity.DECIDER, hot)  # warm (fills the cache where there is one)
            latencies = timed(lambda app=app: app.load(activity.DECIDER, hot), 50)
            result[f"{name} p50_ms"] = summary(latencies)["p50_ms"]
            app.close()
        db = sqlite3.connect(path)
        raw = timed(
            lambda: [
                json.loads(row[0])
                for row in db.execute(
                    "SELECT state FROM stored_events WHERE originator_id IN (?, ?)"
                    " ORDER BY originator_version",
                    (str(hot), hot.hex),
                )
            ],
            20,
        )
        result["raw select+decode of the whole stream p50_ms"] = summary(raw)["p50_ms"]
        report(result)


if __name__ == "__main__":
    main()
