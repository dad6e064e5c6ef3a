"""查证入口 (000 第四条): the public verification page. Anyone may check a transcript by its
serial, by the JSON document the student handed over, or by the transcript PDF (its attached
signed document, and every page showing exactly that content); the page shows the status, the
transcript's visible content and the signing key id — nothing else about the student, save
for a 聘书 whose term ended early since: the day, and whether resigned or dismissed.
Rate-limited per client, since it needs no sign-in."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from second_classroom.aggregates.certificate import CertificateContent
from second_classroom.aggregates.transcript import Content
from second_classroom.core.time import SHANGHAI, in_words, local_date
from second_classroom.http.refusals import MAX_BODY
from second_classroom.policies import serials
from second_classroom.service import Verification

# The headline for each status (000 第四条); a status added later shows its own label.
HEADLINES = {
    "valid": "有效",
    "revoked": "已撤销",
    "superseded": "已被替代",
    "tampered": "被篡改",
    "unknown": "无效",
    "unknown_key": "无效",  # signed, but not with a key the school published
    "malformed": "无效",
}
MAX_UPLOAD = MAX_BODY  # bytes of an uploaded request: the API's own body cap
NOT_A_DOCUMENT = "文件格式不符：请上传成绩单或电子证书的 PDF 或 JSON 文件"
TOO_LARGE = f"文件过大：上传的文件不能超过 {MAX_UPLOAD // 1024} KB"
NO_PAGE = "页面不存在：请输入成绩单或证书上的编号查证"


class RateLimiter:
    """A token bucket per client: ``rate`` requests per ``per`` seconds, bursts up to it."""

    def __init__(
        self, rate: int = 30, per: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 when ``client`` may go on; else the seconds until it may."""
        now = self.clock()
        with self._lock:
            if len(self._buckets) > 100_000:  # forget idle clients rather than grow forever
                self._buckets.clear()
            tokens, last = self._buckets.get(client, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * self.rate / self.per)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) * self.per / self.rate


def headline(verification: Verification) -> str:
    status = verification.status
    return HEADLINES.get(str(status.value), getattr(status, "label", "无效"))


def detail(verification: Verification) -> str:
    """The verdict's own label (a certificate's in a certificate's words) and the register's
    note, less what the headline says."""
    parts = (verification.label, verification.note)
    return "；".join(p for p in parts if p and p != headline(verification))


