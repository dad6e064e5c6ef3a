"""Typed reads of a PDF's objects with pypdf: each narrows to the kind the test expects there,
so a PDF of another shape fails at the read rather than deeper in the test."""

from __future__ import annotations

from typing import TypeVar

from pypdf import PageObject
from pypdf.generic import ArrayObject, DictionaryObject, NumberObject, PdfObject, StreamObject

T = TypeVar("T")


def _followed(value: PdfObject | None, kind: type[T]) -> T:
    """``value``, followed if indirect, asserted to be a ``kind``."""
    assert value is not None
    found = value.get_object()
    assert isinstance(found, kind), found
    return found


def dictionary(value: PdfObject | None) -> DictionaryObject:
    """``value``, followed if indirect, as a dictionary (a stream's dictionary too)."""
    return _followed(value, DictionaryObject)


def array(value: PdfObject | None) -> ArrayObject:
    """``value``, followed if indirect, as an array."""
    return _followed(value, ArrayObject)


def stream(value: PdfObject | None) -> StreamObject:
    """``value``, followed if indirect, as a stream."""
    return _followed(value, StreamObject)


def integer(value: PdfObject | None) -> int:
    """``value``, followed if indirect, as an integer."""
    return int(_followed(value, NumberObject))


def fonts(page: PageObject) -> list[DictionaryObject]:
    """The font dictionaries the page's resources name."""
    named = dictionary(dictionary(page["/Resources"])["/Font"])
    return [dictionary(font) for font in named.values()]
