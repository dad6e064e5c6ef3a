"""The facade's remaining reads over GET, on the demo school (second_classroom.demo): tribes,
cadre rounds, 补录 claims and 待我审核, practice teams, a registration and the draw, the
月报 submissions, workloads, 毕业要求, the audit log, and the as-of reads. Each is the
facade's read under the caller's actor: deny by default, 404 for nothing, 400 for a bad
parameter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from second_classroom import codec
from second_classroom.aggregates.claim import claim_id
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.demo import DEMO_SECRET, at, run_demo
from second_classroom.http import BearerTokens, HttpSettings, create_app
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.policies.rulebook import preset
from second_classroom.service import SecondClassroom

OPERATOR = Actor.school_admin("T-校团委-001")
LEADER = Actor.student("2023010101")  # 李明, the union's leader in the demo
STRANGER = Actor.student("2024010102")  # 钱静: a member, not a manager
NOBODY = Actor("T-无角色", [])
TERM = "2026-2027学年"


NOW = at(20, 9, month=12)  # after every step of the demo


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SecondClassroom]]:
    """The demo played by the default school (with the 补录 story), HFUT (practice teams,
    月报 due on the 28th) and SHCC (毕业要求), each once for the module."""
    opened: dict[str, SecondClassroom] = {}
    for school in ("nepu", "hfut", "shcc"):
        path = tmp_path_factory.mktemp(school) / "demo.sqlite3"
        rulebook = None if school == "nepu" else preset(school)
        opened[school] = run_demo(path, out=lambda _line: None, rulebook=rulebook)
    yield opened
    for service in opened.values():
        service.close()


@pytest.fixture
def demo(demos: dict[str, SecondClassroom]) -> SecondClassroom:
    return demos["nepu"]


def served(service: SecondClassroom) -> TestClient:
    return TestClient(create_app(service, HttpSettings(worker=False, clock=lambda: NOW)))


@pytest.fixture
def client(demo: SecondClassroom) -> Iterator[TestClient]:
    with served(demo) as opened:
        yield opened


@pytest.fixture
def hfut(demos: dict[str, SecondClassroom]) -> Iterator[tuple[TestClient, SecondClassroom]]:
    with served(demos["hfut"]) as opened:
        yield opened, demos["hfut"]


TOKENS = BearerTokens.from_secret(DEMO_SECRET)


def get(client: TestClient, path: str, actor: Actor | None, **params: str) -> tuple[int, object]:
    token = TOKENS.issue(actor, datetime.now().astimezone()) if actor is not None else None
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    reply = client.get(path, headers=headers, params=params)
    return reply.status_code, reply.json()


def code_of(reply: tuple[int, object]) -> tuple[int, str]:
    status, body = reply
    assert isinstance(body, dict)
    return status, body["code"]


def union(demo: SecondClassroom) -> UUID:
    return ids.tribe_id(f"{demo.rulebook.colleges[0].code}-SU")


def test_a_tribe_is_its_managers_and_operators(client: TestClient, demo: SecondClassroom) -> None:
    """Given the demo's union, when its leader or an operator reads it, then they get the
    Tribe as the facade reads it; a member or nobody is refused, an unknown id is 404."""
    path = f"/api/tribes/{union(demo)}"
    for reader in (LEADER, OPERATOR):
        status, body = get(client, path, reader)
        assert status == 200
        assert body == codec.to_json(demo.tribe(union(demo), reader))
    assert code_of(get(client, path, STRANGER)) == (403, "auth.forbidden")
    assert get(client, path, None)[0] == 401
    unknown = f"/api/tribes/{ids.tribe_id('no-such-tribe')}"
    assert code_of(get(client, unknown, OPERATOR)) == (404, "http.not_found")
    assert code_of(get(client, "/api/tribes/x", OPERATOR)) == (400, "query.invalid")


def test_a_cadre_round_lists_the_terms_appointments_and_ratings(
    client: TestClient, demo: SecondClassroom
) -> None:
    """002 一 3): the round the demo appointed and rated, to the union's leader; not to a
    member who was rated in it."""
    path = f"/api/tribes/{union(demo)}/cadres/{TERM}"
    status, body = get(client, path, LEADER)
    assert status == 200
    assert isinstance(body, dict)
    assert body["type"] == "CadreRound"
    assert body == codec.to_json(demo.cadre_round(union(demo), TERM, LEADER))
    assert code_of(get(client, path, STRANGER)) == (403, "auth.forbidden")
    other_term = f"/api/tribes/{union(demo)}/cadres/2030-2031学年"
    assert code_of(get(client, other_term, LEADER)) == (404, "http.not_found")


def test_a_claim_is_its_claimants_and_reviewers(client: TestClient, demo: SecondClassroom) -> None:
    """001 第二、三条: the union's collective 补录 claim, to its leader and the operators;
    another student is refused; a malformed id is 400."""
    found = claim_id(ClaimKind.COLLECTIVE, str(union(demo)), "2026-campus-cleanup")
    path = f"/api/claims/{found}"
    for reader in (LEADER, OPERATOR):
        status, body = get(client, path, reader)
        assert status == 200
        assert isinstance(body, dict)
        assert body["type"] == "Claim"
        assert body == codec.to_json(demo.claim(found, reader))
    assert code_of(get(client, path, STRANGER)) == (403, "auth.forbidden")
    assert code_of(get(client, "/api/claims/not-a-uuid", OPERATOR)) == (400, "query.invalid")


def test_claims_to_review_lists_what_the_caller_may_act_on(
    client: TestClient, demo: SecondClassroom
) -> None:
    """待我审核 (003 2): the reviewers' queue at the service's clock, as the facade gives it;
    a student holds no reviewing role and is refused."""
    center = Actor("T-二课中心-001", {Role(RoleKind.CENTER), Role.school_admin()})
    status, body = get(client, "/api/claims/to-review", center)
    assert status == 200
    expected = demo.claims_to_review(center, NOW)
    assert body == {"items": [codec.to_json(row) for row in expected]}
    assert code_of(get(client, "/api/claims/to-review", STRANGER)) == (403, "auth.forbidden")


def test_a_practice_team_is_its_recorders(hfut: tuple[TestClient, SecondClassroom]) -> None:
    """002 一 4): the HFUT college's 三下乡 team, to its college's admin and the operators;
    a member reads it in their record, not here."""
    client, service = hfut
    home = service.rulebook.colleges[0].code
    team = ids.practice_id(home, "2026-winter-team-1")
    path = f"/api/practices/{team}"
    college = Actor.college_admin("T-院团委", home)
    for reader in (college, OPERATOR):
        status, body = get(client, path, reader)
        assert status == 200
        assert isinstance(body, dict)
        assert body["type"] == "Practice"
        assert body["title"] == f"{service.rulebook.colleges[0].name}“三下乡”实践团"
        assert body == codec.to_json(service.practice(team, reader))
    assert code_of(get(client, path, Actor.student("2023010102"))) == (403, "auth.forbidden")


def test_the_overdue_monthly_reports_are_the_operators(
    hfut: tuple[TestClient, SecondClassroom],
) -> None:
    """002 一 5) 每月28日上报: no college submitted November's report by the 28th."""
    client, service = hfut
    status, body = get(client, "/api/reports/2026-11/overdue", OPERATOR)
    assert status == 200
    assert isinstance(body, dict)
    colleges = [row["college"] for row in body["items"]]
    assert colleges == [college.code for college in service.rulebook.colleges]
    assert body == {
        "items": [codec.to_json(r) for r in service.overdue_reports("2026-11", OPERATOR, NOW)]
    }
    home = Actor.college_admin("T-院团委", service.rulebook.colleges[0].code)
    assert code_of(get(client, "/api/reports/2026-11/overdue", home)) == (403, "auth.forbidden")
    assert code_of(get(client, "/api/reports/2026-13/overdue", OPERATOR))[0] == 400


