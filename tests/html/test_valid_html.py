"""Valid HTML: the Nu HTML checker finds no error on any main page of the platform, each fetched on
the demo data by the persona who sees it (issue 13). The checker runs once for every page: its JVM
takes seconds to start."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from atc.models import User
from atc.notifications.services import unsubscribe_token
from diagnostics.models import Finding
from evaluation.models import EvaluationReport, LogbookEntry, ReportNarrative, SiteShowcase
from evaluation.surveys import services as survey_services
from pilotage import services
from pilotage.models import Action, Committee, Meeting
from sites.models import FacilitatorAssignment, PartnerOrganisation, Site
from tests.atc.factories import NotificationFactory
from tests.evaluation.factories import (
    ExperienceSheetFactory,
    QuoteFactory,
    ShowcaseFileFactory,
    SiteShowcaseFactory,
)
from tests.html import nu
from tests.reports.factories import EvaluationReportFactory, IndicatorFactory, ReportScheduleFactory
from tests.surveys.factories import CampaignFactory, QuestionFactory, recipient_with_token

pytestmark = pytest.mark.django_db

FACILITATOR = "facilitator@example.org"
DELEGATE = "delegate@example.org"
COORDINATOR = "network@example.org"
NATIONAL = "national@example.org"

# A page the checker must refuse: an htmx attribute without its data- prefix, an aria-label on a
# plain div, a <details> after the <figcaption> of a figure (the three kinds of error of issue 13).
INVALID_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Page invalide</title></head>
<body><main>
<p hx-get="/x">htmx</p>
<div aria-label="Raccourcis">div</div>
<figure><svg></svg><figcaption>Légende</figcaption><details><summary>Données</summary></details></figure>
</main></body></html>
"""


def _site_pages(slug: str) -> list[tuple[str, str]]:
    meeting = Meeting.objects.filter(site__slug=slug).exclude(decisions=None).first()
    roster_meeting = (
        Meeting.objects.filter(site__slug=slug, committee__members__isnull=False).order_by("pk").first()
    )
    action = Action.objects.filter(site__slug=slug).first()
    finding = Finding.objects.filter(site__slug=slug).first()
    entry = LogbookEntry.objects.filter(site__slug=slug).first()
    partner = PartnerOrganisation.objects.filter(site__slug=slug).first()
    quote = QuoteFactory(site=Site.objects.get(slug=slug), named=True)
    site = [slug]
    return [
        ("site-home", reverse("sites:site_home", args=site)),
        ("site-dashboard", reverse("dashboards:site", args=site)),
        ("cooperation", reverse("dashboards:cooperation", args=site)),
        ("meeting-list", reverse("pilotage:meeting_list", args=site)),
        ("meeting-form-new", reverse("pilotage:meeting_create", args=site)),
        ("meeting-detail", reverse("pilotage:meeting_detail", args=[*site, meeting.pk])),
        ("meeting-form-edit", reverse("pilotage:meeting_edit", args=[*site, meeting.pk])),
        ("meeting-form-roster", reverse("pilotage:meeting_edit", args=[*site, roster_meeting.pk])),
        ("meeting-tally", reverse("pilotage:meeting_tally", args=[*site, roster_meeting.pk])),
        ("action-board", reverse("pilotage:action_board", args=site)),
        ("action-list-by-theme", reverse("pilotage:action_list", args=site)),
        ("action-form-new", reverse("pilotage:action_create", args=site)),
        ("action-detail", reverse("pilotage:action_detail", args=[*site, action.pk])),
        ("action-form-edit", reverse("pilotage:action_edit", args=[*site, action.pk])),
        ("claim-form-new", reverse("ledger:claim_create", args=[*site, action.pk])),
        ("finding-list", reverse("diagnostics:finding_list", args=site)),
        ("finding-form", reverse("diagnostics:finding_update", args=[*site, finding.pk])),
        ("assessment-overview", reverse("diagnostics:assessment_overview", args=site)),
        ("assessment-entry", reverse("diagnostics:assessment_entry", args=site)),
        ("coverage", reverse("diagnostics:coverage", args=site)),
        ("logbook-list", reverse("evaluation:logbook_list", args=site)),
        ("logbook-detail", reverse("evaluation:logbook_detail", args=[*site, entry.pk])),
        ("logbook-form", reverse("evaluation:logbook_update", args=[*site, entry.pk])),
        ("quote-list", reverse("quotes:quote_list", args=site)),
        ("quote-form-new", reverse("quotes:quote_create", args=site)),
        ("quote-form-edit", reverse("quotes:quote_edit", args=[*site, quote.pk])),
        ("partner-list", reverse("partners:partner_list", args=site)),
        ("partner-detail", reverse("partners:partner_detail", args=[*site, partner.pk])),
        ("partner-form", reverse("partners:partner_update", args=[*site, partner.pk])),
        ("site-people", reverse("team:facilitator_history", args=site)),
        ("attention-history", reverse("attention:site_history", args=site)),
        ("import-start", reverse("imports:import_start", args=site)),
        ("indicator-values", reverse("indicators:indicator_values", args=[*site, "2021-Q1"])),
        ("meeting-history", reverse("history", args=["meeting", meeting.pk])),
        ("home", reverse("home")),
        ("account-password", reverse("account_change_password")),
        ("account-email", reverse("account_email")),
        ("calendar-subscription", reverse("calendars:subscription")),
        ("account-api-tokens", reverse("tokens:token_list")),
        ("search-results", reverse("search:results") + "?q=r%C3%A9union+atelier"),
        ("search-one-kind", reverse("search:results") + "?q=atelier&type=reunions"),
        ("search-too-long", reverse("search:results") + "?q=" + "x" * 300),
    ]


