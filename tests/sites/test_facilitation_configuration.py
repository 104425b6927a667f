"""The facilitation configuration is derived from the facilitators recorded: an empty site is "no
facilitator recorded", never « Une seule personne »; an explicit override is shown as such. Read in
the « Sites » XLSX export (openpyxl) and in the PDF report (pypdf)."""

import datetime
import io

import pypdf
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.figures import registry
from sites.models import FacilitatorAssignment, Site
from tests.sites.factories import FacilitatorAssignmentFactory

D = datetime.date


def _configurations(client) -> dict[str, str]:
    response = client.get(reverse("exports:export_download", args=["sites", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Configuration de l'animation")
    return {row[0]: row[column] for row in rows[1:]}


def test_the_configuration_follows_the_people_recorded(client, national_team, marseille, grenoble, tourcoing):
    FacilitatorAssignmentFactory(site=marseille, start_date=D(2020, 1, 6))
    FacilitatorAssignmentFactory(
        site=marseille, position=FacilitatorAssignment.Position.SUPPORT, fte="0.2", start_date=D(2020, 1, 6)
    )
    FacilitatorAssignmentFactory(site=tourcoing, start_date=D(2020, 1, 6))
    Site.objects.filter(pk=tourcoing.pk).update(configuration_override=Site.Configuration.SHARED)
    client.force_login(national_team)

    configurations = _configurations(client)
    assert configurations[marseille.name] == "Une personne avec un appui"
    assert configurations[grenoble.name] == "Aucune personne enregistrée"
    assert (
        configurations[tourcoing.name]
        == "Fonction partagée entre plusieurs professionnel·les (saisie manuelle)"
    )


def test_the_report_says_when_nobody_is_recorded(grenoble, tmp_path):
    output = tmp_path / "grenoble.pdf"
    call_command("build_report", scope="site:grenoble", period="2021", output=str(output))
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(output).pages).replace("\n", " ")
    assert f"{registry.get('fte_in_post').label} — (Aucune personne enregistrée)" in text
    assert "Une seule personne 1 100" not in text  # the configurations chart's data table
