"""The README's embedding example runs as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def test_the_embedding_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [example] = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(example, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "['TribeCreated']"
    assert printed[1].startswith("auth.forbidden 无权执行此操作")
    assert printed[2:] == ["TribeCertified", "True", "('TribeCertified', 'CertifyTribe', 'T-001')"]
