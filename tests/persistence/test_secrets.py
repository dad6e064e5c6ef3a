"""The school's secret: created atomically beside an SQLite file, never empty or short, its
fingerprint in the log, and a store opened with another secret refused before it writes."""

from __future__ import annotations

import multiprocessing
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from second_classroom.core.errors import DomainError
from second_classroom.persistence.secrets import secret_file
from second_classroom.persistence.stores import popo_env
from second_classroom.policies.signing import fingerprint
from second_classroom.service import SecondClassroom
from tests.stores import TEST_SECRET

OTHER_SECRET = bytes(range(1, 33))


def refused(call: Callable[[], Any]) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def _open_and_use(path: str, start: Any, results: Any) -> None:
    """One process starting on a new database: open it and use the secret at once."""
    start.wait()
    try:
        raw = secret_file(path)  # the file race itself, all eight at once
        assert raw is not None
        with SecondClassroom.sqlite(path) as service:
            secret = service.secret
            assert secret == raw
            results.put(secret.hex())
    except BaseException as exc:  # reported to the parent, which fails the test
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_a_new_database_at_once_all_use_one_secret(tmp_path: Path) -> None:
    """Eight processes start on the same new file, several rounds: none crashes, none runs with
    a half-written secret, all use the one secret the file and the log keep."""
    context = multiprocessing.get_context("fork")
    for round_ in range(4):
        path = str(tmp_path / f"school-{round_}.sqlite3")
        start, results = context.Barrier(8), context.Queue()
        workers = [
            context.Process(target=_open_and_use, args=(path, start, results)) for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        answers = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        on_file = Path(f"{path}.secret").read_text()
        assert answers == [on_file] * 8, answers
        with SecondClassroom.sqlite(path) as service:
            assert service.school_keys().fingerprint == fingerprint(bytes.fromhex(on_file))
        assert sorted(p.name for p in tmp_path.iterdir() if ".tmp" in p.name) == []


@pytest.mark.parametrize("content", ["", "\n", "00" * 16, "not hex at all"])
def test_an_empty_short_or_garbled_secret_file_is_refused(tmp_path: Path, content: str) -> None:
    """A start that died between creating and writing the file used to leave it empty, and
    everything was then derived from b"" — which anyone can compute."""
    path = tmp_path / "school.sqlite3"
    Path(f"{path}.secret").write_text(content)
    assert refused(lambda: SecondClassroom.sqlite(path)) == "store.secret_invalid"
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET):
        pass  # a good secret still opens


@pytest.mark.parametrize("value", ["", "00" * 31, "xyz"])
def test_an_empty_or_short_environment_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SECOND_CLASSROOM_SECRET", value)
    assert refused(lambda: SecondClassroom.open(popo_env())) == "store.secret_invalid"


def test_a_short_secret_given_directly_is_refused() -> None:
    for secret in (b"", b"x" * 31):
        with pytest.raises(DomainError) as caught:
            SecondClassroom.open(popo_env(), secret=secret)
        assert caught.value.code == "store.secret_invalid"


def test_the_database_and_its_secret_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    fresh = tmp_path / "school.sqlite3"
    with SecondClassroom.sqlite(fresh):
        pass
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(f"{fresh}.secret").stat().st_mode) == 0o600
    older = tmp_path / "older.sqlite3"
    older.touch(mode=0o644)
    older.chmod(0o644)
    with SecondClassroom.sqlite(older):
        pass
    assert stat.S_IMODE(older.stat().st_mode) == 0o600


def test_a_secret_file_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "school.sqlite3"
    first = secret_file(path)
    assert secret_file(path) == first
    assert first is not None
    assert len(first) == 32


