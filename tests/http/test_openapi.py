"""The contract holds (/openapi.json, OpenAPI 3.1): every JSON ``GET`` the document lists,
called on the demo schools by a caller allowed to read it, answers 200 with what its
documented schema says, resolved inside the document — every one, so a new read cannot go
undocumented or unwalked — and each documented answer is exact: a field added to any object
of a real answer, or a required field dropped, fails its schema."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from starlette.testclient import TestClient

from second_classroom.aggregates.activity import ApproveActivity, DraftActivity, SubmitActivity
from second_classroom.aggregates.claim import FileCollectiveClaim, claim_id
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.demo import DEMO_SECRET, at, run_demo
from second_classroom.http import BearerTokens, HttpSettings, create_app
from second_classroom.http.openapi import openapi
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.policies.rulebook import preset
from second_classroom.service import SecondClassroom
from tests.http.world import Clock, refs

NOW = at(20, 9, month=12)  # after every step of the demo
TOKENS = BearerTokens.from_secret(DEMO_SECRET)
OPERATOR = Actor.school_admin("T-校团委-001")
LEADER = Actor.student("2023010101")  # 李明, the union's leader in the demo
ORGANIZER = Actor.student("2023010102")  # 王芳, who runs the talk's check-in
QIAN = Actor.student("2024010102")  # 钱静: registered, checked in, has a transcript
ADVISOR = "T-指导老师-009"  # guides the volunteering activity added to HFUT's demo
TERM = "2026-2027学年"
DOCUMENT = "urn:second-classroom:openapi"  # where the walk's registry keeps the document
JSON = "application/json"


def json_gets(document: Mapping[str, Any]) -> set[str]:
    """The paths whose ``GET`` answers 200 with JSON."""
    return {
        path
        for path, operations in document["paths"].items()
        if JSON in operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
    }


JSON_GETS = sorted(json_gets(openapi()))


# -- the document as a referencing resource -------------------------------------------------


def registry_of(document: Mapping[str, Any]) -> Registry[Any]:
    """The document at ``DOCUMENT``, as any tool reads it: one resource whose every ``$ref``
    is a JSON pointer into it (no component is a resource of its own, by an ``$id``)."""
    found: Registry[Any] = Registry().with_resource(DOCUMENT, Resource.opaque(document))
    return found


def answer_pointer(path: str) -> str:
    """The JSON pointer of ``path``'s documented 200 JSON schema."""
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/get/responses/200/content/application~1json/schema"


@attrs.frozen
class Contract:
    """The served document and a validator of each JSON ``GET``'s documented answer."""

    document: Mapping[str, Any]
    registry: Registry[Any]

    def validator(self, path: str) -> Draft202012Validator:
        root = {"$ref": f"{DOCUMENT}#{answer_pointer(path)}"}
        return Draft202012Validator(root, registry=self.registry)

    def required(self, path: str) -> list[str]:
        """The fields the documented answer of ``path`` requires at its top."""
        resolved = self.registry.resolver().lookup(f"{DOCUMENT}#{answer_pointer(path)}")
        schema = resolved.contents
        while "$ref" in schema:
            resolved = resolved.resolver.lookup(schema["$ref"])
            schema = resolved.contents
        required: list[str] = schema["required"]
        return required


# -- the demo schools, with what their demo leaves empty -------------------------------------


@attrs.frozen
class School:
    """A demo school served in-process at a clock the walk sets."""

    service: SecondClassroom
    client: TestClient
    clock: Clock

    def home(self) -> str:
        """The demo's college: the school's first."""
        return self.service.rulebook.colleges[0].code

    def union(self) -> str:
        """The demo's tribe: the home college's student union."""
        return str(ids.tribe_id(f"{self.home()}-SU"))

    def activity(self, key: str) -> str:
        return str(ids.activity_id(ids.tribe_id(f"{self.home()}-SU"), key))

    def serial(self, event: str) -> str:
        """The first serial the log's ``event`` issued (TranscriptIssued, CertificateIssued)."""
        rows = self.service.audit_log(OPERATOR, event=event).rows
        serial: str = json.loads(rows[0].data)["serial"]
        return serial


def claim_pending_review(service: SecondClassroom) -> None:
    """A second 集体补录 claim of the union, left at its first step (the tribe's advisor)."""
    union = ids.tribe_id("PE-SU")
    credits = (PlannedCredit("volunteering", "学分", Decimal("0.5")),)
    filing = FileCollectiveClaim(
        union,
        "2026-lab-open-day",
        "实验室开放日志愿服务",
        "石油工程学院实验楼",
        at(12, 9, month=12),
        at(12, 12, month=12),
        "志愿公益",
        "第3项 校园志愿服务",
        credits,
        ("2023010102",),
        "活动当天系统维护，未能在平台发布",
        "李明 13800000000",
    )
    service.execute(filing, LEADER, at(14, 10, month=12))


