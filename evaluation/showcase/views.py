"""The public showcase (« vitrine »): pages anyone may read without an account (opted out of
LoginRequiredMiddleware), rendered without the request so they hold nothing about the reader, and
cached under the showcase version (services.current_version) that every publication and
unpublication bumps. The site team's page to prepare its public page, and the publishers' buttons,
are here too."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atc.cache import get_or_compute, versioned_key
from atc.permissions import can_publish_site_content, can_write_site, log_refusal
from evaluation.models import ShowcaseFile, SiteShowcase
from evaluation.sheets.forms import LibraryFilterForm
from evaluation.showcase import services
from evaluation.showcase.forms import ShowcaseFileForm, ShowcaseForm
from pilotage.uploads import safe_download_name
from sites.access import get_site_for_user
from sites.francemap import MapPoint, france_map

# A cached page stands for "not published" with this empty value (None would be computed again).
NOT_PUBLISHED = ""


def _public(key_parts, compute) -> HttpResponse:
    """The page cached under the current showcase version; 404 when `compute` finds nothing public."""
    key = versioned_key("showcase", services.current_version(), *key_parts)
    html = get_or_compute(key, compute, services.CACHE_SECONDS)
    if html == NOT_PUBLISHED:
        raise Http404(_("Page non publiée"))
    response = HttpResponse(html)
    # Browsers and proxies ask again every time: an unpublished page must not outlive its removal.
    response["Cache-Control"] = "no-cache"
    return response


def _sites_map(sites):
    """The map of the sites with a public page; the list under it carries the links (a link inside
    the map's image would be a control nested in a picture)."""
    return france_map(
        title=_("Carte des sites de la vitrine"),
        points=MapPoint.of_sites(sites),
    )


@login_not_required
@require_GET
def programme(request):
    """The programme: what ATC is, the sites that opted in (on a map), the latest sheets."""

    def compute():
        data = services.programme()
        return render_to_string(
            "showcase/programme.html",
            {"programme": data, "map": _sites_map(data.sites) if data.sites else None},
        )

    return _public(("programme",), compute)


@login_not_required
@require_GET
def site(request, slug):
    def compute():
        found = services.published_sites().filter(slug=slug).first()
        if found is None:
            return NOT_PUBLISHED
        achievements = found.showcase.achievements.select_related("theme").order_by("title")
        sheets = services.published_sheets().filter(site=found).order_by("title")
        files = found.showcase.files.public().select_related("attachment__action")
        return render_to_string(
            "showcase/site.html",
            {"site": found, "achievements": achievements, "sheets": sheets, "files": files},
        )

    return _public(("site", slug), compute)


@login_not_required
@require_GET
def sheets(request):
    filters = LibraryFilterForm(request.GET or None)
    # The filters' text is hashed into the key: whatever is typed, the key stays short.
    query = hashlib.sha256(filters.data.urlencode().encode()).hexdigest()[:20] if filters.is_bound else ""

    def compute():
        found = filters.apply(services.published_sheets()).order_by("title", "pk")
        return render_to_string("showcase/sheets.html", {"filters": filters, "sheets": found[:200]})

    return _public(("sheets", query), compute)


@login_not_required
@require_GET
def sheet(request, pk):
    def compute():
        found = services.published_sheets().filter(pk=pk).first()
        if found is None:
            return NOT_PUBLISHED
        published_site = services.published_sites().filter(pk=found.site_id).exists()
        return render_to_string("showcase/sheet.html", {"sheet": found, "site_public": published_site})

    return _public(("sheet", pk), compute)


@login_not_required
@require_GET
def public_file(request, slug, pk):
    """A photo or document of a published page, read from the database on every request (never
    cached): once the page or the file is withdrawn, the next request gets 404."""
    chosen = (
        ShowcaseFile.objects.public()
        .filter(showcase__site__slug=slug, attachment_id=pk)
        .select_related("attachment")
        .first()
    )
    if chosen is None:
        raise Http404(_("Fichier non publié"))
    try:
        handle = chosen.public_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Fichier introuvable")) from exc
    response = FileResponse(
        handle,
        as_attachment=not chosen.is_image,
        filename=safe_download_name(chosen.attachment.original_name),
        content_type=chosen.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def robots(request):
    """Search engines may index the showcase and the open data, nothing else."""
    lines = [
        "User-agent: *",
        f"Allow: {reverse('showcase:programme')}",
        f"Allow: {reverse('opendata:index')}",
        "Disallow: /",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# --- Preparing and publishing a site's public page (signed in) --------------------------------------


@require_GET
def manage(request, slug):
    site = get_site_for_user(request, slug)
    showcase = SiteShowcase.objects.filter(site=site).first()
    return render(
        request,
        "showcase/manage.html",
        {
            "site": site,
            "showcase": showcase,
            "achievements": showcase.achievements.order_by("title") if showcase else [],
            "files": showcase.files.select_related("attachment__action") if showcase else [],
            "can_write": can_write_site(request.user, site),
            "can_publish": can_publish_site_content(request.user, site),
        },
    )


@require_http_methods(["GET", "POST"])
def edit(request, slug):
    site = get_site_for_user(request, slug, write=True)
    showcase = SiteShowcase.objects.filter(site=site).first()
    form = ShowcaseForm(request.POST or None, site=site, instance=showcase)
    if request.method == "POST" and form.is_valid():
        services.showcase_save(
            site=site,
            presentation=form.cleaned_data["presentation"],
            achievements=list(form.cleaned_data["achievements"]),
            name_consent=form.cleaned_data["name_consent"],
            note=form.cleaned_data["name_consent_note"],
        )
        messages.success(request, _("Page publique enregistrée ; elle sera en ligne une fois publiée."))
        return redirect("showcase:manage", site.slug)
    if request.method == "POST":
        messages.error(request, _("Rien n'a été enregistré : corrigez les champs signalés."))
    return render(request, "showcase/edit.html", {"site": site, "form": form})


def _publisher_step(request, slug, step, done: str):
    site = get_site_for_user(request, slug)
    showcase = SiteShowcase.objects.filter(site=site).first()
    if not can_publish_site_content(request.user, site):
        log_refusal(request, "cannot_publish", site.pk)
        raise PermissionDenied(_("La tête de réseau ou l'équipe nationale publie les pages publiques."))
    if showcase is None:
        messages.error(request, _("Le site n'a pas encore préparé sa page publique."))
        return redirect("showcase:manage", site.slug)
    try:
        step(showcase, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("showcase:manage", site.slug)


@require_POST
def publish(request, slug):
    return _publisher_step(
        request,
        slug,
        lambda showcase, user: services.showcase_publish(showcase=showcase, user=user),
        _("Page publique en ligne."),
    )


@require_POST
def unpublish(request, slug):
    return _publisher_step(
        request,
        slug,
        lambda showcase, user: services.showcase_unpublish(showcase=showcase),
        _("Page publique retirée."),
    )


@require_http_methods(["GET", "POST"])
def file_add(request, slug):
    site = get_site_for_user(request, slug, write=True)
    showcase = SiteShowcase.objects.filter(site=site).first()
    if showcase is None:
        messages.error(
            request, _("Préparez d'abord la page publique, puis ajoutez-y des photos ou documents.")
        )
        return redirect("showcase:manage", site.slug)
    form = ShowcaseFileForm(request.POST or None, attachments=services.eligible_attachments(site))
    if request.method == "POST" and form.is_valid():
        try:
            services.showcase_file_add(
                showcase=showcase,
                attachment=form.cleaned_data["attachment"],
                description=form.cleaned_data["description"],
                people_consent=form.cleaned_data["people_consent"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Fichier ajouté ; il sera en ligne une fois la page publiée."))
            return redirect("showcase:manage", site.slug)
    if request.method == "POST":
        messages.error(request, _("Rien n'a été enregistré : corrigez les champs signalés."))
    return render(request, "showcase/file_form.html", {"site": site, "form": form})


@require_POST
def file_remove(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    chosen = get_object_or_404(ShowcaseFile, showcase__site=site, pk=pk)
    services.showcase_file_remove(showcase_file=chosen)
    messages.success(request, _("Fichier retiré de la page publique."))
    return redirect("showcase:manage", site.slug)
