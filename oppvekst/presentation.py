"""Texts the pages show, built from query results (pure, testable without Streamlit)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd

from oppvekst import formatting as fmt


def _na(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def ci_text(low, high, unit: str) -> str:
    """'[5,4–10,7]' with the unit's decimals, or '' without an interval."""
    if _na(low) or _na(high):
        return ""
    d = fmt.DECIMALS.get(unit, 1)
    return f"[{fmt.number(low, d)}–{fmt.number(high, d)}]"


def status_text(r) -> str:
    if _na(r.status_period):
        return "ingen data – last inn et uttrekk"
    if not r.status_shown or _na(r.status_value):
        return f"vises ikke: {r.status_reason or 'mangler'} ({r.status_period})"
    ci = ci_text(r.status_low, r.status_high, r.unit)
    return f"{fmt.value(r.status_value, r.unit)}{' ' + ci if ci else ''} ({r.status_period})"


def baseline_text(r) -> str:
    if _na(r.baseline_value):
        return f"ingen verdi ({r.baseline_period})"
    text = f"{fmt.value(r.baseline_value, r.unit)} ({r.baseline_period})"
    if (
        r.baseline_agreed
        and not _na(r.baseline_series_value)
        and abs(r.baseline_series_value - r.baseline_value) > 1e-9
    ):
        text += f"; kildens reviderte tall: {fmt.value(r.baseline_series_value, r.unit)}"
    return text


def target_text(r) -> str:
    if _na(r.target_value):
        return "ingen mål (følges)"
    return f"{fmt.value(r.target_value, r.unit)} innen {r.target_period}"


CHANGE = "Endring fra 0-punkt"


def change_text(r) -> str:
    """The change since the 0-punkt in words, not signs: which way the number went, by how
    much, and what that means for this indicator - «ned 1,9 prosentpoeng – bedre», «opp 0,9
    prosentpoeng – dårligere», «opp 436 kr (ingen retning er bedre)» - followed by whether the
    change is certain («▲ sikker forbedring», «● ingen sikker endring»)."""
    if _na(r.change):  # say why when the verdict knows («? mangler 0-punkt»)
        return "kan ikke beregnes" if _na(r.change_verdict) else f"{r.change_symbol} {r.change_verdict}"
    words = fmt.change_words(r.change, r.unit)
    if words.startswith("uendret"):
        meaning = ""
    elif r.polarity == "neutral":
        meaning = " (ingen retning er bedre)"
    else:
        meaning = " – bedre" if r.improvement > 0 else " – dårligere"
    verdict = f" ({r.change_symbol} {r.change_verdict})" if not _na(r.change_verdict) else ""
    return f"{words}{meaning}{verdict}"


def benchmark_text(r) -> str:
    """The verdict against landet with landet's own number beside it, and when there is no
    comparison, why: «▼ dårligere (landet 7,9 prosent)», «? kan ikke sammenlignes: …»."""
    if _na(r.benchmark_verdict):
        return "–"
    if _na(r.benchmark_value):
        return f"{r.benchmark_symbol} {r.benchmark_verdict}: landet har ikke tall for perioden"
    landet = fmt.value(r.benchmark_value, r.unit)
    if _na(r.status_low):
        return f"{r.benchmark_symbol} {r.benchmark_verdict}: uten intervall (kilden oppgir ikke antall svar); landet {landet}"
    return f"{r.benchmark_symbol} {r.benchmark_verdict} (landet {landet})"


def verdict_text(symbol, text) -> str:
    return "–" if _na(text) else f"{symbol} {text}"


def four_numbers(mk: pd.DataFrame, status_label: str = "Status") -> dict:
    """The plans' layout: Hva · 0-punkt · Mål · Status · Endring fra 0-punkt · mot mål."""
    return {
        "Hva": mk["title"],
        "0-punkt": [baseline_text(r) for r in mk.itertuples()],
        "Mål": [target_text(r) for r in mk.itertuples()],
        status_label: [status_text(r) for r in mk.itertuples()],
        CHANGE: [change_text(r) for r in mk.itertuples()],
        "Mot mål": [verdict_text(r.target_symbol, r.target_verdict) for r in mk.itertuples()],
    }


def malekart_table(mk: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            **four_numbers(mk, "Status [95 % KI]"),
            "Mot landet": [benchmark_text(r) for r in mk.itertuples()],
            "Utvikling": [sparkline(t) for t in mk["trend"]],
        }
    )


BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_CHARS = set(BLOCKS + "·")


def sparkline(values) -> str:
    """A text trend line (prints, reads on a projector); '·' marks a hidden or missing point."""
    vals = list(values)
    nums = [v for v in vals if not _na(v)]
    if not nums:
        return "–"
    lo, hi = min(nums), max(nums)
    span = hi - lo or 1.0
    return "".join("·" if _na(v) else BLOCKS[min(7, int((v - lo) / span * 7.999))] for v in vals)


