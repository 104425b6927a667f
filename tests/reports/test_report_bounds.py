"""A site section lists a bounded number of actions, says how many more there are and where
to find them: 13,033 actions made a 349-page report."""

import datetime

import pypdf
import pytest
from django.core.management import call_command

from pilotage.models import Action
from tests.pilotage.factories import ActionFactory

pytestmark = pytest.mark.django_db


def _pdf_text(path) -> str:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_a_site_with_many_actions_lists_the_first_n_and_counts_the_rest(marseille, settings, tmp_path):
    settings.ATC_REPORT_LIST_MAX = 10
    Action.objects.bulk_create(
        ActionFactory.build(site=marseille, title=f"Chantier numéro {n:03d}", theme=None, status="running")
        for n in range(60)
    )
    output = tmp_path / "site.pdf"
    year = str(datetime.date.today().year)

    call_command("build_report", scope="site:marseille", period=year, output=str(output))

    text = _pdf_text(output)
    assert text.count("Chantier numéro") == 10
    assert "Et 50 autres actions, non listées ici" in text
    assert "export XLSX « Actions »" in text
