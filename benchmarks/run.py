"""Run every benchmark on an SQLite file, then with ``--postgres DSN`` every one again on
PostgreSQL (the registration rush there with 8 threads); each prints its figures and ratios to
its raw baseline and appends a JSON line to benchmarks/results.jsonl.

    python benchmarks/run.py [--quick | --scale N] [--repeat 3] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def plan(scale: int = 1, postgres: str | None = None) -> list[list[str]]:
    """Each run as a script name and its options, sizes divided by ``scale``."""

    def size(full: int, floor: int = 1) -> str:
        return str(max(floor, full // scale))

    sqlite = [
        ["command_throughput.py", "--n", size(2000)],
        ["registration_rush.py", "--students", size(5000)],
        ["registration_rush.py", "--students", size(5000), "--threads", "8"],
        ["hot_aggregate.py", "--students", size(3000)],
        ["view_rebuild.py", "--students", size(3000)],
        ["transcripts.py", "--count", size(200)],
        ["semester.py", "--students", size(20_000), "--activities", size(2000), "--no-progress"],
        [
            "semester.py",
            "--students",
            size(20_000),
            "--activities",
            size(2000),
            "--batch",
            "200",
            "--no-progress",
        ],
    ]
    if not postgres:
        return sqlite
    extra = {
        # the demo runs on SQLite only: on PostgreSQL transcripts come from a simulated semester
        "transcripts.py": ["--students", size(200, 40), "--activities", size(20, 4)],
    }
    on_postgres = [[*run, "--postgres", postgres, *extra.get(run[0], [])] for run in sqlite]
    several = [
        # a process per core on one school's store, and eight schools from two processes
        ["registration_rush.py", "--students", size(5000), "--processes", "2"],
        ["schools.py", "--schools", "8", "--processes", "2", "--n", size(300, 10)],
    ]
    return sqlite + on_postgres + [[*run, "--postgres", postgres] for run in several]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help="a fifth of the sizes, for a smoke run")
    sizes.add_argument("--scale", type=int, default=1, help="divide every size by this")
    parser.add_argument("--postgres", metavar="DSN", help="also run every scenario on PostgreSQL")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each scenario (median)")
    args = parser.parse_args()
    for script, *options in plan(5 if args.quick else args.scale, args.postgres):
        options += ["--repeat", str(args.repeat)]
        print(f"\n== {script} {' '.join(options)}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *options], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
