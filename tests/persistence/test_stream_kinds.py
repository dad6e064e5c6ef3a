"""A stream holds one kind of aggregate (DESIGN §8, issue 11 §2): every load checks the kind it
asked for, from the store, a snapshot, the state cache, a pending or a staged state, on POPO,
SQLite and PostgreSQL. A command for a stream of another kind is refused with
``store.wrong_stream_kind``; a query for it finds nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from second_classroom.aggregates import activity, mailbox, student, tribe
from second_classroom.aggregates.activity import ActivityDrafted, SubmitActivity
from second_classroom.aggregates.kinds import KINDS
from second_classroom.aggregates.mailbox import MarkNoticeDelivered
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, CreateTribe, TribeRole
from second_classroom.codec import registry
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.changes import Change, Loaded
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.conftest import TEST_SECRET
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN

WRONG_KIND = "store.wrong_stream_kind"
UNION = CreateTribe(
    "PE-SU", "石油工程学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "PE"
)
AnyDecider = FunctionalDecider[Any, Any, Any, Any]
OTHER_KINDS = [k for k in KINDS if k is not tribe.DECIDER]

OPERATOR = Actor.school_admin("T-001")  # reads take the actor; the operator reads all


def refused(code: str, call: Any, *args: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    assert caught.value.code == code, caught.value
    return caught.value


def drafted_on(stream: UUID) -> Change:
    """An activity drafted on ``stream``: what ``DraftActivity`` could do before this fix,
    when the caller chose the activity id."""
    event = ActivityDrafted(stream, UNION.tribe_id, FORM, "2023010101", NOW)
    return Change(
        activity.DECIDER, Loaded(stream, 0, None), [event], activity.DECIDER.fold([event])
    )


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


@pytest.mark.parametrize("kind", OTHER_KINDS, ids=lambda k: k.name)
def test_a_stream_written_as_one_kind_is_refused_as_another(
    store_env: dict[str, str], kind: AnyDecider
) -> None:
    """Given a tribe's stream, when it is loaded as any other kind — from the state cache, or
    from the store (long streams through the repository, short ones in one query) — then
    the load is refused with the code, and a query for that kind finds nothing."""
    with SecondClassroom.open(store_env, secret=TEST_SECRET) as service:
        service.execute(UNION, PE_ADMIN, NOW)
        app, stream = service.app, UNION.tribe_id
        app.load(tribe.DECIDER, stream)  # cached as a tribe
        error = refused(WRONG_KIND, app.load, kind, stream)
        assert error.details == {"stream": str(stream), "kind": kind.name}
        app.forget_states()
        refused(WRONG_KIND, app.load, kind, stream)
        assert app.find(kind, stream) is None
        assert app.find(tribe.DECIDER, stream) is not None
        assert service.activity(stream, OPERATOR) is None
        assert len(service.history(stream, OPERATOR)) == 1


def test_a_snapshot_of_another_kind_is_refused(store_env: dict[str, str]) -> None:
    """Given a tribe stream long enough to be snapshotted, when it is read from the store as a
    student record (the snapshot comes first), then the load is refused with the code."""
    with SecondClassroom.open({**store_env, "SNAPSHOT_INTERVAL": "2"}) as service:
        service.execute(UNION, PE_ADMIN, NOW)
        service.execute(CertifyTribe(UNION.tribe_id), SCHOOL_ADMIN, NOW)
        assert service.app.snapshots is not None
        assert [s.originator_version for s in service.app.snapshots.get(UNION.tribe_id)] == [2]
        service.app.forget_states()
        refused(WRONG_KIND, service.app.load, student.DECIDER, UNION.tribe_id)
        assert service.app.load(tribe.DECIDER, UNION.tribe_id).version == 2


def test_pending_and_staged_states_are_checked_too(store_env: dict[str, str]) -> None:
    """Given a tribe decided but not yet stored (the next decision sees it), and one staged in
    a batch, when either is loaded as an activity, then the load is refused — and a refusal
    on the pending state depends on it being stored."""
    with SecondClassroomApplication(store_env) as app:
        first = drafted_on(ids.tribe_id("PENDING"))
        staged = app.stage([first], NOW)
        with app.deciding() as depends:
            refused(WRONG_KIND, app.load, tribe.DECIDER, first.loaded.id)
            assert depends == {staged.ticket}
        staged.wait()
        with app.unit_of_work():
            second = drafted_on(ids.student_id("2025000002"))
            app.append([second], NOW)
            refused(WRONG_KIND, app.load, student.DECIDER, second.loaded.id)
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


def test_a_command_naming_a_stream_of_another_kind_is_refused(service: SecondClassroom) -> None:
    """Given a tribe and a student record, when commands name them by raw id as the wrong
    kind (an activity to submit, a tribe to appoint in), then each is refused with the code
    and nothing is stored."""
    service.execute(UNION, PE_ADMIN, NOW)
    service.execute(RegisterStudent("2025000001", "王芳", "PE", "石工25-1班", 2025), PE_ADMIN, NOW)
    record = ids.student_id("2025000001")
    leader = Actor.student("2023010101")
    refused(WRONG_KIND, service.execute, SubmitActivity(UNION.tribe_id), leader, NOW)
    appoint = AppointTribeRole(record, "2023010101", TribeRole.LEADER)
    refused(WRONG_KIND, service.execute, appoint, SCHOOL_ADMIN, NOW)
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
