"""How the report tests read a PDF the way its readers do: its structure tree (what a screen reader
follows), its bookmarks, its pages' text with positions (poppler's pdftotext), and the editable
versions as LibreOffice opens them."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pikepdf

A4_HEIGHT = 841.89
# The report's page margins (static/css/report.css): 22 mm at the top, 20 mm at the bottom.
TOP = 22 / 25.4 * 72
BOTTOM = A4_HEIGHT - 20 / 25.4 * 72


@dataclass(frozen=True)
class Element:
    tag: str
    alt: str
    scope: str
    ancestors: tuple[str, ...]


def structure(path: Path) -> list[Element]:
    """The structure elements in reading order, with their alternative text and a header cell's
    scope."""
    found = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root.StructTreeRoot

        def visit(node, ancestors):
            tag = str(node.get("/S", ""))
            attributes = node.get("/A")
            scope = str(attributes.get("/Scope", "")) if isinstance(attributes, pikepdf.Dictionary) else ""
            found.append(Element(tag, str(node.get("/Alt", "")), scope, ancestors))
            kids = node.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    visit(kid, (*ancestors, tag))

        for kid in root.K if isinstance(root.K, pikepdf.Array) else [root.K]:
            visit(kid, ())
    return found


def bookmarks(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) of every bookmark, in order."""
    result = []
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}

        def walk(items, depth):
            for item in items:
                destination = item.destination
                page = pages.get(destination[0].objgen) if destination is not None else None
                result.append((depth, str(item.title), page))
                walk(item.children, depth + 1)

        with pdf.open_outline() as outline:
            walk(outline.root, 1)
    return result


@dataclass(frozen=True)
class Line:
    top: float
    bottom: float
    text: str


def page_lines(path: Path) -> list[list[Line]]:
    """Each page's lines of text with their vertical position (points from the top)."""
    output = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    namespace = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", output))
    pages = []
    for page in root.iter(f"{namespace}page"):
        lines = []
        for line in page.iter(f"{namespace}line"):
            words = [word.text or "" for word in line.iter(f"{namespace}word")]
            lines.append(Line(float(line.get("yMin")), float(line.get("yMax")), " ".join(words)))
        pages.append(sorted(lines, key=lambda line: line.top))
    return pages


def body(lines: list[Line]) -> list[Line]:
    """The lines inside the page's margins (not the running header and footer)."""
    return [line for line in lines if line.top >= TOP - 2 and line.bottom <= BOTTOM + 2]


def header(lines: list[Line]) -> str:
    return " ".join(line.text for line in lines if line.bottom < TOP - 2)


def libreoffice() -> str:
    """LibreOffice's command (scripts/system-deps.sh installs it for the tests)."""
    command = shutil.which("soffice") or shutil.which("libreoffice")
    assert command, "LibreOffice is missing: run scripts/system-deps.sh test"
    return command


def convert(path: Path, target: str, folder: Path) -> Path:
    """The document converted by LibreOffice headless (it opened it, or this fails)."""
    result = subprocess.run(
        [
            libreoffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{folder / 'profil'}",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = folder / f"{path.stem}.{target.split(':')[0]}"
    assert converted.exists(), f"LibreOffice could not open {path.name}: {result.stdout} {result.stderr}"
    return converted
