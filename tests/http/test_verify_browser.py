"""The 查证 page in a real browser (000 第四条): Debian's chromium, headless, on a phone-sized
window. Skipped with a reason when chromium is absent, unless
SECOND_CLASSROOM_REQUIRE_BROWSER=1 (CI) makes that a failure. The screenshots are written to
``SECOND_CLASSROOM_SCREENSHOTS`` (default: the test's temporary folder) for people to look at."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from second_classroom.http import HttpSettings, create_app
from second_classroom.policies import serials
from tests.http.demo_world import Transcripts, demo_transcripts
from tests.http.live_server import live_server

REQUIRE_BROWSER = os.environ.get("SECOND_CLASSROOM_REQUIRE_BROWSER") == "1"
PHONE = "412,915"  # CSS pixels of a common phone


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "no chromium on PATH (apt-get install -y chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(f"a browser is required here: {reason}")
        pytest.skip(reason)
    return found


def headless(browser: str, *arguments: str) -> str:
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


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Transcripts]]:
    demo = demo_transcripts(tmp_path_factory.mktemp("demo"))
    app = create_app(demo.service, HttpSettings(worker=False))
    try:
        with live_server(app) as url:
            yield url, demo
    finally:
        demo.service.close()


@pytest.mark.parametrize(("which", "expected"), [("valid", "有效"), ("revoked", "已撤销")])
def test_the_browser_renders_the_verdict_and_the_serial(
    site: tuple[str, Transcripts], which: str, expected: str, tmp_path: Path
) -> None:
    browser = chromium()
    url, demo = site
    serial = getattr(demo, which)
    page = f"{url}/verify/{serials.display(serial)}"
    dom = headless(browser, "--dump-dom", page)
    assert f'id="status">{expected}</span>' in dom
    assert f'id="serial">{serials.display(serial)}</strong>' in dom
    folder = Path(os.environ.get("SECOND_CLASSROOM_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"verify-{which}.png"
    headless(browser, f"--screenshot={shot}", page)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
