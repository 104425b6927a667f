"""The one place that decides who may read or write what.

Every view, export, PDF and search goes through these functions or the `for_user()` querysets built
on `readable_sites`. Rules:
- facilitators and host directors read and write their own sites' data;
- the people facilitating a site are recorded by the site team and by the national team;
- préfet delegates read their sites and leave review comments on them; nothing else;
- a review comment's thread is answered by the site team, the site's delegates and the national
  team; it is marked handled by the site team, its author and the national team;
- network coordinators read their network's sites;
- evaluation reports: a network coordinator reads and requests their network's and its sites'
  reports, a delegate, facilitator or host director their sites'; schedules stay national; a
  draft's texts are written by the national team and, for their network, its coordinators;
- the national team (and platform administrators) read everything, export, and manage indicators
  and report schedules;
- an object outside a user's scope is a 404 (its existence is not revealed); a page inside the
  scope that the role may not change is a 403.
"""

import json
import logging
from dataclasses import dataclass
from operator import attrgetter

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from atc.access_version import ACCESS_VERSION_KEY, bump_access_now
from atc.cache import get_or_compute, versioned_key
from atc.models import Role, User

access_log = logging.getLogger("atc.access")

WRITER_KINDS = {Role.Kind.FACILITATOR, Role.Kind.HOST_DIRECTOR}
NATIONAL_KINDS = {Role.Kind.NATIONAL_TEAM, Role.Kind.ADMIN}


# --- What a person may reach: read once, then kept 2 minutes under the roles' version ------------

ACCESS_SECONDS = 120


@dataclass(frozen=True)
class HeaderRole:
    """A current role as the page header shows it."""

    kind: str
    network_code: str | None
    network_name: str | None
    site_cities: tuple[str, ...]

    @property
    def label(self) -> str:
        return Role.Kind(self.kind).label


@dataclass(frozen=True)
class Access:
    """The scope of a person's current roles: the one input of every rule below.

    Built from two queries, then kept in the cache for a few minutes under a key that names the
    person, the day (roles start and end on dates) and a version that any change to any role bumps
    (`bump_access_version`, connected in AtcConfig.ready), so a role given or ended applies on the
    next request."""

    kinds: frozenset[str]
    site_ids: frozenset[int]
    network_ids: frozenset[int]
    writable_site_ids: frozenset[int]
    comment_site_ids: frozenset[int]
    header: tuple[HeaderRole, ...]
    # Sites whose host director the person is (they validate the site's meeting minutes).
    validator_site_ids: frozenset[int] = frozenset()


NO_ACCESS = Access(frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), ())


def _build_access(user, day) -> Access:
    roles = list(
        Role.objects.filter(user=user)
        .current(day)
        .select_related("network")
        .prefetch_related("sites")
        .order_by("kind", "-start_date", "pk")
    )

    def sites_of(kinds) -> frozenset[int]:
        return frozenset(site.pk for role in roles if role.kind in kinds for site in role.sites.all())

    return Access(
        kinds=frozenset(role.kind for role in roles),
        site_ids=sites_of(Role.SITE_SCOPED),
        network_ids=frozenset(
            role.network_id
            for role in roles
            if role.kind == Role.Kind.NETWORK_COORDINATOR and role.network_id
        ),
        writable_site_ids=sites_of(WRITER_KINDS),
        comment_site_ids=sites_of({Role.Kind.PREFET_DELEGATE}),
        header=tuple(
            HeaderRole(
                kind=role.kind,
                network_code=role.network.code if role.network else None,
                network_name=role.network.name if role.network else None,
                site_cities=tuple(
                    site.city for site in sorted(role.sites.all(), key=attrgetter("city", "pk"))
                ),
            )
            for role in roles
        ),
        validator_site_ids=sites_of({Role.Kind.HOST_DIRECTOR}),
    )


def access_of(user) -> Access:
    """The person's current scope; memoised on the user object for the request."""
    if not user.is_authenticated:
        return NO_ACCESS
    memo = getattr(user, "_atc_access", None)
    if memo is not None:
        return memo
    day = timezone.localdate()
    version = cache.get(ACCESS_VERSION_KEY)
    if version is None:
        memo = _build_access(user, day)
        bump_access_now()
    else:
        # date_joined tells two accounts apart even where a test database reuses a primary key.
        joined = user.date_joined.timestamp() if user.date_joined else 0
        key = versioned_key("atc-access", version, user.pk, joined, day.isoformat())
        memo = get_or_compute(key, lambda: _build_access(user, day), ACCESS_SECONDS)
    user._atc_access = memo
    return memo


