"""Crossed readings (« regards croisés ») on Marseille: the same 1–10 items answered separately by
institutional actors and the facilitator; neither side's readings show before both have answered;
then the dashboard shows both side by side with the gaps, and the site's territory readings hold them."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Assessment, AssessmentItem
from evaluation.models import CampaignRecipient, Questionnaire
from evaluation.surveys import services
from tests.surveys.factories import recipient_with_token

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def crossed(marseille, national_team):
    questionnaire = services.questionnaire_create(
        title="Regards croisés Marseille",
        template=Questionnaire.Template.CROSSED_READINGS,
        user=national_team,
    )
    today = timezone.localdate()
    return services.campaign_create(
        questionnaire=questionnaire,
        title="Regards croisés Marseille 2021",
        site=marseille,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=20),
    )


def _answer(client, token, campaign, score):
    values = {f"q{q.pk}": str(score) for q in campaign.questionnaire.questions.all()}
    assert client.post(reverse("surveys:answer", args=[token]), values).status_code == 302


def test_the_facilitator_cannot_see_the_institutional_readings_before_answering(
    client, crossed, marseille, facilitator
):
    items = list(AssessmentItem.objects.order_by("order", "label"))
    assert items, "the reference items come with the migrations"
    recipient_with_token(
        "institutionnel-1-" + "a" * 30, campaign=crossed, site=marseille, function="prefet_delegate"
    )
    recipient_with_token(
        "institutionnel-2-" + "b" * 30, campaign=crossed, site=marseille, function="city_referent"
    )
    recipient_with_token(
        "animatrice-" + "c" * 36,
        campaign=crossed,
        site=marseille,
        function="facilitator",
        side=CampaignRecipient.Side.FACILITATOR,
    )
    _answer(client, "institutionnel-1-" + "a" * 30, crossed, 3)
    _answer(client, "institutionnel-2-" + "b" * 30, crossed, 4)

    client.force_login(facilitator)
    dashboard = _text(client.get(reverse("dashboards:site", args=[marseille.slug])))
    assert "Regards croisés" in dashboard
    assert "En attente : les lectures restent masquées" in dashboard
    assert "Lectures du territoire au" not in dashboard
    assert not Assessment.objects.filter(site=marseille, date=crossed.opens_on).exists()
    # Nor does their own answer page show the other side's answers.
    page = _text(client.get(reverse("surveys:answer", args=["animatrice-" + "c" * 36])))
    assert "3,5" not in page

    client.logout()
    _answer(client, "animatrice-" + "c" * 36, crossed, 8)
    client.force_login(facilitator)
    dashboard = _text(client.get(reverse("dashboards:site", args=[marseille.slug])))
    assert "En attente" not in dashboard
    first = items[0].label
    block = dashboard.split('id="regards-croises-titre"')[1]
    row = re.search(rf"<th scope=\"row\">{re.escape(first)}</th>(.*?)</tr>", block).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    # Institutional 3,5 (mean of 3 and 4), facilitator 8, no residents; spread 4,5; difference +4,5.
    assert cells[:5] == ["3,5", "8,0", "—", "4,5", "4,5"]
    readings = Assessment.objects.filter(site=marseille, item=items[0], date=crossed.opens_on)
    assert {(a.respondent_kind, str(a.score), a.respondents) for a in readings} == {
        ("institutional", "3.5", 2),
        ("facilitator", "8.0", 1),
    }


def test_the_gap_change_between_two_campaigns(client, crossed, marseille, facilitator, national_team):
    recipient_with_token("inst-a-" + "a" * 40, campaign=crossed, site=marseille, function="prefet_delegate")
    recipient_with_token("anim-a-" + "b" * 40, campaign=crossed, site=marseille, function="facilitator")
    _answer(client, "inst-a-" + "a" * 40, crossed, 2)
    _answer(client, "anim-a-" + "b" * 40, crossed, 8)
    later = services.campaign_create(
        questionnaire=crossed.questionnaire,
        title="Regards croisés Marseille 2022",
        site=marseille,
        opens_on=crossed.opens_on,
        closes_on=crossed.closes_on,
    )
    recipient_with_token("inst-b-" + "a" * 40, campaign=later, site=marseille, function="prefet_delegate")
    recipient_with_token("anim-b-" + "b" * 40, campaign=later, site=marseille, function="facilitator")
    _answer(client, "inst-b-" + "a" * 40, later, 5)
    _answer(client, "anim-b-" + "b" * 40, later, 7)
    client.force_login(facilitator)
    dashboard = _text(client.get(reverse("dashboards:site", args=[marseille.slug])))
    later_part = dashboard.split("Regards croisés Marseille 2022")[1]
    first_row = re.search(r"<tr> <th scope=\"row\">.*?</tr>", later_part.split("<tbody>")[1]).group(0)
    cells = re.findall(r"<td>(.*?)</td>", first_row)
    # Spread 6 then 2: the change is −4.
    assert cells == ["5,0", "7,0", "—", "2,0", "2,0", "-4,0"]
