"""The ``second-classroom`` command: one line on stderr and an exit status per error (EPILOG)."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from second_classroom import __version__
from second_classroom.core.errors import DomainError

if TYPE_CHECKING:
    from second_classroom.policies.rulebook import Rulebook

DEMO_FILE = Path("second_classroom_demo.sqlite3")
SIMULATION_FILE = Path("second_classroom_simulation.sqlite3")
DEBUG_VARIABLE = "SECOND_CLASSROOM_DEBUG"
CONNECT_TIMEOUT = 5.0  # seconds to reach PostgreSQL at start-up before giving up
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
INTERNAL_ERROR = 70  # EX_SOFTWARE
RULEBOOK_HELP = (
    "a packaged preset (see the rulebooks command) or a rulebook TOML file (default: %(default)s)"
)

EPILOG = (
    "Every error is one line on stderr and an exit status: 1 when the library or the "
    "environment refuses (a domain error with its code, a file, the database), 2 for a command "
    "line that cannot be done as asked, 70 for an internal error (a bug), 130 when interrupted. "
    f"--debug (or {DEBUG_VARIABLE}=1) shows the Python traceback instead."
)

logger = logging.getLogger(__name__)


class CommandLineError(Exception):
    """A command line that cannot be done as asked; refused before any store is touched."""


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error: the usage is one ``--help`` away."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv``; returns the exit status (see EPILOG)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,  # the command owns the process's logging
    )
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("second-classroom: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
            raise
        status, message = _explain(error)
        print(f"second-classroom: {' '.join(message.split())}", file=sys.stderr)
        return status


def build_parser() -> argparse.ArgumentParser:
    """The command line: global options, and the demo, project, simulate and schema
    subcommands."""
    parser = _Parser(
        prog="second-classroom",
        description="第二课堂成绩单 · the Second Classroom Transcript",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _common_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="play the demo scenario on an SQLite file")
    demo.add_argument(
        "--db",
        type=Path,
        default=DEMO_FILE,
        help="SQLite file; the default demo file is recreated on every run (default: %(default)s)",
    )
    demo.add_argument(
        "--fresh",
        action="store_true",
        help="delete an existing --db file first (default: off: an existing file is refused)",
    )
    demo.add_argument("--rulebook", default="nepu", metavar="NAME|FILE", help=RULEBOOK_HELP)
    _common_options(demo)
    rulebooks = commands.add_parser(
        "rulebooks", help="list the packaged rulebook presets with each school's name"
    )
    rulebooks.add_argument(
        "--show",
        metavar="NAME",
        help="print that preset's commented TOML, to copy for another school "
        "(default: none: list the presets)",
    )
    _common_options(rulebooks)
    project = commands.add_parser(
        "project", help="keep the SQL views caught up (a worker process for PostgreSQL)"
    )
    where = project.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--db", type=Path, help="an existing SQLite file (default: none; this or --postgres)"
    )
    where.add_argument(
        "--postgres",
        metavar="DSN",
        type=_dsn,
        help="postgresql://user:password@host:port/dbname (default: none; this or --db)",
    )
    project.add_argument(
        "--schema",
        default="",
        help="PostgreSQL schema of the application (default: public)",
    )
    project.add_argument(
        "--interval",
        type=_positive(float),
        default=1.0,
        help="seconds between polls (default: %(default)s)",
    )
    project.add_argument(
        "--once", action="store_true", help="catch up once and exit (default: off: keep polling)"
    )
    project.add_argument(
        "--rebuild", action="store_true", help="rebuild every view from zero first (default: off)"
    )
    _common_options(project)
    simulate = commands.add_parser("simulate", help="run a synthetic semester and report figures")
    simulate.add_argument(
        "--students", type=_positive(int), default=2000, help="students (default: %(default)s)"
    )
    simulate.add_argument(
        "--activities",
        type=_positive(int),
        default=200,
        help="activities published (default: %(default)s)",
    )
    simulate.add_argument(
        "--db",
        type=Path,
        default=SIMULATION_FILE,
        help="a new SQLite file for the semester (default: %(default)s)",
    )
    simulate.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --db file (default: off: an existing file is refused)",
    )
    simulate.add_argument(
        "--postgres",
        metavar="DSN",
        type=_dsn,
        help="run on PostgreSQL instead of --db (default: none)",
    )
    simulate.add_argument(
        "--schema",
        default="",
        help="PostgreSQL schema, which must hold no events yet (default: public)",
    )
    simulate.add_argument(
        "--seed", type=int, default=2026, help="random seed (default: %(default)s)"
    )
    simulate.add_argument(
        "--rulebook",
        default="nepu",
        metavar="NAME|FILE",
        help=RULEBOOK_HELP,
    )
    simulate.add_argument(
        "--batch",
        type=_positive(int),
        default=1,
        help="commands per transaction; 1: each alone (default: %(default)s)",
    )
    simulate.add_argument(
        "--no-progress", action="store_true", help="no progress bars (default: off: bars shown)"
    )
    _common_options(simulate)
    schema = commands.add_parser(
        "schema", help="write the JSON Schema (2020-12) of every command, event, state, result"
    )
    schema.add_argument(
        "out_dir",
        metavar="OUT_DIR",
        type=Path,
        help="folder for the <Name>.schema.json files, created if missing",
    )
    schema.add_argument(
        "--rulebook",
        default="nepu",
        help="preset or TOML file whose limits the command schemas carry (default: %(default)s)",
    )
    _common_options(schema)
    return parser


def _common_options(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """``--log-level`` and ``--debug``, before or after the subcommand.

    A subcommand's copy has no default of its own, so it only overrides what was given.
    """
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="WARNING" if top else argparse.SUPPRESS,
        help="log messages from this level up on stderr (default: WARNING)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help=f"show the Python traceback of an error (default: off; or set {DEBUG_VARIABLE}=1)",
    )


def _run(args: argparse.Namespace) -> int:
    if args.command == "schema":
        return _schema(args)
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "project":
        return _project(args)
    if args.command == "rulebooks":
        return _list_rulebooks(args.show)
    if args.command == "demo":
        from second_classroom.demo import run_demo

        rulebook = _rulebook(args.rulebook)  # before anything is deleted
        if args.db == DEMO_FILE or args.fresh:
            _remove_sqlite(args.db)
        elif args.db.exists():
            raise CommandLineError(f"{args.db} exists; the demo needs an empty store (add --fresh)")
        run_demo(args.db, rulebook=rulebook).close()
    return 0


def _explain(error: Exception) -> tuple[int, str]:
    """The exit status and the one-line message for an error that reached the command."""
    from second_classroom.persistence.stores import database_errors

    if isinstance(error, DomainError):
        return 1, str(error)  # [code] 中文 / English
    if isinstance(error, CommandLineError):
        return 2, str(error)
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename is not None else ""
        return 1, f"{error.strerror}{where}" if error.strerror else str(error)
    if isinstance(error, database_errors()):
        return 1, f"database error: {error or type(error).__name__}"
    name = type(error).__name__
    return INTERNAL_ERROR, f"internal error: {name}: {error} (rerun with --debug for the traceback)"


def _dsn(value: str) -> str:
    """A PostgreSQL DSN, by its form; never echoed (it may hold a password)."""
    from second_classroom.persistence.stores import postgres_env

    try:
        postgres_env(value)  # the scheme, and a port that is a number
    except ValueError:
        raise argparse.ArgumentTypeError(
            "not a PostgreSQL DSN (expected postgresql://user:password@host:port/dbname)"
        ) from None
    return value


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type: a number of ``kind`` above zero."""

    def parse(value: str) -> int | float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
        if not math.isfinite(number):
            raise argparse.ArgumentTypeError(f"not a finite number: {value!r}")
        if not number > 0:
            raise argparse.ArgumentTypeError(f"must be more than 0: {value!r}")
        return number

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def _rulebook(name_or_file: str) -> Rulebook:
    """A packaged preset by name, or a TOML file by path."""
    from second_classroom.policies.rulebook import Rulebook, preset

    given = Path(name_or_file)
    if given.suffix.lower() == ".toml" or len(given.parts) > 1:
        return Rulebook.load(given)
    return preset(name_or_file)


