"""Reading an import file (CSV or XLSX) into rows, in a child process under a memory and time ceiling.

Run as `python -m pilotage.imports.sheet_reader MEMORY_BYTES SECONDS` with the file on stdin; it answers
one JSON object on stdout: `{"rows": [[...], ...]}` or `{"error": code, "detail": text}` (the
parent, `pilotage.imports.services`, turns the code into a French message). This module imports no Django:
it runs in a fresh interpreter.

Why a fresh interpreter rather than parsing in the web process or a fork of it: openpyxl keeps an
XLSX's whole shared-string table in memory (~57 µs and ~140 bytes per string: a 3.6 MB file took
85 s and 204 MiB), so only a ceiling the kernel enforces bounds it; and gunicorn's workers are
threaded, where a fork copies locks other threads hold. The fresh interpreter costs about 0.2 s
per upload (measured by `make bench`).

Whatever the file holds, the rows that come back are bounded: MAX_ROWS rows of MAX_COLUMNS
cells, each cell cut at MAX_CELL_CHARS, MAX_TEXT_CHARS characters in all.
"""

import csv
import datetime
import io
import json
import re
import resource
import sys
import warnings
import zipfile

# Rows per file: the confirm saves each row through the form's service (about 3 ms a row), so 5,000
# rows stay well under the 60-second request timeout (`make bench`, bench/imports.py). A site's
# whole history is a few hundred to a thousand meetings.
MAX_ROWS = 5_000
MAX_COLUMNS = 100
# The longest column holds 100,000 characters: one more lets the check say the text is too long.
MAX_CELL_CHARS = 100_001
# A little more than a 10 MB CSV can hold: the rows the web process receives stay this small.
MAX_TEXT_CHARS = 12_000_000
MEMORY_EXIT_CODE = 3
# Control characters never occur in a spreadsheet's text export; they betray a binary file.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A DTD can declare entities (billion laughs, external files); no Office part needs one.
DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
XML_SUFFIXES = (".xml", ".rels", ".vml")


class ReadError(Exception):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


class _Rows:
    """Collects rows within the bounds above."""

    def __init__(self):
        self.rows: list[list] = []
        self.chars = 0

    def add(self, values) -> None:
        cells = list(values)
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise ReadError("columns")
        for index, value in enumerate(cells):
            if isinstance(value, str):
                if len(value) > MAX_CELL_CHARS:
                    cells[index] = value = value[:MAX_CELL_CHARS]
                self.chars += len(value)
        if self.chars > MAX_TEXT_CHARS:
            raise ReadError("text")
        self.rows.append(cells)
        if len(self.rows) > MAX_ROWS + 1:
            raise ReadError("rows")


def _refuse_dtd(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part holding a DTD, before a parser sees it (defusedxml is the second guard)."""
    keep = max(len(marker) for marker in DTD_MARKERS)
    for member in archive.infolist():
        if not member.filename.lower().endswith(XML_SUFFIXES):
            continue
        with archive.open(member) as part:
            tail = b""
            while chunk := part.read(256 * 1024):
                window = tail + chunk
                if any(marker in window for marker in DTD_MARKERS):
                    raise ReadError("dtd")
                tail = window[-keep:]


def read_xlsx(data: bytes) -> list[list]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _refuse_dtd(archive)
    except zipfile.BadZipFile as exc:
        raise ReadError("xlsx") from exc
    # local import: the child reading a CSV starts without loading the spreadsheet library.
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    rows = _Rows()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it skips (styles, extensions): harmless.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                sheet = workbook.worksheets[0]
                # The declared dimensions may claim 16,384 columns: read the cells actually there.
                sheet.reset_dimensions()
                for values in sheet.iter_rows(values_only=True):
                    rows.add(values)
            finally:
                workbook.close()
    except (ReadError, MemoryError):
        raise
    except DefusedXmlException as exc:
        raise ReadError("dtd") from exc
    except Exception as exc:
        # Any failure inside the spreadsheet library means a file it cannot read.
        raise ReadError("xlsx", type(exc).__name__) from exc
    return rows.rows


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("utf16")
    if b"\x00" in data:
        raise ReadError("binary")
    # A BOM promises UTF-8; without one, UTF-8 is tried first since Windows-1252 decodes almost
    # any byte sequence.
    encodings = ("utf-8-sig",) if data.startswith(b"\xef\xbb\xbf") else ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError("encoding")
    if CONTROL_CHARACTERS.search(text):
        raise ReadError("binary")
    return text


def read_csv(data: bytes) -> list[list]:
    text = decode(data)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows = _Rows()
    # The module's own field limit (128 KiB) would refuse a long text the row check explains better.
    csv.field_size_limit(MAX_TEXT_CHARS)
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.add(values)
    except csv.Error as exc:
        raise ReadError("csv", str(exc)[:80]) from exc
    return rows.rows


def read(data: bytes) -> list[list]:
    """The file's rows (header first), by its content: XLSX when it is a zip, CSV otherwise."""
    return read_xlsx(data) if data.startswith(b"PK\x03\x04") else read_csv(data)


def _encode(value):
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    return str(value)


def decode_cell(obj: dict):
    """The JSON hook of the parent: dates come back as dates."""
    if "datetime" in obj:
        return datetime.datetime.fromisoformat(obj["datetime"])
    if "date" in obj:
        return datetime.date.fromisoformat(obj["date"])
    return obj


def main(memory_bytes: int, seconds: int) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # CPU time as a second fence; the parent also kills the child after `seconds` of wall time.
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    data = sys.stdin.buffer.read()
    try:
        result = {"rows": read(data)}
    except ReadError as exc:
        result = {"error": exc.code, "detail": exc.detail}
    except MemoryError:
        return MEMORY_EXIT_CODE
    try:
        json.dump(result, sys.stdout, default=_encode)
    except MemoryError:
        return MEMORY_EXIT_CODE
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
