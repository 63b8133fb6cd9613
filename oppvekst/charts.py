"""Charts for the pages as inline SVG (no Streamlit and no JavaScript here).

Why SVG and not Plotly: in the browser, Plotly's 4,6 MB bundle took 1,5–2 s of the main thread
on every page that had a chart (parse, compile, draw), three times a one-line Streamlit page
(docs/benchmarks.md). An SVG written here costs nothing to load and draws at once. What Plotly
gave is kept: every point, bar and line has its number as a tooltip (``<title>``), every series
has its own marker shape as well as its colour (never colour alone), and every chart's numbers
are also offered as a table by the page.

Text from the data (area names, labels) is escaped, so it shows as the letters it is: the
SVG is put in the page as HTML inside Markdown (``pages/_ui.py``'s ``svg_chart``).
Colour-blind-safe palette; text and axes take the page's text colour (``currentColor``), so
the charts read in a light and a dark theme.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from oppvekst import formatting as fmt
from oppvekst.periods import parse_period

# Areas and groups: never the verdict colours (blue better, red worse, grey same, purple neutral)
# nor the target's green, so a line's colour never reads as a judgement; each also has its shape.
PALETTE = ["#222222", "#E69F00", "#8C510A", "#CC79A7", "#01665E", "#999933"]
MARKERS = ["circle", "square", "diamond", "triangle", "triangle-down", "cross"]
TARGET_COLOUR = "#1A7F37"
WIDTH = 820  # the viewBox width; the chart scales to the column
FONT_SIZE = 14
_GRID = 'stroke="currentColor" stroke-opacity="0.15"'
# Characters that Markdown (or Streamlit's directives, math and emoji codes) could act on,
# written as character references: the browser shows them as themselves.
_ENTITIES = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]{}()#+!|~$:\n\r"})


def esc(text) -> str:
    """Text for SVG inside Markdown: HTML-escaped, and nothing Markdown could act on."""
    return html.escape(str(text), quote=True).translate(_ENTITIES)


def _n(v: float) -> str:
    """A coordinate: short, with a decimal point (SVG's own syntax)."""
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _na(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _x(period: str) -> float:
    p = parse_period(period)
    return (p.year_start + p.year_end) / 2 if p.kind != "year" else float(p.year_start)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values from one at or below ``lo`` to one at or above ``hi`` (steps of 1, 2,
    2,5 or 5 × 10^k)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _tick_text(ticks: list[float]) -> list[str]:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = next((d for d in range(4) if abs(round(step, d) - step) < 1e-9 * max(1.0, step)), 4)
    return [fmt.number(t, decimals) for t in ticks]


class _Scale:
    def __init__(self, lo: float, hi: float, a: float, b: float):
        self.lo, self.hi, self.a, self.b = lo, hi, a, b

    def __call__(self, v: float) -> float:
        return self.a + (v - self.lo) / ((self.hi - self.lo) or 1.0) * (self.b - self.a)


def _marker(kind: str, x: float, y: float, colour: str, size: float = 5.0, title: str = "") -> str:
    t = f"<title>{esc(title)}</title>" if title else ""
    s = size
    if kind == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(s)}" fill="{colour}">{t}</circle>'
    if kind == "square":
        return (
            f'<rect x="{_n(x - s)}" y="{_n(y - s)}" width="{_n(2 * s)}" height="{_n(2 * s)}" fill="{colour}">{t}</rect>'
        )
    if kind == "diamond":
        d = s * 1.35
        pts = f"M{_n(x)} {_n(y - d)}L{_n(x + d)} {_n(y)}L{_n(x)} {_n(y + d)}L{_n(x - d)} {_n(y)}Z"
    elif kind == "triangle":
        pts = f"M{_n(x)} {_n(y - s * 1.3)}L{_n(x + s * 1.2)} {_n(y + s)}L{_n(x - s * 1.2)} {_n(y + s)}Z"
    elif kind == "triangle-down":
        pts = f"M{_n(x)} {_n(y + s * 1.3)}L{_n(x + s * 1.2)} {_n(y - s)}L{_n(x - s * 1.2)} {_n(y - s)}Z"
    elif kind == "star":
        pts = "".join(
            f"{'M' if i == 0 else 'L'}{_n(x + r * math.sin(i * math.pi / 5))} {_n(y - r * math.cos(i * math.pi / 5))}"
            for i, r in enumerate([s * 1.6, s * 0.7] * 5)
        )
        pts += "Z"
    else:  # cross
        d = s
        return (
            f'<path d="M{_n(x - d)} {_n(y - d)}L{_n(x + d)} {_n(y + d)}M{_n(x - d)} {_n(y + d)}L{_n(x + d)} {_n(y - d)}" '
            f'stroke="{colour}" stroke-width="3">{t}</path>'
        )
    return f'<path d="{pts}" fill="{colour}">{t}</path>'


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = FONT_SIZE, extra: str = "") -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" fill="currentColor"{extra}>'
        f"{esc(text)}</text>"
    )


def _width(text: str, size: int = FONT_SIZE) -> float:
    """Rough text width in the viewBox (Source Sans averages ~0,5 em)."""
    return len(str(text)) * size * 0.52


def _legend(items: list[tuple[str, str, str | None, str]], top: float, left: float, right: float) -> tuple[str, float]:
    """Legend rows below the plot: (label, colour, marker kind or None, dash) per item.
    Returns the SVG and the height used."""
    out, x, y = [], left, top + FONT_SIZE
    for label, colour, marker, dash in items:
        w = 34 + _width(label) + 22
        if x + w > right and x > left:
            x, y = left, y + FONT_SIZE + 10
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{_n(x)}" y1="{_n(y - 5)}" x2="{_n(x + 28)}" y2="{_n(y - 5)}" stroke="{colour}" '
            f'stroke-width="3"{dash_attr}/>'
        )
        if marker:
            out.append(_marker(marker, x + 14, y - 5, colour, 4.5))
        out.append(_text(x + 34, y, label))
        x += w
    return "".join(out), y - top + 8


def _svg(width: float, height: float, label: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
        f'role="img" aria-label="{esc(label)}" style="max-width:100%;height:auto;overflow:visible">{body}</svg>'
    )


def _y_axis(sy: _Scale, ticks: list[float], left: float, right: float, title: str, top: float, bottom: float) -> str:
    out = []
    for t, s in zip(ticks, _tick_text(ticks)):
        y = sy(t)
        out.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" {_GRID}/>')
        out.append(_text(left - 6, y + 5, s, "end", 13))
    if title:
        mid = (top + bottom) / 2
        out.append(_text(14, mid, title, "middle", 13, f' transform="rotate(-90 14 {_n(mid)})"'))
    return "".join(out)


DASHES = ["", "10 5", "2 3 8 3", "14 4 3 4"]  # one per group (kjønn, trinn) when an area has several


