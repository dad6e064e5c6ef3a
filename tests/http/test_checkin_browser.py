"""The organizer's check-in screen in headless chromium (第十五条): the page takes the token
from its fragment, fetches the current code and draws the QR SVG and the password."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from second_classroom.aggregates.activity_attendance import Geofence
from second_classroom.aggregates.checkin import OpenCheckInSession
from second_classroom.core.time import SHANGHAI
from second_classroom.http import HttpSettings, create_app
from second_classroom.persistence.stores import popo_env
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER
from tests.http.browser import chromium, headless
from tests.http.live_server import live_server
from tests.http.world import TOKENS, Clock, build_world
from tests.specification import at
from tests.stores import TEST_SECRET

STARTED = at(12, 3, 14, 5)


def test_the_screen_shows_the_rotating_code_and_password(tmp_path: Path) -> None:
    browser = chromium()
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        _students, talk = build_world(service)
        fence = Geofence(46.5889, 125.1487, 100.0)
        service.execute(OpenCheckInSession(talk, 10, geofence=fence), LEADER, STARTED)
        password = service.check_in_code(talk, 1, LEADER, STARTED).password
        app = create_app(service, HttpSettings(worker=False, clock=Clock(STARTED)))
        token = TOKENS.issue(LEADER, datetime.now(SHANGHAI))
        with live_server(app) as url:
            page = f"{url}/checkin/{talk}/1#token={token}"
            dom = headless(browser, "--virtual-time-budget=5000", "--dump-dom", page)
            folder = Path(os.environ.get("SECOND_CLASSROOM_SCREENSHOTS", tmp_path))
            folder.mkdir(parents=True, exist_ok=True)
            shot = folder / "checkin-screen.png"
            headless(browser, "--virtual-time-budget=5000", f"--screenshot={shot}", page)
    assert password is not None
    assert f'<strong id="password">{password}</strong>' in dom
    assert "<svg" in dom
    assert 'viewBox="0 0 ' in dom  # the code scales to the screen, not just its box
    assert token not in dom  # the fragment is dropped from the address once read
