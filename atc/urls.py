from django.contrib import admin
from django.urls import include, path

from atc import history, views
from sites import views as sites_views

admin.site.site_header = "Plateforme ATC — administration"
admin.site.site_title = "Plateforme ATC"
admin.site.index_title = "Administration"

handler400 = "atc.views.bad_request"
handler500 = "atc.views.server_error"

urlpatterns = [
    path("", sites_views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("evaluation.api.urls")),
    path("", include("atc.tokens.urls")),
    path("historique/<slug:model>/<int:pk>/", history.history, name="history"),
    path("", include("sites.people.urls")),
    path("", include("sites.urls")),
    path("", include("evaluation.dashboards.urls")),
    path("", include("sites.partners.urls")),
    path("", include("sites.team.urls")),
    path("", include("sites.comments.urls")),
    path("", include("pilotage.urls")),
    path("", include("pilotage.committees.urls")),
    path("", include("pilotage.imports.urls")),
    path("", include("pilotage.ledger.urls")),
    path("", include("pilotage.calendars.urls")),
    path("", include("diagnostics.urls")),
    path("", include("pilotage.national.urls")),
    path("", include("evaluation.logbook.urls")),
    path("", include("evaluation.quotes.urls")),
    path("", include("evaluation.indicators.urls")),
    path("", include("evaluation.reports.urls")),
    path("", include("evaluation.exports.urls")),
    path("", include("evaluation.definitions.urls")),
    path("", include("evaluation.search.urls")),
    path("", include("evaluation.opendata.urls")),
    path("", include("evaluation.sheets.urls")),
    path("", include("evaluation.showcase.urls")),
    path("", include("evaluation.attention.urls")),
    path("", include("evaluation.surveys.urls")),
    path("", include("atc.notifications.urls")),
]
