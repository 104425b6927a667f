from django.contrib import admin

from atc.admin import HistoryAdmin
from sites.models import (
    ContextEvent,
    FacilitatorAssignment,
    HostOrganisation,
    Neighbourhood,
    Network,
    PartnerOrganisation,
    PriorityModel,
    ReviewComment,
    Scheme,
    Site,
)


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "code"]


@admin.register(HostOrganisation)
class HostOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "network", "city"]
    list_filter = ["network", "kind"]
    search_fields = ["name", "city"]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "code_2015", "code_2024"]
    search_fields = ["name", "code_2015", "code_2024"]


class FacilitatorInline(admin.TabularInline):
    model = FacilitatorAssignment
    extra = 0
    fields = ["person_name", "position", "fte", "contract_type", "start_date", "end_date", "user"]
    autocomplete_fields = ["user"]


@admin.register(Site)
class SiteAdmin(HistoryAdmin):
    """Reference data stays correctable here; its confidence is shown on every row."""

    list_display = ["name", "network", "departement_code", "region", "data_confidence"]
    list_filter = ["network", "data_confidence", "region", "institutional_support"]
    search_fields = ["name", "city", "neighbourhoods__code_2015", "neighbourhoods__code_2024"]
    prepopulated_fields = {"slug": ["city"]}
    filter_horizontal = ["neighbourhoods", "priority_models", "other_schemes"]
    inlines = [FacilitatorInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "network", "host", "neighbourhoods", "neighbourhood_label"]}),
        (
            "Territoire",
            {
                "fields": [
                    "city",
                    "insee_code",
                    "departement_code",
                    "departement_name",
                    "region",
                    "latitude",
                    "longitude",
                    "time_zone",
                ]
            },
        ),
        (
            "Expérimentation",
            {
                "fields": [
                    "start_date",
                    "priority_models",
                    "institutional_support",
                    "configuration_override",
                    "other_schemes",
                ]
            },
        ),
        ("Fiabilité des données", {"fields": ["data_confidence", "data_notes", "data_sources"]}),
    ]


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "site"]
    list_filter = ["category", "site__network", "site"]
    search_fields = ["name"]


@admin.register(FacilitatorAssignment)
class FacilitatorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person_name", "site", "position", "fte", "contract_type", "start_date", "end_date"]
    list_filter = ["site__network", "contract_type", "position"]
    search_fields = ["person_name", "site__name"]


@admin.register(ContextEvent)
class ContextEventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "site", "start_date", "end_date"]
    list_filter = ["kind"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ["site", "author", "created_at", "handled_at"]
    list_filter = ["site"]


admin.site.register(PriorityModel)
admin.site.register(Scheme)
