"""What the API shows of each record: what the pages show its readers, without people's names
(meetings give their attendance by category, never who came; no « saisi par »)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from diagnostics.models import Assessment, Finding
from evaluation.figures.multisite import FIGURES
from evaluation.models import EvaluationReport, Indicator, IndicatorValue
from pilotage.models import ATTENDANCE_FIELDS, Action, Meeting
from sites.models import Neighbourhood, Network, Site


class NetworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Network
        fields = ["code", "name", "full_name"]


class NeighbourhoodSerializer(serializers.ModelSerializer):
    sites = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "code_2015", "code_2024", "sites"]


class SiteSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="code", read_only=True)
    host = serializers.CharField(source="host.name", default=None, read_only=True)
    neighbourhoods = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    priority_models = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    other_schemes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Site
        fields = [
            "slug",
            "name",
            "city",
            "insee_code",
            "departement_code",
            "departement_name",
            "region",
            "latitude",
            "longitude",
            "network",
            "host",
            "neighbourhood_label",
            "neighbourhoods",
            "priority_models",
            "other_schemes",
            "institutional_support",
            "start_date",
            "data_confidence",
        ]


# One integer per stakeholder category, named by the category's code (`state`, `residents`…).
AttendanceSerializer = type(
    "AttendanceSerializer",
    (serializers.Serializer,),
    {
        category.value: serializers.IntegerField(source=field, read_only=True, help_text=str(category.label))
        for category, field in ATTENDANCE_FIELDS.items()
    },
)


class MeetingSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    attendance = AttendanceSerializer(source="*", read_only=True)
    total_attendees = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "site",
            "kind",
            "title",
            "date",
            "start_time",
            "duration_minutes",
            "format",
            "minutes_status",
            "attendance",
            "total_attendees",
        ]


class ActionSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    theme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    partners = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    findings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    meeting = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "site",
            "title",
            "description",
            "theme",
            "status",
            "progress",
            "residents_reached",
            "start_date",
            "end_date",
            "outcomes",
            "partners",
            "findings",
            "meeting",
        ]


class FindingSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    theme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "site", "theme", "title", "description", "source", "date"]


class ReadingSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item_label = serializers.CharField(source="item.label", read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "site", "item", "item_label", "respondent_kind", "date", "score", "respondents"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "definition",
            "unit",
            "source",
            "periodicity",
            "default_objective",
            "is_active",
        ]


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "site", "period_start", "period_end", "value", "comment"]


class ReportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    network = serializers.SlugRelatedField(slug_field="code", read_only=True)
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationReport
        fields = [
            "id",
            "scope",
            "network",
            "site",
            "period_label",
            "period_start",
            "period_end",
            "status",
            "page_count",
            "requested_at",
            "finished_at",
            "download_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, report) -> str | None:
        if report.status != EvaluationReport.Status.DONE or not report.file:
            return None
        return reverse("api:report-download", args=[report.public_id], request=self.context.get("request"))


def _figure_field(name: str) -> serializers.Field:
    if name in ("civil_share", "steering_civil_share"):
        return serializers.FloatField(allow_null=True, read_only=True)
    return serializers.IntegerField(read_only=True)


# One row of the site table (evaluation.figures.multisite): the same figures as the national,
# network and « Mes sites » tables and their exports, read from the same place, never recomputed.
SiteFiguresSerializer = type(
    "SiteFiguresSerializer",
    (serializers.Serializer,),
    {
        "site": serializers.CharField(source="slug", read_only=True),
        "name": serializers.CharField(read_only=True),
        "network": serializers.CharField(source="network.code", read_only=True),
        "region": serializers.CharField(read_only=True),
        "fte": serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True),
        **{name: _figure_field(name) for name in FIGURES},
    },
)


class PeriodSerializer(serializers.Serializer):
    label = serializers.CharField(allow_null=True)
    first_quarter = serializers.DateField(allow_null=True)
    last_quarter = serializers.DateField(allow_null=True)


class FiguresSerializer(serializers.Serializer):
    period = PeriodSerializer()
    sites = SiteFiguresSerializer(many=True)
