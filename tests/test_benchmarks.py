"""The benchmark scripts keep working on both stores (small sizes; figures are read from docs,
not asserted)."""

from __future__ import annotations

import json
import os
import pstats
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
SCENARIOS = {
    "command_throughput",
    "registration_rush",
    "hot_aggregate",
    "view_rebuild",
    "transcripts",
    "semester",
}


def run_script(tmp_path: Path, script: str, *options: str) -> list[dict[str, Any]]:
    """Run ``benchmarks/<script>`` with ``options``, which must succeed; the JSON lines it
    recorded."""
    results = tmp_path / "results.jsonl"
    env = {**os.environ, "SECOND_CLASSROOM_BENCH_RESULTS": str(results)}
    finished = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *options],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-4000:]
    return [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]


def run_all(tmp_path: Path, *options: str) -> list[dict[str, Any]]:
    """Run ``benchmarks/run.py`` with ``options``; the JSON lines it recorded."""
    return run_script(tmp_path, "run.py", *options)


def check(lines: list[dict[str, Any]], store: str) -> None:
    """Every scenario ran on ``store`` and reported a raw baseline and a ratio to it."""
    ran = [line for line in lines if line["store"] == store]
    # PostgreSQL also serves eight schools at once (one schema each)
    assert {line["benchmark"] for line in ran} == SCENARIOS | (
        {"schools"} if store == "postgres" else set()
    )
    for line in ran:
        assert any(key.startswith("raw") for key in line), line
        assert any("ratio" in key for key in line), line
        assert line["runs"] == 2, line  # --repeat 2: the median run, and the spread
        assert line["max_rss_mb"] > 0, line
        if line["benchmark"] in {"command_throughput", "semester", "transcripts", "schools"} or (
            line["benchmark"] == "registration_rush" and line["processes"] == 1
        ):
            # the CPU per command, split into its phases, and the commits' time
            assert line["cpu_us_per_command"] > 0, line
            phases = line["cpu_us_by_phase"]
            assert phases["decide"] > 0, line
            assert phases["encode"] > 0, line
            assert phases["store"] > 0, line
            assert line["commit_ms"] > 0, line
    rushes = [line for line in ran if line["benchmark"] == "registration_rush"]
    assert {line["threads"] for line in rushes} == {1, 8}
    assert all(line["over_admission"] == 0 for line in rushes)
    # from several processes, the raw inserts from as many: the machine's own gain beside
    assert all(line["raw_gain_from_processes"] > 0 for line in rushes if line["processes"] > 1)
    if store == "postgres":  # the server is on this machine: what it and the machine spent
        for line in rushes:
            assert 0 < line["machine_busy"] <= 1, line
            assert line["server_cpu_us_per_command"] > 0, line
            assert line["cpu_bound_commands_per_s"] > 0, line
    semesters = [line for line in ran if line["benchmark"] == "semester"]
    assert {line["batch"] for line in semesters} == {1, 200}
    assert all(line["views_equal_rebuild"] for line in semesters)
    # the rebuild against select + decode in CPU too (the figure a loaded machine moves least)
    rebuilds = [line for line in ran if line["benchmark"] == "view_rebuild"]
    assert all(0 < line["cpu_ratio_to_raw"] < 1 for line in rebuilds)
    if store == "sqlite-file":  # the floor: the rebuild's own statements replayed raw
        for line in rebuilds:
            assert line["raw_view_statements_cpu_us_per_event"] > 0, line
            assert 0 < line["floor_cpu_ratio_to_raw"] < 1, line
            assert 0 < line["cpu_ratio_to_floor"] < 1, line
    assert all(0 < line["rebuild_cpu_ratio_to_raw"] < 1 for line in semesters)
    # the whole process's peak, and the peak at the end of every stage of the semester
    assert all(line["max_rss_mb"] >= max(line["stages_max_rss_mb"].values()) for line in semesters)


def test_every_benchmark_runs_and_records_its_figures(tmp_path: Path) -> None:
    lines = run_all(tmp_path, "--scale", "25", "--repeat", "2")
    assert {line["store"] for line in lines} == {"sqlite-file"}
    check(lines, "sqlite-file")


@pytest.mark.postgres
def test_every_benchmark_runs_on_postgres_too(tmp_path: Path, postgres_dsn: str) -> None:
    lines = run_all(tmp_path, "--scale", "100", "--repeat", "2", "--postgres", postgres_dsn)
    check(lines, "sqlite-file")
    check(lines, "postgres")


def test_the_rush_profiles_itself_and_counts_its_python_calls(tmp_path: Path) -> None:
    # given a small rush run with --profile
    profile = tmp_path / "rush.prof"
    options = ("--students", "40", "--repeat", "1", "--profile", str(profile))
    (line,) = run_script(tmp_path, "registration_rush.py", *options)
    # then the statistics are written, and the recorded count is theirs: the rush's calls
    stats = pstats.Stats(str(profile))
    assert line["python_calls"] == stats.total_calls  # type: ignore[attr-defined]
    assert line["commands"] == 80
    # the rush itself only: the founding of the school (thousands of commands) is not in it
    assert any("rush_threads" in name for _file, _line, name in stats.stats)  # type: ignore[attr-defined]
    assert not any(name == "found" for _file, _line, name in stats.stats)  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_the_append_procedures_compare_on_postgres(tmp_path: Path, postgres_dsn: str) -> None:
    """Given PostgreSQL; when the two append procedures and the raw insert run from 1 and 2
    processes (briefly); then each variant reports a rate at each count and its ratio to one
    process."""
    options = ["--postgres", postgres_dsn, "--seconds", "0.2", "--repeat", "1"]
    options += ["--commit-delay", "100"]  # a slower disk's flush (commit_delay)
    [line] = run_script(tmp_path, "append_procedures.py", *options, "--processes", "1", "2")
    assert line["benchmark"] == "append_procedures"
    assert line["commit_delay_us"] == 100
    assert set(line["appends_per_s"]) == {"two_commits", "one_commit", "raw"}
    for variant, rates in line["appends_per_s"].items():
        assert set(rates) == {"1", "2"}, variant
        assert all(rate > 0 for rate in rates.values()), variant
        assert line["ratio_to_one_process"][variant]["1"] == 1.0


def test_the_backfill_template_benchmark_reads_checks_and_imports_a_list(tmp_path: Path) -> None:
    """Given a 40-row filled 补录 template (seed 001 附件4); when the benchmark checks and
    imports it against openpyxl reading it alone, then it records each rate, their ratios,
    and the import command's CPU by phase (the reading of the file outside every phase)."""
    results = tmp_path / "results.jsonl"  # where run_script reads what a script recorded
    [line] = run_script(tmp_path, "backfill_template.py", "--rows", "40", "--results", str(results))
    assert line["benchmark"] == "backfill_template"
    assert line["rows"] == 40
    assert line["ratio_check_to_openpyxl"] > 0
    assert line["ratio_import_to_openpyxl"] > 0
    assert line["import_commits"] == 1  # one command, every row in one append
    phases = line["import_cpu_us_by_phase"]
    assert phases["decide"] > 0
    assert phases["store"] > 0
    assert line["import_cpu_us_per_command"] >= sum(phases.values()) - phases["other"]
