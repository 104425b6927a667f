"""Checks on uploaded attachments: size, type detected from the content, matching extension, and
nothing that can act when a colleague opens the file.

The browser's content type and the file name are both chosen by the sender, so neither is trusted:
the type is read from the file's first bytes (and, for office documents, from the zip's table of
contents), then the extension must name that same type. Then the content is checked for what
would act on the reader's machine: macros (VBA projects, ActiveX, ODF Basic or scripts), PDF
actions (JavaScript, launch, embedded files, an opening action that is not a page), a zip outside
the archive bounds (`atc.archives`), markup (HTML, SVG) in a CSV. Each refusal says why, in French.
"""

import re
import zlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from atc import archives


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
# Office formats that carry macros by definition; refused whatever their content.
MACRO_EXTENSIONS = {"docm", "dotm", "xlsm", "xltm", "xlsb", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm"}
# Zip members that hold code: VBA projects, ActiveX controls, ODF Basic macros and scripts.
MACRO_MEMBER = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml|activex/)|^(basic|scripts)/", re.IGNORECASE)
# Control characters (all but tab, line feed and carriage return): they never occur in a CSV and
# betray a binary file; RFC 5545 forbids them in a calendar's text (pilotage/ical.py).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Markup a browser or a spreadsheet's HTML import would render or run.
MARKUP = re.compile(
    rb"<\s*(script|svg|html|body|iframe|object|embed|!doctype|\?xml|img|a\s|meta|link|style)|javascript:",
    re.IGNORECASE,
)
# PDF names (after #xx escapes are decoded) that make a document act: scripts, launching
# programs, embedded files, forms sending data, rich media. /OpenAction and /AA are checked apart.
PDF_ACTIVE_NAMES = {
    b"JavaScript",
    b"JS",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"SubmitForm",
    b"ImportData",
    b"GoToE",
    b"XFA",
}
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n")
# Object streams are decompressed to be checked too, within this budget.
PDF_INFLATE_BUDGET = 32 * 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    file_type: FileType
    extension: str
    size: int


def accepted_formats_label() -> str:
    return ", ".join(kind.label for kind in ACCEPTED_TYPES)


class Refused(ValidationError):
    """The file is refused for what it holds; the message says why."""


def _macro_refusal() -> Refused:
    return Refused(
        _(
            "Ce document contient des macros ou des contrôles actifs, refusés par sécurité : "
            "enregistrez-le sans macros (DOCX, XLSX, ODT, ODS) ou en PDF."
        ),
        "macro",
    )


def _zip_type(uploaded) -> FileType | None:
    """The office type a zip holds, after its bounds and its members are checked."""
    uploaded.seek(0)
    try:
        archive, members = archives.open_checked(uploaded)
    except archives.ArchiveUnreadable:
        return None
    except archives.ArchiveRefused as exc:
        raise Refused(str(exc), "archive") from exc
    with archive:
        names = {member.filename for member in members}
        if any(MACRO_MEMBER.search(name) for name in names):
            raise _macro_refusal()
        if "mimetype" in names:
            with archive.open("mimetype") as entry:
                declared = entry.read(100).decode("ascii", errors="replace").strip()
            return ODF_MIMETYPES.get(declared)
        if "[Content_Types].xml" in names:
            with archive.open("[Content_Types].xml") as entry:
                content_types = entry.read(1024 * 1024).lower()
            if b"macroenabled" in content_types or b"vbaproject" in content_types:
                raise _macro_refusal()
            if any(name.startswith("word/") for name in names):
                return DOCX
            if any(name.startswith("xl/") for name in names):
                return XLSX
    return None


def _pdf_unescaped(data: bytes) -> bytes:
    """`data` with #xx escapes in names decoded: /Open#41ction is /OpenAction to a PDF reader."""
    return PDF_NAME.sub(
        lambda m: b"/" + PDF_HEX.sub(lambda h: bytes([int(h.group(1), 16)]), m.group(1)), data
    )


def _pdf_names(data: bytes) -> set[bytes]:
    return set(PDF_NAME.findall(_pdf_unescaped(data)))


def _pdf_object_streams(data: bytes):
    """The decompressed content of the PDF's object streams (where PDF 1.5+ hides dictionaries)."""
    budget = PDF_INFLATE_BUDGET
    for match in PDF_STREAM.finditer(data):
        dictionary = data[max(0, match.start() - 1024) : match.start()].rsplit(b"obj", 1)[-1]
        names = _pdf_names(dictionary)
        if b"ObjStm" not in names:
            continue
        if names & {b"ASCIIHexDecode", b"ASCII85Decode", b"LZWDecode", b"RunLengthDecode", b"Crypt"}:
            # A chain of filters we do not undo: its content cannot be checked.
            yield b"/JavaScript"
            continue
        inflater = zlib.decompressobj()
        try:
            content = inflater.decompress(data[match.end() :], budget)
        except zlib.error:
            continue
        budget -= len(content)
        if budget <= 0:
            raise Refused(
                _("Le PDF est anormalement compressé : enregistrez-le à nouveau (« Imprimer en PDF »)."),
                "archive",
            )
        yield content


def _pdf_refusal(data: bytes) -> Refused | None:
    """Why the PDF would act when opened, or None when it holds nothing active."""
    for part in (data, *_pdf_object_streams(data)):
        part = _pdf_unescaped(part)
        # /AA: actions run when a page or a field is opened, closed, entered…
        if set(PDF_NAME.findall(part)) & (PDF_ACTIVE_NAMES | {b"AA"}):
            break
        # An opening action that is a page to show ([page /Fit]) is harmless; any other is an action.
        opening = re.search(rb"/OpenAction\s*(.)", part)
        if opening and opening.group(1) != b"[":
            break
    else:
        return None
    return Refused(
        _(
            "Ce PDF contient des actions automatiques (JavaScript, lancement de programme, fichier "
            "joint ou formulaire), refusées par sécurité : imprimez-le à nouveau en PDF."
        ),
        "pdf_action",
    )


def _text_refusal(uploaded) -> Refused | None:
    """A CSV must be text from end to end, and hold no markup a browser would render."""
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    if MARKUP.search(data):
        return Refused(
            _(
                "Ce fichier contient du HTML ou du SVG, pas un tableau CSV : joignez le document "
                "en PDF, ou le tableau en CSV, XLSX ou ODS."
            ),
            "markup",
        )
    text = data.decode("utf-8", errors="ignore") if _is_text(data[:TEXT_SNIFF_BYTES]) else ""
    if b"\x00" in data or CONTROL_CHARACTERS.search(text):
        return Refused(
            _(
                "Le contenu du fichier ne correspond à aucun format accepté (%(formats)s) : "
                "enregistrez-le dans l'un de ces formats."
            )
            % {"formats": accepted_formats_label()},
            "type",
        )
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
    if extension in MACRO_EXTENSIONS:
        raise _macro_refusal()
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
    refusal = None
    if detected is PDF:
        uploaded.seek(0)
        refusal = _pdf_refusal(uploaded.read())
        uploaded.seek(0)
    elif detected is CSV:
        refusal = _text_refusal(uploaded)
    if refusal is not None:
        raise refusal
    return CheckedUpload(file_type=detected, extension=extension, size=uploaded.size)


def safe_download_name(name: str) -> str:
    """The original name without path parts, control or quoting characters, for the header."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(char for char in base if char.isprintable() and char not in '"\\/;:*?<>|\r\n\t').strip(
        " ."
    )
    return cleaned[:150] or "piece-jointe"
