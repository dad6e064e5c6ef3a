"""The one CJK font every artifact (the transcript PDF, the certificates, the report chart) is
set in.

文泉驿微米黑 (WenQuanYi Micro Hei) 0.2.0-beta, TrueType (glyf) outlines, licensed under the
Apache License 2.0 (or GPLv3 with the font embedding exception), embedding allowed (OS/2 fsType
8). It comes with the ``paperang-p2-fonts-cjk`` wheel from PyPI, a dependency pinned to one
version: nothing is downloaded at run time and no system font is looked up, so every machine
renders the same. The wheel is a third party's repackaging (its own metadata says MIT, which
covers the wrapper, not the font), so the file is checked against upstream's release — the same
bytes Debian ships as ``fonts-wqy-microhei`` 0.2.0-beta — before it is used: another file under
that name is refused (docs/architecture.md, "The font").
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path

from second_classroom.core.errors import Category, ErrorCode, require

FAMILY = "WenQuanYi Micro Hei"
LICENCE = "Apache-2.0"
PDF_NAME = "WQYMicroHei"  # the name reportlab registers the font under
# SHA-256 of wqy-microhei.ttc 0.2.0-beta (upstream's release; Debian's fonts-wqy-microhei).
SHA256 = "2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3"

FONT_UNEXPECTED = ErrorCode(
    "config.font_unexpected",
    "内嵌字体文件不是文泉驿微米黑 0.2.0-beta 的发布版本（{path}）",
    "The embedded font file is not WenQuanYi Micro Hei 0.2.0-beta as released ({path})",
    Category.UNAVAILABLE,
)


@functools.cache
def cjk_font_path() -> Path:
    """The TrueType collection holding the font (face 0 is the proportional face), once its
    bytes are checked to be upstream's release."""
    path = Path(str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    require(digest == SHA256, FONT_UNEXPECTED, path=str(path))
    return path


def register_reportlab() -> str:
    """Register the font with reportlab once; the name to ``setFont`` with."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if PDF_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PDF_NAME, str(cjk_font_path()), subfontIndex=0))
    return PDF_NAME
