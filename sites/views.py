import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from atc.models import Role
from atc.periods import period_before
from atc.permissions import access_of, can_write_site, is_national
from evaluation.figures import attention
from evaluation.figures import site as site_figures
from evaluation.models import LogbookEntry
from pilotage.forms import MeetingFilterForm
from pilotage.models import Action, Meeting, minutes_due_window
from sites.access import get_site_for_user
from sites.models import Site

HOME_PAGE_SIZE = 24
LATEST_COUNT = 5
# "À faire" shows the oldest few of each kind, with the total and a link to the full list.
DUE_COUNT = 8


@dataclass(frozen=True)
class SiteDue:
    """The site home's « Saisies en attente »: the oldest few of each kind and their totals."""

    meetings_without_minutes: list
    meetings_without_minutes_count: int
    minutes_due_query: str
    overdue_actions: list
    overdue_actions_count: int
    logbook_missing: bool
    quarter_start: datetime.date
    quarter_end: datetime.date


def _site_due(site, today: datetime.date, thresholds: attention.Thresholds) -> SiteDue:
    """What the site team has to enter, under the attention rules' thresholds in force `today`."""
    quarter = period_before("quarter", today)
    minutes_days, window_days = thresholds[("minutes", "days")], thresholds[("minutes", "window_days")]
    without_minutes = Meeting.objects.filter(site=site).minutes_overdue(
        today=today, days=minutes_days, window_days=window_days
    )
    minutes_since, minutes_until = minutes_due_window(today=today, days=minutes_days, window_days=window_days)
    overdue = Action.objects.filter(site=site).overdue(
        today=today, days=thresholds[("actions_overdue", "days")]
    )
    logbook = LogbookEntry.objects.covering(quarter.start, quarter.end).filter(site=site)
    without_minutes_shown = list(without_minutes.order_by("date", "id")[:DUE_COUNT])
    overdue_shown = list(overdue.order_by("end_date", "id")[:DUE_COUNT])
    return SiteDue(
        meetings_without_minutes=without_minutes_shown,
        meetings_without_minutes_count=(
            without_minutes.count() if len(without_minutes_shown) == DUE_COUNT else len(without_minutes_shown)
        ),
        minutes_due_query=urlencode(
            {
                "minutes_status": MeetingFilterForm.TO_VALIDATE,
                "date_from": minutes_since.isoformat(),
                "date_to": minutes_until.isoformat(),
            }
        ),
        overdue_actions=overdue_shown,
        overdue_actions_count=overdue.count() if len(overdue_shown) == DUE_COUNT else len(overdue_shown),
        logbook_missing=not logbook.exists(),
        quarter_start=quarter.start,
        quarter_end=quarter.end,
    )


def site_home(request, slug):
    """The site's home: what is due, the latest activity and, for the site team, shortcuts.

    The page is kept in a fragment under the site's data version (templates/sites/site_home.html):
    what is due, the latest activity and the neighbourhoods are read lazily, so a hit runs none of
    their queries. What has no trigger is read on every request and keys the fragment: the
    attention thresholds (what is due follows them) and the open signals (a rebuild after a change
    of thresholds, or the beat's, changes them without a site's write)."""
    site = get_site_for_user(request, slug)
    today = timezone.localdate()
    thresholds = attention.thresholds()
    signals = site_figures.attention_signals(site)
    return render(
        request,
        "sites/site_home.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "neighbourhoods": site.neighbourhoods.all(),
            "signals": signals,
            "signals_key": tuple((shown.signal.rule, shown.signal.reason) for shown in signals),
            "due": SimpleLazyObject(lambda: _site_due(site, today, thresholds)),
            "due_thresholds": tuple(sorted(thresholds.items())),
            "latest_meetings": Meeting.objects.filter(site=site)[:LATEST_COUNT],
            "latest_actions": Action.objects.filter(site=site).order_by("-updated_at", "-id")[:LATEST_COUNT],
        },
    )


def home(request):
    """Each role's home: shortcuts for the role, then the sites the user may see (paginated:
    the national team may see ~1,600 of them once the experiment is generalised).

    The list is kept in a fragment under the sites' version (templates/home.html), keyed by the
    reader's scope (the sites and networks their roles open, or every site) and the page asked
    for: the page is built lazily, so a hit runs none of its queries."""
    user = request.user
    national = is_national(user)
    access = access_of(user)
    sites = (
        Site.objects.for_user(user)
        .select_related("network")
        .prefetch_related("neighbourhoods")
        .order_by("network__name", "name")
    )
    roles = list(user.roles.current().select_related("network"))
    return render(
        request,
        "home.html",
        {
            "page": SimpleLazyObject(
                lambda: Paginator(sites, HOME_PAGE_SIZE).get_page(request.GET.get("page"))
            ),
            "scope": ("every site",) if national else (sorted(access.site_ids), sorted(access.network_ids)),
            "page_number": request.GET.get("page", ""),
            "is_national": national,
            "coordinated_networks": [r.network for r in roles if r.kind == Role.Kind.NETWORK_COORDINATOR],
            "is_delegate": any(r.kind == Role.Kind.PREFET_DELEGATE for r in roles),
        },
    )
