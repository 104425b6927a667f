"""A site's team builds and sends questionnaires for its own site: it reaches them from the site
menu, sees only its site's, and another site's team gets a 404 on them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from atc.models import Role
from evaluation.models import Campaign, CampaignAnswer, CampaignRecipient, CampaignResponse, Questionnaire
from tests.atc.factories import RoleFactory, UserFactory
from tests.surveys.factories import CampaignFactory, QuestionFactory, QuestionnaireFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grenoble_facilitator(grenoble):
    user = UserFactory(email="animatrice.grenoble@example.org")
    RoleFactory(user=user, kind=Role.Kind.FACILITATOR, sites=[grenoble])
    return user


def _create(client, site, **data):
    return client.post(
        reverse("surveys:site_questionnaire_create", args=[site.slug]),
        {"title": "Questionnaire du site", "template": "free", **data},
    )


def test_the_site_menu_leads_the_team_to_its_surveys(client, facilitator, marseille):
    client.force_login(facilitator)
    home = client.get(reverse("sites:site_home", args=[marseille.slug]))
    assert reverse("surveys:site_surveys", args=[marseille.slug]) in home.content.decode()
    page = client.get(reverse("surveys:site_surveys", args=[marseille.slug]))
    assert page.status_code == 200
    assert "Enquêtes du site" in page.content.decode()


def test_a_site_questionnaire_is_the_sites_and_its_campaign_goes_to_that_site(client, facilitator, marseille):
    client.force_login(facilitator)
    response = _create(client, marseille, template=Questionnaire.Template.FLASH)
    questionnaire = Questionnaire.objects.get(title="Questionnaire du site")
    assert response.status_code == 302
    assert questionnaire.site == marseille
    assert questionnaire.questions.count() == 4
    listing = client.get(reverse("surveys:site_surveys", args=[marseille.slug])).content.decode()
    assert "Questionnaire du site" in listing

    # The campaign form has no site to choose: it is the questionnaire's.
    form = client.get(reverse("surveys:campaign_create", args=[questionnaire.pk])).content.decode()
    assert 'name="site"' not in form
    today = timezone.localdate()
    client.post(
        reverse("surveys:campaign_create", args=[questionnaire.pk]),
        {
            "title": "Flash de Marseille",
            "opens_on": today.strftime("%d/%m/%Y"),
            "closes_on": (today + datetime.timedelta(days=20)).strftime("%d/%m/%Y"),
            "max_reminders": 2,
            "reminder_delay_days": 7,
        },
    )
    campaign = Campaign.objects.get(title="Flash de Marseille")
    assert campaign.site == marseille
    page = client.get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200


def test_a_site_campaign_reaches_only_its_own_territory(client, facilitator, marseille, grenoble):
    campaign = CampaignFactory(questionnaire__site=marseille, site=marseille)
    client.force_login(facilitator)
    url = reverse("surveys:recipient_add", args=[campaign.pk])
    form = client.get(url).content.decode()
    assert "Grenoble" not in form
    refused = client.post(
        url, {"name": "Quelqu'un", "email": "x@example.org", "function": "other", "site": grenoble.pk}
    )
    assert refused.status_code == 200
    assert "Sélectionnez un choix valide" in refused.content.decode()
    assert not CampaignRecipient.objects.exists()

    csv = b"nom;e-mail;fonction;territoire\nAline;aline@example.org;DP;Grenoble\n"
    checked = client.post(
        reverse("surveys:recipient_import", args=[campaign.pk]),
        {"file": SimpleUploadedFile("destinataires.csv", csv)},
    )
    assert checked.status_code == 400
    assert "hors de la campagne" in checked.content.decode()
    assert not CampaignRecipient.objects.exists()


def test_another_sites_team_gets_404_on_every_page_of_the_site(client, grenoble_facilitator, marseille):
    question = QuestionFactory(questionnaire__site=marseille)
    questionnaire = question.questionnaire
    campaign = CampaignFactory(questionnaire=questionnaire, site=marseille)
    client.force_login(grenoble_facilitator)
    urls = [
        reverse("surveys:site_surveys", args=[marseille.slug]),
        reverse("surveys:site_questionnaire_create", args=[marseille.slug]),
        reverse("surveys:questionnaire_detail", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_preview", args=[questionnaire.pk]),
        reverse("surveys:question_edit", args=[questionnaire.pk, question.pk]),
        reverse("surveys:campaign_create", args=[questionnaire.pk]),
        reverse("surveys:campaign_detail", args=[campaign.pk]),
        reverse("surveys:recipient_add", args=[campaign.pk]),
        reverse("surveys:campaign_texts_export", args=[campaign.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("surveys:campaign_send", args=[campaign.pk])).status_code == 404
    assert (
        client.post(reverse("surveys:question_delete", args=[questionnaire.pk, question.pk])).status_code
        == 404
    )
    assert questionnaire.questions.count() == 1
    assert questionnaire.locked_at is None


def test_a_site_team_sees_only_its_sites_questionnaires_and_not_the_national_ones(
    client, facilitator, grenoble_facilitator, marseille, grenoble
):
    QuestionnaireFactory(title="Questionnaire de Marseille", site=marseille)
    QuestionnaireFactory(title="Questionnaire de Grenoble", site=grenoble)
    national = QuestionnaireFactory(title="Questionnaire national")
    client.force_login(facilitator)
    listing = client.get(reverse("surveys:site_surveys", args=[marseille.slug])).content.decode()
    assert "Questionnaire de Marseille" in listing
    assert "Questionnaire de Grenoble" not in listing
    assert "Questionnaire national" not in listing
    # The national questionnaires and lists stay the national team's.
    assert client.get(reverse("surveys:questionnaire_detail", args=[national.pk])).status_code == 403
    assert client.get(reverse("surveys:questionnaire_list")).status_code == 403
    assert client.get(reverse("surveys:campaign_list")).status_code == 403


def test_the_national_team_reaches_every_sites_surveys(client, national_team, marseille):
    questionnaire = QuestionnaireFactory(title="Questionnaire de Marseille", site=marseille)
    client.force_login(national_team)
    assert client.get(reverse("surveys:site_surveys", args=[marseille.slug])).status_code == 200
    assert client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk])).status_code == 200
    assert "Questionnaire de Marseille" in client.get(reverse("surveys:questionnaire_list")).content.decode()


def test_the_sites_other_readers_get_403(client, network_coordinator, marseille):
    questionnaire = QuestionnaireFactory(site=marseille)
    client.force_login(network_coordinator)
    assert client.get(reverse("surveys:site_surveys", args=[marseille.slug])).status_code == 403
    assert client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk])).status_code == 403
    page = client.get(reverse("sites:site_home", args=[marseille.slug])).content.decode()
    assert reverse("surveys:site_surveys", args=[marseille.slug]) not in page


def test_the_site_pages_queries_do_not_grow_with_the_data(
    client, facilitator, marseille, django_assert_max_num_queries
):
    client.force_login(facilitator)
    url = reverse("surveys:site_surveys", args=[marseille.slug])
    client.get(url)
    for index in range(5):
        CampaignFactory(questionnaire__site=marseille, site=marseille, title=f"Campagne {index}")
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


def test_a_site_campaigns_results_show_at_once_but_crossed_readings_wait_for_both_sides(
    client, facilitator, marseille
):
    free = QuestionFactory(questionnaire__site=marseille, kind="long_text", required=False)
    campaign = CampaignFactory(questionnaire=free.questionnaire, site=marseille)
    crossed = QuestionFactory(
        questionnaire__site=marseille, questionnaire__template="crossed_readings", kind="long_text"
    )
    hidden = CampaignFactory(questionnaire=crossed.questionnaire, site=marseille)
    for one, question in ((campaign, free), (hidden, crossed)):
        response = CampaignResponse.objects.create(
            campaign=one,
            site=marseille,
            function="prefet_delegate",
            side="institutional",
            submitted_on=one.opens_on,
        )
        CampaignAnswer.objects.create(response=response, question=question, text="Lecture institutionnelle.")
    client.force_login(facilitator)
    shown = client.get(reverse("surveys:campaign_texts_export", args=[campaign.pk]))
    assert "Lecture institutionnelle." in shown.content.decode()
    refused = client.get(reverse("surveys:campaign_texts_export", args=[hidden.pk]), follow=True)
    text = refused.content.decode().replace("&#x27;", "'")
    assert "Les réponses restent masquées" in text
    assert "Lecture institutionnelle." not in text
