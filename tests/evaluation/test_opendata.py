"""The open data: public files described by a Frictionless data package that validates, the counts
read from the figures layer, nothing personal and no typed text; rebuilt by the nightly task."""

import csv
import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from frictionless import validate

from evaluation.figures.multisite import SitePeriod, stats_by_site
from evaluation.opendata import services
from evaluation.opendata.tasks import BUILD_TASK, build_open_data_nightly
from tests.evaluation.factories import LogbookEntryFactory
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.sites.factories import FacilitatorAssignmentFactory, PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def _file(client, name: str):
    response = client.get(reverse("opendata:file", kwargs={"name": name}))
    assert response.status_code == 200, name
    return response, b"".join(response.streaming_content)


def _all_files(client) -> dict[str, bytes]:
    return {name: _file(client, name)[1] for name in services.FILES}


@pytest.fixture
def activity(marseille, grenoble):
    for day in (datetime.date(2021, 1, 12), datetime.date(2021, 2, 3), datetime.date(2021, 3, 30)):
        MeetingFactory(
            site=marseille, date=day, title="Réunion confidentielle sur le stock", minutes="Mme X."
        )
    MeetingFactory(site=marseille, date=datetime.date(2021, 4, 2))
    ActionFactory(
        site=marseille, title="Action interne", start_date=datetime.date(2021, 2, 1), residents_reached=40
    )
    LogbookEntryFactory(site=grenoble, happened="Difficultés avec M. Untel")
    FacilitatorAssignmentFactory(site=marseille, person_name="Camille Secrète")
    PartnerOrganisationFactory(site=marseille, name="Association Privée Du Coin")


def test_the_data_package_validates_with_frictionless(client, activity, tmp_path):
    files = _all_files(client)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads(files["datapackage.json"])
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert {resource["name"] for resource in package["resources"]} >= {"sites", "sites-json", "quartiers"}
    assert all("schema" in resource and resource["schema"]["fields"] for resource in package["resources"])


def test_a_schema_violation_is_caught_by_the_validation(client, activity, tmp_path):
    """The validation above can fail: a count made negative breaks the schema."""
    files = _all_files(client)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    rows = list(csv.reader(io.StringIO(files["activite-trimestrielle.csv"].decode())))
    rows[1][rows[0].index("reunions")] = "-4"
    with open(tmp_path / "activite-trimestrielle.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert not validate(str(tmp_path / "datapackage.json")).valid


def test_sites_and_their_qpv_codes_are_published(client, marseille):
    sites = list(csv.DictReader(io.StringIO(_file(client, "sites.csv")[1].decode())))
    assert len(sites) == 15
    row = next(row for row in sites if row["identifiant"] == "marseille")
    assert row["commune"] == marseille.city and row["reseau"] == "fcsf"
    qpv = json.loads(_file(client, "quartiers.json")[1])
    codes = {(item["site"], item["code_qpv_2015"]) for item in qpv}
    for neighbourhood in marseille.neighbourhoods.all():
        assert ("marseille", neighbourhood.code_2015) in codes


def test_counts_per_site_and_quarter_are_the_dashboards_figures(client, activity, marseille):
    rows = list(csv.DictReader(io.StringIO(_file(client, "activite-trimestrielle.csv")[1].decode())))
    q1 = next(row for row in rows if row["site"] == "marseille" and row["trimestre"] == "2021-T1")
    assert q1["reunions"] == "3" and q1["actions_commencees"] == "1" and q1["habitants_touches"] == "40"
    period = SitePeriod(start=datetime.date(2021, 1, 1), end=datetime.date(2021, 1, 1))
    figures = next(iter(stats_by_site(site_ids=[marseille.pk], period=period)))
    assert int(q1["reunions"]) == figures["meetings_count"]
    assert int(q1["actions_commencees"]) == figures["actions_count"]
    records = json.loads(_file(client, "activite-trimestrielle.json")[1])
    q2 = next(r for r in records if r["site"] == "marseille" and r["trimestre"] == "2021-T2")
    assert q2["reunions"] == 1 and q2["debut_trimestre"] == "2021-04-01"


def test_nothing_personal_and_no_typed_text_is_published(client, activity, facilitator):
    everything = b"\n".join(_all_files(client).values()).decode()
    for secret in (
        "confidentielle",
        "Mme X.",
        "Action interne",
        "M. Untel",
        "Camille Secrète",
        "Association Privée",
        facilitator.email,
        str(facilitator),
    ):
        assert secret not in everything


def test_the_page_and_the_files_need_no_account(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        page = client.get(reverse("opendata:index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Licence Ouverte / Open Licence version 2.0" in text
    assert "les réalisations ne sont pas publiées" in text.lower()
    assert "Les fichiers seront produits à la première demande" in text
    response, content = _file(client, "sites.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert content.startswith(b"identifiant,nom,reseau")
    assert "Dernière mise à jour" in client.get(reverse("opendata:index")).content.decode()


@pytest.mark.parametrize("name", ["secret.csv", "..%2Fsettings.py", "datapackage.JSON", "sites.xlsx"])
def test_an_unknown_file_is_a_404(client, name):
    assert client.get(f"/donnees-ouvertes/{name}").status_code == 404


def test_files_are_written_through_the_storage_api(db):
    sizes = services.build_open_data()
    for name, size in sizes.items():
        assert default_storage.size(f"{services.FOLDER}/{name}") == size


def test_the_nightly_task_rebuilds_the_files(client, marseille):
    assert settings.CELERY_BEAT_SCHEDULE["open-data"]["task"] == BUILD_TASK
    assert "evaluation.opendata.tasks" in settings.CELERY_IMPORTS
    services.build_open_data(now=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert "01/01/2020" in client.get(reverse("opendata:index")).content.decode()
    MeetingFactory(site=marseille, date=datetime.date(2020, 2, 2))
    assert build_open_data_nightly.delay().get() == len(services.FILES)
    rows = json.loads(_file(client, "activite-trimestrielle.json")[1])
    assert any(r["site"] == "marseille" and r["trimestre"] == "2020-T1" and r["reunions"] == 1 for r in rows)
    assert "01/01/2020" not in client.get(reverse("opendata:index")).content.decode()
