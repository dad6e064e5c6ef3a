"""tools/mutation.py without running mutmut: it reads mutmut's own record of a run (the
``.meta`` exit codes, the mutated copy for diffs), scores it as mutmut's export would, and an
interrupt stops mutmut's whole process group and keeps the folder."""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULE = "src/pkg/m.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_tool", ROOT / "tools" / "mutation.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mutation = _load()

# One of each status mutmut records (its exit codes: 1 killed, 0 survived, 36 timeout, 33 no
# tests, 34 skipped, None not run), as in mutants/<module>.meta.
CODES = {
    "pkg.m.x_f__mutmut_1": 1,
    "pkg.m.x_f__mutmut_2": 0,
    "pkg.m.x_f__mutmut_3": 36,
    "pkg.m.x_f__mutmut_4": 1,
    "pkg.m.x_f__mutmut_5": 33,
    "pkg.m.x_f__mutmut_6": 34,
    "pkg.m.x_f__mutmut_7": None,
}
MUTATED = """
def x_f__mutmut_orig(a):
    return a + 1


def x_f__mutmut_2(a):
    return a - 1
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder as mutmut leaves it after a run of ``src/pkg/m.py``."""
    mutants = tmp_path / "mutants" / "src" / "pkg"
    mutants.mkdir(parents=True)
    meta = {
        "exit_code_by_key": CODES,
        "hash_by_function_name": {},
        "type_check_error_by_key": {},
        "durations_by_key": {},
        "estimated_durations_by_key": {},
    }
    (mutants / "m.py.meta").write_text(json.dumps(meta), "utf-8")
    (mutants / "m.py").write_text(MUTATED, "utf-8")
    return tmp_path


def test_the_exit_codes_are_read_from_the_modules_meta(folder: Path) -> None:
    assert mutation.exit_codes(folder, MODULE) == CODES


def test_the_counts_are_mutmuts_export(folder: Path) -> None:
    stats = mutation.tally(CODES)
    assert stats == {
        "killed": 2,
        "survived": 1,
        "timeout": 1,
        "no_tests": 1,
        "skipped": 1,
        "suspicious": 0,
        "check_was_interrupted_by_user": 0,
        "segfault": 0,
        "total": 7,
    }
    # killed and timed out over all but the skipped: 3 / 6; over those run (--only): 3 / 5
    assert mutation.score(stats) == 0.5
    assert mutation.score(stats, only=True) == 0.6
    assert mutation.score(mutation.tally({})) == 0.0


def test_the_survivors_are_those_run_and_not_killed(folder: Path) -> None:
    assert mutation.survivors(CODES) == [
        "pkg.m.x_f__mutmut_2",
        "pkg.m.x_f__mutmut_3",
        "pkg.m.x_f__mutmut_5",
        "pkg.m.x_f__mutmut_6",
    ]


def test_a_survivor_is_shown_with_its_diff_from_the_mutated_copy(folder: Path) -> None:
    before = Path.cwd()
    shown = mutation.shown(folder, MODULE, "pkg.m.x_f__mutmut_2", 0)
    assert Path.cwd() == before  # read in the folder, then back
    assert shown.splitlines()[0] == "# pkg.m.x_f__mutmut_2: survived"
    assert "-    return a + 1" in shown.splitlines()
    assert "+    return a - 1" in shown.splitlines()


@pytest.fixture
def interrupt_in() -> Iterator[None]:
    """SIGALRM raises KeyboardInterrupt, as a Ctrl-C would, in the test's main thread."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


# A worker that takes 0.3 s to finish once told to stop: it outlives the group's leader.
SLOW_WORKER = "sh -c 'trap \"sleep 0.3; exit 0\" TERM; while :; do sleep 0.05; done'"


@pytest.mark.parametrize("worker", ["sleep 60", SLOW_WORKER], ids=["quick", "slow-to-stop"])
@pytest.mark.usefixtures("interrupt_in")
def test_an_interrupt_stops_the_whole_process_group(tmp_path: Path, worker: str) -> None:
    """mutmut forks its workers: an interrupt must not leave them running, and it returns
    only once they have ended, even a worker still finishing after the group's leader."""
    pids = tmp_path / "pids"
    script = f"{worker} & echo $! > {pids}; echo $$ >> {pids}; wait"
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        mutation.run_group(["sh", "-c", script], tmp_path, grace=5)
    assert time.monotonic() - started < 5
    for pid in map(int, pids.read_text().split()):
        assert not running(pid)


def running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for a reaper does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_an_interrupted_run_keeps_its_folder_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
        raise KeyboardInterrupt

    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text("[tool.mutmut]\n", "utf-8")
    monkeypatch.setattr(mutation, "_mutmut", interrupted)
    with pytest.raises(KeyboardInterrupt):
        mutation.run(MODULE, ["tests"], root=root)
    line = capsys.readouterr().out.strip()
    assert line.startswith("interrupted: kept ")
    kept = Path(line.removeprefix("interrupted: kept ").split(" (")[0])
    assert (kept / "pyproject.toml").is_file()
    assert (kept / "src").is_dir()


def test_sigterm_is_an_interrupt() -> None:
    """The tool's SIGTERM handler: a terminated run keeps its folder as a Ctrl-C does."""
    code = (
        "import os, signal, runpy, sys\n"
        f"tool = runpy.run_path({str(ROOT / 'tools' / 'mutation.py')!r})\n"
        "signal.signal(signal.SIGTERM, tool['_terminated'])\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    signal.pause()\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(7)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], timeout=120, check=False)
    assert done.returncode == 7
