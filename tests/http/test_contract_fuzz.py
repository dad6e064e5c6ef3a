"""The HTTP service against arbitrary requests generated from its own contract (schemathesis,
a generic OpenAPI tool built on hypothesis): no request, valid or not, gets a server error,
and every answer is one the contract documents — its status, media type and schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, reject, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from second_classroom.core.actor import Actor
from second_classroom.demo import DEMO_SECRET, at, run_demo
from second_classroom.http import BearerTokens, HttpSettings, create_app
from second_classroom.http.openapi import openapi
from tests.example_counts import examples
from tests.http.world import Clock

# Who sends the requests: the demo's school office, a college's office, a tribe's leader,
# a student (赵磊) and nobody (no token): each reaches reads and commands the others may not.
ACTORS = (
    Actor.school_admin("T-校团委-001"),
    Actor.college_admin("T-石工-007", "PE"),
    Actor.student("2023010101"),
    Actor.student("2024010101"),
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The demo school served in-process (start-up and shut-down run)."""
    path = tmp_path_factory.mktemp("fuzz") / "demo.sqlite3"
    with run_demo(Path(path), out=lambda _line: None) as service:
        clock = Clock(at(20, 9, month=12))
        with TestClient(create_app(service, HttpSettings(worker=False, clock=clock))) as client:
            yield client


# The contract as the service builds it (what /openapi.json serves, read here without a
# server, so that collecting this module plays no demo); but the notices' event stream,
# which answers for as long as the client listens (tests/http/test_notices.py reads it).
schema = schemathesis.openapi.from_dict(openapi()).exclude(
    path="/api/students/{number}/notices/stream"
)
_ISSUED = datetime.now().astimezone()
TOKENS = (*(BearerTokens.from_secret(DEMO_SECRET).issue(a, _ISSUED) for a in ACTORS), None)


FUZZ = settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    case: Any, client: TestClient
) -> None:
    """Given any request the contract allows or nearly allows (each operation, arbitrary
    parameters and bodies: commands of every type with any field values, and schemathesis'
    own boundary and negative cases, which it makes only for a test that draws nothing
    else), sent by the school office; then the service answers without a 5xx, with a status,
    media type and body the contract documents for that operation (a refusal is its
    DomainError)."""
    check_answer(case, TOKENS[0], client)


@schema.parametrize()
@schema.given(token=st.sampled_from(TOKENS))
@FUZZ
def test_no_caller_gets_a_server_error_or_an_undocumented_answer(
    case: Any, token: str | None, client: TestClient
) -> None:
    """Given any request as above, sent by one of five callers drawn with it — the school
    office, a college office, a tribe leader, a student, or with no token — so that what only
    a student or a college may read is reached too; then every answer, each refusal (401,
    403) included, is one the contract documents."""
    check_answer(case, token, client)


def check_answer(case: Any, token: str | None, client: TestClient) -> None:
    """Send ``case`` with ``token`` (none: no Authorization header) and check the answer
    against the contract."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    sent = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    body = sent.pop("data", None)
    sent.pop("verify", None)
    request = (
        client.build_request(**sent, content=body)
        if body is not None
        else (client.build_request(**sent))
    )
    try:
        request.read()  # a multipart body is a stream: read once, sent and reported from here
    except (AttributeError, TypeError):
        reject()  # no client can send it (a multipart "file" that is a number, say)
    response = client.send(request)
    case.validate_response(response, checks=CHECKS)
