from django.contrib import admin

from atc.admin import HistoryAdmin
from evaluation.models import (
    Campaign,
    EvaluationReport,
    Indicator,
    IndicatorObjective,
    IndicatorValue,
    LogbookEntry,
    Questionnaire,
    ReportLinkUse,
    ReportSchedule,
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


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Questionnaires are built on their own pages (« Questionnaires »); listed here for reference."""

    list_display = ["title", "version", "template", "locked_at"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns, their recipients and links are managed on the campaign page, never here (a
    recipient's link exists only as a hash)."""

    list_display = ["title", "opens_on", "closes_on", "anonymous"]

    def has_change_permission(self, request, obj=None):
        return False


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
