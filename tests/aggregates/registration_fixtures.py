"""The approved CET talk of activity_fixtures as a registration test builds it: its calendar,
its lottery secret and commitment, the activity with a given admission and seat ledger, and a
command decided on it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from second_classroom.aggregates.activity import Activity, ActivityStatus
from second_classroom.aggregates.activity_roster import Roster
from second_classroom.aggregates.enrolment import Enrolment
from second_classroom.aggregates.student import StudentRecord
from second_classroom.core.actor import Actor
from second_classroom.core.terms import AdmissionMethod
from second_classroom.policies import lottery
from second_classroom.policies.activity_form import Admission, Scope
from tests.aggregates.activity_fixtures import ACTIVITY_ID, FORM, TRIBE, record
from tests.specification import WhenActivity, at, given_activity, present

# -- the calendar of FORM: registration 11-30 08:00 .. 12-02 20:00, activity 12-03 14:00-16:00 --

BEFORE_OPENING = at(11, 30, 7, 59)
OPENS = present(FORM.registration_opens)
REGISTERING = at(12, 1, 10)
CLOSES = present(FORM.registration_closes)
CLOSED = at(12, 2, 21)  # 报名结束, before the activity starts
ONGOING = at(12, 3, 15)
ENDS = present(FORM.ends_at)
ENDED = at(12, 3, 17)

SECRET = bytes(range(32))
SEED = lottery.derive_seed(SECRET, str(ACTIVITY_ID))
COMMITMENT = lottery.commitment(SEED)


def activity(
    method: AdmissionMethod = AdmissionMethod.FIRST_COME,
    *,
    capacity: int = 2,
    waitlist: bool = False,
    scope: Scope | None = None,
    status: ActivityStatus = ActivityStatus.APPROVED,
    roster: Roster | None = None,
) -> Activity:
    """The approved CET talk with the given admission, capacity, scope and seat ledger."""
    form = attrs.evolve(
        FORM,
        capacity=capacity,
        admission=Admission(method, review_criteria="按报名理由择优录取", waitlist=waitlist),
        scope=scope or FORM.scope,
    )
    if roster is None:
        roster = Roster(commitment=COMMITMENT) if method is AdmissionMethod.LOTTERY else Roster()
    return Activity(ACTIVITY_ID, TRIBE.id, form, status=status, roster=roster)


def when(
    command: object,
    actor: Actor,
    now: datetime,
    state: Activity | None,
    *,
    records: Mapping[str, StudentRecord] | None = None,
    enrolments: Mapping[str, Enrolment] | None = None,
    secret: bytes | None = None,
) -> WhenActivity:
    """``command`` by ``actor`` at ``now`` on ``state``; by default the acting student has a PE
    record and nobody has an enrolment stream."""
    if records is None:
        records = {actor.person_id: record(actor.person_id)}
    return given_activity(
        state, tribe=TRIBE, records=records, enrolments=enrolments, secret=secret
    ).when(command, actor, now)
