"""The read-only API (/api/v1/): one viewset per kind of record. Every queryset starts from the
reader's scope (`for_user`, `readable_sites`, `readable_reports`): a row outside it is absent from
the lists and a 404 on its own, exactly as on the pages."""

from django.db.models import Prefetch, Q
from django.http import FileResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from atc.permissions import log_refusal, readable_reports
from diagnostics.models import Assessment, Finding
from evaluation.api import filters, serializers
from evaluation.figures import multisite
from evaluation.models import EvaluationReport, Indicator, IndicatorValue
from evaluation.reports.services import report_download_name
from pilotage.models import Action, Meeting
from sites.models import Neighbourhood, Network, Site

# Database ids in addresses: digits only, and few enough to fit the database's integers.
ID_PATTERN = r"[0-9]{1,18}"


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """A list and a detail of rows attached to a site; filters `site`, `network`, `period`."""

    filter_backends = [filters.ScopeFilter]
    site_lookup = "site__slug"
    network_lookup = "site__network__code"
    period_lookups: tuple[str, str] | None = None
    lookup_value_regex = ID_PATTERN


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    """The three national networks (reference data, the same for everyone)."""

    queryset = Network.objects.order_by("name")
    serializer_class = serializers.NetworkSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,16}"


class SiteViewSet(ScopedViewSet):
    """The sites the reader may read."""

    serializer_class = serializers.SiteSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,80}"
    site_lookup = "slug"
    network_lookup = "network__code"

    def get_queryset(self):
        return (
            Site.objects.for_user(self.request.user)
            .select_related("network", "host")
            .prefetch_related("neighbourhoods", "priority_models", "other_schemes")
            .order_by("name")
        )


class NeighbourhoodViewSet(ScopedViewSet):
    """The priority neighbourhoods (QPV) of the sites the reader may read."""

    serializer_class = serializers.NeighbourhoodSerializer
    site_lookup = "sites__slug"
    network_lookup = "sites__network__code"

    def get_queryset(self):
        readable = Site.objects.for_user(self.request.user)
        return (
            Neighbourhood.objects.filter(sites__in=readable)
            .distinct()
            # Only the readable sites are named beside a QPV shared with another site.
            .prefetch_related(Prefetch("sites", queryset=readable.order_by("slug")))
            .order_by("code_2015", "code_2024", "pk")
        )


class MeetingViewSet(ScopedViewSet):
    """Meetings of the readable sites, with their attendance by stakeholder category (counts,
    never names)."""

    serializer_class = serializers.MeetingSerializer
    period_lookups = ("date", "date")

    def get_queryset(self):
        return Meeting.objects.for_user(self.request.user).select_related("site").order_by("-date", "-id")


class ActionViewSet(ScopedViewSet):
    """Actions of the readable sites; `period` keeps those running at some point of it (an action
    without a start or an end date is open on that side)."""

    serializer_class = serializers.ActionSerializer
    period_lookups = ("start_date", "end_date")

    def get_queryset(self):
        return (
            Action.objects.for_user(self.request.user)
            .select_related("site", "theme")
            .prefetch_related("partners", "findings")
            .order_by("-created_at", "-id")
        )


class FindingViewSet(ScopedViewSet):
    """Common findings of the shared diagnostics of the readable sites."""

    serializer_class = serializers.FindingSerializer
    period_lookups = ("date", "date")

    def get_queryset(self):
        return (
            Finding.objects.for_user(self.request.user)
            .select_related("site", "theme")
            .order_by("site__name", "date", "id")
        )


class ReadingViewSet(ScopedViewSet):
    """The 1–10 readings of the territory (institutional actors, facilitator, residents)."""

    serializer_class = serializers.ReadingSerializer
    period_lookups = ("date", "date")

    def get_queryset(self):
        return (
            Assessment.objects.for_user(self.request.user)
            .select_related("site", "item")
            .order_by("site__name", "item__order", "date", "respondent_kind", "id")
        )


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The national indicators (their definitions are the same for everyone)."""

    queryset = Indicator.objects.order_by("name")
    serializer_class = serializers.IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,60}"


class IndicatorValueViewSet(ScopedViewSet):
    """Indicator values of the readable sites; `period` keeps the values whose period overlaps it."""

    serializer_class = serializers.IndicatorValueSerializer
    period_lookups = ("period_start", "period_end")

    def get_queryset(self):
        queryset = IndicatorValue.objects.for_user(self.request.user).select_related("site", "indicator")
        if indicator := filters.clean_param(self.request, "indicator"):
            queryset = queryset.filter(indicator__code=indicator)
        return queryset.order_by("indicator__name", "site__name", "period_start", "id")

    @extend_schema(parameters=[OpenApiParameter("indicator", str, description=_("Code de l'indicateur."))])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: application/pdf` on a report's download."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Evaluation reports the reader may read (atc.permissions.readable_reports) and their PDF."""

    serializer_class = serializers.ReportSerializer
    filter_backends = [filters.ScopeFilter]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9a-fA-F-]{36}"
    site_lookup = "site__slug"
    period_lookups = ("period_start", "period_end")

    def get_queryset(self):
        reports = EvaluationReport.objects.select_related("network", "site")
        return readable_reports(self.request.user, reports).order_by("-requested_at", "-id")

    def filter_network(self, queryset, code):
        """A network's reports and those on one of its sites."""
        return queryset.filter(Q(network__code=code) | Q(site__network__code=code))

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("Le rapport en PDF.")
            ),
            404: OpenApiResponse(
                description=_("Rapport introuvable, pas encore prêt, ou hors de votre périmètre.")
            ),
        }
    )
    @action(detail=True, url_path="download", renderer_classes=[renderers.JSONRenderer, PdfRenderer])
    def download(self, request, id=None):
        report = self.get_object()
        if report.status != EvaluationReport.Status.DONE or not report.file:
            raise NotFound(gettext("Ce rapport n'est pas encore prêt : son état dit quand le télécharger."))
        try:
            handle = report.file.open("rb")
        except FileNotFoundError as exc:
            log_refusal(request._request, "file_missing", report.pk)
            raise NotFound(gettext("Le fichier de ce rapport est introuvable.")) from exc
        return FileResponse(
            handle, as_attachment=True, filename=report_download_name(report), content_type="application/pdf"
        )


class FiguresView(APIView):
    """The figures of each readable site over a period, from the figures layer (the same rows as
    the national, network and « Mes sites » tables: evaluation.figures.multisite.site_table)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description=filters.PERIOD_HELP),
            OpenApiParameter("site", str, description=filters.SITE_HELP),
            OpenApiParameter("network", str, description=filters.NETWORK_HELP),
        ],
        responses=serializers.FiguresSerializer,
    )
    def get(self, request):
        period = filters.period_param(request)
        first, last = filters.quarters_of(period) if period else (None, None)
        sites = Site.objects.for_user(request.user)
        if site := filters.clean_param(request, "site"):
            sites = sites.filter(slug=site)
        scope = multisite.SitePeriod(network=filters.clean_param(request, "network"), start=first, end=last)
        table = multisite.site_table(sites=sites, period=scope, page_size=None)
        data = {
            "period": {
                "label": period.label if period else None,
                "first_quarter": first,
                "last_quarter": last,
            },
            "sites": table.rows,
        }
        return Response(serializers.FiguresSerializer(data).data)
