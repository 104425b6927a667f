from django.urls import path

from pilotage.imports import views

app_name = "imports"

urlpatterns = [
    path("sites/<slug:slug>/import/", views.import_start, name="import_start"),
    path(
        "sites/<slug:slug>/import/modeles/<slug:kind>.<slug:fmt>",
        views.import_template,
        name="import_template",
    ),
    path("sites/<slug:slug>/import/confirmer/", views.import_confirm, name="import_confirm"),
]
