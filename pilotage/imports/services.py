"""Import of past meetings and actions from a spreadsheet: templates, reading, checks, creation.

The flow is: read the file (CSV with `;` or `,` in UTF-8, UTF-8 with BOM or Windows-1252; or
XLSX), check every row against the column specs, show a preview, then create all rows or none in
one transaction. Errors name the line (the spreadsheet's row number, the header being line 1),
the column and the reason, in French.

Spreadsheet safety: the file is read in a child process under a memory and time ceiling, after
a zip's bounds are checked (`read_rows`); cells are cut at a bound and error messages quote 80
characters of a cell at most. Text a spreadsheet could run as a formula is stored with a leading
apostrophe (`atc.spreadsheets.neutralise`, the one formula guard); formulas in an XLSX are read as
their text, never evaluated.
"""

import datetime
import io
import json
import logging
import re
import signal
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from atc import archives, bounds, spreadsheets
from atc.spreadsheets import neutralise
from diagnostics.models import Theme
from pilotage.imports import sheet_reader
from pilotage.models import ATTENDANCE_FIELDS, Action, ActionStatusChange, Committee, Meeting
from sites.models import OrganisationCategory, PartnerOrganisation, Site

MAX_ROWS = sheet_reader.MAX_ROWS
MAX_REPORTED_ERRORS = 200
# An error message quotes at most this much of a cell: enough to find it, never the whole cell.
QUOTED_CHARS = 80
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
BATCH = 500
# Where a checked file waits for its confirmation (storage API, server-chosen names).
PENDING_DIR = "imports"


logger = logging.getLogger(__name__)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why and what to do, in French."""


class CellError(Exception):
    """One cell's value is refused; the message is the reason, in French."""


