"""The calendar subscription page (a signed-in person's own feed) and the feed itself (no session:
calendar apps read it with the secret key in its address)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atc.links import absolute_url, public_host
from pilotage.calendars import services
from pilotage.ical import meetings_calendar
from pilotage.models import CalendarFeed


def _feed_addresses(key: str) -> dict[str, str]:
    https = absolute_url(reverse("calendars:feed", args=[key]))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@never_cache
@require_http_methods(["GET", "POST"])
def subscription(request):
    """GET: the state of one's feed. POST: a new address (shown once, on this answer only)."""
    addresses = None
    if request.method == "POST":
        addresses = _feed_addresses(services.feed_create(user=request.user))
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(
        request,
        "calendars/subscription.html",
        {
            "feed": feed,
            "addresses": addresses,
            "past_days": services.FEED_PAST_DAYS,
            "max_meetings": services.FEED_MAX_MEETINGS,
        },
    )


@require_POST
def revoke(request):
    if services.feed_revoke(user=request.user):
        messages.success(request, _("L'adresse de votre agenda est désactivée : elle ne répond plus."))
    return redirect("calendars:subscription")


@login_not_required
@require_GET
def feed(request, key):
    """The meetings' calendar for the app holding the key; 404 for any other key."""
    found = services.feed_for_key(key)
    if found is None:
        raise Http404("Agenda introuvable")
    body = meetings_calendar(
        services.feed_meetings(user=found.user),
        name=_("Réunions ATC"),
        domain=public_host(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
