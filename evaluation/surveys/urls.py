from django.urls import path

from evaluation.surveys import views

app_name = "surveys"

urlpatterns = [
    path("sites/<slug:slug>/enquetes/", views.site_surveys, name="site_surveys"),
    path(
        "sites/<slug:slug>/enquetes/nouveau-questionnaire/",
        views.site_questionnaire_create,
        name="site_questionnaire_create",
    ),
    path("enquetes/questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("enquetes/questionnaires/nouveau/", views.questionnaire_create, name="questionnaire_create"),
    path("enquetes/questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path(
        "enquetes/questionnaires/<int:pk>/apercu/", views.questionnaire_preview, name="questionnaire_preview"
    ),
    path(
        "enquetes/questionnaires/<int:pk>/nouvelle-version/",
        views.questionnaire_new_version,
        name="questionnaire_new_version",
    ),
    path("enquetes/questionnaires/<int:pk>/questions/ajouter/", views.question_add, name="question_add"),
    path("enquetes/questionnaires/<int:pk>/questions/<int:qpk>/", views.question_edit, name="question_edit"),
    path(
        "enquetes/questionnaires/<int:pk>/questions/<int:qpk>/supprimer/",
        views.question_delete,
        name="question_delete",
    ),
    path("enquetes/questionnaires/<int:pk>/campagne/", views.campaign_create, name="campaign_create"),
    path("enquetes/campagnes/", views.campaign_list, name="campaign_list"),
    path("enquetes/campagnes/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("enquetes/campagnes/<int:pk>/destinataires/ajouter/", views.recipient_add, name="recipient_add"),
    path(
        "enquetes/campagnes/<int:pk>/destinataires/importer/", views.recipient_import, name="recipient_import"
    ),
    path(
        "enquetes/campagnes/<int:pk>/destinataires/<int:rpk>/revoquer/",
        views.recipient_revoke,
        name="recipient_revoke",
    ),
    path("enquetes/campagnes/<int:pk>/envoyer/", views.campaign_send, name="campaign_send"),
    path("enquetes/campagnes/<int:pk>/relancer/", views.campaign_remind, name="campaign_remind"),
    path(
        "enquetes/campagnes/<int:pk>/reponses.csv", views.campaign_texts_export, name="campaign_texts_export"
    ),
    path("repondre/merci/", views.answer_thanks, name="answer_thanks"),
    path("repondre/<str:token>/", views.answer, name="answer"),
]
