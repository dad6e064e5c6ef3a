"""PostgreSQL crash: a command answered is stored, whatever happens to the server after.

The test runs its own throwaway server (``initdb``, ``pg_ctl``), since crashing the shared one
is not an option. Without the binaries it skips with the reason, unless
``SECOND_CLASSROOM_REQUIRE_POSTGRES=1`` (CI) makes that a failure. PostgreSQL refuses to run
as root: as root, the server runs as the user ``postgres`` (``runuser``).

The server's processes die, not the machine: WAL the server wrote survives even if not yet
fsynced, so this proves that an append's WAL left the server's memory before its answer;
that the flush reaches the disk is ``test_an_append_is_on_disk_when_it_returns``.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from second_classroom.aggregates.student import RegisterStudent
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.stores import postgres_env
from second_classroom.service import SecondClassroom
from tests.specification import PE_ADMIN, at
from tests.stores import REQUIRE_POSTGRES, TEST_SECRET

pytestmark = pytest.mark.postgres

APPENDS = 20
# Settings under which an append whose commit was not flushed is lost to the crash. An append
# commits asynchronously (``synchronous_commit = off`` inside the procedure); the wal writer
# writes such commits only every ``wal_writer_delay`` (10 s, its maximum) or once a WAL page
# is full, so within the test only the procedure's second, synchronous commit puts an append
# in the WAL files. The server's ``synchronous_commit`` is either its default, ``on``, or
# ``off`` (a common speed setting): the procedure's second commit raises ``off`` to ``on`` for
# itself. No autovacuum: its commits would flush the WAL too and could hide a missing flush.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "on",
    "wal_writer_delay": "'10s'",
    "autovacuum": "off",
}
PORT_ATTEMPTS = 5


def _binaries() -> Path | None:
    """The newest PostgreSQL's ``bin`` directory (Debian's layout) holding initdb and
    pg_ctl, else the one on ``PATH``."""

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        found.append(Path(on_path).parent)
    for directory in found:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def _problem() -> str | None:
    """Why no throwaway server can run here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'second-classroom[postgres]')"
    if _binaries() is None:
        return "no initdb and pg_ctl (in /usr/lib/postgresql/*/bin or on PATH)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as another user"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no user postgres to run PostgreSQL as"
    return None


