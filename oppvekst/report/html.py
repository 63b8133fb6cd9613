"""The report as one HTML document with print CSS (A4, page numbers «Side X av Y», the sample
label in every page's header, a table of contents with page numbers), which WeasyPrint lays out
as PDF. Every text is escaped: text from the registry or the files shows as the letters it is."""

from __future__ import annotations

import html

import pandas as pd

from oppvekst.report.content import CHANGE_NOTE, Report, verdict_colour
from oppvekst.report.figures import print_svg

CHART_MM = 112  # a chart's width on the page; its sentences stand beside it

CSS = """
@page {
  size: A4; margin: 19mm 15mm 17mm 15mm;
  @top-left { content: string(doc-title); font-size: 7.5pt; color: #555; }
  @top-right { content: var(--sample); font-size: 8.5pt; font-weight: bold; color: #A0241A; }
  @bottom-left { content: "Oppvekstmonitor"; font-size: 7.5pt; color: #555; }
  @bottom-right { content: "Side " counter(page) " av " counter(pages); font-size: 8pt; color: #333; }
}
html { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9pt; line-height: 1.35; color: #1a1a1a; }
body { margin: 0; }
h1 { font-size: 17pt; margin: 0 0 1mm; string-set: doc-title content(); line-height: 1.2; }
h2 { font-size: 13pt; margin: 5mm 0 2mm; break-after: avoid; }
h3 { font-size: 10pt; margin: 3mm 0 1mm; break-after: avoid; }
p { margin: 0 0 2mm; }
section.first { font-size: 8.4pt; line-height: 1.3; }
section.first h2 { margin: 2mm 0 1.5mm; }
section.first h3 { margin: 2mm 0 0; }
section.first p { margin-bottom: 1.5mm; }
section.first table.small { font-size: 7.6pt; margin-bottom: 2mm; }
section.first table.small td, section.first table.small th { padding: 0.5mm 1.2mm; }
table.overview th:first-child { width: 60%; }
table.overview th.num { width: 10%; }
section.first ol.attention { margin: 1mm 0 1mm; padding-left: 5mm; }
section.first ol.attention li { margin-bottom: 1mm; }
.subtitle { color: #444; margin-bottom: 4mm; }
.sample { border: 1.2pt solid #A0241A; color: #A0241A; padding: 1mm 2.5mm; font-weight: bold; margin: 0 0 2mm; }
section.page { break-before: page; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
th, td { text-align: left; vertical-align: top; padding: 1mm 1.3mm; border-bottom: 0.4pt solid #c8c8c8; }
thead th { border-bottom: 1pt solid #333; font-weight: bold; background: #f1f1f1; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; }
td.nowrap { white-space: nowrap; }
table.goal { font-size: 7.3pt; line-height: 1.25; }
table.goal th:nth-child(1) { width: 17%; }
table.goal th:nth-child(2) { width: 12%; }
table.goal th:nth-child(3) { width: 11%; }
table.goal th:nth-child(4) { width: 15%; }
table.goal th:nth-child(5) { width: 18%; }
table.goal th:nth-child(6) { width: 11%; }
table.goal th:nth-child(7) { width: 16%; }
table.goal tbody th { font-weight: bold; }
table.small { font-size: 8pt; }
table.layout, table.layout > tbody > tr > td { border: 0; padding: 0; margin: 0; }
table.layout > tbody > tr > td { width: 50%; }
table.layout > tbody > tr > td:first-child { padding-right: 4mm; }
table.counts tr:last-child td { font-weight: bold; border-bottom: 0; }
ol.attention li { margin-bottom: 1.5mm; }
.toc ul { list-style: none; padding: 0; margin: 0 0 6mm; font-size: 10pt; }
.toc li { margin: 0 0 2mm; }
.toc a { color: inherit; text-decoration: none; }
.toc a::after { content: leader(".") target-counter(attr(href), page); }
.legend { font-size: 8pt; }
.legend li { margin-bottom: 1.2mm; }
.indicator { display: flex; gap: 4mm; break-inside: avoid; margin: 0 0 3mm; padding-top: 1mm; border-top: 0.4pt solid #ddd; }
.indicator .chart { flex: 0 0 CHART_MMmm; color: #222; }
.indicator .text { flex: 1 1 0; font-size: 8.5pt; }
.indicator .text h3 { margin-top: 0; }
.intro { margin-bottom: 2mm; }
.note { font-size: 8pt; color: #444; }
.tiltak { white-space: pre-line; }
""".replace("CHART_MM", str(CHART_MM))


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


NOWRAP = ("Lastet", "Sist lastet inn", "Perioder i rapporten")  # dates and periods in one piece


