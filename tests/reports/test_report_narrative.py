"""Issue 16, items 1–3: a report starts as a draft whose texts the national team (or the network's
coordinator) types on the platform, with logbook extracts and actors' quotes; once issued it is
built with them (PDF, ODT, DOCX) and frozen. Its summary compares each key figure with the
previous period; a site report places the site among the others without naming them; a network
report compares its sites. Outputs are read with pdftotext, pdfinfo, python-docx and the ODT's XML."""

import datetime
import hashlib
import io
import subprocess
import zipfile

import docx
import pytest
from django.urls import reverse
from django.utils.html import escape

from atc.models import Notification
from atc.notifications import kinds
from atc.periods import parse_period
from evaluation.figures.aggregates import rebuild_all_stats
from evaluation.models import NARRATIVE_MAX_CHARS, EvaluationReport, Quote, ReportNarrative
from evaluation.reports import services as reporting
from evaluation.reports.content import build_content
from evaluation.reports.scopes import Target
from pilotage.models import Meeting
from sites.models import Network, Site
from tests.evaluation.factories import LogbookEntryFactory, QuoteFactory
from tests.pilotage.factories import MeetingFactory
from tests.reports import reading
from tests.reports.factories import ReportScheduleFactory

Status = EvaluationReport.Status
D = datetime.date
# Planted in another site's name: a site report must never print it.
MARKER = "ZZAUTRESITEZZ"


def _pdf_text(report) -> str:
    with report.file.open("rb") as handle:
        data = handle.read()
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def _pdfinfo(report, folder) -> str:
    path = folder / "rapport.pdf"
    with report.file.open("rb") as handle:
        path.write_bytes(handle.read())
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()


