"""The report's charts on paper: the pages' SVG (``oppvekst.charts.series_chart``) made ready for
print, and as PNG for Word (CairoSVG, on the system's cairo; no browser)."""

from __future__ import annotations

import re

INK = "#222222"  # the pages' charts take the theme's text colour; paper is white


def print_svg(svg: str, width: float | None = None, unit: str = "mm") -> str:
    """The chart with a fixed ink colour and, given ``width`` (in ``unit``), a fixed size in
    the proportions of its viewBox instead of the page's «100 %»."""
    out = svg.replace("currentColor", INK)
    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', out)
    if width is not None and m:
        w, h = float(m[1]), float(m[2])
        size = f'width="{width:.1f}{unit}" height="{width * h / w:.1f}{unit}"'
        out = out.replace('width="100%"', size, 1)
        out = re.sub(r' style="[^"]*"', "", out, count=1)
    return out


def png(svg: str, width_px: int = 1400) -> bytes:
    """The chart as a PNG ``width_px`` wide on white (Word cannot show SVG everywhere)."""
    import cairosvg

    return cairosvg.svg2png(
        bytestring=print_svg(svg, width_px, "").encode("utf-8"), output_width=width_px, background_color="white"
    )
