"""Texts the pages show, built from query results (pure, testable without Streamlit)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from urllib.parse import urlencode

import pandas as pd

from oppvekst import formatting as fmt
from oppvekst.multiplicity import attention_reasons


def _na(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def ci_text(low, high, unit: str) -> str:
    """'[5,4–10,7]' with the unit's decimals, or '' without an interval."""
    if _na(low) or _na(high):
        return ""
    d = fmt.DECIMALS.get(unit, 1)
    return f"[{fmt.number(low, d)}–{fmt.number(high, d)}]"


def status_text(r) -> str:
    """The status and its period; its interval is one hover away (``status_hover``)."""
    if _na(r.status_period):
        return "ingen data – last inn et uttrekk"
    if not r.status_shown or _na(r.status_value):
        return f"vises ikke: {r.status_reason or 'mangler'} ({r.status_period})"
    return f"{fmt.value(r.status_value, r.unit)} ({r.status_period})"


def status_hover(r) -> str:
    """What hovering over a status shows: the interval and how many answered."""
    if _na(r.status_period) or not r.status_shown or _na(r.status_value):
        return ""
    parts = []
    if not _na(r.status_low) and not _na(r.status_high):
        d = fmt.DECIMALS.get(r.unit, 1)
        word = fmt.UNIT_WORD.get(r.unit, r.unit)
        parts.append(
            f"95 prosents konfidensintervall: {fmt.number(r.status_low, d)}–{fmt.number(r.status_high, d)} {word}".rstrip()
        )
    else:
        parts.append(_no_interval(r))
    if not _na(r.status_n):
        parts.append(f"{fmt.number(r.status_n, 0)} svar")
    return " · ".join(parts)


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
        return "ingen mål – følges med"
    return f"{fmt.value(r.target_value, r.unit)} innen {r.target_period}"


CHANGE = "Endring fra 0-punkt"


def change_text(r, with_verdict: bool = True) -> str:
    """The change since the 0-punkt in words, not signs: which way the number went, by how
    much, and what that means for this indicator - «ned 1,9 prosentpoeng – bedre», «opp 0,9
    prosentpoeng – dårligere», «opp 436 kr (ingen retning er bedre)» - followed by whether the
    change is certain («▲ sikker forbedring», «● ingen sikker endring») unless ``with_verdict`` is
    false (where the verdict has a column of its own)."""
    verdict_known = with_verdict and not _na(r.change_verdict)
    if _na(r.change):  # say why when the verdict knows («? mangler 0-punkt»)
        return f"{r.change_symbol} {r.change_verdict}" if verdict_known else "kan ikke beregnes"
    words = fmt.change_words(r.change, r.unit)
    if words.startswith("uendret"):
        meaning = ""
    elif r.polarity == "neutral":
        meaning = " (ingen retning er bedre)"
    else:
        meaning = " – bedre" if r.improvement > 0 else " – dårligere"
    verdict = f" ({r.change_symbol} {r.change_verdict})" if verdict_known else ""
    return f"{words}{meaning}{verdict}"


def benchmark_text(r) -> str:
    """The verdict against the benchmark with the benchmark's own number beside it, and when
    there is no comparison, why. One rule for every page (``oppvekst.scorecard``): a kommune
    against landet - «▼ dårligere (landet 7,9 prosent)» - and a bydel against its kommune, with
    landet second - «● omtrent likt (Bergen 7,2 prosent; landet 7,9 prosent)»."""
    if _na(r.benchmark_verdict):
        return "–"
    name = getattr(r, "benchmark_name", None)
    name = "landet" if _na(name) else name
    landet_v = getattr(r, "landet_value", None)
    if _na(r.benchmark_value):
        return f"{r.benchmark_symbol} {r.benchmark_verdict}: {name} har ikke tall for perioden"
    if name == "landet" or _na(landet_v):
        bench = f"{name} {fmt.value(r.benchmark_value, r.unit)}"
    else:  # «Bergen 8,8; landet 7,8 prosent»
        bench = (
            f"{name} {fmt.number(r.benchmark_value, fmt.DECIMALS.get(r.unit, 1))}; landet {fmt.value(landet_v, r.unit)}"
        )
    if _na(r.status_low):
        return f"{r.benchmark_symbol} {r.benchmark_verdict}: {_no_interval(r)}; {bench}"
    return f"{r.benchmark_symbol} {r.benchmark_verdict} ({bench})"