def role_kinds(user) -> frozenset[str]:
    """The kinds of role the user holds today."""
    return access_of(user).kinds


def is_national(user) -> bool:
    """National team members and platform administrators see every site."""
    return user.is_authenticated and (user.is_superuser or bool(role_kinds(user) & NATIONAL_KINDS))


def readable_sites(user, queryset):
    """Filter a Site queryset down to the sites the user may read."""
    if not user.is_authenticated:
        return queryset.none()
    if is_national(user):
        return queryset
    access = access_of(user)
    return queryset.filter(Q(id__in=sorted(access.site_ids)) | Q(network_id__in=sorted(access.network_ids)))


def readable_notifications(user, queryset):
    """A person's own notifications about no site or a site they still read: when a role ends, the
    notifications about its sites (their titles and excerpts are the site's data) leave the inbox."""
    if not user.is_authenticated:
        return queryset.none()
    mine = queryset.filter(recipient=user)
    if is_national(user):
        return mine
    access = access_of(user)
    return mine.filter(
        Q(site__isnull=True)
        | Q(site_id__in=sorted(access.site_ids))
        | Q(site__network_id__in=sorted(access.network_ids))
    )


def writable_site_ids(user) -> frozenset[int]:
    """Ids of the sites whose data the user may create and change (site team only)."""
    return access_of(user).writable_site_ids


def can_write_site(user, site) -> bool:
    """Facilitators and host directors change their own sites' meetings, actions, diagnostic…"""
    return site.pk in writable_site_ids(user)


def can_manage_site_team(user, site) -> bool:
    """A site's team (arrivals, changes of FTE, departures of its facilitators) is recorded by the
    site team (facilitators, host directors) and by the national team, which follows every site's
    staffing."""
    return can_write_site(user, site) or is_national(user)


def can_validate_minutes(user, meeting) -> bool:
    """A meeting's minutes are validated by a host director of its site who did not submit them
    (four eyes: the facilitator who wrote them cannot validate them). Committee members cannot
    validate: committee seats have no accounts on the platform."""
    if meeting.site_id is None or meeting.site_id not in access_of(user).validator_site_ids:
        return False
    return meeting.minutes_author_id is None or meeting.minutes_author_id != user.pk


def can_comment_site(user, site) -> bool:
    """Préfet delegates of the site (and the national team) leave review comments."""
    if is_national(user):
        return True
    return site.pk in access_of(user).comment_site_ids


def can_reply_to_comment(user, site) -> bool:
    """A review comment's thread is answered by the site team (facilitators, host directors), the
    site's préfet delegates and the national team."""
    return can_write_site(user, site) or can_comment_site(user, site)


def can_handle_comment(user, comment) -> bool:
    """A review comment is marked handled (or reopened) by the site team, its author while they still
    read the site, and the national team."""
    if can_write_site(user, comment.site) or is_national(user):
        return True
    return user.is_authenticated and comment.author_id == user.pk


def can_verify_claims(user) -> bool:
    """An avoided cost or leverage claim is marked verified by the national team only: the site
    team declares and documents, someone outside the site checks."""
    return is_national(user)


def can_review_sheet(user, site) -> bool:
    """An experience sheet drafted by the site team is reviewed by a host director of the site."""
    return site.pk in access_of(user).validator_site_ids


def require_sheet_reader(request) -> None:
    """The library of experience sheets is open to whoever holds a scope (a site, a network, the
    whole experiment); a person without one gets 403."""
    if not may_request_reports(request.user):
        log_refusal(request, "no_scope")
        raise PermissionDenied("Aucun rôle en cours")


def can_publish_site_content(user, site) -> bool:
    """Experience sheets and the site's public page are published (and unpublished) by the site's
    network coordinators and the national team: nothing becomes public from the site team alone."""
    return is_national(user) or site.network_id in access_of(user).network_ids


def can_manage_surveys(user, site) -> bool:
    """A site's own questionnaires and campaigns are built and sent by the site team (facilitators,
    host directors) and by the national team; national ones (no site) by the national team only."""
    if is_national(user):
        return True
    return site is not None and can_write_site(user, site)


def require_survey_manager(request, site) -> None:
    """A questionnaire's or a campaign's pages: 404 for whoever does not read its site (another
    site's team included), 403 for the site's other readers and, on national ones, for everyone
    but the national team."""
    if can_manage_surveys(request.user, site):
        return
    access = access_of(request.user)
    if site is not None and site.pk not in access.site_ids and site.network_id not in access.network_ids:
        log_refusal(request, "out_of_scope", site.pk)
        raise Http404("Site introuvable")
    log_refusal(request, "not_survey_manager")
    raise PermissionDenied("Réservé à l'équipe du site et à l'équipe nationale")


