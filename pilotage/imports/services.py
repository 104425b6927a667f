"""Import of past meetings and actions from a spreadsheet: the dry run, the import, and the
files waiting for their confirmation.

The flow: read the file (`reading.read_rows`: CSV with `;` or `,` in UTF-8, UTF-8 with BOM or
Windows-1252, or XLSX, in a child process under a memory and time ceiling), match its header to
the kind's columns, put the rows in a tablib Dataset and hand it to the kind's django-import-export
Resource (`resources`): a dry run for the preview, then the import, every row or none, in one
transaction. Errors name the line (the spreadsheet's row number, the header being line 1), the
column and the reason, in French.

Ours rather than the library's: the header matching (names compared without case, accents or
punctuation, unknown columns reported and left out, required ones demanded) and the line
numbers, since the Dataset holds only the non-empty rows of the known columns; the library reads
a Dataset whose headers are already its column names.
"""

import datetime
import logging
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.imports.reading import ImportFileError, read_rows
from pilotage.imports.resources import (
    ActionResource,
    Column,
    MeetingResource,
    SiteRowsResource,
    blank,
    is_example,
    normalise,
    quote,
)
from sites.models import Site

MAX_REPORTED_ERRORS = 200
# Where a checked file waits for its confirmation (storage API, server-chosen names).
PENDING_DIR = "imports"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportKind:
    slug: str
    label: str | Promise
    resource: type[SiteRowsResource]
    filename: str

    def columns(self) -> list[Column]:
        return self.resource().columns()


KINDS = {
    "reunions": ImportKind("reunions", gettext_lazy("Réunions"), MeetingResource, "modele-import-reunions"),
    "actions": ImportKind("actions", gettext_lazy("Actions"), ActionResource, "modele-import-actions"),
}


@dataclass
class ImportReport:
    """What a file would create (dry run) or has created, and every problem found."""

    kind: ImportKind
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    # The data of each row, as given to the service, with its line.
    rows: list[dict] = field(default_factory=list)
    new_partners: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and bool(self.rows)

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(message)

    @property
    def hidden_errors(self) -> int:
        return self.error_count - len(self.errors)

    def preview(self, limit: int = 200) -> tuple[list[str], list[list[str]]]:
        """Headers and the first `limit` rows as text, for the dry-run page."""
        shown = [column for column in self.kind.columns() if column.key in self.kind.resource.preview]
        return (
            [_("Ligne"), *(capfirst(column.header) for column in shown)],
            [[str(row["line"]), *(c.widget.render(row[c.key]) for c in shown)] for row in self.rows[:limit]],
        )


def _map_header(header: list, columns: list[Column], report: ImportReport) -> dict[int, Column]:
    by_name = {normalise(c.header): c for c in columns}
    mapping: dict[int, Column] = {}
    seen: set[str] = set()
    for index, cell in enumerate(header):
        if blank(cell):
            continue
        column = by_name.get(normalise(cell))
        if column is None:
            report.warnings.append(
                _("Colonne « %(name)s » ignorée : elle ne fait pas partie du modèle.") % {"name": quote(cell)}
            )
            continue
        if column.attribute in seen:
            report.error(_("Colonne « %(name)s » en double : gardez-en une seule.") % {"name": column.header})
            continue
        seen.add(column.attribute)
        mapping[index] = column
    for column in columns:
        if column.required and column.attribute not in seen:
            report.error(
                _("Colonne « %(name)s » absente : ajoutez-la (reprenez le modèle à télécharger).")
                % {"name": column.header}
            )
    return mapping


def _dataset(
    rows: list[list], mapping: dict[int, Column], report: ImportReport
) -> tuple[tablib.Dataset, list[int]]:
    """The non-empty rows under the known columns, named by their keys; and the line of each."""
    width = len(rows[0])
    dataset = tablib.Dataset(headers=[column.column_name for column in mapping.values()])
    lines = []
    title_at = next((index for index, column in mapping.items() if column.key == "title"), None)
    for line, cells in enumerate(rows[1:], start=2):
        if all(blank(c) for c in cells):
            continue
        if title_at is not None and title_at < len(cells) and is_example(cells[title_at]):
            report.warnings.append(_("Ligne %(line)s : ligne d'exemple du modèle, ignorée.") % {"line": line})
            continue
        if any(not blank(c) for c in cells[width:]):
            report.error(
                _("Ligne %(line)s : plus de cellules remplies que de colonnes dans l'en-tête.")
                % {"line": line}
            )
            continue
        dataset.append([cells[index] if index < len(cells) else None for index in mapping])
        lines.append(line)
    return dataset, lines


