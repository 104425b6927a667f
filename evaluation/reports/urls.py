from django.urls import path

from evaluation import indicator_views, national_views, report_views

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
    path("indicateurs/", indicator_views.indicator_list, name="indicator_list"),
    path("indicateurs/nouveau/", indicator_views.indicator_create, name="indicator_create"),
    path("indicateurs/<int:pk>/modifier/", indicator_views.indicator_edit, name="indicator_edit"),
    path(
        "sites/<slug:slug>/indicateurs/<str:period>/",
        indicator_views.indicator_values,
        name="indicator_values",
    ),
    path("national/", national_views.national_home, name="national_home"),
    path(
        "national/membres/nouveau/",
        national_views.national_member_create,
        name="national_member_create",
    ),
    path(
        "national/reunions/nouvelle/",
        national_views.national_meeting_create,
        name="national_meeting_create",
    ),
    path(
        "national/reunions/<int:pk>/",
        national_views.national_meeting_detail,
        name="national_meeting_detail",
    ),
    path(
        "national/reunions/<int:pk>/modifier/",
        national_views.national_meeting_edit,
        name="national_meeting_edit",
    ),
    path("exports/", report_views.export_index, name="export_index"),
    path(
        "exports/<slug:dataset>.<str:fmt>",
        report_views.export_download,
        name="export_download",
    ),
]
