"""benchmarks/http_commands.py keeps working (a small size; figures are read from docs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "http_commands.py"


def test_the_http_benchmark_runs_and_records_both_rates(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    env = {
        **os.environ,
        "SECOND_CLASSROOM_BENCH_RESULTS": str(results),
        "PYTHONPATH": str(SCRIPT.parents[1] / "src"),
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--students", "40", "--concurrency", "4"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    (line,) = [json.loads(text) for text in results.read_text(encoding="utf-8").splitlines()]
    assert line["benchmark"] == "http_commands"
    assert line["library_commands_per_s"] > 0
    assert line["http_statuses"] == {"200": 40}
    assert line["ratio_http_to_library"] > 0
    # the library's CPU a command by phase, and the server process's in each HTTP phase
    assert line["library_cpu_us_per_command"] > 0
    assert line["library_cpu_us_by_phase"]["decide"] > 0
    assert line["http_server_cpu_us_per_command"] > 0