def test_a_database_whose_secret_file_is_lost_is_refused_not_given_a_new_secret(
    tmp_path: Path,
) -> None:
    path = tmp_path / "school.sqlite3"
    with SecondClassroom.sqlite(path) as service:
        assert service.secret is not None  # first use: the fingerprint is in the log
        top = service.app.recorder.max_notification_id()
    Path(f"{path}.secret").unlink()
    assert refused(lambda: SecondClassroom.sqlite(path)) == "store.secret_mismatch"
    assert not Path(f"{path}.secret").exists()
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET):
        pass
    from second_classroom.persistence.application import SecondClassroomApplication
    from second_classroom.persistence.stores import sqlite_env

    app = SecondClassroomApplication(sqlite_env(path))
    assert app.recorder.max_notification_id() == top
    app.close()


def test_a_store_opened_with_another_secret_is_refused_before_anything_is_written(
    shared_store_env: dict[str, str],
) -> None:
    """A deployment that lost SECOND_CLASSROOM_SECRET, or a copy run with another: every
    transcript, code and draw would stop verifying, so the store refuses to open."""
    with SecondClassroom.open(shared_store_env, secret=TEST_SECRET) as first:
        assert first.secret == TEST_SECRET  # first use records the fingerprint
        top = first.app.recorder.max_notification_id()
        assert top is not None
        assert top > 0
        code = refused(lambda: SecondClassroom.open(shared_store_env, secret=OTHER_SECRET))
        assert code == "store.secret_mismatch"
        assert first.app.recorder.max_notification_id() == top
        with SecondClassroom.open(shared_store_env, secret=TEST_SECRET) as again:
            assert again.school_keys().fingerprint == fingerprint(TEST_SECRET)
        with SecondClassroom.open(shared_store_env) as without_secret:
            assert without_secret.secret is None  # opens: verification needs no secret


def test_two_processes_with_different_secrets_on_a_new_store_cannot_both_record(
    shared_store_env: dict[str, str],
) -> None:
    """Both open before either used its secret; the second to use it is refused."""
    with (
        SecondClassroom.open(shared_store_env, secret=TEST_SECRET) as here,
        SecondClassroom.open(shared_store_env, secret=OTHER_SECRET) as there,
    ):
        assert here.secret == TEST_SECRET
        top = here.app.recorder.max_notification_id()
        assert refused(lambda: there.secret) == "store.secret_mismatch"
        assert there.app.recorder.max_notification_id() == top


def test_the_readme_call_on_the_demo_file_refuses_clearly(tmp_path: Path) -> None:
    """The demo signs with a fixed secret it does not write beside its file; the README's
    ``SecondClassroom.sqlite`` on that file refuses rather than make a new secret."""
    from second_classroom.demo import DEMO_SECRET, run_demo

    path = tmp_path / "second_classroom_demo.sqlite3"
    run_demo(path, lambda _line: None).close()
    with pytest.raises(DomainError) as caught:
        SecondClassroom.sqlite(path)
    assert caught.value.code == "store.secret_mismatch"
    assert "secret" in caught.value.message_en
    assert not Path(f"{path}.secret").exists()
    from second_classroom.persistence.stores import sqlite_env

    with SecondClassroom.open(sqlite_env(path), secret=DEMO_SECRET) as service:
        assert service.school_keys().fingerprint == fingerprint(DEMO_SECRET)


