"""The site's team: who has facilitated it, with tenures, vacancies and turnover."""

from django.shortcuts import render
from django.utils import timezone

from sites.access import get_site_for_user
from sites.models import FacilitatorAssignment
from sites.team.facilitation import facilitation_history


def facilitator_history(request, slug):
    """Who has facilitated the site: tenure, FTE, contract, vacancies and turnover."""
    site = get_site_for_user(request, slug)
    assignments = list(FacilitatorAssignment.objects.filter(site=site))
    return render(
        request,
        "sites/people.html",
        {"site": site, "history": facilitation_history(assignments, timezone.localdate())},
    )
