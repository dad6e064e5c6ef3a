"""The printable transcript (seed 002 二 4) 线下打印; 第二十条 成绩单) as an archival PDF: an
embedded CJK font, a table per section, a header and ``第 x 页 共 y 页`` on every page, the same
bytes for the same content, and the signed document attached so an edited copy fails."""

from __future__ import annotations

import io
import json
import re
import uuid
from decimal import Decimal

import attrs
import pypdf
import pytest

from second_classroom import pdf
from second_classroom.aggregates.transcript import Content, Layout, Line, Section, Total, Version
from second_classroom.policies import serials
from second_classroom.service import SecondClassroom, VerificationStatus
from tests.pdf_objects import array, dictionary, fonts, integer, stream
from tests.specification import SCHOOL_ADMIN, at, present
from tests.transcript_world import graduated, issue

URL = "https://verify.example/second-classroom"
SERIAL = serials.make("0" * 64)
LONG = "“挑战杯”全国大学生课外学术科技作品竞赛暨校内选拔赛（石油工程学院分赛区）决赛答辩与展示"


def content(activities: int, version: Version = Version.CREDIT) -> Content:
    """A transcript of ``activities`` lines over two modules, one title long enough to wrap."""
    lines = [
        Line(
            uuid.UUID(int=n),
            LONG if n == 0 else f"第{n}次志愿服务活动",
            f"2025-{n % 12 + 1:02d}-{n % 27 + 1:02d}",
            "志愿公益" if n % 2 else "技能特长",
            "校级",
            Decimal(2),
            "已参加",
            ("一等奖",) if n == 0 else (),
            (("素质学分", Decimal("0.5")),) if version is Version.CREDIT or n % 3 else (),
        )
        for n in range(activities)
    ]
    sections = (
        Section("技能特长", tuple(ln for ln in lines if ln.module == "技能特长")),
        Section("志愿公益", tuple(ln for ln in lines if ln.module == "志愿公益")),
    )
    totals = tuple(
        Total(s.heading, "素质学分", sum((c for ln in s.lines for _, c in ln.credits), Decimal(0)))
        for s in sections
    )
    return Content(
        "东北石油大学", SERIAL, version, Layout.MODULE, "2023010101", "张三", "石油工程学院",
        "石工23-1班", 2023, "本科", sections, totals, at(12, 5),
    )  # fmt: skip


def texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_font_is_embedded_and_subset_and_the_text_extracts_in_chinese() -> None:
    data = pdf.render(content(3), URL)
    reader = pypdf.PdfReader(io.BytesIO(data))
    named = {str(font["/BaseFont"]): font for page in reader.pages for font in fonts(page)}
    assert named, "the pages name a font"
    for name, font in named.items():
        assert re.fullmatch(r"/[A-Z]{6}\+WenQuanYiMicroHei-\d+", name), name  # a subset
        assert "/FontFile2" in dictionary(font["/FontDescriptor"]), f"{name} is not embedded"
        assert "/ToUnicode" in font
    text = "".join(texts(data))
    for shown in (
        "东北石油大学 第二课堂成绩单（学分版）",
        "张三",
        "技能特长",
        "志愿公益",
        "学分合计",
    ):
        assert shown in text


def test_a_graduate_students_transcript_has_its_own_heading() -> None:
    """002 二 2) 开通研究生“第二课堂成绩单”: given a graduate student's content, then the PDF is
    headed 研究生第二课堂成绩单 (its title too); an undergraduate's stays 第二课堂成绩单."""
    graduate = attrs.evolve(content(2), program="研究生")
    data = pdf.render(graduate, URL)
    text = "".join(texts(data))
    assert "东北石油大学 研究生第二课堂成绩单（学分版）" in text
    metadata = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert metadata is not None
    assert present(metadata.title).startswith("研究生第二课堂成绩单")
    undergraduate = "".join(texts(pdf.render(content(2), URL)))
    assert "东北石油大学 第二课堂成绩单（学分版）" in undergraduate
    assert "研究生" not in undergraduate


def test_eighty_activities_paginate_with_the_header_and_page_numbers_on_every_page() -> None:
    """An 80-line transcript runs over several pages; each repeats the school, the student, the
    serial, the table header, and says which page of how many it is."""
    pages = texts(pdf.render(content(80), URL))
    assert len(pages) >= 3
    shown = "\n".join(pages)
    for n in range(1, 80):
        assert f"第{n}次志愿服务活动" in shown
    for number, page in enumerate(pages, start=1):
        assert "东北石油大学 第二课堂成绩单（学分版）" in page
        assert "学号：2023010101" in page
        assert serials.display(SERIAL) in page
        assert f"第 {number} 页 共 {len(pages)} 页" in page
    assert "学分合计" in pages[-1]
    assert "签发单位：东北石油大学" in pages[-1]
    table_headers = [page for page in pages[1:-1] if "结果/获奖" in page]
    assert table_headers == pages[1:-1], "the table header repeats on pages it runs over"