def test_the_first_use_is_stored_with_the_command_that_uses_the_secret(
    store_env: dict[str, str],
) -> None:
    """A refused command that read the secret stores nothing, not even the fingerprint; the
    first accepted one stores it in its own transaction, dated by the command."""
    from second_classroom.aggregates.checkin import CheckIn
    from second_classroom.aggregates.school_keys import SecretFingerprintRecorded
    from second_classroom.aggregates.transcript import IssueTranscript
    from second_classroom.core import ids
    from second_classroom.core.actor import Actor
    from second_classroom.core.terms import AdmissionMethod
    from tests.enrolment_world import approved_activity, found_school
    from tests.specification import NOW, at

    with SecondClassroom.open(store_env, secret=TEST_SECRET) as service:
        [number] = found_school(service, 1)
        student = Actor.student(number)
        top = service.app.recorder.max_notification_id()
        nowhere = ids.activity_id(ids.tribe_id("X"), "x")
        for command, code in (
            (IssueTranscript(number), "transcript.empty"),
            (CheckIn(nowhere, 1, password="123456"), "activity.not_found"),
        ):
            with pytest.raises(DomainError) as refused:
                service.execute(command, student, at(12, 1))
            assert refused.value.code == code
            assert service.app.recorder.max_notification_id() == top
        assert service.school_keys().fingerprint is None
        approved_activity(service, "draw", AdmissionMethod.LOTTERY)  # commits to a seed
        [recorded] = service.history(ids.school_keys_id(), Actor.system())
        assert isinstance(recorded.payload, SecretFingerprintRecorded)
        assert recorded.command == "SubmitActivity"  # staged with the first command to use it
        assert recorded.timestamp == recorded.payload.at == NOW


# -- the first use outside a command is dated by the injected clock ---------------------------


def _keys_events(service: SecondClassroom) -> list[Any]:
    from second_classroom.core import ids
    from second_classroom.core.actor import Actor

    return list(service.history(ids.school_keys_id(), Actor.school_admin("T-001")))


def test_a_first_use_outside_a_command_is_dated_by_the_injected_clock(
    store_env: dict[str, str],
) -> None:
    """Given a facade opened with a fixed clock (years from the wall clock), when the secret
    and the signing key are first used outside any command, then the fingerprint and the
    published key are dated by that clock — in the events and their envelopes."""
    from second_classroom.aggregates.school_keys import (
        SecretFingerprintRecorded,
        SigningKeyPublished,
    )
    from tests.specification import at

    fixed = at(3, 1, 8)  # 2026-03-01 08:00 Shanghai: not the wall clock of any run
    with SecondClassroom.open(store_env, secret=TEST_SECRET, clock=lambda: fixed) as service:
        assert service.keyring is not None  # outside a command: fingerprint and key
        recorded = _keys_events(service)
        assert [type(e.payload) for e in recorded] == [
            SecretFingerprintRecorded,
            SigningKeyPublished,
        ]
        assert {e.timestamp for e in recorded} == {fixed}
        assert {e.payload.at for e in recorded} == {fixed}
        assert service.school_keys().keys[0].published_at == fixed


def test_a_read_that_brings_its_now_dates_the_first_use_by_it(
    store_env: dict[str, str],
) -> None:
    """Given a facade whose clock says one time, when the revocation list is the first use of
    the signing key at another ``now``, then the key is published at that ``now``, not at the
    clock's time."""
    from tests.specification import at

    clock, now = at(3, 1, 8), at(12, 6, 10)
    with SecondClassroom.open(store_env, secret=TEST_SECRET, clock=lambda: clock) as service:
        assert service.status_list_credential(now) is not None
        assert {e.payload.at for e in _keys_events(service)} == {now}


def test_a_naive_clock_is_refused_at_the_first_use() -> None:
    """Given a clock that answers a naive datetime, when the secret is first used outside a
    command, then it is refused with ``time.naive`` and nothing is recorded."""
    from datetime import datetime

    naive = datetime(2026, 3, 1, 8)
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET, clock=lambda: naive) as service:
        assert refused(lambda: service.secret) == "time.naive"
        assert _keys_events(service) == []


def test_the_http_start_up_dates_the_first_use_by_the_settings_clock() -> None:
    """Given an HTTP deployment whose settings carry a fixed clock, when the app is created
    (it reads the secret to sign tokens), then the fingerprint is dated by that clock."""
    from second_classroom.http.app import HttpSettings, create_app
    from tests.specification import at

    fixed = at(3, 1, 8)
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        create_app(service, HttpSettings(worker=False, clock=lambda: fixed))
        [recorded] = _keys_events(service)
        assert recorded.timestamp == recorded.payload.at == fixed
