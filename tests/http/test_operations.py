"""The contract (/openapi.json, /docs), the organizer's check-in page, health, request ids and
JSON-line logs, and the in-process worker."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from second_classroom import codec
from second_classroom.aggregates.checkin import CheckIn, Location
from second_classroom.core.actor import Actor
from second_classroom.http import HttpSettings, create_app
from second_classroom.http.logs import JsonLines, request_id
from second_classroom.http.worker import Worker
from tests.enrolment_world import LEADER
from tests.http.world import World, bearer, refs
from tests.specification import at

STARTED = at(12, 3, 14, 5)
ON_SITE = {"latitude": 46.5890, "longitude": 125.1488, "accuracy_m": 10.0}


def test_the_contract_is_openapi_3_1_from_the_library_schemas(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    assert spec["openapi"] == "3.1.0"
    schemas = spec["components"]["schemas"]
    body = spec["paths"]["/api/commands"]["post"]["requestBody"]["content"]["application/json"]
    assert [r["$ref"].rsplit("/", 1)[1] for r in body["schema"]["oneOf"]] == (
        codec.registry.names("command")
    )
    for ref in refs(spec):
        # a pointer into the document: a component, or a definition inside one
        assert ref.startswith("#/components/schemas/"), ref
        name, _, inner = ref.removeprefix("#/components/schemas/").partition("/$defs/")
        assert name in schemas, ref
        assert not inner or inner in schemas[name]["$defs"], ref
    responses = spec["paths"]["/api/commands"]["post"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404", "409", "422", "503"}


def test_the_docs_page_works_offline(world: World) -> None:
    page = world.client.get("/docs")
    assert page.status_code == 200
    assert "/openapi.json" in page.text
    assert not re.search(r"""(src|href)=["']https?://""", page.text)  # nothing fetched remotely


def test_the_organizer_screen_and_a_student_check_in_with_location(world: World) -> None:
    """第十五条: the organizer's page polls the rotating code; a student posts CheckIn."""
    student = world.students[0]
    assert (
        world.client.post(
            "/api/commands",
            json={"type": "Register", "activity_id": str(world.talk)},
            headers=bearer(Actor.student(student)),
        ).status_code
        == 200
    )
    world.clock.now = STARTED
    opened = world.client.post(
        "/api/commands",
        json={
            "type": "OpenCheckInSession",
            "activity_id": str(world.talk),
            "valid_minutes": 10,
            "geofence": {"latitude": 46.5889, "longitude": 125.1487, "radius_m": 100.0},
            "rotation_seconds": 30,
        },
        headers=bearer(LEADER),
    )
    assert opened.status_code == 200, opened.json()
    page = world.client.get(f"/checkin/{world.talk}/1")
    assert "扫码签到" in page.text
    assert "sessionStorage" in page.text  # the token stays in the tab, not in a URL
    code = world.client.get(f"/api/activities/{world.talk}/checkin/1", headers=bearer(LEADER))
    assert code.status_code == 200
    shown = code.json()
    assert shown["svg"].lstrip().startswith("<?xml") or "<svg" in shown["svg"]
    assert 1 <= shown["refresh_seconds"] <= 30
    assert shown["password"]
    forbidden = world.client.get(
        f"/api/activities/{world.talk}/checkin/1", headers=bearer(Actor.student(student))
    )
    assert forbidden.status_code == 403
    world.clock.now = STARTED + timedelta(seconds=5)
    check_in = codec.to_json(
        CheckIn(
            world.talk,
            1,
            token=shown["token"],
            location=Location(ON_SITE["latitude"], ON_SITE["longitude"], ON_SITE["accuracy_m"]),
        )
    )
    done = world.client.post("/api/commands", json=check_in, headers=bearer(Actor.student(student)))
    assert done.status_code == 200, done.json()
    far = {
        **check_in,
        "password": shown["password"],
        "token": None,
        "location": {"latitude": 45.0, "longitude": 125.0, "accuracy_m": 5.0},
    }
    refused = world.client.post(
        "/api/commands", json=far, headers=bearer(Actor.student(world.students[1]))
    )
    assert refused.status_code == 403  # not admitted (or too far): forbidden either way


def test_health_and_readiness(world: World) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok"}
    ready = world.client.get("/readyz")
    assert ready.status_code == 200  # within the default bound (10 000 events)
    assert ready.json()["lag"] == ready.json()["log_position"] - ready.json()["views_position"]


def test_readiness_fails_when_the_views_lag(service: Any) -> None:
    from tests.http.world import Clock, build_world

    build_world(service)
    app = create_app(service, HttpSettings(worker=False, clock=Clock(), max_view_lag=5))
    with TestClient(app) as client:
        lagging = client.get("/readyz")  # nothing caught the views up yet
        assert lagging.status_code == 503
        assert lagging.json()["lag"] > 5
        service.views.catch_up()
        assert client.get("/readyz").status_code == 200


def test_every_reply_has_a_request_id_and_a_json_log_line(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="second_classroom.http"):
        given = world.client.get("/healthz", headers={"X-Request-ID": "proxy-42"})
        made = world.client.get("/healthz", headers={"X-Request-ID": "bad id\n"})
    assert given.headers["x-request-id"] == "proxy-42"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    lines = [json.loads(JsonLines().format(r)) for r in caplog.records if r.name.endswith("http")]
    assert lines[0]["request_id"] == "proxy-42"
    assert (lines[0]["method"], lines[0]["path"], lines[0]["status"]) == ("GET", "/healthz", 200)
    assert lines[1]["request_id"] == made.headers["x-request-id"]
    token = request_id.set("r-1")
    try:
        record = logging.LogRecord("x", logging.WARNING, "f", 1, "msg %s", ("a",), None)
        assert json.loads(JsonLines().format(record))["request_id"] == "r-1"
    finally:
        request_id.reset(token)


def test_the_worker_runs_the_due_reactions_and_keeps_the_views(world: World) -> None:
    """After the activity ends, the worker closes attendance (no-shows) as run_reactions does."""
    student = world.students[0]
    world.client.post(
        "/api/commands",
        json={"type": "Register", "activity_id": str(world.talk)},
        headers=bearer(Actor.student(student)),
    )
    worker = Worker(world.service, lambda: at(12, 4, 9))
    worker.turn()
    record = world.service.student(student, Actor.school_admin("T"))
    assert record is not None
    assert len(record.integrity) == 1  # 第十六条: registered, never came: a no-show
    assert world.client.get("/readyz").json()["lag"] == 0
    # ... and the views it kept are the views a rebuild from zero gives, the no-show included
    views = world.service.views
    kept = views.runner.snapshot()
    views.runner.rebuild()
    assert views.runner.snapshot() == kept
    summary = views.student_summary(student)
    assert summary is not None
    assert summary.no_shows == 1
