"""The template files a site downloads to fill in: the kind's columns as a CSV header line, or an
XLSX with drop-down lists and a help sheet. Both are written through `atc.spreadsheets`, the one
formula guard."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from atc import spreadsheets
from atc.spreadsheets import neutralise
from pilotage.imports.resources import EXAMPLE_MARK, Date
from pilotage.imports.services import ImportKind


def _example_row(kind: ImportKind) -> list[str]:
    example = kind.resource().example()
    return [example.get(column.key, "") for column in kind.columns()]


def template_csv(kind: ImportKind) -> bytes:
    """The CSV template: the header line and one example row (which the import skips),
    `;`-separated, UTF-8 with a BOM (Excel opens it)."""
    return spreadsheets.csv_bytes([c.header for c in kind.columns()], [_example_row(kind)])


def template_xlsx(kind: ImportKind) -> bytes:
    """The XLSX template: the header row with drop-down lists, and a help sheet per column."""
    cell_value = spreadsheets.xlsx_cell
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spreadsheets.sheet_title(kind.label, set())
    columns = kind.columns()
    sheet.append([cell_value(c.header) for c in columns])
    sheet.append([cell_value(value) for value in _example_row(kind)])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 4)
        if isinstance(column.widget, Date):
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "DD/MM/YYYY"
        if column.choices:
            listing = '"' + ",".join(neutralise(c) for c in column.choices) + '"'
            validation = DataValidation(type="list", formula1=listing, allow_blank=not column.required)
            validation.errorStyle = "warning"
            sheet.add_data_validation(validation)
            validation.add(f"{cell.column_letter}2:{cell.column_letter}5000")
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(spreadsheets.sheet_title(_("Aide"), {sheet.title.casefold()}))
    help_sheet.append([cell_value(h) for h in (_("colonne"), _("obligatoire"), _("format"))])
    for column in columns:
        help_sheet.append(
            [
                cell_value(column.header),
                cell_value(_("oui") if column.required else _("non")),
                cell_value(column.full_help),
            ]
        )
    help_sheet.append([])
    help_sheet.append(
        [
            cell_value(
                _(
                    "La ligne 2 est un exemple : l'import l'ignore tant que son intitulé commence "
                    "par « %(mark)s »."
                )
                % {"mark": EXAMPLE_MARK}
            )
        ]
    )
    help_sheet.column_dimensions["A"].width = 32
    help_sheet.column_dimensions["C"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
