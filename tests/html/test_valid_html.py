"""Valid HTML: the Nu HTML checker finds no error on any main page of the platform, each fetched on
the demo data by the persona who sees it (issue 13). The checker runs once for every page: its JVM
takes seconds to start."""

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
from evaluation.models import LogbookEntry
from evaluation.surveys import services as survey_services
from pilotage import services
from pilotage.models import Action, Meeting
from sites.models import PartnerOrganisation, Site
from tests.atc.factories import NotificationFactory
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
    action = Action.objects.filter(site__slug=slug).first()
    finding = Finding.objects.filter(site__slug=slug).first()
    entry = LogbookEntry.objects.filter(site__slug=slug).first()
    partner = PartnerOrganisation.objects.filter(site__slug=slug).first()
    site = [slug]
    return [
        ("site-home", reverse("sites:site_home", args=site)),
        ("site-dashboard", reverse("dashboards:site", args=site)),
        ("cooperation", reverse("dashboards:cooperation", args=site)),
        ("meeting-list", reverse("pilotage:meeting_list", args=site)),
        ("meeting-form-new", reverse("pilotage:meeting_create", args=site)),
        ("meeting-detail", reverse("pilotage:meeting_detail", args=[*site, meeting.pk])),
        ("meeting-form-edit", reverse("pilotage:meeting_edit", args=[*site, meeting.pk])),
        ("action-board", reverse("pilotage:action_board", args=site)),
        ("action-list-by-theme", reverse("pilotage:action_list", args=site)),
        ("action-form-new", reverse("pilotage:action_create", args=site)),
        ("action-detail", reverse("pilotage:action_detail", args=[*site, action.pk])),
        ("action-form-edit", reverse("pilotage:action_edit", args=[*site, action.pk])),
        ("finding-list", reverse("diagnostics:finding_list", args=site)),
        ("finding-form", reverse("diagnostics:finding_update", args=[*site, finding.pk])),
        ("assessment-overview", reverse("diagnostics:assessment_overview", args=site)),
        ("assessment-entry", reverse("diagnostics:assessment_entry", args=site)),
        ("coverage", reverse("diagnostics:coverage", args=site)),
        ("logbook-list", reverse("evaluation:logbook_list", args=site)),
        ("logbook-detail", reverse("evaluation:logbook_detail", args=[*site, entry.pk])),
        ("logbook-form", reverse("evaluation:logbook_update", args=[*site, entry.pk])),
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
    schedule = ReportScheduleFactory()
    indicator = IndicatorFactory()
    return [
        ("home", reverse("home")),
        ("national-dashboard", reverse("dashboards:national")),
        ("site-dashboard", reverse("dashboards:site", args=["grenoble"])),
        ("report-list", reverse("reports:report_list")),
        ("report-form", reverse("reports:report_request")),
        ("report-status", reverse("reports:report_detail", args=[report.public_id])),
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
    public = [
        ("survey-answer", reverse("surveys:answer", args=["jeton-html-ouvert-" + "y" * 30])),
        ("survey-thanks", reverse("surveys:answer_thanks")),
    ]
    return {None: public, NATIONAL: national}


def _unsubscribe_page() -> tuple[str, str]:
    token = unsubscribe_token(user=User.objects.get(email=FACILITATOR), kinds=["comment", "signal"])
    return ("unsubscribe", reverse("notifications:unsubscribe", args=[token]))


def _main_pages() -> dict[str | None, list[tuple[str, str]]]:
    """Every main page, under the email of the persona who sees it (None: signed out)."""
    surveys = _survey_pages()
    return {
        None: [
            ("login", reverse("account_login")),
            ("password-reset", reverse("account_reset_password")),
            ("open-data", reverse("opendata:index")),
            _unsubscribe_page(),
            *surveys[None],
        ],
        FACILITATOR: [*_site_pages("marseille"), *_notification_pages(), *_minutes_pages()],
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
def checked(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every main page written to a file, and the checker's errors for each (one run of vnu)."""
    missing = nu.missing_tool()
    if missing:
        pytest.fail(f"The Nu HTML checker cannot run: {missing}")
    folder = tmp_path_factory.mktemp("pages")
    files: dict[Path, str] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        for email, pages in _main_pages().items():
            client = Client()
            if email:
                client.force_login(User.objects.get(email=email))
            persona = (email or "anonymous").split("@")[0]
            for name, url in pages:
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
    planted = folder / "planted-invalid.html"
    planted.write_text(INVALID_PAGE, encoding="utf-8")
    return files, planted, nu.check([*files, planted])


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