def series_chart(
    series: pd.DataFrame, meta: dict, names: dict[str, str], unit_label: str, slice_labels: dict | None = None
) -> str:
    """Lines per area/group with 95 % interval bands, the 0-punkt marked and the target drawn
    to its target year. Hidden points are left out (the table says why).

    Many lines stay apart: each area has its colour (never a verdict colour), and when the
    areas are split into groups (a ``slice`` column - kjønn or trinn - or several ``grp``),
    each group has its own marker and dash, the same in every area; ``slice_labels`` names them."""
    unit = meta.get("unit", "")
    left, right, top, plot_h = 70.0, WIDTH - 16.0, 30.0, 300.0
    bottom = top + plot_h
    key = "slice" if "slice" in series.columns else "grp"
    areas = list(dict.fromkeys(series["area_code"]))
    kinds = list(dict.fromkeys(series[key])) if len(series) else []
    split = len(kinds) > 1
    groups = []
    for (area, grp), g in series.groupby(["area_code", key], sort=False):
        g = g[g["shown"].astype(bool) & g["value"].notna()].copy()
        g["x"] = [_x(p) for p in g["period"]]
        g = g.sort_values("x")
        a, k = areas.index(area), kinds.index(grp)
        name = (slice_labels or {}).get(grp, grp)
        label = names.get(area, area) + (f" – {name}" if split or grp != meta["gender"] else "")
        marker = MARKERS[k % len(MARKERS)] if split else MARKERS[a % len(MARKERS)]
        groups.append((label, PALETTE[a % len(PALETTE)], marker, g, DASHES[k % len(DASHES)] if split else ""))
    base_x = _x(meta["baseline_period"])
    has_target = not _na(meta.get("target_value")) and bool(meta.get("target_period"))
    xs = [base_x] + [x for *_, g, _ in groups for x in g["x"]]
    ys = [v for *_, g, _ in groups for col in ("value", "ci_low", "ci_high") for v in g[col] if not _na(v)]
    if has_target:
        xs.append(_x(meta["target_period"]))
        ys.append(float(meta["target_value"]))
    if not ys:
        ys = [0.0, 1.0]
    x_lo, x_hi = math.floor(min(xs)) - 0.3, math.ceil(max(xs)) + 0.3
    span = (max(ys) - min(ys)) or abs(max(ys)) or 1.0
    yt = nice_ticks(min(ys) - 0.05 * span, max(ys) + 0.05 * span)
    sx, sy = _Scale(x_lo, x_hi, left, right), _Scale(yt[0], yt[-1], bottom, top)
    out = [_y_axis(sy, yt, left, right, unit_label, top, bottom)]
    years = list(range(math.ceil(x_lo), math.floor(x_hi) + 1))
    step = max(1, math.ceil(len(years) / 14))
    for y in years[::step]:
        out.append(f'<line x1="{_n(sx(y))}" y1="{_n(top)}" x2="{_n(sx(y))}" y2="{_n(bottom)}" {_GRID}/>')
        out.append(_text(sx(y), bottom + 20, str(y), "middle", 13))
    band = "0.15" if len(groups) <= 3 else "0.07"  # many overlapping bands would hide the lines
    for _, colour, _, g, _ in groups:  # the interval bands first, under every line
        run: list[tuple[float, float, float]] = []
        for x, lo, hi in [*zip(g["x"], g["ci_low"], g["ci_high"]), (None, None, None)]:
            if x is not None and not _na(lo) and not _na(hi):
                run.append((x, lo, hi))
                continue
            if len(run) >= 2:
                pts = [(sx(a), sy(h)) for a, _, h in run] + [(sx(a), sy(lo_)) for a, lo_, _ in reversed(run)]
                out.append(
                    f'<polygon points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in pts)}" fill="{colour}" '
                    f'fill-opacity="{band}" stroke="none"/>'
                )
            run = []
    bx = sx(base_x)
    base = parse_period(meta["baseline_period"])
    out.append(
        f'<line x1="{_n(bx)}" y1="{_n(top - 8)}" x2="{_n(bx)}" y2="{_n(bottom)}" stroke="currentColor" '
        'stroke-opacity="0.75" stroke-width="2" stroke-dasharray="2 4"/>'
    )
    out.append(_text(bx - 6, top - 12, f"0-punkt {base.label}", "end", 13))
    legend = []
    if has_target:
        tx, tv = sx(_x(meta["target_period"])), float(meta["target_value"])
        title = f"Mål {meta['target_period']}: {fmt.value(tv, unit)}"
        out.append(
            f'<line x1="{_n(bx)}" y1="{_n(sy(tv))}" x2="{_n(tx)}" y2="{_n(sy(tv))}" stroke="{TARGET_COLOUR}" '
            f'stroke-width="2" stroke-dasharray="8 5"><title>{esc(title)}</title></line>'
        )
        out.append(_marker("star", tx, sy(tv), TARGET_COLOUR, 6, title))
    for label, colour, marker, g, dash in groups:
        if len(g) >= 2:
            pts = " ".join(f"{_n(sx(x))},{_n(sy(v))}" for x, v in zip(g["x"], g["value"]))
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="3"{dash_attr}/>')
        for r in g.itertuples():
            ci = ""
            if not _na(r.ci_low) and not _na(r.ci_high):
                d = fmt.DECIMALS.get(unit, 1)
                ci = f" [{fmt.number(r.ci_low, d)}–{fmt.number(r.ci_high, d)}]"
            n = "" if _na(r.n) else f", {fmt.number(r.n, 0)} svar"
            out.append(
                _marker(
                    marker,
                    sx(r.x),
                    sy(r.value),
                    colour,
                    4.5,
                    f"{label} – {r.period}: {fmt.value(r.value, unit)}{ci}{n}",
                )
            )
        legend.append((label, colour, marker, dash))
    if has_target:
        legend.append((f"Mål {meta['target_period']}", TARGET_COLOUR, "star", "8 5"))
    legend.append((f"0-punkt {base.label}", "currentColor", None, "2 4"))
    svg_legend, legend_h = _legend(legend, bottom + 34, left, right)
    out.append(svg_legend)
    if not any(len(g) for *_, g, _ in groups):
        out.append(_text((left + right) / 2, (top + bottom) / 2, "Ingen verdier å vise for dette valget", "middle"))
    label = f"Linjediagram: {meta.get('title', '')}, {', '.join(lbl for lbl, *_ in groups)}. Tallene står i tabellen."
    return _svg(WIDTH, bottom + 34 + legend_h, label, "".join(out))


def _x_grid(xt: list[float], sx: _Scale, top: float, bottom: float) -> list[str]:
    """Vertical grid lines with their tick labels under the plot (the ranked charts)."""
    out = []
    for t, s in zip(xt, _tick_text(xt)):
        out.append(f'<line x1="{_n(sx(t))}" y1="{_n(top)}" x2="{_n(sx(t))}" y2="{_n(bottom)}" {_GRID}/>')
        out.append(_text(sx(t), bottom + 18, s, "middle", 13))
    return out


