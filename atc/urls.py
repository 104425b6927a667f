from django.contrib import admin
from django.urls import include, path

from atc import views

admin.site.site_header = "Plateforme ATC — administration"
admin.site.site_title = "Plateforme ATC"
admin.site.index_title = "Administration"

handler400 = "atc.views.bad_request"
handler500 = "atc.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("atc.account_urls")),
    path("", include("sites.urls")),
    path("", include("evaluation.dashboards.urls")),
    path("", include("sites.partner_urls")),
    path("", include("pilotage.urls")),
    path("", include("pilotage.imports.urls")),
    path("", include("diagnostics.urls")),
    path("", include("evaluation.urls")),
    path("", include("evaluation.report_urls")),
    path("", include("evaluation.definitions.urls")),
]
