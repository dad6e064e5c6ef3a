"""成长档案的分享 specification (seed 004 三（二）: "构建学生成长档案…为家长及社会动态了解学生的
成长过程提供支撑"): the student shares their timeline read-only with a person they choose, until
a date, may revoke it, and every view by that person is recorded for the student."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from second_classroom.aggregates.growth_share import (
    DECIDER,
    LONGEST_GRANT,
    GrantGrowthAccess,
    GrowthAccessGranted,
    GrowthAccessRevoked,
    GrowthGrant,
    GrowthTimelineViewed,
    GrowthView,
    RevokeGrowthAccess,
    ViewGrowthTimeline,
    growth_share_id,
    target,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, context, given, present

NUMBER = "2023010101"
ME = Actor.student(NUMBER)
PARENT = Actor("P-parent")  # authenticated by the platform; no role at the school
TUTOR = Actor("P-tutor")
UNTIL = NOW + timedelta(days=30)
GRANTED = GrowthAccessGranted(NUMBER, PARENT.person_id, UNTIL, NUMBER, NOW)
LATER = NOW + timedelta(days=1)


def test_the_student_shares_their_timeline_with_a_person_they_choose() -> None:
    """004 三（二）: the parent may read the 成长档案 until the date the student set."""
    state = (
        given(DECIDER)
        .when(GrantGrowthAccess(NUMBER, PARENT.person_id, UNTIL), context(ME))
        .then(GRANTED)
    )
    assert state.may_view(PARENT.person_id, LATER)
    assert not state.may_view(PARENT.person_id, UNTIL)  # the window ends at expires_at
    assert not state.may_view(TUTOR.person_id, LATER)


@pytest.mark.parametrize("other", [PE_ADMIN, SCHOOL_ADMIN, Actor.student("2023010102"), PARENT])
def test_only_the_student_shares_or_revokes(other: Actor) -> None:
    """004 三（二）: the choice of whom to show is the student's, not their college's."""
    given(DECIDER).when(GrantGrowthAccess(NUMBER, TUTOR.person_id, UNTIL), context(other)).raises(
        "auth.forbidden"
    )
    given(DECIDER, GRANTED).when(
        RevokeGrowthAccess(NUMBER, PARENT.person_id), context(other)
    ).raises("auth.forbidden")


def test_a_staff_id_equal_to_the_student_number_does_not_share() -> None:
    staff = Actor(NUMBER, frozenset(PE_ADMIN.roles))
    given(DECIDER).when(GrantGrowthAccess(NUMBER, TUTOR.person_id, UNTIL), context(staff)).raises(
        "auth.forbidden"
    )


@pytest.mark.parametrize(
    "expires", [NOW, NOW - timedelta(days=1), NOW + timedelta(days=367)], ids=str
)
def test_a_share_expires_after_now_and_within_a_year(expires: object) -> None:
    given(DECIDER).when(
        GrantGrowthAccess(NUMBER, PARENT.person_id, expires),  # type: ignore[arg-type]
        context(ME),
    ).raises("growth.expiry_invalid")


def test_nobody_shares_with_themselves() -> None:
    given(DECIDER).when(GrantGrowthAccess(NUMBER, NUMBER, UNTIL), context(ME)).raises(
        "growth.grantee_self"
    )


def test_the_student_revokes_a_share_and_the_grantee_reads_no_more() -> None:
    """004 三（二）: sharing is the student's to end before it expires."""
    state = (
        given(DECIDER, GRANTED)
        .when(RevokeGrowthAccess(NUMBER, PARENT.person_id), context(ME, LATER))
        .then(GrowthAccessRevoked(NUMBER, PARENT.person_id, NUMBER, LATER))
    )
    assert not state.may_view(PARENT.person_id, LATER)
    given(DECIDER, GRANTED, GrowthAccessRevoked(NUMBER, PARENT.person_id, NUMBER, LATER)).when(
        ViewGrowthTimeline(NUMBER), context(PARENT, LATER)
    ).raises("auth.forbidden")


@pytest.mark.parametrize("when", [UNTIL, UNTIL + timedelta(days=1)], ids=["at-expiry", "after"])
def test_a_revoke_needs_a_current_share(when: object) -> None:
    given(DECIDER, GRANTED).when(
        RevokeGrowthAccess(NUMBER, PARENT.person_id),
        context(ME, when),  # type: ignore[arg-type]
    ).raises("growth.not_granted")
    given(DECIDER).when(RevokeGrowthAccess(NUMBER, TUTOR.person_id), context(ME)).raises(
        "growth.not_granted"
    )