def test_the_verification_address_is_printed_whole_on_a_line_of_its_own() -> None:
    """Given a transcript, when printed, then its 查证 address with the serial stands on one
    line: a reader types it from paper, so the serial is never broken across lines."""
    [text] = texts(pdf.render(content(1), URL))
    assert f"{URL}?serial={SERIAL}" in text.splitlines()


def test_a_long_title_wraps_inside_its_cell() -> None:
    text = texts(pdf.render(content(1), URL))[0]
    assert LONG not in text.replace("\n", "X")  # broken over lines
    assert LONG in text.replace("\n", "")


def test_the_same_content_gives_the_same_bytes() -> None:
    """No wall clock inside: regenerated, a transcript can be compared byte for byte."""
    document = {"content": {"serial": SERIAL}, "proof": {}}
    first = pdf.render(content(10), URL, document)
    assert first == pdf.render(content(10), URL, document)
    assert first != pdf.render(content(11), URL, document)
    info = pypdf.PdfReader(io.BytesIO(first)).metadata
    assert info is not None
    assert str(info["/CreationDate"]) == "D:20261205090000+08'00'"


def test_archival_identification_and_attachment() -> None:
    """PDF/A-3b's marks: the XMP part and conformance, an sRGB output intent, the signed
    document as an associated file of type application/json."""
    document = {"content": {"serial": SERIAL}, "proof": {}}
    reader = pypdf.PdfReader(io.BytesIO(pdf.render(content(2), URL, document)))
    root = dictionary(reader.trailer["/Root"])
    xmp = stream(root["/Metadata"]).get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    intent = dictionary(array(root["/OutputIntents"])[0])
    assert str(intent["/S"]) == "/GTS_PDFA1"
    assert integer(dictionary(intent["/DestOutputProfile"])["/N"]) == 3
    (attached,) = reader.attachment_list
    assert attached.name == pdf.ATTACHMENT
    assert json.loads(attached.content) == document
    assert attached.associated_file_relationship == "/Source"
    assert str(dictionary(array(root["/AF"])[0])["/F"]) == pdf.ATTACHMENT


@pytest.mark.parametrize("layout", list(Layout))
@pytest.mark.parametrize("version", list(Version))
def test_every_layout_and_version_prints(layout: Layout, version: Version) -> None:
    """按模块 / 按学期 / 按评价方式 × 学分版 / 记录版 (seed 002 二 4))."""
    printed = attrs.evolve(content(4, version), layout=layout)
    text = "".join(texts(pdf.render(printed, URL)))
    assert f"{layout.label}·{version.label}" in text
    assert f"第二课堂成绩单（{version.label}）" in text


