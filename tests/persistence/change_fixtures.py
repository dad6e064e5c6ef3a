"""Changes built by hand, for the store's tests: what no decider writes any more."""

from __future__ import annotations

from uuid import UUID

from second_classroom.aggregates import activity
from second_classroom.aggregates.activity import ActivityDrafted
from second_classroom.persistence.changes import Change, Loaded
from tests.aggregates.activity_fixtures import FORM
from tests.enrolment_world import UNION
from tests.specification import NOW


def drafted_on(stream: UUID) -> Change:
    """An activity drafted on ``stream``: what ``DraftActivity`` could do before the ids were
    derived, when the caller chose the activity id."""
    event = ActivityDrafted(stream, UNION.tribe_id, FORM, "2023010101", NOW)
    return Change(
        activity.DECIDER, Loaded(stream, 0, None), [event], activity.DECIDER.fold([event])
    )