def test_a_grantee_s_view_is_recorded_for_the_student() -> None:
    """004 三（二）: the student sees who looked at their 成长档案, and when."""
    asked = NOW + timedelta(days=10)  # the future reads as of the moment of the view
    state = (
        given(DECIDER, GRANTED)
        .when(ViewGrowthTimeline(NUMBER, asked), context(PARENT, LATER))
        .then(GrowthTimelineViewed(NUMBER, PARENT.person_id, LATER, LATER))
    )
    assert state.views == (GrowthView(PARENT.person_id, LATER, LATER),)


@pytest.mark.parametrize("viewer", [TUTOR, ME, PE_ADMIN], ids=["stranger", "student", "admin"])
def test_a_view_by_anyone_without_a_share_is_refused(viewer: Actor) -> None:
    given(DECIDER, GRANTED).when(ViewGrowthTimeline(NUMBER), context(viewer, LATER)).raises(
        "auth.forbidden"
    )


def test_a_view_after_expiry_is_refused() -> None:
    given(DECIDER, GRANTED).when(ViewGrowthTimeline(NUMBER), context(PARENT, UNTIL)).raises(
        "auth.forbidden"
    )


def test_a_new_share_with_the_same_person_replaces_the_old_one() -> None:
    """Renewing after a revocation opens the window again."""
    revoked = GrowthAccessRevoked(NUMBER, PARENT.person_id, NUMBER, LATER)
    renewed = GrowthAccessGranted(NUMBER, PARENT.person_id, UNTIL, NUMBER, LATER)
    state = DECIDER.fold([GRANTED, revoked, renewed])
    assert state is not None
    assert len(state.grants) == 1
    assert state.may_view(PARENT.person_id, LATER)


def test_a_students_shares_live_in_one_stream_of_their_own() -> None:
    assert growth_share_id(NUMBER) == ids.derive("growth-share", NUMBER)
    assert target(RevokeGrowthAccess(NUMBER, PARENT.person_id)) == growth_share_id(NUMBER)
    assert present(DECIDER.fold([GRANTED])).student == NUMBER


def test_a_refusal_says_what_was_refused() -> None:
    """004 三（二）: sharing is the student's; viewing needs a current share."""
    share = given(DECIDER).when(GrantGrowthAccess(NUMBER, TUTOR.person_id, UNTIL), context(PARENT))
    assert share.raises("auth.forbidden").details == {
        "action": "分享成长档案 share growth timeline"
    }
    view = given(DECIDER, GRANTED).when(ViewGrowthTimeline(NUMBER), context(TUTOR))
    assert view.raises("auth.forbidden").details == {"action": "查看成长档案 read growth timeline"}
    revoke = given(DECIDER, GRANTED).when(RevokeGrowthAccess(NUMBER, TUTOR.person_id), context(ME))
    assert revoke.raises("growth.not_granted").details == {"grantee": TUTOR.person_id}
    too_late = NOW + LONGEST_GRANT + timedelta(seconds=1)
    late = given(DECIDER).when(GrantGrowthAccess(NUMBER, TUTOR.person_id, too_late), context(ME))
    assert late.raises("growth.expiry_invalid").details == {"expires_at": too_late.isoformat()}


def test_a_share_may_last_exactly_the_longest_grant() -> None:
    longest = NOW + LONGEST_GRANT
    given(DECIDER).when(GrantGrowthAccess(NUMBER, TUTOR.person_id, longest), context(ME)).then(
        GrowthAccessGranted(NUMBER, TUTOR.person_id, longest, NUMBER, NOW)
    )


@pytest.mark.parametrize(
    ("as_of", "read_as_of"),
    [(None, LATER), (LATER + timedelta(days=3), LATER), (NOW, NOW)],
    ids=["today", "the-future-reads-as-today", "a-past-day"],
)
def test_a_view_reads_as_of_a_past_day_or_today(
    as_of: datetime | None, read_as_of: datetime
) -> None:
    given(DECIDER, GRANTED).when(
        ViewGrowthTimeline(NUMBER, as_of),
        context(PARENT, LATER),
    ).then(GrowthTimelineViewed(NUMBER, PARENT.person_id, read_as_of, LATER))


def test_revoking_one_grantee_leaves_the_others() -> None:
    tutor = GrowthAccessGranted(NUMBER, TUTOR.person_id, UNTIL, NUMBER, NOW)
    revoked = GrowthAccessRevoked(NUMBER, PARENT.person_id, NUMBER, LATER)
    state = DECIDER.fold([GRANTED, tutor, revoked])
    assert state is not None
    assert state.grants == (
        GrowthGrant(PARENT.person_id, NOW, UNTIL, LATER),
        GrowthGrant(TUTOR.person_id, NOW, UNTIL),
    )