def _national_pages() -> list[tuple[str, str]]:
    national_meeting = Meeting.objects.filter(site=None).first()
    person = User.objects.get(email=FACILITATOR)
    report = EvaluationReportFactory()
    draft = EvaluationReportFactory(status=EvaluationReport.Status.DRAFT, period_label="2021")
    ReportNarrative.objects.create(report=draft, introduction="Une année de coopération.")
    schedule = ReportScheduleFactory()
    indicator = IndicatorFactory()
    return [
        ("home", reverse("home")),
        ("national-dashboard", reverse("dashboards:national")),
        ("site-dashboard", reverse("dashboards:site", args=["grenoble"])),
        ("report-list", reverse("reports:report_list")),
        ("report-form", reverse("reports:report_request")),
        ("report-status", reverse("reports:report_detail", args=[report.public_id])),
        ("report-draft-status", reverse("reports:report_detail", args=[draft.public_id])),
        ("report-narrative", reverse("reports:report_narrative", args=[draft.public_id])),
        ("schedule-list", reverse("reports:schedule_list")),
        ("schedule-form", reverse("reports:schedule_edit", args=[schedule.pk])),
        ("indicator-list", reverse("indicators:indicator_list")),
        ("indicator-form", reverse("indicators:indicator_edit", args=[indicator.pk])),
        ("national-committee", reverse("national:national_home")),
        ("national-member-form", reverse("national:national_member_create")),
        ("national-meeting-detail", reverse("national:national_meeting_detail", args=[national_meeting.pk])),
        ("national-meeting-form", reverse("national:national_meeting_edit", args=[national_meeting.pk])),
        ("exports", reverse("exports:export_index")),
        ("people", reverse("people")),
        ("person-invite", reverse("person_invite")),
        ("person-detail", reverse("person_detail", args=[person.pk])),
        ("definitions", reverse("definitions:index")),
        ("search-national", reverse("search:results") + "?q=stock+alimentaire"),
        ("attention-thresholds", reverse("attention:thresholds")),
        ("attention-thresholds-form", reverse("attention:thresholds_edit")),
    ]


def _notification_pages() -> list[tuple[str, str]]:
    """The facilitator's inbox with an unread and a read notification, and the preferences."""
    facilitator = User.objects.get(email=FACILITATOR)
    NotificationFactory(recipient=facilitator, site=Site.objects.get(slug="marseille"))
    NotificationFactory(recipient=facilitator, read=True, url="")
    return [
        ("notifications", reverse("notifications:inbox")),
        ("notification-preferences", reverse("notifications:preferences")),
    ]