def _no_interval(r) -> str:
    """Why a shown number has no interval: the source gives no n, or (a mean with n, such as the
    fravær template's) no spread."""
    n = getattr(r, "status_n", None)
    return "uten intervall (kilden oppgir ikke " + ("antall svar)" if _na(n) else "spredning)")


def benchmark_label(mk: pd.DataFrame) -> str:
    """The column's name: «Mot landet», or «Mot kommunen» when the rows are a bydel's."""
    areas = mk["benchmark_area"].dropna() if "benchmark_area" in mk else pd.Series(dtype=object)
    return "Mot kommunen" if (areas != "0").any() else "Mot landet"


def verdict_text(symbol, text) -> str:
    return "–" if _na(text) else f"{symbol} {text}"


def four_numbers(mk: pd.DataFrame) -> dict:
    """The plans' layout: Hva · 0-punkt · Mål · Status · Endring fra 0-punkt · mot mål."""
    return {
        "Hva": mk["title"],
        "0-punkt": [baseline_text(r) for r in mk.itertuples()],
        "Mål": [target_text(r) for r in mk.itertuples()],
        "Status": [status_text(r) for r in mk.itertuples()],
        CHANGE: [change_text(r) for r in mk.itertuples()],
        "Mot mål": [verdict_text(r.target_symbol, r.target_verdict) for r in mk.itertuples()],
    }


def malekart_table(mk: pd.DataFrame) -> pd.DataFrame:
    """The Målekart as read on screen and on paper: the status without its interval (it is one
    hover away, ``malekart_hover``, and a column of its own in ``malekart_grid``)."""
    scales = trend_scales(mk)
    return pd.DataFrame(
        {
            **four_numbers(mk),
            benchmark_label(mk): [benchmark_text(r) for r in mk.itertuples()],
            "Utvikling": [
                labelled_sparkline(t, r.unit, scales.get(r.indicator_id)) for t, r in zip(mk["trend"], mk.itertuples())
            ],
        }
    )


def malekart_hover(mk: pd.DataFrame) -> dict[str, list[str]]:
    """Hover texts per column for ``html_table``: the interval and n behind each status."""
    return {"Status": [status_hover(r) for r in mk.itertuples()], "Utvikling": trend_hover(mk)}


