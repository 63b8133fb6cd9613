"""Funnel plots for the Områder page: areas compared with one reference value (a bydel's kommune,
a school's bydel or kommune, a kommune's landet) by where each lies against control limits
around that value at its own number of answers (Spiegelhalter 2005; shared/METHODS.md,
«Funnel plots and many comparisons on one page»).

- Limits: a proportion as PHE computes them (p₀ ± z·√(p₀(1 − p₀)/n), clipped to 0–100 prosent),
  a mean from its standard error (b ± z·sd/√n, sd the reference's own spread - the null model is
  «the area is like the reference» - or, when the reference has none, the areas' pooled sd).
  Other statistics (counts, kroner; rates have no indicator in the registry) get no funnel.
- Overdispersion: φ from the areas' winsorised z-scores; when the areas vary more than chance
  allows, the limits are widened by a between-area variance τ² (additive random effects), and
  ``Overdispersion.reason`` says so in a sentence.
- The verdict (as Fingertips): only an area outside the (adjusted) 99,8 % limits is an outlier,
  ▲ bedre / ▼ dårligere by the indicator's polarity (↑ høyere / ↓ lavere when no direction is
  better). Between 95 % and 99,8 % is said in the text but is not an outlier: on a page of many
  areas, 95 % limits would flag one area in twenty by chance.

Pure functions; the queries call them, the chart draws the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oppvekst import formatting as fmt
from oppvekst.stats import Overdispersion, funnel_limits, funnel_limits_mean, funnel_z, overdispersion
from oppvekst.verdicts import BETTER, NEUTRAL, NONE, SAME, WORSE, Verdict, direction

OUTER, INNER = 0.998, 0.95
STATISTICS = ("proportion", "mean")
GRID_POINTS = 120
UNTESTABLE = "kan ikke sammenlignes"
NO_N = "uten intervall (kilden oppgir ikke antall svar)"
NO_SD = "uten intervall (kilden oppgir ikke spredning)"


@dataclass(frozen=True)
class Funnel:
    """What the chart needs besides the rows: the reference line, the limits as smooth curves
    over n (``grid``: n, low95, high95, low998, high998 - adjusted when the areas are
    overdispersed - and plain_low998, plain_high998, the limits before any adjustment), the
    overdispersion estimate, how many areas were placed in the funnel and how many lie outside."""

    benchmark: float
    benchmark_name: str
    statistic: str
    unit: str
    polarity: str
    sd: float | None
    grid: pd.DataFrame
    overdispersion: Overdispersion
    compared: int
    outliers: int  # areas outside the (adjusted) 99,8 % limits


def _num(v) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v))


def common_sd(rows: pd.DataFrame, ref_sd) -> float | None:
    """The spread a mean's funnel is drawn with: the reference's sd, else the areas' pooled sd
    (√(Σ(nᵢ − 1)·sdᵢ² / Σ(nᵢ − 1)) over shown areas with n ≥ 2 and an sd)."""
    if _num(ref_sd) and ref_sd > 0:
        return float(ref_sd)
    ok = rows["shown"].astype(bool) & rows["sd"].notna() & (rows["n"] >= 2) if len(rows) else []
    if not len(rows) or not ok.any():
        return None
    df = rows.loc[ok, "n"] - 1
    pooled = math.sqrt(float((df * rows.loc[ok, "sd"] ** 2).sum() / df.sum()))
    return pooled if pooled > 0 else None


def limits(funnel_stat: str, benchmark: float, sd, n, confidence: float, phi: float = 1.0, tau2: float = 0.0):
    """(low, high) arrays at each n, in the indicator's unit."""
    if funnel_stat == "proportion":
        lo, hi = funnel_limits(benchmark, n, confidence, phi=phi, tau2=tau2)
    else:
        lo, hi = funnel_limits_mean(benchmark, sd, n, confidence, phi=phi, tau2=tau2)
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def _widening(od: Overdispersion) -> tuple[float, float]:
    """(phi, tau2) for the limits: τ² when the estimate asks for the additive widening, φ for a
    multiplicative one, neither when the areas vary no more than chance allows."""
    if not od.adjusted:
        return 1.0, 0.0
    if od.tau2 > 0:
        return 1.0, float(od.tau2)
    return max(1.0, float(od.phi)), 0.0