def _bar(
    r, name: str, sx: _Scale, x0: float, cy: float, row_h: float, unit: str, cap: float
) -> tuple[list[str], float]:
    """One area's bar in the verdict's colour, its 95 % interval as a whisker (``cap``: half the
    whisker ends' height) and a tooltip; opens a ``<g>`` the caller closes. Returns the parts and
    the x where the bar or its whisker ends."""
    d = fmt.DECIMALS.get(unit, 1)
    colour = r.vs_ref_colour if isinstance(r.vs_ref_colour, str) and r.vs_ref_colour else "#8A8A8A"
    x1 = sx(r.value)
    ci = "" if _na(r.ci_low) or _na(r.ci_high) else f" [{fmt.number(r.ci_low, d)}–{fmt.number(r.ci_high, d)}]"
    title = f"{name}: {fmt.value(r.value, unit)}{ci} – {r.vs_ref_symbol} {r.vs_ref}"
    out = [
        f'<g><title>{esc(title)}</title><rect x="{_n(min(x0, x1))}" y="{_n(cy - row_h * 0.32)}" '
        f'width="{_n(abs(x1 - x0))}" height="{_n(row_h * 0.64)}" fill="{esc(colour)}" fill-opacity="0.6"/>'
    ]
    if not ci:
        return out, x1
    a, b = sx(r.ci_low), sx(r.ci_high)
    out.append(
        f'<path d="M{_n(a)} {_n(cy)}H{_n(b)}M{_n(a)} {_n(cy - cap)}V{_n(cy + cap)}M{_n(b)} {_n(cy - cap)}V{_n(cy + cap)}" '
        'stroke="currentColor" stroke-width="1.5" fill="none"/>'
    )
    return out, max(b, x1)


def ranked_chart(
    rows: pd.DataFrame, ref_value: float | None, ref_name: str, unit_label: str, unit: str = "prosent"
) -> str:
    """Areas sorted, with 95 % intervals as whiskers, the reference as a line, and the
    comparison verdict in the label (never colour alone)."""
    rows = rows[rows["shown"].astype(bool) & rows["value"].notna()]
    labels = [f"{n}  {s} {v}" for n, s, v in zip(rows["area_name"], rows["vs_ref_symbol"], rows["vs_ref"])]
    row_h = 30.0
    left = min(400.0, max((_width(lbl) for lbl in labels), default=60) + 18)
    right, top = WIDTH - 90.0, 34.0
    bottom = top + row_h * max(1, len(rows))
    vals = [v for col in ("value", "ci_low", "ci_high") for v in rows[col] if not _na(v)]
    if ref_value is not None:
        vals.append(float(ref_value))
    xt = nice_ticks(min([0.0, *vals]), max([0.0, *vals]) or 1.0, 6)
    sx = _Scale(xt[0], xt[-1], left, right)
    out = _x_grid(xt, sx, top, bottom)
    for i, (r, label) in enumerate(zip(rows.itertuples(), labels)):
        cy = top + row_h * (i + 0.5)
        out.append(_text(left - 8, cy + 5, label, "end"))  # before the tooltip: the visible text comes first
        parts, end = _bar(r, r.area_name, sx, sx(max(xt[0], 0.0)), cy, row_h, unit, 6)
        out += parts
        out.append(_text(end + 6, cy + 5, fmt.value(r.value, unit), "start", 12))
        out.append("</g>")
    if ref_value is not None:
        rx = sx(ref_value)
        out.append(
            f'<line x1="{_n(rx)}" y1="{_n(top - 6)}" x2="{_n(rx)}" y2="{_n(bottom)}" stroke="currentColor" '
            f'stroke-width="2" stroke-dasharray="6 4"><title>{esc(ref_name)}: {esc(fmt.value(ref_value, unit))}</title></line>'
        )
        head = ref_name[:1].upper() + ref_name[1:]  # a label starts with a capital: «Landet 7,9 prosent»
        out.append(_text(rx, top - 12, f"{head} {fmt.value(ref_value, unit)}", "middle", 13))
    out.append(_text((left + right) / 2, bottom + 40, unit_label, "middle", 13))
    label = f"Stolpediagram: {len(rows)} områder sortert fra best til dårligst, med {ref_name} som referanselinje."
    return _svg(WIDTH, bottom + 50, label, "".join(out))


