"""The activity form (第十条, 发布规范): its defaults and the free texts the content rules read."""

from __future__ import annotations

from decimal import Decimal

from second_classroom.core.terms import AdmissionMethod, ParticipationScope
from second_classroom.policies.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedAward,
    Scope,
)


def test_an_empty_form_is_a_school_wide_first_come_draft() -> None:
    """A draft may leave fields empty (发布规范: submission checks them all)."""
    form = ActivityForm()
    assert form.scope == Scope(ParticipationScope.SCHOOL, ())
    assert form.admission == Admission(AdmissionMethod.FIRST_COME, "", waitlist=False)
    assert form.plan == AwardPlan((), ())
    assert (form.level, form.capacity, form.starts_at, form.campus_wide_venue) == (
        None,
        None,
        None,
        False,
    )
    assert PlannedAward("一等奖", 1).credit == Decimal(0)


def test_every_free_text_is_named_by_its_field_and_position() -> None:
    """发布规范 (no ads, no contact details) reads every text a publisher writes."""
    form = ActivityForm(
        title="消防演练",
        intro="简介",
        participation_notes="须知",
        details="详情",
        admission=Admission(AdmissionMethod.REVIEW, "评审标准"),
        locations=("第一教学楼", "操场"),
        tags=("安全",),
        attachments=("附件甲", "附件乙"),
        plan=AwardPlan((PlannedAward("一等奖", 1), PlannedAward("二等奖", 2))),
    )
    assert form.texts() == {
        "title": "消防演练",
        "intro": "简介",
        "participation_notes": "须知",
        "details": "详情",
        "review_criteria": "评审标准",
        "locations[0]": "第一教学楼",
        "locations[1]": "操场",
        "tags[0]": "安全",
        "attachments[0]": "附件甲",
        "attachments[1]": "附件乙",
        "awards[0]": "一等奖",
        "awards[1]": "二等奖",
    }


def test_an_empty_form_has_only_its_five_fixed_texts() -> None:
    assert ActivityForm().texts() == {
        "title": "",
        "intro": "",
        "participation_notes": "",
        "details": "",
        "review_criteria": "",
    }