def verdict(side: int, polarity: str) -> Verdict:
    """An outlier's verdict: ``side`` +1 above the upper 99,8 % limit, −1 below the lower."""
    d = direction(polarity)
    if d == 0:
        return Verdict(
            "higher" if side > 0 else "lower", "høyere" if side > 0 else "lavere", "↑" if side > 0 else "↓", NEUTRAL
        )
    return Verdict("better", "bedre", "▲", BETTER) if side * d > 0 else Verdict("worse", "dårligere", "▼", WORSE)


def _limit_text(lo95: float, hi95: float, lo998: float, hi998: float, unit: str, adjusted: bool) -> str:
    d = fmt.DECIMALS.get(unit, 1)
    word = fmt.UNIT_WORD.get(unit, unit)
    word = f" {word}" if word else ""
    return (
        f"Grensene ved dette antallet svar{' (justert for overspredning)' if adjusted else ''}: "
        f"95 %: {fmt.number(lo95, d)}–{fmt.number(hi95, d)}{word}; "
        f"99,8 %: {fmt.number(lo998, d)}–{fmt.number(hi998, d)}{word}."
    )


def compare(
    rows: pd.DataFrame,
    benchmark,
    statistic: str,
    polarity: str,
    unit: str,
    ref_name: str,
    ref_sd=None,
) -> tuple[pd.DataFrame, Funnel | None]:
    """Each area of ``rows`` (mart rows: value, n, sd, shown) against ``benchmark`` in a funnel.

    Adds to a copy of the rows: ``vs_ref``/``vs_ref_symbol``/``vs_ref_colour`` (the verdict),
    ``vs_ref_note`` (said after the verdict in the table: why there is no comparison, or that the
    area is outside 95 % but not 99,8 %), ``funnel_test`` (the test in a sentence: the tooltip's and
    the hover's), ``funnel_limits`` (the limits at the area's n in words), ``funnel_band``
    ('outside', 'between', 'inside' or None), ``funnel_side`` (+1 above, −1 below, 0),
    ``funnel_z`` and the four limits (``funnel_low95`` … ``funnel_high998``).
    Returns (rows, funnel); funnel is None when no area could be placed."""
    rows = rows.copy()
    m = len(rows)
    verdicts = [Verdict("untestable", UNTESTABLE, "?", NONE)] * m
    notes = [""] * m
    tests = [""] * m
    limit_texts = [""] * m
    band: list[str | None] = [None] * m
    side = [0] * m
    cols = {
        c: np.full(m, np.nan) for c in ("funnel_z", "funnel_low95", "funnel_high95", "funnel_low998", "funnel_high998")
    }
    has_bench = _num(benchmark)
    bench = float(benchmark) if has_bench else math.nan
    sd = common_sd(rows, ref_sd) if statistic == "mean" else None
    degenerate = statistic == "proportion" and has_bench and not 0 < bench < 100
    placed = []
    for i, r in enumerate(rows.itertuples(index=False)):
        shown = bool(r.shown) if isinstance(r.shown, (bool, np.bool_)) else False  # NA counts as hidden
        if not shown or not _num(r.value):
            notes[i] = "tallet vises ikke"
        elif not has_bench:
            notes[i] = f"{ref_name} har ikke tall for perioden"
        elif statistic not in STATISTICS:
            notes[i] = NO_N if not _num(r.n) else "traktdiagram lages bare for andeler og gjennomsnitt"
        elif not _num(r.n) or r.n <= 0:
            notes[i] = NO_N
        elif statistic == "mean" and (sd is None or r.n < 2):
            notes[i] = NO_SD
        elif degenerate:
            notes[i] = f"{ref_name} har {fmt.value(bench, unit)}, og da kan ingen forskjell testes"
        else:
            placed.append(i)
    for i in range(m):
        if notes[i]:
            tests[i] = f"Kan ikke sammenlignes med {ref_name}: {notes[i]}."
    if not placed:
        for c, v in cols.items():
            rows[c] = v
        return _assign(rows, verdicts, notes, tests, limit_texts, band, side), None
    idx = np.array(placed)
    n = rows["n"].to_numpy(dtype=float)[idx]
    v = rows["value"].to_numpy(dtype=float)[idx]
    if statistic == "proportion":
        z = np.asarray(funnel_z(v, n, bench), dtype=float)
        se = np.sqrt(bench / 100 * (1 - bench / 100) / n) * 100
    else:
        se = sd / np.sqrt(n)
        z = (v - bench) / se
    od = overdispersion(z, se, unit=fmt.CHANGE_WORD.get(unit, fmt.UNIT_WORD.get(unit, unit)) or "enheter")
    phi, tau2 = _widening(od)
    lo95, hi95 = limits(statistic, bench, sd, n, INNER, phi, tau2)
    lo998, hi998 = limits(statistic, bench, sd, n, OUTER, phi, tau2)
    for j, i in enumerate(placed):
        cols["funnel_z"][i] = z[j]
        cols["funnel_low95"][i], cols["funnel_high95"][i] = lo95[j], hi95[j]
        cols["funnel_low998"][i], cols["funnel_high998"][i] = lo998[j], hi998[j]
        limit_texts[i] = _limit_text(lo95[j], hi95[j], lo998[j], hi998[j], unit, od.adjusted)
        s = 1 if v[j] > hi998[j] else -1 if v[j] < lo998[j] else 0
        if s:
            verdicts[i] = verdict(s, polarity)
            band[i], side[i] = "outside", s
            tests[i] = f"Utenfor 99,8 %-grensen: sikkert {verdicts[i].text} enn {ref_name}."
            continue
        verdicts[i] = Verdict("similar", "omtrent likt", "●", SAME)
        s95 = 1 if v[j] > hi95[j] else -1 if v[j] < lo95[j] else 0
        if s95:
            band[i], side[i] = "between", s95
            notes[i] = "utenfor 95 %-grensen, men innenfor 99,8 %: ikke et sikkert avvik"
            tests[i] = (
                f"Utenfor 95 %-grensen, men innenfor 99,8 %: {'høyere' if s95 > 0 else 'lavere'} enn {ref_name}, "
                "men ikke et sikkert avvik."
            )
        else:
            band[i] = "inside"
            tests[i] = f"Innenfor 95 %-grensen: som forventet, omtrent likt {ref_name}."
    for c, val in cols.items():
        rows[c] = val
    rows = _assign(rows, verdicts, notes, tests, limit_texts, band, side)
    grid_n = _grid(n)
    g_lo95, g_hi95 = limits(statistic, bench, sd, grid_n, INNER, phi, tau2)
    g_lo998, g_hi998 = limits(statistic, bench, sd, grid_n, OUTER, phi, tau2)
    p_lo998, p_hi998 = limits(statistic, bench, sd, grid_n, OUTER)
    grid = pd.DataFrame(
        {
            "n": grid_n,
            "low95": g_lo95,
            "high95": g_hi95,
            "low998": g_lo998,
            "high998": g_hi998,
            "plain_low998": p_lo998,
            "plain_high998": p_hi998,
        }
    )
    funnel = Funnel(
        bench,
        ref_name,
        statistic,
        unit,
        polarity,
        sd,
        grid,
        od,
        len(placed),
        int(sum(b == "outside" for b in band)),
    )
    return rows, funnel


def _grid(n: np.ndarray) -> np.ndarray:
    """n from the smallest to the largest area's (a little beyond), evenly on a log scale."""
    lo, hi = float(n.min()), float(n.max())
    if hi <= lo * 1.05:
        lo, hi = lo / 1.5, hi * 1.5
    return np.geomspace(max(1.0, lo * 0.9), hi * 1.1, GRID_POINTS)


def _assign(rows, verdicts, notes, tests, limit_texts, band, side) -> pd.DataFrame:
    rows["vs_ref"] = [v.text for v in verdicts]
    rows["vs_ref_symbol"] = [v.symbol for v in verdicts]
    rows["vs_ref_colour"] = [v.colour for v in verdicts]
    rows["vs_ref_note"] = notes
    rows["funnel_test"] = tests
    rows["funnel_limits"] = limit_texts
    rows["funnel_band"] = band
    rows["funnel_side"] = side
    return rows


def expected_false(k: int, confidence: float = OUTER) -> float:
    """How many of ``k`` areas fall outside two-sided limits at ``confidence`` by chance alone."""
    return k * (1 - confidence)
