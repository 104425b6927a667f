"""The inbox, the preferences, and the unsubscribe link (no sign-in needed: it comes by e-mail)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from atc.notifications import services
from atc.notifications.forms import InboxFilterForm, PreferencesForm
from atc.notifications.kinds import KINDS

PAGE_SIZE = 25


def inbox(request):
    """The person's notifications, unread first (or by date), optionally the unread ones only."""
    filters = InboxFilterForm(request.GET or None)
    state, order = "toutes", "non-lues"
    if filters.is_valid():
        state = filters.cleaned_data["etat"] or state
        order = filters.cleaned_data["tri"] or order
    rows = services.inbox_of(request.user).select_related("site")
    if state == "non-lues":
        rows = rows.unread()
    if order == "non-lues":
        rows = rows.order_by(F("read_at").desc(nulls_first=True), "-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "unread_only": state == "non-lues",
    }
    return render(request, "notifications/inbox.html", context)


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("notifications:inbox")


def open_notification(request, pk):
    """Follow a notification's link (from the inbox or an e-mail): it counts as read."""
    notification = services.notification_read(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404
    return redirect(notification.url or reverse("notifications:inbox"))


@require_POST
def mark_read(request, pk):
    if services.notification_read(user=request.user, notification_id=pk) is None:
        raise Http404
    messages.success(request, _("La notification est marquée comme lue."))
    return redirect(_safe_next(request))


@require_POST
def mark_all_read(request):
    count = services.notifications_read_all(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marquée comme lue.", "%(count)d notifications marquées comme lues.", count
        )
        % {"count": count},
    )
    return redirect(_safe_next(request))


def preferences(request):
    """One frequency of e-mails per kind of notification."""
    form = PreferencesForm(request.POST or None, initial_frequencies=services.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, frequencies=form.cleaned_data)
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "digest_hour": settings.ATC_NOTIFICATION_DIGEST_HOUR},
    )


@login_not_required
@csrf_exempt
def unsubscribe(request, token):
    """GET: a confirmation with a button; POST (the button, or a mail client's one-click POST of
    RFC 8058): stop the e-mails of the kinds the signed link names. Without sign-in, CSRF-exempt:
    the signed token is the authority, and it only ever turns e-mails off."""
    try:
        user, kinds = services.unsubscribe_read(token)
    except services.UnsubscribeLinkExpired:
        return render(request, "notifications/unsubscribe.html", {"problem": "expired"}, status=410)
    except services.UnsubscribeLinkInvalid:
        return render(request, "notifications/unsubscribe.html", {"problem": "invalid"}, status=400)
    labels = [KINDS[kind].label for kind in kinds]
    if request.method == "POST":
        services.unsubscribe(user=user, kinds=kinds)
        return render(request, "notifications/unsubscribe.html", {"done": True, "labels": labels})
    return render(request, "notifications/unsubscribe.html", {"labels": labels})
