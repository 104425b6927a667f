"""The national report of 2021 on the demo data (15 sites), read as the national team and a
screen reader would: a tagged PDF/UA-1 (structure tree, title, language, headings in order, tables
with header cells, figures with their text, bookmarks), pages that are never nearly blank, a
running header that names the chapter the page is in, and the same report as ODT and DOCX that
LibreOffice opens with its headings, tables and charts."""

import subprocess
from io import StringIO

import docx
import pdfua
import pikepdf
import pytest
from django.core.management import call_command
from django.db import transaction

from atc.periods import parse_period
from evaluation.reports.content import build_content
from evaluation.reports.scopes import parse_scope
from evaluation.reports.services import render_html
from sites.models import Site
from tests.reports import reading

pytestmark = pytest.mark.django_db

PERIOD = "2021"
CHAPTERS = [
    "Sommaire",
    "Méthode et sources",
    "L'animation : temps, configurations, recrutement",
    "Le pilotage : réunions et composition",
    "Modèles, portage institutionnel et thématiques",
    "Actions et participation",
    "Lectures croisées du territoire",
    "Coopération",
    "Indicateurs",
    "Contexte de la période",
    "Les sites",
]
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data, the national report as PDF, ODT and DOCX, and its content (for its charts)."""
    folder = tmp_path_factory.mktemp("rapport-demo")
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        call_command(
            "build_report",
            scope="national",
            period=PERIOD,
            output=str(folder / "national.pdf"),
            editable=True,
            stdout=StringIO(),
        )
        target, period = parse_scope("national"), parse_period(PERIOD)
        content = build_content(target=target, period=period)
        html = render_html(target=target, period=period)
        sites = list(Site.objects.order_by("name").values_list("name", flat=True))
        yield {"folder": folder, "content": content, "html": html, "sites": sites}
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def pdf(report):
    return report["folder"] / "national.pdf"


@pytest.fixture(scope="module")
def elements(pdf):
    return reading.structure(pdf)


# --- Item 4: an accessible, tagged PDF ------------------------------------------------------------


def test_pdfinfo_says_the_pdf_is_tagged_with_its_title(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout

    assert "Tagged:          yes" in info
    assert "Title:           Rapport d'évaluation — Ensemble de l'expérimentation — année 2021" in info


def test_the_pdf_declares_french_its_title_and_pdf_ua(pdf):
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "fr"
        assert bool(document.Root.MarkInfo.Marked) is True
        assert bool(document.Root.ViewerPreferences.DisplayDocTitle) is True
        assert "/StructTreeRoot" in document.Root
        with document.open_metadata() as metadata:
            assert metadata["pdfuaid:part"] == "1"
            assert metadata["dc:title"].startswith("Rapport d'évaluation")


def test_the_pdf_ua_checker_finds_nothing(pdf):
    result = pdfua.validate(str(pdf))

    findings = [
        f"{finding.rule_id} {finding.severity.name}: {finding.message}" for finding in result.findings
    ]
    assert findings == []
    assert result.exit_code == 0


def test_every_chart_is_a_figure_whose_alternative_text_is_its_title_and_summary(report, elements):
    figures = [element for element in elements if element.tag == "/Figure"]
    content = report["content"]
    charts = [
        content["facilitation"]["fte_chart"],
        content["steering"]["chart"],
        content["readings"]["chart"],
        content["map"],
    ]

    assert len(figures) >= 20
    assert all(figure.alt.strip() for figure in figures)
    alts = {figure.alt for figure in figures}
    for chart in charts:
        assert f"{chart.title}. {chart.summary}" in alts
    assert any(alt.startswith("Carte des sites couverts. 15 sites sur la carte, dans ") for alt in alts)


def test_headings_go_down_one_level_at_a_time(elements):
    levels = [int(element.tag[2]) for element in elements if element.tag in {f"/H{n}" for n in range(1, 7)}]

    assert levels[0] == 1
    assert levels.count(1) == 1
    jumps = [(before, after) for before, after in zip(levels, levels[1:], strict=False) if after > before + 1]
    assert jumps == []


def test_every_table_has_header_cells_scoped_to_their_column_or_row(elements):
    tables = [element for element in elements if element.tag == "/Table"]
    headers = [element for element in elements if element.tag == "/TH"]

    assert len(tables) >= 40
    assert headers and all(header.scope in ("/Column", "/Row") for header in headers)
    assert all(header.scope == "/Column" for header in headers if "/THead" in header.ancestors)
    assert all(header.scope == "/Row" for header in headers if "/TBody" in header.ancestors)


def test_bookmarks_lead_to_every_chapter_and_every_site(report, pdf):
    marks = reading.bookmarks(pdf)
    titles = [title for _depth, title, _page in marks]

    for chapter in CHAPTERS:
        assert chapter in titles
    for site in report["sites"]:
        assert site in titles
    assert all(page is not None for _depth, _title, page in marks)


# --- Item 6: layout --------------------------------------------------------------------------------


def test_no_page_is_under_a_quarter_full_except_a_chapters_last(pdf):
    pages = reading.page_lines(pdf)
    starts = {page for depth, _title, page in reading.bookmarks(pdf) if depth <= 3}
    height = reading.BOTTOM - reading.TOP
    short = []
    for number, lines in enumerate(pages, start=1):
        text = reading.body(lines)
        filled = (max(line.bottom for line in text) - reading.TOP) / height if text else 0
        last_of_chapter = number + 1 in starts or number == len(pages)
        if filled < 0.25 and not last_of_chapter and number != 1:
            short.append((number, round(filled, 2), text[0].text if text else ""))

    assert short == []


def test_the_running_header_names_the_chapter_the_page_is_in(pdf):
    pages = reading.page_lines(pdf)
    wrong = []
    for number, lines in enumerate(pages, start=1):
        running, text = reading.header(lines), reading.body(lines)
        starts_here = [index for index, line in enumerate(text) if line.text == running]
        # A chapter named in the header starts at the top of the page, or before it: never lower.
        if starts_here and starts_here[0] > 0 and running in CHAPTERS:
            wrong.append((number, running))
        assert number == 1 or running, f"page {number} has no running header"

    assert wrong == []


def test_method_and_sources_opens_with_its_text_and_the_map_opens_the_sites(pdf):
    pages = reading.page_lines(pdf)
    marks = {title: page for _depth, title, page in reading.bookmarks(pdf)}
    method = reading.body(pages[marks["Méthode et sources"] - 1])
    sites = reading.body(pages[marks["Les sites"] - 1])

    assert method[0].text == "Méthode et sources"
    assert method[1].text.startswith("Sur la période :")
    assert any(line.text.startswith("Carte des sites couverts.") for line in sites)


def test_site_names_carry_no_doubt_marker_and_no_indicator_reads_0_sur_0(pdf):
    text = " ".join(line.text for lines in reading.page_lines(pdf) for line in lines)

    assert "Roubaix – Nouveau Roubaix" in text
    assert "déduit" not in text
    assert "0 sur 0" not in text


# --- Item 5: the same report, editable ------------------------------------------------------------


def _headings(document) -> list[tuple[str, str]]:
    return [
        (paragraph.style.name, paragraph.text)
        for paragraph in document.paragraphs
        if paragraph.style.name.startswith("Heading")
    ]


def _pictures(document) -> list[str]:
    """The alternative text of every picture of a Word document, however it is anchored."""
    return [shape.get("descr", "") for shape in document.element.body.iter(f"{WP}docPr")]


@pytest.fixture(scope="module")
def converted(report, tmp_path_factory):
    """The ODT as LibreOffice saves it in Word's format, and the DOCX as it saves it in ODT: each
    opened by LibreOffice headless."""
    folder = tmp_path_factory.mktemp("libreoffice")
    odt_as_docx = reading.convert(report["folder"] / "national.odt", "docx:MS Word 2007 XML", folder)
    docx_as_odt = reading.convert(report["folder"] / "national.docx", "odt", folder)
    return {"odt": odt_as_docx, "docx": docx_as_odt}


def test_the_docx_has_the_pdfs_headings_tables_and_charts_with_their_text(report, pdf, elements):
    document = docx.Document(report["folder"] / "national.docx")
    headings = _headings(document)
    pdf_alts = sorted(element.alt for element in elements if element.tag == "/Figure")

    assert headings[0] == ("Heading 1", "Rapport d'évaluation — Ensemble de l'expérimentation")
    for chapter in CHAPTERS:
        assert ("Heading 2", chapter) in headings
    for site in report["sites"]:
        assert ("Heading 3", site) in headings
    assert [text for _style, text in headings] == [title for _d, title, _p in reading.bookmarks(pdf)]
    assert sorted(_pictures(document)) == pdf_alts
    # (The PDF tags a table broken across pages once per page: the HTML counts them.)
    assert len(document.tables) == report["html"].count("<table")
    assert document.core_properties.language == "fr-FR"
    assert document.core_properties.title.startswith("Rapport d'évaluation — Ensemble")


def test_a_docx_table_keeps_its_header_row_and_french_numbers(report):
    document = docx.Document(report["folder"] / "national.docx")
    statuses = next(t for t in document.tables if len(t.rows) > 1 and t.rows[1].cells[0].text == "Idée")

    assert [cell.text for cell in statuses.rows[0].cells] == ["Catégorie", "Nombre", "Part"]
    assert statuses.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    assert all(row.cells[2].text.endswith("\u202f%") for row in statuses.rows[1:])


def test_libreoffice_opens_the_odt_with_its_headings_and_charts(report, converted):
    original = docx.Document(report["folder"] / "national.docx")
    from_odt = docx.Document(converted["odt"])

    assert _headings(from_odt) == _headings(original)
    assert sorted(_pictures(from_odt)) == sorted(_pictures(original))
    assert len(from_odt.tables) == len(original.tables)


def test_libreoffice_opens_the_docx(converted):
    assert converted["docx"].stat().st_size > 100_000
