"""The site's team: who has facilitated it (tenures, vacancies, turnover, configuration, the
history of every change) and the pages that record an arrival, a change of FTE, a departure."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atc.permissions import can_manage_site_team, get_object_for_site, log_refusal
from atc.views import form_page
from sites.access import get_site_for_user
from sites.models import FacilitatorAssignment
from sites.team.facilitation import facilitation_history, site_configuration
from sites.team.forms import ArrivalForm, DepartureForm, FteChangeForm
from sites.team.services import (
    assignment_arrive,
    assignment_change_fte,
    assignment_depart,
    team_changes,
)


def _get_site_for_team_manager(request, slug):
    """The site, for those who record its team (`can_manage_site_team`): 404 outside, 403 inside."""
    site = get_site_for_user(request, slug)
    if not can_manage_site_team(request.user, site):
        log_refusal(request, "read_only", site.pk)
        raise PermissionDenied("Lecture seule")
    return site


def facilitator_history(request, slug):
    """Who has facilitated the site: tenure, FTE, contract, vacancies, turnover, configuration."""
    site = get_site_for_user(request, slug)
    assignments = list(FacilitatorAssignment.objects.filter(site=site))
    today = timezone.localdate()
    history = facilitation_history(assignments, today)
    return render(
        request,
        "sites/people.html",
        {
            "site": site,
            "history": history,
            "departed": [t for t in history.tenures if t.assignment.end_date],
            "configuration": site_configuration(site, assignments, today),
            "changes": team_changes(site),
            "can_manage": can_manage_site_team(request.user, site),
        },
    )


def _team_form_page(request, site, form, *, save, saved, heading, current_label):
    return form_page(
        request,
        form,
        save=save,
        saved=saved,
        not_saved=_("Rien n'a été enregistré : corrigez les champs signalés."),
        heading=heading,
        parent_url=reverse("team:facilitator_history", args=[site.slug]),
        parent_label=_("Équipe de %(site)s") % {"site": site.name},
        current_label=current_label,
    )


def arrival_create(request, slug):
    site = _get_site_for_team_manager(request, slug)
    form = ArrivalForm(request.POST or None, instance=FacilitatorAssignment(site=site), site=site)

    def save():
        assignment_arrive(site=site, data=form.cleaned_data)
        return reverse("team:facilitator_history", args=[site.slug])

    heading = _("Enregistrer une arrivée")
    return _team_form_page(
        request,
        site,
        form,
        save=save,
        saved=_("Arrivée enregistrée."),
        heading=heading,
        current_label=heading,
    )


def fte_change(request, slug, pk):
    site = _get_site_for_team_manager(request, slug)
    assignment = get_object_for_site(request, FacilitatorAssignment.objects.all(), site, pk)
    form = FteChangeForm(request.POST or None, assignment=assignment)

    def save():
        assignment_change_fte(
            assignment=assignment, fte=form.cleaned_data["fte"], since=form.cleaned_data["since"]
        )
        return reverse("team:facilitator_history", args=[site.slug])

    heading = _("Changer le temps dédié de %(name)s") % {"name": assignment.person_name}
    return _team_form_page(
        request,
        site,
        form,
        save=save,
        saved=_("Nouveau temps dédié enregistré."),
        heading=heading,
        current_label=_("Temps dédié"),
    )


def departure(request, slug, pk):
    site = _get_site_for_team_manager(request, slug)
    assignment = get_object_for_site(request, FacilitatorAssignment.objects.all(), site, pk)
    initial = {
        "end_date": assignment.end_date,
        "reason": assignment.departure_reason,
        "details": assignment.departure_details,
        "handover_note": assignment.handover_note,
    }
    form = DepartureForm(request.POST or None, initial=initial, assignment=assignment)

    def save():
        assignment_depart(assignment=assignment, **form.cleaned_data)
        return reverse("team:facilitator_history", args=[site.slug])

    heading = _("Enregistrer le départ de %(name)s") % {"name": assignment.person_name}
    return _team_form_page(
        request,
        site,
        form,
        save=save,
        saved=_("Départ enregistré."),
        heading=heading,
        current_label=_("Départ"),
    )
