"""Transcripts: issue + sign (through the facade), verify by serial, render the PDF — per
transcript, p50/p99. Baseline: a raw Ed25519 signature over the same canonical JSON.

    python benchmarks/transcripts.py [--count 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import report, summary

from second_classroom.aggregates.transcript import IssueTranscript, TranscriptIssued, content_json
from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI
from second_classroom.demo import run_demo

STUDENT = "2024010102"  # 钱静 in the demo, with a finalized record
VERIFY_URL = "https://verify.example/second-classroom"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        service = run_demo(Path(folder) / "demo.sqlite3", lambda _line: None)
        when = datetime(2026, 12, 6, 9, tzinfo=SHANGHAI)
        issue, verify, pdf, serials = [], [], [], []
        for n in range(args.count):
            started = time.perf_counter()
            outcome = service.execute(
                IssueTranscript(STUDENT), Actor.student(STUDENT), when + timedelta(seconds=n)
            )
            issue.append(time.perf_counter() - started)
            serials.extend(
                e.payload.serial for e in outcome.events if isinstance(e.payload, TranscriptIssued)
            )
        for serial in serials:
            started = time.perf_counter()
            assert service.verify_transcript(serial).status.value == "valid"
            verify.append(time.perf_counter() - started)
        for serial in serials[:50]:
            started = time.perf_counter()
            service.transcript_pdf(serial, VERIFY_URL)
            pdf.append(time.perf_counter() - started)
        found = service.transcript(serials[0])
        assert found is not None
        assert service.keyring is not None
        document = content_json(found.content)
        raw = []
        for _ in range(args.count):
            started = time.perf_counter()
            service.keyring.sign(document)
            raw.append(time.perf_counter() - started)
        service.close()
    result = {"benchmark": "transcripts", "count": args.count}
    for name, values in (
        ("issue+sign", issue),
        ("verify", verify),
        ("pdf", pdf),
        ("raw sign", raw),
    ):
        figures = summary(values)
        result[f"{name} p50_ms"] = figures["p50_ms"]
        result[f"{name} p99_ms"] = figures["p99_ms"]
    report(result)


if __name__ == "__main__":
    main()
