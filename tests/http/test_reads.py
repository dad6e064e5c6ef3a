"""The facade's reads over GET, authorized by the caller (policies/visibility.py): the
student themselves, their college admin, the activity's managers, operators."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import jwt
import pytest

from second_classroom.core.actor import Actor, Role, RoleKind
from tests.enrolment_world import LEADER, UNION
from tests.http.world import TOKENS, World, bearer
from tests.specification import CS_ADMIN, PE_ADMIN, SCHOOL_ADMIN


def get(world: World, path: str, actor: Actor | None, **params: str) -> tuple[int, Any]:
    """The status and the answer: its JSON, or the reply itself when it is not JSON."""
    headers = bearer(actor) if actor is not None else {}
    reply = world.client.get(path, headers=headers, params=params)
    kind = reply.headers.get("content-type", "")
    return reply.status_code, reply.json() if kind.startswith("application/json") else reply


def registered(world: World, *numbers: str) -> None:
    for number in numbers:
        reply = world.client.post(
            "/api/commands",
            json={"type": "Register", "activity_id": str(world.talk)},
            headers=bearer(Actor.student(number)),
        )
        assert reply.status_code == 200


def test_my_record_is_mine_my_college_admins_and_operators(world: World) -> None:
    me = world.students[0]
    path = f"/api/students/{me}"
    for actor in (Actor.student(me), PE_ADMIN, SCHOOL_ADMIN):
        status, body = get(world, path, actor)
        assert status == 200
        assert body["type"] == "StudentRecord"
    for stranger in (Actor.student(world.students[1]), CS_ADMIN, Actor("T-x", [])):
        status, body = get(world, path, stranger)
        assert (status, body["category"]) == (403, "forbidden")
    assert get(world, path, None)[0] == 401


def test_my_activities_notices_integrity_and_summary(world: World) -> None:
    me = world.students[0]
    registered(world, me)
    mine = Actor.student(me)
    status, body = get(world, f"/api/students/{me}/activities", mine)
    assert status == 200
    assert [row["activity_id"] for row in body["items"]] == [str(world.talk)]
    status, body = get(world, f"/api/students/{me}/notices", mine)
    assert (status, body) == (200, {"items": []})
    status, body = get(world, f"/api/students/{me}/integrity", mine)
    assert status == 200
    assert body["type"] == "IntegrityReport"
    status, body = get(world, f"/api/students/{me}/summary", mine)
    assert status == 200
    assert (body["student_number"], body["attended"]) == (me, 0)
    for suffix in ("activities", "notices", "integrity", "summary"):
        other = Actor.student(world.students[1])
        assert get(world, f"/api/students/{me}/{suffix}", other)[0] == 403


def test_an_unknown_student_is_404_to_an_operator(world: World) -> None:
    status, body = get(world, "/api/students/2024999999", SCHOOL_ADMIN)
    assert (status, body["code"]) == (404, "http.not_found")


def test_the_activity_board_pages_with_a_cursor(world: World) -> None:
    student = Actor.student(world.students[0])
    seen = []
    cursor: str | None = None
    while True:
        params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        status, body = get(world, "/api/activities", student, **params)
        assert status == 200
        rows = body["rows"]
        assert len(rows) <= 1
        seen += [row["activity_id"] for row in rows]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [str(world.talk)]
    status, body = get(world, "/api/activities", student, college="CS")
    assert (status, body["rows"]) == (200, [])
    for bad in ({"limit": "0"}, {"limit": "many"}, {"cursor": "garbage"}):
        status, body = get(world, "/api/activities", student, **bad)
        assert (status, body["code"]) == (400, "query.invalid")
    assert get(world, "/api/activities", Actor("nobody", []))[0] == 403


def test_an_activity_and_its_roster_are_its_managers(world: World) -> None:
    registered(world, *world.students[:2])
    path = f"/api/activities/{world.talk}"
    status, body = get(world, path, LEADER)
    assert (status, body["type"]) == (200, "Activity")
    status, body = get(world, path + "/roster", LEADER, limit="1")
    assert status == 200
    assert len(body["rows"]) == 1
    status, more = get(world, path + "/roster", LEADER, cursor=body["next_cursor"])
    assert len(more["rows"]) == 1
    for stranger in (Actor.student(world.students[0]), CS_ADMIN):
        assert get(world, path, stranger)[0] == 403
        assert get(world, path + "/roster", stranger)[0] == 403
    assert get(world, path + "/phase", Actor.student(world.students[5]))[1] == {
        "phase": "registering",
        "label": "报名中",
    }
    assert get(world, "/api/activities/not-a-uuid", LEADER)[0] == 400


def test_a_tribe_role_in_a_token_is_ignored(world: World) -> None:
    """Tribe roles come from the Tribe streams, never from the token (Actor's docstring)."""
    claimed = Actor(
        world.students[3],
        [Role.student(), Role(RoleKind.TRIBE_LEADER, str(UNION.tribe_id))],
    )
    assert get(world, f"/api/activities/{world.talk}", claimed)[0] == 403
    me = {"person_id": world.students[3], "roles": ["student"]}
    assert get(world, "/api/me", claimed)[1] == me
    # A token forged with the right key but naming tribe and system roles gets neither.
    claims = {
        "sub": world.students[3],
        "aud": "second-classroom",
        "exp": int(time.time()) + 60,
        "roles": ["system", f"tribe_leader:{UNION.tribe_id}", "college_admin:", "student"],
    }
    token = jwt.encode(claims, TOKENS.signing_key, algorithm="HS256")
    reply = world.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.json()["roles"] == ["student"]


def test_an_expired_token_is_401(world: World) -> None:
    headers = bearer(Actor.student(world.students[0]), lifetime=timedelta(minutes=-5))
    reply = world.client.get("/api/me", headers=headers)
    assert reply.status_code == 401
    assert "expired" in reply.json()["message_en"]


@pytest.mark.parametrize("by", ["college", "cohort"])
def test_leaderboards_by_group_are_for_anyone_signed_in(world: World, by: str) -> None:
    status, body = get(world, f"/api/leaderboards/{by}", Actor.student(world.students[0]))
    assert status == 200
    assert body["type"] == "Page"


def test_the_leaderboard_of_students_names_them_so_it_is_their_admins(world: World) -> None:
    student = Actor.student(world.students[0])
    assert get(world, "/api/leaderboards/student", student, college="PE")[0] == 403
    assert get(world, "/api/leaderboards/student", PE_ADMIN, college="PE")[0] == 200


def test_the_monthly_report_as_json_csv_and_xlsx(world: World) -> None:
    status, body = get(world, "/api/reports/2026-12", PE_ADMIN, college="PE")
    assert (status, body["type"]) == (200, "Page")
    status, csv = get(world, "/api/reports/2026-12", PE_ADMIN, college="PE", format="csv")
    assert status == 200
    assert csv.headers["content-type"].startswith("text/csv")
    status, xlsx = get(world, "/api/reports/2026-12", SCHOOL_ADMIN, format="xlsx")
    assert status == 200
    assert xlsx.content[:2] == b"PK"
    assert get(world, "/api/reports/2026-12", PE_ADMIN, college="CS", format="csv")[0] == 403
    assert get(world, "/api/reports/2026-12", SCHOOL_ADMIN, format="pdf")[0] == 400


def test_a_report_file_of_a_month_that_is_not_one_is_refused_not_a_server_error(
    world: World,
) -> None:
    """Given ``format=xlsx`` or ``csv`` and a month that is no ``YYYY-MM`` (found by
    tests/http/test_contract_fuzz.py: the workbook's sheet title refused it, a 500); then
    the answer is the DomainError the JSON report gives, 400."""
    for kind in ("xlsx", "csv"):
        status, body = get(world, "/api/reports/2026-13", SCHOOL_ADMIN, format=kind)
        assert (status, body["code"]) == (400, "report.month_invalid"), kind


def test_a_report_file_is_named_safely_whatever_the_college_asked(world: World) -> None:
    """Given a college parameter in Chinese, or with a quote, a no-break space and a letter
    outside Latin-1 (found by tests/http/test_contract_fuzz.py: such a name broke the header,
    a 500); then the file is sent with a Content-Disposition in printable ASCII whose
    ``filename*`` keeps the name (RFC 8187); a line break is refused before any header."""
    for college, encoded in (
        ("石油工程学院", "%E7%9F%B3%E6%B2%B9%E5%B7%A5%E7%A8%8B%E5%AD%A6%E9%99%A2"),
        ('P"E\xa0\u0100; x=1', "P%22E%C2%A0%C4%80%3B%20x%3D1"),
    ):
        status, reply = get(
            world, "/api/reports/2026-12", SCHOOL_ADMIN, college=college, format="csv"
        )
        assert status == 200, reply
        disposition = reply.headers["content-disposition"]
        assert disposition.isascii()
        assert "\r" not in disposition
        assert "\n" not in disposition
        assert disposition.endswith(f"filename*=UTF-8''report-2026-12-{encoded}.csv")
    # a line break never reaches a header: the read's boundary refuses it first
    status, body = get(
        world, "/api/reports/2026-12", SCHOOL_ADMIN, college="PE\r\nX: 1", format="csv"
    )
    assert (status, body["code"]) == (400, "text.control_character")


def test_a_certificate_is_its_students_and_the_schools(world: World) -> None:
    """电子证书 (002 二 8)): the school confers a 荣誉证书 over the API; the signed document is
    the student's and operators' to read, nobody else's."""
    me = world.students[0]
    reply = world.client.post(
        "/api/commands",
        json={
            "type": "IssueCertificate",
            "kind": "honour",
            "student_number": me,
            "title": "优秀共青团员",
        },
        headers=bearer(SCHOOL_ADMIN),
    )
    assert reply.status_code == 200, reply.text
    # the key's first use publishes it too: the certificate's event is the one with a serial
    serial = next(e["event"]["serial"] for e in reply.json()["events"] if "serial" in e["event"])
    path = f"/api/certificates/{serial}"
    for actor in (Actor.student(me), SCHOOL_ADMIN):
        status, body = get(world, path, actor)
        assert status == 200
        assert body["content"]["title"] == "优秀共青团员"
    status, body = get(world, path, Actor.student(world.students[1]))
    assert (status, body["category"]) == (403, "forbidden")


UNKNOWN = "00000000-0000-4000-8000-000000000000"
# Each read by one UUID path parameter (reads.by_id), its path for an id.
BY_ID = {
    "activity": "/api/activities/{}",
    "phase": "/api/activities/{}/phase",
    "draw": "/api/activities/{}/draw",
    "tribe": "/api/tribes/{}",
    "claim": "/api/claims/{}",
    "practice": "/api/practices/{}",
}


@pytest.mark.parametrize("read", sorted(BY_ID))
def test_a_read_by_id_refuses_a_bad_id_an_unknown_one_a_stranger_and_no_token(
    world: World, read: str
) -> None:
    path = BY_ID[read]
    student = Actor.student(world.students[0])
    for bad in ("not-a-uuid", "%20" + UNKNOWN, "12345"):
        status, body = get(world, path.format(bad), SCHOOL_ADMIN)
        assert (status, body["code"]) == (400, "query.invalid")
    status, body = get(world, path.format(UNKNOWN), SCHOOL_ADMIN)
    assert (status, body["code"]) == (404, "http.not_found")
    # A student may not read another's activity, tribe, draw, or an unknown claim or practice
    # (that an id names nothing is for operators to learn); a roleless caller not even a phase.
    known = {"activity": world.talk, "draw": world.talk, "tribe": UNION.tribe_id}
    stranger = Actor("T-x", []) if read == "phase" else student
    status, body = get(world, path.format(known.get(read, UNKNOWN)), stranger)
    assert (status, body["category"]) == (403, "forbidden")
    for id_ in ("not-a-uuid", UNKNOWN):
        status, body = get(world, path.format(id_), None)
        assert (status, body["code"]) == (401, "http.unauthenticated")


def test_the_monthly_report_json_gives_cadre_credits_and_practice_hours(
    store_env: dict[str, str],
) -> None:
    """002 一 3)-5): given March 2027's cadre terms and practice team (``tests.report_world``),
    when 石油工程学院's admin GETs its 学院月报 as JSON, then each row gives ``cadre`` (module,
    type, amount) and ``practice_teams``/``practice_members``/``practice_hours`` as exact
    decimal text, the fields of the MonthlyRow schema; the CSV has the Chinese columns; another
    college's admin is refused (deny-by-default as before)."""
    from jsonschema import Draft202012Validator
    from starlette.testclient import TestClient

    from second_classroom.http import HttpSettings, create_app
    from second_classroom.schema import schemas
    from second_classroom.service import SecondClassroom
    from tests import report_world
    from tests.stores import TEST_SECRET

    with SecondClassroom.open(store_env, report_world.RULES, secret=TEST_SECRET) as school:
        report_world.march_world(school)
        app = create_app(school, HttpSettings(worker=False))
        with TestClient(app) as client:
            path, who = "/api/reports/2027-03", bearer(PE_ADMIN)
            reply = client.get(path, headers=who, params={"college": "PE"})
            assert reply.status_code == 200
            rows = {row["tribe"]: row for row in reply.json()["rows"]}
            csv = client.get(path, headers=who, params={"college": "PE", "format": "csv"})
            refused = client.get(path, headers=bearer(CS_ADMIN), params={"college": "PE"})
    validator = Draft202012Validator(schemas()["MonthlyRow"])
    for row in rows.values():  # a page's rows say their type, as the row alone does
        assert not list(validator.iter_errors(row))
    union, recorder = rows["石油工程学院学生会"], rows["（基层团委）"]
    assert union["cadre"] == [["work_experience", "学分", "2.5"]]
    assert (union["practice_teams"], union["practice_hours"]) == (0, "0")
    assert (recorder["practice_teams"], recorder["practice_members"]) == (1, 3)
    assert (recorder["practice_hours"], recorder["cadre"]) == ("72", [])
    header = csv.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[8:] == ["实践团队数", "实践人次", "实践学时", "工作履历干部任期（学分）"]
    assert (refused.status_code, refused.json()["code"]) == (403, "auth.forbidden")