def grouped_ranked_chart(
    rows: pd.DataFrame, ref_name: str, unit_label: str, unit: str = "prosent", slice_labels: dict | None = None
) -> str:
    """``ranked_chart`` for areas split into groups (kjønn or trinn): one block per area in the
    rows' order (best first), one bar per group inside it with its 95 % interval, the verdict
    against the reference's value *for the same group* in the label, and that value as a dashed
    tick on the row. Each group has its own marker shape (legend below); a hidden value says so
    in place of its bar."""
    labels = slice_labels or {}
    blocks = list(dict.fromkeys(rows["area_code"])) if len(rows) else []
    kinds = list(dict.fromkeys(rows.sort_values("slice_order")["slice"])) if len(rows) else []
    row_h, gap = 24.0, 10.0
    sub = [
        f"{labels.get(r.slice, r.slice)}  {r.vs_ref_symbol} {r.vs_ref}" if r.shown else labels.get(r.slice, r.slice)
        for r in rows.itertuples()
    ]
    name_w = max((_width(n) for n in rows["area_name"]), default=60) if len(rows) else 60
    sub_w = max((_width(t, 13) for t in sub), default=60)
    left = min(520.0, name_w + sub_w + 34)
    right, top = WIDTH - 100.0, 34.0
    bottom = top + row_h * len(rows) + gap * max(0, len(blocks) - 1)
    shown = rows[rows["shown"].astype(bool) & rows["value"].notna()] if len(rows) else rows
    vals = [v for col in ("value", "ci_low", "ci_high", "ref_value") if col in shown for v in shown[col] if not _na(v)]
    vals += [v for v in rows.get("ref_value", []) if not _na(v)]
    xt = nice_ticks(min([0.0, *vals]), max([0.0, *vals]) or 1.0, 6)
    sx = _Scale(xt[0], xt[-1], left, right)
    out = _x_grid(xt, sx, top, bottom)
    y = top
    for b, code in enumerate(blocks):
        block = rows[rows["area_code"] == code]
        if b:
            out.append(f'<line x1="8" y1="{_n(y + gap / 2)}" x2="{_n(right)}" y2="{_n(y + gap / 2)}" {_GRID}/>')
            y += gap
        out.append(_text(8, y + row_h / 2 + 5, block["area_name"].iloc[0], "start", FONT_SIZE, ' font-weight="600"'))
        for r in block.itertuples():
            cy = y + row_h / 2
            name = labels.get(r.slice, r.slice)
            marker = MARKERS[kinds.index(r.slice) % len(MARKERS)]
            text = f"{name}  {r.vs_ref_symbol} {r.vs_ref}" if r.shown and not _na(r.value) else name
            out.append(_text(left - 10, cy + 5, text, "end", 13))
            if not r.shown or _na(r.value):
                why = r.hidden_reason if isinstance(r.hidden_reason, str) and r.hidden_reason else "mangler"
                out.append(_text(sx(max(xt[0], 0.0)) + 4, cy + 5, f"vises ikke: {why}", "start", 12))
                y += row_h
                continue
            if not _na(getattr(r, "ref_value", None)):  # first, so the bar and its whisker lie on top
                rx = sx(r.ref_value)
                out.append(
                    f'<line x1="{_n(rx)}" y1="{_n(cy - row_h / 2)}" x2="{_n(rx)}" y2="{_n(cy + row_h / 2)}" '
                    f'stroke="currentColor" stroke-width="2" stroke-dasharray="3 2"><title>'
                    f"{esc(ref_name)}, {esc(name)}: {esc(fmt.value(r.ref_value, unit))}</title></line>"
                )
            parts, _ = _bar(r, f"{r.area_name}, {name}", sx, sx(max(xt[0], 0.0)), cy, row_h, unit, 5)
            out += parts
            out.append(_marker(marker, sx(r.value), cy, "currentColor", 4.0))
            # the number in a column of its own, right of the plot: never on a whisker or a tick
            out.append(_text(WIDTH - 8, cy + 5, fmt.value(r.value, unit), "end", 12))
            out.append("</g>")
            y += row_h
    out.append(_text((left + right) / 2, bottom + 40, unit_label, "middle", 13))
    # one legend row: each group's marker, then the reference's tick
    x, ly = 8.0, bottom + 66
    for i, k in enumerate(kinds):
        out.append(_marker(MARKERS[i % len(MARKERS)], x + 6, ly - 5, "currentColor", 4.5))
        out.append(_text(x + 18, ly, labels.get(k, k)))
        x += 18 + _width(labels.get(k, k)) + 24
    out.append(
        f'<line x1="{_n(x + 6)}" y1="{_n(ly - 14)}" x2="{_n(x + 6)}" y2="{_n(ly + 4)}" stroke="currentColor" '
        'stroke-width="2" stroke-dasharray="3 2"/>'
    )
    out.append(_text(x + 16, ly, f"{ref_name[:1].upper() + ref_name[1:]}, samme gruppe"))
    tick_y = ly
    label = (
        f"Stolpediagram: {len(blocks)} områder sortert fra best til dårligst, hver med "
        f"{', '.join(labels.get(k, k) for k in kinds)}, og {ref_name} for samme gruppe som referanse."
    )
    return _svg(WIDTH, tick_y + 12, label, "".join(out))


RULE_TEXT = {
    "outside": "utenfor kontrollgrensene",
    "trend": "7 på rad stiger/synker",
    "two_of_three": "2 av 3 på rad nær samme kontrollgrense",
    "shift": "7 på rad på samme side av midtlinjen",
}
VARIATION_TEXT = {
    "improvement": "▲ spesiell variasjon – forbedring",
    "concern": "▼ spesiell variasjon – bekymring",
    "neutral special cause": "◆ spesiell variasjon",
    "common cause": "● vanlig variasjon",
}
ASSURANCE_TEXT = {
    "consistently passes": "✔ når målet hver gang",
    "consistently fails": "✖ når ikke målet",
    "may or may not hit": "● kan nå målet eller ikke",
    None: "– ingen mål",
}


def spc_chart(
    periods: list[str], values: list[float], result, unit_label: str, target=None, unit: str = "prosent"
) -> str:
    """SPC chart: values, centre line, control limits, special-cause points marked with a
    symbol (◆, not colour alone) and the rules they break in the tooltip. Labels in plain
    words («juni 25», «Øvre kontrollgrense»), no «XmR», «2σ» or «2025M06». When the result has
    per-point limits (p and Laney p′ charts: ``result.uppers``/``lowers``), they are drawn as
    steps, one level per month, labelled with the latest month's value."""
    left, right, top, plot_h = 70.0, WIDTH - 190.0, 20.0, 280.0
    bottom = top + plot_h
    uppers, lowers = getattr(result, "uppers", None), getattr(result, "lowers", None)
    per_point = uppers is not None and lowers is not None and len(uppers) == len(periods) == len(lowers)
    ys = [v for v in values if not _na(v)] + [result.centre, result.upper, result.lower]
    if per_point:
        ys += [*uppers, *lowers]
    if target is not None:
        ys.append(float(target))
    span = (max(ys) - min(ys)) or 1.0
    yt = nice_ticks(min(ys) - 0.05 * span, max(ys) + 0.05 * span)
    sy = _Scale(yt[0], yt[-1], bottom, top)
    n = len(periods)
    sx = _Scale(0, max(1, n - 1), left + 12, right - 12)
    out = [_y_axis(sy, yt, left, right, unit_label, top, bottom)]
    step = max(1, math.ceil(n / 10))
    for i in range(0, n, step):
        out.append(_text(sx(i), bottom + 20, fmt.period_text(periods[i], short=True), "middle", 12))
    lines = [
        (result.centre, "Midtlinje", "", "#005AB5", None),
        (result.upper, "Øvre kontrollgrense", "7 4", "#005AB5", uppers if per_point else None),
        (result.lower, "Nedre kontrollgrense", "7 4", "#005AB5", lowers if per_point else None),
    ]
    if target is not None:
        lines.append((float(target), "Mål", "2 4", TARGET_COLOUR, None))
    placed: list[float] = []
    half = (sx(1) - sx(0)) / 2 if n > 1 else 12.0
    for y, name, dash, colour, steps in sorted(lines, key=lambda t: -t[0]):
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        text = f"{name} {fmt.number(y, fmt.DECIMALS.get(unit, 1))}"
        if steps is None:
            out.append(
                f'<line x1="{_n(left)}" y1="{_n(sy(y))}" x2="{_n(right)}" y2="{_n(sy(y))}" stroke="{colour}" '
                f'stroke-width="2"{dash_attr}><title>{esc(text)}</title></line>'
            )
        else:  # one level per month, joined by vertical steps halfway between months
            d = f"M{_n(left)} {_n(sy(steps[0]))}" + "".join(
                f"H{_n(sx(i) + half)}V{_n(sy(steps[i + 1]))}" for i in range(n - 1)
            )
            d += f"H{_n(right)}"
            text = f"{name} (varierer med antallet), siste måned {fmt.number(y, fmt.DECIMALS.get(unit, 1))}"
            out.append(
                f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}>'
                f"<title>{esc(text)}</title></path>"
            )
            text = f"{name} {fmt.number(y, fmt.DECIMALS.get(unit, 1))}"
        ly = max(sy(y) + 5, (placed[-1] + 16) if placed else -1e9)  # labels never overlap
        placed.append(ly)
        out.append(_text(right + 8, ly, text, "start", 13))
    pts = " ".join(f"{_n(sx(i))},{_n(sy(v))}" for i, v in enumerate(values) if not _na(v))
    out.append(f'<polyline points="{pts}" fill="none" stroke="#4D4D4D" stroke-width="2"/>')
    for i, (p, v) in enumerate(zip(periods, values)):
        if _na(v):
            continue
        flags = result.special[i]
        limits = (
            f" (kontrollgrenser {fmt.number(lowers[i], fmt.DECIMALS.get(unit, 1))}–"
            f"{fmt.number(uppers[i], fmt.DECIMALS.get(unit, 1))})"
            if per_point
            else ""
        )
        if flags:
            rules = ", ".join(RULE_TEXT[r] for r in flags)
            text = f"{fmt.period_text(p)}: {fmt.value(v, unit)}{limits} – ◆ {rules}"
            out.append(_marker("diamond", sx(i), sy(v), "#B35806", 6, text))
        else:
            text = f"{fmt.period_text(p)}: {fmt.value(v, unit)}{limits}"
            out.append(_marker("circle", sx(i), sy(v), "#4D4D4D", 4, text))
    legend = [("Verdi", "#4D4D4D", "circle", "")]
    if any(result.special):
        legend.append(("Spesiell variasjon", "#B35806", "diamond", ""))
    svg_legend, legend_h = _legend(legend, bottom + 34, left, right)
    out.append(svg_legend)
    label = (
        f"Styringsdiagram med {n} måneder ({fmt.period_text(periods[0])} til {fmt.period_text(periods[-1])}), "
        "midtlinje og øvre og nedre kontrollgrense"
        + (" som følger antallet hver måned" if per_point else "")
        + ". Tallene står i tabellen."
    )
    return _svg(WIDTH, bottom + 34 + legend_h, label, "".join(out))


