from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from atc.charts import share_bar
from atc.permissions import can_write_site, get_object_for_site
from atc.queries import link_count
from sites.access import get_site_for_user
from sites.models import OrganisationCategory, PartnerOrganisation
from sites.partners.forms import PartnerForm


def partner_list(request, slug):
    """The site's partner organisations with their category and how often they took part.

    The table and its chart are kept under the families of records it shows (`{% figurecache %}` in the
    template): what they read is lazy, so a kept read runs no query of its own."""
    site = get_site_for_user(request, slug)
    category = request.GET.get("categorie", "")
    if category not in OrganisationCategory.values:
        category = ""
    return render(
        request,
        "sites/partners_list.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "listing": SimpleLazyObject(lambda: _partner_listing(site, category)),
            "categories": OrganisationCategory.choices,
            "category": category,
        },
    )


def _partner_listing(site, category: str) -> dict:
    """The partners shown (of `category`, or all) with their meeting and action counts, and the
    chart of every partner by category."""
    partners = list(
        PartnerOrganisation.objects.filter(site=site)
        .annotate(
            meeting_count=link_count(PartnerOrganisation.meetings.through, "partnerorganisation"),
            action_count=link_count(PartnerOrganisation.actions.through, "partnerorganisation"),
        )
        .order_by("category", "name")
    )
    by_category = dict.fromkeys(OrganisationCategory.values, 0)
    for partner in partners:
        by_category[partner.category] += 1
    chart = share_bar(
        title=_("Organisations partenaires par catégorie"),
        parts=[(OrganisationCategory(v).label, n) for v, n in by_category.items() if n],
        part_header=_("Catégorie"),
    )
    if category:
        partners = [p for p in partners if p.category == category]
    return {"partners": partners, "chart": chart}


def partner_detail(request, slug, pk):
    """One partner and the meetings and actions of this site it took part in."""
    site = get_site_for_user(request, slug)
    partner = get_object_for_site(request, PartnerOrganisation.objects.all(), site, pk)
    return render(
        request,
        "sites/partners_detail.html",
        {
            "site": site,
            "partner": partner,
            "can_write": can_write_site(request.user, site),
            "meetings": list(partner.meetings.filter(site=site).order_by("-date", "-id")),
            "actions": list(partner.actions.filter(site=site).select_related("theme").order_by("title")),
        },
    )


def _partner_form_page(request, site, partner):
    form = PartnerForm(request.POST if request.method == "POST" else None, instance=partner)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Organisation « %(name)s » enregistrée.") % {"name": saved})
        return redirect("partners:partner_detail", slug=site.slug, pk=saved.pk)
    return render(request, "sites/partners_form.html", {"site": site, "form": form, "partner": partner})


def partner_create(request, slug):
    site = get_site_for_user(request, slug, write=True)
    return _partner_form_page(request, site, PartnerOrganisation(site=site))


def partner_update(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    partner = get_object_for_site(request, PartnerOrganisation.objects.all(), site, pk)
    return _partner_form_page(request, site, partner)