def summary(mk: pd.DataFrame) -> str:
    n = len(mk)
    better = int((mk["change_verdict"] == "sikker forbedring").sum())
    worse = int((mk["change_verdict"] == "sikker forverring").sum())
    same = int((mk["change_verdict"] == "ingen sikker endring").sum())
    reached = int((mk["target_verdict"] == "nådd").sum())
    on_track = int((mk["target_verdict"] == "på vei").sum())
    untestable = n - better - worse - same
    parts = [
        f"{better} av {n} indikatorer viser sikker forbedring siden 0-punktet",
        f"{worse} viser sikker forverring",
        f"{same} har ingen sikker endring",
    ]
    text = ", ".join(parts)
    if untestable:
        text += f", og {untestable} kan ikke testes (mangler antall svar eller data)"
    with_target = int(mk["target_value"].notna().sum())
    return text + f". {reached} av {with_target} mål er nådd og {on_track} er på vei."


def attention(mk: pd.DataFrame) -> pd.DataFrame:
    """Worse than the benchmark *and* worsening, or not on track for the target."""
    worse_and_worsening = (mk["benchmark_verdict"] == "dårligere") & (mk["change_verdict"] == "sikker forverring")
    off_track = mk["target_verdict"] == "ikke på vei"
    sel = mk[worse_and_worsening | off_track].copy()
    sel["Hvorfor"] = [
        "; ".join(
            x
            for x in ("dårligere enn landet og sikker forverring" if a else "", "ikke på vei mot målet" if b else "")
            if x
        )
        for a, b in zip(worse_and_worsening[sel.index], off_track[sel.index])
    ]
    sel["urgent"] = worse_and_worsening[sel.index]
    return sel.sort_values("urgent", ascending=False)


VERDICT_COLOURS = {  # colour-blind-safe, WCAG AA on white (4.5:1 or better)
    "▲": "#005AB5",
    "✔": "#005AB5",
    "↗": "#005AB5",
    "↘": "#005AB5",
    "▼": "#C4251A",
    "✖": "#C4251A",
    "●": "#4D4D4D",
    "?": "#4D4D4D",
    "–": "#4D4D4D",
}


def verdict_css(cell) -> str:
    """Text colour for a verdict cell, chosen from its symbol (the words carry the meaning)."""
    text = str(cell)
    for sym, colour in VERDICT_COLOURS.items():
        if sym in text.split(" ")[0] or f"– {sym}" in text:
            return f"color: {colour}; font-weight: 600"
    return ""


def styled_malekart(table: pd.DataFrame):
    cols = [c for c in (CHANGE, "Mot mål", "Mot landet") if c in table.columns]
    return table.style.map(verdict_css, subset=cols)


def series_table(series: pd.DataFrame, names: dict, unit: str, polarity: str = "neutral") -> pd.DataFrame:
    """The numbers behind the indicator chart; hidden cells say why, never 0 or blank. The change
    since the 0-punkt is said in words (``change_text``) where there is one."""
    changes = [
        "–"
        if _na(sym) and _na(ch)
        else change_text(
            SimpleNamespace(
                change=ch, improvement=imp, polarity=polarity, unit=unit, change_verdict=txt, change_symbol=sym
            )
        )
        for ch, imp, txt, sym in zip(
            series["change"], series["improvement"], series["change_verdict"], series["change_symbol"]
        )
    ]
    return pd.DataFrame(
        {
            "Område": [names.get(a, a) for a in series["area_code"]],
            "Gruppe": series["grp"],
            "Periode": series["period"],
            **value_cells(series, unit),
            CHANGE: changes,
            "Mot landet": [verdict_text(s, t) for s, t in zip(series["benchmark_symbol"], series["benchmark_verdict"])],
            "Grunnlag": [
                origin_text(o, u, h) for o, u, h in zip(series["origin"], series["units_used"], series["units_hidden"])
            ],
        }
    )


def value_cells(rows: pd.DataFrame, unit: str) -> dict:
    """Verdi · 95 % KI · Antall svar for mart rows; a hidden value says why, never 0 or blank."""
    return {
        "Verdi": [
            fmt.value(v, unit) if s else f"vises ikke: {r}"
            for v, s, r in zip(rows["value"], rows["shown"], rows["hidden_reason"])
        ],
        "95 % KI": [ci_text(lo, hi, unit) for lo, hi in zip(rows["ci_low"], rows["ci_high"])],
        "Antall svar": ["" if _na(n) else fmt.number(n, 0) for n in rows["n"]],
    }


