"""The scorecard mart, computed from ``mart_indicator_values`` and the registry.

Grain: one row per indicator × area × period × group (kjønn). For each row: the value with
its interval, n, suppression and whether it may be shown; and - for periods of the same kind
as the 0-punkt - the change since the 0-punkt, the comparison with a benchmark and the verdict
against the target, and the Fingertips trend over the 5 latest annual points.

The benchmark rule (one rule for every page, docs/methods.md): a bydel is compared with its
kommune first, and with landet only when the kommune has no shown value for the period; every
other area is compared with landet. ``benchmark_area``/``benchmark_name`` say which it was, and
``landet_value`` carries landet's number for every row, so a bydel's page can show both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oppvekst import privacy
from oppvekst.formatting import number
from oppvekst.multiplicity import p_line, p_newcombe, p_score, p_t, p_welch
from oppvekst.periods import parse_period
from oppvekst.stats import TREND_THRESHOLD, t_value, z_value
from oppvekst.verdicts import (
    BETTER,
    NEUTRAL,
    NONE,
    SAME,
    WORSE,
    _z_power,
    direction,
    projection_text,
    trajectory_text,
)

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
    "benchmark_area",
    "benchmark_name",
    "landet_value",
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
    "target_path_value",
    "change_p",
    "benchmark_p",
    "target_p",
]


# Verdicts (0-punkt, landet, mål, trend) are computed for every level but schools. A school's
# row in the mart has its value, interval and privacy; the Områder page compares schools with
# their bydel on demand (``queries.compare_areas``). 82 % of the mart's rows at national scale are
# schools, so this keeps the per-row verdict work to the areas a plan is followed up for.
# ``add_verdicts`` computes them for any rows (a school's too) when a page needs them.
VERDICT_LEVELS_EXCLUDED = ("skole",)


NUMBERS = {
    "value", "n", "sd", "ci_low", "ci_high", "baseline_value", "baseline_series_value", "change", "change_low",
    "change_high", "improvement", "benchmark_value", "landet_value", "target_value", "trend_chi2", "target_path_value",
    "change_p", "benchmark_p", "target_p",
}  # fmt: skip
INTEGERS = {"year_start", "year_end", "units_used", "units_hidden"}


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
        lo, hi = _wilson(np.maximum(0.0, np.minimum(nn, value[prop] / 100 * nn)), nn)
        low[prop], high[prop] = lo * 100, hi * 100
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
    df = df[COLUMNS]
    # one type per column, whatever the rows hold (a column of only None is still a number or text)
    for c in COLUMNS:
        if c in NUMBERS:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        elif c in INTEGERS:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
        elif c in ("shown", "suppressed"):
            df[c] = df[c].astype(bool)
        elif df[c].dtype == object:
            df[c] = df[c].astype("string")
    return df


def _select(conds, choices, default=None) -> np.ndarray:
    """np.select for text: the first condition that holds picks the choice (a value or an array)."""
    out = np.full(len(conds[0]), default, dtype=object)
    for c, v in reversed(list(zip(conds, choices))):
        out[c] = v[c] if isinstance(v, np.ndarray) else v
    return out


def _seq_sum(parts: list[np.ndarray]) -> np.ndarray:
    """Left-to-right sum, as Python's ``sum`` adds: the same floating-point result."""
    acc = parts[0].copy()
    for p in parts[1:]:
        acc = acc + p
    return acc


