"""/api/v1/: the read-only API, its OpenAPI schema and its documentation (Swagger UI, served from
the app's own static files).

The API answers for itself who is calling (a token or a session): it is exempt from the
login-required middleware, and an unauthenticated call gets a 401 in JSON, not the sign-in page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from evaluation.api import views

app_name = "api"

router = SimpleRouter()
router.register("sites", views.SiteViewSet, basename="site")
router.register("networks", views.NetworkViewSet, basename="network")
router.register("qpv", views.NeighbourhoodViewSet, basename="qpv")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("actions", views.ActionViewSet, basename="action")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("readings", views.ReadingViewSet, basename="reading")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicator-value")
router.register("reports", views.ReportViewSet, basename="report")

urlpatterns = [
    *router.urls,
    path("figures/", views.FiguresView.as_view(), name="figures"),
    # The schema and its documentation describe the API, not its data: open to anyone.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[AllowAny]),
        name="docs",
    ),
]

for pattern in urlpatterns:
    login_not_required(pattern.callback)
