import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from atc.concurrency import StaleVersion
from atc.permissions import can_write_site, get_object_for_site
from diagnostics import services
from diagnostics.forms import AssessmentEntryForm, FindingForm
from diagnostics.models import Assessment, AssessmentItem, Finding
from sites.access import get_site_for_user


def finding_list(request, slug):
    """The shared diagnostic: the site's findings grouped by theme, with their source. Kept under
    the families of records it shows (`{% figurecache %}` in the template): the groups are read only when
    it is rendered afresh."""
    site = get_site_for_user(request, slug)
    return render(
        request,
        "diagnostics/finding_list.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "groups": SimpleLazyObject(lambda: services.findings_by_theme(site=site)),
        },
    )


def _finding_form_page(request, site, finding):
    form = FindingForm(request.POST if request.method == "POST" else None, instance=finding, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.finding_save(
                finding=form.save(commit=False), version=form.cleaned_data["version"]
            )
        except StaleVersion as error:
            form.refuse_stale(error)
        else:
            messages.success(request, _("Constat « %(title)s » enregistré.") % {"title": saved.title})
            return redirect("diagnostics:finding_list", slug=site.slug)
    return render(request, "diagnostics/finding_form.html", {"site": site, "form": form, "finding": finding})


def finding_create(request, slug):
    site = get_site_for_user(request, slug, write=True)
    return _finding_form_page(request, site, Finding(site=site, created_by=request.user))


def finding_update(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    finding = get_object_for_site(request, Finding.objects.all(), site, pk)
    return _finding_form_page(request, site, finding)


def assessment_overview(request, slug):
    """Latest readings compared by respondent kind, their gap, and the change over time."""
    site = get_site_for_user(request, slug)
    report = services.assessment_report(site=site, change_kind=request.GET.get("qui", ""))
    if request.htmx:
        return render(request, "diagnostics/_change.html", {"report": report})
    return render(
        request,
        "diagnostics/assessment_overview.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "report": report,
            "kinds": Assessment.RespondentKind.choices,
        },
    )


def _initial_reading(site, request) -> dict:
    """Prefill the form with an existing reading named by ?date=AAAA-MM-JJ&qui=<kind>."""
    kind = request.GET.get("qui", "")
    try:
        date = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return {"date": timezone.localdate()}
    if kind not in Assessment.RespondentKind.values:
        return {"date": date}
    initial = {"date": date, "respondent_kind": kind}
    for reading in Assessment.objects.filter(site=site, date=date, respondent_kind=kind):
        initial[f"item_{reading.item_id}"] = reading.score
        initial["respondents"] = reading.respondents
    return initial


def assessment_entry(request, slug):
    """Enter one respondent kind's notes of every item for one date, atomically."""
    site = get_site_for_user(request, slug, write=True)
    items = list(AssessmentItem.objects.all())
    form = AssessmentEntryForm(
        request.POST if request.method == "POST" else None,
        items=items,
        initial=_initial_reading(site, request),
    )
    if request.method == "POST" and form.is_valid():
        kept = services.assessment_record(
            site=site,
            user=request.user,
            date=form.cleaned_data["date"],
            respondent_kind=form.cleaned_data["respondent_kind"],
            respondents=form.cleaned_data["respondents"],
            scores=form.scores(),
        )
        messages.success(request, _("Lecture enregistrée : %(n)s note(s).") % {"n": kept})
        return redirect("diagnostics:assessment_overview", slug=site.slug)
    return render(
        request,
        "diagnostics/assessment_entry.html",
        {"site": site, "form": form},
    )


def coverage(request, slug):
    """Findings that no action answers yet, and the share of those that have one.

    Kept under the families of records it shows (`{% figurecache %}` in the template); what it reads is
    lazy, so a kept read runs no query of its own."""
    site = get_site_for_user(request, slug)
    return render(
        request,
        "diagnostics/coverage.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "coverage": SimpleLazyObject(lambda: _coverage(site)),
        },
    )


def _coverage(site) -> dict:
    total = Finding.objects.filter(site=site).count()
    groups = services.findings_by_theme(site=site, uncovered_only=True)
    uncovered = sum(len(group.findings) for group in groups)
    chart = services.coverage_chart(covered=total - uncovered, uncovered=uncovered)
    return {"groups": groups, "total": total, "chart": chart}
