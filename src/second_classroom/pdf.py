"""The printable transcript (线下打印, seed 002 二 4)): an A4 PDF laid out as a transcript and
built to be archived and checked.

- Set in one embedded, subset TrueType CJK font (``fonts``), so every viewer shows the same
  glyphs; aims at PDF/A-3b (XMP identification, an sRGB output intent, the signed document as
  an associated file). What is not met is listed in docs/architecture.md.
- A table per section (date, activity, module, level, hours, one column per credit type,
  result and awards), the header (school, student, serial) on every page, ``第 x 页 共 y 页``,
  a totals table per credit type, the issuing block with an optional seal, the QR code and the
  URL of the 查证入口, an optional ID photo slot (seed 000 第六条).
- Deterministic: no wall clock and no random id inside, so the same content, URL and images
  give the same bytes.
- It carries its proof: the signed JSON document is attached (``transcript.json``). A verifier
  checks the attached signature and then that every page shows exactly the text the signed
  content renders to, so a copy whose visible totals were edited fails although its serial is
  real.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from second_classroom import fonts
from second_classroom.aggregates.certificate import CertificateContent
from second_classroom.aggregates.transcript import Content, Line, heading_of
from second_classroom.policies import serials

ATTACHMENT = "transcript.json"
CERTIFICATE = "certificate.json"  # a certificate's attached signed document
_URL_LABEL = "查证入口 "  # the attachment's description: this label, then the verify URL
_PRODUCER = "second_classroom"


def render(
    content: Content,
    verify_url: str,
    document: Mapping[str, Any] | None = None,
    photo: bytes | None = None,
    seal: bytes | None = None,
) -> bytes:
    """The transcript PDF; ``document`` (the signed JSON document) is attached when given;
    ``photo`` (an ID photo) and ``seal`` (the school's seal) are PNG or JPEG bytes."""
    pages = _layout(content, verify_url, photo, seal)
    title = f"{heading_of(content)} {serials.display(content.serial)}"
    return _archival(pages, title, content.school, content.issued_at, verify_url, document)


def render_certificate(
    content: CertificateContent,
    verify_url: str,
    document: Mapping[str, Any] | None = None,
    seal: bytes | None = None,
) -> bytes:
    """A certificate's PDF (电子奖状、志愿时卡、聘书、荣誉证书, 002 二 8)): the same font, QR
    code, archival form and attached proof as a transcript (``certificate.json``)."""
    pages = _certificate_layout(content, verify_url, seal)
    title = f"{content.kind.label} {serials.display(content.serial)}"
    return _archival(
        pages, title, content.school, content.issued_at, verify_url, document, CERTIFICATE
    )


# -- layout (reportlab) ----------------------------------------------------------------------


def _number(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _layout(content: Content, verify_url: str, photo: bytes | None, seal: bytes | None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        CondPageBreak,
        Frame,
        KeepTogether,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    font = fonts.register_reportlab()
    width, height = A4
    margin = 15 * mm
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5)
    heading = ParagraphStyle("heading", parent=body, fontSize=11, leading=15, spaceBefore=6)
    serial = serials.display(content.serial)
    title = f"{content.school} {heading_of(content)}（{content.version.label}）"
    grid = [
        ("FONT", (0, 0), (-1, -1), font, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
    ]

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(_escape(text), style)

    credit_types = sorted(
        {kind for s in content.sections for ln in s.lines for kind, _ in ln.credits}
    )
    credit_types = sorted(set(credit_types) | {t.credit_type for t in content.totals})
    usable = width - 2 * margin
    fixed = [22 * mm, 22 * mm, 15 * mm, 10 * mm] + [16 * mm] * len(credit_types) + [22 * mm]
    widths = [fixed[0], usable - sum(fixed), *fixed[1:]]

    story: list[Any] = []
    story.append(_student_block(content, font, photo, usable))
    story.append(Spacer(1, 4 * mm))
    for section in content.sections:
        columns = ["日期", "活动", "模块/类别", "级别", "学时", *credit_types, "结果/获奖"]
        rows: list[list[Any]] = [[p(h, small) for h in columns]]
        rows.extend(_row(line, credit_types, p) for line in section.lines)
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([*grid, ("ALIGN", (4, 1), (-2, -1), "RIGHT")]))
        story.append(CondPageBreak(30 * mm))  # a heading never ends a page alone
        story.append(p(f"{section.heading}（{len(section.lines)} 项）", heading))
        story.append(table)
    story.append(_totals(content, credit_types, p, grid, usable))
    story.append(Spacer(1, 5 * mm))
    story.append(KeepTogether([_issuing_block(content, verify_url, font, seal, usable, p)]))

    def header(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 14)
        canvas.drawCentredString(width / 2, height - 14 * mm, title)
        canvas.setFont(font, 8.5)
        canvas.drawString(
            margin, height - 20 * mm, f"姓名：{content.name}    学号：{content.student_number}"
        )
        canvas.drawRightString(width - margin, height - 20 * mm, f"编号：{serial}")
        canvas.setLineWidth(0.6)
        canvas.line(margin, height - 22 * mm, width - margin, height - 22 * mm)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=25 * mm,
        bottomMargin=16 * mm,
        title=f"{heading_of(content)} {serial}",
        author=content.school,
        creator=_PRODUCER,
        producer=_PRODUCER,
        invariant=1,
        initialFontName=font,  # so the preamble names no unembedded Helvetica
    )
    frame = Frame(margin, 16 * mm, usable, height - 41 * mm, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=header)])
    doc.build(story, canvasmaker=_numbered(font, width, margin, serial))
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row(line: Line, credit_types: Sequence[str], p: Any) -> list[Any]:
    amounts: dict[str, Decimal] = {}
    for kind, amount in line.credits:  # participation and an award may credit the same type
        amounts[kind] = amounts.get(kind, Decimal(0)) + amount
    result = "、".join(part for part in (line.outcome, *line.awards) if part)
    return [
        p(line.date),
        p(line.title),
        p(line.module),
        p(line.level),
        p(_number(line.hours) if line.hours else ""),
        *[p(_number(amounts[kind]) if kind in amounts else "") for kind in credit_types],
        p(result),
    ]