def _docx_text(report) -> str:
    with report.docx_file.open("rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join(texts).split())


def _odt_xml(report) -> str:
    with report.odt_file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as odt:
        return odt.read("content.xml").decode()


def _sha256(report) -> str:
    with report.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def years(db):
    """Marseille held 1 meeting in 2020 and 3 in 2021 (Tourcoing one in each); a logbook entry
    and two quotes in 2021 — one named with consent, one signed by role only."""
    marseille = Site.objects.get(slug="marseille")
    tourcoing = Site.objects.get(slug="tourcoing")
    MeetingFactory(site=marseille, steering=True, date=D(2020, 5, 12))
    for day in (D(2021, 2, 9), D(2021, 6, 1), D(2021, 10, 5)):
        MeetingFactory(site=marseille, steering=True, date=day)
    MeetingFactory(site=tourcoing, kind=Meeting.Kind.RESIDENTS_WORKSHOP, date=D(2020, 3, 3))
    MeetingFactory(site=tourcoing, kind=Meeting.Kind.RESIDENTS_WORKSHOP, date=D(2021, 3, 3))
    entry = LogbookEntryFactory(
        site=marseille,
        period_start=D(2021, 4, 1),
        period_end=D(2021, 6, 30),
        happened="Le stock alimentaire partagé tourne avec six associations.",
    )
    named = QuoteFactory(site=marseille, named=True, text="On ne se parlait pas avant l'ATC.")
    anonymous = QuoteFactory(
        site=marseille,
        text="Les habitants ont repris la parole au comité.",
        speaker_role="Habitante, membre du conseil citoyen",
    )
    rebuild_all_stats()
    return {
        "marseille": marseille,
        "tourcoing": tourcoing,
        "entry": entry,
        "named": named,
        "anonymous": anonymous,
    }


@pytest.fixture
def national_client(client, national_team):
    client.force_login(national_team)
    return client


def _narrative_post(**texts) -> dict:
    return {"introduction": "", "conclusion": "", **texts}


def _create_draft(client, **data) -> EvaluationReport:
    response = client.post(reverse("reports:report_request"), {"period": "2021", "draft": "on", **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = EvaluationReport.objects.latest("requested_at")
    assert response["Location"] == reverse("reports:report_narrative", args=[report.public_id])
    return report


def _issue(client, report, django_capture_on_commit_callbacks) -> EvaluationReport:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_issue", args=[report.public_id]))
    assert response.status_code == 302
    report.refresh_from_db()
    return report


@pytest.fixture
def issued_national(years, national_client, django_capture_on_commit_callbacks):
    """The national 2021 report, drafted, written and issued through the pages."""
    report = _create_draft(national_client, scope="national")
    assert report.status == Status.DRAFT
    assert (
        national_client.get(reverse("reports:report_narrative", args=[report.public_id])).status_code == 200
    )
    response = national_client.post(
        reverse("reports:report_narrative", args=[report.public_id]),
        _narrative_post(
            introduction=(
                "Introduction de l'équipe nationale.\n\nUne année de consolidation des coopérations."
            ),
            commentary_animation="Commentaire sur l'animation : les temps partiels pèsent.",
            conclusion="Conclusion : poursuivre en 2022.",
            logbook_entries=[years["entry"].pk],
            quotes=[years["named"].pk, years["anonymous"].pk],
        ),
    )
    assert response.status_code == 302
    return _issue(national_client, report, django_capture_on_commit_callbacks)


def test_the_national_2021_report_carries_the_texts_typed_on_the_platform(issued_national, tmp_path):
    report = issued_national

    assert report.status == Status.DONE
    pdf, word, odt = _pdf_text(report), _docx_text(report), _odt_xml(report)
    for text in (
        "Introduction de l'équipe nationale.",
        "Une année de consolidation des coopérations.",
        "Commentaire sur l'animation : les temps partiels pèsent.",
        "Conclusion : poursuivre en 2022.",
        "Le stock alimentaire partagé tourne avec six associations.",
        "Les habitants ont repris la parole au comité.",
        "Nadia Benali",
    ):
        assert text in pdf
        assert text in word
        assert text.replace("'", "&apos;") in odt or text in odt
    assert "Tagged:          yes" in _pdfinfo(report, tmp_path)
    # The summary, the team's texts and the quotes keep the headings in order for screen readers.
    levels = [
        int(element.tag[2])
        for element in reading.structure(tmp_path / "rapport.pdf")
        if element.tag in {f"/H{n}" for n in range(1, 7)}
    ]
    assert levels[0] == 1 and levels.count(1) == 1
    assert [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1] == []


def test_the_summary_page_compares_2021_with_2020_in_figures_and_words(issued_national):
    text = _pdf_text(issued_national)

    assert "L'essentiel de la période" in text
    assert "comparé à la période précédente de même durée : année 2020" in text
    # 4 meetings in 2021 against 2 in 2020: up by 2 (+100 %), said in words beside the arrow.
    assert "Réunions tenues 4 2 ↑ en hausse : +2 (+100 %)" in text
    assert "Points d'attention de la période" in text
    assert "Ce qui a progressé" in text
    # The summary comes first: before the table of contents and the chapters.
    assert text.index("L'essentiel de la période") < text.index("Sommaire") < text.index("Méthode et sources")


def test_each_chart_is_drawn_once_with_its_data_in_the_annex(issued_national):
    content = build_content(target=Target("national"), period=parse_period("2021"))
    html = reporting.render_html(target=Target("national"), period=parse_period("2021"))

    assert content["annex"]
    assert html.count("Données du graphique") == 0
    annex = html[html.index('id="annexe"') :]
    for chart in content["annex"]:
        assert escape(chart.table.caption) in annex
    assert "Les données sont dans l'annexe" in html


def test_an_issued_report_cannot_be_edited_and_its_file_never_changes(
    issued_national, national_client, django_capture_on_commit_callbacks
):
    report = issued_national
    before = (_sha256(report), report.file.name, report.docx_file.name, report.odt_file.name)
    narrative_url = reverse("reports:report_narrative", args=[report.public_id])

    page = national_client.get(narrative_url)
    posted = national_client.post(narrative_url, _narrative_post(introduction="Texte changé après coup."))
    with django_capture_on_commit_callbacks(execute=True):
        issued = national_client.post(reverse("reports:report_issue", args=[report.public_id]))
    with pytest.raises(reporting.ReportFrozen):
        reporting.narrative_save(
            report=report,
            user=None,
            introduction="Texte changé après coup.",
            conclusion="",
            commentaries={},
            logbook_entries=[],
            quotes=[],
        )
    rebuilt = reporting.report_build(report_id=report.pk, task_id="a-second-delivery")

    assert page.status_code == posted.status_code == issued.status_code == 403
    assert "ne changent plus" in page.content.decode()
    assert rebuilt is False
    report.refresh_from_db()
    assert (_sha256(report), report.file.name, report.docx_file.name, report.odt_file.name) == before
    assert report.narrative.introduction.startswith("Introduction de l'équipe nationale.")
    assert "Texte changé après coup." not in _pdf_text(report)


def test_narrative_edits_are_kept_in_its_history(years, national_client):
    report = _create_draft(national_client, scope="national")
    url = reverse("reports:report_narrative", args=[report.public_id])
    national_client.post(url, _narrative_post(introduction="Première version."))
    national_client.post(url, _narrative_post(introduction="Deuxième version."))

    versions = list(report.narrative.history.order_by("history_date").values_list("introduction", flat=True))
    assert versions[-2:] == ["Première version.", "Deuxième version."]


# --- Quotes: a name only with consent -------------------------------------------------------------


def test_a_quote_with_a_name_but_no_consent_is_refused_with_a_french_message(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("quotes:quote_create", args=["marseille"]),
        {
            "text": "Il faut continuer.",
            "speaker_role": "Délégué du préfet",
            "said_on": "2021-05-04",
            "speaker_name": "Jean Dupont",
        },
    )

    assert response.status_code == 200
    assert "Sans l&#x27;accord de la personne, laissez le nom vide" in response.content.decode()
    assert not Quote.objects.filter(text="Il faut continuer.").exists()


def test_a_quote_with_consent_but_no_date_is_refused(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("quotes:quote_create", args=["marseille"]),
        {
            "text": "Il faut continuer.",
            "speaker_role": "Délégué du préfet",
            "said_on": "2021-05-04",
            "speaker_name": "Jean Dupont",
            "name_consent": "on",
        },
    )

    assert "Indiquez la date à laquelle la personne a donné son accord." in response.content.decode()
    assert not Quote.objects.filter(text="Il faut continuer.").exists()


def test_the_site_team_records_a_quote_signed_by_role(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("quotes:quote_create", args=["marseille"]),
        {"text": "Il faut continuer.", "speaker_role": "Délégué du préfet", "said_on": "2021-05-04"},
    )

    assert response.status_code == 302
    quote = Quote.objects.get(text="Il faut continuer.")
    assert (quote.site.slug, quote.shown_name, quote.recorded_by) == ("marseille", "", facilitator)
    page = client.get(reverse("quotes:quote_list", args=["marseille"])).content.decode()
    assert "Délégué du préfet" in page


def test_a_quote_whose_consent_was_withdrawn_shows_no_name_in_any_output(
    years, national_client, django_capture_on_commit_callbacks
):
    quote = years["named"]
    Quote.objects.filter(pk=quote.pk).update(speaker_name="", name_consent=False, consent_on=None)
    report = _create_draft(national_client, scope="site", site=years["marseille"].pk)
    national_client.post(
        reverse("reports:report_narrative", args=[report.public_id]), _narrative_post(quotes=[quote.pk])
    )
    report = _issue(national_client, report, django_capture_on_commit_callbacks)

    for text in (_pdf_text(report), _docx_text(report), _odt_xml(report)):
        assert "On ne se parlait pas avant l" in text
        assert "Directrice d" in text
        assert "Nadia" not in text and "Benali" not in text


# --- A site report never names another site -------------------------------------------------------


def test_a_site_report_never_names_another_site(years, national_client, django_capture_on_commit_callbacks):
    tourcoing = years["tourcoing"]
    Site.objects.filter(pk=tourcoing.pk).update(name=f"Tourcoing {MARKER}")
    elsewhere = QuoteFactory(site=tourcoing, text=f"Propos de {MARKER}.")
    their_entry = LogbookEntryFactory(
        site=tourcoing, period_start=D(2021, 1, 1), period_end=D(2021, 3, 31), happened=f"Bilan {MARKER}."
    )
    report = _create_draft(national_client, scope="site", site=years["marseille"].pk)
    url = reverse("reports:report_narrative", args=[report.public_id])

    offered = national_client.get(url).content.decode()
    refused = national_client.post(url, _narrative_post(quotes=[elsewhere.pk]))
    # Even picked behind the form's back, another site's words stay out of the report.
    reporting.narrative_save(
        report=report,
        user=None,
        introduction="Le site de Marseille.",
        conclusion="",
        commentaries={},
        logbook_entries=[their_entry, years["entry"]],
        quotes=[elsewhere, years["anonymous"]],
    )
    report = _issue(national_client, report, django_capture_on_commit_callbacks)

    assert MARKER not in offered
    assert refused.status_code == 200 and "Sélectionnez un choix valide" in refused.content.decode()
    pdf = _pdf_text(report)
    for text in (pdf, _docx_text(report), _odt_xml(report)):
        assert MARKER not in text
        assert "Les habitants ont repris la parole au comité." in text
    assert "parmi les 5 sites de son réseau et les 15 sites de l'expérimentation" in pdf
    assert "dans le quart supérieur des sites du réseau" in _docx_text(report)


def test_a_site_is_placed_by_quartile_among_its_network(years):
    content = build_content(target=Target("site", site=years["marseille"]), period=parse_period("2021"))

    meetings = next(row for row in content["positions"]["rows"] if row["label"] == "Réunions tenues")
    # Marseille's 3 meetings in 2021: the most of FCSF's five sites (Tourcoing 1, the others 0).
    assert meetings["value"] == "3"
    assert meetings["network"] == "dans le quart supérieur des sites du réseau"
    assert content["positions"]["network_sites"] == 5


def test_a_network_report_compares_its_sites_in_a_table(years):
    network = Network.objects.get(code="fcsf")
    content = build_content(target=Target("network", network=network), period=parse_period("2021"))

    assert "comparaison" in [chapter["key"] for chapter in content["chapters"]]
    names = [row["name"] for row in content["network_table"]["rows"]]
    assert sorted(names) == sorted(Site.objects.filter(network=network).values_list("name", flat=True))
    marseille = next(
        row for row in content["network_table"]["rows"] if row["name"] == years["marseille"].name
    )
    assert marseille["cells"][1] == "3"


# --- Who writes a draft ---------------------------------------------------------------------------


def test_the_network_coordinator_drafts_their_network_report_not_another(client, network_coordinator, years):
    client.force_login(network_coordinator)
    fcsf, cnlrq = Network.objects.get(code="fcsf"), Network.objects.get(code="cnlrq")

    mine = _create_draft(client, scope="network", network=fcsf.pk)
    other = client.post(
        reverse("reports:report_request"),
        {"period": "2021", "draft": "on", "scope": "network", "network": cnlrq.pk},
    )

    assert mine.status == Status.DRAFT
    assert other.status_code == 200
    assert not EvaluationReport.objects.filter(network=cnlrq).exists()


def test_a_facilitator_is_not_offered_drafts(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("reports:report_request")).content.decode()

    assert "Créer un brouillon" not in page


# --- Hostile input --------------------------------------------------------------------------------


def test_hostile_narrative_is_printed_as_text_and_oversized_text_is_refused(years, national_client):
    report = _create_draft(national_client, scope="national")
    url = reverse("reports:report_narrative", args=[report.public_id])
    national_client.post(
        url,
        _narrative_post(introduction="<script>alert('x')</script> <b>gras</b>\x07\x1b fin.\r\n\r\nSuite."),
    )

    too_long = national_client.post(url, _narrative_post(introduction="x" * 100_000))

    narrative = ReportNarrative.objects.get(report=report)
    assert narrative.introduction == "<script>alert('x')</script> <b>gras</b> fin.\n\nSuite."
    assert too_long.status_code == 200
    assert "Ce texte dépasse" in too_long.content.decode()
    assert len(narrative.introduction) < NARRATIVE_MAX_CHARS
    html = reporting.render_html(
        target=Target("national"), period=parse_period("2021"), narrative=reporting.narrative_of(report)
    )
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &lt;b&gt;gras&lt;/b&gt; fin." in html
    assert "<script>alert" not in html


# --- Schedules: issued at once, or held as drafts for review --------------------------------------


def test_a_schedule_held_for_review_makes_a_draft_and_tells_the_national_team(national_team, db):
    schedule = ReportScheduleFactory(issue_automatically=False)

    result = reporting.schedule_fire(schedule_id=schedule.pk, today=D(2021, 4, 5))

    assert result.created and result.report.status == Status.DRAFT
    assert ReportNarrative.objects.filter(report=result.report).exists()
    told = Notification.objects.get(recipient=national_team, kind=kinds.REPORT)
    assert "brouillon" in told.title
    assert told.url == reverse("reports:report_narrative", args=[result.report.public_id])


def test_a_schedule_issuing_automatically_queues_the_report(db):
    schedule = ReportScheduleFactory(issue_automatically=True)

    result = reporting.schedule_fire(schedule_id=schedule.pk, today=D(2021, 4, 5))

    assert result.report.status == Status.QUEUED
    assert not ReportNarrative.objects.filter(report=result.report).exists()
