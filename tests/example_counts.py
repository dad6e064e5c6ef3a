"""Hypothesis profiles and the example-count helper scaled by them (docs/testing.md).

"ci" (the default) keeps the example counts written in the tests; "thorough" runs ten times as
many for a developer hunting a rare case, e.g.
HYPOTHESIS_PROFILE=thorough pytest tests/persistence/test_state_cache.py; "mutation" (which
tools/mutation.py selects) runs a tenth as many, always the same ones, since mutmut re-runs a
module's tests once per mutant and a mutant must be killed (or not) the same way every time.
tests/conftest.py registers and loads them before any test module is collected."""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE_SCALE = {"ci": 1.0, "thorough": 10.0, "mutation": 0.1}
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


def register_profiles() -> None:
    """Register the three profiles with Hypothesis and load the chosen one."""
    settings.register_profile("ci", print_blob=True)
    settings.register_profile("thorough", max_examples=1000, print_blob=True)
    settings.register_profile("mutation", max_examples=10, derandomize=True, database=None)
    settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """``count`` examples under the ci profile, scaled under another (at least one)."""
    return max(1, round(count * PROFILE_SCALE.get(PROFILE, 1.0)))
