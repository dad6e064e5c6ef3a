"""The facade end to end: bad input gets a coded DomainError and stores nothing (acceptance),
and tribe roles come from the Tribe stream, never from the caller."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from second_classroom.aggregates.activity import DraftActivity, EditDraft, SubmitActivity
from second_classroom.aggregates.student import RecordPublisherExam, RegisterStudent
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, TribeRole
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod
from second_classroom.policies.activity_form import Admission
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.enrolment_world import UNION
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, at

ACTIVITY = ids.activity_id(UNION.tribe_id, "talk")
LEADER = Actor.student("2023010101")
MEMBER = Actor.student("2023010103")


@pytest.fixture
def world(service: SecondClassroom) -> SecondClassroom:
    """A certified tribe, its qualified leader, and a valid draft."""
    service.execute(UNION, PE_ADMIN, NOW)
    service.execute(CertifyTribe(UNION.tribe_id), SCHOOL_ADMIN, NOW)
    for number in ("2023010101", "2023010103"):
        service.execute(RegisterStudent(number, "学生", "PE", "石工23-1班", 2023), PE_ADMIN, NOW)
    service.execute(RecordPublisherExam("2023010101", 90), PE_ADMIN, NOW)
    service.execute(AppointTribeRole(UNION.tribe_id, "2023010101", TribeRole.LEADER), PE_ADMIN, NOW)
    service.execute(DraftActivity(UNION.tribe_id, "talk", FORM), LEADER, NOW)
    return service


@attrs.frozen
class Bad:
    """A refused command, after an optional accepted draft edit that sets the stage."""

    command: object
    code: str
    actor: Actor = LEADER
    edit: dict[str, Any] | None = None


def submit_after(code: str, **changes: Any) -> Bad:
    return Bad(SubmitActivity(ACTIVITY), code, edit=changes)


BAD_INPUT = {
    "empty title": submit_after("activity.title_empty", title=""),
    "capacity -1": Bad(
        EditDraft(ACTIVITY, attrs.evolve(FORM, capacity=-1)), "activity.capacity_invalid"
    ),
    "start inside the lead time": submit_after(
        "activity.lead_time",
        registration_opens=at(11, 23, 12),
        registration_closes=at(11, 24, 12),
        starts_at=at(11, 25, 14),
        ends_at=at(11, 25, 16),
    ),
    "10 organizers for 20 people": Bad(
        EditDraft(
            ACTIVITY, attrs.evolve(FORM, capacity=20, organizers=tuple(f"p{n}" for n in range(10)))
        ),
        "activity.organizer_count",
    ),
    "评审制 without criteria": Bad(
        EditDraft(ACTIVITY, attrs.evolve(FORM, admission=Admission(AdmissionMethod.REVIEW))),
        "activity.review_criteria_missing",
    ),
    "phone number in details": Bad(
        EditDraft(ACTIVITY, attrs.evolve(FORM, details=FORM.details + "报名咨询 138-1234-5678")),
        "activity.advertising",
    ),
    "unknown tribe": Bad(
        DraftActivity(ids.tribe_id("NOPE"), "x", FORM),
        "activity.tribe_unknown",
    ),
    "wrong role": Bad(SubmitActivity(ACTIVITY), "auth.forbidden", actor=MEMBER),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_with_a_code_and_stores_nothing(
    world: SecondClassroom, case: str
) -> None:
    bad = BAD_INPUT[case]
    if bad.edit is not None:
        world.execute(EditDraft(ACTIVITY, attrs.evolve(FORM, **bad.edit)), LEADER, NOW)
    before = world.app.recorder.max_notification_id()
    with pytest.raises(DomainError) as caught:
        world.execute(bad.command, bad.actor, NOW)
    assert caught.value.code == bad.code
    assert world.app.recorder.max_notification_id() == before


def test_a_caller_cannot_grant_itself_a_tribe_role(world: SecondClassroom) -> None:
    pretender = Actor(
        "2023010103", {Role.student(), Role.tribe(RoleKind.TRIBE_LEADER, UNION.tribe_id)}
    )
    with pytest.raises(DomainError) as caught:
        world.execute(SubmitActivity(ACTIVITY), pretender, NOW)
    assert caught.value.code == "auth.forbidden"


def test_a_naive_now_is_refused(world: SecondClassroom) -> None:
    with pytest.raises(DomainError) as caught:
        world.execute(SubmitActivity(ACTIVITY), LEADER, NOW.replace(tzinfo=None))
    assert caught.value.code == "time.naive"


def test_an_unknown_command_is_refused(world: SecondClassroom) -> None:
    with pytest.raises(DomainError) as caught:
        world.execute(object(), LEADER, NOW)
    assert caught.value.code == "command.unknown"


def test_a_number_held_by_another_college_is_refused_alike_in_a_batch_and_alone(
    service: SecondClassroom,
) -> None:
    """Given 张三 registered in PE, when CS's admin registers (alone, over JSON, or in an
    import batch) the same 学号 with any details, then each answer is
    ``student.number_unavailable`` naming nothing of the record, nothing is stored, and the
    new 学号 of the same batch is registered in CS (第六条: one 学号, one person)."""
    from tests.specification import CS_ADMIN

    service.execute(RegisterStudent("2023010101", "张三", "PE", "石工23-1班", 2023), PE_ADMIN, NOW)
    top = service.app.recorder.max_notification_id()
    taken = RegisterStudent("2023010101", "李四", "CS", "计科23-1班", 2024)
    with pytest.raises(DomainError) as caught:
        service.execute(taken, CS_ADMIN, NOW)
    assert caught.value.code == "student.number_unavailable"
    message: dict[str, Any] = {"type": "RegisterStudent", "student_number": "2023010101"}
    message |= {"name": "张三"}
    message |= {"college": "CS", "class_name": "石工23-1班", "cohort": 2023}
    reply = service.execute_json(message, CS_ADMIN, NOW)
    assert reply["code"] == "student.number_unavailable"
    assert reply["details"] == {"student_number": "2023010101"}
    assert "PE" not in str(reply)
    assert "石油" not in str(reply)
    assert service.app.recorder.max_notification_id() == top
    with service.batch():
        fresh = service.execute(
            RegisterStudent("2024020101", "王五", "CS", "计科24-1班", 2024), CS_ADMIN, NOW
        )
        with pytest.raises(DomainError) as again:
            service.execute(taken, CS_ADMIN, NOW)
    assert again.value.code == "student.number_unavailable"
    assert [type(e.payload).__name__ for e in fresh.events] == ["StudentRegistered"]
    record = service.student("2023010101", SCHOOL_ADMIN)
    assert record is not None
    assert (record.name, record.college) == ("张三", "PE")
    assert service.student("2024020101", SCHOOL_ADMIN) is not None


def _losing_appends(
    service: SecondClassroom, monkeypatch: pytest.MonkeyPatch, losses: int
) -> list[int]:
    """The store refuses the next ``losses`` appends as if another process had written the
    same versions first (eventsourcing's ``IntegrityError``); the back-off does not sleep."""
    from eventsourcing.persistence import IntegrityError

    import second_classroom.service as facade

    insert = service.app.recorder.insert_events
    lost: list[int] = []

    def contended(stored: Any, **kwargs: Any) -> Any:
        if len(lost) < losses:
            lost.append(len(stored))
            raise IntegrityError("another process wrote this version first")
        return insert(stored, **kwargs)

    monkeypatch.setattr(service.app.recorder, "insert_events", contended)
    monkeypatch.setattr(facade, "back_off", lambda attempt: None)
    return lost


def test_a_command_outlasts_twenty_lost_appends_in_a_row(
    world: SecondClassroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given another process that wins the next twenty appends (the rush of two processes
    on one activity, where one of them can lose again and again); when the leader submits
    the draft; then it is decided again each time and stored on the twenty-first attempt."""
    lost = _losing_appends(world, monkeypatch, losses=20)
    outcome = world.execute(SubmitActivity(ACTIVITY), LEADER, NOW)
    assert len(lost) == 20
    assert outcome.events


def test_a_command_that_always_loses_gives_up_with_store_conflict_and_stores_nothing(
    world: SecondClassroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a store where every append loses; when the leader submits the draft; then
    ``store.conflict`` names the attempts (``max_attempts``) and the draft is unchanged."""
    before = world.app.recorder.max_notification_id()
    lost = _losing_appends(world, monkeypatch, losses=1_000)
    with pytest.raises(DomainError) as refused:
        world.execute(SubmitActivity(ACTIVITY), LEADER, NOW)
    assert refused.value.code == "store.conflict"
    assert len(lost) == world.max_attempts == 24
    assert world.app.recorder.max_notification_id() == before