def malekart_grid(mk: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The Målekart for sorting and searching (one click away): the interval in its own column."""
    table = table.copy()  # the page draws the same table too
    table.insert(4, "95 % KI", [ci_text(r.status_low, r.status_high, r.unit) for r in mk.itertuples()])
    return table.assign(**{"Mål i planen": mk["goal"].to_numpy()})


def indicator_link(indicator_id: str, area_code: str) -> str:
    """The Indikator page for one indicator and area (relative, so it works under any base path)."""
    return "indikator?" + urlencode({"indikator": indicator_id, "omrade": area_code})


BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values, lo: float | None = None, hi: float | None = None) -> str:
    """A text trend line (prints, reads on a projector); '·' marks a hidden or missing point.
    With ``lo``/``hi`` the bars stand on that shared scale, so a flat series looks flat."""
    vals = list(values)
    nums = [v for v in vals if not _na(v)]
    if not nums:
        return "–"
    lo = min(nums) if lo is None else min(lo, min(nums))
    hi = max(nums) if hi is None else max(hi, max(nums))
    span = hi - lo or 1.0
    return "".join("·" if _na(v) else BLOCKS[min(7, int((v - lo) / span * 7.999))] for v in vals)


# Where each unit's scale starts: Elevundersøkelsen's indices run from 1 to 5; the rest start at 0.
# A sparkline's bars stand on that fixed start (not on the series' own lowest point), so a change
# looks as large as it is relative to the value: 4,50 → 4,50 is flat, 14,6 → 9,4 falls by a third.
SCALE_START = {"poeng": 1.0}


def trend_scales(mk: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each row's sparkline scale, per indicator: from the unit's start to the top of its series
    (rounded up), shown in the cell's hover text (``trend_hover``)."""
    out = {}
    for r in mk.itertuples():
        nums = [v for v in r.trend if not _na(v)]
        if not nums:
            continue
        lo = SCALE_START.get(r.unit, 0.0)
        top = max(max(nums), lo + 1e-9)
        step = 10 ** math.floor(math.log10(top - lo)) if top - lo > 0 else 1.0
        out[r.indicator_id] = (lo, lo + math.ceil((top - lo) / step) * step)
    return out


def trend_hover(mk: pd.DataFrame) -> list[str]:
    """The scale and every point of each row's sparkline, for the hover text."""
    scales = trend_scales(mk)
    out = []
    for r in mk.itertuples():
        if r.indicator_id not in scales:
            out.append("")
            continue
        lo, hi = scales[r.indicator_id]
        word = fmt.UNIT_WORD.get(r.unit, r.unit)
        d = fmt.DECIMALS.get(r.unit, 1)
        pts = " · ".join("skjult" if _na(v) else fmt.number(v, d) for v in r.trend)
        out.append(f"Skala {fmt.number(lo, 0)}–{fmt.number(hi, 0)} {word}. Målingene fra eldst til nyest: {pts}")
    return out


def labelled_sparkline(values, unit: str, scale: tuple[float, float] | None = None) -> str:
    """«16,2 ▅▅▄▄ 15,9»: the first and the last shown value on either side of the bars."""
    vals = list(values)
    nums = [v for v in vals if not _na(v)]
    if not nums:
        return "–"
    d = fmt.DECIMALS.get(unit, 1)
    line = sparkline(vals, *(scale or (None, None)))
    if len(nums) == 1:
        return f"{line} {fmt.number(nums[0], d)}"
    return f"{fmt.number(nums[0], d)} {line} {fmt.number(nums[-1], d)}"


def summary(mk: pd.DataFrame) -> str:
    n = len(mk)
    better = int((mk["change_verdict"] == "sikker forbedring").sum())
    worse = int((mk["change_verdict"] == "sikker forverring").sum())
    same = int((mk["change_verdict"] == "ingen sikker endring").sum())
    reached = int((mk["target_verdict"] == "nådd").sum())
    on_track = int((mk["target_verdict"] == "på vei").sum())
    off_track = int((mk["target_verdict"] == "ikke på vei").sum())
    unsure = int((mk["target_verdict"] == "usikkert om målet nås").sum())
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
    text += f". {reached} av {with_target} mål er nådd og {on_track} er på vei mot målet"
    behind = [f"{off_track} er sikkert ikke på vei"] if off_track else []
    behind += [f"for {unsure} er det usikkert om målet nås"] if unsure else []
    return text + (f"; {' og '.join(behind)}" if behind else "") + "."


def highlight_list(items: list[dict], area_code: str, empty: str, most: int = 5) -> str:
    """``highlights`` items as a short HTML list (the ``most`` first; the rest are counted), each
    indicator's name a link to its page in the same tab. Every text is escaped."""
    from oppvekst.charts import esc

    if not items:
        return f'<div class="oppvekst-highlights"><p>{esc(empty)}</p></div>'
    lis = "".join(
        f'<li><a href="{esc(indicator_link(i["indicator_id"], area_code))}" target="_self">{esc(i["title"])}</a>: '
        f"{esc(i['text'])}</li>"
        for i in items[:most]
    )
    more = len(items) - most
    rest = f"<p>… og {more} til – se tabellen nedenfor.</p>" if more > 0 else ""
    return f'<div class="oppvekst-highlights"><ul>{lis}</ul>{rest}</div>'


def _relative(mk: pd.DataFrame) -> pd.Series:
    """How big each change is against its 0-punkt (for ranking; the texts give the numbers)."""
    change = pd.to_numeric(mk["change"], errors="coerce").abs()
    base = pd.to_numeric(mk["baseline_value"], errors="coerce").abs()
    return (change / base.where(base > 0)).fillna(change)


def highlights(mk: pd.DataFrame) -> dict[str, list[dict]]:
    """The politician's first screen, readable without statistics: which indicators go better since
    the 0-punkt (only changes that are sure on the page, largest first), which need attention (a
    sure worsening, surely worse than the benchmark, or surely behind the plan's line to the
    target - ``multiplicity.attention``'s rule), which are on track for their target, and which
    are behind it without that being sure. Each item: indicator_id, title and a short text
    («ned 1,9 prosentpoeng siden 2020-21, nå 5,8 prosent»)."""
    if mk.empty:
        return {"bedre": [], "oppmerksomhet": [], "på vei": [], "usikkert": []}
    rank = _relative(mk)

    def since(r) -> str:
        return (
            f"{fmt.change_words(r.change, r.unit)} siden {r.baseline_period}, "
            f"nå {fmt.value(r.status_value, r.unit)} ({r.status_period})"
        )

    def now(r) -> str:
        return f"nå {fmt.value(r.status_value, r.unit)}" if not _na(r.status_value) else "ingen tall nå"

    def goal(r) -> str:
        return f"{r.target_symbol} {r.target_verdict}: mål {target_text(r)}, {now(r)}"

    def gap(r) -> str:
        return f"mål {target_text(r)}, {now(r)}"

    def items(mask, text, order=None) -> list[dict]:
        rows = mk[mask]
        if order is not None:
            rows = rows.assign(_o=order[mask]).sort_values("_o", ascending=False, kind="stable")
        return [{"indicator_id": r.indicator_id, "title": r.title, "text": text(r)} for r in rows.itertuples()]

    def bench_name(r) -> str:
        return r.benchmark_name if isinstance(getattr(r, "benchmark_name", None), str) else "landet"

    def reasons(r) -> str:
        parts = []
        if r.change_verdict == "sikker forverring":
            parts.append(f"{fmt.change_words(r.change, r.unit)} siden {r.baseline_period}")
        if r.benchmark_verdict == "dårligere":
            parts.append(f"dårligere enn {bench_name(r)}")
        if r.target_verdict == "ikke på vei":
            parts.append(f"ikke på vei mot målet {target_text(r)}")
        return "; ".join(parts) + f"; {now(r)} ({r.status_period})"

    weight = attention_reasons(mk, prefix="")  # the målekart's rows carry the page's verdicts
    target_rank = mk["target_verdict"].map({"nådd": 2, "på vei": 1}).fillna(0)
    status = pd.to_numeric(mk["status_value"], errors="coerce")
    target = pd.to_numeric(mk["target_value"], errors="coerce")
    distance = ((status - target).abs() / target.abs().where(target != 0)).fillna(0)  # farthest first
    return {
        "bedre": items(mk["change_verdict"] == "sikker forbedring", since, rank),
        "oppmerksomhet": items(weight > 0, reasons, weight * 10 + rank),
        "på vei": items(mk["target_verdict"].isin(["nådd", "på vei"]), goal, target_rank),
        "usikkert": items(mk["target_verdict"] == "usikkert om målet nås", gap, distance),
    }


def page_rule_text(mk: pd.DataFrame) -> str:
    """The one plain line that says how sure «sikker» is on a page of many tests (issue 18)."""
    tests = pd.to_numeric(mk.get("family_tests", pd.Series(dtype=float)), errors="coerce").dropna()
    if tests.empty:
        return ""
    name = mk["family_name"].dropna().iloc[0] if mk["family_name"].notna().any() else "området"
    return (
        f"«Sikker» betyr her at funnet holder selv om {name} har {int(tests.iloc[0])} tester på disse sidene: "
        "vi godtar høyst 5 prosent falske funn blant dem (Benjamini–Hochberg). Siden Indikator viser én "
        "indikator om gangen med 95 prosents konfidensintervall."
    )


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
            "Mot kommunen/landet": [
                benchmark_text(
                    SimpleNamespace(
                        benchmark_verdict=r.benchmark_verdict,
                        benchmark_symbol=r.benchmark_symbol,
                        benchmark_value=r.benchmark_value,
                        benchmark_name=getattr(r, "benchmark_name", None),
                        landet_value=getattr(r, "landet_value", None),
                        status_low=r.ci_low,
                        status_n=r.n,
                        unit=unit,
                    )
                )
                for r in series.itertuples()
            ],
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


def no_comparison_reason(shown, low, n, ref_value, ref_name: str) -> str:
    """Why an area cannot be compared with its reference (as ``benchmark_text`` says it): the
    area's number is hidden, the reference has no number, or the area's number has no interval."""
    if not shown:
        return "tallet vises ikke"
    if _na(ref_value):
        return f"{ref_name} har ikke tall for perioden"
    if _na(low):
        return _no_interval(SimpleNamespace(status_n=n))
    return ""


def compare_table(rows: pd.DataFrame, unit: str, ref_name: str = "kommunen", ref_value=None) -> pd.DataFrame:
    """One row per area against the reference (``ref_value``, or per row ``rows["ref_value"]``
    when each group has its own); «? kan ikke sammenlignes» is followed by why. Rows from the
    funnel (``queries.compare_funnel``) carry their own note (``vs_ref_note``): why there is no
    comparison, or that the area is outside the 95 % limits but not the 99,8 % ones."""
    refs = rows["ref_value"] if "ref_value" in rows else [ref_value] * len(rows)
    notes = rows["vs_ref_note"] if "vs_ref_note" in rows else [""] * len(rows)
    verdicts = [
        verdict_text(s, t)
        + (
            f": {note or no_comparison_reason(shown, low, n, ref, ref_name)}"
            if t == "kan ikke sammenlignes"
            else f" – {note}"
            if isinstance(note, str) and note
            else ""
        )
        for s, t, shown, low, n, ref, note in zip(
            rows["vs_ref_symbol"], rows["vs_ref"], rows["shown"], rows["ci_low"], rows["n"], refs, notes
        )
    ]
    return pd.DataFrame(
        {
            "Område": rows["area_name"],
            **value_cells(rows, unit),
            f"Mot {ref_name}": verdicts,
            "Grunnlag": [
                origin_text(o, u, h) for o, u, h in zip(rows["origin"], rows["units_used"], rows["units_hidden"])
            ],
        }
    )


def funnel_intro(title: str, period: str, ref_name: str, ref_value, unit: str) -> str:
    """What the funnel plot shows, in Markdown (text from the registry escaped)."""
    head = f"**{fmt.md_text(title)}, {period}.** "
    ref = fmt.md_text(ref_name)
    return head + (
        f"Hvert område står etter hvor mange som svarte (vannrett) og tallet sitt (loddrett). Den vannrette "
        f"linjen er {ref} ({fmt.value(ref_value, unit)}). Trakten rundt den viser hvor langt fra {ref} et område "
        "kan havne av tilfeldighet alene: smal der mange har svart, vid der få har svart. Stiplet: 95 %-grensen; "
        "heltrukket: 99,8 %-grensen."
    )


def funnel_rule_text(funnel) -> str:
    """The page's one line on multiplicity: only outside 99,8 % is an outlier, and how many false
    outliers that lets through by chance with this many areas (against 95 %)."""
    from oppvekst.funnel import INNER, OUTER, expected_false

    k = funnel.compared
    return (
        "Bare områder utenfor 99,8 %-grensen regnes som sikre avvik, som i de engelske folkehelseprofilene "
        f"(Fingertips): med {fmt.number(k, 0)} {'område' if k == 1 else 'områder'} ventes "
        f"{fmt.compact(expected_false(k, OUTER))} falske avvik når ingen egentlig skiller seg ut "
        f"(med 95 %-grensen: {fmt.compact(expected_false(k, INNER))})."
    )


def funnel_dispersion_text(funnel) -> str:
    """The overdispersion estimate in words: its own sentence, and what was done about it."""
    od = funnel.overdispersion
    text = od.reason.strip()
    if od.adjusted:
        text += (
            " Dommene i tabellen bruker de utvidede grensene; den prikkede linjen i diagrammet viser "
            "99,8 %-grensen uten utvidelse."
        )
    return text


def funnel_outlier_text(rows: pd.DataFrame, funnel) -> str:
    """Which areas lie outside the 99,8 % limits, by name and verdict (or that none does)."""
    out = rows[rows["funnel_band"] == "outside"] if "funnel_band" in rows else rows.iloc[0:0]
    if out.empty:
        return f"Ingen av de {fmt.number(funnel.compared, 0)} områdene ligger utenfor 99,8 %-grensen."
    parts = []
    for (symbol, text), group in out.groupby(["vs_ref_symbol", "vs_ref"], sort=False):
        names = [fmt.md_text(a) for a in group["area_name"]]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
        parts.append(f"{symbol} sikkert {text} enn {fmt.md_text(funnel.benchmark_name)}: {listed}")
    return "Utenfor 99,8 %-grensen – " + "; ".join(parts) + "."


def funnel_table(rows: pd.DataFrame, unit: str, ref_name: str, ref_value=None) -> pd.DataFrame:
    """``compare_table`` for the funnel: the 99,8 % limits at each area's n beside the verdict."""
    table = compare_table(rows, unit, ref_name, ref_value)
    if "funnel_low998" in rows:
        at = list(table.columns).index(f"Mot {ref_name}") + 1
        table.insert(
            at,
            "99,8 %-grenser",
            [ci_text(lo, hi, unit) for lo, hi in zip(rows["funnel_low998"], rows["funnel_high998"])],
        )
    return table


def no_funnel_text(rows: pd.DataFrame, ref_name: str) -> str:
    """Why no area could be placed in a funnel (the reason most rows give)."""
    notes = [n for n in rows.get("vs_ref_note", []) if isinstance(n, str) and n]
    why = max(sorted(set(notes)), key=notes.count) if notes else "ingen av tallene kan testes"
    return (
        f"Traktdiagram kan ikke tegnes mot {fmt.md_text(ref_name)}: {fmt.md_text(why)}. "
        "Søylene viser tallene uten sammenligning."
    )


def funnel_legend(ref_name: str) -> str:
    """What the symbols and limits mean on the Områder page's funnel and table (Markdown)."""
    ref = fmt.md_text(ref_name)
    return (
        f"**Slik leser du tegnene.** Mot {ref}: ▲ sikkert bedre · ▼ sikkert dårligere · ↑/↓ sikkert høyere/lavere "
        "(for indikatorer der ingen retning er bedre): området ligger utenfor 99,8 %-grensen i traktdiagrammet. "
        "● omtrent likt: innenfor 99,8 %-grensen; står det «utenfor 95 %-grensen», er avstanden større enn vanlig, "
        "men ikke et sikkert avvik. ? kan ikke sammenlignes, og teksten sier hvorfor: tallet vises ikke, det har ikke "
        f"intervall (kilden oppgir ikke antall svar eller spredning), eller {ref} har ikke tall for perioden. "
        "Hold pekeren over en dom for grensene ved områdets antall svar.  \n"
        "95 % KI [lav–høy]: 95 prosents konfidensintervall, området der det sanne tallet mest sannsynlig ligger. "
        "99,8 %-grenser: hvor langt fra tallet for "
        f"{ref} et område med like mange svar kan havne av tilfeldighet alene. Se «Slik regner vi» på Datagrunnlag."
    )


def compare_hover(rows: pd.DataFrame) -> list[str]:
    """The hover of each «Mot …» cell: the limits at the area's n and the test in a sentence."""
    if "funnel_test" not in rows:
        return [""] * len(rows)
    return [" ".join(t for t in (lim, test) if t) for lim, test in zip(rows["funnel_limits"], rows["funnel_test"])]


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
            "Landet": [fmt.value(v, u) for v, u in zip(prof["landet_value"], prof["unit"])],
            "Mot kommunen": [_bare_verdict(r) for r in prof.itertuples()],
        }
    )


