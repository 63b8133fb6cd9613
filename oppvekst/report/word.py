"""The report as Word (.docx, python-docx): the same sections and tables as the PDF, headings in
Word's own heading styles (so Word's table of contents works; one is inserted as a field), real
tables whose header row repeats on every page, the sample label in every section's header and
«Side X av Y» in the footer. Charts are the same SVG as PNG (CairoSVG). Every text goes in as
text: nothing is a formula or HTML."""

from __future__ import annotations

import io

import pandas as pd

from oppvekst.report.content import Report, verdict_colour
from oppvekst.report.figures import png

CONTENT_MM = 180  # A4 less the margins
GOAL_WIDTHS = [17, 12, 11, 15, 18, 11, 16]  # per cent of the width, as in the PDF
RED = "A0241A"
FONT = "Arial"  # in Word everywhere; LibreOffice shows its metric twin (Liberation Sans)


def _ns(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _el(tag: str, **attrs):
    from docx.oxml import OxmlElement

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(_ns(k), v)
    return el


def _field(paragraph, instruction: str, result: str = "", end: bool = True) -> None:
    """A Word field (PAGE, NUMPAGES, TOC) in ``paragraph``; ``result`` is shown until Word updates it."""
    run = paragraph.add_run()
    run._r.append(_el("w:fldChar", **{"w:fldCharType": "begin"}))
    instr = _el("w:instrText", **{"xml:space": "preserve"})
    instr.text = f" {instruction} "
    run._r.append(instr)
    run._r.append(_el("w:fldChar", **{"w:fldCharType": "separate"}))
    paragraph.add_run(result)
    if end:
        _field_end(paragraph)


def _field_end(paragraph) -> None:
    paragraph.add_run()._r.append(_el("w:fldChar", **{"w:fldCharType": "end"}))


# The elements that follow <w:updateFields> in <w:settings> (ECMA-376 CT_Settings): Word refuses
# a file whose settings are out of order.
SETTINGS_AFTER_UPDATE = {
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
    "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
    "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
    "decimalSymbol", "listSeparator",
}  # fmt: skip


def _insert_before(parent, el, successors: set[str]) -> None:
    """Put ``el`` in ``parent`` before the first child the schema says must follow it."""
    for child in parent:
        if isinstance(child.tag, str) and child.tag.split("}")[-1] in successors:
            child.addprevious(el)
            return
    parent.append(el)


def _font(style, name: str) -> None:
    """A style's font for every script (the template's theme fonts would otherwise win)."""
    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(_ns(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(_ns(attr), None)


def _right_tab(paragraph) -> None:
    """One tab stop, at the right margin (the header and footer styles' own stops are for Letter paper)."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Inches, Mm

    stops = paragraph.paragraph_format.tab_stops
    for pos in (Inches(3.25), Inches(6.5)):
        stops.add_tab_stop(pos, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(Mm(CONTENT_MM), WD_TAB_ALIGNMENT.RIGHT)


def _setup(doc, report: Report) -> None:
    from docx.shared import Mm, Pt, RGBColor

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    section.header_distance = section.footer_distance = Mm(9)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        _font(doc.styles[name], FONT)
    normal.element.get_or_add_rPr().append(_el("w:lang", **{"w:val": "nb-NO"}))
    doc.core_properties.title = report.title
    doc.core_properties.language = "nb-NO"
    doc.core_properties.author = "Oppvekstmonitor"
    # the header: the report's title, and the sample label at the right edge of every page
    head = section.header.paragraphs[0]
    _right_tab(head)
    title = head.add_run(report.title)
    title.font.size = Pt(8)
    if report.sample_label:
        head.add_run("\t")
        label = head.add_run(report.sample_label)
        label.bold = True
        label.font.size = Pt(9)
        label.font.color.rgb = RGBColor.from_string(RED)
    foot = section.footer.paragraphs[0]
    _right_tab(foot)
    foot.add_run("Oppvekstmonitor\tSide ").font.size = Pt(8)
    _field(foot, "PAGE", "1")
    foot.add_run(" av ")
    _field(foot, "NUMPAGES", "1")
    for run in foot.runs:
        run.font.size = Pt(8)
    # Word fills in the table of contents and the page numbers when the file is opened
    _insert_before(doc.settings.element, _el("w:updateFields", **{"w:val": "true"}), SETTINGS_AFTER_UPDATE)


def _table(doc, df: pd.DataFrame, widths: list[float] | None = None, size: float = 8, row_header: str | None = None):
    """A real Word table: header row repeated on every page, verdict cells in their symbol's colour."""
    from docx.shared import Mm, Pt, RGBColor

    cols = list(df.columns)
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    table.autofit = False
    widths = widths or [100 / len(cols)] * len(cols)
    mm = [Mm(CONTENT_MM * w / 100) for w in widths]
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(_el("w:tblHeader", **{"w:val": "true"}))
    for cell, name, w in zip(header.cells, cols, mm):
        cell.width = w
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(name))
        run.bold = True
        run.font.size = Pt(size)
        cell._tc.get_or_add_tcPr().append(_el("w:shd", **{"w:val": "clear", "w:color": "auto", "w:fill": "EDEDED"}))
    for rec in df.itertuples(index=False):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(_el("w:cantSplit", **{"w:val": "true"}))
        for cell, name, value, w in zip(row.cells, cols, rec, mm):
            cell.width = w
            lines = str(value).split("\n")
            par = cell.paragraphs[0]
            colour = None if name == row_header else verdict_colour(name, value)
            for i, line in enumerate(lines):
                run = par.add_run(line)
                run.font.size = Pt(size)
                if i < len(lines) - 1:
                    run.add_break()
                if name == row_header:
                    run.bold = True
                elif colour:
                    run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))
    for col, w in zip(table.columns, mm):
        col.width = w
    doc.add_paragraph()
    return table


