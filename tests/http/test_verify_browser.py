"""The 查证 page in a real browser (000 第四条): Debian's chromium, headless, on a phone-sized
window, by serial and by uploading the transcript PDF through the form. Skipped with a reason
when chromium is absent, unless SECOND_CLASSROOM_REQUIRE_BROWSER=1 (CI) makes that a failure.
The screenshots are written to ``SECOND_CLASSROOM_SCREENSHOTS`` (default: the test's temporary
folder) for people to look at."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
import pytest

from second_classroom import pdf
from second_classroom.http import HttpSettings, create_app
from second_classroom.policies import serials
from tests.http.browser import chromium, headless
from tests.http.demo_world import ADMIN, Transcripts, demo_transcripts
from tests.http.live_server import live_server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Transcripts]]:
    demo = demo_transcripts(tmp_path_factory.mktemp("demo"))
    app = create_app(demo.service, HttpSettings(worker=False))
    try:
        with live_server(app) as url:
            yield url, demo
    finally:
        demo.service.close()


@pytest.mark.parametrize(("which", "expected"), [("valid", "有效"), ("revoked", "已撤销")])
def test_the_browser_renders_the_verdict_and_the_serial(
    site: tuple[str, Transcripts], which: str, expected: str, tmp_path: Path
) -> None:
    browser = chromium()
    url, demo = site
    serial = getattr(demo, which)
    page = f"{url}/verify/{serials.display(serial)}"
    dom = headless(browser, "--dump-dom", page)
    assert f'id="status">{expected}</span>' in dom
    assert f'id="serial">{serials.display(serial)}</strong>' in dom
    folder = Path(os.environ.get("SECOND_CLASSROOM_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"verify-{which}.png"
    headless(browser, f"--screenshot={shot}", page)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# Headless chromium from the command line has no file chooser, so a script fills the form's
# own file input (a DataTransfer, as a drop would) and submits the form: the browser builds the
# multipart request as it would for a person.
_CHOOSE_AND_SUBMIT = (
    "<script>window.addEventListener('load', () => {"
    "const bytes = Uint8Array.from(atob('%s'), c => c.charCodeAt(0));"
    "const chosen = new DataTransfer();"
    "chosen.items.add(new File([bytes], 'transcript.pdf', {type: 'application/pdf'}));"
    "const input = document.getElementById('document');"
    "input.files = chosen.files; input.form.submit();});</script>"
)


def upload_through_the_form(browser: str, url: str, data: bytes, folder: Path) -> str:
    """The DOM the browser shows after uploading ``data`` with the /verify form."""
    form = httpx.get(f"{url}/verify").text
    script = _CHOOSE_AND_SUBMIT % base64.b64encode(data).decode("ascii")
    chooser = folder / "choose.html"
    chooser.write_text(
        form.replace("<head>", f'<head><base href="{url}/verify">').replace(
            "</body>", script + "</body>"
        ),
        encoding="utf-8",
    )
    # Virtual time lets the submitted form's navigation finish before the DOM is dumped; but
    # it does not wait for a slow server (a PDF is re-rendered to be checked, seconds on a
    # loaded machine), and then the dump is empty, or the browser is stopped for its CPU
    # (SIGXCPU, seen in a full run): ask again, with a longer budget each time.
    dom = ""
    for attempt in range(8):
        budget = f"--virtual-time-budget={10_000 * (attempt + 1)}"
        try:
            dom = headless(browser, budget, "--dump-dom", chooser.as_uri())
        except subprocess.CalledProcessError:
            continue
        if 'id="status"' in dom:
            break
    return dom


def test_an_uploaded_pdf_is_checked_in_the_browser(
    site: tuple[str, Transcripts], tmp_path: Path
) -> None:
    """Given the demo's transcript PDF uploaded with the form: 有效 and its serial; the same
    PDF printed with the totals ×19 (the real serial and signed attachment kept): 被篡改."""
    browser = chromium()
    url, demo = site
    genuine = demo.service.transcript_pdf(demo.valid, ADMIN, f"{url}/verify")
    found = demo.service.transcript(demo.valid, ADMIN)
    document = demo.service.transcript_document(demo.valid, ADMIN)
    assert genuine is not None
    assert found is not None
    assert document is not None
    inflated = attrs.evolve(
        found.content,
        totals=tuple(attrs.evolve(t, amount=t.amount * 19) for t in found.content.totals),
    )
    forged = pdf.render(inflated, f"{url}/verify", document)
    folder = Path(os.environ.get("SECOND_CLASSROOM_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    cases = (("pdf-valid", genuine, "有效"), ("pdf-tampered", forged, "被篡改"))
    for name, data, expected in cases:
        dom = upload_through_the_form(browser, url, data, tmp_path)
        assert f'id="status">{expected}</span>' in dom
        assert f'id="serial">{serials.display(demo.valid)}</strong>' in dom
        shown = tmp_path / f"{name}.html"
        shown.write_text(dom, encoding="utf-8")
        shot = folder / f"verify-{name}.png"
        headless(browser, f"--screenshot={shot}", shown.as_uri())
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_letter_whose_term_ended_early_shows_the_line_in_the_browser(tmp_path: Path) -> None:
    """002 一 3) 电子聘书: given a letter whose holder was dismissed on 12月20日 after it was
    issued, the browser shows 有效, the letter's post, and the line saying when and how the
    term ended (the screenshot ``verify-letter-ended.png`` is kept for people to look at)."""
    from second_classroom.aggregates.cadre import EndCadreTerm, TermEnd
    from second_classroom.aggregates.certificate import CertificateKind
    from second_classroom.persistence.stores import popo_env
    from second_classroom.service import SecondClassroom
    from tests.certificate_world import RULES, TERM, commands, issue, world
    from tests.enrolment_world import LEADER, UNION
    from tests.specification import at
    from tests.stores import TEST_SECRET

    browser = chromium()
    with SecondClassroom.open(popo_env(), RULES, secret=TEST_SECRET) as service:
        w = world(service)
        command, actor = commands(w)[CertificateKind.APPOINTMENT]
        serial = issue(service, command, actor)
        dismissed = EndCadreTerm(
            UNION.tribe_id, TERM, w.student.person_id, TermEnd.DISMISSED, "多次无故缺席例会"
        )
        service.execute(dismissed, LEADER, at(12, 20, 15))
        with live_server(create_app(service, HttpSettings(worker=False))) as url:
            page = f"{url}/verify/{serials.display(serial)}"
            dom = headless(browser, "--dump-dom", page)
            folder = Path(os.environ.get("SECOND_CLASSROOM_SCREENSHOTS", tmp_path))
            folder.mkdir(parents=True, exist_ok=True)
            shot = folder / "verify-letter-ended.png"
            headless(browser, f"--screenshot={shot}", page)
    assert 'id="status">有效</span>' in dom
    assert "宣传部部长" in dom
    line = "该聘书所载任期已于2026年12月20日因免职提前结束；聘书签发时所载内容属实。"
    assert f'id="term-ended">{line}</p>' in dom
    assert "多次无故缺席例会" not in dom
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
