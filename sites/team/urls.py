from django.urls import path

from sites.team import views

app_name = "team"

urlpatterns = [
    path("sites/<slug:slug>/equipe/", views.facilitator_history, name="facilitator_history"),
]
