"""The report as editable documents, ODT (LibreOffice, the format of French public services) and
DOCX (Word), made from the very HTML its PDF is rendered from: same chapters, same sentences, same
tables, same charts. One content, three files.

The HTML is read back into a short list of blocks (headings, paragraphs, lists, tables, figures,
page breaks) which each writer lays out with its library's own styles — « Titre 1…4 » headings a
reader can navigate and restyle, tables with a repeated header row, charts as PNG images (rendered
from the same SVG by cairosvg, at twice the size for print) whose alternative text is the chart's
title and summary, as in the tagged PDF. The table of contents is a plain list of the chapters:
page numbers belong to the PDF, a word processor numbers its own pages.

Built with the PDF by the report's task, in the same limited child process (no database): an
issued report's three files tell the same thing, frozen together.
"""

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import cairosvg
import docx
import tinyhtml5
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from odf import dc, draw, meta, style, svg, table, text
from odf.opendocument import OpenDocumentText

HTML_NS = "{http://www.w3.org/1999/xhtml}"
SVG_NS = "http://www.w3.org/2000/svg"
XMLNS_NS = "{http://www.w3.org/2000/xmlns/}"
LANGUAGE, COUNTRY = "fr", "FR"
# Charts are drawn 640 px wide: rendered at twice that for print, shown 16 cm wide.
PNG_SCALE = 2
FIGURE_WIDTH_CM = 16.0
BLUE = "000091"
LAYOUT_SPACES = re.compile(r"[ \t\n\r\f\v]+")
# Characters XML 1.0 cannot hold (control characters pasted into a logbook entry): both formats
# are XML, and their libraries refuse them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- Blocks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    runs: list[Run]


@dataclass(frozen=True)
class ListBlock:
    items: list[str]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    caption: str
    head: list[list[str]]
    rows: list[list[tuple[str, bool]]]  # (text, is a header cell)


@dataclass(frozen=True)
class Figure:
    png: bytes
    width: int
    height: int
    alt: str
    caption: list[Run]


@dataclass(frozen=True)
class PageBreak:
    """Where the report starts a new page (a chapter, a site): it carries nothing more."""


@dataclass
class Document:
    title: str
    blocks: list = field(default_factory=list)


def _local(element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag[len(HTML_NS) :] if tag.startswith(HTML_NS) else tag


def _squash(value: str) -> str:
    """Collapse the HTML's layout whitespace; keep the no-break spaces of French numbers (« 4 944 »)."""
    return NOT_XML.sub("", LAYOUT_SPACES.sub(" ", value or ""))


def _text(element) -> str:
    """The text of an element as a reader sees it (an SVG's drawing labels left out)."""
    parts = [element.text or ""]
    for child in element:
        if not child.tag.startswith(f"{{{SVG_NS}}}"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return _squash("".join(parts)).strip()


def _runs(element, bold: bool = False) -> list[Run]:
    """The inline runs of a paragraph: bold where the HTML says <strong>."""
    runs = [Run(_squash(element.text), bold)] if element.text else []
    for child in element:
        if child.tag.startswith(f"{{{SVG_NS}}}"):
            continue
        runs += _runs(child, bold or _local(child) in ("strong", "b"))
        if child.tail:
            runs.append(Run(_squash(child.tail), bold))
    return runs


def _trimmed(runs: list[Run]) -> list[Run]:
    runs = [run for run in runs if run.text]
    if runs:
        runs[0] = Run(runs[0].text.lstrip(), runs[0].bold)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].bold)
    return [run for run in runs if run.text]


def _png(svg_element) -> tuple[bytes, int, int]:
    for node in svg_element.iter():
        # The HTML parser keeps `xmlns` as an attribute of its own namespace, which XML forbids.
        for name in [name for name in node.attrib if name.startswith(XMLNS_NS)]:
            del node.attrib[name]
    ET.register_namespace("", SVG_NS)
    markup = ET.tostring(svg_element, encoding="unicode")
    width = float(svg_element.get("width") or 640)
    height = float(svg_element.get("height") or 400)
    png = cairosvg.svg2png(bytestring=markup.encode(), scale=PNG_SCALE, unsafe=False)
    return png, int(width), int(height)


