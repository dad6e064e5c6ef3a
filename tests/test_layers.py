"""Layers that only look down (docs/architecture.md, "The map"): every import of ``src/`` is
read with ``ast`` — at the top, inside functions and inside ``if TYPE_CHECKING:`` — and none
may name a module of a higher layer, and no two modules may import each other, directly or
round a loop.

``TYPE_CHECKING`` imports count: a type a module names is a dependency a reader must follow
and mypy must load, whether or not Python runs the import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "second_classroom"

# Lowest first. A module may import its own layer and the layers below it; within a layer,
# the cycle check keeps the imports a tree. The longest matching prefix places a module.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("policies",),
    ("aggregates",),
    # The JSON shape of every message, and the documents made from states (PDF, credential,
    # the 补录 template, 查证): functions of aggregate states, no store.
    ("codec", "fonts", "pdf", "exports", "backfill", "verification"),
    ("persistence",),
    ("projections",),
    # What the facade needs above the store: its plans (loads + one decision per command),
    # its answers, the read-side boundary, the JSON Schemas of all of them.
    ("planning", "answers", "read_boundary", "schema"),
    ("service",),
    ("simulation", "demo"),  # drivers that play a school through the facade
    ("http",),
    ("cli", "__main__", ""),  # "" is the package itself: its public API is the facade's
)


def layer_of(module: str) -> int:
    """The layer of ``second_classroom.<module>``."""
    best: tuple[int, int] | None = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (prefix != "" and module.startswith(prefix + "."))
            if matches and (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    assert best is not None, f"second_classroom.{module} is in no layer: add it to LAYERS"
    return best[0]


@attrs.frozen
class Import:
    source: str  # the importing module, below second_classroom ("" for the package)
    target: str  # the imported module, likewise
    line: int

    def __str__(self) -> str:
        return f"{_dotted(self.source)}:{self.line} imports {_dotted(self.target)}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(module: str) -> Iterator[Import]:
    """Every import of ``module`` that names a module of the package, wherever it is."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "second_classroom" or alias.name.startswith("second_classroom."):
                    yield Import(
                        module, _known(alias.name.removeprefix("second_classroom")), node.lineno
                    )
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - node.level + 1]
                named = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module == "second_classroom" or (node.module or "").startswith(
                "second_classroom."
            ):
                named = (node.module or "").removeprefix("second_classroom").lstrip(".")
            else:
                continue
            for alias in node.names:  # ``from pkg import module`` imports the module
                whole = f"{named}.{alias.name}" if named else alias.name
                yield Import(module, whole if whole in MODULES else _known(named), node.lineno)


def _known(name: str) -> str:
    """The nearest module or package that exists (``a.b.C`` names a class of ``a.b``)."""
    name = name.lstrip(".")
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


IMPORTS = [i for m in MODULES for i in imports_of(m) if i.target != i.source]


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_no_module_imports_from_a_layer_above_it() -> None:
    upward = [str(i) for i in IMPORTS if layer_of(i.target) > layer_of(i.source)]
    assert upward == []


def test_no_modules_import_each_other_round_a_loop() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in IMPORTS:
        graph[i.source].add(i.target)
    cycles = [" -> ".join(_dotted(m) for m in c) for c in _cycles(graph)]
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One loop through each strongly connected group of modules (Tarjan), as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_loop(graph, set(g), min(g)) for g in groups]


def _loop(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    """A path from ``start`` back to itself inside ``group`` (breadth first)."""
    paths = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        for nxt in sorted(graph[path[-1]] & group):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                paths.append([*path, nxt])
    return [start]


# -- the checker itself, on sources written for it ------------------------------------------


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("core.errors", 0),
        ("policies.rulebook", 1),
        ("aggregates.activity", 2),
        ("codec", 3),
        ("persistence.application", 4),
        ("projections.views", 5),
        ("planning", 6),
        ("service", 7),
        ("http.app", 9),
        ("", 10),
    ],
)
def test_each_module_is_placed_by_its_longest_prefix(module: str, layer: int) -> None:
    assert layer_of(module) == layer


def test_a_loop_is_reported_as_a_path_back_to_its_start() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_functions_and_type_checking_blocks_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "second_classroom" / "core" / "probe.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from second_classroom.policies.rulebook import Rulebook\n"
        "def f() -> None:\n"
        "    from second_classroom import service\n"
        "    from . import errors\n",
        "utf-8",
    )
    monkeypatch.setitem(MODULES, "core.probe", source)
    found = {(i.target, i.line) for i in imports_of("core.probe")}
    assert found == {("policies.rulebook", 3), ("service", 5), ("core.errors", 6)}
    assert [layer_of(t) > layer_of("core.probe") for t, _ in sorted(found)] == [
        False,
        True,
        True,
    ]


def _dotted(module: str) -> str:
    return f"second_classroom.{module}" if module else "second_classroom"


def test_the_package_exports_every_command_an_embedder_sends() -> None:
    """The public API (``second_classroom.__all__``) holds the facade and every command."""
    import second_classroom
    from second_classroom.aggregates.kinds import COMMANDS

    exported = set(second_classroom.__all__)
    assert {"SecondClassroom", "Actor", "DomainError", "Rulebook"} <= exported
    assert sorted(c.__name__ for c in COMMANDS if c.__name__ not in exported) == []
    assert all(hasattr(second_classroom, name) for name in exported)
