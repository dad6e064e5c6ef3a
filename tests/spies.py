"""Spies for tests that count how often the code under test calls something."""

from __future__ import annotations

from typing import Any


def count_calls(target: Any, name: str) -> list[object]:
    """Replace ``target.name`` by a spy that calls it; the list of each call's arguments."""
    calls: list[object] = []
    original = getattr(target, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    setattr(target, name, spy)
    return calls
