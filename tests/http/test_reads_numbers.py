"""How the reads over GET decode numbers and ids from a query string or a path: ASCII digits
(or the codec's one UUID form) as written, or ``query.invalid`` (400), never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from second_classroom.core.actor import Actor
from second_classroom.http import HttpSettings, create_app
from second_classroom.persistence.stores import popo_env
from second_classroom.projections.queries import MAX_LIMIT
from second_classroom.service import SecondClassroom
from tests.example_counts import examples
from tests.http.world import bearer
from tests.specification import SCHOOL_ADMIN
from tests.stores import TEST_SECRET

STUDENT = Actor.student("2024000001")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """An empty school served in-process (one for every example: reads store nothing)."""
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        app = create_app(service, HttpSettings(worker=False))
        with TestClient(app) as served:
            yield served


def limit_is_plain(value: str) -> bool:
    """What ``?limit=`` accepts: 1 to 9 ASCII digits naming 1..MAX_LIMIT."""
    digits = value.isascii() and value.isdigit() and len(value) <= 9
    return digits and 1 <= int(value) <= MAX_LIMIT


@settings(max_examples=examples(200), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.one_of(
        st.text(max_size=12),
        st.integers(-10, MAX_LIMIT + 10).map(str),
        st.from_regex(r"[ +\-0]{0,2}[0-9٥５]{1,3}[ _.]{0,1}", fullmatch=True),
    )
)
def test_a_limit_is_accepted_iff_it_is_ascii_digits_in_range(
    client: TestClient, value: str
) -> None:
    reply = client.get("/api/activities", params={"limit": value}, headers=bearer(STUDENT))
    if limit_is_plain(value):
        assert reply.status_code == 200, reply.text
        assert reply.json()["type"] == "Page"
    else:
        assert (reply.status_code, reply.json()["code"]) == (400, "query.invalid")


LIMITS = [" 5", "5 ", "+5", "-5", "٥", "５", "1_0", "0x5", "5.0", "", "0", "501", "1" * 10]
LIMIT_IDS = ["space-5", "5-space", "plus", "minus", "arabic", "fullwidth", "underscore", "hex"]
LIMIT_IDS += ["point", "empty", "zero", "above-max", "ten-digits"]


@pytest.mark.parametrize("value", LIMITS, ids=LIMIT_IDS)
def test_a_limit_int_would_read_is_refused_all_the_same(client: TestClient, value: str) -> None:
    """``int()`` reads " 5", "+5", "٥" (Arabic-Indic five), "５" (fullwidth) and "1_0"."""
    reply = client.get("/api/activities", params={"limit": value}, headers=bearer(STUDENT))
    assert (reply.status_code, reply.json()["code"]) == (400, "query.invalid")


def test_a_limit_written_with_a_percent_encoded_space_is_refused(client: TestClient) -> None:
    reply = client.get("/api/activities?limit=%205", headers=bearer(STUDENT))
    assert (reply.status_code, reply.json()["code"]) == (400, "query.invalid")
    assert client.get("/api/activities?limit=5", headers=bearer(STUDENT)).status_code == 200


@pytest.mark.parametrize(
    "value", [" 2024", "+2024", "٢٠٢٤", "2024.0"], ids=["space", "plus", "arabic", "point"]
)
def test_a_cohort_is_ascii_digits(client: TestClient, value: str) -> None:
    reply = client.get(
        "/api/graduation/shortfall", params={"cohort": value}, headers=bearer(SCHOOL_ADMIN)
    )
    assert (reply.status_code, reply.json()["code"]) == (400, "query.invalid")


@pytest.mark.parametrize(
    "session", ["%201", "+1", "١", "1_0"], ids=["space", "plus", "arabic", "underscore"]
)
def test_a_check_in_session_is_ascii_digits(client: TestClient, session: str) -> None:
    path = f"/api/activities/00000000-0000-4000-8000-000000000000/checkin/{session}"
    reply = client.get(path, headers=bearer(SCHOOL_ADMIN))
    assert (reply.status_code, reply.json()["code"]) == (400, "query.invalid")


@pytest.mark.parametrize(
    "id_",
    [
        "urn:uuid:00000000-0000-4000-8000-000000000000",
        "{00000000-0000-4000-8000-000000000000}",
        "00000000000040008000000000000000",
        "٥" * 32,
    ],
    ids=["urn", "braces", "bare", "arabic"],
)
def test_an_id_is_the_codecs_one_uuid_form(client: TestClient, id_: str) -> None:
    """``UUID()`` reads each of these; the codec (and so every command) reads none."""
    for path in (f"/api/tribes/{id_}", f"/api/audit?stream={id_}"):
        reply = client.get(path, headers=bearer(SCHOOL_ADMIN))
        assert (reply.status_code, reply.json()["code"]) == (400, "query.invalid"), path
