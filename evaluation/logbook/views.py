from itertools import groupby

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from atc import bounds
from atc.concurrency import StaleVersion
from atc.periods import quarter_label, quarter_of
from atc.permissions import can_write_site, get_object_for_site
from atc.queries import link_count
from evaluation.logbook import services
from evaluation.logbook.forms import LogbookEntryForm
from evaluation.models import LogbookEntry
from evaluation.surveys import services as survey_services
from sites.access import get_site_for_user


def _periods(site, year: str, kind: str) -> list[tuple[str, list[LogbookEntry]]]:
    """The site's entries (filtered by `year` and `kind` when given), grouped by quarter."""
    entries = (
        LogbookEntry.objects.filter(site=site)
        .select_related("author")
        .annotate(
            meeting_count=link_count(LogbookEntry.meetings.through, "logbookentry"),
            action_count=link_count(LogbookEntry.actions.through, "logbookentry"),
        )
        .order_by("-period_end", "-period_start", "-id")
    )
    if year:
        entries = entries.filter(period_end__year=int(year))
    if kind:
        entries = entries.filter(kind=kind)
    return [
        (label, list(rows))
        for label, rows in groupby(entries, key=lambda e: quarter_label(quarter_of(e.period_end)))
    ]


def logbook_list(request, slug):
    """The site's logbook, newest period first, grouped by quarter; filter by year and type."""
    site = get_site_for_user(request, slug)
    year, kind = request.GET.get("annee", ""), request.GET.get("type", "")
    if year and bounds.parse_year(year) is None:
        raise BadRequest(bounds.RANGES["date"].message)
    if kind not in LogbookEntry.Kind.values:
        kind = ""
    quarter = services.last_finished_quarter()
    years = LogbookEntry.objects.filter(site=site).dates("period_end", "year", order="DESC")
    # The entries, the years and the missing quarter are read only when the part of the page
    # kept under the families of records it shows is missing.
    return render(
        request,
        "evaluation/logbook_list.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "periods": SimpleLazyObject(lambda: _periods(site, year, kind)),
            "years": SimpleLazyObject(lambda: [day.year for day in years]),
            "year": year,
            "kind": kind,
            "kinds": LogbookEntry.Kind.choices,
            "quarter": quarter,
            "quarter_missing": SimpleLazyObject(lambda: not services.has_period_entry(site, quarter)),
            "questionnaires": survey_services.logbook_campaigns_open(site=site, user=request.user),
        },
    )


def logbook_detail(request, slug, pk):
    """One entry, kept under the families of records it shows (`{% figurecache %}` in the template): its
    linked meetings and actions are read only when it is rendered afresh."""
    site = get_site_for_user(request, slug)
    entry = get_object_for_site(request, LogbookEntry.objects.select_related("author"), site, pk)
    return render(
        request,
        "evaluation/logbook_detail.html",
        {
            "site": site,
            "entry": entry,
            "can_write": can_write_site(request.user, site),
            "meetings": entry.meetings.order_by("-date"),
            "actions": entry.actions.order_by("title"),
        },
    )


def _logbook_form_page(request, site, entry):
    form = LogbookEntryForm(request.POST if request.method == "POST" else None, instance=entry, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.logbook_entry_save(
                entry=form.save(commit=False),
                meetings=form.cleaned_data["meetings"],
                actions=form.cleaned_data["actions"],
                version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            form.refuse_stale(error)
        else:
            messages.success(request, _("Entrée du carnet de bord enregistrée."))
            return redirect("evaluation:logbook_detail", slug=site.slug, pk=saved.pk)
    return render(request, "evaluation/logbook_form.html", {"site": site, "form": form, "entry": entry})


def logbook_create(request, slug):
    """A new entry; its period defaults to the last finished quarter."""
    site = get_site_for_user(request, slug, write=True)
    quarter = services.last_finished_quarter()
    entry = LogbookEntry(site=site, author=request.user, period_start=quarter.start, period_end=quarter.end)
    return _logbook_form_page(request, site, entry)


def logbook_update(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    entry = get_object_for_site(request, LogbookEntry.objects.all(), site, pk)
    return _logbook_form_page(request, site, entry)