# --------------------------------------------------------------------- funnel plot (Områder)

FUNNEL_LABEL_ALL = 10  # with this many areas or fewer, every area is named; else only the outliers


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks for a log axis: 1, 2 and 5 × 10^k inside [lo, hi] (1, 2, 3, 5 when that gives too few)."""
    for steps in ((1, 2, 5), (1, 2, 3, 5), (1, 1.5, 2, 3, 5, 7)):
        ticks = [
            m * 10**k
            for k in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
            for m in steps
            if lo <= m * 10**k <= hi
        ]
        if len(ticks) >= 4:
            return ticks
    return ticks


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _place_label(
    x: float, y: float, text: str, taken: list, bounds: tuple[float, float, float, float], size: int = 13
) -> tuple[float, float, str]:
    """Where a point's name goes: the first spot around the point (right, left, above, below, then
    further out) that overlaps no other name or point and stays inside ``bounds``; failing that,
    the spot that overlaps least. The chosen box is added to ``taken``."""
    w = _width(text, size)
    spots = [(9, 5, "start"), (-9, 5, "end"), (7, -9, "start"), (7, 19, "start"), (-7, -9, "end"), (-7, 19, "end")]
    spots += [(9, dy, a) for dy in (-21, 31, -33, 43) for a in ("start",)] + [(-9, -21, "end"), (-9, 31, "end")]
    best = None
    for dx, dy, anchor in spots:
        x0 = x + dx if anchor == "start" else x + dx - w
        box = (x0, y + dy - size + 1, x0 + w, y + dy + 3)
        outside = box[0] < bounds[0] or box[2] > bounds[2] or box[1] < bounds[1] or box[3] > bounds[3]
        cost = sum(_overlap(box, t) for t in taken) + (1e6 if outside else 0)
        if best is None or cost < best[0]:
            best = (cost, x + dx, y + dy, anchor, box)
        if cost == 0:
            break
    taken.append(best[4])
    return best[1], best[2], best[3]


def funnel_chart(rows: pd.DataFrame, funnel, unit_label: str, unit: str = "prosent") -> str:
    """Funnel plot (``oppvekst.funnel``): each area at its number of answers (x) and value (y),
    the reference as a horizontal line with its name and value, the 95 % limits (thin, dashed)
    and 99,8 % limits (solid) as curves over n - widened when the areas are overdispersed, with
    the unadjusted 99,8 % limits dotted beside them. An area's marker says where it lies (never
    colour alone): ▲/▼ (↑/↓ where no direction is better) outside 99,8 %, an open ring between
    95 % and 99,8 %, a dot inside. Areas outside 99,8 % are named with their verdict, and every
    area when there are few; each point's tooltip gives the value, n, the limits at its n and the
    test. x is on a log scale when n spans more than ten times."""
    from oppvekst.verdicts import SAME

    pts = rows[rows["funnel_band"].notna()] if "funnel_band" in rows else rows.iloc[0:0]
    grid = funnel.grid
    adjusted = bool(funnel.overdispersion.adjusted)
    left, top, plot_h = 70.0, 24.0, 380.0
    right = WIDTH - 150.0  # the curves' names to the right of the plot
    bottom = top + plot_h
    n_lo, n_hi = float(grid["n"].min()), float(grid["n"].max())
    log = n_hi / max(n_lo, 1e-9) > 10
    if log:
        xt = _log_ticks(n_lo, n_hi)
        sx = _Scale(math.log10(n_lo), math.log10(n_hi), left, right)
        fx = lambda n: sx(math.log10(n))
    else:
        xt = nice_ticks(n_lo, n_hi, 6)
        sx = fx = _Scale(xt[0], xt[-1], left, right)
    curves = ["low95", "high95", "low998", "high998"] + (["plain_low998", "plain_high998"] if adjusted else [])
    ys = [funnel.benchmark, *pts["value"].astype(float)] + [v for c in curves for v in grid[c] if not _na(v)]
    span = (max(ys) - min(ys)) or abs(max(ys)) or 1.0
    y_lo, y_hi = min(ys) - 0.04 * span, max(ys) + 0.04 * span
    if funnel.statistic == "proportion":
        y_lo, y_hi = max(0.0, y_lo), min(100.0, y_hi)
    yt = nice_ticks(y_lo, y_hi)
    sy = _Scale(yt[0], yt[-1], bottom, top)
    out = [_y_axis(sy, yt, left, right, unit_label, top, bottom)]
    for t in xt:
        x = fx(t)
        out.append(f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" {_GRID}/>')
        out.append(_text(x, bottom + 20, fmt.number(t, 0 if t == int(t) else 1), "middle", 13))
    x_title = "Antall svar (n)" + (", logaritmisk skala" if log else "")
    out.append(_text((left + right) / 2, bottom + 42, x_title, "middle", 13))

    def path(col: str) -> str:
        return " ".join(f"{_n(fx(n))},{_n(sy(v))}" for n, v in zip(grid["n"], grid[col]) if not _na(v))

    band = [(fx(n), sy(v)) for n, v in zip(grid["n"], grid["high998"])]
    band += [(fx(n), sy(v)) for n, v in reversed(list(zip(grid["n"], grid["low998"])))]
    out.append(
        f'<polygon points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in band)}" fill="currentColor" '
        'fill-opacity="0.05" stroke="none"/>'
    )
    lines = [("low95", "high95", "6 4", "1.5", "0.7"), ("low998", "high998", "", "2", "0.9")]
    if adjusted:
        lines.insert(0, ("plain_low998", "plain_high998", "2 4", "1.5", "0.5"))
    for lo_c, hi_c, dash, width, opacity in lines:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for col in (lo_c, hi_c):
            out.append(
                f'<polyline points="{path(col)}" fill="none" stroke="currentColor" stroke-width="{width}" '
                f'stroke-opacity="{opacity}"{dash_attr}/>'
            )
    ref_head = funnel.benchmark_name[:1].upper() + funnel.benchmark_name[1:]
    ref_text = f"{ref_head} {fmt.value(funnel.benchmark, unit)}"
    by = sy(funnel.benchmark)
    out.append(
        f'<line x1="{_n(left)}" y1="{_n(by)}" x2="{_n(right)}" y2="{_n(by)}" stroke="currentColor" '
        f'stroke-width="2.5"><title>{esc(ref_text)}</title></line>'
    )
    # the curves' and the reference's names at the right end, pushed apart so they never overlap
    last = grid.iloc[-1]
    tags = [(by, ref_text)]
    for col, name in (("high998", "99,8 %"), ("high95", "95 %"), ("low95", "95 %"), ("low998", "99,8 %")):
        if top <= sy(last[col]) <= bottom and abs(last[col] - funnel.benchmark) > 1e-9:
            tags.append((sy(last[col]), name))
    placed: list[float] = []
    for y, text in sorted(tags):
        ly = max(y + 4, (placed[-1] + 15) if placed else -1e9)
        placed.append(ly)
        out.append(_text(right + 8, ly, text, "start", 12 if text != ref_text else 13))
    # the areas: marker by where they lie, a tooltip with the test, names where there is room
    outliers = pts[pts["funnel_band"] == "outside"]
    named = pts if len(pts) <= FUNNEL_LABEL_ALL else outliers
    # what a name must not cover: the points, the reference line and the curves
    taken = [(fx(n) - 7, sy(v) - 7, fx(n) + 7, sy(v) + 7) for n, v in zip(pts["n"], pts["value"])]
    taken.append((left, by - 2, right, by + 2))
    for col in curves:
        taken += [(fx(n) - 2, sy(v) - 2, fx(n) + 2, sy(v) + 2) for n, v in zip(grid["n"][::3], grid[col][::3])]
    marks, names = [], []
    for r in pts.itertuples():
        x, y = fx(r.n), sy(r.value)
        title = (
            f"{r.area_name}: {fmt.value(r.value, unit)}, {fmt.number(r.n, 0)} svar. {r.funnel_limits} {r.funnel_test}"
        )
        if r.funnel_band == "outside":
            kind = "triangle" if r.vs_ref_symbol in ("▲", "↑") else "triangle-down"
            colour = r.vs_ref_colour if isinstance(r.vs_ref_colour, str) and r.vs_ref_colour else SAME
            marks.append(_marker(kind, x, y, colour, 6.5, title))
        elif r.funnel_band == "between":
            marks.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5.5" fill="none" stroke="{SAME}" stroke-width="2.5">'
                f"<title>{esc(title)}</title></circle>"
            )
        else:
            marks.append(_marker("circle", x, y, SAME, 4.5, title))
    out_idx = set(outliers.index)
    order = list(outliers.index) + [i for i in named.index if i not in out_idx]
    for i in order:
        r = pts.loc[i]
        text = (
            f"{r['area_name']} {r['vs_ref_symbol']} {r['vs_ref']}" if r["funnel_band"] == "outside" else r["area_name"]
        )
        lx, ly, anchor = _place_label(fx(r["n"]), sy(r["value"]), text, taken, (left, top, right, bottom))
        weight = ' font-weight="600"' if r["funnel_band"] == "outside" else ""
        names.append(_text(lx, ly, text, anchor, 13, weight))
    out += names + marks  # the markers on top, so every tooltip can be reached
    # legend: the lines, then the markers that occur
    ref_name = funnel.benchmark_name
    items = [
        (ref_text, "currentColor", None, ""),
        ("95 %-grense" + (" (justert)" if adjusted else ""), "currentColor", None, "6 4"),
        ("99,8 %-grense" + (" (justert for overspredning)" if adjusted else ""), "currentColor", None, ""),
    ]
    if adjusted:
        items.append(("99,8 %-grense uten justering", "currentColor", None, "2 4"))
    svg_legend, legend_h = _legend(items, bottom + 58, left, WIDTH - 10)
    out.append(svg_legend)
    kinds = []
    for sym, word, kind in (("▲", "bedre", "triangle"), ("▼", "dårligere", "triangle-down"),
                            ("↑", "høyere", "triangle"), ("↓", "lavere", "triangle-down")):  # fmt: skip
        hit = outliers[outliers["vs_ref_symbol"] == sym]
        if len(hit):
            kinds.append((kind, hit["vs_ref_colour"].iloc[0], f"Utenfor 99,8 %: sikkert {word} enn {ref_name}"))
    if (pts["funnel_band"] == "between").any():
        kinds.append(("ring", SAME, "Utenfor 95 %, innenfor 99,8 %: ikke et sikkert avvik"))
    if (pts["funnel_band"] == "inside").any():
        kinds.append(("circle", SAME, "Innenfor 95 %: omtrent likt"))
    x, y = left, bottom + 58 + legend_h + 16
    for kind, colour, label in kinds:
        w = 22 + _width(label) + 22
        if x + w > WIDTH - 10 and x > left:
            x, y = left, y + FONT_SIZE + 10
        if kind == "ring":
            out.append(
                f'<circle cx="{_n(x + 8)}" cy="{_n(y - 5)}" r="5" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        else:
            out.append(_marker(kind, x + 8, y - 5, colour, 5.5))
        out.append(_text(x + 22, y, label))
        x += w
    height = y + 12
    outside_names = ", ".join(
        f"{a} ({s} {v})" for a, s, v in zip(outliers["area_name"], outliers["vs_ref_symbol"], outliers["vs_ref"])
    )
    label = (
        f"Traktdiagram: {len(pts)} områder etter antall svar og verdi, med {ref_name} som referanselinje og "
        f"95 %- og 99,8 %-grenser{' justert for overspredning' if adjusted else ''}. "
        + (f"Utenfor 99,8 %-grensen: {outside_names}. " if len(outliers) else "Ingen utenfor 99,8 %-grensen. ")
        + "Tallene står i tabellen."
    )
    return _svg(WIDTH, height, label, "".join(out))


# --------------------------------------------------------------------- Effekt av tiltak (issue 17)

TREATED_COLOUR, COMPARISON_COLOUR = PALETTE[1], PALETTE[0]


def effect_groups(panel: pd.DataFrame, statistic: str) -> pd.DataFrame:
    """The treated and the comparison units per period (``queries.effect_panel``): a share as
    Σx/Σn of the units shown (never an average of percentages), another measure as the mean of the
    units' values. Columns ``period``, ``period_label``, ``treated``, ``value``, ``units``, ``n``."""
    cols = ["period", "period_label", "treated", "value", "units", "n"]
    if panel is None or panel.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (period, treated), g in panel.groupby(["period", "treated"], sort=True):
        if statistic == "proportion":
            value = 100.0 * g["x"].sum() / g["n"].sum()
        else:
            value = float(g["value"].mean())
        rows.append((int(period), g["period_label"].iloc[0], bool(treated), value, g["unit"].nunique(), g["n"].sum()))
    return pd.DataFrame(rows, columns=cols)


