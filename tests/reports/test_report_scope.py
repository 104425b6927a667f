"""Reports reach everyone in scope: a network coordinator lists, asks for and downloads their
network's and its sites' reports, a delegate their sites', the site team their site's, and nobody
opens a report outside their scope (a 404, its existence not revealed)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from evaluation.models import EvaluationReport, Scope
from sites.models import Network, Site
from tests.reports.factories import EvaluationReportFactory

Status = EvaluationReport.Status


def _done(label, **fields):
    """A finished report whose stand-in PDF carries `label`, so a download shows which it is."""
    report = EvaluationReportFactory(status=Status.DONE, period_label=label, **fields)
    report.file.save(f"reports/{label}.pdf", ContentFile(f"%PDF-1.7\n% {label}\n".encode()), save=True)
    return report


@pytest.fixture
def reports(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    site = Site.objects.get
    return {
        "national": _done("rapport-national"),
        "fcsf": _done("rapport-fcsf", scope=Scope.NETWORK, network=Network.objects.get(code="fcsf")),
        "cnlrq": _done("rapport-cnlrq", scope=Scope.NETWORK, network=Network.objects.get(code="cnlrq")),
        "marseille": _done("rapport-marseille", scope=Scope.SITE, site=site(slug="marseille")),
        "tourcoing": _done("rapport-tourcoing", scope=Scope.SITE, site=site(slug="tourcoing")),
        "grenoble": _done("rapport-grenoble", scope=Scope.SITE, site=site(slug="grenoble")),
    }


# Written by hand from the brief, never computed with atc.permissions.
IN_SCOPE = {
    "network_coordinator": {"fcsf", "marseille", "tourcoing"},
    "prefet_delegate": {"tourcoing"},
    "facilitator": {"marseille"},
    "host_director": {"marseille"},
    "national_team": {"national", "fcsf", "cnlrq", "marseille", "tourcoing", "grenoble"},
}


@pytest.mark.parametrize("persona", sorted(IN_SCOPE))
def test_each_person_lists_and_downloads_the_reports_of_their_scope_only(client, personas, reports, persona):
    client.force_login(personas[persona])

    listing = client.get(reverse("reports:report_list")).content.decode()
    for name, report in reports.items():
        listed = f"rapport-{name}" in listing
        download = client.get(reverse("reports:report_download", args=[report.public_id]))
        detail = client.get(reverse("reports:report_detail", args=[report.public_id]))
        if name in IN_SCOPE[persona]:
            assert listed, name
            assert f"% rapport-{name}".encode() in b"".join(download.streaming_content)
            assert detail.status_code == 200
        else:
            assert not listed, name
            assert download.status_code == 404, name
            assert detail.status_code == 404, name


def test_someone_without_a_role_has_no_report_pages(client, outsider, reports):
    client.force_login(outsider)

    assert client.get(reverse("reports:report_list")).status_code == 403
    assert client.get(reverse("reports:report_request")).status_code == 403
    assert (
        client.get(reverse("reports:report_download", args=[reports["marseille"].public_id])).status_code
        == 404
    )


def _ask(client, **data):
    return client.post(reverse("reports:report_request"), {"period": "2021-Q1", **data})


def test_the_network_coordinator_asks_for_their_network_and_its_sites(
    client, network_coordinator, django_capture_on_commit_callbacks
):
    client.force_login(network_coordinator)
    fcsf = Network.objects.get(code="fcsf")

    with django_capture_on_commit_callbacks():
        network = _ask(client, scope="network", network=fcsf.pk)
        site = _ask(client, scope="site", site=Site.objects.get(slug="marseille").pk)

    assert network.status_code == site.status_code == 302
    made = EvaluationReport.objects.order_by("pk")
    assert [(r.scope, r.network_id, r.requested_by) for r in made][0] == (
        "network",
        fcsf.pk,
        network_coordinator,
    )
    assert made[1].site.slug == "marseille"


@pytest.mark.parametrize(
    ("persona", "data"),
    [
        ("network_coordinator", {"scope": "site", "site": "grenoble"}),
        ("network_coordinator", {"scope": "network", "network": "cnlrq"}),
        ("network_coordinator", {"scope": "national"}),
        ("prefet_delegate", {"scope": "site", "site": "marseille"}),
        ("prefet_delegate", {"scope": "network", "network": "fcsf"}),
        ("facilitator", {"scope": "site", "site": "tourcoing"}),
    ],
)
def test_a_request_outside_ones_scope_saves_nothing_and_says_why(client, personas, persona, data):
    client.force_login(personas[persona])
    if "site" in data:
        data["site"] = Site.objects.get(slug=data["site"]).pk
    if "network" in data:
        data["network"] = Network.objects.get(code=data["network"]).pk

    response = _ask(client, **data)

    assert response.status_code == 200
    assert "corrigez les erreurs" in response.content.decode()
    assert not EvaluationReport.objects.exists()


def test_the_facilitator_asks_for_their_site(client, facilitator, django_capture_on_commit_callbacks):
    client.force_login(facilitator)

    with django_capture_on_commit_callbacks():
        response = _ask(client, scope="site", site=Site.objects.get(slug="marseille").pk)

    assert response.status_code == 302
    assert EvaluationReport.objects.get().site.slug == "marseille"


def test_the_form_offers_only_the_persons_sites(client, prefet_delegate):
    client.force_login(prefet_delegate)

    content = client.get(reverse("reports:report_request")).content.decode()

    assert "Tourcoing" in content
    assert "Marseille" not in content
    assert 'value="national"' not in content


def test_the_scoped_history_keeps_a_fixed_number_of_queries(
    client, network_coordinator, reports, django_assert_max_num_queries
):
    client.force_login(network_coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:report_list"))
    assert response.content.decode().count("/rapports/") >= 3
