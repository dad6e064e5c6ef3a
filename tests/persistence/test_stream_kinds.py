"""A stream holds one kind of aggregate (DESIGN §8, issue 11 §2): every load checks the kind it
asked for, from the store, a snapshot, the state cache, a pending or a staged state, on POPO,
SQLite and PostgreSQL. A stream of another kind reads as absent: a command or a query naming it
gets what an unknown id gets (no oracle of which ids exist in other kinds), and nothing is ever
appended to it (``store.wrong_stream_kind``, for a log written before ids were derived)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from second_classroom import codec
from second_classroom.aggregates import mailbox, student, tribe
from second_classroom.aggregates.activity import ActivityDrafted, SubmitActivity
from second_classroom.aggregates.kinds import KINDS
from second_classroom.aggregates.mailbox import MarkNoticeDelivered
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, CreateTribe, TribeRole
from second_classroom.answers import Outcome
from second_classroom.codec import registry
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.persistence.application import DECIDER_OF_EVENT, SecondClassroomApplication
from second_classroom.persistence.changes import Change, Loaded
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.checkin_world import STARTED
from tests.enrolment_world import REGISTERING, UNION
from tests.example_counts import examples
from tests.persistence.change_fixtures import drafted_on
from tests.read_world import ACTORS, World
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET
from tests.valid_commands import COMMANDS as ALL_COMMANDS
from tests.valid_commands import instances

WRONG_KIND = "store.wrong_stream_kind"
AnyDecider = FunctionalDecider[Any, Any, Any, Any]
OTHER_KINDS = [k for k in KINDS if k is not tribe.DECIDER]

OPERATOR = Actor.school_admin("T-001")  # reads take the actor; the operator reads all


def refused(code: str, call: Any, *args: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    assert caught.value.code == code, caught.value
    return caught.value


# -- the declaration --------------------------------------------------------------------------


def test_each_event_type_belongs_to_exactly_one_kind() -> None:
    """Given every kind's declared events, then they are disjoint and cover every event the
    codec knows: the first event of a stream tells its kind."""
    declared = [cls for kind in KINDS for cls in kind.events]
    assert len(declared) == len(set(declared))
    assert sorted(cls.__name__ for cls in declared) == registry.names("event")
    assert sorted(kind.state.__name__ for kind in KINDS) == registry.names("state")
    assert len({kind.name for kind in KINDS}) == len(KINDS)


def test_a_fold_refuses_an_event_of_another_kind() -> None:
    """Given an activity's first event, when a student record folds it, then it is refused
    with the code instead of failing inside evolve."""
    event = ActivityDrafted(ids.student_id("2025000001"), UNION.tribe_id, FORM, "x", NOW)
    refused(WRONG_KIND, student.DECIDER.fold, [event])


# -- every load path, on every store -----------------------------------------------------------


def read_as_absent(app: SecondClassroomApplication, kind: AnyDecider, stream: UUID) -> None:
    """``stream`` loads as ``kind`` with no state, marked foreign, and a change decided on
    that load is refused with the code (nothing appended to another kind's stream)."""
    loaded = app.load(kind, stream)
    assert loaded == Loaded(stream, 0, None, foreign=True)
    change = Change(kind, loaded, ["an event"], None)
    error = refused(WRONG_KIND, app.stage, [change], NOW)
    assert error.details == {"stream": str(stream), "kind": kind.name}


@pytest.mark.parametrize("kind", OTHER_KINDS, ids=lambda k: k.name)
def test_a_stream_written_as_one_kind_reads_as_absent_as_another(
    store_env: dict[str, str], kind: AnyDecider
) -> None:
    """Given a tribe's stream, when it is loaded as any other kind — from the state cache, or
    from the store (long streams through the repository, short ones in one query) — then
    it reads as absent and foreign, a change to it is refused with the code, and a query
    for that kind finds nothing."""
    with SecondClassroom.open(store_env, secret=TEST_SECRET) as service:
        service.execute(UNION, PE_ADMIN, NOW)
        app, stream = service.app, UNION.tribe_id
        app.load(tribe.DECIDER, stream)  # cached as a tribe
        read_as_absent(app, kind, stream)
        app.forget_states()
        read_as_absent(app, kind, stream)
        assert app.find(kind, stream) is None
        assert app.find(tribe.DECIDER, stream) is not None
        assert not app.load(tribe.DECIDER, stream).foreign
        assert service.activity(stream, OPERATOR) is None
        assert len(service.history(stream, OPERATOR)) == 1


def test_a_snapshot_of_another_kind_reads_as_absent(store_env: dict[str, str]) -> None:
    """Given a tribe stream long enough to be snapshotted, when it is read from the store as a
    student record (the snapshot comes first), then it reads as absent and foreign."""
    with SecondClassroom.open({**store_env, "SNAPSHOT_INTERVAL": "2"}) as service:
        service.execute(UNION, PE_ADMIN, NOW)
        service.execute(CertifyTribe(UNION.tribe_id), SCHOOL_ADMIN, NOW)
        assert service.app.snapshots is not None
        assert [s.originator_version for s in service.app.snapshots.get(UNION.tribe_id)] == [2]
        service.app.forget_states()
        read_as_absent(service.app, student.DECIDER, UNION.tribe_id)
        assert service.app.load(tribe.DECIDER, UNION.tribe_id).version == 2


def test_pending_and_staged_states_are_checked_too(store_env: dict[str, str]) -> None:
    """Given a tribe decided but not yet stored (the next decision sees it), and one staged in
    a batch, when either is loaded as an activity, then it reads as absent and foreign — and
    that answer on the pending state depends on it being stored."""
    with SecondClassroomApplication(store_env) as app:
        first = drafted_on(ids.tribe_id("PENDING"))
        staged = app.stage([first], NOW)
        with app.deciding() as depends:
            assert app.load(tribe.DECIDER, first.loaded.id).foreign
            assert depends == {staged.ticket}
        staged.wait()
        read_as_absent(app, tribe.DECIDER, first.loaded.id)
        with app.unit_of_work():
            second = drafted_on(ids.student_id("2025000002"))
            app.append([second], NOW)
            loaded = app.load(student.DECIDER, second.loaded.id)
            assert loaded == Loaded(second.loaded.id, 0, None, foreign=True)
            assert app.find(student.DECIDER, second.loaded.id) is None


# -- a stream poisoned before this fix -----------------------------------------------------------

POISONED: list[tuple[str, UUID, object, Actor]] = [
    (
        "student",
        ids.student_id("2025000001"),
        RegisterStudent("2025000001", "王芳", "PE", "石工25-1班", 2025),
        PE_ADMIN,
    ),
    (
        "tribe",
        ids.tribe_id("CS-SU"),
        CreateTribe("CS-SU", "计算机学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "CS"),
        SCHOOL_ADMIN,
    ),
    (
        "mailbox",
        mailbox.mailbox_id("2025000001"),
        MarkNoticeDelivered("2025000001", UUID(int=7)),
        Actor.system(),
    ),
]


@pytest.mark.parametrize(
    ("kind", "stream", "command", "actor"), POISONED, ids=[p[0] for p in POISONED]
)
def test_the_real_command_on_a_poisoned_stream_is_refused_with_a_code(
    store_env: dict[str, str], kind: str, stream: UUID, command: object, actor: Actor
) -> None:
    """Given a log where an activity was drafted on a derived id (possible before the activity
    id was derived), when the real command for that id runs, then it is refused with
    ``store.wrong_stream_kind`` — not an AttributeError or AssertionError — nothing is
    stored, and queries find no record of that kind."""
    with SecondClassroom.open(store_env, secret=TEST_SECRET) as service:
        service.app.append([drafted_on(stream)], NOW)
        error = refused(WRONG_KIND, service.execute, command, actor, NOW)
        assert error.details["kind"] == kind
        reply = service.execute_json(
            {"type": type(command).__name__, **_fields(command)}, actor, NOW
        )
        assert reply["code"] == WRONG_KIND
        assert len(service.history(stream, OPERATOR)) == 1
        assert service.student("2025000001", OPERATOR) is None
        assert service.tribe(ids.tribe_id("CS-SU"), OPERATOR) is None
        assert service.integrity("2025000001", OPERATOR) is None


def _fields(command: object) -> dict[str, Any]:
    from second_classroom.codec import converter

    data: dict[str, Any] = converter.unstructure(command)
    return data


def test_a_command_naming_a_stream_of_another_kind_is_answered_not_found(
    service: SecondClassroom,
) -> None:
    """Given a tribe and a student record, when commands name them by raw id as the wrong
    kind (an activity to submit, a tribe to appoint in), then each gets the answer an
    unknown id gets — ``activity.not_found``, ``tribe.not_found``, not a code that tells
    the id exists as something else — and nothing is stored."""
    service.execute(UNION, PE_ADMIN, NOW)
    service.execute(RegisterStudent("2025000001", "王芳", "PE", "石工25-1班", 2025), PE_ADMIN, NOW)
    record = ids.student_id("2025000001")
    leader = Actor.student("2023010101")
    error = refused(
        "activity.not_found", service.execute, SubmitActivity(UNION.tribe_id), leader, NOW
    )
    assert error.details == {"activity_id": str(UNION.tribe_id)}
    appoint = AppointTribeRole(record, "2023010101", TribeRole.LEADER)
    refused("tribe.not_found", service.execute, appoint, SCHOOL_ADMIN, NOW)
    assert len(service.history(record, OPERATOR)) == 1
    assert len(service.history(UNION.tribe_id, OPERATOR)) == 1


def test_every_command_is_declared_once_with_the_kinds_and_routed_by_the_facade() -> None:
    """One list of aggregates (issue 12 §5): the codec's commands are ``kinds.COMMANDS``,
    and the facade routes exactly those — a command added to a module and not to the
    kinds, or not routed, fails here."""
    from second_classroom.aggregates.kinds import COMMANDS
    from second_classroom.planning import ROUTES

    assert len(set(COMMANDS)) == len(COMMANDS)
    assert set(registry.names("command")) == {c.__name__ for c in COMMANDS}
    assert set(ROUTES) == set(COMMANDS)


# -- a foreign id is answered as an unknown id: no oracle across kinds ------------------------

# The kind of stream each raw-id field of a command names (None: an entry or a notice, which
# no stream is); the reads below likewise.
FIELD_KINDS: dict[str, str | None] = {
    "activity_id": "activity",
    "activity_ids": "activity",
    "tribe_id": "tribe",
    "host_tribe_id": "tribe",
    "claim_id": "claim",
    "claim_ids": "claim",
    "round_id": "cadre",
    "entry_id": None,
    "notice_id": None,
}
RAW_ID_COMMANDS = sorted(
    (cls for cls in ALL_COMMANDS if set(attrs.fields_dict(cls)) & set(FIELD_KINDS)),
    key=lambda cls: cls.__name__,
)
Probe = Callable[[SecondClassroom, UUID, Actor], object]
READS: list[tuple[str, str, Probe]] = [
    ("activity", "activity", lambda s, i, a: s.activity(i, a)),
    ("phase", "activity", lambda s, i, a: s.phase(i, a, at(12, 6))),
    ("draw_record", "activity", lambda s, i, a: s.draw_record(i, a)),
    ("roster", "activity", lambda s, i, a: s.roster(i, a)),
    ("check_in_code", "activity", lambda s, i, a: s.check_in_code(i, 1, a, STARTED)),
    ("enrolment", "activity", lambda s, i, a: s.enrolment(i, "2024000000", a)),
    ("tribe", "tribe", lambda s, i, a: s.tribe(i, a)),
    ("cadre_round", "tribe", lambda s, i, a: s.cadre_round(i, "2026-2027学年", a)),
    ("claim", "claim", lambda s, i, a: s.claim(i, a)),
    ("practice", "practice", lambda s, i, a: s.practice(i, a)),
]


def streams_by_kind(service: SecondClassroom) -> dict[str, list[UUID]]:
    """Every stream of the log, by the kind its first event tells."""
    found: dict[str, list[UUID]] = {}
    for _position, envelope in service.app.notifications(0, limit=1_000_000):
        if envelope.originator_version == 1:
            kind = DECIDER_OF_EVENT[type(envelope.payload)].name
            found.setdefault(kind, []).append(envelope.originator_id)
    return found


def answer(run: Callable[[], object], stream: UUID) -> object:
    """What a caller learns: the result or the refusal (code, both messages, details), with
    the id it named written as ``<id>``."""
    try:
        result: object = run()
    except DomainError as error:
        result = codec.error_to_json(error)
    if isinstance(result, Outcome):
        result = [type(e.payload).__name__ for e in result.events]
    return repr(result).replace(str(stream), "<id>").replace(repr(stream), "<id>")


def with_id(command: Any, stream: UUID) -> Any:
    """``command`` with every raw-id field naming ``stream``."""
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(command)):
        if field.name not in FIELD_KINDS:
            continue
        value = getattr(command, field.name)
        changes[field.alias] = (stream,) if isinstance(value, tuple) else stream
    return attrs.evolve(command, **changes)


@pytest.fixture
def world(store_env: dict[str, str]) -> Iterator[World]:
    """The read-authorization world (a finished activity, a transcript, a certificate, two
    colleges' tribes) on each store."""
    with SecondClassroom.open(store_env, secret=TEST_SECRET) as service:
        yield World(service)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_an_id_of_another_kind_is_answered_as_an_unknown_id(world: World, data: Any) -> None:
    """Given a school with streams of many kinds, when any actor names the id of any stream
    in a raw-id field of any command or in any read of another kind, then the answer (code,
    messages, details, or the result) is the one an unknown id gets, and the stream gets
    nothing — the object is only seen by whoever names it as what it is."""
    service = world.service
    by_kind = streams_by_kind(service)
    kind = data.draw(st.sampled_from(sorted(by_kind)), label="kind")
    stream = data.draw(st.sampled_from(by_kind[kind]), label="stream")
    unknown = data.draw(st.uuids(), label="unknown")
    actor = data.draw(st.sampled_from(sorted(ACTORS)), label="actor")
    who = ACTORS[actor](world)
    before = len(service.history(stream, OPERATOR))
    if data.draw(st.booleans(), label="a command"):
        cls = data.draw(st.sampled_from(RAW_ID_COMMANDS), label="command")
        command = data.draw(instances(cls), label="fields")
        named = {FIELD_KINDS[f.name] for f in attrs.fields(cls) if f.name in FIELD_KINDS}
        assume(kind not in named)  # named as what it is: the object itself
        now = data.draw(st.sampled_from([NOW, REGISTERING, STARTED]), label="now")
        as_unknown = answer(lambda: service.execute(with_id(command, unknown), who, now), unknown)
        as_foreign = answer(lambda: service.execute(with_id(command, stream), who, now), stream)
    else:
        _name, expected, read = data.draw(st.sampled_from(READS), label="read")
        assume(kind != expected)
        as_unknown = answer(lambda: read(service, unknown, who), unknown)
        as_foreign = answer(lambda: read(service, stream, who), stream)
    assert as_foreign == as_unknown
    assert "wrong_stream_kind" not in str(as_foreign)
    assert len(service.history(stream, OPERATOR)) == before
