from django.urls import path

from evaluation.indicators import views

app_name = "indicators"

urlpatterns = [
    path("indicateurs/", views.indicator_list, name="indicator_list"),
    path("indicateurs/nouveau/", views.indicator_create, name="indicator_create"),
    path("indicateurs/<int:pk>/modifier/", views.indicator_edit, name="indicator_edit"),
    path("sites/<slug:slug>/indicateurs/", views.indicator_values_latest, name="indicator_values_latest"),
    path("sites/<slug:slug>/indicateurs/<str:period>/", views.indicator_values, name="indicator_values"),
]
