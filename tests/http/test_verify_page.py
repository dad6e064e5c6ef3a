"""The 查证入口 (000 第四条): anyone checks a transcript by serial or by the document; the
page says 有效 / 已撤销 / 已被替代 / 无效 / 被篡改 with only what the transcript shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum

import attrs
import pytest
from starlette.testclient import TestClient

from second_classroom import pdf
from second_classroom.core.time import SHANGHAI
from second_classroom.http import HttpSettings, create_app, verify_page
from second_classroom.http.verify_page import headline
from second_classroom.policies import serials
from second_classroom.policies.signing import Keyring
from second_classroom.service import Verification, VerificationStatus
from tests.http.demo_world import ADMIN, Transcripts, demo_transcripts

URL = "https://youth.example.edu.cn/verify"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Transcripts]:
    found = demo_transcripts(tmp_path_factory.mktemp("demo"))
    yield found
    found.service.close()


@pytest.fixture
def client(demo: Transcripts) -> Iterator[TestClient]:
    app = create_app(demo.service, HttpSettings(worker=False, verify_rate_per_minute=1000))
    with TestClient(app) as opened:
        yield opened


def test_a_valid_transcript_shows_its_content_and_key_and_nothing_else(
    client: TestClient, demo: Transcripts
) -> None:
    page = client.get(f"/verify/{serials.display(demo.valid)}")
    assert page.status_code == 200
    text = page.text
    assert '<span class="status ok" id="status">有效</span>' in text
    assert serials.display(demo.valid) in text
    assert "钱静" in text
    assert demo.service.keyring is not None
    assert demo.service.keyring.key_id in text
    assert 'name="viewport"' in text  # usable on a phone
    # The signing time as a reader in China reads it, not an ISO 8601 text.
    issued = demo.service.transcript(demo.valid, ADMIN)
    assert issued is not None
    local = issued.content.issued_at.astimezone(SHANGHAI)
    words = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）"
    assert f"<th>签发时间</th><td>{words}</td>" in text
    # Nothing about the student beyond the document: no integrity, no other activities.
    for private in ("诚信", "黑名单", "2024010103", "孙浩", "发放错误"):
        assert private not in text


@pytest.mark.parametrize(
    ("which", "expected"),
    [("revoked", "已撤销"), ("superseded", "已被替代"), ("valid", "有效")],
)
def test_each_standing_has_its_headline(
    client: TestClient, demo: Transcripts, which: str, expected: str
) -> None:
    page = client.get(f"/verify/{getattr(demo, which)}")
    assert f'id="status">{expected}</span>' in page.text


def test_an_unknown_or_mistyped_serial_is_invalid_without_content(
    client: TestClient, demo: Transcripts
) -> None:
    typo = demo.valid[:5] + ("X" if demo.valid[5] != "X" else "Y") + demo.valid[6:]
    for serial in (typo, "nonsense", "<script>alert(1)"):
        page = client.get("/verify/" + serial)
        assert 'id="status">无效</span>' in page.text
        assert "钱静" not in page.text
        assert "<script>alert" not in page.text


def test_a_form_serial_goes_to_its_page(client: TestClient, demo: Transcripts) -> None:
    form = client.get("/verify")
    assert "成绩单编号" in form.text
    page = client.get("/verify/", params={"serial": demo.valid})
    assert 'id="status">有效</span>' in page.text
    odd = client.get("/verify/", params={"serial": "a/b?c#d"})
    assert 'id="serial">a/b?c#d</strong>' in odd.text  # one path segment, shown as typed


def test_an_uploaded_document_is_checked_and_a_tampered_one_says_so(
    client: TestClient, demo: Transcripts
) -> None:
    document = demo.service.transcript_document(demo.valid, ADMIN)
    credential = demo.service.transcript_credential(demo.valid, ADMIN, "https://x/verify")
    for genuine in (document, credential):
        data = json.dumps(genuine, ensure_ascii=False).encode()
        page = client.post("/verify", files={"document": ("t.json", data, "application/json")})
        assert 'id="status">有效</span>' in page.text
    assert document is not None
    forged = json.loads(json.dumps(document, ensure_ascii=False).replace("钱静", "钱勤"))
    data = json.dumps(forged, ensure_ascii=False).encode()
    page = client.post("/verify", files={"document": ("t.json", data, "application/json")})
    assert 'id="status">被篡改</span>' in page.text
    assert "钱勤" not in page.text  # a forged document's content is never shown
    stranger = Keyring.from_secret(b"another school's secret, 32 bytes")
    foreign = {
        "content": document["content"],
        "proof": {
            **document["proof"],
            "key_id": stranger.key_id,
            "signature": stranger.sign(document["content"]),
        },
    }
    data = json.dumps(foreign, ensure_ascii=False).encode()
    page = client.post("/verify", files={"document": ("t.json", data, "application/json")})
    assert 'id="status">无效</span>' in page.text
    assert "签名密钥不是本校公布的密钥" in page.text
    page = client.post("/verify", files={"document": ("t.txt", b"hello", "text/plain")})
    assert page.status_code == 400


def upload(client: TestClient, data: bytes, name: str = "t.pdf") -> str:
    reply = client.post("/verify", files={"document": (name, data, "application/pdf")})
    assert reply.status_code in (200, 400, 413)
    return reply.text


def test_an_uploaded_pdf_is_checked_page_by_page(client: TestClient, demo: Transcripts) -> None:
    """Given the demo's transcript PDF: as printed it says 有效 with its content; rebuilt with
    the totals ×19 beside the real serial and the real signed attachment it says 被篡改 and
    shows nothing of the forgery (issue 15 §1)."""
    genuine = demo.service.transcript_pdf(demo.valid, ADMIN, URL)
    assert genuine is not None
    page = upload(client, genuine)
    assert 'id="status">有效</span>' in page
    assert f'id="serial">{serials.display(demo.valid)}</strong>' in page
    assert "钱静" in page
    found = demo.service.transcript(demo.valid, ADMIN)
    document = demo.service.transcript_document(demo.valid, ADMIN)
    assert found is not None
    assert document is not None
    real = found.content
    inflated = attrs.evolve(
        real, totals=tuple(attrs.evolve(t, amount=t.amount * 19) for t in real.totals)
    )
    page = upload(client, pdf.render(inflated, URL, document))
    assert 'id="status">被篡改</span>' in page
    assert "打印内容与签名内容不符" in page
    assert str(real.totals[0].amount * 19) not in page
    assert "钱静" not in page  # a forged document's content is never shown


def test_a_revoked_transcripts_pdf_says_so(client: TestClient, demo: Transcripts) -> None:
    revoked = demo.service.transcript_pdf(demo.revoked, ADMIN, URL)
    assert revoked is not None
    assert 'id="status">已撤销</span>' in upload(client, revoked)


@pytest.mark.parametrize(
    "data",
    [b"hello", b"\x89PNG\r\n\x1a\n" + bytes(64), b"", b"\xff\xfe{", b"[1, 2]"],
)
def test_an_upload_that_is_neither_pdf_nor_json_is_refused_with_the_pages_message(
    client: TestClient, data: bytes
) -> None:
    reply = client.post("/verify", files={"document": ("x.bin", data, "image/png")})
    assert reply.status_code == 400
    assert "文件格式不符" in reply.text
    assert "成绩单编号" in reply.text  # the form again, to try once more


@pytest.mark.parametrize("data", [b"%PDF-1.7", b"%PDF-1.4\n" + bytes(1000), b"  %PDF-\x00\xff"])
def test_a_pdf_without_a_signed_attachment_is_invalid(client: TestClient, data: bytes) -> None:
    page = upload(client, data)
    assert 'id="status">无效</span>' in page
    assert "PDF 未附签名文件" in page


def test_an_upload_over_the_body_cap_is_refused_unread(client: TestClient) -> None:
    big = b"%PDF-1.7\n" + bytes(verify_page.MAX_UPLOAD)
    reply = client.post("/verify", files={"document": ("big.pdf", big, "application/pdf")})
    assert reply.status_code == 413
    assert "文件过大" in reply.text


def test_a_body_that_is_not_multipart_uploads_nothing(client: TestClient) -> None:
    for headers in ({"content-type": "multipart/form-data; boundary=x"}, {}):
        reply = client.post("/verify", content=b"--x\r\nbroken", headers=headers)
        assert reply.status_code == 400
        assert "文件格式不符" in reply.text


def test_a_multipart_body_with_a_malformed_part_header_uploads_nothing(
    client: TestClient,
) -> None:
    """Given a multipart body whose part header holds a character no header name may (found
    by tests/http/test_contract_fuzz.py: python-multipart raised its own parse error, a 500);
    then the form answers 400 with its message, as for any body that uploads nothing."""
    body = (
        b'--x\r\nContent-Disposition: form-data; name="document"\r\n[bad]: 1\r\n\r\nhi\r\n--x--\r\n'
    )
    reply = client.post(
        "/verify", content=body, headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert reply.status_code == 400
    assert "文件格式不符" in reply.text


def test_a_path_no_route_reads_is_a_404_page_and_under_api_a_domain_error(
    client: TestClient,
) -> None:
    """Given a serial with a line break (no route's parameter reads one) and an API path
    that does not exist; then the first answers the 查证 form's 404 page, the second the
    DomainError ``http.not_found`` — both what the contract documents, never Starlette's
    plain text."""
    page = client.get("/verify/SC-2026%0A1")
    assert (page.status_code, page.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert "页面不存在" in page.text
    api = client.get("/api/nothing-here")
    assert api.status_code == 404
    assert api.json()["code"] == "http.not_found"


def test_the_page_is_rate_limited_per_client(demo: Transcripts) -> None:
    app = create_app(demo.service, HttpSettings(worker=False, verify_rate_per_minute=3))
    with TestClient(app) as client:
        replies = [client.get(f"/verify/{demo.valid}").status_code for _ in range(4)]
        assert replies == [200, 200, 200, 429]
        limited = client.get(f"/verify/{demo.valid}")
        assert int(limited.headers["retry-after"]) >= 1
        assert "请求过于频繁" in limited.text


class _Later(StrEnum):
    """A status added later, with its own label."""

    KEY_EXPIRED = "key_expired"

    @property
    def label(self) -> str:
        return "签名密钥已过期"


def test_a_status_the_page_does_not_know_shows_its_own_label() -> None:
    found = Verification(_Later.KEY_EXPIRED, "X", None, None)  # type: ignore[arg-type]
    assert headline(found) == "签名密钥已过期"
    assert headline(Verification(VerificationStatus.MALFORMED, "X", None, None)) == "无效"


def test_the_contract_lists_the_upload_and_the_streams_resume_header(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    upload = spec["paths"]["/verify"]["post"]
    assert set(upload["responses"]) == {"200", "400", "413", "429"}
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["document"]["format"] == "binary"
    stream = spec["paths"]["/api/students/{number}/notices/stream"]["get"]
    assert {"name": "Last-Event-ID", "in": "header"}.items() <= stream["parameters"][-1].items()


def test_a_certificate_verifies_on_the_page_by_serial_and_by_its_pdf() -> None:
    """电子证书 (002 二 8)) at the 查证入口 as a transcript: by serial and by uploading its PDF,
    the page shows the certificate's kind, issuer and what it certifies."""
    from second_classroom.persistence.stores import popo_env
    from second_classroom.service import SecondClassroom
    from tests.certificate_world import RULES, commands, issue, world
    from tests.specification import SCHOOL_ADMIN
    from tests.stores import TEST_SECRET

    with SecondClassroom.open(popo_env(), RULES, secret=TEST_SECRET) as service:
        command, actor = next(iter(commands(world(service)).values()))  # the 电子奖状
        serial = issue(service, command, actor)
        data = service.certificate_pdf(serial, SCHOOL_ADMIN, URL)
        assert data is not None
        app = create_app(service, HttpSettings(worker=False, verify_rate_per_minute=1000))
        with TestClient(app) as client:
            for page in (
                client.get(f"/verify/{serials.display(serial)}").text,
                upload(client, data),
            ):
                assert 'id="status">有效</span>' in page
                assert "电子奖状" in page
                assert "优秀志愿者" in page


