"""Import pages: templates to download, upload with a dry-run preview, confirmation."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pilotage.imports import services, templates
from pilotage.imports.reading import ImportFileError
from sites.access import get_site_for_user

PENDING = "pending_imports"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Que contient le fichier ?"),
        choices=[(k.slug, k.label) for k in services.KINDS.values()],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez : réunions ou actions.")},
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV ou XLSX"),
        help_text=gettext_lazy(
            "CSV séparé par des points-virgules ou des virgules (UTF-8 ou Windows-1252), ou XLSX ;"
            " 10 Mo au plus. Rien n'est enregistré avant votre confirmation."
        ),
        error_messages={"required": gettext_lazy("Choisissez le fichier à importer.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Vérifier le fichier")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.ATC_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers."))
        return upload


def _page(request, site, form, report=None, status=200):
    return render(
        request,
        "imports/import.html",
        {
            "site": site,
            "form": form,
            "report": report,
            "kinds": [(k, k.columns()) for k in services.KINDS.values()],
        },
        status=status,
    )


def _remember(request, site, kind, data: bytes, name: str) -> str:
    """Keep the checked file under a server-chosen name until the user confirms (one per user)."""
    pending = request.session.get(PENDING, {})
    for old in pending.values():
        default_storage.delete(old["path"])
    token = uuid.uuid4().hex
    path = services.pending_file_save(data, token)
    request.session[PENDING] = {token: {"site": site.pk, "kind": kind.slug, "path": path, "name": name[:200]}}
    return token


def _forget(request, token: str) -> None:
    pending = request.session.get(PENDING, {})
    entry = pending.pop(token, None)
    if entry:
        default_storage.delete(entry["path"])
    request.session[PENDING] = pending


def import_start(request, slug):
    """Upload: the file is read and checked (dry run); a clean file goes to the preview."""
    site = get_site_for_user(request, slug, write=True)
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST, request.FILES) if posted else ImportUploadForm()
    if not posted or not form.is_valid():
        return _page(request, site, form)
    kind = services.KINDS[form.cleaned_data["kind"]]
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        report = services.check_file(site=site, kind=kind, data=data)
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return _page(request, site, form)
    if not report.ok:
        return _page(request, site, form, report)
    token = _remember(request, site, kind, data, upload.name)
    headers, rows = report.preview()
    return render(
        request,
        "imports/preview.html",
        {
            "site": site,
            "report": report,
            "token": token,
            "file_name": upload.name,
            "headers": headers,
            "rows": rows,
        },
    )


@require_POST
def import_confirm(request, slug):
    """Create every checked row in one transaction, or nothing if the file no longer passes."""
    site = get_site_for_user(request, slug, write=True)
    token = request.POST.get("token", "")
    entry = request.session.get(PENDING, {}).get(token)
    if entry is None or entry["site"] != site.pk or not default_storage.exists(entry["path"]):
        messages.error(request, _("Cet import n'est plus disponible : déposez le fichier à nouveau."))
        return redirect("imports:import_start", slug=site.slug)
    kind = services.KINDS[entry["kind"]]
    with default_storage.open(entry["path"], "rb") as stored:
        data = stored.read()
    _forget(request, token)
    try:
        report = services.import_file(site=site, kind=kind, data=data, user=request.user)
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("imports:import_start", slug=site.slug)
    if not report.ok:
        return _page(request, site, ImportUploadForm(), report)
    if kind.slug == "reunions":
        messages.success(request, _("%(n)s réunion(s) importée(s).") % {"n": len(report.rows)})
        return redirect("pilotage:meeting_list", slug=site.slug)
    messages.success(request, _("%(n)s action(s) importée(s).") % {"n": len(report.rows)})
    return redirect("pilotage:action_list", slug=site.slug)


def import_template(request, slug, kind, fmt):
    """The empty template of a kind, as CSV (`;`, UTF-8 with BOM) or XLSX."""
    get_site_for_user(request, slug, write=True)
    if kind not in services.KINDS or fmt not in CONTENT_TYPES:
        raise Http404("Modèle inconnu")
    import_kind = services.KINDS[kind]
    body = (templates.template_csv if fmt == "csv" else templates.template_xlsx)(import_kind)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{import_kind.filename}.{fmt}"'
    return response
