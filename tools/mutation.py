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
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

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
    # a tenth of the hypothesis examples, the same ones each run (tests/conftest.py)
    env.setdefault("HYPOTHESIS_PROFILE", "mutation")
    return subprocess.run(
        [str(MUTMUT), *arguments], cwd=folder, env=env, text=True, capture_output=True, check=False
    )


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
        _mutmut(folder, "export-cicd-stats")
        stats = json.loads((folder / "mutants" / "mutmut-cicd-stats.json").read_text("utf-8"))
        listed = [
            line.strip().rpartition(": ") for line in _mutmut(folder, "results").stdout.splitlines()
        ]
        # "not checked": outside --only, never run (showing each would take seconds apiece)
        survivors = [name for name, _, status in listed if name and status != "not checked"]
        for name in survivors:
            print(_mutmut(folder, "show", name).stdout.rstrip())
        print(json.dumps(stats, sort_keys=True))
        if only:  # the mutants not named were never run: count the named ones alone
            stats["total"] = stats["killed"] + stats["timeout"] + stats["survived"]
            stats["total"] += stats["no_tests"] + stats["suspicious"] + stats["segfault"]
            stats["skipped"] = 0
        tested = stats["total"] - stats["skipped"]
        return 0.0 if tested <= 0 else (stats["killed"] + stats["timeout"]) / tested
    finally:
        if keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _mutant_count(folder: Path, module: str) -> int | None:
    """How many mutants mutmut made of ``module`` (None when it got no further than that)."""
    meta = folder / "mutants" / f"{module}.meta"
    if not meta.exists():
        return None
    return len(json.loads(meta.read_text("utf-8"))["exit_code_by_key"])


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
    score = run(
        module.as_posix(), tests, root=root, keep=arguments.keep, only=tuple(arguments.only)
    )
    if score is None:  # decorated functions (properties) only, or nothing mutmut changes
        print("score: none (no mutants)")
        return
    # rounded down, so 0.896 does not pass for 0.90
    print(f"score: {math.floor(score * 100) / 100:.2f}")


def _mirror(module: Path) -> str:
    """``src/second_classroom/policies/x.py`` -> ``tests/policies/test_x.py``."""
    inner = module.relative_to("src/second_classroom")
    return (Path("tests") / inner.parent / f"test_{inner.name}").as_posix()


if __name__ == "__main__":
    main()
