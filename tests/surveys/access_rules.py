"""Who may open the surveys' pages: the national lists are the national team's; a site's questionnaires
and campaigns are its team's and the national team's (TEAM_MANAGE: the site's other readers get 403,
anyone else 404); the answer page opens to anyone holding a personal link (no account), as does the
thanks page."""

from evaluation.models import CampaignAnswer, CampaignResponse, Question
from tests.access import NATIONAL, PUBLIC, TEAM_MANAGE, Rule
from tests.surveys.factories import CampaignFactory, QuestionFactory, recipient_with_token


def _site(o):
    return {"slug": o["site"].slug}


def _questionnaire(o):
    return {"pk": o["survey_questionnaire"].pk}


def _question(o):
    return {"pk": o["survey_questionnaire"].pk, "qpk": o["survey_question"].pk}


def _campaign(o):
    return {"pk": o["survey_campaign"].pk}


def _recipient(o):
    return {"pk": o["survey_campaign"].pk, "rpk": o["survey_recipient"].pk}


def _question_data(o):
    return {"text": "Une question ?", "kind": "scale", "order": 5, "required": "on"}


RULES = {
    "surveys:questionnaire_list": Rule(NATIONAL),
    "surveys:questionnaire_create": Rule(
        NATIONAL, methods=("GET", "POST"), post_data=lambda o: {"title": "Nouveau", "template": "free"}
    ),
    "surveys:campaign_list": Rule(NATIONAL),
    "surveys:site_surveys": Rule(TEAM_MANAGE, _site),
    "surveys:site_questionnaire_create": Rule(
        TEAM_MANAGE, _site, ("GET", "POST"), lambda o: {"title": "Du site", "template": "free"}
    ),
    "surveys:questionnaire_detail": Rule(TEAM_MANAGE, _questionnaire),
    "surveys:questionnaire_preview": Rule(TEAM_MANAGE, _questionnaire),
    "surveys:questionnaire_new_version": Rule(TEAM_MANAGE, _questionnaire, ("POST",), lambda o: {}),
    "surveys:question_add": Rule(TEAM_MANAGE, _questionnaire, ("GET", "POST"), _question_data),
    "surveys:question_edit": Rule(TEAM_MANAGE, _question, ("GET", "POST"), _question_data),
    "surveys:question_delete": Rule(TEAM_MANAGE, _question, ("POST",), lambda o: {}),
    "surveys:campaign_create": Rule(TEAM_MANAGE, _questionnaire),
    "surveys:campaign_detail": Rule(TEAM_MANAGE, _campaign),
    "surveys:recipient_add": Rule(TEAM_MANAGE, _campaign),
    "surveys:recipient_import": Rule(TEAM_MANAGE, _campaign),
    "surveys:recipient_revoke": Rule(TEAM_MANAGE, _recipient, ("POST",), lambda o: {}),
    "surveys:campaign_send": Rule(TEAM_MANAGE, _campaign, ("POST",), lambda o: {}),
    "surveys:campaign_remind": Rule(TEAM_MANAGE, _campaign, ("POST",), lambda o: {}),
    "surveys:campaign_texts_export": Rule(TEAM_MANAGE, _campaign),
    "surveys:answer": Rule(
        PUBLIC, lambda o: {"token": o["survey_token"]}, ("GET", "POST"), lambda o: {"draft": "1"}
    ),
    "surveys:answer_thanks": Rule(PUBLIC),
}


def build(site, user):
    """The site's own questionnaire and a campaign of it open today, with one question and one
    recipient on the site, whose link is known."""
    question = QuestionFactory(
        questionnaire__title=f"Questionnaire de la matrice {site.slug}", questionnaire__site=site
    )
    campaign = CampaignFactory(
        questionnaire=question.questionnaire, site=site, title=f"Campagne de la matrice {site.slug}"
    )
    token = f"jeton-matrice-{site.slug}-0123456789abcdefghijklmnop"
    recipient = recipient_with_token(
        token, campaign=campaign, site=site, email=f"matrice@{site.slug}.example.org"
    )
    # An answer already given on the site, with a free text (the campaign page lists it).
    text = QuestionFactory(questionnaire=question.questionnaire, kind=Question.Kind.LONG_TEXT, required=False)
    response = CampaignResponse.objects.create(
        campaign=campaign, site=site, function="other", side="residents", submitted_on=campaign.opens_on
    )
    CampaignAnswer.objects.create(response=response, question=text, text=f"Réponse libre de {site.name}.")
    return {
        "survey_questionnaire": question.questionnaire,
        "survey_question": question,
        "survey_campaign": campaign,
        "survey_recipient": recipient,
        "survey_token": token,
    }
