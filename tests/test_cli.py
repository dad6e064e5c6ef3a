"""The ``second-classroom`` command: the demo (README), the view worker and the simulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.stores import sqlite_env
from second_classroom.projections.viewset import ViewSet


def run(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "second_classroom", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


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
    result = subprocess.run(
        [sys.executable, "-m", "second_classroom", "demo", "--db", "school.sqlite3"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "--fresh" in result.stderr


def test_simulate_runs_a_semester_under_another_schools_rulebook(tmp_path: Path) -> None:
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
        cwd=tmp_path,
    )
    assert "超额录取 over-admission: 0" in out
    assert "学分账户与视图不符 ledger/view mismatches: 0" in out
    assert (tmp_path / "second_classroom_simulation.sqlite3").exists()