def _minutes_pages() -> list[tuple[str, str]]:
    """A meeting's minutes in each step: submitted after a reopening (steps, reason, reopen form),
    and validated (validator and date; the form with the minutes read-only)."""
    facilitator = User.objects.get(email=FACILITATOR)
    marseille = Site.objects.get(slug="marseille")
    submitted = Meeting.objects.create(
        site=marseille,
        kind="steering",
        title="CR soumis",
        minutes="Relevé <b>brut</b>",
        minutes_status="draft",
    )
    services.minutes_submit(meeting=submitted, user=facilitator)
    services.minutes_reopen(meeting=submitted, user=facilitator, reason="Coquille <script>x</script>")
    services.minutes_submit(meeting=submitted, user=facilitator)
    validated = Meeting.objects.create(
        site=marseille,
        kind="steering",
        title="CR validé",
        minutes="Relevé",
        minutes_status="validated",
        minutes_validated_by=facilitator,
        minutes_validated_at=timezone.now(),
    )
    site = [marseille.slug]
    return [
        ("minutes-submitted", reverse("pilotage:meeting_detail", args=[*site, submitted.pk])),
        ("minutes-validated", reverse("pilotage:meeting_detail", args=[*site, validated.pk])),
        ("minutes-validated-form", reverse("pilotage:meeting_edit", args=[*site, validated.pk])),
    ]


def _team_pages() -> list[tuple[str, str]]:
    """The team's and the committees' pages and forms of Marseille (issue 15)."""
    marseille = Site.objects.get(slug="marseille")
    assignment = FacilitatorAssignment.objects.filter(site=marseille).first()
    committee = Committee.objects.filter(site=marseille, kind="steering").first()
    seat = committee.members.first()
    site = [marseille.slug]
    return [
        ("team-arrival-form", reverse("team:arrival_create", args=site)),
        ("team-fte-form", reverse("team:fte_change", args=[*site, assignment.pk])),
        ("team-departure-form", reverse("team:departure", args=[*site, assignment.pk])),
        ("committee-list", reverse("committees:committee_list", args=site)),
        ("committee-detail", reverse("committees:committee_detail", args=[*site, committee.pk])),
        ("committee-form", reverse("committees:committee_edit", args=[*site, committee.pk])),
        ("committee-form-new", reverse("committees:committee_create", args=site)),
        ("seat-form", reverse("committees:seat_edit", args=[*site, committee.pk, seat.pk])),
        ("seat-form-new", reverse("committees:seat_create", args=[*site, committee.pk])),
        ("seat-end-form", reverse("committees:seat_end", args=[*site, committee.pk, seat.pk])),
    ]


def _survey_pages() -> dict[str | None, list[tuple[str, str]]]:
    """A crossed-readings campaign on Marseille with every kind of question, answered by both sides
    (the campaign page shows the results, the site dashboard the readings), and a pending link."""
    marseille = Site.objects.get(slug="marseille")
    questionnaire = survey_services.questionnaire_create(
        title="Regards <croisés>", template="crossed_readings"
    )
    for kind in ("single", "multiple", "number", "short_text", "long_text"):
        QuestionFactory(
            questionnaire=questionnaire, kind=kind, required=False, choices="Oui\nNon", section="Autres"
        )
    campaign = CampaignFactory(questionnaire=questionnaire, site=marseille, title="Regards croisés <2021>")
    values = {f"q{q.pk}": "5" for q in questionnaire.questions.filter(kind="scale")}
    for index, function in enumerate(("prefet_delegate", "facilitator")):
        recipient = recipient_with_token(
            f"jeton-html-{index}-" + "x" * 30, campaign=campaign, site=marseille, function=function
        )
        survey_services.answer_submit(
            recipient=recipient,
            values={**values, f"q{questionnaire.questions.get(kind='long_text').pk}": "Un <b>texte</b>"},
        )
    recipient_with_token(
        "jeton-html-ouvert-" + "y" * 30, campaign=campaign, site=marseille, function="city_referent"
    )
    national = [
        ("questionnaire-list", reverse("surveys:questionnaire_list")),
        ("questionnaire-detail", reverse("surveys:questionnaire_detail", args=[questionnaire.pk])),
        ("questionnaire-preview", reverse("surveys:questionnaire_preview", args=[questionnaire.pk])),
        ("question-form", reverse("surveys:question_add", args=[questionnaire.pk])),
        ("campaign-form", reverse("surveys:campaign_create", args=[questionnaire.pk])),
        ("campaign-list", reverse("surveys:campaign_list")),
        ("campaign-detail", reverse("surveys:campaign_detail", args=[campaign.pk])),
        ("recipient-form", reverse("surveys:recipient_add", args=[campaign.pk])),
        ("recipient-import", reverse("surveys:recipient_import", args=[campaign.pk])),
        ("site-dashboard-crossed-readings", reverse("dashboards:site", args=["marseille"])),
    ]
    own = survey_services.questionnaire_create(title="Carnet <du site>", template="flash", site=marseille)
    site_team = [
        ("site-surveys", reverse("surveys:site_surveys", args=["marseille"])),
        ("site-questionnaire-form", reverse("surveys:site_questionnaire_create", args=["marseille"])),
        ("site-questionnaire-detail", reverse("surveys:questionnaire_detail", args=[own.pk])),
        ("site-campaign-form", reverse("surveys:campaign_create", args=[own.pk])),
    ]
    public = [
        ("survey-answer", reverse("surveys:answer", args=["jeton-html-ouvert-" + "y" * 30])),
        ("survey-thanks", reverse("surveys:answer_thanks")),
    ]
    return {None: public, NATIONAL: national, FACILITATOR: site_team}