def _table(element) -> Table:
    caption, head, rows = "", [], []

    def cells(row) -> list[tuple[str, bool]]:
        return [(_text(cell), _local(cell) == "th") for cell in row if _local(cell) in ("th", "td")]

    for child in element:
        name = _local(child)
        if name == "caption":
            caption = _text(child)
        elif name == "thead":
            head += [[value for value, _header in cells(row)] for row in child if _local(row) == "tr"]
        elif name in ("tbody", "tfoot"):
            rows += [cells(row) for row in child if _local(row) == "tr"]
        elif name == "tr":
            rows.append(cells(child))
    return Table(caption, head, rows)


def _walk(element, blocks: list) -> None:
    for child in element:
        name = _local(child)
        classes = (child.get("class") or "").split()
        if name in ("style", "script", "link", "meta", "title", "head"):
            continue
        if name in ("section", "nav") and ("chapter" in classes or "site" in classes or "toc" in classes):
            if blocks and not isinstance(blocks[-1], PageBreak):
                blocks.append(PageBreak())
            _walk(child, blocks)
        elif name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            blocks.append(Heading(int(name[1]), _text(child)))
        elif name == "p":
            runs = _trimmed(_runs(child, "highlight-head" in classes))
            if runs:
                blocks.append(Paragraph(runs))
        elif name in ("ul", "ol"):
            # The table of contents' nested list of sites flattens into its parent list.
            items = []
            for item in child.iter(f"{HTML_NS}li"):
                own = [item.text or ""] + [
                    _text(grandchild) + (grandchild.tail or "")
                    for grandchild in item
                    if _local(grandchild) not in ("ul", "ol")
                ]
                items.append(_squash("".join(own)).strip())
            blocks.append(ListBlock([item for item in items if item], ordered=name == "ol"))
        elif name == "dl":
            term = ""
            for entry in child:
                if _local(entry) == "dt":
                    term = _text(entry)
                elif _local(entry) == "dd":
                    blocks.append(Paragraph([Run(f"{term} : ", True), Run(_text(entry))]))
        elif name == "table":
            blocks.append(_table(child))
        elif name == "figure":
            chart = child.find(f"{{{SVG_NS}}}svg")
            caption = child.find(f"{HTML_NS}figcaption")
            if chart is not None:
                title = chart.find(f"{{{SVG_NS}}}title")
                png, width, height = _png(chart)
                blocks.append(
                    Figure(
                        png,
                        width,
                        height,
                        _text(title) if title is not None else "",
                        _trimmed(_runs(caption)) if caption is not None else [],
                    )
                )
        else:
            _walk(child, blocks)


def read_report(html: str) -> Document:
    """The blocks of a report's HTML, in reading order."""
    root = tinyhtml5.parse(html)
    title = root.find(f"{HTML_NS}head/{HTML_NS}title")
    document = Document(title=_text(title) if title is not None else "")
    body = root.find(f"{HTML_NS}body")
    if body is not None:
        _walk(body, document.blocks)
    return document


# --- DOCX -----------------------------------------------------------------------------------------


def _docx_language(document) -> None:
    """French as the language of every style (spelling, hyphenation, screen readers)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), f"{LANGUAGE}-{COUNTRY}")


def _docx_header_row(row) -> None:
    """The row repeats at the top of each page and is the table's header for assistive tools."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def write_docx(document: Document, output: Path) -> None:
    """The report as a Word document."""
    doc = docx.Document()
    doc.core_properties.title = document.title
    doc.core_properties.language = f"{LANGUAGE}-{COUNTRY}"
    doc.core_properties.author = "Plateforme ATC — ANCT"
    _docx_language(doc)
    doc.styles["Normal"].font.size = Pt(10)
    for level in range(1, 5):
        doc.styles[f"Heading {level}"].font.color.rgb = RGBColor.from_string(BLUE)
    pending_break = False
    for block in document.blocks:
        if isinstance(block, PageBreak):
            pending_break = bool(doc.paragraphs)
            continue
        if pending_break:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            pending_break = False
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=min(block.level, 9))
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph()
            for run in block.runs:
                paragraph.add_run(run.text).bold = run.bold or None
        elif isinstance(block, ListBlock):
            for item in block.items:
                doc.add_paragraph(item, style="List Number" if block.ordered else "List Bullet")
        elif isinstance(block, Table):
            _docx_table(doc, block)
        elif isinstance(block, Figure):
            doc.add_picture(io.BytesIO(block.png), width=Cm(FIGURE_WIDTH_CM))
            properties = doc.inline_shapes[-1]._inline.docPr
            properties.set("descr", block.alt)
            properties.set("title", block.alt[:250])
            caption = doc.add_paragraph(style="Caption")
            for run in block.caption:
                caption.add_run(run.text).bold = run.bold or None
    doc.save(str(output))


