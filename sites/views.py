from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from atc.models import Role
from atc.periods import period_before
from atc.permissions import can_write_site, is_national
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


def site_home(request, slug):
    """The site's home: what is due, the latest activity and, for the site team, shortcuts."""
    site = get_site_for_user(request, slug)
    today = timezone.localdate()
    quarter = period_before("quarter", today)
    quarter_start, quarter_end = quarter.start, quarter.end
    meetings = Meeting.objects.filter(site=site).select_related("committee")
    actions = Action.objects.filter(site=site).select_related("theme")
    # The attention signals' rules and thresholds, read from their one home.
    thresholds = attention.thresholds()
    minutes_days, window_days = thresholds[("minutes", "days")], thresholds[("minutes", "window_days")]
    without_minutes = meetings.minutes_overdue(today=today, days=minutes_days, window_days=window_days)
    minutes_since, minutes_until = minutes_due_window(today=today, days=minutes_days, window_days=window_days)
    overdue = actions.overdue(today=today, days=thresholds[("actions_overdue", "days")])
    without_minutes_shown = list(without_minutes.order_by("date", "id")[:DUE_COUNT])
    overdue_shown = list(overdue.order_by("end_date", "id")[:DUE_COUNT])
    return render(
        request,
        "sites/site_home.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "neighbourhoods": site.neighbourhoods.all(),
            "meetings_without_minutes": without_minutes_shown,
            "meetings_without_minutes_count": (
                without_minutes.count()
                if len(without_minutes_shown) == DUE_COUNT
                else len(without_minutes_shown)
            ),
            "minutes_due_query": urlencode(
                {
                    "minutes_status": MeetingFilterForm.TO_VALIDATE,
                    "date_from": minutes_since.isoformat(),
                    "date_to": minutes_until.isoformat(),
                }
            ),
            "signals": site_figures.attention_signals(site),
            "overdue_actions": overdue_shown,
            "overdue_actions_count": overdue.count()
            if len(overdue_shown) == DUE_COUNT
            else len(overdue_shown),
            "logbook_missing": not LogbookEntry.objects.covering(quarter_start, quarter_end)
            .filter(site=site)
            .exists(),
            "quarter_start": quarter_start,
            "quarter_end": quarter_end,
            "latest_meetings": meetings[:LATEST_COUNT],
            "latest_actions": actions.order_by("-updated_at", "-id")[:LATEST_COUNT],
        },
    )


def home(request):
    """Each role's home: shortcuts for the role, then the sites the user may see (paginated:
    the national team may see ~1,600 of them once the experiment is generalised)."""
    user = request.user
    sites = (
        Site.objects.for_user(user)
        .select_related("network")
        .prefetch_related("neighbourhoods")
        .order_by("network__name", "name")
    )
    page = Paginator(sites, HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    roles = list(user.roles.current().select_related("network"))
    return render(
        request,
        "home.html",
        {
            "page": page,
            "is_national": is_national(user),
            "coordinated_networks": [r.network for r in roles if r.kind == Role.Kind.NETWORK_COORDINATOR],
            "is_delegate": any(r.kind == Role.Kind.PREFET_DELEGATE for r in roles),
        },
    )
