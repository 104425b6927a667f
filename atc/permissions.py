"""The one place that decides who may read or write what.

Every view, export, PDF and search goes through these functions or the `for_user()` querysets built
on `readable_sites`. Rules:
- facilitators and host directors read and write their own sites' data;
- préfet delegates read their sites and leave review comments on them; nothing else;
- network coordinators read their network's sites;
- the national team (and platform administrators) read everything, export, and manage indicators
  and report schedules;
- an object outside a user's scope is a 404 (its existence is not revealed); a page inside the
  scope that the role may not change is a 403.
"""

import json
import logging

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from atc.models import Role

access_log = logging.getLogger("atc.access")

WRITER_KINDS = {Role.Kind.FACILITATOR, Role.Kind.HOST_DIRECTOR}
NATIONAL_KINDS = {Role.Kind.NATIONAL_TEAM, Role.Kind.ADMIN}


def role_kinds(user) -> set[str]:
    """The kinds of role the user holds today; cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_atc_role_kinds", None)
    if cached is None:
        cached = set(user.roles.current().values_list("kind", flat=True))
        user._atc_role_kinds = cached
    return cached


def is_national(user) -> bool:
    """National team members and platform administrators see every site."""
    return user.is_authenticated and (user.is_superuser or bool(role_kinds(user) & NATIONAL_KINDS))


def readable_sites(user, queryset):
    """Filter a Site queryset down to the sites the user may read."""
    if not user.is_authenticated:
        return queryset.none()
    if is_national(user):
        return queryset
    current = Role.objects.filter(user=user).current()
    site_ids = current.filter(kind__in=Role.SITE_SCOPED).values("sites")
    network_ids = current.filter(kind=Role.Kind.NETWORK_COORDINATOR).values("network")
    return queryset.filter(Q(id__in=site_ids) | Q(network_id__in=network_ids))


def writable_site_ids(user) -> set[int]:
    """Ids of the sites whose data the user may create and change (site team only)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_atc_writable_site_ids", None)
    if cached is None:
        cached = set(
            Role.objects.filter(user=user, kind__in=WRITER_KINDS)
            .current()
            .exclude(sites=None)
            .values_list("sites", flat=True)
        )
        user._atc_writable_site_ids = cached
    return cached


def can_write_site(user, site) -> bool:
    """Facilitators and host directors change their own sites' meetings, actions, diagnostic…"""
    return site.pk in writable_site_ids(user)


def can_comment_site(user, site) -> bool:
    """Préfet delegates of the site (and the national team) leave review comments."""
    if is_national(user):
        return True
    return Role.objects.filter(user=user, kind=Role.Kind.PREFET_DELEGATE, sites=site).current().exists()


def can_export(user) -> bool:
    """Exports of the national tables and reports belong to the national team."""
    return is_national(user)


def can_manage_evaluation(user) -> bool:
    """Indicators, report schedules and national committee records: the national team."""
    return is_national(user)


def can_manage_accounts(user) -> bool:
    """Inviting people and giving or ending roles: the national team and administrators."""
    return is_national(user)


def log_refusal(request, reason: str, object_id=None) -> None:
    """One structured line per refused access, without personal data (ids and the path only).

    The request is marked so that `atc.middleware.RefusalLogMiddleware` does not log it twice.
    """
    request._atc_refusal_logged = True
    access_log.warning(
        json.dumps(
            {
                "event": "access_refused",
                "reason": reason,
                "user_id": getattr(request.user, "pk", None),
                "method": request.method,
                "path": request.path,
                "object_id": object_id,
            },
            sort_keys=True,
        )
    )


def get_site_for_user(request, slug: str, *, write: bool = False):
    """The site a URL names, or a 404 outside the user's scope / a 403 for a read-only role."""
    from sites.models import Site

    site = Site.objects.for_user(request.user).filter(slug=slug).first()
    if site is None:
        log_refusal(request, "out_of_scope", slug)
        raise Http404("Site introuvable")
    if write and not can_write_site(request.user, site):
        log_refusal(request, "read_only", site.pk)
        raise PermissionDenied("Lecture seule")
    return site


def get_object_for_site(request, queryset, site, pk):
    """An object of the given site by primary key, or a 404 (never another site's row)."""
    obj = queryset.filter(site=site, pk=pk).first()
    if obj is None:
        log_refusal(request, "out_of_scope", pk)
        raise Http404("Objet introuvable")
    return obj


def get_object_for_user(request, queryset, pk):
    """An object by primary key among those the user may read (`queryset.for_user`), or a 404."""
    obj = queryset.for_user(request.user).filter(pk=pk).first()
    if obj is None:
        log_refusal(request, "out_of_scope", pk)
        raise Http404("Objet introuvable")
    return obj


def require_national(request) -> None:
    """Pages reserved to the national team: 403 for everyone else who is signed in."""
    if not is_national(request.user):
        log_refusal(request, "not_national")
        raise PermissionDenied("Réservé à l'équipe nationale")


def require_account_manager(request) -> None:
    """Account management pages: 403 for everyone who may not manage accounts."""
    if not can_manage_accounts(request.user):
        log_refusal(request, "not_account_manager")
        raise PermissionDenied("Réservé à l'équipe nationale")