_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;padding:1rem;max-width:40rem;margin:auto;line-height:1.6;color:#222}
h1{font-size:1.3rem}.status{font-size:2rem;font-weight:bold;padding:.5rem 1rem;
border-radius:.5rem;display:inline-block}.ok{background:#e3f6e8;color:#146c2e}
.bad{background:#fde8e8;color:#a01818}.warn{background:#fff4dc;color:#8a5a00}
.notice{padding:.5rem 1rem;border-radius:.5rem}
table{border-collapse:collapse;width:100%;font-size:.95rem}td,th{border-bottom:1px solid #ddd;
padding:.3rem;text-align:left;vertical-align:top}input,button{font-size:1rem;padding:.5rem;
width:100%;box-sizing:border-box;margin:.3rem 0}.muted{color:#666;font-size:.85rem}
"""


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def form_page(message: str = "") -> str:
    """The form: a serial, or a PDF or JSON document to upload."""
    notice = f'<p class="status warn">{escape(message)}</p>' if message else ""
    return page(
        "成绩单查证",
        "<h1>第二课堂成绩单查证</h1>"
        f"{notice}"
        '<form method="get" action="/verify/">'
        '<label for="serial">成绩单编号或证书编号</label>'
        '<input id="serial" name="serial" placeholder="XXXX-XXXX-XXX" autocomplete="off" required>'
        "<button>查证</button></form>"
        '<form method="post" action="/verify" enctype="multipart/form-data">'
        '<label for="document">或上传电子成绩单、电子证书（PDF 或 JSON）</label>'
        '<input id="document" type="file" name="document"'
        ' accept=".pdf,.json,application/pdf,application/json"'
        " required><button>上传查证</button></form>"
        '<p class="muted">查证结果只显示成绩单上印有的内容与签名密钥编号。</p>',
    )


def result_page(verification: Verification) -> str:
    """The verdict, then what the transcript shows (only when it is genuine)."""
    status = str(verification.status.value)
    tone = "ok" if status == "valid" else "warn" if status in ("revoked", "superseded") else "bad"
    shown = serials.display(verification.serial) if serials.is_valid(verification.serial) else ""
    serial = shown or verification.serial
    parts = [
        "<h1>第二课堂成绩单查证</h1>",
        f'<p><span class="status {tone}" id="status">{escape(headline(verification))}</span></p>',
        f'<p id="detail">{escape(detail(verification))}</p>',
        f'<p>编号：<strong id="serial">{escape(serial[:64])}</strong></p>',
    ]
    if verification.key_id:
        parts.append(f'<p>签名密钥：<code id="key">{escape(verification.key_id)}</code></p>')
    if verification.content is not None:
        parts.append(_content(verification.content))
    if verification.certificate is not None:
        parts.append(_certificate(verification.certificate))
    if verification.term_ended is not None:  # true when issued, but the term did not run out
        sentence = escape(verification.term_ended.sentence)
        parts.append(f'<p class="notice warn" id="term-ended">{sentence}</p>')
    parts.append('<p><a href="/verify">查证另一份</a></p>')
    return page(f"查证结果：{headline(verification)}", "".join(parts))


def _content(content: Content) -> str:
    rows = [
        ("学校", content.school),
        ("姓名", content.name),
        ("学号", content.student_number),
        ("学院", content.college),
        ("班级", content.class_name),
        ("年级", str(content.cohort)),
        ("签发时间", _issued(content.issued_at)),
    ]
    head = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    sections = []
    for section in content.sections:
        lines = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                escape(line.date),
                escape(line.title),
                escape(
                    line.outcome + ("（" + "、".join(line.awards) + "）" if line.awards else "")
                ),
                escape("；".join(f"{amount} {kind}" for kind, amount in line.credits)),
            )
            for line in section.lines
        )
        sections.append(
            f"<h2>{escape(section.heading)}</h2><table><tr><th>日期</th><th>活动</th>"
            f"<th>结果</th><th>学分</th></tr>{lines}</table>"
        )
    totals = "".join(
        f"<tr><td>{escape(t.module)}</td><td>{escape(str(t.amount))} {escape(t.credit_type)}"
        "</td></tr>"
        for t in content.totals
    )
    return (
        f'<table id="content">{head}</table>{"".join(sections)}<h2>合计</h2><table>{totals}</table>'
    )


def _certificate(content: CertificateContent) -> str:
    """What a certificate (002 二 8)) shows: its kind, holder, sentence and details."""
    rows = [
        ("证书", content.kind.label),
        ("颁发", content.issuer),
        ("姓名", content.name),
        ("学号", content.student_number),
        ("学院", content.college),
        ("内容", content.body),
        *content.details,
        ("签发时间", _issued(content.issued_at)),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table id="content">{body}</table>'


def _issued(moment: datetime) -> str:
    """The signing time as a reader in China reads it: Beijing time, in words."""
    return f"{in_words(local_date(moment))} {moment.astimezone(SHANGHAI):%H:%M}（北京时间）"


def is_pdf(data: bytes) -> bool:
    """A PDF: its header (``%PDF-``) within the first 1024 bytes, as readers accept it."""
    return b"%PDF-" in data[:1024]


def read_document(data: bytes) -> dict[str, Any] | None:
    """An uploaded JSON document, or None if it is not a JSON object."""
    if len(data) > MAX_UPLOAD:
        return None
    try:
        found = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) else None