def test_a_letter_whose_term_ended_early_says_so_under_its_content() -> None:
    """002 一 3) 电子聘书 at the 查证入口: given a letter issued while the term ran, the page
    says 有效 with no further line; when the student resigns on 12月20日, then by serial and by
    its PDF it still says 有效 and adds, in Chinese, that the term ended on that day by
    resignation — not the reason given."""
    from second_classroom.aggregates.cadre import EndCadreTerm, TermEnd
    from second_classroom.aggregates.certificate import CertificateKind
    from second_classroom.persistence.stores import popo_env
    from second_classroom.service import SecondClassroom
    from tests.certificate_world import RULES, TERM, commands, issue, world
    from tests.enrolment_world import LEADER, UNION
    from tests.specification import SCHOOL_ADMIN, at
    from tests.stores import TEST_SECRET

    with SecondClassroom.open(popo_env(), RULES, secret=TEST_SECRET) as service:
        w = world(service)
        command, actor = commands(w)[CertificateKind.APPOINTMENT]
        serial = issue(service, command, actor)
        app = create_app(service, HttpSettings(worker=False, verify_rate_per_minute=1000))
        line = "该聘书所载任期已于2026年12月20日因辞职提前结束；聘书签发时所载内容属实。"
        with TestClient(app) as client:
            before = client.get(f"/verify/{serials.display(serial)}").text
            assert 'id="status">有效</span>' in before
            assert "宣传部部长" in before
            assert 'id="term-ended"' not in before
            resigned = EndCadreTerm(
                UNION.tribe_id, TERM, w.student.person_id, TermEnd.RESIGNED, "准备考研"
            )
            service.execute(resigned, LEADER, at(12, 20, 15))
            data = service.certificate_pdf(serial, SCHOOL_ADMIN, URL)
            assert data is not None
            for page in (
                client.get(f"/verify/{serials.display(serial)}").text,
                upload(client, data),
            ):
                assert 'id="status">有效</span>' in page
                assert f'<p class="notice warn" id="term-ended">{line}</p>' in page
                assert "准备考研" not in page


