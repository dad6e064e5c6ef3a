"""The suite itself (issue 18): every test function can fail.

A test that only runs code and throws the decision away passes whatever the code does. Every
``test_*`` function in ``tests/`` must therefore assert, expect a refusal (``pytest.raises``,
``pytest.fail``), run a Hypothesis state machine (whose rules and invariants assert), or call a
helper of the suite that does one of these, directly or through other helpers. Helpers are
matched by name over the whole suite, and a name counts only if every helper of that name
asserts, so a helper that merely runs something never vouches for a test.

Two patterns of "asserts only that nothing was raised" are refused too: a test that ends by
running a command and dropping its answer (an acceptance test asserts its events), and a
``pytest.raises(DomainError)`` whose refusal is never read (a refusal test asserts its code).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# calls that run assertions written elsewhere: a Hypothesis state machine's rules and
# invariants, run directly or as its TestCase (tests/stateful.py); schemathesis' checks of an
# answer against the contract, which raise on a failure (tests/http/test_contract_fuzz.py)
SPECIFICATION_CALLS = frozenset({"run_state_machine_as_test", "runTest", "validate_response"})
PYTEST_CHECKS = frozenset({"raises", "fail"})

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(tree: ast.AST) -> Iterator[Function]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _called(function: Function) -> set[str]:
    """The names a function calls: ``f(...)`` and ``x.f(...)`` both give ``f``."""
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def _checks_itself(function: Function) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if (
            isinstance(node, ast.Attribute)
            and node.attr in PYTEST_CHECKS
            and isinstance(node.value, ast.Name)
            and node.value.id == "pytest"
        ):
            return True
    return bool(_called(function) & SPECIFICATION_CALLS)


@functools.cache  # parsed once for the scans below, not once per scan
def _suite() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text("utf-8"), str(path))
        for path in sorted(TESTS.rglob("*.py"))
        if "vendor" not in path.relative_to(TESTS).parts
    }


def unchecked_tests(suite: dict[Path, ast.Module]) -> list[str]:
    """``path:line name`` of every test function that can pass whatever the code does."""
    helpers: dict[str, list[Function]] = {}
    for tree in suite.values():
        for function in _functions(tree):
            if not function.name.startswith("test"):
                helpers.setdefault(function.name, []).append(function)
    checking = {name for name, found in helpers.items() if all(map(_checks_itself, found))}
    grown = True
    while grown:  # a helper checks if all its namesakes check or call a checking helper
        grown = False
        for name, found in helpers.items():
            if name not in checking and all(
                _checks_itself(f) or _called(f) & checking for f in found
            ):
                checking.add(name)
                grown = True
    return [
        f"{path.relative_to(TESTS)}:{function.lineno} {function.name}"
        for path, tree in suite.items()
        if path.name.startswith("test_")
        for function in _functions(tree)
        if function.name.startswith("test")
        and not _checks_itself(function)
        and not _called(function) & checking
    ]


def early_returns(suite: dict[Path, ast.Module]) -> list[str]:
    """``path:line name`` of every ``return`` in a test before its first ``assert``: a test
    that leaves early passes without checking (Hypothesis' ``assume``/``reject`` or
    ``pytest.skip`` say that the case does not apply)."""
    found = []
    for path, tree in suite.items():
        if not path.name.startswith("test_"):
            continue
        for function in _functions(tree):
            if not function.name.startswith("test"):
                continue
            first = min(
                (n.lineno for n in ast.walk(function) if isinstance(n, ast.Assert)),
                default=function.end_lineno or function.lineno,
            )
            pending: list[ast.AST] = list(function.body)
            while pending:
                node = pending.pop()
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    continue  # a nested helper's return is its own
                if isinstance(node, ast.Return) and node.lineno < first:
                    found.append(f"{path.relative_to(TESTS)}:{node.lineno} {function.name}")
                pending.extend(ast.iter_child_nodes(node))
    return found


# calls that decide: a test whose last statement runs one and drops its answer accepted
# whatever was decided (an acceptance test asserts its events)
DECISIONS = frozenset({"execute", "execute_json", "decide"})


def discarded_decisions(suite: dict[Path, ast.Module]) -> list[str]:
    """``path:line name`` of every test whose last statement is a decision whose answer is
    thrown away: its only check is that the call did not raise."""
    found = []
    for path, tree in suite.items():
        if not path.name.startswith("test_"):
            continue
        for function in _functions(tree):
            last = function.body[-1]
            if (
                function.name.startswith("test")
                and isinstance(last, ast.Expr)
                and isinstance(last.value, ast.Call)
                and isinstance(last.value.func, ast.Attribute | ast.Name)
                and _name(last.value.func) in DECISIONS
            ):
                found.append(f"{path.relative_to(TESTS)}:{last.lineno} {function.name}")
    return found


def _name(func: ast.Attribute | ast.Name) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id


def _reads_value(function: Function, name: str) -> bool:
    """Whether ``function`` reads ``name.value`` (the refusal's code, details or message)."""
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "value"
        and isinstance(node.value, ast.Name)
        and node.value.id == name
        for node in ast.walk(function)
    )


