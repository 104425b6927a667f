"""Account management by the national team: people, their roles, invitations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atc import account_services
from atc.models import Role, User
from atc.permissions import log_refusal, require_account_manager
from sites.people.forms import InviteForm, RoleScopeForm


def _roles_prefetch():
    return Prefetch(
        "roles",
        queryset=Role.objects.select_related("network")
        .prefetch_related("sites")
        .order_by("-start_date", "kind"),
    )


def _restrict_kinds(request, form):
    """Only platform administrators may make other administrators."""
    if not request.user.is_superuser:
        form.fields["kind"].choices = [choice for choice in Role.Kind.choices if choice[0] != Role.Kind.ADMIN]
    return form


def _get_person(request, pk):
    person = User.objects.prefetch_related(_roles_prefetch()).filter(pk=pk).first()
    if person is None:
        log_refusal(request, "not_found", pk)
        raise Http404("Personne introuvable")
    return person


def people(request):
    """Everyone with an account, their current roles and how many have ended."""
    require_account_manager(request)
    persons = list(
        User.objects.prefetch_related(_roles_prefetch()).order_by("last_name", "first_name", "email")
    )
    today = timezone.localdate()
    for person in persons:
        person.current_roles = [r for r in person.roles.all() if r.is_current(today)]
        person.ended_count = sum(1 for r in person.roles.all() if r.has_ended(today))
    return render(request, "atc/people.html", {"persons": persons})


def person_invite(request):
    """Create an account with its first role and email the person a link to choose a password."""
    require_account_manager(request)
    form = _restrict_kinds(request, InviteForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        person = account_services.person_invite(request=request, **form.cleaned_data)
        messages.success(
            request,
            _("Compte créé : une invitation a été envoyée à %(email)s.") % {"email": person.email},
        )
        return redirect("person_detail", pk=person.pk)
    return render(request, "atc/person_invite.html", {"form": form})


def person_detail(request, pk):
    """One person: current roles, ended roles (tenure history), and a form to add a role."""
    require_account_manager(request)
    person = _get_person(request, pk)
    form = _restrict_kinds(request, RoleScopeForm())
    return render(request, "atc/person_detail.html", _person_context(person, form))


def person_role_add(request, pk):
    """Give the person one more role (GET shows the form alone, POST saves it)."""
    require_account_manager(request)
    person = _get_person(request, pk)
    form = _restrict_kinds(request, RoleScopeForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        role = account_services.role_add(user=person, **form.cleaned_data)
        messages.success(request, _("Rôle ajouté : %(role)s.") % {"role": role.get_kind_display()})
        return redirect("person_detail", pk=person.pk)
    return render(request, "atc/person_detail.html", _person_context(person, form))


@require_POST
def role_end(request, pk):
    """End a role today; the person keeps their account and their other roles."""
    require_account_manager(request)
    role = Role.objects.filter(pk=pk).first()
    if role is None:
        log_refusal(request, "not_found", pk)
        raise Http404("Rôle introuvable")
    if role.kind == Role.Kind.ADMIN and not request.user.is_superuser:
        log_refusal(request, "admin_role", pk)
        raise PermissionDenied("Réservé à l'administration")
    account_services.role_end(role=role)
    messages.success(request, _("Le rôle « %(role)s » a pris fin.") % {"role": role.get_kind_display()})
    return redirect("person_detail", pk=role.user_id)


def _person_context(person, form):
    today = timezone.localdate()
    roles = list(person.roles.all())
    return {
        "person": person,
        "current_roles": [r for r in roles if r.is_current(today)],
        "upcoming_roles": [r for r in roles if r.start_date > today],
        "ended_roles": [r for r in roles if r.has_ended(today)],
        "form": form,
    }
