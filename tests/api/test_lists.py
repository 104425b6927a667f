"""Lists: pages, filters by site, network and period, query counts that do not grow with the
data, read only, and the rate limit."""

import datetime
import itertools

import pytest
from django.db import reset_queries
from django.urls import reverse

from sites.models import Site
from tests.diagnostics.factories import AssessmentFactory, FindingFactory
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.reports.factories import EvaluationReportFactory, IndicatorFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "site",
    "network",
    "qpv",
    "meeting",
    "action",
    "finding",
    "reading",
    "indicator",
    "indicator-value",
    "report",
]


_DAYS = itertools.count()


def _seed(count: int):
    """`count` records of every kind on each of the delegate's three sites."""
    for site in Site.objects.filter(slug__in=["tourcoing", "roubaix", "grande-synthe"]):
        for n in range(count):
            MeetingFactory(site=site, date=datetime.date(2021, 1 + n % 12, 1))
            ActionFactory(site=site, partners=[], meeting=None)
            FindingFactory(site=site)
            AssessmentFactory(
                site=site, date=datetime.date(2020, 1, 1) + datetime.timedelta(days=next(_DAYS))
            )
            IndicatorValueFactory(site=site, indicator=IndicatorFactory())
            EvaluationReportFactory(scope="site", site=site)


@pytest.mark.parametrize("basename", LISTS)
def test_a_list_costs_the_same_queries_for_2_or_12_rows_per_site(
    api_client, prefet_delegate, django_assert_max_num_queries, basename
):
    client = api_client(prefet_delegate)
    url = reverse(f"api:{basename}-list")
    _seed(2)
    client.get(url)  # the person's scope is now cached, as on any call after the first
    # The connection keeps at most 9,000 queries: start the count from an empty log.
    reset_queries()
    with django_assert_max_num_queries(9) as few:
        assert client.get(url).status_code == 200
    spent = len(few.captured_queries)
    assert spent > 0
    _seed(10)
    reset_queries()
    with django_assert_max_num_queries(spent):
        body = client.get(url).json()
    if basename in ("meeting", "action", "finding", "reading", "indicator-value", "report"):
        assert body["count"] == 36


def test_the_figures_cost_no_more_queries_with_more_data(
    api_client, prefet_delegate, django_assert_max_num_queries
):
    client = api_client(prefet_delegate)
    url = reverse("api:figures")
    _seed(2)
    client.get(url, {"period": "2021"})
    reset_queries()
    with django_assert_max_num_queries(12) as few:
        client.get(url, {"period": "2021"})
    spent = len(few.captured_queries)
    assert spent > 0
    _seed(10)
    client.get(url, {"period": "2021"})  # rebuilds the stale pre-aggregates once
    reset_queries()
    with django_assert_max_num_queries(spent):
        assert client.get(url, {"period": "2021"}).status_code == 200


def test_lists_come_by_pages(api_client, facilitator, marseille):
    for n in range(7):
        MeetingFactory(site=marseille, date=datetime.date(2021, 1, 1 + n))
    client = api_client(facilitator)
    first = client.get(reverse("api:meeting-list"), {"page_size": 5}).json()
    assert first["count"] == 7
    assert len(first["results"]) == 5
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert second["next"] is None
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(seen)) == 7
    assert [row["date"] for row in first["results"]] == sorted(
        (row["date"] for row in first["results"]), reverse=True
    )


@pytest.mark.parametrize("page", ["99", "0", "abc", "9" * 40])
def test_a_page_out_of_range_answers_404_not_500(api_client, facilitator, page):
    response = api_client(facilitator).get(reverse("api:meeting-list"), {"page": page})
    assert response.status_code == 404


@pytest.mark.parametrize("pk", ["9" * 30, "-1", "1.5"])
def test_an_impossible_id_answers_404(api_client, facilitator, pk):
    response = api_client(facilitator).get(f"/api/v1/meetings/{pk}/")
    assert response.status_code == 404


