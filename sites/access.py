"""The access helper of every URL that names a site: the rules themselves are atc.permissions'.
It also sets the request's time zone to the site's."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from atc.permissions import can_write_site, log_refusal
from sites.models import Site
from sites.zones import zone


def get_site_for_user(request, slug: str, *, write: bool = False):
    """The site a URL names, or a 404 outside the user's scope / a 403 for a read-only role."""
    site = Site.objects.for_user(request.user).filter(slug=slug).first()
    if site is None:
        log_refusal(request, "out_of_scope", slug)
        raise Http404("Site introuvable")
    if write and not can_write_site(request.user, site):
        log_refusal(request, "read_only", site.pk)
        raise PermissionDenied("Lecture seule")
    # The site's pages show times in the site's zone (reset for the next request by
    # atc.middleware.TimeZoneResetMiddleware).
    timezone.activate(zone(site.time_zone))
    return site