def _student_block(content: Content, font: str, photo: bytes | None, usable: float) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Table, TableStyle

    issued = content.issued_at
    cells = [
        ["姓名", content.name, "学号", content.student_number],
        ["学院", content.college, "班级", content.class_name],
        ["年级", str(content.cohort), "层次", content.program],
        ["版式", f"{content.layout.label}·{content.version.label}", "签发日期", _date(issued)],
    ]
    info = Table(cells, colWidths=[16 * mm, 52 * mm, 18 * mm, 52 * mm])
    info.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.93, 0.93, 0.93)),
                ("BACKGROUND", (2, 0), (2, -1), colors.Color(0.93, 0.93, 0.93)),
            ]
        )
    )
    slot: Any = Image(io.BytesIO(photo), 25 * mm, 35 * mm) if photo else ""
    frame = Table([[slot], ["照片"]], colWidths=[27 * mm], rowHeights=[37 * mm, 5 * mm])
    frame.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 7.5),
                ("BOX", (0, 0), (0, 0), 0.4, colors.black),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    outer = Table([[info, frame]], colWidths=[usable - 30 * mm, 30 * mm])
    outer.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return outer


def _totals(
    content: Content, credit_types: Sequence[str], p: Any, grid: list[Any], usable: float
) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Table, TableStyle

    modules = list(dict.fromkeys(t.module for t in content.totals))
    amount = {(t.module, t.credit_type): t.amount for t in content.totals}
    rows: list[list[Any]] = [["模块", *credit_types]]
    for module in modules:
        cells = [
            _number(amount[(module, k)]) if (module, k) in amount else "" for k in credit_types
        ]
        rows.append([module, *cells])
    sums = [
        _number(sum((t.amount for t in content.totals if t.credit_type == k), Decimal(0)))
        for k in credit_types
    ]
    rows.append(["合计", *sums])
    widths = [50 * mm] + [max(22 * mm, (usable - 50 * mm) / max(len(credit_types), 1))] * len(
        credit_types
    )
    table = Table(
        [[p(c) if isinstance(c, str) else c for c in row] for row in rows], colWidths=widths
    )
    table.setStyle(TableStyle([*grid, ("ALIGN", (1, 1), (-1, -1), "RIGHT")]))
    # Named by what is totalled (学分, 学时…), never "学分" for 学时 (001 附件4 说明 4).
    title = f"{'、'.join(credit_types)}合计" if credit_types else "合计"
    heading = Paragraph(title, p("").style.clone("totals", fontSize=11, leading=15, spaceBefore=8))
    return KeepTogether([heading, table])