def test_filters_by_period_site_and_network(api_client, network_coordinator):
    marseille = Site.objects.get(slug="marseille")
    tourcoing = Site.objects.get(slug="tourcoing")
    MeetingFactory(site=marseille, date=datetime.date(2021, 3, 31), title="Mars 2021")
    MeetingFactory(site=marseille, date=datetime.date(2021, 4, 1), title="Avril 2021")
    MeetingFactory(site=tourcoing, date=datetime.date(2021, 2, 1), title="Février Tourcoing")
    client = api_client(network_coordinator)
    url = reverse("api:meeting-list")

    def titles(**params):
        return sorted(row["title"] for row in client.get(url, params).json()["results"])

    assert titles(period="2021-T1") == ["Février Tourcoing", "Mars 2021"]
    assert titles(period="T2 2021") == ["Avril 2021"]
    assert titles(period="2021-T1", site="marseille") == ["Mars 2021"]
    assert titles(network="fcsf", period="2021") == ["Avril 2021", "Février Tourcoing", "Mars 2021"]
    assert titles(network="bbz") == []


def test_an_action_is_kept_by_the_periods_it_runs_over(api_client, facilitator, marseille):
    ActionFactory(
        site=marseille,
        title="2021",
        start_date=datetime.date(2021, 2, 1),
        end_date=datetime.date(2021, 11, 1),
    )
    ActionFactory(site=marseille, title="Sans dates", idea=True)
    ActionFactory(site=marseille, title="2023", start_date=datetime.date(2023, 1, 1), end_date=None)
    client = api_client(facilitator)
    rows = client.get(reverse("api:action-list"), {"period": "2021-S2"}).json()["results"]
    assert sorted(row["title"] for row in rows) == ["2021", "Sans dates"]


def test_reports_filter_by_network_keeps_the_networks_site_reports(api_client, national_team):
    EvaluationReportFactory(scope="network", network=Site.objects.get(slug="marseille").network)
    EvaluationReportFactory(scope="site", site=Site.objects.get(slug="marseille"))
    EvaluationReportFactory(scope="site", site=Site.objects.get(slug="grenoble"))
    EvaluationReportFactory()
    rows = api_client(national_team).get(reverse("api:report-list"), {"network": "fcsf"}).json()["results"]
    assert sorted(row["scope"] for row in rows) == ["network", "site"]
    assert all(row["download_url"] is None for row in rows)


def test_a_report_not_ready_is_not_downloadable(api_client, facilitator, marseille):
    report = EvaluationReportFactory(scope="site", site=marseille)
    response = api_client(facilitator).get(reverse("api:report-download", kwargs={"id": report.public_id}))
    assert response.status_code == 404
    assert "pas encore prêt" in response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_only_reads(api_client, facilitator, marseille, method):
    meeting = MeetingFactory(site=marseille)
    client = api_client(facilitator)
    for url in (reverse("api:meeting-list"), reverse("api:meeting-detail", kwargs={"pk": meeting.pk})):
        response = getattr(client, method)(url, data="{}", content_type="application/json")
        assert response.status_code == 405
    meeting.refresh_from_db()
    assert meeting.title.startswith("Atelier")


def test_the_rate_limit_answers_429_per_person(api_client, facilitator, host_director, settings):
    settings.ATC_API_RATE = "3/minute"
    first = api_client(facilitator)
    second = api_client(facilitator)
    url = reverse("api:site-list")
    assert [first.get(url).status_code for _ in range(2)] == [200, 200]
    assert second.get(url).status_code == 200
    refused = second.get(url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Another person is counted apart.
    assert api_client(host_director).get(url).status_code == 200


def test_anonymous_calls_are_limited_by_address(client, settings, db):
    settings.ATC_API_ANON_RATE = "2/minute"
    url = reverse("api:schema")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert client.get(url).status_code == 429
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200
    # A forged X-Forwarded-For does not buy another allowance (no trusted proxy here).
    assert client.get(url, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
