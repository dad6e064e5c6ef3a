"""Debian's chromium, headless, on a phone-sized window (the browser tests). Without chromium a
test is skipped with a reason, unless SECOND_CLASSROOM_REQUIRE_BROWSER=1 (CI) makes that a
failure."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

REQUIRE_BROWSER = os.environ.get("SECOND_CLASSROOM_REQUIRE_BROWSER") == "1"
PHONE = "412,915"  # CSS pixels of a common phone


def chromium() -> str:
    """The browser's path; skips (or, when required, fails) the test without one."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "no chromium on PATH (apt-get install -y chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(f"a browser is required here: {reason}")
        pytest.skip(reason)
    return found


def headless(browser: str, *arguments: str) -> str:
    """What ``browser`` run headless with ``arguments`` prints."""
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # root in a container has no user namespace for the sandbox
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        f"--window-size={PHONE}",
        *arguments,
    ]
    done = subprocess.run(command, capture_output=True, timeout=90, check=True, text=True)
    return done.stdout
