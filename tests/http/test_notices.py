"""Notices out: signed webhooks per outbox notice, retried with back-off and sent once (the
mailbox marks them delivered); and the SSE stream of a student's own notices."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import timedelta
from uuid import UUID

import attrs
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from second_classroom.aggregates.activity import ChangeActivityDetails
from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.http import HttpSettings, create_app
from second_classroom.http.notices import (
    NOTICE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Webhooks,
    http_post,
    verify_signature,
)
from second_classroom.http.worker import Worker
from second_classroom.persistence.stores import popo_env
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER, REGISTERING
from tests.http.live_server import live_server
from tests.http.world import bearer, build_world
from tests.specification import ARABIC_INDIC
from tests.stores import TEST_SECRET

WEBHOOK_SECRET = b"webhook-secret"
School = tuple[SecondClassroom, list[str], UUID]


@attrs.define
class Receiver:
    """A webhook receiver answering the scripted statuses, then 204."""

    statuses: list[int] = attrs.field(factory=list)
    calls: list[tuple[bytes, dict[str, str]]] = attrs.field(factory=list)

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.calls.append((body, dict(headers)))
        return self.statuses.pop(0) if self.statuses else 204


@pytest.fixture
def school() -> Iterator[School]:
    """Two registrants of an activity whose place then changed: a notice to each (第十四条)."""
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        students, talk = build_world(service)
        for number in students[:2]:
            service.execute(Register(talk), Actor.student(number), REGISTERING)
        moved = ChangeActivityDetails(talk, locations=("第二教学楼201室",))
        service.execute(moved, LEADER, REGISTERING)
        yield service, students, talk


def test_each_notice_is_posted_signed_and_marked_once(school: School) -> None:
    service, students, _talk = school
    receiver = Receiver()
    hooks = Webhooks(service, "https://school.example/hook", WEBHOOK_SECRET, post=receiver)
    assert hooks.deliver(REGISTERING) == 2
    assert len(receiver.calls) == 2
    for body, headers in receiver.calls:
        assert verify_signature(WEBHOOK_SECRET, headers, body, REGISTERING)
        notice = json.loads(body)
        assert notice["type"] == "Notice"
        assert headers[NOTICE_HEADER] == notice["notice_id"]
        assert notice["student"] in students[:2]
    assert service.outbox(Actor.system()) == []
    assert hooks.deliver(REGISTERING + timedelta(minutes=1)) == 0
    assert len(receiver.calls) == 2  # delivered exactly once


def test_a_forged_or_stale_signature_does_not_verify(school: School) -> None:
    service, _students, _talk = school
    receiver = Receiver()
    Webhooks(service, "https://x", WEBHOOK_SECRET, post=receiver).deliver(REGISTERING)
    body, headers = receiver.calls[0]
    assert not verify_signature(WEBHOOK_SECRET, headers, body.replace(b"201", b"202"), REGISTERING)
    assert not verify_signature(b"other", headers, body, REGISTERING)
    late = REGISTERING + timedelta(minutes=6)
    assert not verify_signature(WEBHOOK_SECRET, headers, body, late)
    assert not verify_signature(WEBHOOK_SECRET, {}, body, REGISTERING)
    # the timestamp as it was signed, ASCII digits: not as int() would read it too
    stamp = headers[TIMESTAMP_HEADER]
    for written in (f" {stamp}", f"+{stamp}", f"{stamp}\n", stamp.translate(ARABIC_INDIC)):
        assert not verify_signature(
            WEBHOOK_SECRET, {**headers, TIMESTAMP_HEADER: written}, body, REGISTERING
        )
    assert headers[SIGNATURE_HEADER].startswith("sha256=")
    assert int(headers[TIMESTAMP_HEADER]) == int(REGISTERING.timestamp())


def test_a_failing_receiver_is_retried_with_back_off(school: School) -> None:
    service, _students, _talk = school
    receiver = Receiver(statuses=[500, 0])
    hooks = Webhooks(service, "https://x", WEBHOOK_SECRET, post=receiver, batch=1)
    t0 = REGISTERING
    assert hooks.deliver(t0) == 0  # 500
    notice = service.outbox(Actor.system())[0]
    assert hooks.waiting(notice.notice_id) == t0 + timedelta(seconds=5)
    assert hooks.deliver(t0 + timedelta(seconds=4)) == 0
    assert len(receiver.calls) == 1  # waiting out the back-off
    assert hooks.deliver(t0 + timedelta(seconds=5)) == 0  # unreachable (0)
    assert hooks.waiting(notice.notice_id) == t0 + timedelta(seconds=15)  # doubled
    assert hooks.deliver(t0 + timedelta(seconds=15)) == 1
    assert hooks.waiting(notice.notice_id) is None
    assert len(service.outbox(Actor.system())) == 1  # the other one, next turn
    assert hooks.deliver(t0 + timedelta(seconds=16)) == 1
    assert service.outbox(Actor.system()) == []


def test_the_worker_posts_over_real_http(school: School) -> None:
    """End to end: httpx to a receiving server, which checks the signature itself."""
    service, _students, _talk = school
    received: list[bool] = []

    async def hook(request: Request) -> Response:
        body = await request.body()
        received.append(verify_signature(WEBHOOK_SECRET, request.headers, body, REGISTERING))
        return Response(status_code=204)

    with live_server(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        hooks = Webhooks(service, f"{url}/hook", WEBHOOK_SECRET, post=http_post(5.0))
        worker = Worker(service, lambda: REGISTERING, webhooks=hooks)
        worker.turn()
    assert received == [True, True]
    assert service.outbox(Actor.system()) == []


def test_a_student_streams_their_own_notices(school: School) -> None:
    service, students, talk = school
    settings = HttpSettings(worker=False, clock=lambda: REGISTERING, sse_poll_seconds=0.2)
    me = students[0]
    with live_server(create_app(service, settings)) as url:
        stream_url = f"{url}/api/students/{me}/notices/stream"
        other = httpx.get(stream_url, headers=bearer(Actor.student(students[1])))
        assert other.status_code == 403
        events = []
        with httpx.stream(
            "GET", stream_url, headers=bearer(Actor.student(me)), timeout=10
        ) as reply:
            assert reply.headers["content-type"].startswith("text/event-stream")
            for line in reply.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
                    if len(events) == 1:  # a new notice while the stream is open
                        again = ChangeActivityDetails(talk, locations=("第三教学楼301室",))
                        service.execute(again, LEADER, REGISTERING)
                    if len(events) == 2:
                        break
    assert [e["student"] for e in events] == [me, me]
    assert "第三教学楼301室" in events[1]["text"]
    assert len(service.outbox(Actor.system(), me)) == 2  # streaming does not mark delivered


def _first_events(url: str, me: str, count: int, last_event_id: str | None) -> list[str]:
    """The ids of the first ``count`` events of a (re)connected stream."""
    headers = bearer(Actor.student(me))
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    ids: list[str] = []
    with httpx.stream("GET", url, headers=headers, timeout=10) as reply:
        for line in reply.iter_lines():
            if line.startswith("id: "):
                ids.append(line.removeprefix("id: "))
            if line == ": waiting" or len(ids) == count:
                break  # the first poll's notices are all out
    return ids


def test_a_reconnecting_stream_resends_only_the_notices_after_its_last_event_id(
    school: School,
) -> None:
    """Given two pending notices of a student (the place changed twice, 第十四条): a reconnect
    with ``Last-Event-ID`` of the first gets only the second; with the second's, none; with an
    id no longer pending or unknown, both (a repeat is dropped by id, a loss is not)."""
    service, students, talk = school
    me = students[0]
    again = ChangeActivityDetails(talk, locations=("第三教学楼301室",))
    service.execute(again, LEADER, REGISTERING + timedelta(minutes=1))
    first, second = (str(n.notice_id) for n in service.outbox(Actor.system(), me))
    settings = HttpSettings(worker=False, clock=lambda: REGISTERING, sse_poll_seconds=0.2)
    with live_server(create_app(service, settings)) as url:
        stream_url = f"{url}/api/students/{me}/notices/stream"
        assert _first_events(stream_url, me, 2, None) == [first, second]
        assert _first_events(stream_url, me, 2, first) == [second]
        assert _first_events(stream_url, me, 2, second) == []
        for unplaced in ("00000000-0000-0000-0000-000000000000", "garbage", ""):
            assert _first_events(stream_url, me, 2, unplaced) == [first, second]
