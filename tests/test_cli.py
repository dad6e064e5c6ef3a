"""The ``second-classroom`` command: the demo (README), the view worker and the simulator; and
its boundary: every bad input or environment is one line on stderr and a non-zero exit status,
never a traceback, and a refused command line stores and deletes nothing."""

from __future__ import annotations

import argparse
import logging
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import second_classroom
from second_classroom import cli
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.tribe import CreateTribe
from second_classroom.core.actor import Actor
from second_classroom.core.errors import MALFORMED
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.stores import postgres_env, sqlite_env
from second_classroom.projections.viewset import ViewSet
from second_classroom.service import SecondClassroom

PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def command(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The command in a new process, importing the package under test (a relative PYTHONPATH
    would not survive ``cwd``)."""
    source = str(Path(second_classroom.__file__).parent.parent)
    path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "second_classroom", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=check,
    )


def run(*args: str, cwd: Path) -> str:
    return command(*args, cwd=cwd).stdout


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """``main`` configures the root logger for its process; give the next test its own back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the command in-process: its exit status and its one line on stderr (nothing else)."""
    try:
        status = cli.main(argv)
    except SystemExit as exit_:  # argparse refuses the command line this way
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return status, lines[0]


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def small_store(path: Path) -> None:
    with SecondClassroom.sqlite(path) as service:
        union = CreateTribe(
            "PE-SU", "石油工程学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "PE"
        )
        service.execute(union, Actor.college_admin("T-007", "PE"), NOW)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the subcommands at work --------------------------------------------------------------------


def view_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table the worker keeps in the store at ``path``."""
    with SecondClassroomApplication(sqlite_env(path)) as app:
        views = ViewSet(app)
        rows = views.runner.snapshot()
        views.close()
    return rows


def test_the_view_worker_catches_up_and_rebuilds(tmp_path: Path) -> None:
    run("demo", "--db", "school.sqlite3", cwd=tmp_path)
    first = run("project", "--db", "school.sqlite3", "--once", cwd=tmp_path)
    caught_up = view_rows(tmp_path / "school.sqlite3")
    again = run("project", "--db", "school.sqlite3", "--once", "--rebuild", cwd=tmp_path)
    assert first.startswith("views at position ")
    assert first == again  # a rebuild from zero reaches the same position
    position = int(first.split()[-1])
    assert position > 100
    # ... and the same rows, every table of every view
    assert view_rows(tmp_path / "school.sqlite3") == caught_up
    assert caught_up["activity_board"]
    assert caught_up["student_credits"]


def test_the_demo_refuses_to_overwrite_a_store(tmp_path: Path) -> None:
    run("demo", "--db", "school.sqlite3", cwd=tmp_path)
    before = contents(tmp_path)
    result = command("demo", "--db", "school.sqlite3", cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "--fresh" in result.stderr
    assert contents(tmp_path) == before


def test_simulate_replaces_an_existing_file_only_when_told_to(tmp_path: Path) -> None:
    # Given a file in the simulator's default place
    (tmp_path / "second_classroom_simulation.sqlite3").write_bytes(b"an earlier run")
    # When a semester is simulated with --overwrite
    out = run(
        "simulate",
        "--students",
        "120",
        "--activities",
        "12",
        "--rulebook",
        "hfut",
        "--batch",
        "20",
        "--no-progress",
        "--overwrite",
        cwd=tmp_path,
    )
    # Then the file holds the new semester, under another school's rulebook
    assert "超额录取 over-admission: 0" in out
    assert "学分账户与视图不符 ledger/view mismatches: 0" in out
    assert (tmp_path / "second_classroom_simulation.sqlite3").read_bytes()[:16] == (
        b"SQLite format 3\x00"
    )


@pytest.mark.postgres
def test_simulate_adds_nothing_to_a_postgres_schema_that_holds_events(
    postgres_dsn: str, postgres_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a schema where a school keeps its log
    with SecondClassroom.open(postgres_env(postgres_dsn, postgres_schema)) as service:
        union = CreateTribe(
            "PE-SU", "石油工程学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "PE"
        )
        service.execute(union, Actor.college_admin("T-007", "PE"), NOW)
        before = service.app.notifications(0, 100)
    # When a semester is simulated there
    argv = ["simulate", "--postgres", postgres_dsn, "--schema", postgres_schema, "--no-progress"]
    status, line = refused(capsys, *argv)
    # Then it is refused and the log is as it was
    assert status == 2
    assert line == (
        "second-classroom: the PostgreSQL schema holds events already; simulate needs an empty one"
    )
    with SecondClassroom.open(postgres_env(postgres_dsn, postgres_schema)) as service:
        assert service.app.notifications(0, 100) == before


@pytest.mark.postgres
def test_the_view_worker_follows_postgres(
    postgres_dsn: str, postgres_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a school's log in a PostgreSQL schema, the worker catches the views up to the
    last event; a rebuild from zero reaches the same position and the same rows."""
    from tests.enrolment_world import REGISTERING, approved_activity, found_school

    env = postgres_env(postgres_dsn, postgres_schema)
    with SecondClassroom.open(env, secret=bytes(32)) as service:
        numbers = found_school(service, 3)
        talk = approved_activity(service, "talk")
        for number in numbers:
            service.execute(Register(talk), Actor.student(number), REGISTERING)
        top = service.app.recorder.max_notification_id()
    argv = ["project", "--postgres", postgres_dsn, "--schema", postgres_schema, "--once"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == f"views at position {top}\n"
    caught_up = postgres_view_rows(env)
    assert cli.main([*argv, "--rebuild"]) == 0
    assert capsys.readouterr().out == f"views at position {top}\n"
    assert postgres_view_rows(env) == caught_up
    assert len(caught_up["student_summary"]) == 4  # the leader and three students
    assert len(caught_up["audit_log"]) == top
    with SecondClassroomApplication(env) as app:
        views = ViewSet(app)
        [board] = views.activity_board(str(talk))
        views.close()
    assert (board.registrations, board.admitted, board.status) == (3, 3, "approved")


def postgres_view_rows(env: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    with SecondClassroomApplication(env) as app:
        views = ViewSet(app)
        try:
            return views.runner.snapshot()
        finally:
            views.close()


# -- refusals: one line, a non-zero status, nothing stored or deleted ---------------------------


def test_simulate_refuses_to_delete_an_existing_file(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "mine.sqlite3").write_bytes(b"a store someone needs")
    status, line = refused(capsys, "simulate", "--db", "mine.sqlite3", "--no-progress")
    assert status == 2
    assert line == (
        "second-classroom: mine.sqlite3 exists; simulate writes a new store "
        "(add --overwrite to replace it)"
    )
    assert contents(folder) == {"mine.sqlite3": b"a store someone needs"}


def test_the_view_worker_does_not_create_a_missing_database(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, line = refused(capsys, "project", "--db", "typo.sqlite3", "--once")
    assert status == 2
    assert "typo.sqlite3: no such database" in line
    assert contents(folder) == {}


def test_the_view_worker_reports_a_file_that_is_not_a_database(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "notes.txt").write_bytes(b"not a database at all, just some notes")
    status, line = refused(capsys, "project", "--db", "notes.txt", "--once")
    assert status == 1
    assert line == "second-classroom: database error: file is not a database"
    assert contents(folder) == {"notes.txt": b"not a database at all, just some notes"}


@pytest.mark.parametrize(
    ("rulebook", "content", "reason"),
    [
        ("bin.toml", b"\xff\xfe school = 1", "the file is not UTF-8 text"),
        ("huge.toml", b"#" * (2**20 + 1), "the file is larger than 1048576 bytes"),
        ("/dev/zero", None, "the file is larger than 1048576 bytes"),
    ],
)
def test_a_rulebook_file_that_is_not_a_small_text_is_rulebook_invalid(
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    rulebook: str,
    content: bytes | None,
    reason: str,
) -> None:
    """Review finding 14: a binary rulebook exited 70 (a bug) and ``/dev/zero`` was read for
    ever; both are ``rulebook.invalid``, exit 1, before any store is touched."""
    if content is not None:
        (folder / rulebook).write_bytes(content)
    before = contents(folder)
    for argv in (("schema", "out", "--rulebook", rulebook), ("simulate", "--rulebook", rulebook)):
        status, line = refused(capsys, *argv)
        assert status == 1
        assert line.startswith("second-classroom: [rulebook.invalid] 规则配置无效：")
        assert reason in line
    assert contents(folder) == before


@pytest.mark.parametrize(
    ("rulebook", "text", "expected"),
    [
        (
            "nosuch",
            None,
            "second-classroom: [rulebook.invalid] 规则配置无效：unknown preset 'nosuch'",
        ),
        ("missing.toml", None, "second-classroom: No such file or directory: missing.toml"),
        ("broken.toml", "modules = [", "second-classroom: [rulebook.invalid] 规则配置无效："),
        ("typo.toml", "modulez = []", "second-classroom: [rulebook.invalid] 规则配置无效："),
    ],
)
def test_simulate_refuses_a_bad_rulebook_before_touching_a_store(
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    rulebook: str,
    text: str | None,
    expected: str,
) -> None:
    if text is not None:
        (folder / rulebook).write_text(text, encoding="utf-8")
    before = contents(folder)
    status, line = refused(capsys, "simulate", "--rulebook", rulebook, "--no-progress")
    assert status == 1
    assert line.startswith(expected)
    assert contents(folder) == before  # no store, no secret


@pytest.mark.parametrize("command", ["project", "simulate"])
@pytest.mark.parametrize(
    "dsn", ["mysql://root:hunter2@db/school", "postgresql://root:hunter2@db:port/school"]
)
def test_a_dsn_of_another_kind_is_refused_without_echoing_it(
    folder: Path, capsys: pytest.CaptureFixture[str], command: str, dsn: str
) -> None:
    status, line = refused(capsys, command, "--postgres", dsn)
    assert status == 2
    assert "argument --postgres: not a PostgreSQL DSN" in line
    assert "hunter2" not in line
    assert contents(folder) == {}


@pytest.mark.parametrize("command", ["project", "simulate"])
def test_a_refusing_postgres_server_is_one_line_at_once(
    folder: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    dsn = f"postgresql://school:hunter2@127.0.0.1:{closed_port()}/school"
    started = time.monotonic()
    status, line = refused(capsys, command, "--postgres", dsn)
    assert time.monotonic() - started < 5
    assert status == 1
    assert line.startswith("second-classroom: [store.unreachable] 无法连接数据库 127.0.0.1:")
    assert "Connection refused" in line
    assert "hunter2" not in line
    assert contents(folder) == {}


def test_a_silent_postgres_server_is_given_up_after_the_connect_timeout(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a port that accepts connections and never answers (the pool would wait 30 s)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        dsn = f"postgresql://school@127.0.0.1:{silent.getsockname()[1]}/school"
        started = time.monotonic()
        status, line = refused(capsys, "project", "--postgres", dsn, "--once")
        waited = time.monotonic() - started
    assert status == 1
    assert line.endswith("connection timeout expired")
    assert cli.CONNECT_TIMEOUT <= waited < cli.CONNECT_TIMEOUT + 5
    assert contents(folder) == {}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["simulate", "--students", "-3"], "argument --students: must be more than 0: '-3'"),
        (["simulate", "--batch", "many"], "argument --batch: not a number: 'many'"),
        (["project", "--interval", "1e309"], "argument --interval: not a finite number: '1e309'"),
        (["project", "--interval", "nan"], "argument --interval: not a finite number: 'nan'"),
        (["simulate", "--students", "+3"], "argument --students: not plain ASCII digits: '+3'"),
        (["simulate", "--students", "1_000"], "--students: not plain ASCII digits: '1_000'"),
        (["simulate", "--students", "\u0665"], "--students: not plain ASCII digits"),
        (["project", "--interval", "1e3"], "argument --interval: not plain ASCII digits: '1e3'"),
        (["project", "--interval", " 0.5"], "--interval: not plain ASCII digits: ' 0.5'"),
        (["simulate", "--seed", "-1"], "argument --seed: not plain ASCII digits: '-1'"),
        (["backfill", "import", "f.xlsx", "--claim", "urn:uuid:" + "0" * 32], "not a UUID"),
        (["project", "--db", "a", "--postgres", "postgresql://h/d"], "not allowed with argument"),
        (["project"], "one of the arguments --db --postgres is required"),
        (["launch"], "argument COMMAND: invalid choice: 'launch'"),
    ],
)
def test_a_bad_command_line_is_one_line_pointing_at_help(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    status, line = refused(capsys, *argv)
    assert status == 2
    assert expected in line
    assert line.endswith("--help)")
    assert contents(folder) == {}


def test_a_domain_error_is_its_code_and_both_messages_in_one_line(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_args: object) -> int:
        raise MALFORMED.error(reason="two\nlines")

    monkeypatch.setattr(cli, "_simulate", refuse)
    status, line = refused(capsys, "simulate")
    assert status == 1
    assert line == (
        "second-classroom: [command.malformed] 命令格式错误：two lines / "
        "Malformed command: two lines"
    )


def test_a_bug_is_one_line_and_debug_shows_its_traceback(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(_args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_project", crash)
    status, line = refused(capsys, "project", "--db", "x.sqlite3")
    assert status == cli.INTERNAL_ERROR
    assert line == (
        "second-classroom: internal error: RuntimeError: boom "
        "(rerun with --debug for the traceback)"
    )
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["project", "--db", "x.sqlite3", "--debug"])
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["--debug", "project", "--db", "x.sqlite3"])
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["project", "--db", "x.sqlite3"])


# -- release shape: version, help, logging -------------------------------------------------------


def test_the_version_is_pyprojects(tmp_path: Path) -> None:
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    assert second_classroom.__version__ == pyproject["project"]["version"]
    assert run("--version", cwd=tmp_path) == f"second-classroom {second_classroom.__version__}\n"


def subcommands() -> list[str]:
    [commands] = [
        action
        for action in cli.build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    return list(commands.choices)


def test_the_subcommands_are_known() -> None:
    assert {"demo", "project", "simulate"} <= set(subcommands())


@pytest.mark.parametrize("command", subcommands())
def test_every_option_of_every_subcommand_says_its_default(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    with pytest.raises(SystemExit, match="0"):
        cli.main([command, "--help"])
    options = capsys.readouterr().out.split("\noptions:\n", 1)[1]
    entries = re.split(r"\n(?=  -)", options.strip("\n"))
    assert len(entries) >= 4
    for entry in entries:
        if entry.lstrip().startswith("-h, --help"):
            continue
        assert "(default: " in " ".join(entry.split()), entry


def test_the_log_level_shows_the_library_at_work(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small_store(folder / "school.sqlite3")
    assert cli.main(["project", "--db", "school.sqlite3", "--once"]) == 0
    quiet = capsys.readouterr()
    assert (quiet.out, quiet.err) == ("views at position 1\n", "")

    assert (
        cli.main(
            ["project", "--db", "school.sqlite3", "--once", "--rebuild", "--log-level", "debug"]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert (
        "INFO second_classroom.persistence.application: store opened: SQLite school.sqlite3" in err
    )
    assert "INFO second_classroom.projections.runner: views: rebuilding from zero" in err
    assert (
        "DEBUG second_classroom.projections.runner: views: applied 1 events, at position 1" in err
    )


def test_rulebooks_lists_every_preset_with_its_school(tmp_path: Path) -> None:
    """Issue 14 §1: a preset per seed school, each with the school's Chinese name."""
    out = run("rulebooks", cwd=tmp_path)
    assert out.splitlines() == [
        "hfut\t合肥工业大学",
        "nepu\t东北石油大学",
        "qtnu\t琼台师范学院",
        "shcc\t上海海关学院",
        "siit\t四川工业科技学院",
    ]


def test_rulebooks_shows_a_preset_with_its_comments_and_refuses_an_unknown_one(
    tmp_path: Path,
) -> None:
    shown = run("rulebooks", "--show", "shcc", cwd=tmp_path)
    assert shown.startswith("# 上海海关学院")
    assert "# 2（一） 科研成果登记时，分国家级、省部级、校级三档记入学分" in shown
    result = command("rulebooks", "--show", "../nepu", cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert "rulebook.invalid" in result.stderr


@pytest.mark.parametrize("name", ["siit", "shcc", "qtnu"])
def test_simulate_and_demo_take_any_preset(tmp_path: Path, name: str) -> None:
    """`simulate --rulebook NAME` plays that school's semester; `demo --rulebook NAME` its
    scenario, in the school's own college, without the exam its seed does not name."""
    out = run(
        "simulate",
        "--students",
        "40",
        "--activities",
        "4",
        "--rulebook",
        name,
        "--no-progress",
        cwd=tmp_path,
    )
    assert "超额录取 over-admission: 0" in out
    demo = run("demo", "--rulebook", name, cwd=tmp_path)
    assert f"演示 · {cli._rulebook(name).school}" in demo
    assert "require_publisher_exam = false" in demo
    assert "按编号查证：有效" in demo


def test_verify_answers_for_a_pdf_a_json_document_and_a_serial(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A person at a desk (第四条 查证入口): ``verify FILE.pdf|FILE.json|SERIAL --db DB`` prints
    the status and the signed totals, exit 0 only when valid; an edited PDF exits 1."""
    import json

    import attrs

    from second_classroom import pdf
    from second_classroom.persistence.stores import sqlite_env
    from tests.specification import SCHOOL_ADMIN, at
    from tests.stores import TEST_SECRET
    from tests.transcript_world import graduated, issue

    db = folder / "school.sqlite3"
    with SecondClassroom.open(sqlite_env(db), secret=TEST_SECRET) as service:
        serial = issue(service, graduated(service), at(12, 5))
        printed = service.transcript_pdf(serial, SCHOOL_ADMIN, "https://v.example")
        document = service.transcript_document(serial, SCHOOL_ADMIN)
        found = service.transcript(serial, SCHOOL_ADMIN)
    assert printed is not None
    assert found is not None
    (folder / "t.pdf").write_bytes(printed)
    (folder / "t.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    for what in ("t.pdf", "t.json", serial):
        assert (
            cli.main(["verify", str(folder / what) if "." in what else what, "--db", str(db)]) == 0
        )
        out = capsys.readouterr().out
        assert out.startswith("valid"), out
        assert "学分" not in out or "0.5" in out
    inflated = attrs.evolve(
        found.content,
        totals=tuple(attrs.evolve(t, amount=t.amount * 19) for t in found.content.totals),
    )
    (folder / "edited.pdf").write_bytes(pdf.render(inflated, "https://v.example", document))
    assert cli.main(["verify", str(folder / "edited.pdf"), "--db", str(db)]) == 1
    assert capsys.readouterr().out.startswith("tampered")
    assert cli.main(["verify", "x.pdf", "--db", str(folder / "missing.sqlite3")]) == 2


def test_verify_answers_for_each_certificate_as_pdf_json_credential_and_serial(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """电子证书 (002 二 8)) at the desk as transcripts: each kind valid as its PDF, its signed
    JSON, its credential and its serial, naming the certificate; once revoked, exit 1."""
    import json

    from second_classroom.aggregates.certificate import RevokeCertificate
    from second_classroom.persistence.stores import sqlite_env
    from tests.certificate_world import ISSUED, RULES, commands, issue, world
    from tests.specification import SCHOOL_ADMIN
    from tests.stores import TEST_SECRET
    from tests.transcript_world import URL

    db = folder / "school.sqlite3"
    with SecondClassroom.open(sqlite_env(db), RULES, secret=TEST_SECRET) as service:
        for kind, (command, actor) in commands(world(service)).items():
            serial = issue(service, command, actor)
            data = service.certificate_pdf(serial, SCHOOL_ADMIN, URL)
            assert data is not None
            (folder / f"{kind}.pdf").write_bytes(data)
            for name, written in (
                ("doc", service.certificate_document(serial, SCHOOL_ADMIN)),
                ("vc", service.certificate_credential(serial, SCHOOL_ADMIN, URL)),
            ):
                (folder / f"{kind}-{name}.json").write_text(json.dumps(written), "utf-8")
            for what in (f"{kind}.pdf", f"{kind}-doc.json", f"{kind}-vc.json", serial):
                path = str(folder / what) if "." in what else what
                assert cli.main(["verify", path, "--db", str(db)]) == 0, what
                out = capsys.readouterr().out
                assert out.startswith("valid"), out
                assert kind.label in out
        service.execute(RevokeCertificate(serial, "颁发有误"), SCHOOL_ADMIN, ISSUED)
    assert cli.main(["verify", serial, "--db", str(db)]) == 1
    assert capsys.readouterr().out.startswith("revoked")


def test_verify_says_a_superseded_certificate_is_superseded(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """002 二 8) 电子志愿时卡 at the desk: given a card a school admin marked superseded by
    the next day's, ``verify SERIAL`` prints superseded with the reason and the card, as for a
    transcript, and exits 1; the newer card is valid."""
    from second_classroom.persistence.stores import sqlite_env
    from second_classroom.policies import serials
    from tests.certificate_world import RULES, superseded_card, world
    from tests.stores import TEST_SECRET

    db = folder / "school.sqlite3"
    with SecondClassroom.open(sqlite_env(db), RULES, secret=TEST_SECRET) as service:
        older, newer = superseded_card(service, world(service))
    assert cli.main(["verify", older, "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"superseded  {serials.display(older)}  志愿时长已更新\n"), out
    assert "电子志愿时卡" in out
    assert cli.main(["verify", newer, "--db", str(db)]) == 0


def test_verify_says_when_and_how_a_letter_s_term_ended_early(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """002 一 3) 电子聘书 at the desk: given a letter whose holder resigned on 12月20日 after
    it was issued, ``verify SERIAL`` prints valid (exit 0) and the line saying so."""
    from second_classroom.aggregates.cadre import EndCadreTerm, TermEnd
    from second_classroom.aggregates.certificate import CertificateKind
    from second_classroom.persistence.stores import sqlite_env
    from tests.certificate_world import RULES, TERM, commands, issue, world
    from tests.enrolment_world import LEADER, UNION
    from tests.specification import at
    from tests.stores import TEST_SECRET

    db = folder / "school.sqlite3"
    with SecondClassroom.open(sqlite_env(db), RULES, secret=TEST_SECRET) as service:
        w = world(service)
        serial = issue(service, *commands(w)[CertificateKind.APPOINTMENT])
        resigned = EndCadreTerm(UNION.tribe_id, TERM, w.student.person_id, TermEnd.RESIGNED, "考研")
        service.execute(resigned, LEADER, at(12, 20, 15))
    assert cli.main(["verify", serial, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid"), out
    assert "该聘书所载任期已于2026年12月20日因辞职提前结束" in out


def test_simulate_without_its_extra_names_it_and_creates_nothing(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Install weight: tqdm is the [simulate] extra's; without it the command says what to
    install before any store is created."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tqdm" else real(name, *a)
    )
    assert cli.main(["simulate", "--db", str(folder / "s.sqlite3")]) == 1
    assert "second-classroom[simulate]" in capsys.readouterr().err
    assert not (folder / "s.sqlite3").exists()
