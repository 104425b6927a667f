"""Dashboard tables as files: CSV (`;`, UTF-8 with BOM, what French spreadsheets open) and XLSX.

Cells are written by `atc.spreadsheets` (formula guard, characters XLSX cannot hold, plain text
for anything that is not a number or a date). The views decide what may be exported (the same
scope as the page shown).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify

from atc import spreadsheets

Cell = str | int | float | Decimal | datetime.date | None


@dataclass(frozen=True)
class Table:
    """A table to export: a title (the sheet's name), column headers and rows of plain values."""

    title: str
    headers: list[str]
    rows: list[list[Cell]]


def csv_response(table: Table, filename: str) -> HttpResponse:
    """The table as a `;`-separated CSV download with a BOM."""
    body = spreadsheets.csv_bytes(table.headers, table.rows)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    return response


def xlsx_bytes(tables: list[Table]) -> bytes:
    """One sheet per table, headers in bold."""
    return spreadsheets.xlsx_bytes(spreadsheets.Sheet(t.title, t.headers, t.rows) for t in tables)


def xlsx_response(tables: list[Table], filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(tables), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.xlsx"'
    return response


def response_for(fmt: str, tables: list[Table], filename: str) -> HttpResponse:
    """CSV of the first table, or XLSX of all of them."""
    if fmt == "csv":
        return csv_response(tables[0], filename)
    return xlsx_response(tables, filename)
