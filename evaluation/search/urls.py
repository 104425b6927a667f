from django.urls import path

from evaluation.search import views

app_name = "search"

urlpatterns = [
    path("recherche/", views.results, name="results"),
]
