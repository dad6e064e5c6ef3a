"""The ``second-classroom`` command: one line on stderr and an exit status per error (EPILOG)."""

from __future__ import annotations

import argparse
import functools
import logging
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from uuid import UUID

from second_classroom.core.errors import DomainError
from second_classroom.core.version import VERSION

if TYPE_CHECKING:
    from second_classroom.aggregates.claim import Claim
    from second_classroom.core.actor import Actor
    from second_classroom.policies.rulebook import Rulebook
    from second_classroom.service import SecondClassroom

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
    """The command line: global options, and the demo, project, simulate, schema, serve and
    token subcommands."""
    parser = _Parser(
        prog="second-classroom",
        description="第二课堂成绩单 · the Second Classroom Transcript",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {VERSION}")
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
    demo.add_argument(
        "--rulebook",
        default=None,
        metavar="NAME|FILE",
        help="a packaged preset (see the rulebooks command) or a rulebook TOML file (default:"
        " NEPU with the demo's 补录 chains, and then the 补录 story too)",
    )
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
        "--seed", type=_seed, default=2026, help="random seed (default: %(default)s)"
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
        "--processes",
        type=_positive(int),
        default=1,
        help="OS processes for the registration stage, a core each (default: %(default)s)",
    )
    simulate.add_argument(
        "--no-progress", action="store_true", help="no progress bars (default: off: bars shown)"
    )
    _common_options(simulate)
    backfill = commands.add_parser(
        "backfill", help="the 补录 list template (seed 001 附件4): write one, or check a filled one"
    )
    backfill.add_argument(
        "action",
        choices=("template", "check", "import"),
        help="template: write an empty template to FILE; check: print every row error of FILE;"
        " import: record FILE as the list of the approved claim --claim",
    )
    backfill.add_argument("file", type=Path, metavar="FILE", help="the .xlsx file")
    backfill.add_argument(
        "--db",
        type=Path,
        help="check, import: the SQLite store whose students the rows name (default: none)",
    )
    backfill.add_argument(
        "--claim", type=_uuid, help="import: the approved collective claim's id (default: none)"
    )
    backfill.add_argument(
        "--as",
        dest="staff",
        help="import: the 工号 of the 二课中心 staff importing, as a school admin holding the"
        " last step's role (default: none)",
    )
    backfill.add_argument(
        "--no-progress", action="store_true", help="no progress bar (default: off: bar shown)"
    )
    backfill.add_argument(
        "--rulebook",
        default="nepu",
        help="a packaged preset or a rulebook TOML file (default: %(default)s)",
    )
    _common_options(backfill)
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
    verify = commands.add_parser(
        "verify",
        help="查证 a transcript or certificate: a PDF (offline, by the signed file it carries), "
        "a JSON document or credential, or a serial; exit 0 only when valid",
    )
    verify.add_argument("what", metavar="FILE.pdf|FILE.json|SERIAL")
    verify.add_argument(
        "--db", type=Path, required=True, help="the school's SQLite store (default: none, required)"
    )
    _common_options(verify)
    _http_commands(commands)
    return parser


def _http_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    """``serve`` and ``token`` (the ``second-classroom[http]`` extra)."""
    from second_classroom.persistence.stores import DEFAULT_SQLITE_FILE

    serve = commands.add_parser("serve", help="run the HTTP service (needs second-classroom[http])")
    _store_options(serve, DEFAULT_SQLITE_FILE)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=_positive(int), default=8000, help="port to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--rulebook",
        default="nepu",
        help="a packaged preset (nepu, hfut) or a rulebook TOML file (default: %(default)s)",
    )
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="a separate process runs the views and reactions (default: off: run them here)",
    )
    serve.add_argument(
        "--interval",
        type=_positive(float),
        default=1.0,
        help="seconds between the worker's rounds (default: %(default)s)",
    )
    serve.add_argument(
        "--processes",
        type=_positive(int),
        default=1,
        help="OS processes serving one store on one port, a core each (default: %(default)s)",
    )
    serve.add_argument(
        "--webhook-url",
        default=None,
        help="POST each notice here, signed with SECOND_CLASSROOM_WEBHOOK_SECRET (default: none)",
    )
    _common_options(serve)
    token = commands.add_parser("token", help="issue a development bearer token for serve")
    _store_options(token, DEFAULT_SQLITE_FILE)
    who = token.add_mutually_exclusive_group(required=True)
    who.add_argument("--student", metavar="NUMBER", help="a student's 学号 (default: none)")
    who.add_argument(
        "--college-admin", metavar="CODE", help="an admin of this college (default: none)"
    )
    who.add_argument(
        "--school-admin", action="store_true", help="a school admin 校团委 (default: off)"
    )
    token.add_argument("--staff", default="T-dev", help="the admin's 工号 (default: %(default)s)")
    token.add_argument(
        "--hours", type=_positive(float), default=12.0, help="valid for (default: %(default)s)"
    )
    _common_options(token)