def _issuing_block(
    content: Content, verify_url: str, font: str, seal: bytes | None, usable: float, p: Any
) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Table, TableStyle

    serial = serials.display(content.serial)
    lines = [
        f"签发单位：{content.school}",
        f"签发日期：{_date(content.issued_at)}",
        f"成绩单编号：{serial}",
        "查证：扫描二维码或访问",
        # The address on a line of its own, so the serial in it is not broken across lines.
        f"{verify_url}?serial={content.serial}",
        "本成绩单附有签名的电子文件（transcript.json），可离线查验。",
    ]
    text = [p(line) for line in lines]
    drawing = _qr(f"{verify_url}?serial={content.serial}", 30 * mm)
    stamp: Any = Image(io.BytesIO(seal), 32 * mm, 32 * mm) if seal else ""
    table = Table([[text, stamp, drawing]], colWidths=[usable - 70 * mm, 36 * mm, 34 * mm])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONT", (0, 0), (-1, -1), font, 8.5)])
    )
    return table


def _qr(data: str, size: float) -> Any:
    """The QR code as filled squares (segno's matrix): no font, no image, exact to print."""
    import segno
    from reportlab.platypus import Flowable

    matrix = segno.make(data, error="m").matrix
    cell = size / (len(matrix) + 8)  # a quiet zone of four modules each side

    class QR(Flowable):  # type: ignore[misc]
        def wrap(self, *_: Any) -> tuple[float, float]:
            return size, size

        def draw(self) -> None:
            canvas = self.canv
            canvas.setFillColorRGB(0, 0, 0)
            top = size - 4 * cell
            for row, modules in enumerate(matrix):
                for column, dark in enumerate(modules):
                    if dark:
                        x, y = (column + 4) * cell, top - (row + 1) * cell
                        canvas.rect(x, y, cell, cell, stroke=0, fill=1)

    return QR()


def _date(moment: datetime) -> str:
    from second_classroom.core.time import in_words, local_date

    return in_words(local_date(moment))


def _numbered(font: str, width: float, margin: float, serial: str) -> type:
    """A canvas that holds its pages until the end to print ``第 x 页 共 y 页`` on each."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(font, 8)
                self.drawCentredString(width / 2, 9 * mm, f"第 {number} 页 共 {total} 页")
                self.drawRightString(width - margin, 9 * mm, serial)
                super().showPage()
            super().save()

    return NumberedCanvas


# -- certificates ------------------------------------------------------------------------------


def _certificate_layout(content: CertificateContent, verify_url: str, seal: bytes | None) -> bytes:
    """An A4 landscape certificate: a double border, the heading, the sentence, the details,
    the issuer and date with the seal, and the serial with the 查证 QR code and address."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        Image,
        KeepTogether,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    font = fonts.register_reportlab()
    width, height = landscape(A4)
    margin = 22 * mm
    serial = serials.display(content.serial)
    address = f"{verify_url}?serial={content.serial}"
    heading = ParagraphStyle(
        "heading", fontName=font, fontSize=34, leading=44, alignment=TA_CENTER, spaceAfter=8
    )
    body = ParagraphStyle(
        "body", fontName=font, fontSize=15, leading=26, wordWrap="CJK", firstLineIndent=30
    )
    small = ParagraphStyle("small", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    usable = width - 2 * margin

    def p(text: str, style: ParagraphStyle = small) -> Paragraph:
        return Paragraph(_escape(text), style)

    story: list[Any] = [
        Spacer(1, 10 * mm),
        p(content.heading, heading),
        p(content.body, body),
        Spacer(1, 4 * mm),
    ]
    if content.details:
        rows = [[p(label), p(value)] for label, value in content.details]
        wide = max(len(label) for label, _ in content.details) > 8  # a card's activity rows
        label_width = usable * 0.55 if wide else 30 * mm
        table = Table(rows, colWidths=[label_width, usable * 0.8 - label_width])
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font, 8.5),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(table)
        story.append(Spacer(1, 5 * mm))
    signed = [p(content.issuer, body), p(_date(content.issued_at), body)]
    if content.issuer != content.school:  # an organization's 聘书: the school it belongs to
        signed.insert(1, p(content.school, body))
    stamp: Any = Image(io.BytesIO(seal), 30 * mm, 30 * mm) if seal else ""
    check = [
        p(f"证书编号：{serial}"),
        p(f"学号：{content.student_number}    学院：{content.college}"),
        p("查证：扫描二维码或访问"),
        p(address),  # a line of its own, so the serial in it is not broken across lines
        p(f"本证书附有签名的电子文件（{CERTIFICATE}），可离线查验。"),
    ]
    foot = Table(
        [[check, _qr(address, 28 * mm), stamp, signed]],
        colWidths=[usable * 0.36, 32 * mm, 34 * mm, usable * 0.64 - 66 * mm],
    )
    foot.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONT", (0, 0), (-1, -1), font, 9)])
    )
    story.append(KeepTogether([foot]))

    def border(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setStrokeColorRGB(0.62, 0.11, 0.11)
        canvas.setLineWidth(3)
        canvas.rect(9 * mm, 9 * mm, width - 18 * mm, height - 18 * mm)
        canvas.setLineWidth(0.8)
        canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"{content.kind.label} {serial}",
        author=content.school,
        creator=_PRODUCER,
        producer=_PRODUCER,
        invariant=1,
        initialFontName=font,
    )
    frame = Frame(margin, margin, usable, height - 2 * margin, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=border)])
    doc.build(story)
    return buffer.getvalue()


