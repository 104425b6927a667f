from django.urls import path

from pilotage import views

app_name = "pilotage"

site = "sites/<slug:slug>/"

urlpatterns = [
    path(f"{site}reunions/", views.meeting_list, name="meeting_list"),
    path(f"{site}reunions/nouvelle/", views.meeting_create, name="meeting_create"),
    path(f"{site}reunions/calendrier.ics", views.meeting_ical, name="meeting_ical"),
    path(f"{site}reunions/presences/", views.meeting_roster, name="meeting_roster"),
    path(f"{site}reunions/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path(f"{site}reunions/<int:pk>/modifier/", views.meeting_edit, name="meeting_edit"),
    path(
        f"{site}reunions/<int:pk>/feuille-emargement.pdf",
        views.meeting_sign_in_sheet,
        name="meeting_sign_in_sheet",
    ),
    path(f"{site}reunions/<int:pk>/emargement/", views.meeting_tally, name="meeting_tally"),
    path(f"{site}reunions/<int:pk>/compte-rendu/soumettre/", views.minutes_submit, name="minutes_submit"),
    path(f"{site}reunions/<int:pk>/compte-rendu/valider/", views.minutes_validate, name="minutes_validate"),
    path(f"{site}reunions/<int:pk>/compte-rendu/rouvrir/", views.minutes_reopen, name="minutes_reopen"),
    path(
        f"{site}reunions/<int:pk>/pieces-jointes/",
        views.meeting_attachment_add,
        name="meeting_attachment_add",
    ),
    path(
        f"{site}decisions/<int:pk>/transformer-en-action/",
        views.decision_to_action,
        name="decision_to_action",
    ),
    path(f"{site}actions/", views.action_board, name="action_board"),
    path(f"{site}actions/par-thematique/", views.action_list_by_theme, name="action_list"),
    path(f"{site}actions/nouvelle/", views.action_create, name="action_create"),
    path(f"{site}actions/<int:pk>/", views.action_detail, name="action_detail"),
    path(f"{site}actions/<int:pk>/modifier/", views.action_edit, name="action_edit"),
    path(f"{site}actions/<int:pk>/etat/", views.action_status, name="action_status"),
    path(
        f"{site}actions/<int:pk>/pieces-jointes/",
        views.action_attachment_add,
        name="action_attachment_add",
    ),
    path(
        f"{site}pieces-jointes/<int:pk>/telecharger/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        f"{site}pieces-jointes/<int:pk>/supprimer/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
