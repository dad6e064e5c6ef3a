"""Mutation testing of one module against the tests that are meant to pin it down.

    nice -n 19 python tools/mutation.py --module src/second_classroom/policies/serials.py \
        --tests tests/policies/test_serials.py

runs mutmut (configured in ``[tool.mutmut]`` of pyproject.toml) on that module only, lists the
surviving mutants with their diffs, and prints ``score: 0.NN`` last (killed and timed-out mutants
over all mutants mutmut did not skip).

mutmut 3 works on a copy of the project in ``./mutants`` and reads its settings from the
pyproject.toml of the folder it runs in, so a per-module run needs its own folder: this tool copies
``src/``, ``tests/`` and pyproject.toml into a temporary folder, narrows ``[tool.mutmut]`` there
(``only_mutate`` = the module, ``pytest_add_cli_args_test_selection`` = the tests) and runs mutmut
in it with one worker. The project's own checkout is never written to.

The counts and the survivors are read from mutmut's own record of the run, the module's
``mutants/<module>.meta`` (its exit code per mutant, which ``mutmut results`` and
``export-cicd-stats`` read too), and each survivor's diff from the mutated copy
``mutants/<module>`` (with its ``.spans`` index) by mutmut's own ``get_diff_for_mutant``, in
this process: a ``mutmut show`` per survivor took 10-30 s on a loaded machine.

The folder is deleted at the end, unless ``--keep``, or unless the run is interrupted (Ctrl-C,
SIGTERM): then mutmut is stopped and the folder kept, its path printed, with mutmut's results
so far (``mutmut results`` there lists them; ``mutmut run`` there goes on).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

import tomli_w
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).with_name("mutmut")


def _settings(root: Path, module: str, tests: list[str]) -> dict[str, Any]:
    """The project's pyproject.toml with ``[tool.mutmut]`` narrowed to one module and its tests."""
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    mutmut = dict(project.get("tool", {}).get("mutmut", {}))
    mutmut["only_mutate"] = [module]
    mutmut["pytest_add_cli_args_test_selection"] = tests
    project.setdefault("tool", {})["mutmut"] = mutmut
    return project