def _bare_verdict(r) -> str:
    """The verdict against the kommune (its number has a column of its own); when the kommune
    had no number and landet was used, or there is no comparison, the text says so."""
    if _na(r.benchmark_verdict):
        return "–"
    if r.benchmark_name == "landet" or _na(r.benchmark_value):
        return benchmark_text(r)
    if _na(r.status_low):
        return f"{r.benchmark_symbol} {r.benchmark_verdict}: {_no_interval(r)}"
    return f"{r.benchmark_symbol} {r.benchmark_verdict}"


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
    links: dict[str, list[str | None]] | None = None,
    hover: dict[str, list[str]] | None = None,
) -> str:
    """A table as plain HTML (``pages/_ui.py``'s ``html_table`` puts it in the page).

    Why not ``st.table``/``st.dataframe``: in the browser, both load a 0,7 MB table library
    (and ``st.dataframe`` another 0,5 MB grid) after the page has arrived, 0,5–0,6 s on the
    project's machine (docs/benchmarks.md); HTML in Markdown draws at once, prints, and is read
    by screen readers as a real table (column headers, and ``row_header`` as each row's header).
    Every cell is escaped, so text from the files shows as the letters it is. Verdict columns
    (and every «Mot …» column) get the colour of their symbol; the words and symbols carry the meaning.
    ``links``: per column, a relative address per row (the cell becomes a link to it);
    ``hover``: per column, a text per row shown when the pointer rests on the cell (and read by
    screen readers as the cell's description)."""
    from oppvekst.charts import esc

    links, hover = links or {}, hover or {}
    cols = list(table.columns)
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in cols)
    rows = []
    for i, rec in enumerate(table.itertuples(index=False)):
        cells = []
        for c, v in zip(cols, rec):
            text = esc(cell_text(v))
            style = verdict_css(v) if c in verdict_cols or c.startswith("Mot ") else ""
            if isinstance(v, str) and any(ch in BLOCKS for ch in v):  # a sparkline: small, in one piece
                style = "white-space: nowrap; font-size: 0.8rem; color: #5B6770"
            elif len(text) <= 16:  # short cells (verdicts, numbers) do not wrap
                style = f"{style}; white-space: nowrap" if style else "white-space: nowrap"
            href = links.get(c, [None] * len(table))[i]
            if href:
                text = f'<a href="{esc(href)}" target="_self">{text}</a>'
            tip = hover.get(c, [""] * len(table))[i]
            if tip:
                text = f'<span class="oppvekst-hover" title="{esc(tip)}">{text}</span>'
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
    ".oppvekst-table .oppvekst-hover{text-decoration:underline dotted;text-underline-offset:3px;cursor:help}"
    ".oppvekst-table th a{font-weight:600}"
)


