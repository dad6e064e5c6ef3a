"""The ``second-classroom`` command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from second_classroom.demo import run_demo

DEMO_FILE = Path("second_classroom_demo.sqlite3")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="second-classroom", description="第二课堂成绩单")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="play the demo scenario on an SQLite file")
    demo.add_argument(
        "--db",
        type=Path,
        default=DEMO_FILE,
        help="SQLite file; the default demo file is recreated on every run (default: %(default)s)",
    )
    demo.add_argument("--fresh", action="store_true", help="delete an existing --db file first")
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.db == DEMO_FILE or args.fresh:
            args.db.unlink(missing_ok=True)
        elif args.db.exists():
            parser.error(f"{args.db} exists; the demo needs an empty store (add --fresh)")
        run_demo(args.db).close()
    return 0