def _start_line(x: float, top: float, bottom: float, label: str) -> str:
    return (
        f'<line x1="{_n(x)}" y1="{_n(top - 8)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="currentColor" '
        f'stroke-opacity="0.75" stroke-width="2" stroke-dasharray="2 4"><title>{esc(label)}</title></line>'
        + _text(x + 6, top - 12, label, "start", 13)
    )


def _period_grid(ticks, sx: _Scale, top: float, bottom: float) -> list[str]:
    """Vertical grid lines with a period's label under the plot: (x value, label) per tick."""
    out = []
    for k, label in ticks:
        out.append(f'<line x1="{_n(sx(k))}" y1="{_n(top)}" x2="{_n(sx(k))}" y2="{_n(bottom)}" {_GRID}/>')
        out.append(_text(sx(k), bottom + 20, label, "middle", 12))
    return out


def _effect_svg(out: list[str], legend: list, start_label: str, legend_top: float, box, empty: str | None, label: str):
    """The tail of both effect charts: the legend (the start's dotted line last) under the plot, a
    note in the plot when there is nothing to draw (``empty``), and the SVG. ``box``: left, right,
    top, bottom of the plot."""
    left, right, top, bottom = box
    legend.append((f"Oppstart {start_label}", "currentColor", None, "2 4"))
    svg_legend, legend_h = _legend(legend, legend_top, left, right)
    out.append(svg_legend)
    if empty:
        out.append(_text((left + right) / 2, (top + bottom) / 2, empty, "middle"))
    return _svg(WIDTH, legend_top + legend_h, label, "".join(out))