def volunteering_left_unfinalized(service: SecondClassroom) -> None:
    """A volunteering activity guided by ``ADVISOR``, approved and held on 12-03 like the
    demo's talk but never finalized: HFUT wants results within 10 working days."""
    home = service.rulebook.colleges[0].code
    union = ids.tribe_id(f"{home}-SU")
    talk = service.activity(ids.activity_id(union, "2026-cet-talk"), OPERATOR)
    assert talk is not None
    plan = attrs.evolve(
        talk.form.plan,
        awards=(),
        credits=tuple(attrs.evolve(c, module="volunteering") for c in talk.form.plan.credits),
    )
    form = attrs.evolve(
        talk.form,
        title=talk.form.title.replace("四六级宣讲会", "校园志愿服务"),
        module="volunteering",
        advisors=(ADVISOR,),
        plan=plan,
    )
    draft = DraftActivity(union, "2026-volunteers", form)
    service.execute(draft, LEADER, at(23, 16))
    service.execute(SubmitActivity(draft.activity_id), LEADER, at(23, 16, 5))
    for reviewer in (LEADER, Actor.college_admin("T-院团委", home), OPERATOR):
        service.execute(ApproveActivity(draft.activity_id), reviewer, at(24, 11))


@pytest.fixture(scope="module")
def schools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, School]]:
    """The demo played by the default school (with the 补录 story) plus a claim still under
    review; by HFUT (practice teams, 月报 due on the 28th) plus an activity overdue for its
    results; by SHCC (毕业要求) — each served once for the module."""
    with contextlib.ExitStack() as stack:
        found: dict[str, School] = {}
        for name, top_up in (
            ("nepu", claim_pending_review),
            ("hfut", volunteering_left_unfinalized),
            ("shcc", None),
        ):
            path = tmp_path_factory.mktemp(name) / "demo.sqlite3"
            rulebook = None if name == "nepu" else preset(name)
            service = stack.enter_context(run_demo(path, out=lambda _line: None, rulebook=rulebook))
            if top_up is not None:
                top_up(service)
            clock = Clock(NOW)
            client = TestClient(create_app(service, HttpSettings(worker=False, clock=clock)))
            found[name] = School(service, stack.enter_context(client), clock)
        yield found


@attrs.frozen
class Call:
    """One ``GET`` of the walk: the school, the path's parameters, the caller, the query and
    the service's time."""

    school: School
    params: Mapping[str, str]
    reader: Actor = OPERATOR
    query: Mapping[str, str] = attrs.field(factory=dict)
    when: datetime = NOW

    def answer(self, path: str) -> Any:
        """The JSON the service answers ``path`` (a template of the document) with, as 200."""
        self.school.clock.now = self.when
        token = TOKENS.issue(self.reader, datetime.now().astimezone())
        reply = self.school.client.get(
            path.format(**self.params),
            headers={"Authorization": f"Bearer {token}"},
            params=dict(self.query),
        )
        assert reply.status_code == 200, (path, reply.text[:300])
        assert reply.headers["content-type"] == JSON
        return reply.json()