def _mutmut(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # the copy's src must win over the editable install of the main checkout
    env["PYTHONPATH"] = str(folder / "src")
    env.pop("SECOND_CLASSROOM_REQUIRE_POSTGRES", None)
    # a tenth of the hypothesis examples, the same ones each run (tests/example_counts.py)
    env.setdefault("HYPOTHESIS_PROFILE", "mutation")
    return run_group([str(MUTMUT), *arguments], folder, env)


def run_group(
    command: list[str], cwd: Path, env: Mapping[str, str] | None = None, grace: float = 10.0
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in a process group of its own, its output captured. If this process is
    interrupted meanwhile, the whole group (mutmut and the workers it forked) is sent SIGTERM,
    then SIGKILL after ``grace`` seconds, before the interrupt goes on."""
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group: a Ctrl-C reaches this process alone
    ) as process:
        try:
            out, err = process.communicate()
        except BaseException:
            _stop_group(process, grace)
            raise
        return subprocess.CompletedProcess(command, process.returncode, out, err)


def _stop_group(process: subprocess.Popen[str], grace: float) -> None:
    """SIGTERM to the group, then SIGKILL to what is left of it after ``grace`` seconds."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sent)
        if _group_ended(process, grace):
            return


def _group_ended(process: subprocess.Popen[str], grace: float) -> bool:
    """Whether the leader and every other process of its group ended within ``grace``. The
    leader's end alone is not enough: a worker it forked may still be handling the signal."""
    deadline = time.monotonic() + grace
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        return False
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)  # any process left in the group (a zombie included)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def exit_codes(folder: Path, module: str) -> dict[str, int | None]:
    """mutmut's exit code per mutant of ``module`` (None: not run), from its ``.meta``."""
    meta = json.loads((folder / "mutants" / f"{module}.meta").read_text("utf-8"))
    found: dict[str, int | None] = meta["exit_code_by_key"]
    return found


def tally(codes: Mapping[str, int | None]) -> dict[str, int]:
    """The counts mutmut's ``export-cicd-stats`` writes, from the exit codes."""
    counted = Counter(status_by_exit_code[code].replace(" ", "_") for code in codes.values())
    names = ("killed", "survived", "no_tests", "skipped", "suspicious", "timeout")
    stats = {name: counted[name] for name in names}
    stats["check_was_interrupted_by_user"] = counted["check_was_interrupted_by_user"]
    stats["segfault"] = counted["segfault"]
    stats["total"] = len(codes)
    return stats


def survivors(codes: Mapping[str, int | None]) -> list[str]:
    """The mutants to show: every one run and not killed (survived, timed out, no tests …);
    "not checked" ones were never run (outside ``--only``)."""
    return [
        name
        for name, code in codes.items()
        if status_by_exit_code[code] not in ("killed", "not checked")
    ]


def shown(folder: Path, module: str, name: str, code: int | None) -> str:
    """What ``mutmut show`` prints for mutant ``name``: its status, then its diff."""
    with contextlib.chdir(folder):  # mutmut reads mutants/<module> relative to the folder
        diff = get_diff_for_mutant(name, path=module)
    return f"# {name}: {status_by_exit_code[code]}\n{diff}"


def score(stats: Mapping[str, int], only: bool = False) -> float:
    """Killed and timed-out mutants over all mutants mutmut did not skip; with ``only``, over
    the mutants that were run (the others were never named)."""
    total, skipped = stats["total"], stats["skipped"]
    if only:
        total = stats["killed"] + stats["timeout"] + stats["survived"]
        total += stats["no_tests"] + stats["suspicious"] + stats["segfault"]
        skipped = 0
    tested = total - skipped
    return 0.0 if tested <= 0 else (stats["killed"] + stats["timeout"]) / tested


def run(
    module: str,
    tests: list[str],
    *,
    root: Path = ROOT,
    keep: bool = False,
    only: tuple[str, ...] = (),
) -> float | None:
    """Mutate ``module`` (a path relative to ``root``), run ``tests``, return the score (over
    the mutants named in ``only``, when given), or None when mutmut makes no mutant of it."""
    folder = Path(tempfile.mkdtemp(prefix="mutation-"))
    interrupted = False
    try:
        shutil.copytree(root / "src", folder / "src", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(
            root / "tests", folder / "tests", ignore=shutil.ignore_patterns("__pycache__")
        )
        settings = _settings(root, module, tests)
        (folder / "pyproject.toml").write_text(tomli_w.dumps(settings), "utf-8")
        ran = _mutmut(folder, "run", "--max-children", "1", *only)
        if ran.returncode != 0 and _mutant_count(folder, module) == 0:
            # mutmut then says it found no test for any mutant: there is none to find
            print(f"no mutants: mutmut makes none of {module} (see docs/testing.md)")
            return None
        if ran.returncode != 0:
            sys.stdout.write(ran.stdout[-4000:] + ran.stderr[-4000:])
            raise SystemExit(f"mutmut run failed (exit {ran.returncode})")
        codes = exit_codes(folder, module)
        for name in survivors(codes):
            print(shown(folder, module, name, codes[name]))
        stats = tally(codes)
        print(json.dumps(stats, sort_keys=True))
        return score(stats, only=bool(only))
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if interrupted:
            print(f"interrupted: kept {folder} (mutmut results there: what was run)", flush=True)
        elif keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _mutant_count(folder: Path, module: str) -> int | None:
    """How many mutants mutmut made of ``module`` (None when it got no further than that)."""
    meta = folder / "mutants" / f"{module}.meta"
    if not meta.exists():
        return None
    return len(json.loads(meta.read_text("utf-8"))["exit_code_by_key"])


def _terminated(signum: int, frame: FrameType | None) -> None:
    """SIGTERM as a Ctrl-C: mutmut is stopped and the folder kept."""
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", required=True, help="e.g. src/second_classroom/policies/x.py")
    parser.add_argument(
        "--tests", nargs="+", help="test files or node ids (default: the module's mirror in tests/)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--only",
        nargs="+",
        default=(),
        help="run just these mutants (names or globs, e.g. the survivors of an earlier run "
        "after tests were added); the score is over them alone",
    )
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="another checkout to measure (e.g. a before-score)"
    )
    arguments = parser.parse_args()
    root = arguments.root.resolve()
    module = Path(arguments.module)
    if module.is_absolute():
        module = module.relative_to(root)
    tests = arguments.tests or [_mirror(module)]
    signal.signal(signal.SIGTERM, _terminated)
    try:
        found = run(
            module.as_posix(), tests, root=root, keep=arguments.keep, only=tuple(arguments.only)
        )
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    if found is None:  # decorated functions (properties) only, or nothing mutmut changes
        print("score: none (no mutants)")
        return
    # rounded down, so 0.896 does not pass for 0.90
    print(f"score: {math.floor(found * 100) / 100:.2f}")


def _mirror(module: Path) -> str:
    """``src/second_classroom/policies/x.py`` -> ``tests/policies/test_x.py``."""
    inner = module.relative_to("src/second_classroom")
    return (Path("tests") / inner.parent / f"test_{inner.name}").as_posix()


if __name__ == "__main__":
    main()
