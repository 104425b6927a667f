"""The logbook as a questionnaire: a « carnet de bord » campaign on a site sends its facilitator a
personal link; the answer writes the site's periodic review of the quarter through the logbook's own
service, so the logbook pages and the figures read it; empty rubrics never erase what was written."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.figures.site import site_dashboard
from evaluation.models import CampaignRecipient, LogbookEntry, Question, Questionnaire
from evaluation.surveys import services
from evaluation.surveys.tokens import token_hash
from tests.surveys.factories import QuestionFactory, QuestionnaireFactory
from tests.surveys.test_campaigns import _text

pytestmark = pytest.mark.django_db

TOKEN = "jeton-carnet-de-bord-0123456789abcdefghijklmnopqrstu"


def _previous_quarter(day: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    """The quarter before `day`'s, written out here (not read from atc.periods)."""
    end = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1) - datetime.timedelta(days=1)
    start = datetime.date(end.year, end.month - 2, 1)
    return start, end, f"T{(start.month - 1) // 3 + 1} {start.year}"


OPENS = timezone.localdate() - datetime.timedelta(days=1)
Q_START, Q_END, Q_LABEL = _previous_quarter(OPENS)


@pytest.fixture
def logbook_campaign(marseille, facilitator):
    questionnaire = services.questionnaire_create(
        title="Carnet de bord", template=Questionnaire.Template.LOGBOOK, site=marseille
    )
    return services.campaign_create(
        questionnaire=questionnaire,
        title="Carnet de bord de Marseille",
        opens_on=OPENS,
        closes_on=OPENS + datetime.timedelta(days=30),
    )


def _link(campaign) -> str:
    """The facilitator's link (the e-mail's token drawn by the test: only its hash is stored)."""
    recipient = campaign.recipients.get()
    recipient.token_hash = token_hash(TOKEN)
    recipient.save()
    return reverse("surveys:answer", args=[TOKEN])


def _fields(campaign) -> dict:
    return {q.logbook_field: f"q{q.pk}" for q in campaign.questionnaire.questions.all()}


def test_the_built_in_logbook_maps_every_rubric_once(marseille):
    questionnaire = services.questionnaire_create(
        title="Carnet", template=Questionnaire.Template.LOGBOOK, site=marseille
    )
    mapped = list(questionnaire.questions.values_list("logbook_field", flat=True))
    assert sorted(mapped) == sorted(Question.LogbookField.values)
    assert questionnaire.questions.get(logbook_field="happened").required


def test_the_campaign_invites_the_sites_facilitator_and_its_answer_fills_the_logbook(
    client, logbook_campaign, facilitator, marseille
):
    [recipient] = logbook_campaign.recipients.all()
    assert recipient.user == facilitator
    assert recipient.function == CampaignRecipient.Function.FACILITATOR
    before = site_dashboard(site=marseille).logbook_filled
    url = _link(logbook_campaign)
    page = client.get(url)
    assert f"bilan du carnet de bord de {marseille.name} pour le {Q_LABEL}" in _text(page)
    fields = _fields(logbook_campaign)
    response = client.post(
        url,
        {
            fields["happened"]: "Trois réunions du <b>comité</b> et un atelier de rue.",
            fields["difficulties"]: "Le local ferme en février.",
            fields["time_spent_hours"]: "120,25",
        },
    )
    assert response.status_code == 302
    entry = LogbookEntry.objects.get(site=marseille)
    assert (entry.kind, entry.period_start, entry.period_end) == ("periodic", Q_START, Q_END)
    assert entry.time_spent_hours == Decimal("120.2")
    assert entry.author == facilitator

    # The logbook page shows it, escaped; the figure counts the quarter.
    client.force_login(facilitator)
    listing = client.get(reverse("evaluation:logbook_list", args=[marseille.slug])).content.decode()
    assert "Trois réunions du &lt;b&gt;comité&lt;/b&gt;" in listing
    detail = client.get(reverse("evaluation:logbook_detail", args=[marseille.slug, entry.pk]))
    assert "Le local ferme en février." in detail.content.decode()
    assert site_dashboard(site=marseille).logbook_filled == before + 1