def test_a_registration_and_the_draw(hfut: tuple[TestClient, SecondClassroom]) -> None:
    """第十二条: the lottery's commitment and draw name every registrant, so they are the
    activity's managers' (a student learns the result from a notice); one registration is
    its student's and the managers'."""
    client, service = hfut
    workshop = ids.activity_id(union(service), "2026-career-workshop")
    status, body = get(client, f"/api/activities/{workshop}/draw", LEADER)
    assert status == 200
    record = service.draw_record(workshop, OPERATOR)
    assert record is not None
    assert len(record.winners) == 3
    assert body == codec.to_json(record)
    reply = get(client, f"/api/activities/{workshop}/draw", Actor.student("2024010101"))
    assert code_of(reply) == (403, "auth.forbidden")
    path = f"/api/activities/{workshop}/enrolments/2024010101"
    for reader in (Actor.student("2024010101"), LEADER):
        status, body = get(client, path, reader)
        assert status == 200
        assert isinstance(body, dict)
        assert body["type"] == "Enrolment"
        assert body == codec.to_json(service.enrolment(workshop, "2024010101", reader))
    assert code_of(get(client, path, Actor.student("2024010102"))) == (403, "auth.forbidden")


def test_overdue_results_and_the_workloads(hfut: tuple[TestClient, SecondClassroom]) -> None:
    """合工大 10 working days for results; 组织者工作量 and 指导老师工作量表 (002 二 3))."""
    client, service = hfut
    status, body = get(client, "/api/activities/overdue-results", OPERATOR)
    assert (status, body) == (
        200,
        {"items": [codec.to_json(r) for r in service.overdue_results(OPERATOR, NOW)]},
    )
    status, body = get(client, "/api/workload/organizers", OPERATOR, limit="2")
    assert status == 200
    assert body == codec.to_json(service.organizer_workload(OPERATOR, limit=2))
    assert isinstance(body, dict)
    assert [r["person"] for r in body["rows"]] == [
        "2023010101",
        "2023010102",
    ]
    assert code_of(get(client, "/api/workload/organizers", LEADER)) == (403, "auth.forbidden")
    advisor = Actor("T-指导老师-009", {Role(RoleKind.ADVISOR)})
    path = "/api/workload/advisors/T-指导老师-009"
    status, body = get(client, path, advisor)
    assert (status, body) == (
        200,
        codec.to_json(service.advisor_workload("T-指导老师-009", advisor)),
    )
    other = Actor("T-指导老师-010", {Role(RoleKind.ADVISOR)})
    assert code_of(get(client, path, other)) == (403, "auth.forbidden")
    assert code_of(get(client, path, OPERATOR, limit="0")) == (400, "query.invalid")