def walk(schools: Mapping[str, School]) -> dict[str, Call]:
    """Each JSON ``GET`` of the contract, with how to call it on the demo schools."""
    nepu, hfut, shcc = schools["nepu"], schools["hfut"], schools["shcc"]
    qian = {"number": QIAN.person_id}
    talk = {"activity_id": nepu.activity("2026-cet-talk")}
    union = nepu.union()
    collective = claim_id(ClaimKind.COLLECTIVE, union, "2026-campus-cleanup")
    claims_advisor = Actor("T-指导老师-002", {Role(RoleKind.ADVISOR, union)})
    return {
        "/api/me": Call(nepu, {}, QIAN),
        "/api/students/{number}": Call(nepu, qian, QIAN),
        "/api/students/{number}/summary": Call(nepu, qian, QIAN),
        "/api/students/{number}/activities": Call(nepu, qian, QIAN),
        "/api/students/{number}/notices": Call(nepu, qian, QIAN),
        "/api/students/{number}/integrity": Call(nepu, qian, QIAN),
        "/api/students/{number}/growth": Call(nepu, qian, QIAN),
        "/api/activities": Call(nepu, {}),
        "/api/activities/overdue-results": Call(hfut, {}),
        "/api/activities/{activity_id}": Call(nepu, talk, LEADER),
        "/api/activities/{activity_id}/phase": Call(nepu, talk, QIAN),
        "/api/activities/{activity_id}/roster": Call(nepu, talk, LEADER),
        "/api/activities/{activity_id}/checkin/{session}": Call(
            nepu, {**talk, "session": "1"}, ORGANIZER, when=at(3, 15, 6, month=12)
        ),
        "/api/activities/{activity_id}/enrolments/{number}": Call(
            nepu, {"activity_id": nepu.activity("2026-career-workshop"), "number": "2024010101"}
        ),
        "/api/activities/{activity_id}/draw": Call(
            nepu, {"activity_id": nepu.activity("2026-career-workshop")}, LEADER
        ),
        "/api/leaderboards/{by}": Call(nepu, {"by": "student"}),
        "/api/reports/{month}": Call(nepu, {"month": "2026-12"}),
        "/api/reports/{month}/overdue": Call(hfut, {"month": "2026-11"}),
        "/api/tribes/{tribe_id}": Call(nepu, {"tribe_id": union}, LEADER),
        "/api/tribes/{tribe_id}/cadres/{term}": Call(nepu, {"tribe_id": union, "term": TERM}),
        "/api/claims/to-review": Call(nepu, {}, claims_advisor),
        "/api/claims/{claim_id}": Call(nepu, {"claim_id": str(collective)}, LEADER),
        "/api/practices/{practice_id}": Call(
            hfut, {"practice_id": str(ids.practice_id(hfut.home(), "2026-winter-team-1"))}
        ),
        "/api/workload/advisors/{advisor}": Call(
            hfut, {"advisor": ADVISOR}, Actor(ADVISOR, {Role(RoleKind.ADVISOR)})
        ),
        "/api/workload/organizers": Call(nepu, {}),
        "/api/graduation/shortfall": Call(shcc, {}, query={"cohort": "2023"}),
        "/api/audit": Call(nepu, {}, query={"limit": "20"}),
        "/api/transcripts/{serial}": Call(nepu, {"serial": nepu.serial("TranscriptIssued")}),
        "/api/certificates/{serial}": Call(nepu, {"serial": nepu.serial("CertificateIssued")}),
        "/healthz": Call(nepu, {}),
        "/readyz": Call(nepu, {}),
    }


@pytest.fixture(scope="module")
def contract(schools: dict[str, School]) -> Contract:
    """The document the service publishes at /openapi.json."""
    document = schools["nepu"].client.get("/openapi.json").json()
    return Contract(document, registry_of(document))


@pytest.fixture(scope="module")
def answers(schools: dict[str, School]) -> Callable[[str], Any]:
    """A walked path's real answer, called once for the module."""
    calls, found = walk(schools), {}

    def answer(path: str) -> Any:
        if path not in calls:
            pytest.fail(f"{path} is in the contract but not in walk(): say how to call it")
        if path not in found:
            found[path] = calls[path].answer(path)
        return found[path]

    return answer


def test_every_reference_of_the_contract_is_a_pointer_into_it() -> None:
    """Given the contract, then no component names itself (``$id``), and every ``$ref`` —
    the commands' bodies too, which no ``GET`` answers — is a JSON pointer that finds a
    schema in the document: a generic tool, which resolves references against the document,
    reads every schema (one that followed each component's ``$id`` generated no body)."""
    document = openapi()
    resolver = registry_of(document).resolver()
    assert not [name for name, c in document["components"]["schemas"].items() if "$id" in c]
    found = set(refs(document))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/"), ref
        assert isinstance(resolver.lookup(f"{DOCUMENT}{ref}").contents, dict), ref


# -- the walk ------------------------------------------------------------------------------


def test_the_walk_calls_every_json_get_of_the_contract(
    schools: dict[str, School], contract: Contract
) -> None:
    """Given the published contract, then the walk calls exactly its JSON ``GET`` paths: a
    read added to the document without a way to call it here fails, as does a stale one."""
    assert set(walk(schools)) == json_gets(contract.document)
    assert set(JSON_GETS) == json_gets(contract.document)


@pytest.mark.parametrize("path", JSON_GETS)
def test_each_json_get_answers_its_documented_schema(
    path: str, contract: Contract, answers: Callable[[str], Any]
) -> None:
    """Given a populated school and a caller allowed to read ``path``, when it is called,
    then the 200 answer validates against the schema the document gives it; a listing
    answers at least one row or item, so the row's own schema is exercised too."""
    answer = answers(path)
    errors = [error.message for error in contract.validator(path).iter_errors(answer)]
    assert errors == [], (path, errors[:3])
    for listing in ("items", "rows"):
        if isinstance(answer, dict) and listing in answer:
            assert answer[listing], f"{path} answered no {listing}: the walk proves less"


