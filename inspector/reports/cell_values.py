"""Turning an exported ledger's values into cells that open safely and come back unchanged.

- :func:`typed_original`: an original column's text becomes a number or a date
  only when reading that cell back (``ledger_values.cell_text``) gives exactly
  the same text, so a re-import sees the same ledger, byte for byte; ``007``,
  ``1e5`` or an 18-digit number stay text.
- :func:`formula_like`: text a spreadsheet could take for a formula (``=``,
  ``+``, ``-``, ``@``, tab or carriage return first). The xlsx writer stores
  every text as a string cell, never a formula; the CSV writer, which cannot
  say "string", puts an apostrophe before such a text and reports it.
- :func:`cell_safe_text`: characters a spreadsheet cannot hold (C0 controls
  other than tab and line breaks) become U+FFFD, and a text longer than a
  cell holds is cut; both are reported. Original columns never need it (the
  importer refused such rows); progress texts typed on a device might.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from inspector.errors import Message
from inspector.importers.ledger_values import cell_text

MAX_CELL_CHARS = 32_767  # characters in one cell: Excel's own limit
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d{1,15}(?:\.\d{1,15})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?")
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT = "\ufffd"
TYPED_CACHE_ENTRIES = 65_536  # cell texts remembered with their typed value (ledgers repeat names, dates, units)


@functools.lru_cache(maxsize=TYPED_CACHE_ENTRIES)
def typed_original(text: str | None) -> str | float | dt.date | dt.datetime | None:
    """The cell value for an original column's text (see the module docstring)."""
    if text is None:
        return None
    if _NUMBER.fullmatch(text):
        number = float(text)
        if cell_text(number) == text:
            return number
    elif _DATE.fullmatch(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        value: dt.date | dt.datetime = moment.date() if len(text) == 10 else moment
        if cell_text(value) == text:
            return value
    return text


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (a plain negative number cannot)."""
    return text.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(text)


def cell_safe_text(text: str) -> tuple[str, Message | None]:
    """``text`` as a cell can hold it, and what was changed (None when nothing was)."""
    notes = []
    if _UNWRITABLE.search(text):
        text = _UNWRITABLE.sub(REPLACEMENT, text)
        notes.append(Message("控制字符已替换为 �", "control characters replaced by �"))
    if len(text) > MAX_CELL_CHARS:
        notes.append(Message(f"文本长 {len(text):,} 个字符，超出单元格上限，已截断为 {MAX_CELL_CHARS:,} 个",
                             f"text of {len(text):,} characters cut to the {MAX_CELL_CHARS:,} a cell holds"))
        text = text[:MAX_CELL_CHARS]
    return text, Message.joined(notes) if notes else None


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: two for a CJK (wide) character, one otherwise."""
    return sum(2 if ord(ch) > 0x2e80 else 1 for ch in text)


def string_cell(sheet: Any, text: str) -> Any:
    """A write-only sheet's cell holding ``text`` as a string even when it starts with ``=`` (openpyxl would
    otherwise store a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def xlsx_row(sheet: Any, values: list[Any]) -> list[Any]:
    """``values`` ready for ``sheet.append``: texts starting with ``=`` as string cells."""
    return [string_cell(sheet, v) if type(v) is str and v[:1] == "=" else v for v in values]