def _free_port() -> int:
    """A TCP port free on 127.0.0.1 at this moment (another process may take it before the
    server binds it: the caller tries again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory, owned by the user that runs
    it (``postgres`` when the tests run as root)."""

    def __init__(self, binaries: Path, synchronous_commit: str) -> None:
        self.binaries = binaries
        self.synchronous_commit = synchronous_commit
        self.root = Path(tempfile.mkdtemp(prefix="sc-crash-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self.owner is not None:
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)

    def create(self) -> None:
        """``initdb`` (the superuser ``postgres``, no password) and the settings. Without
        initdb's fsync: only the server's processes crash here, never the machine."""
        made = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"
        )
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{made.stdout}\n{made.stderr}")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"unix_socket_directories = '{self.root}'\n")
            conf.writelines(f"{name} = {value}\n" for name, value in SETTINGS.items())
            conf.write(f"synchronous_commit = {self.synchronous_commit}\n")

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run one of the server's programs as the cluster's owner."""
        command: list[str] = [str(self.binaries / program), *args]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner.pw_name, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    @property
    def dsn(self) -> str:
        """The superuser's DSN for the port the server listens on now."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pid(self) -> int | None:
        """The running postmaster's process id, from its lock file."""
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def start(self) -> None:
        """Start the server (recovering from its WAL after a crash) on a free port."""
        for _ in range(PORT_ATTEMPTS):
            self.port = _free_port()
            logged = self.log.stat().st_size if self.log.exists() else 0  # this attempt's part
            started = self._run(
                "pg_ctl",
                *("start", "-w", "-t", "30", "-D", str(self.data), "-l", str(self.log)),
                *("-o", f"-p {self.port}"),
            )
            if started.returncode == 0:
                return
            # A port taken between the probe and the bind: try another one.
            if "already in use" not in self._log_from(logged):
                break
        raise RuntimeError(f"pg_ctl start failed:\n{started.stderr}\n{self._log_from(0)}")

    def _log_from(self, offset: int) -> str:
        """The server's log from byte ``offset`` on ("" while there is none)."""
        try:
            with self.log.open("rb") as log:
                log.seek(offset)
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def crash(self) -> None:
        """Kill the server as a crash would: SIGQUIT to the postmaster is an immediate
        shutdown, no checkpoint, and WAL not yet written out of shared memory is lost."""
        pid = self.pid()
        assert pid is not None, "the server is not running"
        os.kill(pid, signal.SIGQUIT)
        self._wait_for_exit()

    def _wait_for_exit(self, timeout: float = 30) -> None:
        """Until the postmaster has removed its lock file (the last thing it does)."""
        deadline = time.monotonic() + timeout
        while self.pid() is not None:
            if time.monotonic() > deadline:
                raise RuntimeError("the postmaster did not exit")
            time.sleep(0.01)

    def remove(self) -> None:
        """Stop the server if it runs (immediately: nothing here is worth keeping) and remove
        the directory."""
        try:
            if self.pid() is not None:
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(params=["on", "off"], ids=["synchronous_commit=on", "synchronous_commit=off"])
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """A started throwaway server, its ``synchronous_commit`` as shipped or off, stopped and
    removed afterwards, even on failure."""
    problem = _problem()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"a throwaway PostgreSQL server is required here: {problem}")
        pytest.skip(f"crash test skipped: {problem}")
    binaries = _binaries()
    assert binaries is not None
    made = Cluster(binaries, request.param)
    try:
        made.create()
        made.start()
        yield made
    finally:
        made.remove()


def _acknowledged(app: SecondClassroomApplication) -> dict[int, tuple[UUID, int]]:
    """The events ``app``'s recorder stores from now on (stream, version), by the position
    its ``insert_events`` answered to the application."""
    noted: dict[int, tuple[UUID, int]] = {}
    recorder: Any = app.recorder
    insert_events = recorder.insert_events

    def noting(stored_events: Sequence[Any], **kwargs: Any) -> Sequence[int]:
        positions: Sequence[int] = insert_events(stored_events, **kwargs)
        for position, event in zip(positions, stored_events, strict=True):
            noted[position] = (event.originator_id, event.originator_version)
        return positions

    recorder.insert_events = noting
    return noted


def test_every_answered_command_survives_a_crash_of_the_server(cluster: Cluster) -> None:
    """Given a store on a server whose wal writer waits 10 s between writes (and whose
    ``synchronous_commit`` is on, or off for the whole server); when 20
    commands are executed one after another, each answered, and the server then crashes
    (an immediate shutdown: WAL still in its memory is lost) and restarts; then every event
    those commands stored is in the log at the position its append answered. (Each append
    must flush its own commit before it answers: without that flush about half vanish.)"""
    env = postgres_env(cluster.dsn)
    answered: dict[int, tuple[UUID, int]] = {}
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        stored = _acknowledged(service.app)
        for n in range(APPENDS):
            number = f"2025{n:06d}"
            command = RegisterStudent(number, f"学生{number}", "PE", "石工25-1班", 2025)
            outcome = service.execute(command, PE_ADMIN, at(11, 23))
            events = {(e.originator_id, e.originator_version) for e in outcome.events}
            assert events
            assert events <= set(stored.values())  # answered only once stored
            answered.update(stored)
        cluster.crash()
    cluster.start()
    with SecondClassroomApplication(postgres_env(cluster.dsn)) as app:
        log = app.recorder.select_notifications(start=1, limit=10 * len(answered))
    found = {n.id: (n.originator_id, n.originator_version) for n in log}
    lost = {position: event for position, event in answered.items() if found.get(position) != event}
    assert len(answered) >= APPENDS
    assert lost == {}, f"{len(lost)} of {len(answered)} answered events lost in the crash"
