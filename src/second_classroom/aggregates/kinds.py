"""Every kind of stream, one declaration each (the aggregate's ``DECIDER``).

The codec registers their events and states from here, and the application checks every load
against the kind it asked for, builds its snapshot types and reads ``short`` kinds in one
query. A new aggregate is added here and nowhere else in persistence.
"""

from __future__ import annotations

from typing import Any

from second_classroom.aggregates import (
    activity,
    cadre,
    claim,
    enrolment,
    growth_share,
    mailbox,
    practice,
    report_submission,
    school_keys,
    student,
    transcript,
    tribe,
)
from second_classroom.core.decider import FunctionalDecider

KINDS: tuple[FunctionalDecider[Any, Any, Any, Any], ...] = (
    tribe.DECIDER,
    student.DECIDER,
    activity.DECIDER,
    enrolment.DECIDER,
    mailbox.DECIDER,
    transcript.DECIDER,
    school_keys.DECIDER,
    cadre.DECIDER,
    claim.DECIDER,
    growth_share.DECIDER,
    practice.DECIDER,
    report_submission.DECIDER,
)

__all__ = ["KINDS"]
