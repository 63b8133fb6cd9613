"""The scorecard mart, computed from ``mart_indicator_values`` and the registry.

Grain: one row per indicator × area × period × group (kjønn). For each row: the value with
its interval, n, suppression and whether it may be shown; and - for periods of the same kind
as the 0-punkt - the change since the 0-punkt, the comparison with landet and the verdict
against the target, and the Fingertips trend over the 5 latest annual points.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from oppvekst import privacy
from oppvekst.periods import parse_period
from oppvekst.stats import Interval, t_value, trend_proportions, trend_values, z_value
from oppvekst.verdicts import benchmark_verdict, change_verdict, difference, direction, target_verdict, value_interval

COLUMNS = [
    "indicator_id",
    "area_code",
    "area_level",
    "area_name",
    "period",
    "period_type",
    "year_start",
    "year_end",
    "grp",
    "value",
    "n",
    "sd",
    "suppressed",
    "symbol",
    "origin",
    "units_used",
    "units_hidden",
    "shown",
    "hidden_reason",
    "ci_low",
    "ci_high",
    "ci_method",
    "baseline_period",
    "baseline_value",
    "baseline_series_value",
    "change",
    "change_low",
    "change_high",
    "change_method",
    "improvement",
    "change_verdict",
    "change_symbol",
    "change_colour",
    "change_detail",
    "benchmark_value",
    "benchmark_verdict",
    "benchmark_symbol",
    "benchmark_colour",
    "target_value",
    "target_period",
    "target_verdict",
    "target_symbol",
    "target_colour",
    "target_detail",
    "trend_direction",
    "trend_chi2",
    "trend_method",
]


# Verdicts (0-punkt, landet, mål, trend) are computed for every level but schools. A school's
# row in the mart has its value, interval and privacy; the Områder page compares schools with
# their bydel on demand (``queries.compare_areas``). 82 % of the mart's rows at national scale are
# schools, so this keeps the per-row verdict work to the areas a plan is followed up for.
# ``add_verdicts`` computes them for any rows (a school's too) when a page needs them.
VERDICT_LEVELS_EXCLUDED = ("skole",)


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else float(v)


def intervals(values: pd.DataFrame, statistic: pd.Series) -> pd.DataFrame:
    """Vectorised ``value_interval`` for every shown row: Wilson score for proportions (percent),
    t for means with sd and n >= 2; ``ci_low``, ``ci_high``, ``ci_method`` (None where none)."""
    value = pd.to_numeric(values["value"], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(values["n"], errors="coerce").to_numpy(dtype=float)
    sd = pd.to_numeric(values["sd"], errors="coerce").to_numpy(dtype=float)
    shown = values["shown"].to_numpy(dtype=bool)
    stat = statistic.to_numpy(dtype=object)
    low, high = np.full(len(values), np.nan), np.full(len(values), np.nan)
    method = np.full(len(values), None, dtype=object)
    ok = shown & np.isfinite(value) & np.isfinite(n) & (n > 0)
    prop = ok & (stat == "proportion")
    if prop.any():
        nn = n[prop]
        x = np.maximum(0.0, np.minimum(nn, value[prop] / 100 * nn))
        z = z_value(0.95)
        centre = 2 * x + z * z
        spread = z * np.sqrt(z * z + 4 * x * (1 - x / nn))
        denom = 2 * (nn + z * z)
        low[prop] = np.maximum(0.0, (centre - spread) / denom) * 100
        high[prop] = np.minimum(1.0, (centre + spread) / denom) * 100
        method[prop] = "Wilson score"
    mean = ok & (stat == "mean") & np.isfinite(sd) & (n >= 2)
    if mean.any():
        t = np.array([t_value(0.95, float(k - 1)) for k in n[mean]])  # cached per n
        half = t * sd[mean] / np.sqrt(n[mean])
        low[mean], high[mean] = value[mean] - half, value[mean] + half
        method[mean] = "t"
    return pd.DataFrame({"ci_low": low, "ci_high": high, "ci_method": method}, index=values.index)


def compute_scorecard(
    values: pd.DataFrame, indicators: pd.DataFrame, school_sums: bool = True, school_verdicts: bool = False
) -> pd.DataFrame:
    """The mart. ``school_sums``: protect schools against their bydel/kommune sum (privacy.apply);
    ``school_verdicts``: also compute verdicts for schools (off: see VERDICT_LEVELS_EXCLUDED)."""
    if values.empty:
        return pd.DataFrame(columns=COLUMNS)
    ind = {r["indicator_id"]: r for r in indicators.to_dict("records")}
    values = values[values["indicator_id"].isin(ind)].copy()
    if values.empty:
        return pd.DataFrame(columns=COLUMNS)
    meta = indicators.set_index("indicator_id")
    values["min_n"] = values["indicator_id"].map(meta["min_n"]).fillna(10)
    values = privacy.apply(values, school_sums)  # primary (min_n) and secondary suppression
    values = pd.concat([values, intervals(values, values["indicator_id"].map(meta["statistic"]))], axis=1)
    values["baseline_period"] = values["indicator_id"].map(meta["baseline_period"])
    values["target_value"] = values["indicator_id"].map(meta["target_value"])
    values["target_period"] = values["indicator_id"].map(meta["target_period"])
    verdict = ~values["area_level"].isin(() if school_verdicts else VERDICT_LEVELS_EXCLUDED)
    df = pd.concat([values[~verdict], add_verdicts(values[verdict], indicators)], ignore_index=True)
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = None
    # never store a hidden number in the mart
    hidden = ~df["shown"].astype(bool)
    df.loc[hidden, ["value", "n", "sd", "ci_low", "ci_high"]] = None
    return df[COLUMNS]


def add_verdicts(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Change since the 0-punkt, comparison with landet (taken from ``values``' own landet rows),
    verdict against the target and trend, for rows that already carry ``shown`` and the interval.
    Returns one row per input row (order: by indicator, area, group, period)."""
    if values.empty:
        return values.copy()
    ind = {r["indicator_id"]: r for r in indicators.to_dict("records")}
    values = values.astype(object).where(values.notna(), None)
    recs = values.to_dict("records")
    landet = {(r["indicator_id"], r["period"], r["grp"]): r for r in recs if r["area_code"] == "0"}
    groups: dict[tuple, list[dict]] = {}
    for r in recs:
        groups.setdefault((r["indicator_id"], r["area_code"], r["grp"]), []).append(r)
    out = []
    for (iid, area, grp), g in groups.items():
        meta = ind[iid]
        stat, pol = meta["statistic"], meta["polarity"]
        base_kind = parse_period(meta["baseline_period"]).kind
        target_period = meta["target_period"] if isinstance(meta["target_period"], str) else None
        tyear = parse_period(target_period).year_end if target_period else None
        g.sort(key=lambda r: (r["year_start"], r["year_end"], r["period"]))
        base_row = next((r for r in g if r["period"] == meta["baseline_period"]), None)
        base_ok = base_row is not None and bool(base_row["shown"])
        base_end = base_row["year_end"] if base_row is not None else 0
        same_kind = [r for r in g if r["period_type"] == base_kind and r["shown"]]
        for r in g:
            rec = dict(r)
            shown = bool(r["shown"])
            if r["period_type"] != base_kind or not shown or r["year_end"] < base_end:
                out.append(rec)
                continue
            ci = Interval(r["ci_low"], r["ci_high"], r["ci_method"], 0.95) if r["ci_method"] else None
            series_base = _num(base_row["value"]) if base_ok else None
            # the 0-punkt agreed in the plan stays the 0-punkt even if the source revised it
            agreed = _num(meta["baseline_value"]) if area == meta.get("plan_area") and grp == meta["gender"] else None
            bval = agreed if agreed is not None else series_base
            base_ok = base_ok or agreed is not None
            rec["baseline_value"], rec["baseline_series_value"] = bval, series_base
            diff = (
                difference(
                    stat,
                    (_num(r["value"]), _num(r["n"]), _num(r["sd"])),
                    (bval, _num(base_row["n"]), _num(base_row["sd"])),
                )
                if base_ok and bval is not None
                else None
            )
            ch = _num(r["value"]) - bval if bval is not None else None
            cv = change_verdict(diff, pol) if bval is not None else None
            d = direction(pol)
            rec.update(
                change=ch,
                change_low=diff.low if diff else None,
                change_high=diff.high if diff else None,
                change_method=diff.method if diff else None,
                improvement=ch * d if ch is not None and d else None,
                change_verdict=cv.text if cv else "mangler 0-punkt",
                change_symbol=cv.symbol if cv else "?",
                change_colour=cv.colour if cv else None,
                change_detail=cv.detail if cv else "0-punktet mangler eller er skjermet.",
            )
            if area != "0":
                lrow = landet.get((iid, r["period"], grp))
                bench = _num(lrow["value"]) if lrow is not None and lrow["shown"] else None
                bv = benchmark_verdict(ci, bench, pol)
                rec.update(
                    benchmark_value=bench,
                    benchmark_verdict=bv.text,
                    benchmark_symbol=bv.symbol,
                    benchmark_colour=bv.colour,
                )
            upto = [x for x in same_kind if x["year_end"] <= r["year_end"]]
            since = [x for x in upto if x["year_end"] >= base_end]
            tv = target_verdict(
                [(float(x["year_end"]), _num(x["value"])) for x in since],
                ci,
                _num(meta["target_value"]),
                tyear or 0,
                pol,
                stat,
                _num(base_row["n"]) if base_ok else None,
                _num(r["n"]),
                bval,
            )
            rec.update(
                target_verdict=tv.text, target_symbol=tv.symbol, target_colour=tv.colour, target_detail=tv.detail
            )
            if not bool(meta["pooled"]) and base_kind in ("year", "school_year"):
                tr = _trend(stat, upto[-5:])
                rec.update(trend_direction=tr.direction, trend_chi2=tr.chi2, trend_method=tr.method)
            out.append(rec)
    return pd.DataFrame(out)


def _trend(stat: str, last5: list[dict]):
    """Fingertips recent trend over 5 consecutive annual points (else: cannot be calculated)."""
    years = [r["year_start"] for r in last5]
    if len(last5) != 5 or years != list(range(years[0], years[0] + 5)):
        return trend_proportions([], [])
    if stat == "proportion" and all(_num(r["n"]) for r in last5):
        return trend_proportions([r["value"] / 100 * r["n"] for r in last5], [r["n"] for r in last5])
    cis = [value_interval(stat, _num(r["value"]), _num(r["n"]), _num(r["sd"])) for r in last5]
    return trend_values(
        [r["value"] for r in last5], [c.low if c else None for c in cis], [c.high if c else None for c in cis]
    )
