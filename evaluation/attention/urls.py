from django.urls import path

from evaluation.attention import views

app_name = "attention"

urlpatterns = [
    path("points-d-attention/seuils/", views.thresholds, name="thresholds"),
    path("points-d-attention/seuils/modifier/", views.thresholds_edit, name="thresholds_edit"),
    path("sites/<slug:slug>/points-d-attention/", views.site_history, name="site_history"),
]
