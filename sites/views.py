import datetime

from django.shortcuts import render
from django.utils import timezone

from atc.permissions import can_write_site, get_site_for_user
from evaluation.models import LogbookEntry
from pilotage.models import Action, Meeting

MINUTES_GRACE_DAYS = 7
LATEST_COUNT = 5


def last_finished_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar quarter before the one `today` is in."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    current_start = datetime.date(today.year, first_month, 1)
    end = current_start - datetime.timedelta(days=1)
    start = datetime.date(end.year, end.month - 2, 1)
    return start, end


def site_home(request, slug):
    """The site's home: what is due, the latest activity and, for the site team, shortcuts."""
    site = get_site_for_user(request, slug)
    today = timezone.localdate()
    quarter_start, quarter_end = last_finished_quarter(today)
    meetings = Meeting.objects.filter(site=site).select_related("committee")
    actions = Action.objects.filter(site=site).select_related("theme")
    return render(
        request,
        "sites/site_home.html",
        {
            "site": site,
            "can_write": can_write_site(request.user, site),
            "neighbourhoods": site.neighbourhoods.all(),
            "meetings_without_minutes": meetings.filter(
                minutes_status=Meeting.MinutesStatus.NONE,
                date__lte=today - datetime.timedelta(days=MINUTES_GRACE_DAYS),
            ),
            "overdue_actions": actions.open().filter(end_date__lt=today).order_by("end_date", "id"),
            "logbook_missing": not LogbookEntry.objects.filter(
                site=site, period_start__lte=quarter_start, period_end__gte=quarter_end
            ).exists(),
            "quarter_start": quarter_start,
            "quarter_end": quarter_end,
            "latest_meetings": meetings[:LATEST_COUNT],
            "latest_actions": actions.order_by("-updated_at", "-id")[:LATEST_COUNT],
        },
    )