def _report_result(report: ImportReport, result, lines: list[int], headers: dict[str, str]) -> None:
    """The library's findings as French messages, by line and column."""
    for base_error in result.base_errors:
        logger.error("Import failed before its rows", exc_info=base_error.error)
        report.error(_("L'import a échoué : rien n'est importé. Réessayez dans un moment."))
    problems = [(row.number, row.error_dict) for row in result.invalid_rows]
    for number, row_errors in result.row_errors():
        for row_error in row_errors:
            logger.error("Import of a row failed", exc_info=row_error.error)
        problems.append((number, {NON_FIELD_ERRORS: [_("la ligne n'a pas pu être enregistrée.")]}))
    for number, by_column in sorted(problems, key=lambda problem: problem[0]):
        line = lines[number - 1]
        for key, reasons in by_column.items():
            for reason in reasons:
                if key == NON_FIELD_ERRORS:
                    report.error(_("Ligne %(line)s : %(reason)s") % {"line": line, "reason": reason})
                else:
                    report.error(
                        _("Ligne %(line)s, colonne « %(column)s » : %(reason)s")
                        % {"line": line, "column": headers[key], "reason": reason}
                    )


def _run(*, site: Site, kind: ImportKind, data: bytes, user, dry_run: bool) -> ImportReport:
    report = ImportReport(kind=kind)
    rows = read_rows(data)
    if not rows:
        raise ImportFileError(_("Le fichier est vide : partez du modèle à télécharger."))
    columns = kind.columns()
    mapping = _map_header(rows[0], columns, report)
    if report.error_count:
        return report
    dataset, lines = _dataset(rows, mapping, report)
    resource = kind.resource(site=site, user=user)
    result = resource.import_data(
        dataset,
        # A line refused before the Dataset (`_dataset`) means nothing is created either.
        dry_run=dry_run or bool(report.error_count),
        rollback_on_validation_errors=True,
    )
    _report_result(report, result, lines, {c.attribute: c.header for c in columns})
    report.rows = [
        {"line": lines[number - 1], **values} for number, values in sorted(resource.accepted.items())
    ]
    report.new_partners = sorted(resource.new_partners.values(), key=str.casefold)
    if not report.rows and not report.error_count:
        report.error(_("Le fichier ne contient aucune ligne à importer sous l'en-tête."))
    return report


def check_file(*, site: Site, kind: ImportKind, data: bytes) -> ImportReport:
    """Dry run: read and check every row; nothing is written. Raises ImportFileError."""
    return _run(site=site, kind=kind, data=data, user=None, dry_run=True)


def import_file(*, site: Site, kind: ImportKind, data: bytes, user) -> ImportReport:
    """Check the file again and create every row through the app's services, in one
    transaction, or nothing on any error. Raises ImportFileError.

    Returns the report; `report.ok` tells whether the rows were created.
    """
    return _run(site=site, kind=kind, data=data, user=user, dry_run=False)


# Files waiting for their confirmation


def pending_file_save(data: bytes, token: str) -> str:
    """Keep a checked file until its confirmation; the stored name."""
    return default_storage.save(f"{PENDING_DIR}/{token}", ContentFile(data))


def pending_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files checked more than ATC_IMPORT_PENDING_HOURS ago and never confirmed (a
    confirmed or replaced file is deleted at once); how many were deleted.

    A file may hold personal data (minutes, names): it is not kept for an import nobody finished.
    """
    limit = (now or timezone.now()) - datetime.timedelta(hours=settings.ATC_IMPORT_PENDING_HOURS)
    try:
        _dirs, names = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue  # confirmed or replaced meanwhile
    return deleted
