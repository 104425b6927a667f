"""The public answer page: a personal link opens the questionnaire without an account, saves a
draft, takes one answer, and refuses (in French) a reused, guessed, closed or revoked link."""

import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from evaluation.models import AnswerDraft, CampaignAnswer, CampaignRecipient, CampaignResponse, Question
from evaluation.surveys import services
from evaluation.surveys.tokens import token_draw
from tests.surveys.factories import CampaignFactory, QuestionFactory, recipient_with_token

pytestmark = pytest.mark.django_db

TOKEN = "lien-personnel-de-test-0123456789abcdefghijkl"


@pytest.fixture
def campaign():
    campaign = CampaignFactory(title="Questionnaire flash 2021")
    questionnaire = campaign.questionnaire
    QuestionFactory(questionnaire=questionnaire, order=1, text="Apport de l'ATC ?", kind=Question.Kind.SCALE)
    QuestionFactory(
        questionnaire=questionnaire,
        order=2,
        text="Nombre de réunions ?",
        kind=Question.Kind.NUMBER,
        required=False,
    )
    QuestionFactory(
        questionnaire=questionnaire,
        order=3,
        text="Sujets ?",
        kind=Question.Kind.MULTIPLE,
        required=False,
        choices="Habitants\nInstitutions\nAssociations",
    )
    QuestionFactory(
        questionnaire=questionnaire, order=4, text="Remarques", kind=Question.Kind.LONG_TEXT, required=False
    )
    return campaign


@pytest.fixture
def recipient(campaign, marseille):
    return recipient_with_token(TOKEN, campaign=campaign, site=marseille, name="Camille Martin")


def _ids(campaign):
    return {q.order: f"q{q.pk}" for q in campaign.questionnaire.questions.all()}


def _url(token=TOKEN):
    return reverse("surveys:answer", args=[token])


