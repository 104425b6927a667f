"""The open data: a public page that documents the files, and the files. No sign-in (opted out of
LoginRequiredMiddleware): nothing here is personal or scoped (see services.py for what is published)."""

import datetime

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from evaluation.opendata.services import FILES, LICENCE, PACKAGE, RESOURCES, current_package, open_file


@login_not_required
@require_GET
def index(request):
    """The documentation page: licence, files, their columns; when they were last built."""
    package = current_package()
    built_at = datetime.datetime.fromisoformat(package["created"]) if package else None
    return render(
        request,
        "opendata/index.html",
        {"resources": RESOURCES, "licence": LICENCE, "built_at": built_at, "package_name": PACKAGE},
    )


@login_not_required
@require_GET
def download(request, name):
    """One open data file, readable by anyone and from any origin (CORS)."""
    if name not in FILES:
        raise Http404("Fichier inconnu")
    handle, mediatype = open_file(name)
    content_type = f"{mediatype}; charset=utf-8"
    response = FileResponse(handle, content_type=content_type, filename=name)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
