from django.urls import path

from evaluation.exports import views

app_name = "exports"

urlpatterns = [
    path("exports/", views.export_index, name="export_index"),
    path("exports/<slug:dataset>.<str:fmt>", views.export_download, name="export_download"),
]
