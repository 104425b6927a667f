"""A campaign run as the national team runs it: recipients imported from a file (checked first,
nothing added before the confirmation), invitations received by a real SMTP server, answers through
the links, reminders only to those who have not answered, and the rates on the campaign page."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from atc.periods import parse_period
from evaluation.models import CampaignRecipient, Question, Questionnaire
from evaluation.reports.scopes import parse_scope
from evaluation.reports.services import render_html
from evaluation.surveys import services
from tests.smtpserver import body_text
from tests.surveys import flash
from tests.surveys.factories import CampaignFactory, QuestionFactory, QuestionnaireFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/repondre/([A-Za-z0-9_-]+)/")


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace("\u202f", " ").replace("\xa0", " "))


@pytest.fixture
def flash_campaign(national_team):
    questionnaire = services.questionnaire_create(
        title="Questionnaire flash aux acteurs institutionnels",
        template=Questionnaire.Template.FLASH,
        user=national_team,
    )
    today = timezone.localdate()
    return services.campaign_create(
        questionnaire=questionnaire,
        title="Questionnaire flash 2021",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        max_reminders=1,
        reminder_delay_days=7,
    )


def _import(client, campaign, data: bytes, name="destinataires.xlsx"):
    url = reverse("surveys:recipient_import", args=[campaign.pk])
    checked = client.post(url, {"file": SimpleUploadedFile(name, data)})
    return url, checked


def _answer_flash(client, token, campaign):
    questions = {q.order: f"q{q.pk}" for q in campaign.questionnaire.questions.all()}
    response = client.post(
        reverse("surveys:answer", args=[token]),
        {questions[10]: "Oui, de nom", questions[20]: "8", questions[30]: ["Vie associative"]},
    )
    assert response.status_code == 302, _text(response)[:2000]


def test_the_seed_004_flash_survey_end_to_end(
    client, national_team, flash_campaign, smtp_server, django_capture_on_commit_callbacks
):
    sites = flash.flash_sites()
    client.force_login(national_team)
    url, checked = _import(client, flash_campaign, flash.xlsx_file(flash.recipients_rows(sites)))
    assert checked.status_code == 200
    assert "30 destinataires sur 14 territoires, prêts à être ajoutés." in _text(checked)
    assert not CampaignRecipient.objects.exists()
    token = checked.context["token"]
    confirmed = client.post(url, {"token": token})
    assert confirmed.status_code == 302
    assert CampaignRecipient.objects.filter(campaign=flash_campaign).count() == 30

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:campaign_send", args=[flash_campaign.pk]))
    assert len(smtp_server.messages) == 30
    flash_campaign.questionnaire.refresh_from_db()
    assert flash_campaign.questionnaire.is_locked
    links = {}
    for message, (_sender, rcpt) in zip(smtp_server.messages, smtp_server.envelopes, strict=True):
        assert message["Subject"] == "[ATC] Questionnaire : Questionnaire flash 2021"
        links[rcpt[0]] = LINK.search(body_text(message)).group(1)
    assert len(set(links.values())) == 30

    answering = flash.respondents(list(links), sites)
    assert len(answering) == 17
    client.logout()
    for email in answering:
        _answer_flash(client, links[email], flash_campaign)

    later = timezone.now() + datetime.timedelta(days=8)
    assert services.reminders_send(campaign=flash_campaign, now=later) == 13
    reminded = {rcpt[0] for _s, rcpt in smtp_server.envelopes[30:]}
    assert reminded == set(links) - set(answering)
    assert all(m["Subject"].startswith("[ATC] Relance") for m in smtp_server.messages[30:])
    # One reminder at most: a second round sends nothing.
    assert services.reminders_send(campaign=flash_campaign, now=later + datetime.timedelta(days=8)) == 0
    # The reminder's link works, the invitation's link for that person no longer does.
    reminder_links = {
        rcpt[0]: LINK.search(body_text(message)).group(1)
        for message, (_s, rcpt) in zip(smtp_server.messages[30:], smtp_server.envelopes[30:], strict=True)
    }
    someone = sorted(reminded)[0]
    new_token = reminder_links[someone]
    assert client.get(reverse("surveys:answer", args=[links[someone]])).status_code == 404
    assert client.get(reverse("surveys:answer", args=[new_token])).status_code == 200

    client.force_login(national_team)
    page = _text(client.get(reverse("surveys:campaign_detail", args=[flash_campaign.pk])))
    assert "17 réponses sur 30 destinataires (57 %), 10 territoires sur 14" in page

    # The national report's method chapter cites the campaign with the same figures.
    today = timezone.localdate()
    quarter = parse_period(f"{today.year}-T{(today.month - 1) // 3 + 1}")
    report = re.sub(
        r"\s+", " ", render_html(target=parse_scope("national"), period=quarter).replace("\u202f", " ")
    )
    assert (
        "Questionnaire flash 2021 : 17 réponses sur 30 destinataires (57 %), 10 territoires sur 14" in report
    )


def test_a_file_with_problems_adds_nobody_and_says_each_line(
    client, national_team, flash_campaign, marseille
):
    client.force_login(national_team)
    rows = [
        ["Nom", "E-mail", "Fonction", "Territoire"],
        ["Camille", "camille@example.org", "Délégué·e du préfet", "Marseille"],
        ["<b>Dom</b>", "pas-une-adresse", "Astronaute", "Atlantide"],
        ["Lou", "camille@example.org", "commune", "Marseille"],
    ]
    _url, checked = _import(client, flash_campaign, flash.xlsx_file(rows))
    assert checked.status_code == 400
    text = _text(checked)
    assert "Rien n'a été ajouté" in text.replace("&#x27;", "'")
    assert (
        "Ligne 3" in text
        and "fonction « Astronaute » inconnue" in text
        and "territoire « Atlantide » inconnu" in text
    )
    assert "Ligne 4" in text and "figure déjà" in text
    assert "<b>Dom</b>" not in checked.content.decode()
    assert not CampaignRecipient.objects.exists()


def test_a_csv_file_is_read_by_the_imports_reader(client, national_team, flash_campaign, marseille):
    client.force_login(national_team)
    data = "Nom;E-mail;Fonction;Territoire\nCamille;camille@example.org;commune;Marseille\n".encode("cp1252")
    _url, checked = _import(client, flash_campaign, data, name="destinataires.csv")
    assert checked.status_code == 200
    assert "1 destinataire sur 1 territoires, prêt à être ajouté." in _text(checked)


def test_an_unreadable_file_gets_the_imports_french_reason(client, national_team, flash_campaign):
    client.force_login(national_team)
    _url, checked = _import(client, flash_campaign, b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="vieux.xls")
    assert checked.status_code == 400
    assert "Le format XLS (Excel 97-2003) n'est pas pris en charge" in _text(checked).replace("&#x27;", "'")


def test_reminders_wait_the_delay_and_stop_at_the_maximum(marseille, smtp_server):
    campaign = CampaignFactory(max_reminders=2, reminder_delay_days=7)
    services.recipient_add(
        campaign=campaign, name="A", email="a@example.org", function="city_referent", site=marseille
    )
    now = timezone.now()
    services.invitations_send(campaign_id=campaign.pk, now=now)
    assert services.reminders_send(campaign=campaign, now=now + datetime.timedelta(days=6)) == 0
    assert services.reminders_send(campaign=campaign, now=now + datetime.timedelta(days=7)) == 1
    assert services.reminders_send(campaign=campaign, now=now + datetime.timedelta(days=10)) == 0
    assert services.reminders_send(campaign=campaign, now=now + datetime.timedelta(days=14)) == 1
    assert services.reminders_send(campaign=campaign, now=now + datetime.timedelta(days=30)) == 0
    assert len(smtp_server.messages) == 3
    # Sending the invitations again sends nothing twice.
    assert services.invitations_send(campaign_id=campaign.pk) == 0


def test_a_sent_questionnaire_is_locked_and_a_new_version_can_change(client, national_team):
    questionnaire = QuestionnaireFactory(locked_at=timezone.now())
    question = QuestionFactory(questionnaire=questionnaire, text="Question envoyée ?")
    client.force_login(national_team)
    response = client.post(
        reverse("surveys:question_edit", args=[questionnaire.pk, question.pk]),
        {"text": "Changée ?", "kind": "scale", "order": 1},
        follow=True,
    )
    assert "ses questions ne changent plus" in _text(response)
    question.refresh_from_db()
    assert question.text == "Question envoyée ?"
    response = client.post(reverse("surveys:questionnaire_new_version", args=[questionnaire.pk]), follow=True)
    copy = Questionnaire.objects.get(previous=questionnaire)
    assert copy.version == 2 and not copy.is_locked
    assert [q.text for q in copy.questions.all()] == ["Question envoyée ?"]
    client.post(
        reverse("surveys:question_edit", args=[copy.pk, copy.questions.get().pk]),
        {"text": "Changée ?", "kind": "scale", "order": 1},
    )
    assert copy.questions.get().text == "Changée ?"
    assert questionnaire.questions.get().text == "Question envoyée ?"


def test_the_builder_says_what_a_choice_question_needs(client, national_team):
    questionnaire = QuestionnaireFactory()
    client.force_login(national_team)
    response = client.post(
        reverse("surveys:question_add", args=[questionnaire.pk]),
        {"text": "Lequel ?", "kind": "single", "order": 1, "choices": "Un seul"},
    )
    assert response.status_code == 200
    assert "Écrivez au moins deux choix, un par ligne." in _text(response)
    assert not questionnaire.questions.exists()


def test_the_preview_shows_every_question_in_french(client, national_team):
    questionnaire = services.questionnaire_create(title="Flash", template=Questionnaire.Template.FLASH)
    client.force_login(national_team)
    page = _text(client.get(reverse("surveys:questionnaire_preview", args=[questionnaire.pk])))
    assert "Aperçu : Flash" in page
    for question in questionnaire.questions.all():
        assert question.text.replace("'", "&#x27;") in page
    assert Question.objects.filter(questionnaire=questionnaire, kind=Question.Kind.SCALE).exists()


def test_the_campaign_pages_do_not_grow_their_queries_with_the_data(
    client, national_team, marseille, grenoble, django_assert_max_num_queries
):
    for index in range(5):
        campaign = CampaignFactory(title=f"Campagne {index}")
        QuestionFactory(questionnaire=campaign.questionnaire)
        for site in (marseille, grenoble):
            services.recipient_add(
                campaign=campaign,
                name="X",
                email=f"x{index}.{site.slug}@example.org",
                function="other",
                site=site,
            )
    client.force_login(national_team)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("surveys:campaign_list"))
    assert "0 / 2" in page.content.decode()
    with django_assert_max_num_queries(25):
        client.get(reverse("surveys:campaign_detail", args=[campaign.pk]))


def test_the_invitation_is_french_text_and_html_with_the_link_on_the_public_address(
    marseille, smtp_server, settings
):
    campaign = CampaignFactory(title="Regards <croisés>", anonymous=True)
    services.recipient_add(
        campaign=campaign,
        name="<b>Camille</b>",
        email="camille@example.org",
        function="other",
        site=marseille,
    )
    services.invitations_send(campaign_id=campaign.pk)
    [message] = smtp_server.messages
    text = body_text(message)
    assert "Bonjour <b>Camille</b>," in text
    assert f"{settings.SITE_URL}/repondre/" in text
    assert "Vos réponses sont anonymes" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;Camille&lt;/b&gt;" in html and "<b>Camille</b>" not in html
    assert "Regards &lt;croisés&gt;" in html