# --------------------------------------------------------------------- «Fordelt på» (slices)

BREAKDOWN_LABELS = {"ingen": "Ingen", "kjonn": "Kjønn", "trinn": "Trinn"}


def grade_text(grade) -> str:
    """A trinn as read: '7' → «7. trinn», '8-10' → «8.–10. trinn», 'vg1-vg3' → «vg1–vg3»,
    'alle' → «alle trinn»."""
    g = str(grade)
    if g == "alle":
        return "alle trinn"
    parts = g.split("-")
    if all(p.isdigit() for p in parts):
        return "–".join(f"{p}." for p in parts) + " trinn"
    return "–".join(parts)


def slice_label(slice_, by: str) -> str:
    """The name of a group in a «Fordelt på» view: a kjønn as it is, a trinn by ``grade_text``."""
    return grade_text(slice_) if by == "trinn" else str(slice_)


def slice_series_table(
    series: pd.DataFrame, names: dict, unit: str, polarity: str = "neutral", by: str = "ingen"
) -> pd.DataFrame:
    """``series_table`` with the group named as the «Fordelt på» choice says (kjønn or trinn)."""
    table = series_table(series, names, unit, polarity)
    if by == "trinn" and "slice" in series:
        table["Gruppe"] = [slice_label(s, by) for s in series["slice"]]
        table = table.rename(columns={"Gruppe": "Trinn"})
    elif by == "kjonn":
        table = table.rename(columns={"Gruppe": "Kjønn"})
    return table


