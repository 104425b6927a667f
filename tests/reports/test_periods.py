"""One period module (atc/periods.py): every syntax people type, every refusal, and labels that read
back as the period they name."""

import datetime

import pytest

from atc.periods import (
    PeriodError,
    french_date,
    parse_period,
    parse_quarter,
    period_before,
    quarter_label,
    quarter_param,
)
from evaluation.models import Periodicity

D = datetime.date


@pytest.mark.parametrize(
    ("text", "start", "end", "title"),
    [
        ("2021", D(2021, 1, 1), D(2021, 12, 31), "année 2021"),
        ("année 2021", D(2021, 1, 1), D(2021, 12, 31), "année 2021"),
        ("S2 2021", D(2021, 7, 1), D(2021, 12, 31), "2e semestre 2021"),
        ("2021-S1", D(2021, 1, 1), D(2021, 6, 30), "1er semestre 2021"),
        ("2021-H1", D(2021, 1, 1), D(2021, 6, 30), "1er semestre 2021"),
        ("2020-h2", D(2020, 7, 1), D(2020, 12, 31), "2e semestre 2020"),
        ("T1 2021", D(2021, 1, 1), D(2021, 3, 31), "1er trimestre 2021"),
        ("  t3   2021 ", D(2021, 7, 1), D(2021, 9, 30), "3e trimestre 2021"),
        ("2021-T1", D(2021, 1, 1), D(2021, 3, 31), "1er trimestre 2021"),
        ("2021-Q1", D(2021, 1, 1), D(2021, 3, 31), "1er trimestre 2021"),
        ("2020-Q4", D(2020, 10, 1), D(2020, 12, 31), "4e trimestre 2020"),
        ("4e trimestre 2020", D(2020, 10, 1), D(2020, 12, 31), "4e trimestre 2020"),
        ("2021-01-01..2021-06-30", D(2021, 1, 1), D(2021, 6, 30), "du 1er janvier 2021 au 30 juin 2021"),
        ("du 01/02/2021 au 15/03/2021", D(2021, 2, 1), D(2021, 3, 15), "du 1er février 2021 au 15 mars 2021"),
        ("01/02/2021 - 15/03/2021", D(2021, 2, 1), D(2021, 3, 15), "du 1er février 2021 au 15 mars 2021"),
    ],
)
def test_periods_are_read_as_people_type_them(text, start, end, title):
    period = parse_period(text)
    assert (period.start, period.end, period.title) == (start, end, title)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Période illisible"),
        ("21", "Période illisible"),
        ("2021-Q5", "Période illisible"),
        ("T0 2021", "Période illisible"),
        ("S3 2021", "Période illisible"),
        ("n'importe quoi", "Période illisible"),
        ("9999", "entre 2000 et 2100"),
        ("0000", "entre 2000 et 2100"),
        ("9999-Q4", "entre 2000 et 2100"),
        ("T1 1999", "entre 2000 et 2100"),
        ("2021-01-01..9999-12-31", "entre 2000 et 2100"),
        ("2021-06-30..2021-01-01", "La date de fin doit suivre la date de début."),
        ("2021-02-30..2021-03-01", "Date impossible"),
        ("2020-01-01..2026-01-01", "au plus cinq ans"),
    ],
)
def test_an_unreadable_or_implausible_period_is_refused_in_french(text, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(text)


@pytest.mark.parametrize(
    "text",
    [
        "2021",
        "S2 2021",
        "2021-H1",
        "T1 2021",
        "2021-Q4",
        "2021-01-01..2021-06-30",
        "du 01/02/2021 au 15/03/2021",
    ],
)
def test_every_label_reads_back_as_the_same_period(text):
    period = parse_period(text)
    for label in (period.label, period.short, period.title):
        again = parse_period(label)
        assert (again.start, again.end, again.label) == (period.start, period.end, period.label)


def test_labels_are_french():
    assert parse_period("2021-Q1").label == "2021-T1"
    assert parse_period("2021-Q1").short == "T1 2021"
    assert parse_period("2021-H2").short == "S2 2021"
    assert parse_period("2021-01-01..2021-06-30").short == "01/01/2021 – 30/06/2021"


def test_quarters_of_the_dashboards_use_the_same_parser():
    assert quarter_param(D(2021, 10, 1)) == "2021-T4"
    assert quarter_label(D(2021, 10, 1)) == "T4 2021"
    assert parse_quarter("T4 2021") == parse_quarter("2021-Q4") == D(2021, 10, 1)
    assert parse_quarter("") is None
    with pytest.raises(PeriodError):
        parse_quarter("2021")


def test_a_schedule_reports_on_the_period_that_just_ended():
    today = D(2021, 4, 5)
    assert period_before(Periodicity.QUARTER, today).label == "2021-T1"
    assert period_before(Periodicity.HALF_YEAR, today).label == "2020-S2"
    assert period_before(Periodicity.YEAR, today).label == "2020"
    assert period_before(Periodicity.HALF_YEAR, D(2021, 7, 5)).label == "2021-S1"


def test_dates_are_written_the_french_way():
    assert french_date(D(2026, 11, 22)) == "22 novembre 2026"
    assert french_date(D(2021, 1, 1)) == "1er janvier 2021"
