"""The README's embedding example runs as written, and again on the same file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def run_example(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    [example] = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        exec(compile(example, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    return capsys.readouterr().out.splitlines()


def test_the_embedding_example_runs_twice_on_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the example run once on school.sqlite3
    first = run_example(tmp_path, capsys)
    assert first[0] == "['TribeCreated']"
    assert first[1].startswith("auth.forbidden 无权执行此操作")
    audit = "('TribeCertified', 'CertifyTribe', 'T-001')"
    assert first[2:] == ["['TribeCertified']", "True", audit]

    # When an embedder runs it again on the same file
    again = run_example(tmp_path, capsys)

    # Then the tribe exists and is certified already: nothing new is stored, nothing fails
    assert again[0] == "[]"
    assert again[1].startswith("auth.forbidden 无权执行此操作")
    assert again[2:] == ["[]", "True", audit]
