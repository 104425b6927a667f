from django.contrib import admin

from atc.admin import HistoryAdmin
from pilotage.models import (
    Action,
    ActionStatusChange,
    Attachment,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingParticipant,
)


class MemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "site", "is_active"]
    list_filter = ["kind", "site__network", "is_active"]
    search_fields = ["name", "site__name"]
    inlines = [MemberInline]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0


class ParticipantInline(admin.TabularInline):
    model = MeetingParticipant
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    list_display = ["title", "kind", "site", "date", "format", "minutes_status"]
    list_filter = ["kind", "format", "minutes_status", "site__network"]
    search_fields = ["title", "site__name"]
    date_hierarchy = "date"
    raw_id_fields = ["organisations"]
    inlines = [DecisionInline, ParticipantInline]


class StatusChangeInline(admin.TabularInline):
    model = ActionStatusChange
    extra = 0


@admin.register(Action)
class ActionAdmin(HistoryAdmin):
    list_display = ["title", "site", "theme", "status", "progress", "residents_reached"]
    list_filter = ["status", "theme", "site__network"]
    search_fields = ["title", "site__name"]
    raw_id_fields = ["partners", "findings", "meeting", "decision"]
    inlines = [StatusChangeInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "site", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    readonly_fields = ["file", "content_type", "size", "uploaded_by", "uploaded_at"]