def table_html(df: pd.DataFrame, cls: str = "", row_header: str | None = None, numeric: tuple[str, ...] = ()) -> str:
    """A table with a repeated header row; verdict cells take their symbol's colour."""
    head = "".join(f'<th scope="col"{" class=num" if c in numeric else ""}>{esc(c)}</th>' for c in df.columns)
    body = []
    for rec in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, rec):
            text = esc(v)
            if c == row_header:
                cells.append(f'<th scope="row">{text}</th>')
                continue
            colour = verdict_colour(c, v)
            style = f' style="color:{colour}"' if colour else ""
            klass = ' class="num"' if c in numeric else ' class="tiltak"' if c == "Tiltak" else ""
            klass = ' class="nowrap"' if c in NOWRAP else klass
            cells.append(f"<td{klass}{style}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def first_page(report: Report) -> str:
    """Page 1, for politicians: goals, the summary, the counts, what needs attention."""
    out = ['<section class="first">', f"<h1>{esc(report.title)}</h1>", f'<p class="subtitle">{esc(report.subtitle)}. '
           f"Data sist oppdatert {esc(report.loaded_at)}.</p>"]  # fmt: skip
    if report.sample_label:
        out.append(f'<p class="sample">{esc(report.sample_label)}. Tallene er generert for å vise hvordan '
                   "verktøyet virker.</p>")  # fmt: skip
    out.append('<h2 id="sammendrag">Sammendrag</h2>')
    out += [f"<p>{esc(p)}</p>" for p in report.summary]
    out.append(
        table_html(
            report.goals_overview,
            "small overview",
            numeric=("Indikatorer", "▲ Sikkert bedre", "▼ Sikkert dårligere", "Nådd eller på vei"),
        )
    )
    out.append(  # side by side (a layout table: WeasyPrint lays out tables in flex boxes badly)
        '<table class="layout"><tr><td>'
        + table_html(report.change_counts, "small counts", numeric=("Antall",))
        + "</td><td>"
        + table_html(report.target_counts, "small counts", numeric=("Antall",))
        + "</td></tr></table>"
    )
    out.append(f'<p class="note">{esc(CHANGE_NOTE)}</p>')
    out.append("<h3>Trenger oppmerksomhet</h3>")
    if report.attention:
        items = "".join(f"<li><strong>{esc(a['title'])}</strong>: {esc(a['text'])}</li>" for a in report.attention)
        out.append(f'<ol class="attention">{items}</ol>')
    if report.attention_rest:
        out.append(f"<p>{esc(report.attention_rest)}</p>")
    out.append("</section>")
    return "".join(out)


def toc_page(report: Report) -> str:
    items = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in report.sections)
    legend = "".join(f"<li>{esc(t)}</li>" for t in report.legend)
    return (
        f'<section class="page toc"><h2>Innhold</h2><ul>{items}</ul>'
        f'<h2>Slik leser du tabellene</h2><ul class="legend">{legend}</ul></section>'
    )


def goal_pages(report: Report) -> str:
    out = []
    for g in report.goals:
        out.append(f'<section class="page goal"><h2 id="{esc(g.anchor)}">{esc(g.goal)}</h2>')
        if g.intro:
            out.append(f'<p class="intro">{esc(g.intro)}</p>')
        out.append(table_html(g.table, "goal", row_header="Hva"))
        for part in g.indicators:
            sentences = "".join(f"<p>{esc(s)}</p>" for s in part.sentences)
            out.append(
                f'<div class="indicator"><div class="chart">{print_svg(part.chart_svg, CHART_MM)}</div>'
                f'<div class="text"><h3>{esc(part.title)}</h3>{sentences}</div></div>'
            )
        out.append("</section>")
    return "".join(out)


def owners_page(report: Report) -> str:
    return (
        '<section class="page"><h2 id="ansvar">Ansvar og tiltak</h2>'
        f'<p class="note">{esc(report.owners_note)}</p>{table_html(report.owners, "small", row_header="Hva")}</section>'
    )


def effects_page(report: Report) -> str:
    if not report.effects:
        return ""
    out = ['<section class="page"><h2 id="effekt">Effekt av tiltak</h2>']
    for e in report.effects:
        out.append(
            f'<h3>{esc(e["name"])}: {esc(e["indicator"])}</h3><p class="note">{esc(e["where"])}</p>'
            f'<p>{esc(e["text"])}</p><p class="note">{esc(e["method"])}</p>'
        )
    out.append("</section>")
    return "".join(out)


def methods_page(report: Report) -> str:
    out = ['<section class="page"><h2 id="metode">Metode og kilder</h2>']
    out += [f"<p>{esc(p)}</p>" for p in report.methods]
    out.append("<h3>Kilder og perioder</h3>")
    out.append(table_html(report.sources, "small", numeric=("Indikatorer",)))
    out.append("<h3>Innlastede filer</h3>")
    out.append(table_html(report.loads, "small", numeric=("Nr.", "Rader", "Skjermet")))
    if report.loads_note:
        out.append(f'<p class="note">{esc(report.loads_note)}</p>')
    out.append("<h3>Personvern: tall som ikke vises</h3><ul>")
    out += [f"<li>{esc(p)}</li>" for p in report.privacy]
    out.append("</ul></section>")
    return "".join(out)


def document(report: Report) -> str:
    """The whole report as one HTML document, ready for WeasyPrint."""
    sample = f'"{report.sample_label}"' if report.sample_label else '""'
    css = CSS.replace("var(--sample)", sample)  # the label is ours, never text from a file
    return (
        f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>{esc(report.title)}</title>'
        f"<style>{css}</style></head><body>"
        f"{first_page(report)}{toc_page(report)}{goal_pages(report)}{owners_page(report)}{effects_page(report)}{methods_page(report)}"
        "</body></html>"
    )
