"""Dashboard tables as files: CSV (`;`, UTF-8 with BOM, what French spreadsheets open) and XLSX.

Every text cell is neutralised against formula injection: a value a spreadsheet would run as a
formula (starting with =, +, -, @, a tab or a carriage return) gets a leading apostrophe. Numbers
stay numbers. The views decide what may be exported (the same scope as the page shown).
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.text import slugify

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | Decimal | datetime.date | None


@dataclass(frozen=True)
class Table:
    """A table to export: a title (the sheet's name), column headers and rows of plain values."""

    title: str
    headers: list[str]
    rows: list[list[Cell]]


def neutralise(value: Cell | Promise) -> Cell:
    """The value as a spreadsheet must store it: text that looks like a formula is quoted.

    Labels may still be lazy translations (chart headers, choice labels): they are made plain text
    here, the one door every cell goes through, since openpyxl refuses anything but plain types."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float | Decimal):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(neutralise(value))


def csv_response(table: Table, filename: str) -> HttpResponse:
    """The table as a `;`-separated CSV download with a BOM."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    return response


def xlsx_bytes(tables: list[Table]) -> bytes:
    """One sheet per table, headers in bold, every text cell neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for table in tables:
        # Sheet names: 31 characters at most, no []:*?/\ and unique.
        name = "".join(c for c in str(table.title) if c not in "[]:*?/\\")[:28] or "Feuille"
        while name in used:
            name = name[:26] + f"_{len(used)}"
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append([neutralise(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([float(v) if isinstance(v, Decimal) else neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(tables: list[Table], filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(tables), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.xlsx"'
    return response


def response_for(fmt: str, tables: list[Table], filename: str) -> HttpResponse:
    """CSV of the first table, or XLSX of all of them."""
    if fmt == "csv":
        return csv_response(tables[0], filename)
    return xlsx_response(tables, filename)
