from django.contrib import admin

from atc.admin import HistoryAdmin
from evaluation.models import (
    EvaluationReport,
    Indicator,
    IndicatorObjective,
    IndicatorValue,
    LogbookEntry,
    ReportLinkUse,
    ReportSchedule,
    Survey,
    SurveyRecipient,
)


@admin.register(LogbookEntry)
class LogbookEntryAdmin(HistoryAdmin):
    list_display = ["site", "kind", "period_start", "period_end", "author"]
    list_filter = ["kind", "site__network", "site"]


class ObjectiveInline(admin.TabularInline):
    model = IndicatorObjective
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "unit", "periodicity", "is_active"]
    list_filter = ["source", "periodicity", "is_active"]
    inlines = [ObjectiveInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "site", "period_start", "period_end", "value"]
    list_filter = ["indicator", "site__network"]


class RecipientInline(admin.TabularInline):
    model = SurveyRecipient
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "sent_on", "closes_on"]
    inlines = [RecipientInline]


@admin.register(EvaluationReport)
class EvaluationReportAdmin(admin.ModelAdmin):
    """Issued reports are frozen: visible here, never edited."""

    list_display = ["__str__", "status", "requested_at", "finished_at", "page_count"]
    list_filter = ["status", "scope"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "scope", "periodicity", "is_active"]


@admin.register(ReportLinkUse)
class ReportLinkUseAdmin(admin.ModelAdmin):
    """The trace of the signed report links used: read only."""

    list_display = ["report", "recipient", "used_at"]
    date_hierarchy = "used_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
