"""Optional extras: features that need a package the core install leaves out."""

from __future__ import annotations

import importlib.util

from second_classroom.core.errors import Category, ErrorCode, require

EXTRA_MISSING = ErrorCode(
    "config.extra_missing",
    "「{feature}」需要可选依赖 {package}：请安装 second-classroom[{extra}]",
    "{feature} needs the optional package {package}: install second-classroom[{extra}]",
    Category.UNAVAILABLE,
)


def require_extra(package: str, extra: str, feature: str) -> None:
    """Refuse with ``config.extra_missing`` naming the extra to install when ``package`` is
    not importable."""
    found = importlib.util.find_spec(package) is not None
    require(found, EXTRA_MISSING, feature=feature, package=package, extra=extra)
