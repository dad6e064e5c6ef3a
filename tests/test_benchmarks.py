"""The benchmark scripts keep working (a quick run; figures are read from docs, not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def test_every_benchmark_runs_and_records_its_figures(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    env = {**os.environ, "SECOND_CLASSROOM_BENCH_RESULTS": str(results)}
    subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick"],
        check=True,
        capture_output=True,
        env=env,
        cwd=tmp_path,
    )
    lines = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    names = {line.get("benchmark") for line in lines}
    assert names == {
        "command_throughput",
        "registration_rush",
        "hot_aggregate",
        "view_rebuild",
        "transcripts",
    }
    rush = next(line for line in lines if line.get("benchmark") == "registration_rush")
    assert rush["over_admission"] == 0
    assert "ratio_to_raw" in rush
