import datetime
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache

from atc.services import heartbeat_is_fresh


def form_page(
    request,
    form,
    *,
    save,
    saved: str,
    not_saved: str,
    heading: str,
    parent_url: str,
    parent_label: str,
    current_label: str,
):
    """One form on its own page (templates/includes/form_page.html) under a parent list: on a
    valid POST, `save()` runs and returns where to go next; otherwise the form comes back with
    its errors and a French message."""
    if request.method == "POST":
        if form.is_valid():
            next_url = save()
            messages.success(request, saved)
            return redirect(next_url)
        messages.error(request, not_saved)
    context = {
        "form": form,
        "heading": heading,
        "parent_url": parent_url,
        "parent_label": parent_label,
        "current_label": current_label,
    }
    return render(request, "includes/form_page.html", context)


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


# Seconds a browser or a proxy is told to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 10


def bad_request(request, exception):
    """The 400 page. A `BadRequest` raised by our views carries a French sentence saying what to
    fix in the address (`?annee=`, a period); anything else Django refuses (a suspicious header,
    a broken upload) gets the general sentence, never its internal text."""
    message = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"message": message}, status=400)


def server_error(request):
    """The 500 page, or a 503 with Retry-After when the database could not be reached (a restart,
    a failover, a connection refused): the faults script restarts PostgreSQL under load, and for
    those seconds people should read "try again", not "unexpected error"."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    )
    if not unavailable:
        return HttpResponseServerError(loader.get_template("500.html").render())
    response = HttpResponseServerError(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
