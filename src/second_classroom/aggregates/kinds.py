"""Every kind of stream, one declaration each (the aggregate's ``DECIDER``).

The codec registers their events and states from here, and the application checks every load
against the kind it asked for, builds its snapshot types and reads ``short`` kinds in one
query. A new aggregate is added here and nowhere else in persistence.
"""

from __future__ import annotations

from typing import Any

from second_classroom.aggregates import (
    activity,
    activity_feedback,
    cadre,
    certificate,
    checkin,
    claim,
    enrolment,
    growth_share,
    mailbox,
    practice,
    registration,
    report_submission,
    results,
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
    certificate.DECIDER,
    practice.DECIDER,
    report_submission.DECIDER,
)

# Every command, once, in the codec's order (its names and JSON Schemas follow it). The
# Activity's streams answer five sets (the activity itself, and registration, check-in,
# results and feedback, which its combined decider ``activity_decider`` decides).
# The facade routes each (``planning.ROUTES``; tests/persistence/test_stream_kinds.py checks
# that it routes exactly these).
COMMANDS: tuple[type, ...] = (
    *tribe.COMMANDS,
    *student.COMMANDS,
    *activity.COMMANDS,
    *registration.COMMANDS,
    *mailbox.COMMANDS,
    *school_keys.COMMANDS,
    *checkin.COMMANDS,
    *results.COMMANDS,
    *transcript.COMMANDS,
    *activity_feedback.COMMANDS,
    *cadre.COMMANDS,
    *claim.COMMANDS,
    *claim.BATCH_COMMANDS,  # several claims in one save (planning.CLAIM_BATCH)
    *growth_share.COMMANDS,
    *certificate.COMMANDS,
    *practice.COMMANDS,
    *report_submission.COMMANDS,
)

__all__ = ["COMMANDS", "KINDS"]
