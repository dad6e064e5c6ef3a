"""A school that tells its staff by the 工号 alone (001 第三条 指导老师: staff, never a student)."""

from __future__ import annotations

import attrs

from second_classroom.policies.rulebook import Rulebook
from tests.specification import NEPU

STAFF_IDS = r"T-[0-9]{3,6}"  # a school whose 工号 are "T-" and digits; 学号 are ten digits


def with_staff_pattern(pattern: str) -> Rulebook:
    """NEPU with ``pattern`` for its 工号 (empty: the id is not judged)."""
    return attrs.evolve(NEPU, limits=attrs.evolve(NEPU.limits, staff_id_pattern=pattern))


STAFFED = with_staff_pattern(STAFF_IDS)
