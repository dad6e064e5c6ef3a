"""Many schools on one PostgreSQL database (issue 17 §4): each school's log, views, keys and
rulebook live in its own schema, and no read of one school reaches another's."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.persistence.stores import school_schema
from second_classroom.policies.rulebook import preset
from second_classroom.policies.signing import Keyring
from second_classroom.service import SecondClassroom
from tests.enrolment_world import REGISTERING, approved_activity, found_school

pytestmark = pytest.mark.postgres


@pytest.fixture
def schools(postgres_dsn: str) -> Iterator[list[str]]:
    """Two fresh school codes; their schemas are dropped afterwards."""
    import psycopg

    codes = [f"s{uuid.uuid4().hex[:10]}" for _ in range(2)]
    yield codes
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        for code in codes:
            conn.execute(f'DROP SCHEMA IF EXISTS "{code}" CASCADE')


def test_two_schools_in_one_database_never_see_each_others_streams_views_or_keys(
    postgres_dsn: str, schools: list[str]
) -> None:
    """Given two schools opened on one database, each with its own secret; when one founds
    students and an activity and a student registers; then the other school's log, state
    reads and views hold none of it, each school's schema holds its own tables, and each
    signs with its own secret (reopening with the other's is refused)."""
    first, second = schools
    secrets = {first: os.urandom(32), second: os.urandom(32)}
    with (
        SecondClassroom.postgres(postgres_dsn, school=first, secret=secrets[first]) as here,
        SecondClassroom.postgres(postgres_dsn, school=second, secret=secrets[second]) as there,
    ):
        [number] = found_school(here, 1)
        talk = approved_activity(here, "talk")
        here.execute(Register(talk), Actor.student(number), REGISTERING)
        written = here.app.recorder.max_notification_id() or 0
        assert written > 10
        office = Actor.school_admin("T-office")

        assert there.app.recorder.max_notification_id() in (None, 0)
        assert there.history(talk, office) == []
        assert there.activity(talk, office) is None
        assert there.student(number, office) is None
        there.views.catch_up()
        assert there.views.query("SELECT COUNT(*) FROM audit_log") == [(0,)]
        assert there.student_summary(number, office) is None
        here.views.catch_up()
        assert here.views.query("SELECT COUNT(*) FROM audit_log") == [(written,)]
        assert here.student_summary(number, office) is not None

        assert here.views.database.kind == "postgres"
        assert here.app.env["POSTGRES_SCHEMA"] == first
        assert there.app.env["POSTGRES_SCHEMA"] == second
        assert here.secret == secrets[first]
        assert there.secret == secrets[second]

    # The first school's keys were recorded with its log: the other's secret is refused.
    with SecondClassroom.postgres(postgres_dsn, school=first, secret=secrets[first]) as again:
        fingerprint = again.school_keys().fingerprint
    assert fingerprint is not None
    with pytest.raises(DomainError) as refused:
        SecondClassroom.postgres(postgres_dsn, school=first, secret=secrets[second])
    assert refused.value.code == "store.secret_mismatch"


def test_a_school_takes_its_own_secret_and_preset_and_never_the_shared_secret(
    postgres_dsn: str, schools: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the shared ``SECOND_CLASSROOM_SECRET`` and ``SECOND_CLASSROOM_SIGNING_KEY`` and
    one school's own ``SECOND_CLASSROOM_SECRET_<SCHOOL>``; when both schools open without a
    secret; then the first uses its own secret and the signing key derived from it, and the
    second, having none, is refused with
    ``store.secret_invalid`` instead of being given the shared one."""
    first, second = schools
    own = os.urandom(32)
    monkeypatch.setenv("SECOND_CLASSROOM_SECRET", os.urandom(32).hex())
    monkeypatch.setenv(f"SECOND_CLASSROOM_SECRET_{first.upper()}", own.hex())
    monkeypatch.setenv("SECOND_CLASSROOM_SIGNING_KEY", "shared-key:" + "ab" * 32)
    with SecondClassroom.postgres(postgres_dsn, school=first) as opened:
        assert opened.secret == own
        assert opened.keyring == Keyring.from_secret(own)  # not the shared signing key
        assert opened.rulebook == preset("nepu")  # not a preset's code: the default
    with pytest.raises(DomainError) as refused:
        SecondClassroom.postgres(postgres_dsn, school=second)
    assert refused.value.code == "store.secret_invalid"


def test_a_school_named_after_a_preset_gets_that_preset(postgres_dsn: str) -> None:
    """Given the packaged preset ``hfut`` (合肥工业大学); when the school ``hfut`` opens on a
    shared database without a rulebook; then it runs under its own preset, not NEPU's."""
    import psycopg

    try:
        with SecondClassroom.postgres(postgres_dsn, school="hfut", secret=os.urandom(32)) as hfut:
            assert hfut.rulebook == preset("hfut")
            assert hfut.rulebook != preset("nepu")
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            conn.execute('DROP SCHEMA IF EXISTS "hfut" CASCADE')


@pytest.mark.parametrize("code", ["", "x", "NEPU", "nepu;drop", "public", "pg_temp", "a" * 41])
def test_a_school_code_that_is_not_a_plain_identifier_is_refused(code: str) -> None:
    """Given a code that is no school code (empty, one letter, upper case, punctuation, a
    PostgreSQL-reserved schema, 41 characters); then no schema is named after it."""
    with pytest.raises(DomainError) as caught:
        school_schema(code)
    assert caught.value.code == "store.school_invalid"
    assert caught.value.details == {"school": repr(code)}
