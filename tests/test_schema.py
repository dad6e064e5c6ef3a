"""JSON Schemas (2020-12) from the same attrs classes the codec reads (issue 11, 1): valid
messages validate, the issue's malformed examples fail the schema as they fail execute_json."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from second_classroom import codec
from second_classroom.answers import PAGE_ROWS
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.demo import at, run_demo
from second_classroom.schema import page_schema, schemas
from second_classroom.service import Outcome, SecondClassroom
from tests.persistence.malformed_messages import MALFORMED_EXAMPLES, deeply_nested
from tests.specification import NOW, SCHOOL_ADMIN
from tests.valid_commands import COMMANDS, instances

SCHEMAS = schemas()
REGISTRY: Registry[Any] = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema)) for schema in SCHEMAS.values()
)
VALIDATORS = {
    title: Draft202012Validator(schema, registry=REGISTRY) for title, schema in SCHEMAS.items()
}


def valid(title: str, instance: Any) -> bool:
    valid: bool = VALIDATORS[title].is_valid(instance)
    return valid


def test_there_is_a_valid_schema_for_every_message_the_error_and_the_outcome() -> None:
    kinds = ("command", "event", "state", "result")
    registered = {name for kind in kinds for name in codec.registry.names(kind)}
    pages = {f"{row.__name__}Page" for row in PAGE_ROWS}
    documents = {"SignedTranscript", "SignedCertificate"}
    assert set(SCHEMAS) == registered | pages | documents | {"DomainError", "Outcome"}
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("cls", COMMANDS, ids=lambda c: c.__name__)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_command_s_own_json_validates_against_its_schema(
    cls: type, data: st.DataObject
) -> None:
    command = data.draw(instances(cls))
    encoded = json.loads(json.dumps(codec.to_json(command), ensure_ascii=False))
    assert valid(cls.__name__, encoded), list(VALIDATORS[cls.__name__].iter_errors(encoded))
    assert codec.from_json(encoded, kind="command") == command


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[object, Outcome]]:
    """Every command the demo runs, with its outcome."""
    played: list[tuple[object, Outcome]] = []
    execute = SecondClassroom.execute

    def recording(self: SecondClassroom, command: object, actor: Actor, now: Any) -> Outcome:
        outcome = execute(self, command, actor, now)
        played.append((command, outcome))
        return outcome

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SecondClassroom, "execute", recording)
        run_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite3", lambda _line: None).close()
    return played


def test_the_demo_s_commands_and_outcomes_validate(demo: list[tuple[object, Outcome]]) -> None:
    assert len({type(command) for command, _outcome in demo}) >= 20
    for command, outcome in demo:
        encoded = json.loads(json.dumps(codec.to_json(command), ensure_ascii=False))
        assert valid(type(command).__name__, encoded), encoded
        reply = json.loads(json.dumps(outcome.to_json(), ensure_ascii=False))
        assert valid("Outcome", reply), list(VALIDATORS["Outcome"].iter_errors(reply))[:1]


def test_query_results_validate(tmp_path: Path) -> None:
    with run_demo(tmp_path / "demo.sqlite3", lambda _line: None) as service:
        union = ids.tribe_id("PE-SU")
        results = [
            service.student("2023010101", SCHOOL_ADMIN),
            service.integrity("2023010101", SCHOOL_ADMIN),
            service.tribe(union, SCHOOL_ADMIN),
            service.activity(ids.activity_id(union, "2026-cet-talk"), SCHOOL_ADMIN),
        ]
    assert None not in results
    for result in results:
        encoded = json.loads(json.dumps(codec.to_json(result), ensure_ascii=False))
        assert valid(type(result).__name__, encoded)


def serials(service: SecondClassroom, event: str) -> list[str]:
    """The serials the log's ``event`` (TranscriptIssued, CertificateIssued) issued."""
    rows = service.audit_log(SCHOOL_ADMIN, event=event).rows
    return [json.loads(row.data)["serial"] for row in rows]