def _unsubscribe_page() -> tuple[str, str]:
    token = unsubscribe_token(user=User.objects.get(email=FACILITATOR), kinds=["comment", "signal"])
    return ("unsubscribe", reverse("notifications:unsubscribe", args=[token]))


def _sheet_pages() -> list[tuple[str, str]]:
    """A draft sheet of Marseille's: its page and its form, and the form of a new one."""
    action = Action.objects.filter(site__slug="marseille").first()
    sheet = ExperienceSheetFactory(site=action.site)
    sheet.actions.add(action)
    site = ["marseille"]
    return [
        ("sheet-form-new", reverse("sheets:create", args=[*site, action.pk])),
        ("sheet-detail", reverse("sheets:detail", args=[*site, sheet.pk])),
        ("sheet-form-edit", reverse("sheets:edit", args=[*site, sheet.pk])),
    ]


def _showcase_pages() -> list[tuple[str, str]]:
    """The public showcase, with one site's page and one sheet published."""
    site = Site.objects.get(slug="grenoble")
    action = Action.objects.filter(site=site).first()
    sheet = ExperienceSheetFactory(site=site, published=True)
    sheet.actions.add(action)
    showcase = SiteShowcaseFactory(site=site, is_published=True)
    showcase.achievements.add(action)
    ShowcaseFileFactory(showcase=showcase)
    ShowcaseFileFactory(showcase=showcase, content_type="image/png", description="Le chantier des halls")
    return [
        ("showcase-programme", reverse("showcase:programme")),
        ("showcase-site", reverse("showcase:site", args=[site.slug])),
        ("showcase-sheets", reverse("showcase:sheets") + "?network=cnlrq"),
        ("showcase-sheet", reverse("showcase:sheet", args=[sheet.pk])),
    ]


def _showcase_file_page() -> tuple[str, str]:
    """Marseille's public page (the demo's, with its photo and document): the form to add another."""
    assert SiteShowcase.objects.filter(site__slug="marseille").exists()
    return ("showcase-file-add", reverse("showcase:file_add", args=["marseille"]))


def _main_pages() -> dict[str | None, list[tuple[str, str]]]:
    """Every main page, under the email of the persona who sees it (None: signed out)."""
    surveys = _survey_pages()
    return {
        None: [
            ("login", reverse("account_login")),
            ("password-reset", reverse("account_reset_password")),
            ("open-data", reverse("opendata:index")),
            *_showcase_pages(),
            _unsubscribe_page(),
            *surveys[None],
        ],
        FACILITATOR: [
            *_site_pages("marseille"),
            *_notification_pages(),
            *_minutes_pages(),
            *_team_pages(),
            ("sheet-library", reverse("sheets:library")),
            *_sheet_pages(),
            ("showcase-manage", reverse("showcase:manage", args=["marseille"])),
            ("showcase-edit", reverse("showcase:edit", args=["marseille"])),
            _showcase_file_page(),
            *surveys[FACILITATOR],
        ],
        DELEGATE: [("my-sites", reverse("dashboards:my_sites")), *_site_pages("tourcoing")[:3]],
        COORDINATOR: [("network-dashboard", reverse("dashboards:network", args=["fcsf"]))],
        NATIONAL: [*_national_pages(), *surveys[NATIONAL]],
    }


def _invalid_meeting_form() -> str:
    """The meeting form sent empty: it comes back with its error messages."""
    client = Client()
    client.force_login(User.objects.get(email=FACILITATOR))
    response = client.post(reverse("pilotage:meeting_create", args=["marseille"]), {})
    assert response.status_code == 200
    return response.content.decode()


