"""A token reads what its owner may read, no more: the préfet delegate of the Nord gets their three
sites' records from every endpoint, lists and details alike; another site's record is absent from
the lists and a 404 on its own. The same for a network coordinator and a facilitator."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from evaluation.models import EvaluationReport, Scope
from sites.models import Site
from tests.api.conftest import TokenClient
from tests.diagnostics.factories import AssessmentFactory, FindingFactory
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.reports.factories import EvaluationReportFactory, IndicatorFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db

NORD = {"tourcoing", "grande-synthe", "roubaix"}
OTHERS = {"marseille", "grenoble", "strasbourg"}

# Endpoint basename → how a row names its site(s).
SITE_ROWS = {
    "meeting": lambda row: {row["site"]},
    "action": lambda row: {row["site"]},
    "finding": lambda row: {row["site"]},
    "reading": lambda row: {row["site"]},
    "indicator-value": lambda row: {row["site"]},
    "report": lambda row: {row["site"]},
    "site": lambda row: {row["slug"]},
    "qpv": lambda row: set(row["sites"]),
}


def _detail_kwargs(basename, obj):
    if basename == "site":
        return {"slug": obj.slug}
    if basename == "report":
        return {"id": obj.public_id}
    return {"pk": obj.pk}


@pytest.fixture
def records(db):
    """One record of every kind on each of six sites (three in the Nord, three elsewhere)."""
    indicator = IndicatorFactory(code="habitants")
    made = {name: {} for name in SITE_ROWS}
    for slug in NORD | OTHERS:
        site = Site.objects.get(slug=slug)
        made["site"][slug] = site
        made["qpv"][slug] = site.neighbourhoods.order_by("pk").first()
        made["meeting"][slug] = MeetingFactory(site=site)
        made["action"][slug] = ActionFactory(site=site)
        made["finding"][slug] = FindingFactory(site=site)
        made["reading"][slug] = AssessmentFactory(site=site)
        made["indicator-value"][slug] = IndicatorValueFactory(site=site, indicator=indicator)
        report = EvaluationReportFactory(scope=Scope.SITE, site=site, status=EvaluationReport.Status.DONE)
        report.file.save(f"reports/{slug}.pdf", ContentFile(b"%PDF-1.7\n% " + slug.encode()), save=True)
        made["report"][slug] = report
    return made


def _all_rows(client, url):
    rows, page = [], url
    while page:
        body = client.get(page).json()
        rows.extend(body["results"])
        page = body["next"]
    return rows


@pytest.mark.parametrize("basename", list(SITE_ROWS))
def test_the_delegates_token_lists_only_their_three_sites(api_client, prefet_delegate, records, basename):
    client = api_client(prefet_delegate)
    rows = _all_rows(client, reverse(f"api:{basename}-list"))
    seen = set().union(*(SITE_ROWS[basename](row) for row in rows))
    assert seen == NORD


@pytest.mark.parametrize("basename", list(SITE_ROWS))
def test_the_delegates_token_opens_their_sites_records_and_gets_404_elsewhere(
    api_client, prefet_delegate, records, basename
):
    client = api_client(prefet_delegate)
    for slug, obj in records[basename].items():
        response = client.get(reverse(f"api:{basename}-detail", kwargs=_detail_kwargs(basename, obj)))
        assert response.status_code == (200 if slug in NORD else 404), slug
        if slug not in NORD:
            assert slug not in response.content.decode()


def test_the_delegate_downloads_their_sites_reports_only(api_client, prefet_delegate, records):
    client = api_client(prefet_delegate)
    for slug, report in records["report"].items():
        response = client.get(reverse("api:report-download", kwargs={"id": report.public_id}))
        assert response.status_code == (200 if slug in NORD else 404)
        if slug in NORD:
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content).endswith(slug.encode())


def test_the_delegates_figures_cover_their_three_sites(api_client, prefet_delegate, records):
    body = api_client(prefet_delegate).get(reverse("api:figures")).json()
    assert {row["site"] for row in body["sites"]} == NORD


def test_a_filter_never_widens_the_scope(api_client, prefet_delegate, records):
    client = api_client(prefet_delegate)
    assert client.get(reverse("api:meeting-list"), {"site": "grenoble"}).json()["count"] == 0
    # Grenoble is CNLRQ's too, but only Grande-Synthe is the delegate's.
    cnlrq = client.get(reverse("api:site-list"), {"network": "cnlrq"}).json()["results"]
    assert [row["slug"] for row in cnlrq] == ["grande-synthe"]
    figures = client.get(reverse("api:figures"), {"site": "marseille"}).json()
    assert figures["sites"] == []


def test_the_network_coordinator_reads_their_networks_sites(api_client, network_coordinator, records):
    client = api_client(network_coordinator)
    rows = _all_rows(client, reverse("api:meeting-list"))
    fcsf = set(Site.objects.filter(network__code="fcsf").values_list("slug", flat=True))
    assert {row["site"] for row in rows} == fcsf & (NORD | OTHERS)


def test_a_person_without_a_role_gets_empty_lists_and_no_figures(api_client, outsider, records):
    client = api_client(outsider)
    for basename in SITE_ROWS:
        assert client.get(reverse(f"api:{basename}-list")).json()["count"] == 0
    assert client.get(reverse("api:figures")).json()["sites"] == []


def test_a_role_ended_today_closes_the_api_on_the_next_call(api_client, facilitator, records):
    client = api_client(facilitator)
    url = reverse("api:meeting-detail", kwargs={"pk": records["meeting"]["marseille"].pk})
    assert client.get(url).status_code == 200
    role = facilitator.roles.get()
    role.end_date = datetime.date.today()
    role.save()
    assert client.get(url).status_code == 404


def test_a_meeting_gives_its_attendance_by_category_and_no_names(api_client, facilitator, marseille):
    meeting = MeetingFactory(
        site=marseille,
        steering=True,
        attendees_state=2,
        attendees_residents=7,
        attendees_association=0,
        minutes="Mme Habitante Nommée a pris la parole.",
        minutes_status="validated",
    )
    meeting.committee.members.create(person_name="Camille Résidente", organisation_name="Conseil citoyen")
    client = api_client(facilitator)
    body = client.get(reverse("api:meeting-detail", kwargs={"pk": meeting.pk})).json()
    assert body["attendance"]["state"] == 2
    assert body["attendance"]["residents"] == 7
    assert body["total_attendees"] == 9
    text = str(body)
    assert "Camille" not in text
    assert "Nommée" not in text
    assert "facilitator@example.org" not in text


def test_an_indicator_value_reads_its_decimal_exactly(api_client, facilitator, marseille):
    value = IndicatorValueFactory(site=marseille, value=Decimal("1234567.89"))
    body = api_client(facilitator).get(reverse("api:indicator-value-detail", kwargs={"pk": value.pk})).json()
    assert body["value"] == "1234567.89"
    assert body["indicator"] == value.indicator.code


def test_a_token_client_carries_no_session(api_client, facilitator):
    client = api_client(facilitator)
    assert isinstance(client, TokenClient)
    client.get(reverse("api:site-list"))
    assert "sessionid" not in client.cookies
