"""The editable versions of an issued report (ODT and DOCX): made by the report's task right after
its PDF, from the same content, frozen with it, downloadable by the PDF's readers, offered on the
report's page, removed with it on an erasure."""

import datetime
import io
import zipfile

import docx
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from atc.periods import parse_period
from evaluation.models import EvaluationReport
from evaluation.reports import editable
from evaluation.reports import services as reporting
from evaluation.reports.scopes import parse_scope
from evaluation.reports.tasks import build_report
from tests.evaluation.factories import LogbookEntryFactory
from tests.reports.factories import EvaluationReportFactory

Status = EvaluationReport.Status
D = datetime.date


@pytest.fixture
def national_client(client, national_team):
    client.force_login(national_team)
    return client


@pytest.fixture
def marseille_report(evaluation_data):
    """Marseille's report of Q3 2020, built by the task (eager), with a hostile logbook entry."""
    LogbookEntryFactory(
        site=evaluation_data["marseille"],
        period_start=D(2020, 9, 1),
        period_end=D(2020, 9, 30),
        happened="Bilan\x07 collé depuis un tableur : <b>gras</b> & « guillemets ».",
    )
    report = EvaluationReportFactory(
        on_site=True,
        site=evaluation_data["marseille"],
        period_label="2020-T3",
        period_start=D(2020, 7, 1),
        period_end=D(2020, 9, 30),
    )
    build_report.apply(args=[report.pk], task_id="delivery-1")
    report.refresh_from_db()
    return report


def _download(client, report, extension):
    response = client.get(reverse("reports:report_download_editable", args=[report.public_id, extension]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_the_task_makes_the_odt_and_docx_beside_the_pdf(marseille_report):
    report = marseille_report

    assert report.status == Status.DONE
    stem = report.file.name.removesuffix(".pdf")
    assert report.odt_file.name == f"{stem}.odt"
    assert report.docx_file.name == f"{stem}.docx"
    with report.odt_file.open("rb") as handle, zipfile.ZipFile(handle) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert any(name.startswith("Pictures/") for name in odt.namelist())


def test_the_docx_says_what_the_pdf_says_with_user_text_as_plain_text(marseille_report, national_client):
    response, body = _download(national_client, marseille_report, "docx")

    assert response.status_code == 200
    assert response["Content-Type"] == reporting.EDITABLE_FORMATS["docx"][0]
    assert 'filename="rapport-site-marseille-2020-T3.docx"' in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(body))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Rapport d'évaluation — Site de Marseille – Frais Vallon"
    assert "Marseille – Frais Vallon" in headings
    assert "<script>alert('piège')</script> Stock alimentaire partagé" in text
    assert "Bilan collé depuis un tableur : <b>gras</b> & « guillemets »." in text
    assert "Fonction" in [cell.text for table in document.tables for cell in table.rows[0].cells]


def test_the_odt_downloads_under_its_name(marseille_report, national_client):
    response, body = _download(national_client, marseille_report, "odt")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    assert 'filename="rapport-site-marseille-2020-T3.odt"' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(body)) as odt:
        content = odt.read("content.xml").decode()
    assert "Marseille – Frais Vallon" in content
    assert "&lt;script&gt;alert" in content


def test_the_report_page_offers_both_editable_versions(marseille_report, national_client):
    page = national_client.get(
        reverse("reports:report_detail", args=[marseille_report.public_id])
    ).content.decode()

    for extension in ("odt", "docx"):
        assert (
            reverse("reports:report_download_editable", args=[marseille_report.public_id, extension]) in page
        )
    assert "version modifiable (ODT, LibreOffice)" in page
    assert "version modifiable (DOCX, Word)" in page


def test_an_unknown_format_or_a_report_without_editable_versions_answers_404(db, national_client):
    report = EvaluationReportFactory(on_site=True, status=Status.DONE, finished_at=timezone.now())
    report.file.save("ancien.pdf", io.BytesIO(b"%PDF-1.7\n"), save=True)

    assert _download(national_client, report, "docx")[0].status_code == 404
    assert _download(national_client, report, "exe")[0].status_code == 404


def test_the_page_says_the_editable_versions_are_coming_then_that_an_old_report_has_none(db, national_client):
    report = EvaluationReportFactory(on_site=True, status=Status.DONE, finished_at=timezone.now())
    url = reverse("reports:report_detail", args=[report.public_id])

    fresh = national_client.get(url).content.decode()
    assert "sont en préparation" in fresh
    assert "data-hx-get" in fresh  # the page keeps asking until they are there

    EvaluationReport.objects.filter(pk=report.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=3)
    )
    old = national_client.get(url).content.decode()
    assert "n'a pas de version modifiable" in old
    assert "data-hx-get" not in old


def test_issued_editable_versions_are_never_replaced(marseille_report, tmp_path):
    first = (marseille_report.odt_file.name, marseille_report.docx_file.name)
    with marseille_report.docx_file.open("rb") as handle:
        before = handle.read()

    made = reporting.report_documents_build(
        report_id=marseille_report.pk, html="<html></html>", folder=tmp_path
    )

    marseille_report.refresh_from_db()
    assert made is False
    assert (marseille_report.odt_file.name, marseille_report.docx_file.name) == first
    with marseille_report.docx_file.open("rb") as handle:
        assert handle.read() == before


def test_an_editable_version_that_fails_leaves_the_pdf_issued(evaluation_data, tmp_path):
    report = EvaluationReportFactory(on_site=True, site=evaluation_data["marseille"])
    html = reporting.render_html(target=parse_scope("site:marseille"), period=parse_period("2020-Q3"))
    build_report.apply(args=[report.pk], task_id="delivery-1")
    report.refresh_from_db()
    report.odt_file.delete(save=False)
    report.docx_file.delete(save=False)
    report.save()

    # A scratch folder gone from under the writer (a full or cleaned disk): a real failure.
    made = reporting.report_documents_build(report_id=report.pk, html=html, folder=tmp_path / "disparu")

    report.refresh_from_db()
    assert made is False
    assert (report.status, report.odt_file.name, report.docx_file.name) == (Status.DONE, "", "")
    assert report.file and default_storage.exists(report.file.name)


def test_an_erasure_removes_the_editable_versions_with_the_pdf(marseille_report):
    names = [marseille_report.file.name, marseille_report.odt_file.name, marseille_report.docx_file.name]
    person = marseille_report.site.facilitators.first().person_name

    reissued = reporting.reports_reissue_naming(names=[person])

    assert [report.pk for report in reissued] == [marseille_report.pk]
    assert not any(default_storage.exists(name) for name in names)
    marseille_report.refresh_from_db()
    assert (marseille_report.odt_file.name, marseille_report.docx_file.name) == ("", "")


def test_text_unfit_for_xml_is_dropped_and_the_rest_kept():
    document = editable.read_report(
        "<html><head><title>T</title></head><body><h2>Titre\x0b</h2>"
        "<p>Un\x00 deux\u202f000 <strong>trois</strong></p></body></html>"
    )

    assert document.blocks[0] == editable.Heading(2, "Titre")
    assert document.blocks[1] == editable.Paragraph(
        [editable.Run("Un deux\u202f000 "), editable.Run("trois", bold=True)]
    )
