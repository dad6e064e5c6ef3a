"""The 补录 list template of seed 001 附件4 (成长记录补充模板) as the school's rulebook writes it,
and the same template filled in and saved as a user would."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from second_classroom import backfill
from second_classroom.policies.rulebook import Rulebook
from tests.claim_world import SICHUAN


def template(rulebook: Rulebook = SICHUAN) -> bytes:
    """The empty template ``rulebook`` writes."""
    out = io.BytesIO()
    backfill.write_template(rulebook, out)
    return out.getvalue()


def filled(*rows: tuple[Any, ...], rulebook: Rulebook = SICHUAN) -> bytes:
    """The template with ``rows`` from row 7, saved as a user would."""
    book = openpyxl.load_workbook(io.BytesIO(template(rulebook)))
    sheet = book.worksheets[0]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(backfill.FIRST_DATA_ROW + offset, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