def slice_compare_table(rows: pd.DataFrame, unit: str, ref_name: str, by: str) -> pd.DataFrame:
    """``compare_table`` with one row per area × group: the group's name after the area, and the
    reference's value for the same group beside the verdict against it."""
    table = compare_table(rows, unit, ref_name)
    table.insert(1, "Trinn" if by == "trinn" else "Kjønn", [slice_label(s, by) for s in rows["slice"]])
    at = list(table.columns).index(f"Mot {ref_name}")
    head = ref_name[:1].upper() + ref_name[1:]  # «Landet, samme gruppe»
    table.insert(at, f"{head}, samme gruppe", [fmt.value(v, unit) for v in rows["ref_value"]])
    return table


def url_choice(value, allowed, default: str) -> str:
    """A choice read from the URL: the value when it is one of ``allowed``, else ``default``."""
    return value if isinstance(value, str) and value in list(allowed) else default


def url_codes(value, allowed, default: list[str]) -> list[str]:
    """A list of codes read from the URL (``?sammenlign=0,46``): the allowed ones, in the order
    given, without repeats. Absent (None) gives ``default``; present but empty gives none (the
    user removed them all); present with none allowed gives ``default``."""
    if value is None or not isinstance(value, str):
        return list(default)
    if not value.strip():
        return []
    allowed = list(allowed)
    codes = [c for c in dict.fromkeys(c.strip() for c in value.split(",")) if c in allowed]
    return codes or list(default)
