"""One control character in any text never breaks an export (issue 12, finding 6).

PostgreSQL refuses NUL in text, so the stored texts carry other control characters; NUL itself is
covered by tests/atc/test_spreadsheets.py."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.evaluation.factories import LogbookEntryFactory
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.sites.factories import FacilitatorAssignmentFactory

pytestmark = pytest.mark.django_db

DATASETS = ("sites", "animateurs", "reunions", "presences", "actions", "carnet-de-bord")


@pytest.fixture
def poisoned(marseille):
    marseille.city = "Marseille\x0b"
    marseille.save()
    MeetingFactory(site=marseille, title="Comité\x1b de pilotage", location="Salle\x02 B")
    ActionFactory(site=marseille, title="Jardin\x1b partagé", outcomes="\x0b=1+1")
    LogbookEntryFactory(site=marseille, happened="Fête\x1b de quartier", lessons="\x07Leçon")
    FacilitatorAssignmentFactory(site=marseille, person_name="Aïcha\x1b Benali")


@pytest.mark.parametrize("persona", ["national_team", "network_coordinator", "facilitator"])
def test_national_and_network_exports_hold_control_characters(client, request, poisoned, persona):
    client.force_login(request.getfixturevalue(persona))
    for dataset in DATASETS:
        response = client.get(reverse("exports:export_download", args=[dataset, "xlsx"]))
        assert response.status_code == 200, dataset
        text = " ".join(
            str(v) for row in load_workbook(io.BytesIO(response.content)).active.values for v in row
        )
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text), dataset
        body = client.get(reverse("exports:export_download", args=[dataset, "csv"])).content
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) > 1, dataset
    titles = " ".join(
        str(v)
        for row in load_workbook(
            io.BytesIO(client.get(reverse("exports:export_download", args=["reunions", "xlsx"])).content)
        ).active.values
        for v in row
    )
    assert "Comité de pilotage" in titles


def test_site_dashboard_exports_hold_control_characters(client, facilitator, poisoned):
    client.force_login(facilitator)
    response = client.get(reverse("dashboards:site_export", args=["marseille", "tout", "xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert "Aïcha Benali" in [row[0] for row in workbook["Animation"].values]
    response = client.get(reverse("dashboards:site_export", args=["marseille", "animation", "csv"]))
    assert "Aïcha Benali" in response.content.decode("utf-8-sig")


def test_national_dashboard_export_holds_control_characters(client, national_team, poisoned):
    client.force_login(national_team)
    response = client.get(reverse("dashboards:national_export", args=["xlsx"]))
    assert response.status_code == 200
    names = [row[0] for row in load_workbook(io.BytesIO(response.content)).active.values]
    assert "Marseille – Frais Vallon" in names
