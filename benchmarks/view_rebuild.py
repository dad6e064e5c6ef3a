"""View rebuild: rebuild every SQL view from the log, in events per second, against a raw
SELECT of the same rows plus a JSON decode of each.

    python benchmarks/view_rebuild.py [--students 3000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import report

from second_classroom.aggregates.enrolment import CancelRegistration, Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.service import SecondClassroom
from second_classroom.simulation import TERM_START, School


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "views.sqlite3"
        service = SecondClassroom.sqlite(path)
        school = School.found(service, args.students)
        activities = [
            school.publish(service, school.unions[i % len(school.unions)], f"a{i}", capacity=200)
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
        views = service.views
        started = time.perf_counter()
        views.runner.rebuild()
        rebuild = time.perf_counter() - started
        db = sqlite3.connect(path)
        started = time.perf_counter()
        decoded = [json.loads(row[0]) for row in db.execute("SELECT state FROM stored_events")]
        raw = time.perf_counter() - started
        service.close()
    report(
        {
            "benchmark": "view_rebuild",
            "events": events,
            "views_events_per_s": round(events / rebuild, 1),
            "raw_select_decode_per_s": round(len(decoded) / raw, 1),
            "ratio_to_raw": round((events / rebuild) / (len(decoded) / raw), 4),
        }
    )


if __name__ == "__main__":
    main()
