"""« Écart » between readings means one thing everywhere (highest − lowest reading of an item);
the report's signed comparison is named apart (facilitator − institutional). Read in the CSV
export (csv), the diagnostic page and the PDF (pypdf)."""

import csv
import datetime
import io
from decimal import Decimal

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse

from diagnostics.readings import reading_difference, reading_spread
from tests.diagnostics.factories import AssessmentFactory

SPREAD = "Écart entre les lectures (plus haute − plus basse)"
DIFFERENCE = "Différence animateur·rice − institutionnels"


def test_the_two_comparisons():
    assert reading_spread([Decimal(7), Decimal(4), Decimal(9)]) == 5
    assert reading_spread([Decimal(7), None, None]) is None
    assert reading_difference(Decimal(4), Decimal(7)) == -3
    assert reading_difference(None, Decimal(7)) is None


@pytest.fixture
def trust_readings(marseille):
    day = datetime.date(2021, 3, 1)
    AssessmentFactory(site=marseille, score=Decimal(7), date=day)
    AssessmentFactory(site=marseille, score=Decimal(4), date=day, by_facilitator=True)
    AssessmentFactory(site=marseille, score=Decimal(9), date=day, by_residents=True)


def test_the_dashboard_export_and_the_diagnostic_page_give_the_same_spread(
    client, national_team, trust_readings
):
    client.force_login(national_team)
    response = client.get(reverse("dashboards:site_export", args=["marseille", "readings", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows[0][-1] == SPREAD
    trust = next(row for row in rows if row[0] == "Confiance entre les acteurs du quartier")
    assert trust[-1] == "5"

    page = client.get(reverse("diagnostics:assessment_overview", args=["marseille"])).content.decode()
    assert SPREAD in page


def test_the_report_names_its_signed_difference_apart(trust_readings, tmp_path):
    output = tmp_path / "marseille.pdf"
    call_command("build_report", scope="site:marseille", period="2021", output=str(output))
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(output).pages).replace("\n", " ")
    assert DIFFERENCE in text
    assert "Écart" not in text.replace(SPREAD, "")