def _store_options(parser: argparse.ArgumentParser, default: str) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db", type=Path, default=Path(default), help="SQLite file (default: %(default)s)"
    )
    where.add_argument(
        "--postgres",
        metavar="DSN",
        type=_dsn,
        help="PostgreSQL instead of --db; the secret from SECOND_CLASSROOM_SECRET (default: none)",
    )
    parser.add_argument(
        "--schema", default="", help="PostgreSQL schema of the application (default: public)"
    )


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
    if args.command in ("serve", "token"):
        return _http(args)
    if args.command == "schema":
        return _schema(args)
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "project":
        return _project(args)
    if args.command == "verify":
        return _verify(args.what, args.db)
    if args.command == "backfill":
        return _backfill(args)
    if args.command == "rulebooks":
        return _list_rulebooks(args.show)
    if args.command == "demo":
        from second_classroom.demo import run_demo

        # before anything is deleted; none: the demo's own school (NEPU and its 补录 chains)
        rulebook = _rulebook(args.rulebook) if args.rulebook is not None else None
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


# How a number is written on the command line: ASCII digits, a fraction after a point for a
# float; ``int()``/``float()`` would also read " 5", "+5", "1_000", "1e3" and "٥".
_PLAIN = {int: re.compile(r"[0-9]{1,18}"), float: re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,18})?")}


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type: a number of ``kind`` above zero, written plainly."""

    def parse(value: str) -> int | float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
        if not math.isfinite(number):
            raise argparse.ArgumentTypeError(f"not a finite number: {value!r}")
        if not number > 0:
            raise argparse.ArgumentTypeError(f"must be more than 0: {value!r}")
        if not _PLAIN[kind].fullmatch(value):
            raise argparse.ArgumentTypeError(f"not plain ASCII digits: {value!r}")
        return number

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def _seed(value: str) -> int:
    """An argparse type: a random seed, ASCII digits."""
    if not _PLAIN[int].fullmatch(value):
        raise argparse.ArgumentTypeError(f"not plain ASCII digits: {value!r}")
    return int(value)


def _uuid(value: str) -> UUID:
    """An argparse type: a UUID in the one form the codec reads (8-4-4-4-12 hex digits)."""
    from second_classroom import codec

    if not codec.UUID_TEXT.fullmatch(value):
        raise argparse.ArgumentTypeError(f"not a UUID (8-4-4-4-12 hex digits): {value!r}")
    return UUID(value)


def _rulebook(name_or_file: str) -> Rulebook:
    """A packaged preset by name, or a TOML file by path."""
    from second_classroom.policies.rulebook import Rulebook, preset

    given = Path(name_or_file)
    if given.suffix.lower() == ".toml" or len(given.parts) > 1:
        return Rulebook.load(given)
    return preset(name_or_file)


def _backfill(args: argparse.Namespace) -> int:
    """Write the template, or check a filled one (storing nothing): 0 when it has no error."""
    from second_classroom import backfill
    from second_classroom.core.actor import Actor
    from second_classroom.service import SecondClassroom

    rulebook = _rulebook(args.rulebook)
    if args.action == "template":
        backfill.write_template(rulebook, args.file)
        print(f"template written: {args.file}")
        return 0
    if args.db is None or not args.db.is_file():
        raise CommandLineError(f"{args.action} needs --db, an existing SQLite store")
    if args.action == "import":
        return _backfill_import(args, rulebook)
    with SecondClassroom.sqlite(args.db, rulebook) as service:
        checked = service.check_backfill(args.file, Actor.system())
    for error in checked.errors:
        print(
            f"第 {error.row} 行 {error.column} 列（{error.header}）[{error.code}] {error.message}"
        )
    print(f"{len(checked.rows)} 行无误，{len(checked.errors)} 处错误")
    return 0 if checked.ok else 1


def _backfill_import(args: argparse.Namespace, rulebook: Rulebook) -> int:
    from second_classroom import backfill
    from second_classroom.core.actor import Actor
    from second_classroom.service import SecondClassroom

    if args.claim is None or not args.staff:
        raise CommandLineError("import needs --claim ID and --as STAFF")
    from tqdm import tqdm

    with (
        SecondClassroom.sqlite(args.db, rulebook) as service,
        tqdm(desc="checking", unit="row", disable=args.no_progress, leave=False) as bar,
    ):
        actor = _list_importer(args.staff, rulebook, service.claim(args.claim, Actor.system()))
        now = service.clock()
        service.calendar_gaps(now)  # a year nobody loaded: warned before the import
        outcome = backfill.import_list(service, args.file, args.claim, actor, now, bar.update)
    records = sum(1 for e in outcome.events if type(e.payload).__name__ == "BackfillRecorded")
    print(f"imported: {records} student records" if outcome.events else "already imported")
    return 0


def _list_importer(staff: str, rulebook: Rulebook, found: Claim | None) -> Actor:
    """The staff member importing a list: a school admin who also holds the unscoped role of
    the last step of the claim's chain (001 第三条: the 二课中心 imports) — the chain ``found``
    was filed under, else the rulebook's collective one — where there is one."""
    from second_classroom.aggregates.claim import chain_of
    from second_classroom.core.actor import Actor, Role
    from second_classroom.policies.claim_rules import ClaimKind, StepScope

    roles = {Role.school_admin()}
    current = rulebook.claims.chain(ClaimKind.COLLECTIVE)
    chain = chain_of(found, rulebook.claims) if found is not None else current
    if chain is not None:
        last = chain.steps[-1].deciders
        roles |= {Role(d.role) for d in last if d.scope is StepScope.SCHOOL}
    return Actor(staff, roles)


