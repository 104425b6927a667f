from django.urls import path

from sites.team import views

app_name = "team"

urlpatterns = [
    path("sites/<slug:slug>/equipe/", views.facilitator_history, name="facilitator_history"),
    path("sites/<slug:slug>/equipe/arrivee/", views.arrival_create, name="arrival_create"),
    path("sites/<slug:slug>/equipe/<int:pk>/temps-dedie/", views.fte_change, name="fte_change"),
    path("sites/<slug:slug>/equipe/<int:pk>/depart/", views.departure, name="departure"),
]
