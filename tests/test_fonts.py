"""The embedded CJK font (issue 15 §1): 文泉驿微米黑 0.2.0-beta as upstream released it, under the
Apache License 2.0, embeddable; any other file under its name is refused before it is used."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTCollection

from second_classroom import fonts
from second_classroom.core.errors import DomainError


def test_the_installed_font_is_upstreams_release_licensed_apache_and_embeddable() -> None:
    face = TTCollection(str(fonts.cjk_font_path())).fonts[0]
    names = {
        r.nameID: r.toUnicode()
        for r in face["name"].names
        if r.platformID == 3 and r.langID == 0x409  # Windows, English (US)
    }
    assert names[1] == fonts.FAMILY
    assert names[5] == "Version 0.2.0-beta"
    assert names[13] == "Licensed under the Apache License, Version 2.0"
    assert face["OS/2"].fsType == 8  # editable embedding: a PDF may carry a subset


def test_a_font_file_that_is_not_the_release_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the wheel's file and another expected digest (as if the file had changed), when
    the path is asked for, then ``config.font_unexpected`` names it."""
    monkeypatch.setattr(fonts, "SHA256", "0" * 64)
    fonts.cjk_font_path.cache_clear()
    try:
        with pytest.raises(DomainError) as refused:
            fonts.cjk_font_path()
        assert refused.value.code == "config.font_unexpected"
    finally:
        fonts.cjk_font_path.cache_clear()
