import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from atc.permissions import is_national
from atc.services import heartbeat_is_fresh
from sites.models import Site


def home(request):
    """Each role's home: the sites the user may see, with what the role can do there."""
    sites = (
        Site.objects.for_user(request.user)
        .select_related("network")
        .prefetch_related("neighbourhoods")
        .order_by("network__name", "name")
    )
    return render(
        request,
        "home.html",
        {"sites": sites, "is_national": is_national(request.user)},
    )


@login_not_required
@never_cache
def health(request):
    """Liveness for load balancers and docker healthchecks: the database answers (else 500),
    and whether the worker ran beat's heartbeat recently (reported, not fatal to the web)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    max_age = datetime.timedelta(seconds=3 * settings.ATC_HEARTBEAT_SECONDS)
    worker = "ok" if heartbeat_is_fresh(max_age=max_age) else "silencieux"
    return JsonResponse({"status": "ok", "database": "ok", "worker": worker})
