"""Attention signals: the thresholds (read by everyone signed in, changed by the national team)
and a site's signal history (read by whoever may read the site)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from atc.permissions import can_edit_attention_thresholds, log_refusal
from evaluation.attention import services, tasks
from evaluation.attention.forms import ThresholdsForm
from evaluation.figures import attention
from evaluation.figures import site as site_figures
from evaluation.models import AttentionSignal, AttentionThreshold
from sites.access import get_site_for_user

HISTORY_PAGE_SIZE = 50
CHANGES_SHOWN = 30


def _rules(current):
    return [
        {"rule": rule, "parameters": [(p, current[(rule.key, p.key)]) for p in rule.parameters]}
        for rule in attention.RULES
    ]


def thresholds(request):
    """Every rule, its thresholds in force and the latest changes (who, when)."""
    current = attention.thresholds()
    changes = AttentionThreshold.history.select_related("history_user").order_by("-history_date", "-pk")
    return render(
        request,
        "attention/thresholds.html",
        {
            "rules": _rules(current),
            "changes": [(c, attention.BY_KEY.get(c.rule)) for c in changes[:CHANGES_SHOWN]],
            "can_edit": can_edit_attention_thresholds(request.user),
        },
    )


def thresholds_edit(request):
    """The national team changes the thresholds; every site's signals are then refreshed."""
    if not can_edit_attention_thresholds(request.user):
        log_refusal(request, "not_national")
        raise PermissionDenied(_("Réservé à l'équipe nationale"))
    form = ThresholdsForm(request.POST or None, current=attention.thresholds())
    if request.method == "POST":
        if form.is_valid():
            changed = services.thresholds_update(values=form.values(), user=request.user)
            if changed:
                transaction.on_commit(tasks.refresh_attention_signals.delay)
                messages.success(request, _("Seuils enregistrés : les points d'attention sont recalculés."))
            else:
                messages.info(request, _("Aucun seuil n'a changé."))
            return redirect("attention:thresholds")
        messages.error(request, _("Les seuils ne sont pas enregistrés : corrigez les valeurs signalées."))
    return render(request, "attention/thresholds_edit.html", {"form": form})


def site_history(request, slug):
    """A site's signals, open ones first, then by date raised: when each was raised and cleared."""
    site = get_site_for_user(request, slug)
    rows = AttentionSignal.objects.filter(site=site).order_by(
        F("cleared_at").desc(nulls_first=True), "-raised_at", "-pk"
    )
    page = Paginator(rows, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "attention/site_history.html",
        {
            "site": site,
            "page": page,
            "signals": [(s, attention.BY_KEY.get(s.rule)) for s in page.object_list],
            "open": site_figures.attention_signals(site),
        },
    )