def _docx_table(doc, block: Table) -> None:
    if block.caption:
        doc.add_paragraph(block.caption, style="Caption")
    columns = max([len(row) for row in block.head] + [len(row) for row in block.rows] + [1])
    grid = doc.add_table(rows=0, cols=columns)
    grid.style = "Table Grid"
    # `row.cells` walks the whole table each time: the row's own cells are read from its XML.
    for head in block.head:
        row = grid.add_row()
        _docx_header_row(row)
        for tc, value in zip(row._tr.tc_lst, head, strict=False):
            _Cell(tc, grid).paragraphs[0].add_run(value).bold = True
    for cells in block.rows:
        row = grid.add_row()
        for tc, (value, header) in zip(row._tr.tc_lst, cells, strict=False):
            _Cell(tc, grid).paragraphs[0].add_run(value).bold = header or None


# --- ODT ------------------------------------------------------------------------------------------


class _OdtStyles:
    """The named styles of the ODT: LibreOffice's own names, so its navigator and restyling work."""

    def __init__(self, doc: OpenDocumentText):
        default = style.DefaultStyle(family="paragraph")
        default.addElement(
            style.TextProperties(language=LANGUAGE, country=COUNTRY, fontsize="10pt", fontname="DejaVu Sans")
        )
        doc.styles.addElement(default)
        self.headings = {}
        sizes = {1: "20pt", 2: "16pt", 3: "13pt", 4: "11pt", 5: "10pt", 6: "10pt"}
        for level, size in sizes.items():
            heading = style.Style(
                name=f"Heading_20_{level}",
                displayname=f"Heading {level}",
                family="paragraph",
                defaultoutlinelevel=str(level),
                nextstylename="Standard",
            )
            heading.addElement(
                style.ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm", keepwithnext="always")
            )
            heading.addElement(style.TextProperties(fontsize=size, fontweight="bold", color=f"#{BLUE}"))
            doc.styles.addElement(heading)
            self.headings[level] = heading
        self.standard = style.Style(name="Standard", family="paragraph")
        self.standard.addElement(style.ParagraphProperties(marginbottom="0.15cm"))
        doc.styles.addElement(self.standard)
        self.caption = style.Style(name="Caption", family="paragraph", parentstylename="Standard")
        self.caption.addElement(style.TextProperties(fontsize="9pt", fontstyle="italic"))
        doc.styles.addElement(self.caption)
        self.page_break = style.Style(name="ATC_20_saut", displayname="ATC saut", family="paragraph")
        self.page_break.addElement(style.ParagraphProperties(breakbefore="page"))
        doc.automaticstyles.addElement(self.page_break)
        self.bold = style.Style(name="ATC_20_gras", displayname="ATC gras", family="text")
        self.bold.addElement(style.TextProperties(fontweight="bold"))
        doc.automaticstyles.addElement(self.bold)
        self.table = style.Style(name="ATC_20_tableau", family="table")
        self.table.addElement(style.TableProperties(width="17cm", align="margins"))
        doc.automaticstyles.addElement(self.table)
        self.cell = style.Style(name="ATC_20_cellule", family="table-cell")
        self.cell.addElement(style.TableCellProperties(border="0.5pt solid #999999", padding="0.05cm"))
        doc.automaticstyles.addElement(self.cell)
        self.frame = style.Style(name="ATC_20_image", family="graphic")
        self.frame.addElement(style.GraphicProperties(anchortype="as-char", verticalpos="top"))
        doc.automaticstyles.addElement(self.frame)