def _toc(doc, report: Report) -> None:
    """Word's own table of contents (a TOC field over the Heading 1 paragraphs); until Word
    updates it, the section names stand in its place."""
    names = [t for _, t in report.sections]
    first = doc.add_paragraph()
    _field(first, 'TOC \\o "1-1" \\h \\z \\u', names[0], end=len(names) == 1)
    for i, name in enumerate(names[1:], start=1):
        p = doc.add_paragraph(name)
        if i == len(names) - 1:
            _field_end(p)


def render_docx(report: Report) -> bytes:
    import docx
    from docx.shared import Mm, Pt, RGBColor

    doc = docx.Document()
    _setup(doc, report)
    doc.add_heading(report.title, level=0)
    doc.add_paragraph(f"{report.subtitle}. Data sist oppdatert {report.loaded_at}.")
    if report.sample_label:
        p = doc.add_paragraph()
        run = p.add_run(f"{report.sample_label}. Tallene er generert for å vise hvordan verktøyet virker.")
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(RED)
    doc.add_heading("Sammendrag", level=1)
    for text in report.summary:
        doc.add_paragraph(text)
    _table(doc, report.goals_overview, [52, 12, 12, 12, 12])
    _table(doc, report.change_counts, [85, 15])
    _table(doc, report.target_counts, [85, 15])
    doc.add_heading("Trenger oppmerksomhet", level=2)
    for item in report.attention:
        p = doc.add_paragraph(style="List Number")
        p.add_run(item["title"]).bold = True
        p.add_run(f": {item['text']}")
    if report.attention_rest:
        doc.add_paragraph(report.attention_rest)

    doc.add_page_break()
    doc.add_heading("Innhold", level=2)
    _toc(doc, report)
    doc.add_heading("Slik leser du tabellene", level=2)
    for text in report.legend:
        p = doc.add_paragraph(text, style="List Bullet")
        for run in p.runs:
            run.font.size = Pt(9)

    for goal in report.goals:
        doc.add_page_break()
        doc.add_heading(goal.goal, level=1)
        if goal.intro:
            doc.add_paragraph(goal.intro)
        _table(doc, goal.table, GOAL_WIDTHS, size=7.5, row_header="Hva")
        for part in goal.indicators:
            heading = doc.add_heading(part.title, level=3)
            heading.paragraph_format.keep_with_next = True
            pic = doc.add_paragraph()
            pic.paragraph_format.keep_with_next = True
            shape = pic.add_run().add_picture(io.BytesIO(png(part.chart_svg)), width=Mm(125))
            shape._inline.docPr.set("descr", part.chart_label)
            for text in part.sentences:
                doc.add_paragraph(text)

    doc.add_page_break()
    doc.add_heading("Ansvar og tiltak", level=1)
    doc.add_paragraph(report.owners_note)
    _table(doc, report.owners, [30, 30, 40], row_header="Hva")

    if report.effects:
        doc.add_page_break()
        doc.add_heading("Effekt av tiltak", level=1)
        for e in report.effects:
            doc.add_heading(f"{e['name']}: {e['indicator']}", level=3)
            doc.add_paragraph(e["where"])
            doc.add_paragraph(e["text"])
            doc.add_paragraph(e["method"])

    doc.add_page_break()
    doc.add_heading("Metode og kilder", level=1)
    for text in report.methods:
        doc.add_paragraph(text)
    doc.add_heading("Kilder og perioder", level=2)
    _table(doc, report.sources, [36, 12, 26, 26])
    doc.add_heading("Innlastede filer", level=2)
    _table(doc, report.loads, [7, 33, 28, 16, 8, 8])
    if report.loads_note:
        doc.add_paragraph(report.loads_note)
    doc.add_heading("Personvern: tall som ikke vises", level=2)
    for text in report.privacy:
        doc.add_paragraph(text, style="List Bullet")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
