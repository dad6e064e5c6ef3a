"""The paged reads against the contract: every paged endpoint's actual answer validates against
the schema /openapi.json declares for it, strictly (each row by its own row schema, the rows
nested in a row by theirs, no field the schema does not name), and a page's rows say their
``"type"`` as every other answer's objects do (one shape per kind of thing)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from starlette.testclient import TestClient

from second_classroom import codec
from second_classroom.aggregates.activity import ApproveActivity, DraftActivity, SubmitActivity
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.demo import DEMO_SECRET, at, run_demo
from second_classroom.http import BearerTokens, HttpSettings, create_app
from second_classroom.projections.queries import LeaderboardRow, Page
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.enrolment_world import LEADER, UNION
from tests.specification import PE_ADMIN, SCHOOL_ADMIN

NOW = at(20, 9, month=12)  # after every step of the demo
OPERATOR = Actor.school_admin("T-校团委-001")
ADVISOR = "T-指导老师-009"
TOKENS = BearerTokens.from_secret(DEMO_SECRET)
SPEC_URI = "urn:test:openapi"
# The demo's 校运会志愿者: its roster rows carry the answers to the registration questions.
GAMES = ids.activity_id(UNION.tribe_id, "2026-games-volunteers")

# Each paged endpoint (its path as the contract writes it): the path read, the query, and the
# row type its page holds. Every query reads at least one row in the fixture's school.
PAGED: dict[str, tuple[str, dict[str, str], str]] = {
    "/api/activities": ("/api/activities", {}, "BoardRow"),
    "/api/activities/{activity_id}/roster": (f"/api/activities/{GAMES}/roster", {}, "RosterRow"),
    "/api/leaderboards/{by}": ("/api/leaderboards/student", {}, "LeaderboardRow"),
    "/api/reports/{month}": ("/api/reports/2026-12", {}, "MonthlyRow"),
    "/api/workload/advisors/{advisor}": (f"/api/workload/advisors/{ADVISOR}", {}, "AdvisorRow"),
    "/api/workload/organizers": ("/api/workload/organizers", {}, "WorkloadRow"),
    "/api/audit": ("/api/audit", {"limit": "5"}, "AuditRow"),
}


def guided_by_the_advisor(service: SecondClassroom) -> None:
    """An approved activity of the demo's 学生会 naming ``ADVISOR`` (the demo has none), so
    that 指导老师工作量表 has a row; its dates after the demo's, for the lead time."""

    def later(when: datetime | None) -> datetime:
        assert when is not None  # FORM has every date
        return when + timedelta(days=35)

    form = attrs.evolve(
        FORM,
        organizers=("2023010102",),
        advisors=(ADVISOR,),
        registration_opens=later(FORM.registration_opens),
        registration_closes=later(FORM.registration_closes),
        starts_at=later(FORM.starts_at),
        ends_at=later(FORM.ends_at),
    )
    activity_id = ids.activity_id(UNION.tribe_id, "guided")
    service.execute(DraftActivity(UNION.tribe_id, "guided", form), LEADER, NOW)
    service.execute(SubmitActivity(activity_id), LEADER, NOW)
    for reviewer in (LEADER, PE_ADMIN, SCHOOL_ADMIN):
        service.execute(ApproveActivity(activity_id), reviewer, NOW)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The demo school (second_classroom.demo) and one advised activity, served in-process."""
    folder: Path = tmp_path_factory.mktemp("pages")
    with run_demo(folder / "demo.sqlite3", out=lambda _line: None) as service:
        guided_by_the_advisor(service)
        app = create_app(service, HttpSettings(worker=False, clock=lambda: NOW))
        with TestClient(app) as served:
            yield served


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    found: dict[str, Any] = client.get("/openapi.json").json()
    return found


def answer_schema(spec: dict[str, Any], template: str) -> dict[str, Any]:
    """The schema of ``template``'s JSON answer (200), empty when it answers no JSON."""
    ok = spec["paths"][template]["get"]["responses"]["200"]
    found: dict[str, Any] = ok.get("content", {}).get("application/json", {}).get("schema", {})
    return found


