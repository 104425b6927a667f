from django.urls import path, register_converter

from evaluation.dashboards import views

app_name = "dashboards"


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "fmt")

urlpatterns = [
    path("sites/<slug:slug>/tableau-de-bord/", views.site_dashboard, name="site"),
    path("sites/<slug:slug>/tableau-de-bord/commentaires/", views.site_comment, name="site_comment"),
    path(
        "sites/<slug:slug>/tableau-de-bord/export/<slug:table>.<fmt:fmt>",
        views.site_export,
        name="site_export",
    ),
    path("sites/<slug:slug>/cooperation/", views.site_cooperation, name="cooperation"),
    path(
        "sites/<slug:slug>/cooperation/export.<fmt:fmt>", views.cooperation_export, name="cooperation_export"
    ),
    path("tableaux/national/", views.national_dashboard, name="national"),
    path("tableaux/national/export.<fmt:fmt>", views.national_export, name="national_export"),
    path("tableaux/reseau/<slug:code>/", views.network_dashboard, name="network"),
    path("tableaux/reseau/<slug:code>/export.<fmt:fmt>", views.network_export, name="network_export"),
    path("tableaux/mes-sites/", views.my_sites_dashboard, name="my_sites"),
    path("tableaux/mes-sites/export.<fmt:fmt>", views.my_sites_export, name="my_sites_export"),
]
