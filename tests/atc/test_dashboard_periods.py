"""The dashboards' period as a query string reads it: presets, a custom range, and every way of
getting it wrong answered with a French message and the whole experiment."""

import datetime

import pytest

from atc.periods import (
    EXPERIMENT_START,
    PRESET_EXPERIMENT,
    PRESET_LAST_FOUR,
    PRESET_RANGE,
    PRESET_YEAR,
    QuarterSpan,
    experiment_span,
    experiment_years,
    last_four_quarters,
    read_quarter_span,
)

D = datetime.date
TODAY = D(2026, 11, 29)
WHOLE = QuarterSpan(D(2019, 7, 1), D(2026, 10, 1), PRESET_EXPERIMENT)


def test_without_any_parameter_the_whole_experiment_is_shown():
    assert D(2019, 7, 1) == EXPERIMENT_START
    assert read_quarter_span({}, TODAY) == (WHOLE, "")
    assert WHOLE.label == "T3 2019 – T4 2026"
    assert (WHOLE.start, WHOLE.end) == (D(2019, 7, 1), D(2026, 12, 31))
    assert len(WHOLE.quarters) == 30


def test_the_last_four_quarters_end_with_todays():
    span, problem = read_quarter_span({"periode": "4-derniers-trimestres"}, TODAY)
    assert not problem
    assert span == last_four_quarters(TODAY) == QuarterSpan(D(2026, 1, 1), D(2026, 10, 1), PRESET_LAST_FOUR)
    assert span.label == "T1 2026 – T4 2026"
    # Early in the experiment, they start with it.
    assert last_four_quarters(D(2019, 8, 1)).first == D(2019, 7, 1)


def test_a_calendar_year_is_its_four_quarters_within_the_experiment():
    span, problem = read_quarter_span({"periode": "annee", "annee": "2024"}, TODAY)
    assert not problem
    assert (span.start, span.end, span.label) == (D(2024, 1, 1), D(2024, 12, 31), "2024")
    first_year, _ = read_quarter_span({"annee": "2019"}, TODAY)
    assert (first_year.first, first_year.preset) == (D(2019, 7, 1), PRESET_YEAR)
    assert experiment_years(TODAY) == list(range(2019, 2027))


@pytest.mark.parametrize(
    "params",
    [
        {"periode": "plage", "du": "2021-T1", "au": "2021-T4"},
        # The links written before the presets: a range alone, in any syntax of parse_period.
        {"du": "2021-T1", "au": "2021-T4"},
        {"du": "T1 2021", "au": "4e trimestre 2021"},
    ],
)
def test_a_range_of_quarters(params):
    span, problem = read_quarter_span(params, TODAY)
    assert not problem
    assert span == QuarterSpan(D(2021, 1, 1), D(2021, 10, 1), PRESET_RANGE)
    assert span.label == "T1 2021 – T4 2021"


def test_a_range_missing_one_end_runs_to_the_experiments():
    span, problem = read_quarter_span({"du": "2025-T2"}, TODAY)
    assert (span.first, span.last, problem) == (D(2025, 4, 1), D(2026, 10, 1), "")


@pytest.mark.parametrize(
    "span",
    [
        WHOLE,
        last_four_quarters(TODAY),
        QuarterSpan(D(2020, 1, 1), D(2020, 10, 1), PRESET_YEAR),
        QuarterSpan(D(2022, 4, 1), D(2022, 4, 1), PRESET_RANGE),
    ],
)
def test_a_span_written_to_a_query_string_reads_back_the_same(span):
    assert read_quarter_span(span.params(), TODAY) == (span, "")


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"du": "9999-T9"}, "Période illisible"),
        ({"du": "9999-T1"}, "Année 9999 hors de la plage admise"),
        ({"du": "2022-T3", "au": "2021-T1"}, "Le trimestre de début (T3 2022) suit celui de fin (T1 2021)"),
        ({"du": "2000-T1", "au": "2100-T4"}, "comprise dans l'expérimentation, de T3 2019 à T4 2026"),
        ({"du": "2021", "au": "2022"}, "Choisissez un trimestre"),
        ({"du": "2021-T1" * 1000}, "Période illisible"),
        ({"du": "<script>\x00"}, "Période illisible"),
        ({"annee": "2031"}, "comprise dans l'expérimentation"),
        ({"annee": "99999999999999999999"}, "Année illisible"),
        ({"periode": "annee", "annee": "deux mille"}, "Année illisible"),
        ({"periode": "annee"}, "Année illisible"),
        ({"periode": "toujours"}, "Période inconnue"),
    ],
)
def test_what_cannot_be_read_gets_a_french_message_and_the_whole_experiment(params, said):
    span, problem = read_quarter_span(params, TODAY)
    assert span == WHOLE
    assert said in problem
    assert problem.endswith("L'expérimentation entière est affichée.")


def test_the_experiment_is_defined_once():
    assert experiment_span(D(2026, 2, 3)).last == D(2026, 1, 1)
    assert experiment_span(D(2026, 2, 3)).first == EXPERIMENT_START
