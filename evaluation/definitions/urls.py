from django.urls import path

from evaluation.definitions import views

app_name = "definitions"

urlpatterns = [
    path("definitions/", views.definitions, name="index"),
]