def objects(value: Any, at_: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Where ``value`` holds a JSON object, itself first; of each array only its first item
    (its items share one schema)."""
    if isinstance(value, dict):
        yield at_
        for key, inner in value.items():
            yield from objects(inner, (*at_, key))
    elif isinstance(value, list) and value:
        yield from objects(value[0], (*at_, 0))


def with_surprise(answer: Any, where: tuple[str | int, ...]) -> Any:
    """A copy of ``answer`` with a field no schema names added to the object at ``where``."""
    changed = copy.deepcopy(answer)
    target = changed
    for step in where:
        target = target[step]
    target["surprise"] = 1
    return changed


@pytest.mark.parametrize("path", JSON_GETS)
def test_each_documented_answer_is_exact(
    path: str, contract: Contract, answers: Callable[[str], Any]
) -> None:
    """Given ``path``'s real answer, when a field is added to any object in it (the answer,
    a row, a nested value), or a field the schema requires at its top is dropped, then the
    documented schema refuses it: nothing is documented loosely."""
    validator, answer = contract.validator(path), answers(path)
    where = list(objects(answer))
    assert where, f"{path} answers no JSON object"
    for place in where:
        assert not validator.is_valid(with_surprise(answer, place)), (path, place)
    required = contract.required(path)
    assert required, f"{path}'s answer requires nothing"
    for field in required:
        dropped = {key: value for key, value in answer.items() if key != field}
        assert not validator.is_valid(dropped), (path, field)


def test_the_not_ready_answers_of_readyz_are_documented(
    contract: Contract, service: SecondClassroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the contract's 503 answer of ``/readyz``; when the views lag behind the log, and
    when the store fails; then each 503 answer is one the contract documents, exactly, and
    the failing store's answer names the error's type only."""
    from tests.http.world import build_world

    pointer = "/paths/~1readyz/get/responses/503/content/application~1json/schema"
    documented = Draft202012Validator({"$ref": f"{DOCUMENT}#{pointer}"}, registry=contract.registry)
    build_world(service)
    settings = HttpSettings(worker=False, clock=Clock(), max_view_lag=0)
    with TestClient(create_app(service, settings)) as client:
        lagging = client.get("/readyz")

        def fails() -> int:
            raise OSError("connection refused by db.internal:5432")

        monkeypatch.setattr(service.app.recorder, "max_notification_id", fails)
        down = client.get("/readyz")
    assert (lagging.status_code, lagging.json()["status"]) == (503, "views lagging")
    assert (down.status_code, down.json()) == (
        503,
        {"status": "store unreachable", "error": "OSError"},
    )
    for answer in (lagging.json(), down.json()):
        documented.validate(answer)
        assert not documented.is_valid({**answer, "extra": 1})


# The service's routes the contract leaves out, and why: the contract itself and the page
# that reads it (named in the document's description), and /verify/, the form again.
UNLISTED = {"/openapi.json", "/docs", "/verify/"}


def test_every_route_of_the_service_is_in_the_contract(schools: dict[str, School]) -> None:
    """Given the service's routes, then each is a path of the contract with the same methods,
    but for the contract itself, its page and an alias: a route added without its
    documentation fails here."""
    app = schools["nepu"].client.app
    document = openapi()
    served = {}
    for route in app.routes:  # type: ignore[attr-defined]
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)  # {serial:path} is {serial}
        served[path] = {method.lower() for method in route.methods or ()} - {"head"}
    assert set(served) - UNLISTED == set(document["paths"])
    for path, methods in served.items():
        if path not in UNLISTED:
            assert methods == set(document["paths"][path]), path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_month_report_as_a_file_answers_a_documented_media_type(
    kind: str, schools: dict[str, School]
) -> None:
    """Given the 学院月报 of a month with activities; when it is asked for as ``format=csv``
    or ``xlsx``, then the answer is an attachment of a media type the contract gives that
    path's 200 answer, and its body is that kind of file."""
    nepu = schools["nepu"]
    nepu.clock.now = NOW
    token = TOKENS.issue(OPERATOR, datetime.now().astimezone())
    reply = nepu.client.get(
        "/api/reports/2026-12",
        params={"format": kind},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 200, reply.text[:300]
    documented = openapi()["paths"]["/api/reports/{month}"]["get"]["responses"]["200"]["content"]
    assert reply.headers["content-type"] in documented
    assert reply.headers["content-disposition"].startswith("attachment;")
    if kind == "xlsx":
        assert reply.content.startswith(b"PK\x03\x04")  # a zip: the workbook's package
    else:
        assert reply.content.startswith("\ufeff".encode())  # the BOM Excel reads UTF-8 by