def _api_token_created() -> str:
    """« Jetons d'API » right after a token is created: the secret shown once, the token listed."""
    client = Client()
    client.force_login(User.objects.get(email=FACILITATOR))
    response = client.post(reverse("tokens:token_list"), {"name": "Tableur <DDETS>", "expires_on": ""})
    assert "Copiez-le maintenant" in response.content.decode()
    return response.content.decode()


def _survey_answer_refusals() -> list[tuple[str, str]]:
    """The answer page sent without its required answers (errors tied to the questions), and a
    link already used (the French refusal page)."""
    client = Client()
    invalid = client.post(reverse("surveys:answer", args=["jeton-html-ouvert-" + "y" * 30]), {})
    assert invalid.status_code == 400
    used = client.get(reverse("surveys:answer", args=["jeton-html-0-" + "x" * 30]))
    assert used.status_code == 410
    return [
        ("survey-answer-with-errors", invalid.content.decode()),
        ("survey-link-used", used.content.decode()),
    ]


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[Path, str]:
    """Every main page written to a file: {path: "url (persona)"}."""
    folder = tmp_path_factory.mktemp("pages")
    files: dict[Path, str] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        for email, persona_pages in _main_pages().items():
            client = Client()
            if email:
                client.force_login(User.objects.get(email=email))
            persona = (email or "anonymous").split("@")[0]
            for name, url in persona_pages:
                response = client.get(url)
                assert response.status_code == 200, f"{url} as {persona}: {response.status_code}"
                path = folder / f"{persona}--{name}.html"
                path.write_text(response.content.decode(), encoding="utf-8")
                files[path] = f"{url} ({persona})"
        path = folder / "facilitator--meeting-form-with-errors.html"
        path.write_text(_invalid_meeting_form(), encoding="utf-8")
        files[path] = "meeting form sent empty (facilitator)"
        path = folder / "facilitator--api-token-created.html"
        path.write_text(_api_token_created(), encoding="utf-8")
        files[path] = "API token just created (facilitator)"
        for name, html in _survey_answer_refusals():
            path = folder / f"anonymous--{name}.html"
            path.write_text(html, encoding="utf-8")
            files[path] = f"{name} (anonymous)"
        transaction.set_rollback(True)
    return files


@pytest.fixture(scope="module")
def checked(pages, tmp_path_factory):
    """The checker's errors for every main page and for a page made invalid (one run of vnu)."""
    missing = nu.missing_tool()
    if missing:
        pytest.fail(f"The Nu HTML checker cannot run: {missing}")
    planted = tmp_path_factory.mktemp("planted") / "planted-invalid.html"
    planted.write_text(INVALID_PAGE, encoding="utf-8")
    return pages, planted, nu.check([*pages, planted])


HTMX_ATTRIBUTE = re.compile(r"\s(?:data-)?hx-[a-z-]+=")
HTMX_SCRIPT = "django_htmx/htmx-2.min.js"


def test_htmx_is_loaded_exactly_on_the_pages_whose_elements_use_it(pages):
    """A page with an htmx attribute loads htmx (else its buttons do nothing); a page without one
    does not pay for the script (issue 20)."""
    using = {path.stem for path in pages if HTMX_ATTRIBUTE.search(path.read_text(encoding="utf-8"))}
    loading = {path.stem for path in pages if HTMX_SCRIPT in path.read_text(encoding="utf-8")}
    assert using == loading, (
        f"use htmx without loading it: {sorted(using - loading)}; load it unused: {sorted(loading - using)}"
    )
    # The demo's pages include some of each, so the comparison above compares something.
    assert {
        "facilitator--action-board",
        "national--report-status",
        "facilitator--assessment-overview",
    } <= using
    assert "facilitator--site-home" in {path.stem for path in pages} - using


def test_the_nu_checker_finds_no_error_on_any_main_page(checked):
    files, _planted, errors = checked
    report = [
        f"{path.stem} — {files[path]}:\n" + "\n".join(f"  - {message}" for message in errors[path])
        for path in files
        if errors[path]
    ]
    assert len(files) > 50
    assert not report, f"{sum(len(errors[p]) for p in files)} HTML error(s):\n" + "\n".join(report)


def test_the_checker_reports_the_errors_of_a_page_made_invalid(checked):
    _files, planted, errors = checked
    messages = " | ".join(message.message for message in errors[planted])
    assert "“hx-get” not allowed" in messages
    assert "“aria-label” attribute must not be specified on any “div”" in messages
    assert "“details” not allowed as child of element “figure”" in messages