def test_the_link_opens_the_questionnaire_without_an_account(client, recipient):
    response = client.get(_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Questionnaire flash 2021" in html
    assert "<legend>" in html and "Apport de l&#x27;ATC ?" in html


def test_an_answer_is_kept_once_and_the_link_then_shows_a_french_page(client, recipient, campaign):
    q = _ids(campaign)
    data = {q[1]: "7", q[2]: "3,5", q[3]: ["Habitants", "Associations"], q[4]: "Une belle dynamique."}
    response = client.post(_url(), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:answer_thanks")
    assert "Merci pour votre réponse" in client.get(response["Location"]).content.decode()
    saved = CampaignResponse.objects.get()
    assert saved.recipient == recipient
    assert {a.question.order: (a.number, a.choices, a.text) for a in saved.answers.all()} == {
        1: (7, [], ""),
        2: (pytest.approx(3.5), [], ""),
        3: (None, ["Habitants", "Associations"], ""),
        4: (None, [], "Une belle dynamique."),
    }
    again = client.post(_url(), data)
    assert again.status_code == 410
    assert "Une réponse a déjà été envoyée avec ce lien" in again.content.decode()
    assert CampaignResponse.objects.count() == 1
    assert client.get(_url()).status_code == 410


def test_a_draft_is_saved_and_comes_back_then_is_deleted_when_sent(client, recipient, campaign):
    q = _ids(campaign)
    response = client.post(_url(), {q[4]: "À compléter demain", "draft": "1"})
    assert response.status_code == 302
    page = client.get(_url()).content.decode()
    assert "À compléter demain" in page
    assert "Brouillon enregistré" in page
    client.post(_url(), {q[1]: "5", q[4]: "Terminé"})
    assert not AnswerDraft.objects.exists()


def test_a_missing_required_answer_is_said_beside_the_question_and_nothing_typed_is_lost(
    client, recipient, campaign
):
    q = _ids(campaign)
    response = client.post(_url(), {q[4]: "Mon long texte"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Répondez à cette question : elle est obligatoire." in html
    assert f'aria-describedby="{"id_" + q[1]}-erreur"' in html
    assert "Mon long texte" in html
    assert not CampaignResponse.objects.exists()
    assert AnswerDraft.objects.get().data[q[4]] == "Mon long texte"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("x" * 43, "ne correspond à aucun questionnaire"),
        ("a" * 500, "ne correspond à aucun questionnaire"),
        ("%00%3Cscript%3E", "ne correspond à aucun questionnaire"),
    ],
)
def test_a_guessed_or_mangled_link_gets_a_french_404(client, recipient, token, expected):
    response = client.get(f"/repondre/{token}/")
    assert response.status_code == 404
    assert expected in response.content.decode()


def test_the_stored_hash_is_not_a_usable_link(client, recipient):
    assert client.get(_url(recipient.token_hash)).status_code == 404
    assert TOKEN not in str(CampaignRecipient.objects.values_list().get())


def test_a_closed_campaign_refuses_answers(client, recipient, campaign):
    campaign.opens_on = timezone.localdate() - datetime.timedelta(days=20)
    campaign.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save()
    response = client.get(_url())
    assert response.status_code == 410
    assert "Ce questionnaire est clos depuis le" in response.content.decode()
    q = _ids(campaign)
    assert client.post(_url(), {q[1]: "5"}).status_code == 410
    assert not CampaignResponse.objects.exists()


def test_a_revoked_link_refuses_answers(client, recipient):
    services.recipient_revoke(recipient=recipient)
    response = client.get(_url())
    assert response.status_code == 410
    assert "Ce lien a été révoqué" in response.content.decode()


def test_the_page_is_rate_limited_per_address(client, recipient, settings):
    settings.ATC_SURVEY_ANSWER_RATE = "3/minute"
    for _attempt in range(3):
        assert client.get(_url("devine" * 8), REMOTE_ADDR="203.0.113.9").status_code == 404
    refused = client.get(_url(), REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.content.decode()
    assert client.get(_url(), REMOTE_ADDR="203.0.113.10").status_code == 200


def test_tokens_are_256_random_bits():
    tokens = {token_draw() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(t) == 43 for t in tokens)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (Question.Kind.NUMBER, "1e12", "Indiquez une valeur entre -1 000 000 000 et 1 000 000 000."),
        (Question.Kind.NUMBER, "-99999999999", "Indiquez une valeur entre"),
        (Question.Kind.NUMBER, "douze", "Saisissez un nombre"),
        (Question.Kind.SCALE, "11", "Choisissez une note entre 1 et 10."),
        (Question.Kind.SCALE, "0", "Choisissez une note entre 1 et 10."),
        (Question.Kind.SHORT_TEXT, "x" * 501, "Écrivez au plus 500 caractères"),
        (Question.Kind.LONG_TEXT, "x" * 10001, "Écrivez au plus 10000 caractères"),
    ],
)
def test_hostile_values_get_a_french_message_and_save_nothing(client, marseille, kind, value, message):
    campaign = CampaignFactory()
    question = QuestionFactory(questionnaire=campaign.questionnaire, kind=kind)
    recipient_with_token(TOKEN, campaign=campaign, site=marseille)
    response = client.post(_url(), {f"q{question.pk}": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CampaignResponse.objects.exists()


def test_markup_and_control_characters_are_kept_inert(client, recipient, campaign, national_team):
    q = _ids(campaign)
    planted = '<script>alert("x")</script><b>gras</b>'
    client.post(_url(), {q[1]: "4", q[4]: planted + "\x07\x1b fin"})
    text = CampaignAnswer.objects.get(question__order=4).text
    assert text == planted + " fin"
    client.force_login(national_team)
    page = client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
    assert planted not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_an_anonymous_campaign_keeps_no_link_between_answer_and_recipient(client, marseille):
    campaign = CampaignFactory(anonymous=True)
    question = QuestionFactory(questionnaire=campaign.questionnaire, kind=Question.Kind.SHORT_TEXT)
    recipient = recipient_with_token(TOKEN, campaign=campaign, site=marseille, name="Dominique Anonyme")
    client.post(_url(), {f"q{question.pk}": "Ma réponse anonyme"})
    recipient.refresh_from_db()
    assert recipient.answered_on is not None
    response = CampaignResponse.objects.get()
    # Every column of every table holding the answer: none names the recipient, their territory,
    # their function, their e-mail, nor their time of answering beyond the day.
    for model in (CampaignResponse, CampaignAnswer):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                values = dict(zip(columns, row, strict=True))
                assert "recipient_id" not in values or values["recipient_id"] is None
                assert values.get("site_id") is None
                assert values.get("function", "") == ""
                for value in values.values():
                    assert str(value) not in {recipient.email, recipient.name, recipient.token_hash}
    # No other table of the surveys refers to the response, and the draft is gone.
    for model in apps.get_app_config("evaluation").get_models():
        for field in model._meta.get_fields():
            if getattr(field, "related_model", None) is CampaignResponse and field.concrete:
                assert model in (CampaignAnswer,), model
    assert not AnswerDraft.objects.exists()
    assert response.answers.get().text == "Ma réponse anonyme"
