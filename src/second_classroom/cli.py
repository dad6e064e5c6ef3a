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
    project = commands.add_parser(
        "project", help="keep the SQL views caught up (a worker process for PostgreSQL)"
    )
    where = project.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", type=Path, help="an SQLite file")
    where.add_argument("--postgres", metavar="DSN", help="postgresql://user:password@host/db")
    project.add_argument("--schema", default="", help="PostgreSQL schema of the application")
    project.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    project.add_argument("--once", action="store_true", help="catch up once and exit")
    project.add_argument("--rebuild", action="store_true", help="rebuild every view from zero")
    simulate = commands.add_parser("simulate", help="run a synthetic semester and report figures")
    simulate.add_argument("--students", type=int, default=2000)
    simulate.add_argument("--activities", type=int, default=200)
    simulate.add_argument("--db", type=Path, default=Path("second_classroom_simulation.sqlite3"))
    simulate.add_argument("--postgres", metavar="DSN", help="run on PostgreSQL instead")
    simulate.add_argument("--seed", type=int, default=2026)
    simulate.add_argument(
        "--rulebook",
        default="nepu",
        help="a packaged preset (nepu, hfut) or a rulebook TOML file (default nepu)",
    )
    simulate.add_argument(
        "--batch", type=int, default=1, help="commands per transaction (default 1: each alone)"
    )
    simulate.add_argument("--no-progress", action="store_true", help="no progress bars")
    schema = commands.add_parser(
        "schema", help="write the JSON Schema (2020-12) of every command, event, state, result"
    )
    schema.add_argument(
        "out_dir", metavar="OUT_DIR", type=Path, help="folder for <Name>.schema.json (created)"
    )
    schema.add_argument(
        "--rulebook",
        default="nepu",
        help="preset or TOML file whose limits the command schemas carry (default: nepu)",
    )
    args = parser.parse_args(argv)
    if args.command == "schema":
        return _schema(args)
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "project":
        return _project(args)
    if args.command == "demo":
        if args.db == DEMO_FILE or args.fresh:
            args.db.unlink(missing_ok=True)
        elif args.db.exists():
            parser.error(f"{args.db} exists; the demo needs an empty store (add --fresh)")
        run_demo(args.db).close()
    return 0


def _project(args: argparse.Namespace) -> int:
    """Follow the log and keep the views; safe to run beside any number of writers."""
    import time

    from second_classroom.persistence.application import SecondClassroomApplication
    from second_classroom.persistence.stores import postgres_env, sqlite_env
    from second_classroom.projections.viewset import ViewSet

    env = postgres_env(args.postgres, args.schema) if args.postgres else sqlite_env(args.db)
    with SecondClassroomApplication(env) as app:
        views = ViewSet(app)
        position = views.runner.rebuild() if args.rebuild else views.catch_up()
        print(f"views at position {position}", flush=True)
        while not args.once:
            time.sleep(args.interval)
            reached = views.catch_up()
            if reached != position:
                print(f"views at position {reached}", flush=True)
                position = reached
        views.close()
    return 0


def _simulate(args: argparse.Namespace) -> int:
    """A semester on the embedded SQLite file (recreated) or on PostgreSQL; prints a summary."""
    from second_classroom.policies.rulebook import Rulebook, preset
    from second_classroom.service import SecondClassroom
    from second_classroom.simulation import simulate

    given = Path(args.rulebook)
    rulebook = Rulebook.load(given) if given.suffix == ".toml" else preset(args.rulebook)
    if args.postgres:
        service = SecondClassroom.postgres(args.postgres, rulebook)
    else:
        args.db.unlink(missing_ok=True)
        service = SecondClassroom.sqlite(args.db, rulebook)
    with service:
        report = simulate(
            service,
            args.students,
            args.activities,
            args.seed,
            bars=not args.no_progress,
            batch=args.batch,
        )
    print(f"事件 events: {report.events}")
    for stage in report.stages:
        print(f"  {stage.name:<16} {stage.commands:>8} 条命令  {stage.commands_per_s:>9.1f}/s")
    print(f"峰值内存 peak RSS: {report.peak_rss_mb} MB")
    for table, count in report.view_rows:
        print(f"  视图 {table}: {count} 行")
    print(f"超额录取 over-admission: {report.over_admitted}")
    print(f"学分账户与视图不符 ledger/view mismatches: {report.ledger_mismatches}")
    return 0 if report.over_admitted == 0 and report.ledger_mismatches == 0 else 1


def _schema(args: argparse.Namespace) -> int:
    """Every message's JSON Schema, for frontends to validate against before sending."""
    from second_classroom.policies.rulebook import Rulebook, preset
    from second_classroom.schema import write_schemas

    given = Path(args.rulebook)
    rulebook = Rulebook.load(given) if given.suffix == ".toml" else preset(args.rulebook)
    written = write_schemas(args.out_dir, rulebook)
    print(f"{len(written)} schemas written to {args.out_dir}")
    return 0