def _odt_runs(paragraph, runs: list[Run], styles: _OdtStyles) -> None:
    for run in runs:
        if run.bold:
            paragraph.addElement(text.Span(stylename=styles.bold, text=run.text))
        else:
            paragraph.addText(run.text)


def write_odt(document: Document, output: Path) -> None:
    """The report as an OpenDocument text."""
    doc = OpenDocumentText()
    styles = _OdtStyles(doc)
    doc.meta.addElement(meta.Generator(text="Plateforme ATC"))
    doc.meta.addElement(dc.Title(text=document.title))
    doc.meta.addElement(dc.Language(text=f"{LANGUAGE}-{COUNTRY}"))
    pending_break = False
    figures = 0
    for block in document.blocks:
        if isinstance(block, PageBreak):
            pending_break = bool(doc.text.childNodes)
            continue
        if pending_break:
            doc.text.addElement(text.P(stylename=styles.page_break))
            pending_break = False
        if isinstance(block, Heading):
            level = min(block.level, 6)
            doc.text.addElement(text.H(outlinelevel=level, stylename=styles.headings[level], text=block.text))
        elif isinstance(block, Paragraph):
            paragraph = text.P(stylename=styles.standard)
            _odt_runs(paragraph, block.runs, styles)
            doc.text.addElement(paragraph)
        elif isinstance(block, ListBlock):
            listing = text.List()
            for item in block.items:
                entry = text.ListItem()
                entry.addElement(text.P(stylename=styles.standard, text=item))
                listing.addElement(entry)
            doc.text.addElement(listing)
        elif isinstance(block, Table):
            _odt_table(doc, block, styles)
        elif isinstance(block, Figure):
            figures += 1
            href = doc.addPicture(f"Pictures/graphique-{figures:03d}.png", "image/png", block.png)
            height_cm = FIGURE_WIDTH_CM * block.height / block.width
            frame = draw.Frame(
                stylename=styles.frame,
                width=f"{FIGURE_WIDTH_CM}cm",
                height=f"{height_cm:.2f}cm",
                anchortype="as-char",
                name=f"Graphique {figures}",
            )
            frame.addElement(draw.Image(href=href))
            frame.addElement(svg.Title(text=block.alt[:250]))
            frame.addElement(svg.Desc(text=block.alt))
            holder = text.P(stylename=styles.standard)
            holder.addElement(frame)
            doc.text.addElement(holder)
            caption = text.P(stylename=styles.caption)
            _odt_runs(caption, block.caption, styles)
            doc.text.addElement(caption)
    doc.save(str(output))


def _odt_table(doc, block: Table, styles: _OdtStyles) -> None:
    if block.caption:
        doc.text.addElement(text.P(stylename=styles.caption, text=block.caption))
    columns = max([len(row) for row in block.head] + [len(row) for row in block.rows] + [1])
    grid = table.Table(stylename=styles.table)
    grid.addElement(table.TableColumn(numbercolumnsrepeated=columns))

    def row_of(cells: list[tuple[str, bool]]):
        row = table.TableRow()
        for value, header in cells + [("", False)] * (columns - len(cells)):
            cell = table.TableCell(stylename=styles.cell, valuetype="string")
            paragraph = text.P(stylename=styles.standard)
            _odt_runs(paragraph, [Run(value, header)] if value else [], styles)
            cell.addElement(paragraph)
            row.addElement(cell)
        return row

    if block.head:
        head = table.TableHeaderRows()
        for cells in block.head:
            head.addElement(row_of([(value, True) for value in cells]))
        grid.addElement(head)
    for cells in block.rows:
        grid.addElement(row_of(cells))
    doc.text.addElement(grid)


def write_documents(html: str, folder: Path) -> dict[str, Path]:
    """Write the report's ODT and DOCX into `folder`: {format: path}. No database."""
    document = read_report(html)
    paths = {}
    for name, writer in (("odt", write_odt), ("docx", write_docx)):
        paths[name] = Path(folder) / f"rapport.{name}"
        writer(document, paths[name])
    return paths
