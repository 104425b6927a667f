from django.urls import path

from evaluation import report_views

app_name = "reports"

urlpatterns = [
    path("rapports/", report_views.report_list, name="report_list"),
    path("rapports/nouveau/", report_views.report_request, name="report_request"),
    path("rapports/programmations/", report_views.schedule_list, name="schedule_list"),
    path("rapports/programmations/nouvelle/", report_views.schedule_create, name="schedule_create"),
    path(
        "rapports/programmations/<int:pk>/modifier/",
        report_views.schedule_edit,
        name="schedule_edit",
    ),
    path(
        "rapports/programmations/<int:pk>/activation/",
        report_views.schedule_toggle,
        name="schedule_toggle",
    ),
    path("rapports/<uuid:public_id>/", report_views.report_detail, name="report_detail"),
    path(
        "rapports/<uuid:public_id>/telecharger/",
        report_views.report_download,
        name="report_download",
    ),
    path("exports/", report_views.export_index, name="export_index"),
    path(
        "exports/<slug:dataset>.<str:fmt>",
        report_views.export_download,
        name="export_download",
    ),
]
