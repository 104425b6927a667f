from django.urls import path

from evaluation.opendata import views

app_name = "opendata"

urlpatterns = [
    path("donnees-ouvertes/", views.index, name="index"),
    path("donnees-ouvertes/<str:name>", views.download, name="file"),
]
