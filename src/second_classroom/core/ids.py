"""Deterministic ids: the same natural key always names the same stream.

Every stream id is ``derive(kind, *natural key)``, the kind first: ids of two kinds never share
a name, and no id is taken from a caller as is (an activity's comes from its host tribe and a
key), so a caller cannot aim a command of one kind at another kind's stream. Loads check the
kind too: another kind's stream reads as absent, and is never appended to.
"""

from __future__ import annotations

import functools
from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c3d4e-2b7a-5c8d-9e0f-1a2b3c4d5e6f")


@functools.lru_cache(maxsize=65536)  # pure, and asked for the same ids on every command
def derive(kind: str, *parts: str) -> UUID:
    """The id named ``kind/part/...`` (``kind`` holds no ``/``)."""
    return uuid5(NAMESPACE, "/".join((kind, *parts)))


def tribe_id(code: str) -> UUID:
    """A tribe's id from its school-unique code (e.g. ``"SU-PE"``)."""
    return derive("tribe", code)


def student_id(student_number: str) -> UUID:
    """A student record's id from the 学号."""
    return derive("student", student_number)


def activity_id(tribe: UUID, key: str) -> UUID:
    """An activity's id from its host tribe and a key unique within that tribe."""
    return derive("activity", str(tribe), key)


def enrolment_id(activity: UUID, student: UUID) -> UUID:
    """The one enrolment stream of a student in an activity."""
    return derive("enrolment", str(activity), str(student))


def school_keys_id() -> UUID:
    """The one stream of the school's keys: the secret's fingerprint, the signing keys."""
    return derive("school-keys")


def cadre_round_id(tribe: UUID, term: str) -> UUID:
    """An organization's cadre round (干部考核) for one term, e.g. ``"2026-2027学年"``."""
    return derive("cadre", str(tribe), term)


def practice_id(recorder: str, key: str) -> UUID:
    """A practice team (实践团队, 002 一 4)) by its recorder (a college code or a tribe id) and
    a key unique within that recorder."""
    return derive("practice", recorder, key)


def report_submission_id(college: str, month: str) -> UUID:
    """A college's monthly report (学院月报, 002 一 5)) for ``month`` ("2026-12")."""
    return derive("report", college, month)
