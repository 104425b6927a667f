from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("sites/<slug:slug>/diagnostic/", views.finding_list, name="finding_list"),
    path(
        "sites/<slug:slug>/diagnostic/constats/ajouter/",
        views.finding_create,
        name="finding_create",
    ),
    path(
        "sites/<slug:slug>/diagnostic/constats/<int:pk>/modifier/",
        views.finding_update,
        name="finding_update",
    ),
    path(
        "sites/<slug:slug>/diagnostic/appreciations/",
        views.assessment_overview,
        name="assessment_overview",
    ),
    path(
        "sites/<slug:slug>/diagnostic/appreciations/saisir/",
        views.assessment_entry,
        name="assessment_entry",
    ),
    path("sites/<slug:slug>/diagnostic/couverture/", views.coverage, name="coverage"),
]