def test_a_timeline_s_entries_and_the_signed_documents_validate(tmp_path: Path) -> None:
    """Given the demo, 钱静's 成长档案 validates with each entry written as a GrowthEntry is
    alone (``type`` included, as a page's rows are), and each transcript and certificate it
    issued, as a signed document, validates against SignedTranscript or SignedCertificate;
    an entry without its type, a proof with a field too many, or a document without its
    proof does not."""
    with run_demo(tmp_path / "demo.sqlite3", lambda _line: None) as service:
        timeline = service.growth_timeline("2024010102", SCHOOL_ADMIN, at(20, 9, month=12))
        transcripts = [
            service.transcript_document(serial, SCHOOL_ADMIN)
            for serial in serials(service, "TranscriptIssued")
        ]
        certificates = [
            service.certificate_document(serial, SCHOOL_ADMIN)
            for serial in serials(service, "CertificateIssued")
        ]
    encoded = json.loads(json.dumps(codec.to_json(timeline), ensure_ascii=False))
    assert len(encoded["entries"]) > 3
    assert {entry["type"] for entry in encoded["entries"]} == {"GrowthEntry"}
    assert valid("GrowthTimeline", encoded)
    untyped = [{k: v for k, v in e.items() if k != "type"} for e in encoded["entries"]]
    assert not valid("GrowthTimeline", {**encoded, "entries": untyped})
    assert transcripts
    assert certificates
    for title, documents in (
        ("SignedTranscript", transcripts),
        ("SignedCertificate", certificates),
    ):
        for document in documents:
            assert document is not None
            assert valid(title, document), list(VALIDATORS[title].iter_errors(document))[:1]
            proof = {**document["proof"], "surprise": 1}
            assert not valid(title, {**document, "proof": proof})
            assert not valid(title, {"content": document["content"]})
    assert not valid("SignedCertificate", transcripts[0])


def test_the_facade_s_paged_reads_answer_pages_of_the_page_rows() -> None:
    """Each public read of the facade that answers a ``Page[Row]`` names a row of
    ``PAGE_ROWS``, and each of those is some read's: so every listing has its ``<Row>Page``."""
    paged = set()
    for name, function in inspect.getmembers(SecondClassroom, inspect.isfunction):
        returns = str(inspect.get_annotations(function).get("return", ""))
        found = re.fullmatch(r"(?:queries\.)?Page\[(?:queries\.)?(\w+)\]", returns)
        if found is not None and not name.startswith("_"):
            paged.add(found.group(1))
    assert paged == {row.__name__ for row in PAGE_ROWS}


def test_a_page_validates_against_the_page_schema_of_its_rows(tmp_path: Path) -> None:
    """Given the demo, a page of the activity board validates against ``BoardRowPage`` and the
    generic ``Page``; rows of another type, rows without their ``type`` and rows with a field
    their type lacks are refused by both, and the generic page is also a page of each row."""
    with run_demo(tmp_path / "demo.sqlite3", lambda _line: None) as service:
        board = service.activity_board(SCHOOL_ADMIN, limit=2)
        audit = service.audit_log(SCHOOL_ADMIN, limit=2)
    page = json.loads(json.dumps(codec.to_json(board), ensure_ascii=False))
    assert page["rows"]
    assert {row["type"] for row in page["rows"]} == {"BoardRow"}
    assert valid("BoardRowPage", page)
    assert valid("Page", page)
    other = json.loads(json.dumps(codec.to_json(audit), ensure_ascii=False))
    assert valid("AuditRowPage", other)
    assert valid("Page", other)
    assert not valid("BoardRowPage", other)
    untyped = {
        **page,
        "rows": [{k: v for k, v in row.items() if k != "type"} for row in page["rows"]],
    }
    extra = {**page, "rows": [{**row, "surprise": 1} for row in page["rows"]]}
    for title in ("BoardRowPage", "Page"):
        assert not valid(title, untyped)
        assert not valid(title, extra)
        assert not valid(title, {**page, "surprise": 1})


