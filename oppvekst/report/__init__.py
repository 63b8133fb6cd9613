"""The yearly status report for the committee (issue 11): one ``Report`` for a kommune or a bydel
and a year (``build_report``), rendered as PDF (``render_pdf``: HTML and print CSS laid out by
WeasyPrint) or Word (``render_docx``: python-docx). ``python -m oppvekst.report`` is the CLI."""

from __future__ import annotations

from oppvekst.report.content import GoalSection, IndicatorPart, Report, ReportError, build_report

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


def render_pdf(report: Report) -> bytes:
    from oppvekst.report.pdf import render_pdf as render

    return render(report)


def render_docx(report: Report) -> bytes:
    from oppvekst.report.word import render_docx as render

    return render(report)


def render(report: Report, fmt: str) -> bytes:
    """The report as 'pdf' or 'docx' bytes."""
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "docx":
        return render_docx(report)
    raise ValueError(f"unknown report format {fmt!r} (pdf or docx)")


__all__ = [
    "FORMATS",
    "GoalSection",
    "IndicatorPart",
    "Report",
    "ReportError",
    "build_report",
    "render",
    "render_docx",
    "render_pdf",
]
