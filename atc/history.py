"""Audit trail: who created and changed a meeting, action, finding, assessment, logbook entry or
site, and when, for those who may read the object."""

from django.apps import apps
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from atc.permissions import get_object_for_user, log_refusal

# URL word → model. Each model has `history = HistoricalRecords()` and a `for_user()` queryset.
TRACKED_MODELS = {
    "meeting": "pilotage.Meeting",
    "action": "pilotage.Action",
    "finding": "diagnostics.Finding",
    "assessment": "diagnostics.Assessment",
    "logbook": "evaluation.LogbookEntry",
    "site": "sites.Site",
}

CHANGE_LABELS = {"+": _("Création"), "~": _("Modification"), "-": _("Suppression")}


def history_entries(obj):
    """The object's history, newest first, each with its author and the labels of the fields
    that changed; two queries whatever the length of the history."""
    records = list(obj.history.select_related("history_user").order_by("history_date", "pk"))
    labels = {field.name: field.verbose_name for field in obj._meta.fields}
    entries = []
    previous = None
    for record in records:
        changed = []
        if previous is not None and record.history_type == "~":
            changed = [str(labels.get(name, name)) for name in record.diff_against(previous).changed_fields]
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "kind": CHANGE_LABELS.get(record.history_type, record.history_type),
                "changed": changed,
            }
        )
        previous = record
    entries.reverse()
    return entries


def history(request, model, pk):
    """The audit trail of one object, reached through its `for_user()` queryset (404 outside)."""
    label = TRACKED_MODELS.get(model)
    if label is None:
        log_refusal(request, "unknown_model", pk)
        raise Http404("Historique introuvable")
    model_class = apps.get_model(label)
    obj = get_object_for_user(request, model_class.objects, pk)
    return render(
        request,
        "atc/history.html",
        {
            "object": obj,
            "model_name": model_class._meta.verbose_name,
            "entries": history_entries(obj),
        },
    )