def test_there_is_no_page_schema_of_a_row_no_listing_pages() -> None:
    with pytest.raises(ValueError, match="StudentSummaryRow"):
        page_schema("StudentSummaryRow")


def _as_json_text(message: Any) -> Any | None:
    """``message`` as a JSON parser would give it, or None when it is not JSON at all
    (NaN and Infinity: RFC 8259 has no such numbers; only a lenient parser produces them)."""
    try:
        return json.loads(json.dumps(message, allow_nan=False, ensure_ascii=False))
    except ValueError:
        return None


@pytest.mark.parametrize("case", list(MALFORMED_EXAMPLES))
def test_each_malformed_example_fails_the_schema_and_execute_json_alike(case: str) -> None:
    message, _path = MALFORMED_EXAMPLES[case]
    if case == "deep nesting":
        # jsonschema writes the repr of a wrong value into its message, which a 50,000-deep
        # list overflows; the schema's verdict is the same at any depth.
        message = {**message, "name": deeply_nested(200)}
    title = message.get("type", "CreateTribe") if isinstance(message, dict) else "CreateTribe"
    parsed = _as_json_text(message)
    assert parsed is None or not valid(title, parsed)
    with SecondClassroom.in_memory() as service:
        reply = service.execute_json(message, SCHOOL_ADMIN, NOW)
    assert reply["type"] == "DomainError"
    assert valid("DomainError", reply)


@pytest.mark.parametrize(
    ("title", "message", "code"),
    [
        ("CreateTribe", {"name": "象\u0000棋社"}, "text.control_character"),
        ("CreateTribe", {"name": "象\ud800棋社"}, "text.control_character"),
        ("CreateTribe", {"name": "王" * 101}, "text.too_long"),
        ("CreateTribe", {"code": "PE\u200bCHESS"}, "text.control_character"),
        ("CreateTribe", {"code": "РЕ-CHESS"}, "text.identifier_invalid"),  # Cyrillic Р, Е
        ("OpenCheckInSession", {"valid_minutes": 10**12}, "value.out_of_range"),
        ("RequestLeave", {"proofs": ["病假条.jpg"] * 201}, "value.too_many"),
    ],
)
def test_the_boundary_rules_are_in_the_command_schemas_too(
    title: str, message: dict[str, Any], code: str
) -> None:
    bases: dict[str, dict[str, Any]] = {
        "CreateTribe": {"code": "PE-CHESS", "name": "象棋社", "kind": "club", "level": "college"}
        | {"college": "PE"},
        "OpenCheckInSession": {"activity_id": "6f1c3d4e-2b7a-5c8d-9e0f-1a2b3c4d5e6f"}
        | {"valid_minutes": 10},
        "RequestLeave": {"activity_id": "6f1c3d4e-2b7a-5c8d-9e0f-1a2b3c4d5e6f"}
        | {"reason": "病", "proofs": ["病假条.jpg"] * 200},
    }
    base = bases[title]
    good, bad = {"type": title, **base}, {"type": title, **base, **message}
    assert valid(title, good)
    assert not valid(title, bad)
    with SecondClassroom.in_memory() as service:
        assert service.execute_json(bad, SCHOOL_ADMIN, NOW)["code"] == code


def test_the_schema_of_a_credit_amount_says_the_rulebook_s_maximum() -> None:
    message = {"type": "ChangeAwardPlan", "activity_id": "6f1c3d4e-2b7a-5c8d-9e0f-1a2b3c4d5e6f"}
    cases: tuple[tuple[object, bool], ...] = (
        ("2.5", True),
        (100, True),
        ("1E+999999", False),
        (100.5, False),
        ("2.50", True),
    )
    cases += (("0.125", False), ("1e-999999", False), ("1E+2", False))
    for amount, ok in cases:
        plan = {"credits": [{"module": "ideology", "credit_type": "学分", "amount": amount}]}
        assert valid("ChangeAwardPlan", {**message, "plan": plan}) is ok