def _list_rulebooks(show: str | None) -> int:
    """One line a packaged preset (its name and its school's Chinese name), or one's TOML."""
    from second_classroom.policies.rulebook import preset, preset_source, presets

    if show is not None:
        print(preset_source(show), end="")
        return 0
    for name in presets():
        print(f"{name}\t{preset(name).school}")
    return 0


def _reached_postgres(args: argparse.Namespace) -> dict[str, str]:
    """The store of ``--postgres`` and ``--schema``, once the server answered within
    CONNECT_TIMEOUT (``store.unreachable`` otherwise, before anything is opened)."""
    from second_classroom.persistence.stores import postgres_env, probe_postgres

    probe_postgres(args.postgres, CONNECT_TIMEOUT)
    return postgres_env(args.postgres, args.schema)


def _remove_sqlite(path: Path) -> None:
    """Delete an SQLite file with its journals (a stale ``-wal`` would be replayed into a new
    file of the same name); the secret beside it stays."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _project(args: argparse.Namespace) -> int:
    """Follow the log and keep the views; safe to run beside any number of writers."""
    import time

    from second_classroom.persistence.application import SecondClassroomApplication
    from second_classroom.persistence.stores import sqlite_env
    from second_classroom.projections.viewset import ViewSet

    if args.postgres:
        env = _reached_postgres(args)
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


def _verify(what: str, db: Path) -> int:
    """Print the 查证入口's answer for a PDF, a JSON document or credential, or a serial."""
    import json

    from second_classroom.persistence.stores import sqlite_env
    from second_classroom.policies import serials
    from second_classroom.service import SecondClassroom, VerificationStatus

    if not db.is_file():
        raise CommandLineError(f"{db}: no such database (give the school's store)")
    path = Path(what)
    with SecondClassroom.open(sqlite_env(db), secret=None) as service:
        if path.suffix.lower() == ".pdf":
            answer = service.verify_pdf(path.read_bytes())
        elif path.suffix.lower() == ".json":
            try:
                given = json.loads(path.read_bytes())
            except ValueError as error:
                raise CommandLineError(f"{path}: not JSON ({error})") from None
            is_credential = isinstance(given, dict) and "credentialSubject" in given
            answer = (
                service.verify_credential(given)
                if is_credential
                else service.verify_transcript(given)
            )
        else:
            answer = service.verify_transcript(what)
    shown = serials.display(answer.serial) if serials.is_valid(answer.serial) else answer.serial
    print(f"{answer.status.value}  {shown}  {answer.note}".rstrip())
    if answer.content is not None:
        content = answer.content
        who = f"{content.name}  {content.student_number}"
        print(f"{content.school}  {who}  {content.issued_at:%Y-%m-%d}")
        for total in content.totals:
            print(f"  {total.module}  {total.credit_type}  {total.amount}")
    if answer.certificate is not None:  # 电子证书 (002 二 8))
        certificate = answer.certificate
        who = f"{certificate.name}  {certificate.student_number}"
        print(f"{certificate.kind.label}  {certificate.issuer}  {who}")
        print(f"  {certificate.title}  {certificate.issued_at:%Y-%m-%d}")
    if answer.term_ended is not None:
        print(f"  {answer.term_ended.sentence}")
    return 0 if answer.status is VerificationStatus.VALID else 1


