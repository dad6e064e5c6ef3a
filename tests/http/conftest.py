"""The ``world`` fixture: the school of tests/http/world.py on each store, served in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from second_classroom.http import HttpSettings, create_app
from second_classroom.service import SecondClassroom
from tests.http.world import Clock, World, build_world


@pytest.fixture
def world(service: SecondClassroom) -> Iterator[World]:
    """The school on each store, served in-process, the worker left to the test."""
    students, talk = build_world(service)
    clock = Clock()
    app = create_app(service, HttpSettings(worker=False, clock=clock))
    with TestClient(app) as client:
        yield World(client, service, clock, students, talk)