def validator(spec: dict[str, Any], template: str) -> Draft202012Validator:
    """The validator of ``template``'s 200 answer as the contract declares it: every
    reference is a pointer into the document, resolved there."""
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, Resource.opaque(spec))
    reference = answer_schema(spec, template)["$ref"]
    assert reference.startswith("#/components/schemas/")
    return Draft202012Validator({"$ref": SPEC_URI + reference}, registry=registry)


def read(client: TestClient, template: str) -> dict[str, Any]:
    path, params, _row = PAGED[template]
    token = TOKENS.issue(OPERATOR, datetime.now().astimezone())
    reply = client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    assert body["rows"], f"{template}: the fixture should give rows to check"
    return body


def problems(spec: dict[str, Any], template: str, body: object) -> list[str]:
    return [error.message for error in validator(spec, template).iter_errors(body)]


def test_every_paged_endpoint_is_checked_here(spec: dict[str, Any]) -> None:
    """Every GET whose answer the contract calls a page (a schema named ``…Page``) is in
    ``PAGED``, so a new paged endpoint cannot go unchecked."""
    pages = {
        template
        for template, operations in spec["paths"].items()
        if "get" in operations
        and str(answer_schema(spec, template).get("$ref", "")).endswith("Page")
    }
    assert pages == set(PAGED)


@pytest.mark.parametrize("template", sorted(PAGED))
def test_a_paged_answer_validates_against_its_declared_schema_which_checks_its_rows(
    client: TestClient, spec: dict[str, Any], template: str
) -> None:
    """Given the demo school, when an operator reads a page of ``template``, then the answer
    validates against the schema the contract declares for it; and that schema names the row
    type: a row with a field its type lacks, a row without its ``type``, a row of another type,
    and a field the page lacks are each refused."""
    body = read(client, template)
    assert problems(spec, template, body) == []
    unknown = copy.deepcopy(body)
    unknown["rows"][0]["surprise"] = 1
    untyped = copy.deepcopy(body)
    untyped["rows"][0].pop("type", None)
    other = copy.deepcopy(body)
    other["rows"][0]["type"] = "StudentSummaryRow"
    extra = {**body, "surprise": 1}
    for wrong in (unknown, untyped, other, extra):
        assert problems(spec, template, wrong), wrong


def test_the_roster_s_nested_answers_are_checked_too(
    client: TestClient, spec: dict[str, Any]
) -> None:
    """002 二 6): the answers inside a roster row are checked by the Answer schema: an answer
    with a field it lacks, or a number written as a list, is refused."""
    template = "/api/activities/{activity_id}/roster"
    body = read(client, template)
    assert body["rows"][0]["answers"]
    unknown = copy.deepcopy(body)
    unknown["rows"][0]["answers"][0]["surprise"] = 1
    listed = copy.deepcopy(body)
    listed["rows"][0]["answers"][0]["number"] = ["175"]
    for wrong in (unknown, listed):
        assert problems(spec, template, wrong), wrong


@pytest.mark.parametrize("template", sorted(PAGED))
def test_a_page_s_rows_say_their_type(client: TestClient, template: str) -> None:
    """One shape per kind of thing: each row of a page carries ``"type"`` (its row type),
    as a top-level answer and the items of a list answer do."""
    body = read(client, template)
    row_type = PAGED[template][2]
    assert body["type"] == "Page"
    assert [row["type"] for row in body["rows"]] == [row_type] * len(body["rows"])


def test_a_page_s_rows_are_each_row_s_own_json() -> None:
    """The codec writes a page's rows as it writes each row alone: ``{"type": …, …fields}``."""
    rows = (LeaderboardRow(1, "PE", Decimal("4.2"), "学分"), LeaderboardRow(2, "CS", Decimal(1)))
    page = Page(rows, "cursor")
    assert codec.to_json(page) == {
        "type": "Page",
        "rows": [codec.to_json(row) for row in rows],
        "next_cursor": "cursor",
    }
    assert codec.to_json(page)["rows"][0]["type"] == "LeaderboardRow"
