"""``second-classroom token`` and ``serve``: a development token for the store's secret, and a
server that answers and stops gracefully on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from second_classroom.cli import main
from second_classroom.http.auth import BearerTokens
from second_classroom.persistence.secrets import secret_file
from tests.specification import present


def test_token_issues_a_token_for_the_stores_secret(
    tmp_path: Path, capsys: object, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(capsys, pytest.CaptureFixture)
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.delenv("SECOND_CLASSROOM_SECRET", raising=False)
    db = tmp_path / "school.sqlite3"
    assert main(["token", "--db", str(db), "--college-admin", "PE", "--staff", "T-7"]) == 0
    token = capsys.readouterr().out.strip()
    actor = BearerTokens.from_secret(present(secret_file(db))).actor(token)
    assert (actor.person_id, actor.is_college_admin("PE")) == ("T-7", True)
    assert main(["token", "--db", str(db), "--student", "2023010101"]) == 0
    student = BearerTokens.from_secret(present(secret_file(db))).actor(
        capsys.readouterr().out.strip()
    )
    assert student.person_id == "2023010101"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_then_stops_gracefully_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    env.pop("SECOND_CLASSROOM_SECRET", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "second_classroom",
            "serve",
            "--db",
            str(tmp_path / "s.sqlite3"),
            "--port",
            str(port),
            "--interval",
            "0.2",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert reply.status_code == 200
        assert reply.headers["x-request-id"]
        server.send_signal(signal.SIGTERM)
        # uvicorn finishes the requests in flight and the lifespan, then re-raises the signal
        # (systemd counts SIGTERM as a clean stop).
        assert server.wait(30) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.stderr is not None
    lines = [json.loads(line) for line in server.stderr.read().splitlines() if line.strip()]
    assert any(line.get("path") == "/readyz" and line.get("request_id") for line in lines)
    assert any(line["message"].startswith("stopped: streams ended") for line in lines)
    assert (tmp_path / "s.sqlite3").exists()


def serving_children(pid: int) -> list[int]:
    """The processes ``pid`` spawned to serve (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        int(child)
        for child in children
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def test_serve_with_two_processes_runs_two_servers_on_one_port_and_stops_both(
    tmp_path: Path,
) -> None:
    """issue 17 §3: ``serve --processes 2`` starts two serving processes on one port and one
    store; SIGTERM to the parent stops both gracefully."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    env.pop("SECOND_CLASSROOM_SECRET", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "second_classroom",
            "serve",
            "--db",
            str(tmp_path / "s.sqlite3"),
            "--port",
            str(port),
            "--processes",
            "2",
            "--interval",
            "0.2",
        ],
        env=env,
        stderr=log.open("w"),
        text=True,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            # Both processes serving (each logs "ready"): a SIGTERM before a process has set
            # up its handlers would end it without a graceful stop.
            ready = log.read_text().count('"ready: serving requests')
            try:
                replies = [
                    httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2) for _ in range(6)
                ]
                children = serving_children(server.pid)
                if len(children) == 2 and ready == 2:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        assert [reply.status_code for reply in replies] == [200] * 6
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
        assert not any(Path(f"/proc/{child}").exists() for child in children)
    finally:
        if server.poll() is None:
            server.kill()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    messages = [line["message"] for line in lines]
    assert f"serving on 127.0.0.1:{port} from 2 processes" in messages
    assert sum(m.startswith("stopped: streams ended") for m in messages) == 2
    assert "stopped: 2 processes" in messages