def test_graduation_shortfall_by_college_and_cohort(demos: dict[str, SecondClassroom]) -> None:
    """Seed 003 毕业要求: SHCC's students short of their credits, to the operators; a cohort
    that is not a whole number is 400."""
    service = demos["shcc"]
    with served(service) as client:
        home = service.rulebook.colleges[0].code
        status, body = get(client, "/api/graduation/shortfall", OPERATOR, cohort="2023")
        assert status == 200
        expected = service.graduation_shortfall(OPERATOR, cohort=2023)
        assert expected
        assert body == {"items": [codec.to_json(r) for r in expected]}
        status, body = get(client, "/api/graduation/shortfall", OPERATOR, college=home)
        expected = service.graduation_shortfall(OPERATOR, college=home)
        assert (status, body) == (200, {"items": [codec.to_json(r) for r in expected]})
        for bad in ("twenty", "-1", "２０２３", "2023.0"):
            reply = get(client, "/api/graduation/shortfall", OPERATOR, cohort=bad)
            assert code_of(reply) == (400, "query.invalid")
        assert get(client, "/api/graduation/shortfall", LEADER)[0] == 403


def test_the_audit_log_filters_and_pages(client: TestClient, demo: SecondClassroom) -> None:
    """审计日志 for operators: by stream, by actor, by event type, a page at a time."""
    tribe = union(demo)
    status, body = get(client, "/api/audit", OPERATOR, stream=str(tribe), limit="3")
    assert status == 200
    assert body == codec.to_json(demo.audit_log(OPERATOR, stream=tribe, limit=3))
    assert isinstance(body, dict)
    assert len(body["rows"]) == 3
    assert {row["stream"] for row in body["rows"]} == {str(tribe)}
    status, body = get(client, "/api/audit", OPERATOR, by="2023010101", event="ActivitySubmitted")
    assert status == 200
    expected = demo.audit_log(OPERATOR, by="2023010101", event="ActivitySubmitted")
    assert expected.rows
    assert body == codec.to_json(expected)
    assert code_of(get(client, "/api/audit", OPERATOR, stream="x")) == (400, "query.invalid")
    assert code_of(get(client, "/api/audit", LEADER)) == (403, "auth.forbidden")


def test_a_record_and_its_integrity_as_they_stood(
    client: TestClient, demo: SecondClassroom
) -> None:
    """As-of reads: ``?as_of=`` replays the record, the 诚信分 and the 成长档案 as they stood
    then, and as they stand without it; an instant without its UTC offset names no instant
    and is 400 on each."""
    number = "2023010102"
    before = at(24, 8)  # registered on the 23rd, before any activity
    when = before.isoformat()
    me = Actor.student(number)
    status, body = get(client, f"/api/students/{number}", me, as_of=when)
    assert (status, body) == (200, codec.to_json(demo.student_as_of(number, me, before)))
    assert body != get(client, f"/api/students/{number}", me)[1]
    status, body = get(client, f"/api/students/{number}/integrity", me, as_of=when)
    assert (status, body) == (200, codec.to_json(demo.integrity_as_of(number, me, before)))
    status, body = get(client, f"/api/students/{number}/growth", me, as_of=when)
    assert (status, body) == (200, codec.to_json(demo.growth_timeline(number, me, NOW, before)))
    status, body = get(client, f"/api/students/{number}/growth", me)
    assert (status, body) == (200, codec.to_json(demo.growth_timeline(number, me, NOW)))
    status, body = get(client, f"/api/students/{number}/integrity", me)
    assert (status, body) == (200, codec.to_json(demo.integrity(number, me)))
    for read in ("", "/integrity", "/growth"):
        for bad in ("2026-11-24T08:00:00", "yesterday", "2026-13-01T00:00:00+08:00"):
            reply = get(client, f"/api/students/{number}{read}", me, as_of=bad)
            assert code_of(reply) == (400, "query.invalid"), (read, bad)
    assert get(client, f"/api/students/{number}/growth", STRANGER)[0] == 403