def test_an_answer_updates_the_quarters_review_and_keeps_what_it_leaves_empty(
    client, logbook_campaign, facilitator, marseille
):
    written = LogbookEntry.objects.create(
        site=marseille,
        period_start=Q_START,
        period_end=Q_END,
        happened="Saisi dans le carnet.",
        lessons="Un enseignement déjà écrit.",
        author=facilitator,
    )
    fields = _fields(logbook_campaign)
    client.post(_link(logbook_campaign), {fields["happened"]: "Repris par le questionnaire."})
    [entry] = LogbookEntry.objects.filter(site=marseille)
    assert entry.pk == written.pk
    assert entry.happened == "Repris par le questionnaire."
    assert entry.lessons == "Un enseignement déjà écrit."
    assert entry.version > written.version
    assert entry.history.count() == 2


def test_a_rubric_out_of_range_is_refused_on_its_question_and_nothing_is_kept(client, logbook_campaign):
    fields = _fields(logbook_campaign)
    url = _link(logbook_campaign)
    response = client.post(
        url, {fields["happened"]: "Un trimestre chargé.", fields["time_spent_hours"]: "99999"}
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Votre réponse n'est pas encore envoyée" in text
    assert "Un trimestre chargé." in text  # what was typed is kept
    assert not LogbookEntry.objects.exists()
    recipient = logbook_campaign.recipients.get()
    assert recipient.answered_on is None
    assert not logbook_campaign.responses.exists()


def test_a_logbook_campaign_is_never_anonymous_and_names_its_site(client, national_team):
    questionnaire = services.questionnaire_create(title="Carnet national", template="logbook")
    client.force_login(national_team)
    response = client.post(
        reverse("surveys:campaign_create", args=[questionnaire.pk]),
        {
            "title": "Carnet sans site",
            "opens_on": "02/04/2026",
            "closes_on": "30/04/2026",
            "anonymous": "on",
            "max_reminders": 1,
            "reminder_delay_days": 7,
        },
    )
    text = _text(response).replace("&#x27;", "'")
    assert "Choisissez le site dont c'est le carnet de bord." in text
    assert "il ne peut pas être anonyme" in text
    assert not questionnaire.campaigns.exists()


@pytest.mark.parametrize(
    ("template", "kind", "field", "message"),
    [
        ("logbook", "scale", "happened", "se répond par un texte"),
        ("logbook", "long_text", "time_spent_hours", "se répond par un nombre"),
        ("logbook", "long_text", "lessons", "remplit déjà cette rubrique"),
    ],
)
def test_the_builder_checks_each_logbook_rubric(client, national_team, template, kind, field, message):
    questionnaire = QuestionnaireFactory(template=template)
    QuestionFactory(questionnaire=questionnaire, kind="long_text", logbook_field="lessons")
    client.force_login(national_team)
    response = client.post(
        reverse("surveys:question_add", args=[questionnaire.pk]),
        {"text": "Une rubrique ?", "kind": kind, "order": 5, "required": "on", "logbook_field": field},
    )
    assert message in _text(response).replace("&#x27;", "'")
    assert questionnaire.questions.count() == 1


def test_other_questionnaires_offer_no_logbook_rubric(client, national_team):
    questionnaire = QuestionnaireFactory(template="flash")
    client.force_login(national_team)
    form = client.get(reverse("surveys:question_add", args=[questionnaire.pk])).content.decode()
    assert 'name="logbook_field"' not in form


def test_a_logbook_campaign_made_by_the_service_is_not_anonymous_either(marseille):
    questionnaire = services.questionnaire_create(title="Carnet", template="logbook", site=marseille)
    campaign = services.campaign_create(
        questionnaire=questionnaire, title="Carnet anonyme ?", opens_on=OPENS, closes_on=OPENS, anonymous=True
    )
    assert campaign.anonymous is False


def test_the_logbook_page_tells_the_facilitator_of_the_open_questionnaire(
    client, logbook_campaign, facilitator, marseille, smtp_server
):
    url = reverse("evaluation:logbook_list", args=[marseille.slug])
    client.force_login(facilitator)
    assert "Carnet de bord de Marseille" not in _text(client.get(url))  # not sent yet
    services.campaign_send(campaign=logbook_campaign)
    services.invitations_send(campaign_id=logbook_campaign.pk)
    [invitation] = smtp_server.messages
    assert invitation["To"] == facilitator.email
    text = _text(client.get(url)).replace("&#x27;", "'")
    assert f"« Carnet de bord de Marseille » remplit le bilan du {Q_LABEL}" in text
    assert "Votre lien personnel vous a été envoyé par e-mail" in text
