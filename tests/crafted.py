"""Hostile files built by hand: zip bombs, XLSX with shared strings or a DTD, macro documents, PDFs
with actions. Each is written the way an attacker would, not through the library we defend."""

import io
import zipfile

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
XLSX_PARTS = {
    "[Content_Types].xml": CONTENT_TYPES,
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL}">'
        '<sheets><sheet name="Actions" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}
SST_START = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'


def sheet_xml(rows: list[list[int]]) -> str:
    """A worksheet whose cells point into the shared-string table."""
    cells = "".join(
        f'<row r="{r}">' + "".join(f'<c t="s"><v>{index}</v></c>' for index in row) + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
    return f"{head}<sheetData>{cells}</sheetData></worksheet>"


def _xlsx(write_strings, rows, *, extra: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in {**XLSX_PARTS, **(extra or {})}.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml(rows))
        # Streamed into the zip: the test process never holds the decompressed text.
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            write_strings(part)
    return buffer.getvalue()


def xlsx_with_strings(strings: list[str], rows: list[list[int]], prolog: str = "") -> bytes:
    """An XLSX whose first sheet shows `rows` of indexes into `strings`."""

    def write(part):
        part.write(('<?xml version="1.0" encoding="UTF-8"?>' + prolog).encode())
        part.write(SST_START.split("?>", 1)[1].encode())
        for text in strings:
            part.write(f"<si><t>{text}</t></si>".encode())
        part.write(b"</sst>")

    return _xlsx(write, rows)


def shared_strings_bomb(megabytes: int = 400) -> bytes:
    """~400 KB on disk, `megabytes` MB of shared strings once decompressed (finding 1 of issue 12)."""

    def write(part):
        part.write(SST_START.encode())
        chunk = b"<si><t>" + b"A" * 1_000_000 + b"</t></si>"
        for _ in range(megabytes):
            part.write(chunk)
        part.write(b"</sst>")

    return _xlsx(write, [["0", "1"]])


def many_strings_xlsx(count: int) -> bytes:
    """An honest-looking XLSX (ratio ~5:1) with `count` distinct short shared strings: slow to read."""
    return xlsx_with_strings([f"{n:x}" for n in range(count)], [[0, 1]])


def zipped(entries: dict[str, bytes | str], level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


WORD_CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="{type}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx(*, macro: bool = False) -> bytes:
    """A Word document; with `macro`, a VBA project inside (what a .docm holds, here named .docx)."""
    entries = {
        "[Content_Types].xml": WORD_CONTENT_TYPES.format(type=DOCM_MAIN if macro else DOCX_MAIN),
        "word/document.xml": "<w:document/>",
    }
    if macro:
        entries["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    return zipped(entries)


def zip_bomb_xlsx(megabytes: int = 200) -> bytes:
    """An XLSX-shaped zip whose one sheet is `megabytes` MB of zeros (about 200 KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(megabytes):
                part.write(b"\x00" * 1_000_000)
    return buffer.getvalue()


def pdf(*objects: str) -> bytes:
    """A small PDF whose catalog carries `objects` (dictionary entries) beside its pages."""
    catalog = "<< /Type /Catalog /Pages 2 0 R " + " ".join(objects) + " >>"
    body = [
        f"1 0 obj {catalog} endobj",
        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj",
    ]
    return ("%PDF-1.7\n" + "\n".join(body) + "\ntrailer << /Root 1 0 R >>\n%%EOF\n").encode("latin-1")


def pdf_with_compressed(dictionary: str) -> bytes:
    """A PDF hiding `dictionary` in a Flate-compressed object stream (PDF 1.5+)."""
    import zlib

    stream = zlib.compress(dictionary.encode("latin-1"))
    head = f"4 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {len(stream)} >>\nstream\n"
    return pdf().replace(b"trailer", head.encode() + stream + b"\nendstream endobj\ntrailer")