def origin_text(origin, used, hidden) -> str:
    """'publisert', or for a value built from schools: how many schools it covers."""
    if origin == "sammenslått over år":
        return f"{int(used or 0)} år slått sammen (teller og nevner)"
    if origin != "aggregert fra skoler":
        return "publisert"
    used, hidden = int(used or 0), int(hidden or 0)
    text = f"aggregert fra {used} av {used + hidden} skoler"
    return text + (" (resten skjermet eller mangler)" if hidden else "")


def compare_table(rows: pd.DataFrame, unit: str, ref_name: str = "kommunen") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Område": rows["area_name"],
            **value_cells(rows, unit),
            f"Mot {ref_name}": [verdict_text(s, t) for s, t in zip(rows["vs_ref_symbol"], rows["vs_ref"])],
            "Grunnlag": [
                origin_text(o, u, h) for o, u, h in zip(rows["origin"], rows["units_used"], rows["units_hidden"])
            ],
        }
    )


def profile_table(prof: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Hva": prof["title"],
            "Periode": prof["period"].fillna("–"),
            "Bydelen [95 % KI]": [
                (
                    f"vises ikke: {r.reason}"
                    if not r.shown
                    else f"{fmt.value(r.value, r.unit)} {ci_text(r.low, r.high, r.unit)}".strip()
                )
                if not _na(r.period)
                else "ingen data"
                for r in prof.itertuples()
            ],
            "Kommunen": [fmt.value(v, u) for v, u in zip(prof["kommune_value"], prof["unit"])],
            "Mot kommunen": [verdict_text(s, t) for s, t in zip(prof["symbol"], prof["verdict"])],
        }
    )


def agreement_table(mk: pd.DataFrame) -> pd.DataFrame:
    """The resultatavtale layout: Hva · 0-punkt · Mål · Status · Endring fra 0-punkt, plus verdicts and tiltak."""
    return pd.DataFrame({**four_numbers(mk), "Tiltak": mk["tiltak"].fillna("").replace("", "–")})


def cell_text(v) -> str:
    """A table cell as text: numbers with a decimal comma, nothing missing shown as blank."""
    if _na(v):
        return "–"
    if isinstance(v, bool):
        return "ja" if v else "nei"
    if isinstance(v, int) or (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iu"):
        return fmt.number(float(v), 0)
    if isinstance(v, float):
        return fmt.compact(v)
    return str(v)


def html_table(
    table: pd.DataFrame,
    label: str,
    row_header: str | None = None,
    verdict_cols: tuple[str, ...] = (CHANGE,),
    max_height: int | None = None,
) -> str:
    """A table as plain HTML (``pages/_ui.py``'s ``html_table`` puts it in the page).

    Why not ``st.table``/``st.dataframe``: in the browser, both load a 0,7 MB table library
    (and ``st.dataframe`` another 0,5 MB grid) after the page has arrived, 0,5–0,6 s on the
    project's machine (docs/benchmarks.md); HTML in Markdown draws at once, prints, and is read
    by screen readers as a real table (column headers, and ``row_header`` as each row's header).
    Every cell is escaped, so text from the files shows as the letters it is. Verdict columns
    (and every «Mot …» column) get the colour of their symbol; the words and symbols carry the meaning."""
    from oppvekst.charts import esc

    cols = list(table.columns)
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in cols)
    rows = []
    for rec in table.itertuples(index=False):
        cells = []
        for c, v in zip(cols, rec):
            text = esc(cell_text(v))
            style = verdict_css(v) if c in verdict_cols or c.startswith("Mot ") else ""
            if isinstance(v, str) and v and set(v) <= SPARK_CHARS:  # a sparkline: small, in one piece
                style = "white-space: nowrap; font-size: 0.75rem; letter-spacing: -0.02em"
            elif len(text) <= 16:  # short cells (verdicts, numbers) do not wrap
                style = f"{style}; white-space: nowrap" if style else "white-space: nowrap"
            style_attr = f' style="{style}"' if style else ""
            tag = "th" if c == row_header else "td"
            scope = ' scope="row"' if c == row_header else ""
            cells.append(f"<{tag}{scope}{style_attr}>{text}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    box = f"max-height:{max_height}px;overflow:auto;" if max_height else "overflow-x:auto;"
    return (
        f'<div class="oppvekst-table" role="region" aria-label="{esc(label)}" tabindex="0" style="{box}">'
        f"<style>{TABLE_CSS}</style>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


TABLE_CSS = (
    ".oppvekst-table table{width:100%;font-size:0.875rem;line-height:1.35;margin:0}"
    ".oppvekst-table th,.oppvekst-table td{padding:0.3rem 0.45rem;vertical-align:top;text-align:left}"
    ".oppvekst-table thead th{position:sticky;top:0;background:var(--background-color, #fff);z-index:1}"
)
