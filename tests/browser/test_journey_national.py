"""Journey of the national team: a national report for a quarter, made by a real Celery worker
while the page follows its status, downloaded as a PDF holding the sites and their figures; then the
table of the sites (their meetings) exported as XLSX."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from evaluation.models import EvaluationReport
from sites.models import Site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUARTER = "2020-Q3"
Q3_START, Q3_END = datetime.date(2020, 7, 1), datetime.date(2020, 9, 30)


def _pdf_text(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_national_team_requests_a_quarterly_report_downloads_its_pdf_and_exports_the_meetings(
    page, celery_worker
):
    browser = page.page
    page.login("national_team")
    page.goto(reverse("reports:report_list"))
    page.shot("rapports")
    browser.get_by_role("link", name="Demander un rapport").click()
    browser.get_by_label("Périmètre").select_option("national")
    browser.get_by_label("Période").fill(QUARTER)
    page.shot("demande")
    browser.get_by_role("button", name="Demander le rapport").click()

    status = browser.get_by_role("status").filter(has_text="État")
    expect(browser.get_by_text("Demande enregistrée")).to_be_visible()
    first_status = status.inner_text()
    assert "Prêt" not in first_status, first_status
    page.shot("en-preparation")
    # htmx asks the server again every few seconds until the worker has made the PDF.
    expect(status).to_contain_text("Prêt", timeout=90_000)
    page.shot("pret")
    report = EvaluationReport.objects.get()
    assert report.status == EvaluationReport.Status.DONE
    assert report.period_label == "2020-T3"  # typed the international way, kept the French way

    with browser.expect_download() as download_info:
        browser.get_by_role("link", name="Télécharger le rapport (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    text = _pdf_text(download.path())
    assert "Rapport d'évaluation" in text
    for site in Site.objects.all():
        key_figures = re.search(
            rf"Chiffres clés — {re.escape(site.name)} .*? Réunions de la période (\d+) Partenaires",
            text,
        )
        assert key_figures, site.name
        held = site.meetings.filter(date__range=(Q3_START, Q3_END)).count()
        assert int(key_figures.group(1)) == held, site.name

    page.goto(reverse("dashboards:national"))
    page.shot("tableau-national")
    with browser.expect_download() as download_info:
        browser.get_by_role("link", name="Exporter le tableau (XLSX)").click()
    workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    sheet = workbook.worksheets[0]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    header_index = next(i for i, row in enumerate(rows) if "Réunions" in row)
    headers = list(rows[header_index])
    by_site = {row[headers.index("Site")]: row for row in rows[header_index + 1 :]}
    assert len(by_site) == 15
    for site in Site.objects.all():
        assert by_site[site.name][headers.index("Réunions")] == site.meetings.count(), site.name
