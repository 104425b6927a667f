"""The one spreadsheet writer: formula guard, characters XLSX cannot hold, plain cells only."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from atc import spreadsheets

RISKY = [
    "=1+1",
    "+33 6 12",
    "-1+1",
    "@SUM(A1)",
    "\t=cmd",
    "\r=cmd",
    " =cmd|' /C calc'!A0",
    '\x1b=HYPERLINK("http://x")',
    "\u200b=1+1",
    "\uff1d1+1",
    "cmd|' /C calc'!A0",
    "Voir msexcel|'\\..\\..\\windows\\system32\\cmd.exe /c calc'!A1",
]
HARMLESS = ["Atelier", "Jardin = potager", "a|b", "Réunion de 14h-16h", " espace devant"]


@pytest.mark.parametrize("text", RISKY)
def test_every_risky_text_is_quoted(text):
    assert spreadsheets.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_text_is_left_alone(text):
    assert spreadsheets.neutralise(text) == text


def test_the_dde_check_stays_linear_on_long_text():
    # A back-tracking pattern took minutes on one 100,000-character cell.
    text = "x" * 1_000_000 + "|"
    assert spreadsheets.neutralise(text) == text


def _written(values):
    workbook = load_workbook(
        io.BytesIO(
            spreadsheets.xlsx_bytes([spreadsheets.Sheet("Feuille", ["valeur"], [[v] for v in values])])
        )
    )
    sheet = workbook.active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    body = spreadsheets.csv_bytes(["valeur"], [[v] for v in values]).decode("utf-8-sig")
    csv_values = [row[0] for row in csv.reader(io.StringIO(body), delimiter=";")][1:]
    return cells, csv_values


def test_risky_text_is_inert_text_in_both_formats_and_numbers_stay_numbers():
    cells, csv_values = _written([*RISKY, -3, 2.5, Decimal("-1.25"), datetime.date(2024, 5, 2)])
    for cell, text in zip(cells, RISKY, strict=False):
        assert cell.data_type == "s" and cell.value.startswith("'"), text
    assert [c.value for c in cells[-4:-1]] == [-3, 2.5, -1.25]
    assert all(c.data_type == "n" for c in cells[-4:-1])
    assert cells[-1].value == datetime.datetime(2024, 5, 2)
    assert all(value.startswith("'") for value in csv_values[: len(RISKY)])
    assert csv_values[-4:] == ["-3", "2,5", "-1,25", "02/05/2024"]


def test_control_characters_are_removed_and_objects_become_text():
    lazy = gettext_lazy("Réunions")
    cells, csv_values = _written(["Comité\x1b de\x00 pilotage\x0b", lazy, True, float("nan"), "x" * 40_000])
    assert cells[0].value == "Comité de pilotage"
    assert csv_values[0] == "Comité de pilotage"
    assert cells[1].value == "Réunions" and cells[2].value == "oui"
    assert cells[3].value == "nan"
    assert len(cells[4].value) == spreadsheets.EXCEL_MAX_CELL_CHARS and cells[4].value.endswith("…")


def test_sheet_titles_are_valid_and_unique():
    used: set[str] = set()
    names = [
        spreadsheets.sheet_title(t, used) for t in ("Réunions", "réunions", "a/b:c*?[]", "\x1b", "x" * 40)
    ]
    assert names == ["Réunions", "réunions_2", "abc", "Feuille", "x" * 28]
