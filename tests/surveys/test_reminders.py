"""Automatic reminders: each morning (beat) a campaign with « relances automatiques » reminds those
who have not answered, never sooner than its delay and never more than its maximum; campaigns
without the setting, closed or not yet sent remind nobody."""

import datetime
import re

import pytest
from celery import current_app
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from evaluation.surveys import services
from tests.smtpserver import body_text
from tests.surveys.factories import CampaignFactory, QuestionFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/repondre/([A-Za-z0-9_-]+)/")


def _campaign(title, *, auto=True, locked=True, closes_in=60, **kwargs):
    question = QuestionFactory(
        questionnaire__locked_at=timezone.now() if locked else None, questionnaire__title=title
    )
    today = timezone.localdate()
    return CampaignFactory(
        questionnaire=question.questionnaire,
        title=title,
        auto_reminders=auto,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=closes_in),
        **kwargs,
    )


def _add(campaign, site, email):
    return services.recipient_add(
        campaign=campaign, name=email.split("@")[0], email=email, function="city_referent", site=site
    )


def test_the_daily_round_reminds_only_the_opted_in_campaigns_non_respondents(client, marseille, smtp_server):
    auto = _campaign("Flash automatique", max_reminders=2, reminder_delay_days=7)
    manual = _campaign("Flash à la main", auto=False)
    unsent = _campaign("Flash pas envoyé", locked=False)
    for campaign in (auto, manual, unsent):
        _add(campaign, marseille, f"silencieux@{campaign.pk}.example.org")
    answered = _add(auto, marseille, "repondu@example.org")
    revoked = _add(auto, marseille, "revoque@example.org")
    now = timezone.now()
    for campaign in (auto, manual, unsent):
        services.invitations_send(campaign_id=campaign.pk, now=now)
    invitations = len(smtp_server.messages)
    assert invitations == 5
    answered.refresh_from_db()
    answered.answered_on = timezone.localdate()
    answered.save()
    services.recipient_revoke(recipient=revoked)

    def day(n):
        return now + datetime.timedelta(days=n)

    assert services.reminders_send_due(now=day(6)) == 0
    assert services.reminders_send_due(now=day(7)) == 1
    assert services.reminders_send_due(now=day(7)) == 0  # the same morning twice: nothing more
    assert services.reminders_send_due(now=day(13)) == 0
    assert services.reminders_send_due(now=day(14)) == 1
    assert services.reminders_send_due(now=day(21)) == 0  # the maximum (2) is reached
    reminders = smtp_server.messages[invitations:]
    assert [m["To"] for m in reminders] == [f"silencieux@{auto.pk}.example.org"] * 2
    assert all(m["Subject"] == "[ATC] Relance : Flash automatique" for m in reminders)
    # The reminder's link opens the questionnaire.
    token = LINK.search(body_text(reminders[-1])).group(1)
    assert client.get(reverse("surveys:answer", args=[token])).status_code == 200


def test_a_closed_campaign_reminds_nobody(marseille, smtp_server):
    campaign = _campaign("Flash bientôt clos", closes_in=3, reminder_delay_days=1)
    _add(campaign, marseille, "tard@example.org")
    now = timezone.now()
    services.invitations_send(campaign_id=campaign.pk, now=now)
    assert services.reminders_send_due(now=now + datetime.timedelta(days=5)) == 0
    assert len(smtp_server.messages) == 1


def test_beat_names_the_daily_task_and_it_runs(marseille, smtp_server):
    entry = django_settings.CELERY_BEAT_SCHEDULE["survey-reminders"]
    campaign = _campaign("Flash du matin", reminder_delay_days=1)
    recipient = _add(campaign, marseille, "matin@example.org")
    services.invitations_send(campaign_id=campaign.pk, now=timezone.now() - datetime.timedelta(days=2))
    current_app.tasks[entry["task"]].delay()
    recipient.refresh_from_db()
    assert recipient.reminders_sent == 1
    assert [m["To"] for m in smtp_server.messages] == ["matin@example.org", "matin@example.org"]


def test_the_campaign_form_offers_the_setting_and_the_page_says_it(client, national_team):
    campaign = _campaign("Flash affiché")
    client.force_login(national_team)
    form = client.get(reverse("surveys:campaign_create", args=[campaign.questionnaire.pk]))
    assert "Relances automatiques" in form.content.decode()
    page = client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
    assert "Relances automatiques : chaque matin" in page.replace("&#x27;", "'")
