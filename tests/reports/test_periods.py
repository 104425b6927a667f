import datetime

import pytest

from atc.periods import PeriodError, french_date, parse_period, period_before
from evaluation.models import Periodicity

D = datetime.date


@pytest.mark.parametrize(
    ("text", "start", "end", "title"),
    [
        ("2021", D(2021, 1, 1), D(2021, 12, 31), "année 2021"),
        ("2021-H1", D(2021, 1, 1), D(2021, 6, 30), "1er semestre 2021"),
        ("2020-h2", D(2020, 7, 1), D(2020, 12, 31), "2e semestre 2020"),
        ("2021-Q1", D(2021, 1, 1), D(2021, 3, 31), "1er trimestre 2021"),
        ("2020-Q4", D(2020, 10, 1), D(2020, 12, 31), "4e trimestre 2020"),
        ("2021-01-01..2021-06-30", D(2021, 1, 1), D(2021, 6, 30), "du 1er janvier 2021 au 30 juin 2021"),
    ],
)
def test_periods_are_read_as_people_type_them(text, start, end, title):
    period = parse_period(text)
    assert (period.start, period.end, period.title) == (start, end, title)


@pytest.mark.parametrize("text", ["", "21", "2021-Q5", "2021-06-30..2021-01-01", "2021-02-30..2021-03-01"])
def test_an_unreadable_period_is_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_a_schedule_reports_on_the_period_that_just_ended():
    today = D(2021, 4, 5)
    assert period_before(Periodicity.QUARTER, today).label == "2021-Q1"
    assert period_before(Periodicity.HALF_YEAR, today).label == "2020-H2"
    assert period_before(Periodicity.YEAR, today).label == "2020"
    assert period_before(Periodicity.HALF_YEAR, D(2021, 7, 5)).label == "2021-H1"


def test_dates_are_written_the_french_way():
    assert french_date(D(2026, 11, 22)) == "22 novembre 2026"
    assert french_date(D(2021, 1, 1)) == "1er janvier 2021"
