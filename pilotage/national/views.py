"""The national monitoring committee's pages: members, meetings and national events.

Readable and editable by the national team only: network coordinators follow their own network's
sites; the committee's minutes are the national team's working documents.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from atc.permissions import log_refusal, require_national
from atc.views import form_page
from pilotage.models import Meeting
from pilotage.national.forms import NationalMeetingForm, NationalMemberForm
from pilotage.national.services import (
    national_committee,
    national_meeting_save,
    national_member_add,
)

NATIONAL_MEETINGS = Q(site__isnull=True, kind__in=Meeting.NATIONAL_KINDS)


def national_home(request):
    require_national(request)
    committee = national_committee()
    meetings = Meeting.objects.filter(NATIONAL_MEETINGS).order_by("-date", "-id")
    return render(
        request,
        "national/national_home.html",
        {
            "committee": committee,
            "members": committee.members.order_by("category", "organisation_name") if committee else [],
            "committee_meetings": [m for m in meetings if m.kind == Meeting.Kind.NATIONAL_COMMITTEE],
            "events": [m for m in meetings if m.kind == Meeting.Kind.NATIONAL_EVENT],
        },
    )


def national_member_create(request):
    require_national(request)
    form = NationalMemberForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            national_member_add(data=form.cleaned_data)
            messages.success(request, _("Membre ajouté au comité de suivi national."))
            return redirect("national:national_home")
        messages.error(request, _("Le membre n'a pas été ajouté : corrigez les erreurs."))
    return render(request, "national/member_form.html", {"form": form})


def _get_meeting(request, pk) -> Meeting:
    meeting = Meeting.objects.filter(NATIONAL_MEETINGS, pk=pk).first()
    if meeting is None:
        log_refusal(request, "out_of_scope", pk)
        raise Http404("Réunion nationale introuvable")
    return meeting


def _meeting_form_page(request, meeting):
    form = NationalMeetingForm(request.POST or None, instance=meeting)
    heading = _("Modifier la réunion nationale") if meeting.pk else _("Nouvelle réunion nationale")

    def save():
        saved = national_meeting_save(data=form.cleaned_data, user=request.user, meeting=meeting)
        return reverse("national:national_meeting_detail", args=[saved.pk])

    return form_page(
        request,
        form,
        save=save,
        saved=_("Réunion nationale enregistrée."),
        not_saved=_("La réunion n'a pas été enregistrée : corrigez les erreurs."),
        heading=heading,
        parent_url=reverse("national:national_home"),
        parent_label=_("Comité de suivi national"),
        current_label=meeting.title if meeting.pk else heading,
    )


def national_meeting_create(request):
    require_national(request)
    kind = request.GET.get("type", Meeting.Kind.NATIONAL_COMMITTEE)
    if kind not in Meeting.NATIONAL_KINDS:
        kind = Meeting.Kind.NATIONAL_COMMITTEE
    return _meeting_form_page(request, Meeting(site=None, kind=kind))


def national_meeting_edit(request, pk):
    require_national(request)
    return _meeting_form_page(request, _get_meeting(request, pk))


def national_meeting_detail(request, pk):
    require_national(request)
    meeting = _get_meeting(request, pk)
    return render(request, "national/meeting_detail.html", {"meeting": meeting})
