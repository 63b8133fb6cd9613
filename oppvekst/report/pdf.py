"""The report as PDF: its HTML document (``oppvekst.report.html``) laid out by WeasyPrint, which
draws the inline SVG charts itself (no browser)."""

from __future__ import annotations

from oppvekst.report.content import Report
from oppvekst.report.html import document


def render_pdf(report: Report) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=document(report)).write_pdf()