def test_a_superseded_certificate_says_so_in_a_certificate_s_words(
    client: TestClient, demo: Transcripts
) -> None:
    """002 二 8) 电子志愿时卡 at the 查证入口: given a card a school admin marked superseded
    by the student's card of the next day, then its page, by serial and by its PDF, is headed
    已被替代 as a transcript's is, says 已被新证书替代 with the reason, and still shows the
    card; a superseded transcript's page still says 已被新成绩单替代."""
    from second_classroom.persistence.stores import popo_env
    from second_classroom.service import SecondClassroom
    from tests.certificate_world import RULES, superseded_card, world
    from tests.specification import SCHOOL_ADMIN
    from tests.stores import TEST_SECRET

    with SecondClassroom.open(popo_env(), RULES, secret=TEST_SECRET) as service:
        older, _ = superseded_card(service, world(service))
        data = service.certificate_pdf(older, SCHOOL_ADMIN, URL)
        assert data is not None
        app = create_app(service, HttpSettings(worker=False, verify_rate_per_minute=1000))
        with TestClient(app) as certificates:
            for page in (
                certificates.get(f"/verify/{serials.display(older)}").text,
                upload(certificates, data),
            ):
                assert '<span class="status warn" id="status">已被替代</span>' in page
                assert '<p id="detail">已被新证书替代；志愿时长已更新</p>' in page
                assert "电子志愿时卡" in page
    transcript = client.get(f"/verify/{demo.superseded}").text
    assert '<p id="detail">已被新成绩单替代；学分更正</p>' in transcript
