"""The verifiable lottery (中签制, 第十二条): commit to a secret seed, reveal it at the draw.

Format, so anyone can re-run a draw:

- the seed is 64 lowercase hex characters (32 bytes); the commitment is
  ``sha256(seed as ASCII).hexdigest()``, recorded when the activity is approved;
- each registrant's ticket is ``sha256(f"{seed}:{student_number}")`` as hex;
- the winners are the ``capacity`` registrants with the smallest tickets (ties, which need a
  SHA-256 collision, fall back to the student number); all win when there are no more
  registrants than seats.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def derive_seed(secret: bytes, activity_id: str) -> str:
    """The activity's secret seed: HMAC-SHA256 of its id under the school's secret."""
    return hmac.new(secret, activity_id.encode(), hashlib.sha256).hexdigest()


def commitment(seed: str) -> str:
    """What is published before the draw: the SHA-256 of the seed."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def ticket(seed: str, student_number: str) -> str:
    return hashlib.sha256(f"{seed}:{student_number}".encode()).hexdigest()


def draw_winners(seed: str, registrants: Iterable[str], capacity: int) -> tuple[str, ...]:
    """The winners, sorted by student number."""
    ranked = sorted(set(registrants), key=lambda s: (ticket(seed, s), s))
    return tuple(sorted(ranked[: max(capacity, 0)]))


def verify_draw(
    published_commitment: str,
    seed: str,
    registrants: Iterable[str],
    capacity: int,
    winners: Iterable[str],
) -> bool:
    """Whether ``seed`` matches the commitment and the winners follow from it."""
    if not hmac.compare_digest(commitment(seed), published_commitment):
        return False
    return draw_winners(seed, registrants, capacity) == tuple(sorted(winners))
