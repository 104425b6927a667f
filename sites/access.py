"""The access helper of every URL that names a site: the rules themselves are atc.permissions'."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from atc.permissions import can_write_site, log_refusal
from sites.models import Site


def get_site_for_user(request, slug: str, *, write: bool = False):
    """The site a URL names, or a 404 outside the user's scope / a 403 for a read-only role."""
    site = Site.objects.for_user(request.user).filter(slug=slug).first()
    if site is None:
        log_refusal(request, "out_of_scope", slug)
        raise Http404("Site introuvable")
    if write and not can_write_site(request.user, site):
        log_refusal(request, "read_only", site.pk)
        raise PermissionDenied("Lecture seule")
    return site