def can_edit_attention_thresholds(user) -> bool:
    """The thresholds of the attention signals are the national team's to set (everyone signed
    in reads them)."""
    return is_national(user)


def _holders(roles):
    """The active accounts holding one of these (current) roles: the people told of an event."""
    return User.objects.filter(is_active=True, id__in=roles.values("user_id"))


def site_followers(site):
    """The people who follow the site from outside its team today, with an active account: its
    préfet delegates, its network's coordinators and the national team (they are told of its
    attention signals)."""
    roles = Role.objects.current().filter(
        Q(kind=Role.Kind.PREFET_DELEGATE, sites=site)
        | Q(kind=Role.Kind.NETWORK_COORDINATOR, network_id=site.network_id)
        | Q(kind=Role.Kind.NATIONAL_TEAM)
    )
    return _holders(roles)


def minutes_validators(site):
    """The people who may validate the site's minutes today (its host directors), with an active
    account: they are told when minutes are submitted (the author among them is left out by the
    caller: one does not validate one's own minutes, `can_validate_minutes`)."""
    roles = Role.objects.current().filter(kind=Role.Kind.HOST_DIRECTOR, sites=site)
    return _holders(roles)


def site_team(site):
    """The people who write the site's records today (its facilitators and host directors), with
    an active account: they are told what happens on the site (comments, reminders)."""
    roles = Role.objects.current().filter(kind__in=WRITER_KINDS, sites=site)
    return _holders(roles)


def site_facilitators(site):
    """The site's current facilitators, with an active account (they answer its « carnet de bord »
    questionnaire)."""
    return _holders(Role.objects.current().filter(kind=Role.Kind.FACILITATOR, sites=site)).order_by("email")


def network_coordinators(network_id):
    """The people coordinating the network today, with an active account (they read its sites)."""
    roles = Role.objects.current().filter(kind=Role.Kind.NETWORK_COORDINATOR, network_id=network_id)
    return _holders(roles)


def can_manage_accounts(user) -> bool:
    """Inviting people and giving or ending roles: the national team and administrators."""
    return is_national(user)


def readable_reports(user, queryset):
    """Filter an EvaluationReport queryset down to the reports the user may list and download.

    The national team reads every report; a network coordinator their network's reports and those
    of the network's sites; the site roles (facilitator, host director, delegate) their sites'."""
    if not user.is_authenticated:
        return queryset.none()
    if is_national(user):
        return queryset
    access = access_of(user)
    networks = sorted(access.network_ids)
    return queryset.filter(
        Q(site_id__in=sorted(access.site_ids)) | Q(site__network_id__in=networks) | Q(network_id__in=networks)
    )


def can_write_report_narrative(user, report) -> bool:
    """A draft report's texts (introduction, commentaries, conclusion, extracts, quotes) are
    written and issued by the national team, and by a network coordinator for their network's
    report and its sites' reports. Whoever else reads the report gets a 403."""
    if is_national(user):
        return True
    networks = access_of(user).network_ids
    if report.network_id is not None:
        return report.network_id in networks
    return report.site is not None and report.site.network_id in networks


def national_team():
    """The national team today, with an active account (told of a draft report to review)."""
    return _holders(Role.objects.current().filter(kind=Role.Kind.NATIONAL_TEAM))


def may_request_reports(user) -> bool:
    """Whoever holds a scope (a site, a network, or the whole experiment) may ask for reports."""
    if is_national(user):
        return True
    access = access_of(user)
    return bool(access.site_ids or access.network_ids)


def can_request_report(user, target) -> bool:
    """A report on `target` (an `evaluation.reports.scopes.Target`) lies within the user's scope:
    anything for the national team, their network or one of its sites for a coordinator, one of
    their sites for the site roles. National reports are the national team's only."""
    if is_national(user):
        return True
    access = access_of(user)
    if target.site is not None:
        return target.site.pk in access.site_ids or target.site.network_id in access.network_ids
    if target.network is not None:
        return target.network.pk in access.network_ids
    return False


def require_report_requester(request) -> None:
    """The report pages for people without any scope: 403."""
    if not may_request_reports(request.user):
        log_refusal(request, "no_report_scope")
        raise PermissionDenied("Aucun périmètre pour les rapports")


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
