"""毕业要求: the credits a student needs in a module to graduate (seed 003: 创新创业学分 is a
graduation requirement), as rulebook data (``[graduation]``)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs


@attrs.frozen
class Requirement:
    """At least ``amount`` of ``credit_type`` in ``module`` to graduate."""

    module: str
    credit_type: str
    amount: Decimal


@attrs.frozen
class GraduationRule:
    """The ``[graduation]`` section: one requirement per (module, credit type); none: the
    school sets no credit requirement to graduate."""

    requirements: tuple[Requirement, ...] = ()

    def problems(self, modules: Iterable[str], credit_types: Iterable[str]) -> list[str]:
        """What makes this section unusable with the school's modules and credit types."""
        known_modules, known_types = set(modules), set(credit_types)
        found: list[str] = []
        keys = [(r.module, r.credit_type) for r in self.requirements]
        if len(keys) != len(set(keys)):
            found.append("graduation: a module and credit type is required twice")
        for requirement in self.requirements:
            if requirement.module not in known_modules:
                found.append(f"graduation: no module {requirement.module!r}")
            if requirement.credit_type not in known_types:
                found.append(f"graduation: no credit type {requirement.credit_type!r}")
            amount = requirement.amount
            if not (amount.is_finite() and amount > 0):
                found.append(f"graduation: the {requirement.module} amount must be > 0")
        return found
