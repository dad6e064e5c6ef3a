"""The one CJK font every artifact (the transcript PDF, the report chart) is set in.

文泉驿微米黑 (WenQuanYi Micro Hei), TrueType (glyf) outlines, licensed under the Apache License
2.0 (or GPLv3 with the font embedding exception), embedding allowed (OS/2 fsType 8). It comes
with the ``paperang-p2-fonts-cjk`` wheel from PyPI, a dependency of this library: nothing is
downloaded at run time and no system font is looked up, so every machine renders the same.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

FAMILY = "WenQuanYi Micro Hei"
LICENCE = "Apache-2.0"
PDF_NAME = "WQYMicroHei"  # the name reportlab registers the font under


@functools.cache
def cjk_font_path() -> Path:
    """The TrueType collection holding the font (face 0 is the proportional face)."""
    return Path(str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))


def register_reportlab() -> str:
    """Register the font with reportlab once; the name to ``setFont`` with."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if PDF_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PDF_NAME, str(cjk_font_path()), subfontIndex=0))
    return PDF_NAME
