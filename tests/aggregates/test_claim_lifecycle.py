"""The 补录 claim lifecycle under random commands: filings, revisions, reviews by any of the
reviewers (right or wrong role), objections and their decisions, and time passing across the
personal window (001 第五条: 2月至3月) and the 公示 (003).

After every step: credits are in a record only for confirmed claims, exactly theirs; a rejected
claim has its reason; no claim was filed or revised outside its window; a confirmed claim has
no open objection and was confirmed after its 公示 closed.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.aggregates.claim_lifecycle_machine import ClaimLifecycle

ClaimLifecycle.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestClaimLifecycle = ClaimLifecycle.TestCase
