"""The exports a signed-in person may download, in CSV or XLSX: their own scope's rows only."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from evaluation.exports.datasets import DATASETS, export_csv, export_xlsx


def export_index(request):
    """The exports a signed-in person may download: their own scope's rows only."""
    return render(request, "exports/export_index.html", {"datasets": DATASETS.items()})


def export_download(request, dataset, fmt):
    chosen = DATASETS.get(dataset)
    if chosen is None or fmt not in ("csv", "xlsx"):
        raise Http404("Export inconnu")
    day = timezone.localdate().isoformat()
    if fmt == "csv":
        content, content_type = export_csv(chosen, request.user), "text/csv; charset=utf-8"
    else:
        content = export_xlsx(chosen, request.user)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="atc-{dataset}-{day}.{fmt}"'
    return response
