"""The surveys typed in the admin (totals only: one row per recipient's function and territory)
become campaigns already run, so that campaigns are the one source of the response-rate figure;
then the old tables go. Each recipient keeps its territory, function and answer date; it gets a
placeholder address on the reserved `.invalid` domain (nothing is ever sent to it) and no link."""

import datetime

from django.db import migrations


def surveys_to_campaigns(apps, schema_editor):
    Survey = apps.get_model("evaluation", "Survey")
    Questionnaire = apps.get_model("evaluation", "Questionnaire")
    Campaign = apps.get_model("evaluation", "Campaign")
    CampaignRecipient = apps.get_model("evaluation", "CampaignRecipient")
    for survey in Survey.objects.order_by("pk"):
        sent = datetime.datetime.combine(survey.sent_on, datetime.time(9), tzinfo=datetime.UTC)
        questionnaire = Questionnaire.objects.create(
            title=survey.title, introduction=survey.description[:5000], template="free", locked_at=sent
        )
        campaign = Campaign.objects.create(
            questionnaire=questionnaire,
            title=survey.title,
            opens_on=survey.sent_on,
            closes_on=max(survey.closes_on or survey.sent_on, survey.sent_on),
        )
        CampaignRecipient.objects.bulk_create(
            CampaignRecipient(
                campaign=campaign,
                site_id=row.site_id,
                function=row.function,
                name=f"{row.function} ({row.site_id})",
                email=f"destinataire-{row.pk}@enquete-importee.invalid",
                token_hash=f"imported:{row.pk}",
                invited_at=sent,
                answered_on=row.responded_on,
            )
            for row in survey.recipients.order_by("pk")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0016_surveys_questionnaires_campaigns"),
    ]

    operations = [
        migrations.RunPython(surveys_to_campaigns, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="surveyrecipient", name="survey"),
        migrations.RemoveField(model_name="surveyrecipient", name="site"),
        migrations.DeleteModel(name="Survey"),
        migrations.DeleteModel(name="SurveyRecipient"),
    ]
