"""Transcripts: issue + sign (through the facade), verify by serial, render the PDF (first 50)
— per transcript, p50/p99; the issuing commands' CPU by phase and commit time (``Meter``).

The world: on SQLite the demo scenario, 钱静 issuing every transcript; on PostgreSQL (where the
demo cannot run) a simulated semester, its students with credits issuing in turn (``--world
simulation`` builds that one on SQLite too, to compare the stores). Baseline, same run: a raw
Ed25519 signature over the same canonical JSON (independent of the store).

    python benchmarks/transcripts.py [--count 200] [--postgres DSN]
        [--world demo|simulation] [--students 200 --activities 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import BenchStore, Meter, add_store_option, max_rss_mb, repeated, report, summary

from second_classroom.aggregates.transcript import IssueTranscript, TranscriptIssued, content_json
from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI
from second_classroom.demo import run_demo
from second_classroom.service import SecondClassroom
from second_classroom.simulation import TERM_START, simulate

STUDENT = "2024010102"  # 钱静 in the demo, with a finalized record
VERIFY_URL = "https://verify.example/second-classroom"
OFFICE = Actor.school_admin("T-bench")  # reads as the school office
DEMO_WHEN = datetime(2026, 12, 6, 9, tzinfo=SHANGHAI)  # after the demo's activity is finalized
SIMULATED_WHEN = TERM_START + timedelta(days=150)  # after every simulated activity is finalized


def demo_world(store: BenchStore) -> tuple[SecondClassroom, list[str], datetime]:
    """The demo played on the store's SQLite file; 钱静 is the one student with a record."""
    return run_demo(store.path, lambda _line: None), [STUDENT], DEMO_WHEN


def simulated_world(
    store: BenchStore, students: int, activities: int
) -> tuple[SecondClassroom, list[str], datetime]:
    """A simulated semester on the store; the students with credits on their record."""
    service = store.open()
    simulate(service, students, activities, bars=False)
    numbers = sorted(
        str(row[0])
        for row in service.views.database.query("SELECT student_number FROM student_summary")
    )
    with_records = []
    for number in numbers:
        record = service.student(number, OFFICE)
        if record is not None and record.credits():
            with_records.append(number)
    if not with_records:
        service.close()
        raise SystemExit("the simulated semester left no student with credits: simulate more")
    return service, with_records, SIMULATED_WHEN


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument(
        "--world",
        choices=("demo", "simulation"),
        help="the demo (SQLite only; the default there) or a simulated semester "
        "(the default on PostgreSQL)",
    )
    parser.add_argument("--students", type=int, default=200, help="simulated world's students")
    parser.add_argument("--activities", type=int, default=20, help="simulated world's activities")
    add_store_option(parser)
    args = parser.parse_args()
    world = args.world or ("simulation" if args.postgres else "demo")
    if world == "demo" and args.postgres:
        parser.error("the demo world runs on SQLite only; use --world simulation")
    result = repeated(args.repeat, lambda: run(args, world), "issue+sign p50_ms")
    report({**result, "max_rss_mb": max_rss_mb()})


def run(args: argparse.Namespace, world: str) -> dict[str, Any]:
    """One run of the scenario on a fresh store."""
    with BenchStore(args.postgres) as store:
        if world == "demo":
            service, students, when = demo_world(store)
            described = "demo"
        else:
            service, students, when = simulated_world(store, args.students, args.activities)
            described = f"simulation, {args.students} students, {args.activities} activities"
        with service:
            issue: list[float] = []
            verify: list[float] = []
            pdf: list[float] = []
            serials: list[str] = []
            with Meter(service) as meter:  # the issuing commands' CPU, by phase
                for n in range(args.count):
                    student = students[n % len(students)]
                    started = time.perf_counter()
                    outcome = service.execute(
                        IssueTranscript(student),
                        Actor.student(student),
                        when + timedelta(seconds=n),
                    )
                    issue.append(time.perf_counter() - started)
                    serials.extend(
                        e.payload.serial
                        for e in outcome.events
                        if isinstance(e.payload, TranscriptIssued)
                    )
            for serial in serials:
                started = time.perf_counter()
                assert service.verify_transcript(serial).status.value == "valid"
                verify.append(time.perf_counter() - started)
            for serial in serials[:50]:
                started = time.perf_counter()
                service.transcript_pdf(serial, OFFICE, VERIFY_URL)
                pdf.append(time.perf_counter() - started)
            found = service.transcript(serials[0], OFFICE)
            assert found is not None
            assert service.keyring is not None
            document = content_json(found.content)
            raw = []
            for _ in range(args.count):
                started = time.perf_counter()
                service.keyring.sign(document)
                raw.append(time.perf_counter() - started)
    result: dict[str, object] = {
        "benchmark": "transcripts",
        "store": store.label,
        "world": described,
        "students_issued": min(len(students), args.count),
        "count": args.count,
    }
    for name, values in (
        ("issue+sign", issue),
        ("verify", verify),
        ("pdf", pdf),
        ("raw sign", raw),
    ):
        figures = summary(values)
        result[f"{name} p50_ms"] = figures["p50_ms"]
        result[f"{name} p99_ms"] = figures["p99_ms"]
    result["ratio_issue_to_raw_sign"] = round(summary(raw)["p50_ms"] / summary(issue)["p50_ms"], 4)
    result.update(meter.figures(args.count))
    return dict(result)


if __name__ == "__main__":
    main()