def normalise(text: str) -> str:
    """Lower-case letters and digits only, accents removed: « Participant·es État » matches."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _quote(value) -> str:
    """A cell as an error message quotes it: one line, QUOTED_CHARS characters at most."""
    text = " ".join(_display(value).split())
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


def _display(value) -> str:
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


# Cell parsers: (raw value, import context) -> Python value; raise CellError with the reason.


def _text(max_length: int, required: bool = False):
    def parse(raw, ctx):
        text = "" if raw is None else _display(raw).strip()
        if not text:
            if required:
                raise CellError(_("valeur obligatoire manquante : remplissez cette cellule."))
            return ""
        text = neutralise(text)
        if len(text) > max_length:
            # The reader cuts cells at MAX_CELL_CHARS: past it, the exact length is unknown.
            count = str(len(text)) if len(text) < sheet_reader.MAX_CELL_CHARS else f"{len(text) - 1}+"
            raise CellError(
                _("le texte fait %(n)s caractères, %(max)s au plus : raccourcissez-le.")
                % {"n": count, "max": max_length}
            )
        return text

    return parse


def _out_of_range(value: str, kind: str) -> CellError:
    return CellError(_("« %(value)s » : %(rule)s") % {"value": value, "rule": bounds.RANGES[kind].message})


def _date(required: bool = False):
    def parse(raw, ctx):
        if isinstance(raw, datetime.datetime):
            raw = raw.date()
        if isinstance(raw, datetime.date):
            if not bounds.within("date", raw):
                raise _out_of_range(f"{raw:%d/%m/%Y}", "date")
            return raw
        text = "" if raw is None else str(raw).strip()
        if not text:
            if required:
                raise CellError(_("date obligatoire manquante (JJ/MM/AAAA)."))
            return None
        for fmt in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if not bounds.within("date", day):
                raise _out_of_range(text, "date")
            return day
        raise CellError(_("« %(value)s » n'est pas une date valide (JJ/MM/AAAA).") % {"value": _quote(text)})

    return parse


def _count(kind: str = "count"):
    def parse(raw, ctx):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        text = _display(raw).strip().replace("\u202f", "").replace(" ", "")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value():
            raise CellError(
                _("« %(value)s » n'est pas un nombre entier. %(rule)s")
                % {"value": _quote(raw), "rule": bounds.RANGES[kind].message}
            )
        if not bounds.within(kind, number):
            raise _out_of_range(_display(raw).strip(), kind)
        return int(number)

    return parse


def _choice(choices: Iterable[tuple[str, str]], required: bool = False, default: str = ""):
    choices = list(choices)
    lookup = {}
    for value, label in choices:
        lookup[normalise(value)] = value
        lookup[normalise(label)] = value
    allowed = ", ".join(str(label) for _v, label in choices)

    def parse(raw, ctx):
        text = "" if raw is None else str(raw).strip()
        if not text:
            if required:
                raise CellError(
                    _("valeur obligatoire manquante (valeurs possibles : %(allowed)s).")
                    % {"allowed": allowed}
                )
            return default
        value = lookup.get(normalise(text))
        if value is None:
            raise CellError(
                _("« %(value)s » n'est pas une valeur possible (valeurs possibles : %(allowed)s).")
                % {"value": _quote(text), "allowed": allowed}
            )
        return value

    return parse


def _committee(raw, ctx):
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    committee = ctx.committees.get(normalise(text))
    if committee is None:
        known = ", ".join(c.name for c in ctx.committees.values()) or _("aucune")
        raise CellError(
            _(
                "« %(value)s » n'est pas une instance de ce site (instances : %(known)s). "
                "Créez-la d'abord ou corrigez le nom."
            )
            % {"value": _quote(text), "known": known}
        )
    return committee


def _theme(raw, ctx):
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    theme = ctx.themes.get(normalise(text))
    if theme is None:
        known = ", ".join(t.name for t in ctx.theme_list)
        raise CellError(
            _("« %(value)s » n'est pas une thématique connue (thématiques : %(known)s).")
            % {"value": _quote(text), "known": known}
        )
    return theme


def _partners(raw, ctx):
    text = "" if raw is None else str(raw)
    names = []
    for part in re.split(r"[;\n]", text):
        name = neutralise(" ".join(part.split()))
        if not name:
            continue
        if len(name) > 200:
            raise CellError(_("un nom d'organisation dépasse 200 caractères : raccourcissez-le."))
        if normalise(name) not in {normalise(n) for n in names}:
            names.append(name)
    return names


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()


MEETING_KINDS = [(v, label) for v, label in Meeting.Kind.choices if v not in Meeting.NATIONAL_KINDS]


def _meeting_columns() -> list[Column]:
    columns = [
        Column("date", "date", _date(required=True), True, _("JJ/MM/AAAA")),
        Column(
            "kind",
            "type",
            _choice(MEETING_KINDS, required=True),
            True,
            _("Une des valeurs de la liste"),
            tuple(str(label) for _v, label in MEETING_KINDS),
        ),
        Column("title", "intitulé", _text(200, required=True), True, _("200 caractères au plus")),
        Column(
            "format",
            "format",
            _choice(Meeting.Format.choices, default=Meeting.Format.IN_PERSON),
            False,
            _("En présentiel par défaut"),
            tuple(str(label) for _v, label in Meeting.Format.choices),
        ),
        Column("committee", "instance", _committee, False, _("Nom d'une instance existante du site")),
        Column("location", "lieu", _text(200), False, _("200 caractères au plus")),
        Column("agenda", "ordre du jour", _text(20_000), False, _("Texte libre")),
        Column("minutes", "compte rendu", _text(100_000), False, _("Texte libre")),
        Column(
            "minutes_status",
            "état du compte rendu",
            _choice(Meeting.MinutesStatus.choices),
            False,
            _("Déduit du compte rendu s'il est vide"),
            tuple(str(label) for _v, label in Meeting.MinutesStatus.choices),
        ),
    ]
    for category, field_name in ATTENDANCE_FIELDS.items():
        header = f"participant·es {OrganisationCategory(category).label}"
        columns.append(Column(field_name, header, _count(), False, _("Nombre entier, 0 si vide")))
    return columns


def _action_columns() -> list[Column]:
    return [
        Column("title", "intitulé", _text(200, required=True), True, _("200 caractères au plus")),
        Column("description", "description", _text(20_000), False, _("Texte libre")),
        Column("theme", "thématique", _theme, False, _("Une thématique du catalogue national")),
        Column(
            "status",
            "état",
            _choice(Action.Status.choices, default=Action.Status.IDEA),
            False,
            _("Idée par défaut"),
            tuple(str(label) for _v, label in Action.Status.choices),
        ),
        Column("progress", "avancement (%)", _count("percent"), False, _("Nombre entier de 0 à 100")),
        Column("residents_reached", "habitant·es touché·es", _count(), False, _("Nombre entier")),
        Column("start_date", "début", _date(), False, _("JJ/MM/AAAA")),
        Column("end_date", "fin", _date(), False, _("JJ/MM/AAAA, après le début")),
        Column(
            "partners",
            "partenaires",
            _partners,
            False,
            _("Noms séparés par des points-virgules ; les noms inconnus sont créés."),
        ),
        Column("outcomes", "résultats", _text(20_000), False, _("Texte libre")),
    ]


@dataclass
class _Context:
    site: Site
    committees: dict = field(default_factory=dict)
    themes: dict = field(default_factory=dict)
    theme_list: list = field(default_factory=list)
    partners: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ImportKind:
    slug: str
    label: str | Promise
    columns: Callable[[], list[Column]]
    filename: str


KINDS = {
    "reunions": ImportKind("reunions", gettext_lazy("Réunions"), _meeting_columns, "modele-import-reunions"),
    "actions": ImportKind("actions", gettext_lazy("Actions"), _action_columns, "modele-import-actions"),
}


@dataclass
class ImportReport:
    """What a file would create (dry run) or has created, and every problem found."""

    kind: ImportKind
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
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
        if self.kind.slug == "reunions":
            headers = [_("Ligne"), _("Date"), _("Type"), _("Intitulé"), _("Instance"), _("Participant·es")]
            rows = [
                [
                    str(r["line"]),
                    f"{r['date']:%d/%m/%Y}",
                    str(Meeting.Kind(r["kind"]).label),
                    r["title"],
                    r["committee"].name if r["committee"] else "—",
                    str(sum(r[f] or 0 for f in ATTENDANCE_FIELDS.values())),
                ]
                for r in self.rows[:limit]
            ]
        else:
            headers = [
                _("Ligne"),
                _("Intitulé"),
                _("Thématique"),
                _("État"),
                _("Début"),
                _("Fin"),
                _("Partenaires"),
            ]
            rows = [
                [
                    str(r["line"]),
                    r["title"],
                    r["theme"].name if r["theme"] else "—",
                    str(Action.Status(r["status"]).label),
                    f"{r['start_date']:%d/%m/%Y}" if r["start_date"] else "—",
                    f"{r['end_date']:%d/%m/%Y}" if r["end_date"] else "—",
                    ", ".join(r["partners"]) or "—",
                ]
                for r in self.rows[:limit]
            ]
        return headers, rows


# Reading files


READ_ERRORS = {
    "utf16": gettext_lazy(
        "Le fichier est en UTF-16, un encodage non pris en charge : enregistrez-le en "
        "« CSV UTF-8 » ou en « CSV (séparateur : point-virgule) »."
    ),
    "binary": gettext_lazy(
        "Ce fichier n'est ni un CSV ni un classeur XLSX lisible (contenu binaire). "
        "Partez du modèle à télécharger sur cette page."
    ),
    "encoding": gettext_lazy(
        "L'encodage du fichier n'est pas reconnu : enregistrez-le en UTF-8 ou en "
        "Windows-1252 (« CSV (séparateur : point-virgule) » dans Excel)."
    ),
    "xlsx": gettext_lazy(
        "Le classeur n'a pas pu être lu : enregistrez-le au format XLSX (Excel) ou CSV, à partir du modèle."
    ),
    "dtd": gettext_lazy(
        "Le classeur contient une déclaration DTD ou d'entités XML, refusée par sécurité : "
        "enregistrez-le à nouveau depuis Excel ou LibreOffice, ou partez du modèle."
    ),
    "columns": gettext_lazy(
        "Une ligne du fichier a plus de %(columns)s cellules remplies : gardez les colonnes du modèle."
    ),
    "text": gettext_lazy(
        "Le fichier contient plus de %(millions)s millions de caractères de texte : découpez-le en "
        "plusieurs fichiers."
    ),
    "rows": gettext_lazy("Le fichier dépasse %(rows)s lignes : découpez-le en plusieurs fichiers."),
}
READ_LIMITS = {
    "columns": sheet_reader.MAX_COLUMNS,
    "millions": sheet_reader.MAX_TEXT_CHARS // 1_000_000,
    "rows": f"{MAX_ROWS:,}".replace(",", " "),
}


def _read_in_child(data: bytes) -> list[list]:
    """The file's rows, read by `pilotage.imports.sheet_reader` in a child under the memory and time
    ceiling; raises ImportFileError with the French reason when the file cannot be read."""
    seconds = settings.ATC_IMPORT_READ_SECONDS
    memory_mb = settings.ATC_IMPORT_READ_MEMORY_MB
    command = [
        sys.executable,
        "-m",
        "pilotage.imports.sheet_reader",
        str(memory_mb * 1024 * 1024),
        str(seconds),
    ]
    too_slow = ImportFileError(
        _(
            "La lecture du fichier a dépassé %(seconds)s secondes : découpez-le en plusieurs "
            "fichiers ou partez du modèle."
        )
        % {"seconds": seconds}
    )
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=seconds, cwd=settings.BASE_DIR, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise too_slow from exc
    if done.returncode == -signal.SIGXCPU:
        raise too_slow
    if done.returncode != 0:
        if done.returncode not in (sheet_reader.MEMORY_EXIT_CODE, -signal.SIGKILL, -signal.SIGABRT):
            logger.warning("Import reader exited with %s: %s", done.returncode, done.stderr[-2000:])
        raise ImportFileError(
            _(
                "Le fichier demande plus de %(mb)s Mo de mémoire pour être lu : découpez-le en "
                "plusieurs fichiers ou partez du modèle."
            )
            % {"mb": memory_mb}
        )
    result = json.loads(done.stdout, object_hook=sheet_reader.decode_cell)
    if "error" in result:
        code = result["error"]
        if code == "csv":
            raise ImportFileError(
                _("Le fichier CSV est mal formé (%(reason)s) : vérifiez les guillemets.")
                % {"reason": result["detail"]}
            )
        raise ImportFileError(str(READ_ERRORS[code]) % READ_LIMITS)
    return result["rows"]


def read_rows(data: bytes) -> list[list]:
    """All rows of the file (header first), by its content, whatever its name says.

    A zip (XLSX) is checked against the archive bounds before anything opens it; the reading
    itself happens in a child process under a memory and time ceiling (`pilotage.imports.sheet_reader`).
    """
    if not data.strip():
        raise ImportFileError(_("Le fichier est vide : partez du modèle à télécharger."))
    if len(data) > settings.ATC_MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("Le fichier dépasse %(mb)s Mo : découpez-le en plusieurs fichiers.")
            % {"mb": settings.ATC_MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _(
                "Le format XLS (Excel 97-2003) n'est pas pris en charge : enregistrez le "
                "fichier en XLSX ou en CSV."
            )
        )
    if data.startswith(b"PK\x03\x04"):
        try:
            archive, _members = archives.open_checked(io.BytesIO(data))
        except archives.ArchiveUnreadable as exc:
            raise ImportFileError(str(READ_ERRORS["xlsx"])) from exc
        except archives.ArchiveRefused as exc:
            raise ImportFileError(str(exc)) from exc
        archive.close()
    return _read_in_child(data)


# Checking rows


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _map_header(header: list, columns: list[Column], report: ImportReport) -> dict[int, Column]:
    by_name = {normalise(c.header): c for c in columns}
    mapping: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        if _blank(cell):
            continue
        column = by_name.get(normalise(cell))
        if column is None:
            report.warnings.append(
                _("Colonne « %(name)s » ignorée : elle ne fait pas partie du modèle.")
                % {"name": _quote(cell)}
            )
            continue
        if column.key in seen:
            report.error(_("Colonne « %(name)s » en double : gardez-en une seule.") % {"name": column.header})
            continue
        seen[column.key] = index
        mapping[index] = column
    for column in columns:
        if column.required and column.key not in seen:
            report.error(
                _("Colonne « %(name)s » absente : ajoutez-la (reprenez le modèle à télécharger).")
                % {"name": column.header}
            )
    return mapping


def _context(site: Site, kind: ImportKind) -> _Context:
    ctx = _Context(site=site)
    if kind.slug == "reunions":
        ctx.committees = {normalise(c.name): c for c in Committee.objects.filter(site=site)}
    else:
        ctx.theme_list = list(Theme.objects.all())
        ctx.themes = {normalise(t.name): t for t in ctx.theme_list}
        ctx.themes.update({normalise(t.code): t for t in ctx.theme_list})
        ctx.partners = {normalise(p.name): p for p in PartnerOrganisation.objects.filter(site=site)}
    return ctx


def _check_meeting(values: dict, seen: set, existing: set) -> list[tuple[str, str]]:
    problems = []
    if values.get("minutes") and not values.get("minutes_status"):
        values["minutes_status"] = Meeting.MinutesStatus.DRAFT
    values["minutes_status"] = values.get("minutes_status") or Meeting.MinutesStatus.NONE
    if values["minutes_status"] != Meeting.MinutesStatus.NONE and not values.get("minutes"):
        problems.append(
            (
                "état du compte rendu",
                _(
                    "« %(status)s » demande un compte rendu : remplissez la colonne « compte "
                    "rendu » ou indiquez « Pas de compte rendu »."
                )
                % {"status": Meeting.MinutesStatus(values["minutes_status"]).label},
            )
        )
    key = (values["date"], normalise(values["title"]), values["kind"])
    if key in existing:
        problems.append(
            (
                "intitulé",
                _(
                    "la réunion « %(title)s » du %(date)s existe déjà sur ce site : retirez la "
                    "ligne pour ne pas la créer en double."
                )
                % {"title": _quote(values["title"]), "date": f"{values['date']:%d/%m/%Y}"},
            )
        )
    elif key in seen:
        problems.append(
            (
                "intitulé",
                _("cette réunion figure déjà plus haut dans le fichier (même date, type et intitulé)."),
            )
        )
    seen.add(key)
    return problems


def _check_action(values: dict, seen: set, existing: set) -> list[tuple[str, str]]:
    problems = []
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        problems.append(
            (
                "fin",
                _("« %(end)s » est avant la date de début (%(start)s) : corrigez l'une des deux.")
                % {"end": f"{end:%d/%m/%Y}", "start": f"{start:%d/%m/%Y}"},
            )
        )
    if values.get("progress") is None:
        values["progress"] = 100 if values.get("status") == Action.Status.DONE else 0
    key = normalise(values["title"])
    if key in existing:
        problems.append(
            (
                "intitulé",
                _(
                    "l'action « %(title)s » existe déjà sur ce site : retirez la ligne pour ne "
                    "pas la créer en double."
                )
                % {"title": _quote(values["title"])},
            )
        )
    elif key in seen:
        problems.append(("intitulé", _("cette action figure déjà plus haut dans le fichier.")))
    seen.add(key)
    return problems


def _existing_keys(site: Site, kind: ImportKind) -> set:
    if kind.slug == "reunions":
        return {
            (date, normalise(title), meeting_kind)
            for date, title, meeting_kind in Meeting.objects.filter(site=site).values_list(
                "date", "title", "kind"
            )
        }
    return {normalise(t) for t in Action.objects.filter(site=site).values_list("title", flat=True)}


def check_file(*, site: Site, kind: ImportKind, data: bytes) -> ImportReport:
    """Dry run: read and check every row; nothing is written. Raises ImportFileError."""
    report = ImportReport(kind=kind)
    rows = read_rows(data)
    if not rows:
        raise ImportFileError(_("Le fichier est vide : partez du modèle à télécharger."))
    columns = kind.columns()
    mapping = _map_header(rows[0], columns, report)
    if report.error_count:
        return report
    ctx = _context(site, kind)
    check = _check_meeting if kind.slug == "reunions" else _check_action
    seen: set = set()
    existing = _existing_keys(site, kind)
    new_partners: dict[str, str] = {}
    # Optional columns left out of the file take their default value.
    mapped = {c.key for c in mapping.values()}
    defaults = {c.key: c.parse(None, ctx) for c in columns if c.key not in mapped}
    for line, cells in enumerate(rows[1:], start=2):
        if all(_blank(c) for c in cells):
            continue
        extra = [c for i, c in enumerate(cells) if i not in mapping and i >= len(rows[0])]
        if any(not _blank(c) for c in extra):
            report.error(
                _("Ligne %(line)s : plus de cellules remplies que de colonnes dans l'en-tête.")
                % {"line": line}
            )
            continue
        values, failed = {}, False
        for index, column in mapping.items():
            raw = cells[index] if index < len(cells) else None
            try:
                values[column.key] = column.parse(raw, ctx)
            except CellError as exc:
                failed = True
                report.error(
                    _("Ligne %(line)s, colonne « %(column)s » : %(reason)s")
                    % {"line": line, "column": column.header, "reason": exc}
                )
        if failed:
            continue
        values.update(defaults)
        for column_name, reason in check(values, seen, existing):
            report.error(
                _("Ligne %(line)s, colonne « %(column)s » : %(reason)s")
                % {"line": line, "column": column_name, "reason": reason}
            )
            failed = True
        if failed:
            continue
        for name in values.get("partners", []):
            if normalise(name) not in ctx.partners:
                new_partners.setdefault(normalise(name), name)
        values["line"] = line
        report.rows.append(values)
    report.new_partners = sorted(new_partners.values(), key=str.casefold)
    if not report.rows and not report.error_count:
        report.error(_("Le fichier ne contient aucune ligne à importer sous l'en-tête."))
    return report


# Creating rows


def _create_meetings(site: Site, user, rows: list[dict]) -> int:
    meetings = [
        Meeting(
            site=site,
            created_by=user,
            **{key: value for key, value in row.items() if key != "line"},
        )
        for row in rows
    ]
    for meeting in meetings:
        for field_name in ATTENDANCE_FIELDS.values():
            if getattr(meeting, field_name) is None:
                setattr(meeting, field_name, 0)
    bulk_create_with_history(meetings, Meeting, batch_size=BATCH, default_user=user)
    return len(meetings)


def _create_actions(site: Site, user, rows: list[dict], new_partner_names: list[str]) -> int:
    known = {normalise(p.name): p for p in PartnerOrganisation.objects.filter(site=site)}
    created_partners = PartnerOrganisation.objects.bulk_create(
        [
            PartnerOrganisation(site=site, name=name, category=OrganisationCategory.OTHER)
            for name in new_partner_names
            if normalise(name) not in known
        ]
    )
    known.update({normalise(p.name): p for p in created_partners})
    actions = [
        Action(
            site=site,
            created_by=user,
            residents_reached=row.get("residents_reached") or 0,
            **{
                key: value
                for key, value in row.items()
                if key not in {"line", "partners", "residents_reached"}
            },
        )
        for row in rows
    ]
    bulk_create_with_history(actions, Action, batch_size=BATCH, default_user=user)
    through = Action.partners.through
    links = [
        through(action_id=action.pk, partnerorganisation_id=known[normalise(name)].pk)
        for action, row in zip(actions, rows, strict=True)
        for name in row["partners"]
    ]
    through.objects.bulk_create(links, batch_size=BATCH)
    ActionStatusChange.objects.bulk_create(
        [
            ActionStatusChange(action=action, from_status="", to_status=action.status, changed_by=user)
            for action in actions
        ],
        batch_size=BATCH,
    )
    return len(actions)


def import_file(*, site: Site, kind: ImportKind, data: bytes, user) -> ImportReport:
    """Check the file again, then create every row in one transaction, or nothing on any error.

    Returns the report; `report.ok` tells whether the rows were created.
    """
    report = check_file(site=site, kind=kind, data=data)
    if not report.ok:
        return report
    with transaction.atomic():
        if kind.slug == "reunions":
            _create_meetings(site, user, report.rows)
        else:
            _create_actions(site, user, report.rows, report.new_partners)
    return report


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


# Templates


def template_csv(kind: ImportKind) -> bytes:
    """The CSV template: the header line, `;`-separated, UTF-8 with a BOM (Excel opens it)."""
    return spreadsheets.csv_bytes([c.header for c in kind.columns()], [])


def template_xlsx(kind: ImportKind) -> bytes:
    """The XLSX template: the header row with drop-down lists, and a help sheet per column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    cell_value = spreadsheets.xlsx_cell
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spreadsheets.sheet_title(kind.label, set())
    columns = kind.columns()
    sheet.append([cell_value(c.header) for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 4)
        if column.key in {"date", "start_date", "end_date"}:
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "DD/MM/YYYY"
        if column.choices:
            listing = '"' + ",".join(neutralise(c) for c in column.choices) + '"'
            validation = DataValidation(type="list", formula1=listing, allow_blank=not column.required)
            validation.errorStyle = "warning"
            sheet.add_data_validation(validation)
            validation.add(f"{cell.column_letter}2:{cell.column_letter}5000")
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(spreadsheets.sheet_title(_("Aide"), {sheet.title.casefold()}))
    help_sheet.append([cell_value(h) for h in (_("colonne"), _("obligatoire"), _("format"))])
    for column in columns:
        help_sheet.append(
            [
                cell_value(column.header),
                cell_value(_("oui") if column.required else _("non")),
                cell_value(column.help + (" : " + ", ".join(column.choices) if column.choices else "")),
            ]
        )
    help_sheet.column_dimensions["A"].width = 32
    help_sheet.column_dimensions["C"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
