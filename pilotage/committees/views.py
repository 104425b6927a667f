"""A site's committees (steering committee, working groups, project teams): the list, each
committee's seats and composition over time, and the pages that create and change them."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atc.permissions import can_write_site, get_object_for_site, log_refusal
from atc.views import form_page
from pilotage.committees.composition import composition_over_time
from pilotage.committees.forms import CommitteeForm, SeatEndForm, SeatForm
from pilotage.committees.services import committee_save, seat_end, seat_save
from pilotage.models import Committee, CommitteeMember
from sites.access import get_site_for_user
from sites.models import OrganisationCategory


def _get_seat(request, committee, seat_pk) -> CommitteeMember:
    """A seat of this committee, or a 404 (never another committee's seat)."""
    seat = committee.members.filter(pk=seat_pk).first()
    if seat is None:
        log_refusal(request, "out_of_scope", seat_pk)
        raise Http404("Siège introuvable")
    return seat


def committee_list(request, slug):
    """The site's committees with the seats held today."""
    site = get_site_for_user(request, slug)
    today = timezone.localdate()
    held = Prefetch("members", queryset=CommitteeMember.objects.held_on(today), to_attr="held_seats")
    committees = Committee.objects.filter(site=site).prefetch_related(held)
    return render(
        request,
        "committees/committee_list.html",
        {"site": site, "committees": list(committees), "can_write": can_write_site(request.user, site)},
    )


def committee_detail(request, slug, pk):
    """One committee: its seats (held, ended, to come) and its composition by category over time."""
    site = get_site_for_user(request, slug)
    committee = get_object_for_site(request, Committee.objects.all(), site, pk)
    today = timezone.localdate()
    order = {value: i for i, value in enumerate(OrganisationCategory.values)}
    seats = sorted(
        committee.members.select_related("organisation"),
        key=lambda s: (order.get(s.category, len(order)), str(s).casefold(), s.pk),
    )
    return render(
        request,
        "committees/committee_detail.html",
        {
            "site": site,
            "committee": committee,
            "held": [s for s in seats if s.held_on(today)],
            "ended": [s for s in seats if s.end_date is not None and s.end_date < today],
            "coming": [s for s in seats if s.start_date is not None and s.start_date > today],
            "composition": composition_over_time(seats, today),
            "can_write": can_write_site(request.user, site),
        },
    )


def _committee_form_page(request, site, committee):
    form = CommitteeForm(request.POST or None, instance=committee)
    heading = _("Modifier l'instance") if committee.pk else _("Nouvelle instance")

    def save():
        saved = committee_save(site=site, data=form.cleaned_data, committee=committee)
        return reverse("committees:committee_detail", args=[site.slug, saved.pk])

    return form_page(
        request,
        form,
        save=save,
        saved=_("Instance enregistrée."),
        not_saved=_("L'instance n'a pas été enregistrée : corrigez les champs signalés."),
        heading=heading,
        parent_url=reverse("committees:committee_list", args=[site.slug]),
        parent_label=_("Instances de %(site)s") % {"site": site.name},
        current_label=committee.name if committee.pk else heading,
    )


def committee_create(request, slug):
    site = get_site_for_user(request, slug, write=True)
    kind = request.GET.get("type", Committee.Kind.STEERING)
    if kind not in Committee.Kind.values or kind == Committee.Kind.NATIONAL:
        kind = Committee.Kind.STEERING
    return _committee_form_page(request, site, Committee(site=site, kind=kind))


def committee_edit(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    committee = get_object_for_site(request, Committee.objects.all(), site, pk)
    return _committee_form_page(request, site, committee)


def _seat_form_page(request, site, committee, seat):
    form = SeatForm(request.POST or None, instance=seat, site=site)
    heading = _("Modifier un siège") if seat.pk else _("Ajouter un siège")

    def save():
        seat_save(committee=committee, data=form.cleaned_data, seat=seat)
        return reverse("committees:committee_detail", args=[site.slug, committee.pk])

    return form_page(
        request,
        form,
        save=save,
        saved=_("Siège enregistré."),
        not_saved=_("Le siège n'a pas été enregistré : corrigez les champs signalés."),
        heading=f"{heading} — {committee.name}",
        parent_url=reverse("committees:committee_detail", args=[site.slug, committee.pk]),
        parent_label=committee.name,
        current_label=heading,
    )


def seat_create(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    committee = get_object_for_site(request, Committee.objects.all(), site, pk)
    return _seat_form_page(request, site, committee, CommitteeMember(committee=committee))


def seat_edit(request, slug, pk, seat_pk):
    site = get_site_for_user(request, slug, write=True)
    committee = get_object_for_site(request, Committee.objects.all(), site, pk)
    return _seat_form_page(request, site, committee, _get_seat(request, committee, seat_pk))


def seat_end_view(request, slug, pk, seat_pk):
    """End a seat: it stays in the committee's history and in past attendance."""
    site = get_site_for_user(request, slug, write=True)
    committee = get_object_for_site(request, Committee.objects.all(), site, pk)
    seat = _get_seat(request, committee, seat_pk)
    form = SeatEndForm(request.POST or None, seat=seat, initial={"end_date": timezone.localdate()})

    def save():
        seat_end(seat=seat, end_date=form.cleaned_data["end_date"])
        return reverse("committees:committee_detail", args=[site.slug, committee.pk])

    return form_page(
        request,
        form,
        save=save,
        saved=_("Siège terminé ; il reste dans l'historique de l'instance."),
        not_saved=_("Le siège n'a pas été terminé : corrigez la date."),
        heading=_("Mettre fin au siège de %(seat)s") % {"seat": seat},
        parent_url=reverse("committees:committee_detail", args=[site.slug, committee.pk]),
        parent_label=committee.name,
        current_label=_("Fin du siège"),
    )
