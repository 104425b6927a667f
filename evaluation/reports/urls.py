from django.urls import path

from evaluation.reports import views

app_name = "reports"

urlpatterns = [
    path("rapports/", views.report_list, name="report_list"),
    path("rapports/nouveau/", views.report_request, name="report_request"),
    path("rapports/programmations/", views.schedule_list, name="schedule_list"),
    path("rapports/programmations/nouvelle/", views.schedule_create, name="schedule_create"),
    path("rapports/programmations/<int:pk>/modifier/", views.schedule_edit, name="schedule_edit"),
    path("rapports/programmations/<int:pk>/activation/", views.schedule_toggle, name="schedule_toggle"),
    path("rapports/<uuid:public_id>/", views.report_detail, name="report_detail"),
    path("rapports/<uuid:public_id>/textes/", views.report_narrative, name="report_narrative"),
    path("rapports/<uuid:public_id>/emettre/", views.report_issue, name="report_issue"),
    path("rapports/<uuid:public_id>/telecharger/", views.report_download, name="report_download"),
    path(
        "rapports/<uuid:public_id>/telecharger/<slug:extension>/",
        views.report_download_editable,
        name="report_download_editable",
    ),
    path("rapports/<uuid:public_id>/lien/<str:token>/", views.report_link, name="report_link"),
]