def test_an_id_photo_fills_the_slot_without_changing_the_text() -> None:
    """Seed 000 第六条: the transcript may carry the student's photo."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (50, 70), (200, 180, 160)).save(buffer, "PNG")
    with_photo = pdf.render(content(2), URL, photo=buffer.getvalue())
    reader = pypdf.PdfReader(io.BytesIO(with_photo))
    assert len(reader.pages[0].images) == 1
    assert texts(with_photo) == texts(pdf.render(content(2), URL))


def test_the_pdf_carries_its_proof_and_an_edited_copy_fails(service: SecondClassroom) -> None:
    """The attached signed document verifies offline; a PDF printed with the totals ×19 but
    the real serial and the real attachment does not (today's serial lookup alone says
    valid)."""
    student = graduated(service)
    serial = issue(service, student, at(12, 5))
    data = service.transcript_pdf(serial, SCHOOL_ADMIN, URL)
    assert data is not None
    assert service.verify_pdf(data).status is VerificationStatus.VALID
    document = service.transcript_document(serial, SCHOOL_ADMIN)
    found = service.transcript(serial, SCHOOL_ADMIN)
    assert document is not None
    assert found is not None
    real = found.content
    inflated = attrs.evolve(
        real, totals=tuple(attrs.evolve(t, amount=t.amount * 19) for t in real.totals)
    )
    forged = pdf.render(inflated, URL, document)
    assert service.verify_transcript(serial).status is VerificationStatus.VALID
    forged_answer = service.verify_pdf(forged)
    assert forged_answer.status is VerificationStatus.TAMPERED
    assert "打印内容" in forged_answer.note
    edited = json.loads(json.dumps(document))
    edited["content"]["totals"][0]["amount"] = "9.5"
    assert service.verify_pdf(pdf.render(real, URL, edited)).status is VerificationStatus.TAMPERED
    assert service.verify_pdf(pdf.render(real, URL)).status is VerificationStatus.MALFORMED
    assert service.verify_pdf(b"%PDF-1.4 not really").status is VerificationStatus.MALFORMED


def test_the_rulebooks_seal_is_printed_in_the_issuing_block(service: SecondClassroom) -> None:
    """Seed 002 二 4) 线下打印 (a stamped document): a rulebook's ``seal_png`` appears on the
    last page; a seal that is not a PNG makes the rulebook invalid."""
    import base64

    from PIL import Image

    from second_classroom.core.errors import DomainError
    from tests.specification import NEPU

    buffer = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 0, 0, 180)).save(buffer, "PNG")
    sealed = attrs.evolve(NEPU, seal_png=base64.b64encode(buffer.getvalue()).decode())
    student = graduated(service)
    serial = issue(service, student, at(12, 5))
    stamped = SecondClassroom(service.app, sealed, secret=service.secret)
    data = stamped.transcript_pdf(serial, SCHOOL_ADMIN, URL)
    plain = service.transcript_pdf(serial, SCHOOL_ADMIN, URL)
    assert data is not None
    assert plain is not None
    images = [len(page.images) for page in pypdf.PdfReader(io.BytesIO(data)).pages]
    assert images[-1] == 1
    assert [len(p.images) for p in pypdf.PdfReader(io.BytesIO(plain)).pages][-1] == 0
    assert stamped.verify_pdf(data).status is VerificationStatus.VALID
    with pytest.raises(DomainError, match="seal_png is not a PNG image"):
        attrs.evolve(NEPU, seal_png=base64.b64encode(b"GIF89a....").decode())
    with pytest.raises(DomainError, match="seal_png is not base64"):
        attrs.evolve(NEPU, seal_png="不是")


@pytest.mark.parametrize(
    "attached",
    [b"not json", b"[1, 2]", b'{"content": 7, "proof": {}}', b"{}", b'{"a": "\\ud800"}'],
)
def test_a_pdf_with_a_broken_attachment_answers_a_status(
    service: SecondClassroom, attached: bytes
) -> None:
    """Whatever a PDF carries, the 查证入口 answers a status, never an exception."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf.render(content(1), URL))))
    spec = writer.add_attachment(pdf.ATTACHMENT, attached)
    spec.description = pypdf.generic.TextStringObject("查证入口 " + URL)
    out = io.BytesIO()
    writer.write(out)
    assert service.verify_pdf(out.getvalue()).status is VerificationStatus.MALFORMED


def test_a_verify_url_no_page_can_hold_is_refused_not_raised(service: SecondClassroom) -> None:
    student = graduated(service)
    serial = issue(service, student, at(12, 5))
    document = service.transcript_document(serial, SCHOOL_ADMIN)
    found = service.transcript(serial, SCHOOL_ADMIN)
    assert found is not None
    huge = pdf.render(found.content, URL, document)
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(huge)))
    (attached,) = writer.attachment_list
    attached.description = pypdf.generic.TextStringObject("查证入口 " + "x" * 5000)
    out = io.BytesIO()
    writer.write(out)
    assert service.verify_pdf(out.getvalue()).status is VerificationStatus.TAMPERED


def test_a_line_credited_twice_in_one_type_shows_the_sum() -> None:
    """Participation 0.2 and an award 0.5 in the same credit type print as 0.7 on the line,
    as the totals count them (the demo's 最佳提问奖 printed 0.2 beside a total of 0.7)."""
    line = Line(
        uuid.UUID(int=1), "四六级宣讲会", "2026-12-03", "技能特长", "院系级", Decimal(2), "已参加",
        ("最佳提问奖",), (("学分", Decimal("0.2")), ("学分", Decimal("0.5"))),
    )  # fmt: skip
    printed = attrs.evolve(
        content(1),
        sections=(Section("技能特长", (line,)),),
        totals=(Total("技能特长", "学分", Decimal("0.7")),),
    )
    page = texts(pdf.render(printed, URL))[0]
    row = page[page.index("四六级宣讲会") : page.index("学分合计")].split()
    assert "0.7" in row
    assert "0.2" not in row


def test_the_totals_heading_names_what_is_totalled() -> None:
    """001 附件4 说明 4 学分类型…学时、小时: given a transcript whose totals are 学时 (a 三下乡
    team, 002 一 4)), when it is printed, then the totals are headed 学时合计, never 学分合计."""
    hours = content(2)
    hours = attrs.evolve(
        hours,
        sections=tuple(
            attrs.evolve(
                s,
                lines=tuple(
                    attrs.evolve(ln, credits=tuple(("学时", c) for _, c in ln.credits))
                    for ln in s.lines
                ),
            )
            for s in hours.sections
        ),
        totals=tuple(attrs.evolve(t, credit_type="学时") for t in hours.totals),
    )
    text = "".join(texts(pdf.render(hours, URL)))
    assert "学时合计" in text
    assert "学分合计" not in text