def effect_groups_chart(
    panel: pd.DataFrame,
    meta: dict,
    start: int,
    start_label: str,
    labels: tuple[str, str],
    unit_label: str,
    single_label: str = "Hver enhet med tiltaket",
) -> str:
    """The units with the tiltak against the comparison units over time: one line each for the two
    groups (``effect_groups``), the treated units one by one as thin dashed lines behind them, and
    the start marked. ``labels``: the two groups' names («Skolene med tiltaket (3)», …);
    ``single_label``: the thin lines' name in the legend («Hver skole med tiltaket»). Hidden
    cells are not in the panel, so never drawn."""
    unit = meta.get("unit", "prosent")
    groups = effect_groups(panel, meta.get("statistic", ""))
    left, right, top, plot_h = 70.0, WIDTH - 16.0, 34.0, 300.0
    bottom = top + plot_h
    singles = []
    if panel is not None and len(panel):
        for _code, g in panel[panel["treated"]].groupby("unit", sort=False):
            vals = 100.0 * g["x"] / g["n"] if meta.get("statistic") == "proportion" else g["value"]
            singles.append((g["unit_name"].iloc[0], list(zip(g["period"], vals, g["period_label"]))))
    ys = list(groups["value"]) + [v for _, pts in singles for _, v, _ in pts if not _na(v)]
    xs = list(groups["period"]) + [float(start)]
    if not ys:
        ys = [0.0, 1.0]
    span = (max(ys) - min(ys)) or abs(max(ys)) or 1.0
    yt = nice_ticks(max(0.0, min(ys) - 0.05 * span) if unit == "prosent" else min(ys) - 0.05 * span,
                    max(ys) + 0.05 * span)  # fmt: skip
    x_lo, x_hi = min(xs) - 0.4, max(xs) + 0.4
    sx, sy = _Scale(x_lo, x_hi, left, right), _Scale(yt[0], yt[-1], bottom, top)
    out = [_y_axis(sy, yt, left, right, unit_label, top, bottom)]
    labels_by_period = dict(zip(groups["period"], groups["period_label"]))
    periods = sorted(labels_by_period)
    step = max(1, math.ceil(len(periods) / 11))
    out += _period_grid([(p, labels_by_period[p]) for p in periods[::step]], sx, top, bottom)
    out.append(_start_line(sx(start - 0.5), top, bottom, f"Oppstart {start_label}"))
    for name, pts in singles:  # each treated unit, thin and behind
        pts = [(p, v, lbl) for p, v, lbl in pts if not _na(v)]
        if len(pts) >= 2:
            line = " ".join(f"{_n(sx(p))},{_n(sy(v))}" for p, v, _ in pts)
            out.append(
                f'<polyline points="{line}" fill="none" stroke="{TREATED_COLOUR}" stroke-width="1.5" '
                f'stroke-opacity="0.55" stroke-dasharray="4 3"><title>{esc(name)}</title></polyline>'
            )
        for p, v, lbl in pts:
            out.append(
                f'<circle cx="{_n(sx(p))}" cy="{_n(sy(v))}" r="2.5" fill="{TREATED_COLOUR}" fill-opacity="0.6">'
                f"<title>{esc(f'{name} – {lbl}: {fmt.value(v, unit)}')}</title></circle>"
            )
    legend = []
    for treated, colour, marker, label in ((False, COMPARISON_COLOUR, "circle", labels[1]),
                                           (True, TREATED_COLOUR, "square", labels[0])):  # fmt: skip
        g = groups[groups["treated"] == treated].sort_values("period")
        if len(g) >= 2:
            line = " ".join(f"{_n(sx(p))},{_n(sy(v))}" for p, v in zip(g["period"], g["value"]))
            out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="3"/>')
        for r in g.itertuples():
            what = f"{label} – {r.period_label}: {fmt.value(r.value, unit)} ({r.units} {'enhet' if r.units == 1 else 'enheter'})"
            out.append(_marker(marker, sx(r.period), sy(r.value), colour, 5, what))
        legend.append((label, colour, marker, ""))
    if singles:
        legend.append((single_label, TREATED_COLOUR, None, "4 3"))
    label = (
        f"Linjediagram: {meta.get('title', '')}, {labels[0]} mot {labels[1]}, per periode, med oppstarten "
        f"{start_label} markert. Tallene står i tabellen."
    )
    empty = "Ingen verdier å vise" if groups.empty else None
    return _effect_svg(out, legend, start_label, bottom + 34, (left, right, top, bottom), empty, label)