# -- archival form (pypdf) -------------------------------------------------------------------


def _pdf_date(moment: datetime) -> str:
    offset = moment.strftime("%z")
    return f"D:{moment:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def _archival(
    pages: bytes,
    title: str,
    school: str,
    issued: datetime,
    verify_url: str,
    document: Mapping[str, Any] | None,
    attachment: str = ATTACHMENT,
) -> bytes:
    """PDF/A-3b identification, the output intent, fixed dates and id, the attachment."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pages)))
    writer.add_metadata(
        {
            "/Title": title,
            "/Author": school,
            "/Creator": _PRODUCER,
            "/Producer": _PRODUCER,
            "/CreationDate": _pdf_date(issued),
            "/ModDate": _pdf_date(issued),
        }
    )
    info = writer._info.get_object() if writer._info is not None else None
    assert isinstance(info, DictionaryObject)
    for key in ("/Subject", "/Keywords"):  # reportlab's placeholders, which XMP must repeat
        info.pop(key, None)  # (PDF/A 6.7.3): dropped rather than repeated
    xmp = DecodedStreamObject()
    xmp.set_data(_xmp(title, school, issued).encode())
    xmp.update(
        {NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")}
    )
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    icc = DecodedStreamObject()
    icc.set_data(_srgb_profile())
    icc.update({NameObject("/N"): NumberObject(3)})
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/Info"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/DestOutputProfile"): writer._add_object(icc),
        }
    )
    writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    if document is not None:
        data = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).encode()
        attached = writer.add_attachment(attachment, data)
        attached.subtype = NameObject("/application#2Fjson")
        attached.associated_file_relationship = NameObject("/Source")
        attached.modification_date = issued
        attached.description = TextStringObject(_URL_LABEL + verify_url)
        spec = attached.pdf_object
        spec[NameObject("/UF")] = TextStringObject(attachment)
        writer.root_object[NameObject("/AF")] = ArrayObject([spec.indirect_reference])
    digest = hashlib.sha256(pages + json.dumps(document, sort_keys=True).encode()).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _xmp(title: str, school: str, issued: datetime) -> str:
    when = issued.isoformat()
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{_escape(school)}</rdf:li></rdf:Seq></dc:creator>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:CreatorTool>{_PRODUCER}</xmp:CreatorTool>
   <pdf:Producer>{_PRODUCER}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def _srgb_profile() -> bytes:
    """An sRGB ICC profile built by Pillow's littleCMS (no file shipped, no download)."""
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    data = bytearray(profile.tobytes())
    # littleCMS stamps the wall clock into the header (bytes 24-35, then the profile id over
    # it): zero both, as ICC allows, so the same transcript gives the same bytes
    data[24:36] = bytes(12)
    data[84:100] = bytes(16)
    return bytes(data)


# -- reading a PDF back ----------------------------------------------------------------------


def attached_document(data: bytes) -> tuple[dict[str, Any], str] | None:
    """The signed document a transcript PDF carries and the verify URL it was printed with;
    None for a PDF without one (or bytes that are no PDF)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        for attached in reader.attachment_list:
            if attached.name not in (ATTACHMENT, CERTIFICATE):
                continue
            document = json.loads(attached.content)
            description = attached.description or ""
            if isinstance(document, dict) and description.startswith(_URL_LABEL):
                return document, description.removeprefix(_URL_LABEL)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        return None
    return None


def page_texts(data: bytes) -> list[str] | None:
    """The text each page shows, in order; None if the bytes are no readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError):
        return None


MAX_URL = 2000  # a verify URL longer than this was not printed by this library


def shows(data: bytes, content: Content | CertificateContent, verify_url: str) -> bool:
    """Whether every page of ``data`` shows exactly the text ``content`` renders to."""
    from reportlab.platypus.doctemplate import LayoutError

    if len(verify_url) > MAX_URL:
        return False
    given = page_texts(data)
    try:
        if isinstance(content, CertificateContent):
            expected = page_texts(_certificate_layout(content, verify_url, None))
        else:
            expected = page_texts(_layout(content, verify_url, None, None))
    except LayoutError:  # a URL no page can hold was not printed by us either
        return False
    return given is not None and given == expected
