"""Run every benchmark on SQLite (``--postgres DSN`` adds the PostgreSQL rush with 8 threads);
each prints its figures and ratios and appends a JSON line to benchmarks/results.jsonl.

    python benchmarks/run.py [--quick] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--postgres", help="also run the registration rush on PostgreSQL")
    args = parser.parse_args()
    scale = 5 if args.quick else 1
    runs = [
        ["command_throughput.py", "--n", str(2000 // scale)],
        ["registration_rush.py", "--students", str(5000 // scale)],
        ["hot_aggregate.py", "--students", str(3000 // scale)],
        ["view_rebuild.py", "--students", str(3000 // scale)],
        ["transcripts.py", "--count", str(200 // scale)],
    ]
    if args.postgres:
        runs.append(
            [
                "registration_rush.py",
                "--students",
                str(5000 // scale),
                "--postgres",
                args.postgres,
                "--threads",
                "8",
            ]
        )
    for script, *options in runs:
        print(f"\n== {script} {' '.join(options)}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *options], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