def _simulate(args: argparse.Namespace) -> int:
    """A semester on a new SQLite file or on PostgreSQL; prints a summary."""
    from second_classroom.core.extras import require_extra
    from second_classroom.service import SecondClassroom
    from second_classroom.simulation import simulate

    rulebook = _rulebook(args.rulebook)  # before anything is deleted or created
    require_extra("tqdm", "simulate", "模拟学期 simulate")  # likewise
    store = _reached_postgres(args) if args.postgres else None
    if store is not None:
        service = SecondClassroom.open(store, rulebook)
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
            processes=args.processes,
            opener=functools.partial(_open_store, store, args.db, args.rulebook),
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


def _open_store(store: dict[str, str] | None, db: Path, rulebook: str) -> SecondClassroom:
    """The facade on PostgreSQL settings ``store`` or else the SQLite file ``db`` (a module
    function, so that a spawned process can be handed it)."""
    from second_classroom.service import SecondClassroom

    if store is not None:
        return SecondClassroom.open(store, _rulebook(rulebook))
    return SecondClassroom.sqlite(db, _rulebook(rulebook))


def _schema(args: argparse.Namespace) -> int:
    """Every message's JSON Schema, for frontends to validate against before sending."""
    from second_classroom.schema import write_schemas

    written = write_schemas(args.out_dir, _rulebook(args.rulebook))
    print(f"{len(written)} schemas written to {args.out_dir}")
    return 0


def _http(args: argparse.Namespace) -> int:
    """``serve``: the HTTP service until interrupted; ``token``: print a development token."""
    from second_classroom.core.actor import Actor

    try:
        from second_classroom.http import serve
    except ImportError as missing:
        raise CommandLineError(
            f"the HTTP service needs second-classroom[http] ({missing.name} is missing)"
        ) from None
    _rulebook(getattr(args, "rulebook", "nepu"))  # a bad rulebook: refused before the store
    store = _reached_postgres(args) if args.postgres else None
    opener = functools.partial(_open_store, store, args.db, getattr(args, "rulebook", "nepu"))
    service = opener()
    if args.command == "serve" and args.processes > 1:
        service.close()  # the store is made (tables, secret); each process opens its own
        serve.serve_processes(
            opener,
            args.processes,
            args.host,
            args.port,
            worker=not args.no_worker,
            interval=args.interval,
            webhook_url=args.webhook_url,
            log_level=args.log_level if args.log_level != "WARNING" else "INFO",
        )
        return 0
    with service:
        if args.command == "serve":
            serve.serve(
                service,
                args.host,
                args.port,
                worker=not args.no_worker,
                interval=args.interval,
                webhook_url=args.webhook_url,
                log_level=args.log_level if args.log_level != "WARNING" else "INFO",
            )
            return 0
        if service.secret is None:
            raise CommandLineError("no school secret: set SECOND_CLASSROOM_SECRET")
        if args.student:
            actor = Actor.student(args.student)
        elif args.college_admin:
            actor = Actor.college_admin(args.staff, args.college_admin)
        else:
            actor = Actor.school_admin(args.staff)
        print(serve.development_token(service.secret, actor, args.hours))
    return 0
