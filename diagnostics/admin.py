from django.contrib import admin

from atc.admin import HistoryAdmin
from diagnostics.models import Assessment, AssessmentItem, Diagnostic, Finding, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]


@admin.register(AssessmentItem)
class AssessmentItemAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "order"]


@admin.register(Diagnostic)
class DiagnosticAdmin(admin.ModelAdmin):
    list_display = ["title", "site", "date"]
    list_filter = ["site__network"]


@admin.register(Finding)
class FindingAdmin(HistoryAdmin):
    list_display = ["title", "site", "theme", "source", "date"]
    list_filter = ["theme", "source", "site__network"]
    search_fields = ["title", "site__name"]


@admin.register(Assessment)
class AssessmentAdmin(HistoryAdmin):
    list_display = ["site", "item", "respondent_kind", "date", "score"]
    list_filter = ["respondent_kind", "item", "site__network"]