def _list_rulebooks(show: str | None) -> int:
    """One line a packaged preset (its name and its school's Chinese name), or one's TOML."""
    from second_classroom.policies.rulebook import preset, preset_source, presets

    if show is not None:
        print(preset_source(show), end="")
        return 0
    for name in presets():
        print(f"{name}\t{preset(name).school}")
    return 0


def _remove_sqlite(path: Path) -> None:
    """Delete an SQLite file with its journals (a stale ``-wal`` would be replayed into a new
    file of the same name); the secret beside it stays."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _project(args: argparse.Namespace) -> int:
    """Follow the log and keep the views; safe to run beside any number of writers."""
    import time

    from second_classroom.persistence.application import SecondClassroomApplication
    from second_classroom.persistence.stores import postgres_env, probe_postgres, sqlite_env
    from second_classroom.projections.viewset import ViewSet

    if args.postgres:
        probe_postgres(args.postgres, CONNECT_TIMEOUT)
        env = postgres_env(args.postgres, args.schema)
    elif not args.db.is_file():
        # Opening it would create an empty store: follow only what an application wrote.
        raise CommandLineError(f"{args.db}: no such database (give the application's store)")
    else:
        env = sqlite_env(args.db)
    with SecondClassroomApplication(env) as app:
        views = ViewSet(app)
        try:
            position = views.runner.rebuild() if args.rebuild else views.catch_up()
            print(f"views at position {position}", flush=True)
            while not args.once:
                time.sleep(args.interval)
                reached = views.catch_up()
                if reached != position:
                    print(f"views at position {reached}", flush=True)
                    position = reached
        finally:
            views.close()
    return 0


def _simulate(args: argparse.Namespace) -> int:
    """A semester on a new SQLite file or on PostgreSQL; prints a summary."""
    from second_classroom.persistence.stores import postgres_env, probe_postgres
    from second_classroom.service import SecondClassroom
    from second_classroom.simulation import simulate

    rulebook = _rulebook(args.rulebook)  # before anything is deleted or created
    if args.postgres:
        probe_postgres(args.postgres, CONNECT_TIMEOUT)
        service = SecondClassroom.open(postgres_env(args.postgres, args.schema), rulebook)
        if service.app.notifications(0, 1):
            service.close()
            # A semester founds its own school: on a used log it would add synthetic students
            # to real ones, or fail half-way on tribes that exist. Nothing is ever deleted there.
            raise CommandLineError(
                "the PostgreSQL schema holds events already; simulate needs an empty one"
            )
    else:
        if args.db.exists():
            if not args.overwrite:
                raise CommandLineError(
                    f"{args.db} exists; simulate writes a new store (add --overwrite to replace it)"
                )
            logger.warning("replacing %s", args.db)
            _remove_sqlite(args.db)
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
    from second_classroom.schema import write_schemas

    written = write_schemas(args.out_dir, _rulebook(args.rulebook))
    print(f"{len(written)} schemas written to {args.out_dir}")
    return 0
