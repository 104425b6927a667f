"""Spreadsheet safety: the one place that turns platform values into CSV and XLSX cells.

Every CSV and XLSX the platform writes (dashboard and national exports, import templates, the
personal-data export) goes through `xlsx_cell` / `csv_cell`, so each rule holds for all of them:

- **Formula injection**: text a spreadsheet could run as a formula or a DDE call gets a leading
  apostrophe (`neutralise`). Not only the first character: a formula sign after leading blanks or
  control characters (" =cmd", "\\t=…"), full-width signs (« ＝ »), and DDE links (`cmd|' /C calc'!A0`)
  are quoted too. Numbers stay numbers (a negative number is not text).
- **Characters XLSX cannot hold** (XML 1.0 forbids most control characters, e.g. a pasted `\\x1b`)
  are removed from text, in CSV as well, so that both formats say the same thing.
- **Anything else becomes plain text**: a lazy translation, a model, a UUID is written as `str()`,
  never handed to openpyxl as an object it cannot store (which answered 500).
- **Excel's cell limit** (32,767 characters) is respected: longer text is cut with « … ».
"""

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

# Signs that start a formula in Excel, LibreOffice or Google Sheets, ASCII and full-width forms.
FORMULA_SIGNS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\ufe62", "\ufe63", "\ufe66", "\uff20")
# A tab or carriage return first makes some spreadsheets re-split the cell, then evaluate it.
BLANK_STARTS = ("\t", "\r", "\n")
# `app|'argument'!cell`: a DDE call, live once anything before it makes the cell a formula.
# The look-behind starts a match only at the beginning of a word: linear time on any text.
DDE_PATTERN = re.compile(r"(?<![\w.])[\w.]+\s*\|\s*'[^']*'\s*!")
# XML 1.0 refuses these code points (openpyxl raises IllegalCharacterError on them).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What is skipped before looking for a formula sign: blanks and control characters.
LEADING_NOISE = re.compile(r"^[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff]*")
EXCEL_MAX_CELL_CHARS = 32_767
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Number = int | float | Decimal


def neutralise(text: str) -> str:
    """`text` as a spreadsheet must store it: quoted when it could run as a formula or DDE call."""
    if not text:
        return text
    rest = LEADING_NOISE.sub("", text, count=1)
    if (
        text.startswith(BLANK_STARTS)
        or rest.startswith(FORMULA_SIGNS)
        or ("|" in text and DDE_PATTERN.search(text))
    ):
        return "'" + text
    return text


def clean_text(text: str) -> str:
    """`text` without the characters an XLSX file cannot hold."""
    return XML_ILLEGAL.sub("", text)


def _as_text(value) -> str:
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    # str() also resolves lazy translations and any object a caller passes by mistake.
    return neutralise(clean_text(str(value)))


def _is_number(value) -> bool:
    """A finite number (NaN and infinities are written as text: no spreadsheet stores them)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return isinstance(value, int) or math.isfinite(value)


def xlsx_cell(value):
    """A value openpyxl stores as the user meant it: number, date, empty, or inert text."""
    if value is None:
        return None
    if _is_number(value):
        return value
    if isinstance(value, dt.datetime):
        # Excel has no time zones: local time, as the pages show it.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date | dt.time):
        return value
    text = _as_text(value)
    if len(text) > EXCEL_MAX_CELL_CHARS:
        text = text[: EXCEL_MAX_CELL_CHARS - 1] + "…"
    return text


def french_number(value: Number) -> str:
    """A decimal number as French spreadsheets read it: decimal comma, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").replace(".", ",")


def csv_cell(value, *, date_format: str = "%d/%m/%Y") -> str:
    """A value as CSV text: French numbers, dates in `date_format`, inert text."""
    if value is None:
        return ""
    if _is_number(value):
        return french_number(value)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime(date_format + " %H:%M")
    if isinstance(value, dt.date):
        return value.strftime(date_format)
    return _as_text(value)


def csv_bytes(
    header: Iterable, rows: Iterable[Iterable], *, date_format: str = "%d/%m/%Y", bom: bool = True
) -> bytes:
    """`;`-separated CSV in UTF-8 (with a BOM: what French spreadsheets open without asking)."""
    return csv_text(header, rows, date_format=date_format, bom=bom).encode("utf-8")


def csv_text(
    header: Iterable, rows: Iterable[Iterable], *, date_format: str = "%d/%m/%Y", bom: bool = False
) -> str:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v, date_format=date_format) for v in row])
    return buffer.getvalue()


@dataclass(frozen=True)
class Sheet:
    """One sheet to write: its title, the header row (bold, frozen) and rows of plain values."""

    title: str
    headers: list
    rows: Iterable[Iterable]


def sheet_title(title: str, used: set[str]) -> str:
    """A valid, unique sheet name: 31 characters at most, none of []:*?/\\ nor control characters."""
    name = "".join(c for c in clean_text(str(title)) if c not in "[]:*?/\\").strip("' ")[:28] or "Feuille"
    base, number = name[:26], 1
    while name.casefold() in used:
        number += 1
        name = f"{base}_{number}"
    used.add(name.casefold())
    return name


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook of `sheets`, written row by row (openpyxl's write-only mode, flat memory)."""
    # local import: openpyxl is slow to import and only XLSX downloads need it.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet_title(sheet.title, used))
        worksheet.freeze_panes = "A2"
        header = []
        for value in sheet.headers:
            cell = WriteOnlyCell(worksheet, value=xlsx_cell(value))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for row in sheet.rows:
            worksheet.append([xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
