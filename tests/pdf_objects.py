"""Typed reads of a PDF's objects with pypdf: each narrows to the kind the test expects there,
so a PDF of another shape fails at the read rather than deeper in the test."""

from __future__ import annotations

from pypdf import PageObject
from pypdf.generic import ArrayObject, DictionaryObject, NumberObject, PdfObject, StreamObject


def dictionary(value: PdfObject | None) -> DictionaryObject:
    """``value``, followed if indirect, as a dictionary (a stream's dictionary too)."""
    assert value is not None
    found = value.get_object()
    assert isinstance(found, DictionaryObject), found
    return found


def array(value: PdfObject | None) -> ArrayObject:
    """``value``, followed if indirect, as an array."""
    assert value is not None
    found = value.get_object()
    assert isinstance(found, ArrayObject), found
    return found


def stream(value: PdfObject | None) -> StreamObject:
    """``value``, followed if indirect, as a stream."""
    assert value is not None
    found = value.get_object()
    assert isinstance(found, StreamObject), found
    return found


def integer(value: PdfObject | None) -> int:
    """``value``, followed if indirect, as an integer."""
    assert value is not None
    found = value.get_object()
    assert isinstance(found, NumberObject), found
    return int(found)


def fonts(page: PageObject) -> list[DictionaryObject]:
    """The font dictionaries the page's resources name."""
    named = dictionary(dictionary(page["/Resources"])["/Font"])
    return [dictionary(font) for font in named.values()]
