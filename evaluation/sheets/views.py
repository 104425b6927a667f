"""Experience sheets inside the platform: the national library, a sheet's page and its two-page
PDF, and the steps of its life (draft, review, publication) — each a service call."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atc.permissions import (
    can_publish_site_content,
    can_review_sheet,
    can_write_site,
    get_object_for_site,
    log_refusal,
    require_sheet_reader,
)
from evaluation.models import ExperienceSheet
from evaluation.reports.pdf import RenderError
from evaluation.sheets import services
from evaluation.sheets.forms import LibraryFilterForm, SheetForm
from pilotage.models import Action
from sites.access import get_site_for_user

SHEETS = ExperienceSheet.objects.select_related("site", "site__network", "theme")


@require_GET
def library(request):
    """Every published sheet, and the sheets of one's own sites, filtered."""
    require_sheet_reader(request)
    filters = LibraryFilterForm(request.GET or None)
    sheets = filters.apply(SHEETS.for_library(request.user)).order_by("title", "pk")
    return render(request, "sheets/library.html", {"filters": filters, "sheets": sheets[:200]})


def _form(request, site, form, sheet=None):
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.EDITABLE}
        saved = services.sheet_save(
            site=site, user=request.user, data=data, actions=list(form.cleaned_data["actions"]), sheet=sheet
        )
        messages.success(request, _("Fiche enregistrée (brouillon)."))
        return redirect("sheets:detail", site.slug, saved.pk)
    if request.method == "POST":
        messages.error(request, _("Rien n'a été enregistré : corrigez les champs signalés."))
    return render(request, "sheets/form.html", {"site": site, "form": form, "sheet": sheet})


@require_http_methods(["GET", "POST"])
def create(request, slug, pk):
    """A new sheet, started from an action of the site."""
    site = get_site_for_user(request, slug, write=True)
    action = get_object_for_site(request, Action.objects.prefetch_related("partners", "claims"), site, pk)
    initial = {**services.draft_from_action(action), "actions": [action.pk]}
    return _form(request, site, SheetForm(request.POST or None, site=site, initial=initial))


@require_http_methods(["GET", "POST"])
def edit(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    sheet = get_object_for_site(request, ExperienceSheet.objects.all(), site, pk)
    return _form(request, site, SheetForm(request.POST or None, site=site, instance=sheet), sheet)


@require_GET
def detail(request, slug, pk):
    site = get_site_for_user(request, slug)
    sheet = get_object_for_site(request, SHEETS.prefetch_related("actions"), site, pk)
    return render(
        request,
        "sheets/detail.html",
        {
            "site": site,
            "sheet": sheet,
            "can_write": can_write_site(request.user, site),
            "can_review": can_review_sheet(request.user, site),
            "can_publish": can_publish_site_content(request.user, site),
        },
    )


@require_GET
def pdf(request, slug, pk):
    """The sheet on two A4 pages."""
    site = get_site_for_user(request, slug)
    sheet = get_object_for_site(request, SHEETS, site, pk)
    try:
        data = services.sheet_pdf(sheet=sheet)
    except RenderError as exc:
        messages.error(
            request,
            _("La fiche n'a pas pu être mise en PDF : %(reason)s. Réessayez plus tard.") % {"reason": exc},
        )
        return redirect("sheets:detail", site.slug, sheet.pk)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="fiche-{slugify(sheet.title)[:60] or sheet.pk}.pdf"'
    )
    return response


def _step(request, slug, pk, step, allowed, done: str):
    site = get_site_for_user(request, slug)
    sheet = get_object_for_site(request, ExperienceSheet.objects.select_related("site"), site, pk)
    if not allowed(request.user, site):
        log_refusal(request, "sheet_step", sheet.pk)
        raise PermissionDenied(_("Cette étape ne vous revient pas."))
    try:
        step(sheet=sheet, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("sheets:detail", site.slug, sheet.pk)


@require_POST
def submit(request, slug, pk):
    return _step(
        request,
        slug,
        pk,
        lambda sheet, user: services.sheet_submit(sheet=sheet),
        can_write_site,
        _("Fiche envoyée en relecture à la direction de la structure porteuse."),
    )


@require_POST
def review(request, slug, pk):
    return _step(
        request, slug, pk, services.sheet_review, can_review_sheet, _("Fiche relue : elle peut être publiée.")
    )


@require_POST
def publish(request, slug, pk):
    return _step(
        request,
        slug,
        pk,
        services.sheet_publish,
        can_publish_site_content,
        _("Fiche publiée sur la vitrine."),
    )


@require_POST
def unpublish(request, slug, pk):
    return _step(
        request,
        slug,
        pk,
        lambda sheet, user: services.sheet_unpublish(sheet=sheet),
        can_publish_site_content,
        _("Fiche retirée de la vitrine."),
    )
