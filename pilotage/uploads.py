"""Checks on uploaded attachments: size, type detected from the content, matching extension.

The browser's content type and the file name are both chosen by the sender, so neither is trusted:
the type is read from the file's first bytes (and, for office documents, from the zip's table of
contents), then the extension must name that same type.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", ("pdf",))
ODT = FileType("ODT", "application/vnd.oasis.opendocument.text", ("odt",))
ODS = FileType("ODS", "application/vnd.oasis.opendocument.spreadsheet", ("ods",))
DOCX = FileType(
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
CSV = FileType("CSV", "text/csv", ("csv",))
JPEG = FileType("JPEG", "image/jpeg", ("jpg", "jpeg"))
PNG = FileType("PNG", "image/png", ("png",))

ACCEPTED_TYPES = (PDF, ODT, DOCX, XLSX, ODS, CSV, JPEG, PNG)
ACCEPTED_EXTENSIONS = {ext: kind for kind in ACCEPTED_TYPES for ext in kind.extensions}
ODF_MIMETYPES = {ODT.content_type: ODT, ODS.content_type: ODS}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Enough bytes to tell a text file from a binary one without reading 10 MB into memory twice.
TEXT_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    file_type: FileType
    extension: str
    size: int


def accepted_formats_label() -> str:
    return ", ".join(kind.label for kind in ACCEPTED_TYPES)


def _zip_type(uploaded) -> FileType | None:
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", errors="replace").strip()
                return ODF_MIMETYPES.get(declared)
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return DOCX
                if any(name.startswith("xl/") for name in names):
                    return XLSX
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def _is_text(sample: bytes) -> bool:
    if not sample or b"\x00" in sample:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError as exc:
            # A multi-byte UTF-8 character cut at the end of the sample is still text.
            if encoding == "utf-8" and exc.start >= len(sample) - 3:
                return True
            continue
        return True
    return False


def detect_type(uploaded) -> FileType | None:
    """The accepted type the content shows, or None when it is none of them."""
    uploaded.seek(0)
    head = uploaded.read(TEXT_SNIFF_BYTES)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(uploaded)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(PNG_SIGNATURE):
        return PNG
    if _is_text(head):
        return CSV
    return None


def check_upload(uploaded) -> CheckedUpload:
    """Accept the file or raise a ValidationError saying, in French, why it is refused."""
    max_bytes = settings.ATC_MAX_UPLOAD_BYTES
    if uploaded.size == 0:
        raise ValidationError(_("Le fichier est vide : choisissez un autre fichier."), "empty")
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("Fichier trop volumineux (%(size)s) : la taille maximale est de %(max)s.")
            % {"size": filesizeformat(uploaded.size), "max": filesizeformat(max_bytes)},
            "too_big",
        )
    extension = PurePath(uploaded.name or "").suffix.lower().lstrip(".")
    if extension not in ACCEPTED_EXTENSIONS:
        raise ValidationError(
            _("Type de fichier non accepté. Formats acceptés : %(formats)s.")
            % {"formats": accepted_formats_label()},
            "type",
        )
    detected = detect_type(uploaded)
    if detected is None:
        raise ValidationError(
            _(
                "Le contenu du fichier ne correspond à aucun format accepté (%(formats)s) : "
                "enregistrez-le dans l'un de ces formats."
            )
            % {"formats": accepted_formats_label()},
            "type",
        )
    if extension not in detected.extensions:
        raise ValidationError(
            _(
                "L'extension « .%(ext)s » ne correspond pas au contenu du fichier, qui est "
                "un fichier %(kind)s : renommez-le ou enregistrez-le au bon format."
            )
            % {"ext": extension, "kind": detected.label},
            "mismatch",
        )
    return CheckedUpload(file_type=detected, extension=extension, size=uploaded.size)


def safe_download_name(name: str) -> str:
    """The original name without path parts, control or quoting characters, for the header."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(char for char in base if char.isprintable() and char not in '"\\/;:*?<>|\r\n\t').strip(
        " ."
    )
    return cleaned[:150] or "piece-jointe"
