from django.urls import path

from evaluation.logbook import views

app_name = "evaluation"

urlpatterns = [
    path("sites/<slug:slug>/carnet/", views.logbook_list, name="logbook_list"),
    path("sites/<slug:slug>/carnet/nouvelle-entree/", views.logbook_create, name="logbook_create"),
    path("sites/<slug:slug>/carnet/<int:pk>/", views.logbook_detail, name="logbook_detail"),
    path("sites/<slug:slug>/carnet/<int:pk>/modifier/", views.logbook_update, name="logbook_update"),
]
