"""Reading an uploaded import file into rows, safely: the file's size and kind are checked, a
zip's table of contents is checked against the archive bounds before anything opens it, and the
reading itself happens in a child process under a memory and time ceiling (`sheet_reader`).
Every refusal is an ImportFileError whose message says, in French, why and what to do.
"""

import io
import json
import logging
import signal
import subprocess
import sys

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atc import archives
from pilotage.imports import sheet_reader

logger = logging.getLogger(__name__)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why and what to do, in French."""


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
    "rows": f"{sheet_reader.MAX_ROWS:,}".replace(",", " "),
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