def event_study_chart(
    es: pd.DataFrame, result, meta: dict, start_label: str, period_word: str = "skoleår", alpha: float = 0.05
) -> str:
    """The event study (``EffectResult.event_study``): the difference between the units with the
    tiltak and the comparison units, period by period before (negative) and after (0 = the first
    period with the tiltak) the start, each with its interval as a whisker; zero as a line, the
    start marked, and the overall estimate with its interval as a band over the periods after it."""
    unit = meta.get("unit", "prosent")
    word = fmt.CHANGE_WORD.get(unit, fmt.UNIT_WORD.get(unit, unit))
    es = es if es is not None else pd.DataFrame(columns=["rel_period", "estimate", "ci_low", "ci_high"])
    es = es[es["estimate"].notna()].sort_values("rel_period") if len(es) else es
    left, right, top, plot_h = 70.0, WIDTH - 16.0, 34.0, 280.0
    bottom = top + plot_h
    finite = lambda v: not _na(v) and math.isfinite(v)  # an interval may be unbounded (±inf)
    ys = [0.0] + [v for c in ("estimate", "ci_low", "ci_high") for v in es.get(c, []) if finite(v)]
    has_total = finite(getattr(result, "estimate", None))
    if has_total:
        ys += [v for v in (result.ci_low, result.ci_high, result.estimate) if finite(v)]
    span = (max(ys) - min(ys)) or 1.0
    yt = nice_ticks(min(ys) - 0.05 * span, max(ys) + 0.05 * span)
    rel = [int(r) for r in es["rel_period"]] if len(es) else [-1, 0]
    x_lo, x_hi = min(rel + [-1]) - 0.6, max(rel + [0]) + 0.6
    sx, sy = _Scale(x_lo, x_hi, left, right), _Scale(yt[0], yt[-1], bottom, top)
    out = [_y_axis(sy, yt, left, right, f"Forskjell ({word})" if word else "Forskjell", top, bottom)]
    ticks = range(math.ceil(x_lo), math.floor(x_hi) + 1)
    out += _period_grid([(k, fmt.number(k, 0, sign=k != 0) if k else "0") for k in ticks], sx, top, bottom)
    axis = (
        f"{period_word[:1].upper()}{period_word[1:]} før (−) og etter oppstart (0 = første {period_word} med tiltaket)"
    )
    out.append(_text((left + right) / 2, bottom + 42, axis, "middle", 13))
    out.append(
        f'<line x1="{_n(left)}" y1="{_n(sy(0))}" x2="{_n(right)}" y2="{_n(sy(0))}" stroke="currentColor" '
        'stroke-width="1.5" stroke-opacity="0.8"/>'
    )
    out.append(_start_line(sx(-0.5), top, bottom, f"Oppstart {start_label}"))
    d = fmt.DECIMALS.get(unit, 1)
    level_pct = fmt.number(100 * (1 - alpha), 0)
    if has_total and len(es) and (es["rel_period"] >= 0).any():
        a, b = sx(-0.3), sx(max(rel) + 0.3)
        bounds = (
            f"{fmt.number(result.ci_low, d)} til {fmt.number(result.ci_high, d)}"
            if finite(result.ci_low) and finite(result.ci_high)
            else "ubegrenset"
        )
        total = (
            f"Samlet forskjell etter oppstart: {fmt.number(result.estimate, d, sign=True)} ({level_pct} % KI {bounds})"
        )
        if finite(result.ci_low) and finite(result.ci_high):
            out.append(
                f'<rect x="{_n(a)}" y="{_n(sy(result.ci_high))}" width="{_n(b - a)}" '
                f'height="{_n(max(1.0, sy(result.ci_low) - sy(result.ci_high)))}" fill="{TREATED_COLOUR}" '
                f'fill-opacity="0.12"><title>{esc(total)}</title></rect>'
            )
        out.append(
            f'<line x1="{_n(a)}" y1="{_n(sy(result.estimate))}" x2="{_n(b)}" y2="{_n(sy(result.estimate))}" '
            f'stroke="{TREATED_COLOUR}" stroke-width="2" stroke-dasharray="8 5"><title>{esc(total)}</title></line>'
        )
    for r in es.itertuples():
        k = int(r.rel_period)
        colour, marker = (TREATED_COLOUR, "square") if k >= 0 else (COMPARISON_COLOUR, "circle")
        x = sx(k)
        ci = ""
        if finite(r.ci_low) and finite(r.ci_high):
            ci = f" ({level_pct} % KI {fmt.number(r.ci_low, d)} til {fmt.number(r.ci_high, d)})"
            out.append(
                f'<path d="M{_n(x)} {_n(sy(r.ci_low))}V{_n(sy(r.ci_high))}M{_n(x - 5)} {_n(sy(r.ci_low))}H{_n(x + 5)}'
                f'M{_n(x - 5)} {_n(sy(r.ci_high))}H{_n(x + 5)}" stroke="{colour}" stroke-width="2" fill="none"/>'
            )
        when = (
            "første " + period_word + " med tiltaket"
            if k == 0
            else (f"{abs(k)} før oppstart" if k < 0 else f"{k} etter oppstart")
        )
        text = f"{period_word[:1].upper()}{period_word[1:]} {fmt.number(k, 0, sign=k != 0) if k else '0'} ({when}): {fmt.number(r.estimate, d, sign=True)}{ci}"
        out.append(_marker(marker, x, sy(r.estimate), colour, 5.5, text))
    if len(es) and -1 not in {int(k) for k in es["rel_period"]}:  # the reference: 0 by construction
        out.append(
            f'<circle cx="{_n(sx(-1))}" cy="{_n(sy(0))}" r="5" fill="none" stroke="{COMPARISON_COLOUR}" '
            f'stroke-width="2"><title>{esc(f"Siste {period_word} før oppstart: sammenligningsgrunnlaget (0)")}</title></circle>'
        )
    legend = [
        ("Før oppstart (bør ligge rundt null)", COMPARISON_COLOUR, "circle", ""),
        ("Etter oppstart", TREATED_COLOUR, "square", ""),
    ]
    if has_total:
        legend.append(("Samlet forskjell etter oppstart, med intervall", TREATED_COLOUR, None, "8 5"))
    label = (
        f"Punktdiagram: forskjellen mellom enhetene med tiltaket og de andre, {period_word} for {period_word} før og "
        f"etter oppstarten {start_label}, med {level_pct} % konfidensintervall. Tallene står i tabellen."
    )
    empty = "Ingen forskjeller å vise" if es.empty else None
    return _effect_svg(out, legend, start_label, bottom + 60, (left, right, top, bottom), empty, label)