def test_every_domain_error_validates_against_the_error_schema() -> None:
    error = DomainError("auth.forbidden", "无权", "Not allowed", {"action": "x"})
    assert valid("DomainError", codec.error_to_json(error))
    assert not valid("DomainError", {**codec.error_to_json(error), "category": "teapot"})


def test_the_cli_writes_every_schema(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "second_classroom", "schema", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=True,
    )
    written = {p.name.removesuffix(".schema.json") for p in (tmp_path / "out").iterdir()}
    assert written == set(SCHEMAS)
    assert f"{len(SCHEMAS)} schemas written" in result.stdout
    decide_leave = json.loads((tmp_path / "out" / "DecideLeave.schema.json").read_text("utf-8"))
    assert decide_leave == SCHEMAS["DecideLeave"]


CANONICAL_UUID = "6f1c3d4e-2b7a-5c8d-9e0f-1a2b3c4d5e6f"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("activity_id", "{" + CANONICAL_UUID + "}"),
        ("activity_id", CANONICAL_UUID.replace("-", "")),
        ("activity_id", "urn:uuid:" + CANONICAL_UUID),
        ("activity_id", "６" + CANONICAL_UUID[1:]),  # a full-width digit
        ("opens_at", "20260101T000000+0800"),
        ("opens_at", "2026-12-03 14:00:00+08:00"),
        ("opens_at", "2026-12-03T14:00+08:00"),
        ("opens_at", "２026-12-03T14:00:00+08:00"),
        ("opens_at", "2026-12-03T14:00:00.1234567+08:00"),
        ("opens_at", "2026-13-01T00:00:00+08:00"),
        ("opens_at", "2026-12-03T24:00:00+08:00"),
    ],
)
def test_only_the_canonical_uuid_and_date_time_are_read(field: str, value: str) -> None:
    """Review finding 10: the strict codec read braces, ``urn:uuid:``, 32 bare hex digits, a
    full-width digit, basic-format and space-separated times. Now the schema's pattern is the
    codec's, and both refuse them alike (``command.malformed`` naming the field)."""
    good = {"type": "OpenCheckInSession", "activity_id": CANONICAL_UUID, "valid_minutes": 10}
    good["opens_at"] = "2026-12-03T14:00:00+08:00"
    assert valid("OpenCheckInSession", good)
    assert codec.from_json(good).opens_at.isoformat() == good["opens_at"]
    bad = {**good, field: value}
    assert not valid("OpenCheckInSession", bad)
    with SecondClassroom.in_memory() as service:
        reply = service.execute_json(bad, SCHOOL_ADMIN, NOW)
    assert (reply["code"], reply["details"]["path"]) == ("command.malformed", f"$.{field}")


def test_a_format_character_in_a_code_fails_the_schema_as_execute_json() -> None:
    """A soft hyphen or zero-width space in a serial (a CODE field) is refused by ``admit``;
    the schema's pattern now says so too."""
    good = {"type": "RevokeTranscript", "serial": "SC2026ABCD", "reason": "重复"}
    assert valid("RevokeTranscript", good)
    for invisible in ("\u00ad", "\u200b", "\ufeff", "\U000e0001"):
        bad = {**good, "serial": "SC2026" + invisible + "ABCD"}
        assert not valid("RevokeTranscript", bad)
        with SecondClassroom.in_memory() as service:
            assert service.execute_json(bad, SCHOOL_ADMIN, NOW)["code"] == "text.control_character"


def test_the_schema_says_student_numbers_are_nfkc_normalised_first() -> None:
    """A full-width 学号 fails the canonical pattern but ``execute_json`` normalises it; the
    schema's description says so, so a client validating first knows to normalise."""
    described = _property("RegisterStudent", "student_number")
    assert "NFKC" in described["description"]
    assert not valid(
        "RegisterStudent",
        {"type": "RegisterStudent", "student_number": "２０２５０００００１", "name": "王五"}
        | {"college": "PE", "class_name": "石工25-1班", "cohort": 2025},
    )


def _property(title: str, field: str) -> dict[str, Any]:
    schema: dict[str, Any] = SCHEMAS[title]["properties"][field]
    return schema