def _wilson(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = z_value(0.95)
    centre = 2 * x + z * z
    spread = z * np.sqrt(z * z + 4 * x * (1 - x / n))
    denom = 2 * (n + z * z)
    return np.maximum(0.0, (centre - spread) / denom), np.minimum(1.0, (centre + spread) / denom)


def add_verdicts(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Change since the 0-punkt, comparison with landet (taken from ``values``' own landet rows),
    verdict against the target and trend, for rows that already carry ``shown`` and the interval.

    Whole columns at a time: the same methods and texts as ``oppvekst.verdicts`` (change_verdict,
    benchmark_verdict, target_verdict) and ``oppvekst.stats`` (Newcombe, Welch, the Fingertips
    trends) applied row by row - ``tests/test_scorecard_identity.py`` holds them to that."""
    if values.empty:
        return values.copy()
    meta = indicators.set_index("indicator_id")
    df = values.sort_values(["indicator_id", "area_code", "grp", "year_start", "year_end", "period"], kind="stable")
    df = df.reset_index(drop=True)
    m = len(df)
    iid = df["indicator_id"]
    per_ind = pd.DataFrame(index=meta.index)
    per_ind["kind"] = [parse_period(p).kind for p in meta["baseline_period"]]
    per_ind["tyear"] = [parse_period(p).year_end if isinstance(p, str) and p else 0 for p in meta["target_period"]]
    per_ind["d"] = [direction(p) for p in meta["polarity"]]
    col = lambda c: iid.map(meta[c]).to_numpy()
    stat, kind, d = col("statistic"), iid.map(per_ind["kind"]).to_numpy(), iid.map(per_ind["d"]).to_numpy(float)
    tyear = iid.map(per_ind["tyear"]).to_numpy(float)
    target = pd.to_numeric(iid.map(meta["target_value"]), errors="coerce").to_numpy(float)
    num = lambda c: pd.to_numeric(df[c], errors="coerce").to_numpy(float)
    value, n, sd, ci_low, ci_high = num("value"), num("n"), num("sd"), num("ci_low"), num("ci_high")
    year_s, year_e = num("year_start"), num("year_end")
    has_ci = df["ci_method"].notna().to_numpy()
    shown = df["shown"].to_numpy(dtype=bool)
    area = df["area_code"].to_numpy(dtype=object)
    ptype = df["period_type"].to_numpy(dtype=object)
    group = df.groupby(["indicator_id", "area_code", "grp"], sort=False).ngroup().to_numpy()

    # the 0-punkt row of each group (period = the registry's baseline period)
    is_base = (df["period"] == iid.map(meta["baseline_period"])).to_numpy()
    base_of = pd.Series(np.flatnonzero(is_base), index=group[is_base])
    base_of = base_of[~base_of.index.duplicated()]
    b = pd.Series(group).map(base_of).to_numpy(float)
    has_base = ~np.isnan(b)
    bi = np.where(has_base, b, 0).astype(int)
    base_shown = has_base & shown[bi]
    base_end = np.where(has_base, year_e[bi], 0.0)
    base_n = np.where(has_base, n[bi], np.nan)
    base_sd = np.where(has_base, sd[bi], np.nan)
    same_kind = ptype == kind
    elig = same_kind & shown & (year_e >= base_end)

    # 0-punkt: the plan's agreed value in its own area and kjønn, else the series' own
    series_base = np.where(base_shown, np.where(has_base, value[bi], np.nan), np.nan)
    agreed = pd.to_numeric(iid.map(meta["baseline_value"]), errors="coerce").to_numpy(float)
    own = (area == col("plan_area")) & (df["grp"].to_numpy(dtype=object) == col("gender"))
    agreed = np.where(own, agreed, np.nan)
    bval = np.where(~np.isnan(agreed), agreed, series_base)
    base_ok = base_shown | ~np.isnan(agreed)
    has_bval = ~np.isnan(bval)

    # status − 0-punkt: Newcombe for proportions, Welch for means
    dlow, dhigh, dmethod = np.full(m, np.nan), np.full(m, np.nan), np.full(m, None, dtype=object)
    ok = elig & base_ok & has_bval & np.isfinite(value) & np.isfinite(n) & np.isfinite(base_n) & (n > 0) & (base_n > 0)
    prop = ok & (stat == "proportion")
    if prop.any():
        n1, n2 = n[prop], base_n[prop]
        x1 = np.maximum(0, np.minimum(n1, value[prop] / 100 * n1))
        x2 = np.maximum(0, np.minimum(n2, bval[prop] / 100 * n2))
        p1, p2 = x1 / n1, x2 / n2
        (l1, u1), (l2, u2) = _wilson(x1, n1), _wilson(x2, n2)
        dd = p1 - p2
        dlow[prop] = (dd - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)) * 100
        dhigh[prop] = (dd + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)) * 100
        dmethod[prop] = "Newcombe hybrid score"
    welch = ok & (stat == "mean") & np.isfinite(sd) & np.isfinite(base_sd) & (n >= 2) & (base_n >= 2)
    if welch.any():
        v1, v2 = sd[welch] * sd[welch] / n[welch], base_sd[welch] * base_sd[welch] / base_n[welch]
        se = np.sqrt(v1 + v2)
        dof = (v1 + v2) ** 2 / (v1 * v1 / (n[welch] - 1) + v2 * v2 / (base_n[welch] - 1))
        t = np.array([t_value(0.95, round(x, 6)) for x in dof.tolist()])
        dd = value[welch] - bval[welch]
        dlow[welch], dhigh[welch] = dd - t * se, dd + t * se
        dmethod[welch] = "Welch"
    has_diff = pd.notna(dmethod)
    change = np.where(elig & has_bval, value - bval, np.nan)
    lo, hi = np.minimum(dlow * d, dhigh * d), np.maximum(dlow * d, dhigh * d)
    neutral = d == 0
    c_conds = [
        ~has_bval,
        ~has_diff,
        neutral & (dlow > 0),
        neutral & (dhigh < 0),
        neutral,
        lo > 0,
        hi < 0,
        np.ones(m, dtype=bool),
    ]
    c_text = ["mangler 0-punkt", "kan ikke testes", "sikker økning", "sikker nedgang", "ingen sikker endring"]
    c_text += ["sikker forbedring", "sikker forverring", "ingen sikker endring"]
    c_sym = ["?", "?", "↑", "↓", "●", "▲", "▼", "●"]
    c_col = [None, NONE, NEUTRAL, NEUTRAL, SAME, BETTER, WORSE, SAME]
    untestable = "Kilden oppgir ikke antall svar (n), så vi kan ikke si om endringen er sikker."
    c_detail = ["0-punktet mangler eller er skjermet.", untestable, "", "", "", "", "", ""]

    # against the benchmark: significant when its value lies outside the area's interval. A bydel
    # is held against its kommune (landet when the kommune has no shown value), the rest against landet.
    key = ["indicator_id", "period", "grp"]
    shown_rows = df.loc[shown, key + ["area_code", "area_name", "value"]]
    landet = shown_rows[shown_rows["area_code"] == "0"].drop(columns=["area_code", "area_name"])
    landet_v = df[key].merge(landet, on=key, how="left")["value"].to_numpy(float)
    is_bydel = (df["area_level"] == "bydel").to_numpy()
    kommune_code = np.where(is_bydel, df["area_code"].str[:4].to_numpy(dtype=object), None)
    kommune = shown_rows.rename(columns={"area_code": "k_code", "area_name": "k_name", "value": "k_value"})
    k = df[key].assign(k_code=kommune_code).merge(kommune, on=key + ["k_code"], how="left")
    k_value = k["k_value"].to_numpy(float)
    use_k = is_bydel & ~np.isnan(k_value)
    bench = np.where(use_k, k_value, landet_v)
    b_area = np.where(use_k, kommune_code, "0")
    b_name = np.where(use_k, k["k_name"].to_numpy(dtype=object), "landet")
    elig_b = elig & (area != "0")
    bench = np.where(elig_b, bench, np.nan)
    higher = ci_low > bench
    good = (higher & (d > 0)) | (~higher & (d < 0))
    b_conds = [
        ~has_ci | np.isnan(bench),
        (ci_low <= bench) & (bench <= ci_high),
        neutral & higher,
        neutral,
        good,
    ]
    b_text = ["kan ikke sammenlignes", "omtrent likt", "høyere", "lavere", "bedre"]
    b_sym, b_col = ["?", "●", "↑", "↓", "▲"], [NONE, SAME, NEUTRAL, NEUTRAL, BETTER]

    # against the target: reached, or the straight line through the points since the 0-punkt
    pts = same_kind & shown  # the series' points, in order within each group
    pidx = np.flatnonzero(pts)
    rank = np.full(m, -1)
    rank[pidx] = np.arange(len(pidx))
    p_end, p_val = year_e[pidx], value[pidx]
    # first point of the group at or after the 0-punkt
    after = pd.Series(np.where(p_end >= base_end[pidx], rank[pidx], len(pidx)), index=group[pidx])
    start = pd.Series(group).map(after.groupby(level=0).min()).fillna(0).to_numpy(int)
    k = np.where(elig, rank - start + 1, 0)
    maxk = int(k.max()) if elig.any() else 0
    cols_x, cols_y, valid = [], [], []
    for j in range(maxk):
        at = np.clip(start + j, 0, max(len(pidx) - 1, 0))
        ok_j = j < k
        valid.append(ok_j)
        cols_x.append(np.where(ok_j, p_end[at] if len(pidx) else 0.0, 0.0))
        cols_y.append(np.where(ok_j, p_val[at] if len(pidx) else 0.0, 0.0))
    kk = np.maximum(k, 1)
    xm = _seq_sum(cols_x) / kk if maxk else np.zeros(m)
    ym = _seq_sum(cols_y) / kk if maxk else np.zeros(m)
    sxx = _seq_sum([np.where(v, (x - xm) ** 2, 0.0) for x, v in zip(cols_x, valid)]) if maxk else np.zeros(m)
    sxy = (
        _seq_sum([np.where(v, (x - xm) * (y - ym), 0.0) for x, y, v in zip(cols_x, cols_y, valid)])
        if maxk
        else np.zeros(m)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(sxx != 0, sxy / np.where(sxx != 0, sxx, 1.0), 0.0)
    projected = ym + slope * (tyear - xm)
    latest = value
    t_lo, t_hi = np.where(has_ci, ci_low, latest), np.where(has_ci, ci_high, latest)
    no_target = np.isnan(target) | neutral
    reached = ((d > 0) & (t_lo >= target)) | ((d < 0) & (t_hi <= target))
    # the plan's straight line from the 0-punkt (else the first point) to the target, read at this row
    first_x, first_y = (cols_x[0], cols_y[0]) if maxk else (np.zeros(m), np.zeros(m))
    start_v = np.where(has_bval, bval, first_y)
    start_t = np.where(has_bval & has_base, base_end, first_x)
    span = tyear - start_t
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.minimum(np.maximum((year_e - start_t) / np.where(span > 0, span, 1.0), 0.0), 1.0)
    path = np.where(span > 0, start_v + (target - start_v) * share, target)
    weight = 1.0 - np.where(span > 0, share, 1.0)
    # the 0-punkt is a measurement too: its interval, when it has one, widens the distance to the line
    start_int = intervals(
        pd.DataFrame({"value": np.where(has_bval, bval, np.nan), "n": base_n, "sd": base_sd, "shown": base_shown}),
        pd.Series(stat),
    )
    s_low, s_high = start_int["ci_low"].to_numpy(float), start_int["ci_high"].to_numpy(float)
    start_ci = start_int["ci_method"].notna().to_numpy()
    dist = latest - path
    mover = start_ci & (weight != 0)
    with np.errstate(invalid="ignore"):
        d_low = np.where(
            mover, dist - np.sqrt((latest - ci_low) ** 2 + weight**2 * (s_high - start_v) ** 2), ci_low - path
        )
        d_high = np.where(
            mover, dist + np.sqrt((ci_high - latest) ** 2 + weight**2 * (start_v - s_low) ** 2), ci_high - path
        )
    behind = has_ci & (((d > 0) & (d_high < 0)) | ((d < 0) & (d_low > 0)))
    ahead = latest * d >= path * d
    # minimum detectable difference at 80 % power, when the target asks for less
    p0 = bval / 100
    bn_ok = np.where(base_ok, base_n, np.nan)
    mdd_ok = elig & ~no_target & (stat == "proportion") & np.isfinite(bn_ok) & np.isfinite(n) & has_bval
    with np.errstate(divide="ignore", invalid="ignore"):
        mdd = (z_value(0.95) + _z_power(0.8)) * np.sqrt(np.maximum(p0 * (1 - p0), 1e-9) * (1 / bn_ok + 1 / n)) * 100
    asks = np.abs(target - bval)
    warn = np.full(m, "", dtype=object)
    for i in np.flatnonzero(mdd_ok & (asks < mdd)):
        warn[i] = (
            f" Obs: med så få svar kan bare endringer større enn {number(float(mdd[i]))} prosentpoeng påvises; "
            f"målet krever en endring på {number(float(asks[i]))} prosentpoeng."
        )
    t_conds = [no_target, reached, k < 2, behind, ahead, np.ones(m, dtype=bool)]
    t_text = ["ingen mål", "nådd", "for lite data", "ikke på vei", "på vei", "usikkert om målet nås"]
    t_sym = ["–", "✔", "?", "✖", _select([d > 0], ["↗"], "↘"), "●"]
    t_col = [NONE, BETTER, NONE, WORSE, BETTER, SAME]
    how = np.full(m, "", dtype=object)
    for i in np.flatnonzero(elig & ~no_target & ~reached & (k >= 2)):
        code = "off_track" if behind[i] else "on_track" if ahead[i] else "uncertain"
        text = trajectory_text(code, float(path[i]), stat[i], int(year_e[i]), bool(has_ci[i]))
        how[i] = f"{text} {projection_text(int(k[i]), float(projected[i]), stat[i], int(tyear[i]))}"
    reach_text = np.where(
        has_ci, "Hele intervallet er på riktig side av målet.", "Verdien er på riktig side av målet (uten intervall)."
    ).astype(object)
    t_detail = ["", reach_text + warn, "Trenger minst to målinger fra og med 0-punktet for å se retning." + warn]
    t_detail += [how + warn, how + warn, how + warn]

    # p-values that the intervals above invert (p < 0,05 exactly when the 95 % verdict is sure), for
    # the page-wide correction (``oppvekst.multiplicity``)
    change_p, bench_p = np.full(m, np.nan), np.full(m, np.nan)
    if prop.any():
        change_p[prop] = p_newcombe(x1, n1, x2, n2)
    if welch.any():
        change_p[welch] = p_welch(value[welch], sd[welch], n[welch], bval[welch], base_sd[welch], base_n[welch])
    # the target's test is the one for the claim the verdict makes or would make: «nådd» (the number
    # against the target) or «ikke på vei» (its distance to the plan's line)
    claim = elig & has_ci & ~no_target
    past = claim & (latest * d >= target * d)
    late = claim & (k >= 2) & ~ahead
    line_p, reach_p = np.full(m, np.nan), np.full(m, np.nan)
    if late.any():
        line_p[late] = p_line(
            stat[late], value[late], n[late], sd[late], path[late], start_v[late],
            np.where(mover, base_n, np.nan)[late], base_sd[late], weight[late],
        )  # fmt: skip
    ref_target = np.where(past, target, np.nan)
    for ref_, out_, ok_ in ((bench, bench_p, elig_b & has_ci), (ref_target, reach_p, past)):
        sel = ok_ & np.isfinite(ref_) & (stat == "proportion")
        out_[sel] = p_score(value[sel] / 100, ref_[sel] / 100, n[sel])
        sel = ok_ & np.isfinite(ref_) & (stat == "mean")
        out_[sel] = p_t(value[sel], ref_[sel], sd[sel], n[sel])
    target_p = np.where(reached, reach_p, np.where(behind, line_p, np.where(past, reach_p, line_p)))

    out = df
    e = elig
    put = lambda c, arr: out.__setitem__(c, np.where(e, arr, None))
    put("baseline_value", np.where(has_bval, bval, None))
    put("baseline_series_value", np.where(np.isnan(series_base), None, series_base))
    put("change", np.where(np.isnan(change), None, change))
    put("change_low", np.where(has_diff, dlow, None))
    put("change_high", np.where(has_diff, dhigh, None))
    put("change_method", dmethod)
    put("improvement", np.where(~np.isnan(change) & ~neutral, change * d, None))
    put("target_path_value", np.where(~no_target & (k >= 1) & np.isfinite(path), path, None))
    for c, p_ in (("change_p", change_p), ("benchmark_p", bench_p), ("target_p", target_p)):
        put(c, np.where(np.isfinite(p_), p_, None))
    eb = elig_b
    for c, choices, last in (
        ("benchmark_verdict", b_text, "dårligere"),
        ("benchmark_symbol", b_sym, "▼"),
        ("benchmark_colour", b_col, WORSE),
    ):
        out[c] = np.where(eb, _select(b_conds, choices, last), None)
    out["benchmark_value"] = np.where(eb & ~np.isnan(bench), bench, None)
    out["benchmark_area"] = np.where(eb & ~np.isnan(bench), b_area, None)
    out["benchmark_name"] = np.where(eb & ~np.isnan(bench), b_name, None)
    out["landet_value"] = np.where(elig & ~np.isnan(landet_v), landet_v, None)
    for kind_, conds, columns in (
        ("change", c_conds, (c_text, c_sym, c_col, c_detail)),
        ("target", t_conds, (t_text, t_sym, t_col, t_detail)),
    ):
        for part, choices in zip(("verdict", "symbol", "colour", "detail"), columns):
            put(f"{kind_}_{part}", _select(conds, choices))
    _trends(out, elig, stat, kind, col("pooled"), group, pts, rank, value, n, ci_low, ci_high, year_s)
    return out


def _trends(out, elig, stat, kind, pooled, group, pts, rank, value, n, ci_low, ci_high, year_s) -> None:
    """Fingertips recent trend over the 5 latest annual points up to each row (``oppvekst.stats``)."""
    m = len(out)
    want = elig & ~pooled.astype(bool) & np.isin(kind, ["year", "school_year"])
    direction_ = np.full(m, None, dtype=object)
    chi2 = np.full(m, np.nan)
    method = np.full(m, None, dtype=object)
    PROP, VAL = "chi-square test for trend (99.8 %)", "weighted least squares trend (99.8 %)"
    CANNOT = "cannot be calculated"
    direction_[want], method[want] = CANNOT, PROP
    pidx = np.flatnonzero(pts)
    rows = np.flatnonzero(want)
    if len(rows) and len(pidx):
        r = rank[rows]
        lag = np.stack([r - 4 + j for j in range(5)], axis=1)  # ranks of the 5 points, oldest first
        inside = (lag >= 0).all(axis=1)
        lagc = pidx[np.clip(lag, 0, len(pidx) - 1)]  # row positions
        same_group = (group[lagc] == group[rows][:, None]).all(axis=1)
        ys = year_s[lagc]
        consecutive = (ys - ys[:, :1] == np.arange(5)).all(axis=1)
        five = inside & same_group & consecutive
        v5, n5, lo5, hi5 = value[lagc], n[lagc], ci_low[lagc], ci_high[lagc]
        t = np.arange(1, 6, dtype=float)
        prop_path = five & (stat[rows] == "proportion") & (np.isfinite(n5) & (n5 != 0)).all(axis=1)
        # proportions: chi-square test for trend; slope of the logits for the direction
        x5 = v5 / 100 * n5
        with np.errstate(divide="ignore", invalid="ignore"):
            N, X = _seq_sum(list(n5.T)), _seq_sum(list(x5.T))
            okp = prop_path & (n5 > 0).all(axis=1) & np.isfinite(x5).all(axis=1) & (X > 0) & (X < N)
            sxt = _seq_sum([x5[:, j] * t[j] for j in range(5)])
            snt = _seq_sum([n5[:, j] * t[j] for j in range(5)])
            sntt = _seq_sum([n5[:, j] * t[j] * t[j] for j in range(5)])
            c2 = N * (N * sxt - X * snt) ** 2 / (X * (N - X) * (N * sntt - snt**2))
            okp &= ((x5 > 0) & (x5 < n5)).all(axis=1)
            logit = np.log(x5 / (n5 - x5))
        slope_p, stable_p = _slope_and_stability(logit, None)
        # other values: weighted least squares with weights from the 95 % limits
        val_path = five & ~prop_path
        se = (hi5 - lo5) / 3.92
        okv = val_path & np.isfinite(v5).all(axis=1) & np.isfinite(lo5).all(axis=1) & np.isfinite(hi5).all(axis=1)
        okv &= (se > 0).all(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = 1 / se**2
        slope_v, stable_v, chi_v = _wls(v5, w)
        for ok, path, slope, stable, ch, meth in (
            (okp, prop_path, slope_p, stable_p, c2, PROP),
            (okv, val_path, slope_v, stable_v, chi_v, VAL),
        ):
            sig = ok & (ch > TREND_THRESHOLD) & stable & (slope != 0)
            dirn = np.where(sig, np.where(slope > 0, "increasing", "decreasing"), "no significant change")
            sel = rows[path]
            method[sel] = meth
            direction_[sel] = np.where(ok[path], dirn[path], CANNOT)
            chi2[sel] = np.where(ok[path], ch[path], np.nan)
    out["trend_direction"] = direction_
    out["trend_chi2"] = np.where(np.isnan(chi2), None, chi2)
    out["trend_method"] = method


def _ols(t: list[float], y: list[np.ndarray]) -> np.ndarray:
    tm = sum(t) / len(t)
    ym = _seq_sum(y) / len(y)
    return _seq_sum([(a - tm) * (b - ym) for a, b in zip(t, y)]) / sum((a - tm) ** 2 for a in t)


def _slope_and_stability(y: np.ndarray, _w) -> tuple[np.ndarray, np.ndarray]:
    """OLS slope over t = 1..5 and whether every leave-one-out slope has its sign."""
    t = [1.0, 2.0, 3.0, 4.0, 5.0]
    with np.errstate(invalid="ignore"):
        slope = _ols(t, [y[:, j] for j in range(5)])
        stable = np.ones(len(y), dtype=bool)
        for k in range(5):
            keep = [j for j in range(5) if j != k]
            stable &= _ols([t[j] for j in keep], [y[:, j] for j in keep]) * slope > 0
    return slope, stable


def _wls(v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = [1.0, 2.0, 3.0, 4.0, 5.0]

    def fit(idx):
        S1 = _seq_sum([w[:, i] for i in idx])
        S2 = _seq_sum([w[:, i] * v[:, i] * t[i] for i in idx])
        S3 = _seq_sum([w[:, i] * t[i] for i in idx])
        S4 = _seq_sum([w[:, i] * v[:, i] for i in idx])
        S5 = _seq_sum([w[:, i] * t[i] ** 2 for i in idx])
        den = S1 * S5 - S3**2
        return (S1 * S2 - S3 * S4) / den, np.sqrt(S1 / den)

    with np.errstate(divide="ignore", invalid="ignore"):
        b, se_b = fit(range(5))
        chi2 = (b / se_b) ** 2
        stable = np.ones(len(v), dtype=bool)
        for k in range(5):
            stable &= fit([i for i in range(5) if i != k])[0] * b > 0
    return b, stable, chi2
