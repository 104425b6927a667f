"""Exports hold the rows of the user's scope only, in CSV and XLSX, with formulas made inert."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.pilotage.factories import MeetingFactory


@pytest.fixture
def meetings(marseille, grenoble):
    MeetingFactory(site=marseille, title='=HYPERLINK("http://evil.example","clic")')
    MeetingFactory(site=grenoble, title="Atelier de Grenoble")


def _csv(client, dataset):
    response = client.get(reverse("exports:export_download", args=[dataset, "csv"]))
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_a_facilitator_exports_their_own_site_only(client, facilitator, meetings):
    client.force_login(facilitator)

    content = _csv(client, "reunions")

    assert "Marseille – Frais Vallon" in content
    assert "Grenoble" not in content


def test_the_national_team_exports_everything(client, national_team, meetings):
    client.force_login(national_team)

    content = _csv(client, "reunions")

    assert "Atelier de Grenoble" in content and "Marseille" in content
    assert len(_csv(client, "sites").strip().splitlines()) == 16  # header + 15 sites


def test_a_formula_typed_in_a_title_stays_text(client, national_team, meetings):
    client.force_login(national_team)

    assert "'=HYPERLINK(" in _csv(client, "reunions")
    response = client.get(reverse("exports:export_download", args=["reunions", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","clic")' in titles
    assert all(not str(t).startswith("=") for t in titles)


def test_every_dataset_downloads_in_both_formats(client, national_team, meetings):
    client.force_login(national_team)
    page = client.get(reverse("exports:export_index")).content.decode()

    for dataset in (
        "sites",
        "animateurs",
        "reunions",
        "presences",
        "actions",
        "constats",
        "appreciations",
        "indicateurs",
        "carnet-de-bord",
    ):
        assert reverse("exports:export_download", args=[dataset, "xlsx"]) in page
        assert client.get(reverse("exports:export_download", args=[dataset, "csv"])).status_code == 200
        assert client.get(reverse("exports:export_download", args=[dataset, "xlsx"])).status_code == 200


def test_an_outsider_gets_headers_and_no_rows(client, outsider, meetings):
    client.force_login(outsider)

    assert len(_csv(client, "reunions").strip().splitlines()) == 1
