"""Chart summaries say what the chart shows: a total only where the series add up (stacked
parts of one whole), never « Total : 7 sur 6 périodes », never sites expected added to sites that
reported."""

import datetime

from django.urls import reverse

from atc.charts import column_chart
from evaluation.figures.aggregates import rebuild_all_stats
from evaluation.figures.charts import overview_charts
from tests.evaluation.factories import LogbookEntryFactory

D = datetime.date


def test_the_reporting_chart_never_adds_sites_expected_to_sites_that_reported():
    totals = [
        {
            "quarter": D(2021, 1, 1),
            "meetings": 4,
            "steering": 1,
            "expected": 15,
            "logbook": 9,
            "indicators": 7,
        },
        {
            "quarter": D(2021, 4, 1),
            "meetings": 3,
            "steering": 2,
            "expected": 15,
            "logbook": 12,
            "indicators": 6,
        },
    ]
    summary = overview_charts(totals=totals)["reporting"].summary
    assert "Total" not in summary and "62" not in summary  # 15 + 9 + 7 + 15 + 12 + 6
    assert "Sites attendus : au plus 15 (T1 2021)" in summary
    assert "Carnet de bord rempli : au plus 12 (T2 2021)" in summary
    assert "Indicateurs saisis : au plus 7 (T1 2021)" in summary


def test_stacked_columns_give_their_total_without_counting_columns_as_periods():
    chart = column_chart(
        title="Constats par thématique",
        categories=["Jeunesse", "Santé", "Cadre de vie", "Emploi", "Culture", "Sport"],
        series=[("Avec action", [1, 1, 1, 1, 1, 0]), ("Sans action", [2, 0, 0, 0, 0, 0])],
        category_header="Thématique",
    )
    assert chart.summary == "Total : 7 ; le plus haut : Jeunesse (3)."


def test_the_national_dashboard_shows_the_reporting_summary_per_measure(client, national_team, marseille):
    LogbookEntryFactory(site=marseille)
    rebuild_all_stats()
    client.force_login(national_team)
    page = client.get(reverse("dashboards:national")).content.decode()
    assert "périodes ;" not in page
    assert "Sites attendus : au plus" in page