def uncoded_refusals(suite: dict[Path, ast.Module]) -> list[str]:
    """``path:line name`` of every ``pytest.raises(DomainError)`` (in a test or a helper)
    whose refusal is never read: any refusal passes it, whatever its code. A ``match=`` or a
    read of ``caught.value`` (``.code``, ``.details``) pins it."""
    found = []
    for path, tree in suite.items():
        for function in _functions(tree):
            for node in ast.walk(function):
                if not isinstance(node, ast.With | ast.AsyncWith):
                    continue
                for item in node.items:
                    call = item.context_expr
                    if not (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "raises"
                        and [ast.unparse(a) for a in call.args] == ["DomainError"]
                        and not any(k.arg == "match" for k in call.keywords)
                    ):
                        continue
                    bound = item.optional_vars
                    if isinstance(bound, ast.Name) and _reads_value(function, bound.id):
                        continue
                    found.append(f"{path.relative_to(TESTS)}:{node.lineno} {function.name}")
    return found


def test_every_test_function_asserts_expects_a_refusal_or_runs_a_specification() -> None:
    assert unchecked_tests(_suite()) == []


def test_no_test_returns_before_it_asserts() -> None:
    assert early_returns(_suite()) == []


def test_no_test_ends_by_throwing_a_decision_away() -> None:
    assert discarded_decisions(_suite()) == []


def test_every_expected_refusal_is_pinned_by_its_code_or_details() -> None:
    assert uncoded_refusals(_suite()) == []


def test_a_test_that_throws_its_decision_away_is_found() -> None:
    """The scan itself: a test that only calls, or calls a helper that only calls, is found;
    one that asserts, expects a refusal or calls a checking helper is not."""
    source = """
def decided(x):
    return x

def then(x):
    assert x

def test_only_runs():
    decided(1)

def test_through_a_quiet_helper():
    decided(then)

def test_asserts():
    assert decided(1) == 1

def test_expects_a_refusal():
    with pytest.raises(ValueError):
        decided(1)

def test_through_a_checking_helper():
    then(decided(1))

def test_a_state_machine():
    run_state_machine_as_test(Machine)
"""
    example = {TESTS / "test_example.py": ast.parse(source)}
    found = unchecked_tests(example)
    assert found == [
        "test_example.py:8 test_only_runs",
        "test_example.py:11 test_through_a_quiet_helper",
    ]
    assert early_returns(example) == []


def test_a_test_that_returns_before_asserting_is_found() -> None:
    source = """
def test_leaves_early(x):
    if x:
        return
    assert x

def test_returns_after_checking(x):
    assert x
    if x:
        return
"""
    found = early_returns({TESTS / "test_example.py": ast.parse(source)})
    assert found == ["test_example.py:4 test_leaves_early"]


def test_a_test_that_only_sees_that_nothing_was_raised_is_found() -> None:
    """The scans for "asserts only that nothing was raised": an acceptance dropped at the end
    of a test, and a refusal whose code nobody reads."""
    source = """
def test_accepts_and_looks(service):
    assert service.execute(command).events

def test_accepts_and_forgets(service):
    assert service.ready
    service.execute(command)

def test_refused_with_its_code(service):
    with pytest.raises(DomainError) as caught:
        service.execute(command)
    assert caught.value.code == "x.y"

def test_refused_by_its_message(service):
    with pytest.raises(DomainError, match="x"):
        service.execute(command)

def test_refused_somehow(service):
    with pytest.raises(DomainError):
        service.execute(command)

def test_refused_and_caught_but_unread(service):
    with pytest.raises(DomainError) as caught:
        service.execute(command)
    assert caught

def test_another_exception(service):
    with pytest.raises(ValueError):
        service.execute(command)
"""
    example = {TESTS / "test_example.py": ast.parse(source)}
    assert discarded_decisions(example) == ["test_example.py:7 test_accepts_and_forgets"]
    assert uncoded_refusals(example) == [
        "test_example.py:19 test_refused_somehow",
        "test_example.py:23 test_refused_and_caught_but_unread",
    ]
