"""docs/architecture.md opens with a map of the code; every `code-quoted` path and dotted name
in it must exist, so the map cannot drift from the code it describes."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "src" / "second_classroom"
DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
WORD = re.compile(r"[A-Za-z_]\w*")


def map_section() -> str:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    start = text.index("## The map\n")
    return text[start : text.index("\n## ", start + 1)]


def quoted(section: str) -> list[str]:
    return sorted(set(re.findall(r"`([^`\n]+)`", section)))


def exists(name: str) -> bool:
    """A path below the package (or the repository), a dotted name that imports or is an
    attribute of what does, or a bare word: a method of the views (``apply``) or of the
    facade, or a name ``second_classroom`` exports."""
    if name.endswith((".py", "/")) or "/" in name:
        return (PACKAGE / name).exists() or (ROOT / name).exists()
    if DOTTED.fullmatch(name):
        return _resolves(name)
    if WORD.fullmatch(name):
        return any(
            _resolves(f"{owner}.{name}")
            for owner in (
                "second_classroom",
                "second_classroom.service.SecondClassroom",
                "second_classroom.projections.runner.View",
                "second_classroom.core.decider.FunctionalDecider",
                "second_classroom.aggregates.tribe",
            )
        )
    return False


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def test_the_map_names_only_what_exists() -> None:
    names = quoted(map_section())
    assert len(names) > 40  # the map is read, not skipped: it names the layers and paths
    assert [n for n in names if not exists(n)] == []


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("policies/integrity.py", True),
        ("policies/nowhere.py", False),
        ("aggregates/activity_decider.py", True),
        ("policies/checkin.py", False),  # renamed policies/checkin_codes.py
        ("second_classroom.aggregates.activity_facts.published", True),
        ("second_classroom.service.SecondClassroom.execute", True),
        ("second_classroom.service.SecondClassroom.enqueue", False),
        ("second_classroom.aggregates.tribe.CertifyTribe", True),
        ("decide", True),
        ("frobnicate", False),
        ("not a name", False),
    ],
)
def test_a_name_exists_only_where_the_code_has_it(name: str, found: bool) -> None:
    assert exists(name) is found
