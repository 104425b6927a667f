"""Admin of people and roles; the admin's sign-in goes through allauth (rate limits and TOTP)."""

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from atc import account_services
from atc.forms import RoleAdminForm
from atc.models import Role, User
from atc.permissions import log_refusal


class HistoryAdmin(SimpleHistoryAdmin):
    """simple_history's admin, answering 404 to a history address whose ids are not ids: its
    views hand the typed id to the database, and `…/abc/history/` answered 500."""

    def _require_ids(self, object_id, version_id=None):
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                self.model.history.model._meta.pk.to_python(version_id)
        except ValidationError as exc:
            raise Http404(_("Cette fiche n'existe pas.")) from exc

    def history_view(self, request, object_id, extra_context=None):
        self._require_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_ids(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@login_not_required
def admin_login(request, extra_context=None):
    """Django's own admin sign-in form would bypass allauth's rate limits and two-factor step:
    send people to allauth's sign-in page instead, coming back to the admin afterwards."""
    if request.user.is_authenticated:
        # Signed in but not staff: allauth would send them straight back here, in a loop.
        log_refusal(request, "not_staff")
        raise PermissionDenied("Réservé à l'administration")
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    return redirect_to_login(next_url or reverse("admin:index"), login_url=reverse("account_login"))


admin.site.login = admin_login


class RoleInline(admin.TabularInline):
    model = Role
    form = RoleAdminForm
    extra = 0
    filter_horizontal = ["sites"]
    fields = ["kind", "sites", "network", "start_date", "end_date"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People sign in with their email; a new account gets an invitation to choose a password."""

    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "roles__kind"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [RoleInline]
    actions = ["send_invitation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name"]}),
        (
            _("Droits"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name"],
                "description": _(
                    "Le compte est créé sans mot de passe ; la personne reçoit par e-mail un lien "
                    "pour choisir le sien. Ajoutez ses rôles ci-dessous."
                ),
            },
        ),
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = admin.ModelAdmin.form
            kwargs["fields"] = ["email", "first_name", "last_name"]
            return admin.ModelAdmin.get_form(self, request, obj, **kwargs)
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.email = obj.email.strip().lower()
        obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        transaction.on_commit(lambda: account_services.invitation_send(request=request, user=obj))

    @admin.action(description=_("Envoyer une invitation (lien pour choisir un mot de passe)"))
    def send_invitation(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            account_services.invitation_send(request=request, user=user)
        self.message_user(
            request,
            _("%(count)d invitation(s) envoyée(s).") % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleAdminForm
    list_display = ["user", "kind", "network", "start_date", "end_date"]
    list_filter = ["kind", "network", "sites", "end_date"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["sites"]
    date_hierarchy = "start_date"
    list_select_related = ["user", "network"]

    def get_fields(self, request, obj=None):
        return ["user", *RoleAdminForm.Meta.fields]
