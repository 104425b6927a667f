"""The PDF holds the figures the data implies, in French formats, with user text escaped."""

import pypdf
import pytest
from django.core.management import CommandError, call_command

from atc.periods import parse_period
from evaluation.figures import registry
from evaluation.reports.scopes import parse_scope
from evaluation.reports.services import render_html


def _pdf_text(path) -> str:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_the_national_report_shows_the_evaluation_figures(evaluation_data, tmp_path):
    output = tmp_path / "national.pdf"

    call_command("build_report", scope="national", period="2020-Q3", output=str(output))

    text = _pdf_text(output)
    assert "Rapport d'évaluation — Ensemble de l'expérimentation" in text
    assert "3e trimestre 2020" in text
    assert "du 1er juillet 2020 au 30 septembre 2020" in text
    assert "de 0,4 à 1,2, moyenne 0,8" in text
    assert "30 sur 14 territoires" in text
    assert "17 sur 10 territoires" in text
    assert "57 %" in text
    assert "17 réponses sur 30 destinataires (57 %), 10 territoires sur 14" in text
    for site in evaluation_data.values():
        assert site.name in text
    assert "T4 2019 6" in text  # recruitment by quarter
    assert "Réunions de pilotage sur la période, par site : de 0 à 2, moyenne 0,1" in text
    assert "Sommaire" in text
    assert "Page 3 sur" in text


def test_text_typed_by_users_reaches_the_pdf_escaped(evaluation_data, tmp_path):
    html = render_html(target=parse_scope("national"), period=parse_period("2020-Q3"))

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;piège&#x27;)&lt;/script&gt;" in html

    output = tmp_path / "site.pdf"
    call_command("build_report", scope="site:marseille", period="2020-Q3", output=str(output))
    assert "<script>alert('piège')</script> Stock alimentaire partagé" in _pdf_text(output)


def test_the_same_data_gives_the_same_document(evaluation_data):
    target, period = parse_scope("national"), parse_period("2020-Q3")

    assert render_html(target=target, period=period) == render_html(target=target, period=period)


def test_a_site_is_found_by_one_of_its_qpv_codes(evaluation_data, tmp_path):
    marseille = evaluation_data["marseille"]
    code = marseille.neighbourhoods.exclude(code_2015=None).first().code_2015
    output = tmp_path / "qpv.pdf"

    call_command("build_report", scope=f"site:{code}", period="2020-07-01..2020-09-30", output=str(output))

    text = _pdf_text(output)
    assert f"Site de {marseille.name}" in text
    assert f"{registry.get('fte_in_post').label} : 0,4." in text  # one site: the value alone


def test_the_command_says_what_to_type_for_an_unreadable_period(db, tmp_path):
    with pytest.raises(CommandError, match="T1 2021"):
        call_command("build_report", scope="national", period="T5 2021", output=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="Site inconnu"):
        call_command("build_report", scope="site:atlantide", period="2021", output=str(tmp_path / "x.pdf"))
