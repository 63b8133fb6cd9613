"""The row-by-row implementation of the scorecard mart and of privacy.apply as they were at
commit 1a3b7a8, before issue 9 vectorised them. Kept, frozen, as the reference that
``tests/test_scorecard_identity.py`` and ``bench/etl_bench.py --compare`` hold the fast
implementation to: same cells hidden (apart from the deliberate bydel = Σ skoler triangle),
same intervals and the same verdicts. Do not "improve" this file; it is the yardstick."""

from __future__ import annotations

import math
from collections import defaultdict

import pandas as pd

from oppvekst.periods import parse_period
from oppvekst.privacy import secondary_suppression
from oppvekst.scorecard import COLUMNS
from oppvekst.stats import trend_proportions, trend_values
from oppvekst.verdicts import benchmark_verdict, change_verdict, difference, direction, target_verdict, value_interval


def _components(triangles: list) -> list[list]:
    """Group triangles that share cells (union-find), so each group is solved on its own."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t, ch, _ in triangles:
        for c in ch:
            parent[find(c)] = find(t)
    groups: dict = defaultdict(list)
    for tri in triangles:
        groups[find(tri[0])].append(tri)
    return list(groups.values())


def reference_privacy(values: pd.DataFrame) -> pd.DataFrame:
    """Add ``shown`` and ``hidden_reason`` to mart rows (indicator × area × period × grp)."""
    v = values.copy()
    reason = pd.Series("", index=v.index, dtype="object")
    reason[v["value"].isna()] = "mangler i kilden"
    reason[v["suppressed"].astype(bool)] = "skjermet av kilden (for få svar)"
    small = v["n"].notna() & (v["n"] < v["min_n"]) & (reason == "")
    reason[small] = "færre enn " + v.loc[small, "min_n"].astype(int).astype(str) + " svar"
    hidden_idx = set(v.index[reason != ""])
    # triangles per indicator × period
    for (_indicator, _period), g in v.groupby(["indicator_id", "period"], sort=False):
        if g["n"].isna().all():
            continue
        key = {i: (a, grp) for i, a, grp in zip(g.index, g["area_code"], g["grp"])}
        idx = {k: i for i, k in key.items()}
        n = {k: float(v.at[i, "n"]) for i, k in key.items() if pd.notna(v.at[i, "n"])}
        hid = {key[i] for i in g.index if i in hidden_idx}
        tri = []
        areas = sorted(set(g["area_code"]))  # sorted: the same data must give the same hidden cells in every
        for a in areas:  # run (set order follows PYTHONHASHSEED); total = gutter + jenter
            if (a, "alle") in idx and (a, "gutter") in idx and (a, "jenter") in idx:
                tri.append(((a, "alle"), [(a, "gutter"), (a, "jenter")], 0))
        by_parent = defaultdict(list)
        for a, lvl in zip(g["area_code"], g["area_level"]):
            if lvl == "bydel":
                by_parent[a[:4]].append(a)
        extra = {(a, grp): int(u or 0) for a, grp, u in zip(g["area_code"], g["grp"], g["units_hidden"].fillna(0))}
        for parent, kids in sorted(by_parent.items()):
            for grp in sorted(set(g["grp"])):
                if (parent, grp) in idx:
                    kk = sorted({(b, grp) for b in kids if (b, grp) in idx})
                    tri.append(((parent, grp), kk, int(sum(extra.get(k, 0) for k in kk) > 0)))
        for comp_tri in _components(tri):  # triangles never join two kommuner: solve each alone
            cells = {c for t, ch, _ in comp_tri for c in [t, *ch]}
            comp_hidden = hid & cells
            if not comp_hidden and not any(e for _, _, e in comp_tri):  # a left-out school is hidden too
                continue
            new = secondary_suppression({c: n[c] for c in cells if c in n}, comp_hidden, comp_tri) - comp_hidden
            for k in new:
                reason[idx[k]] = "skjult for å hindre tilbakeregning"
    v["shown"] = reason == ""
    v["hidden_reason"] = reason.where(reason != "", None)
    return v


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else float(v)


def reference_scorecard(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    if values.empty:
        return pd.DataFrame(columns=COLUMNS)
    ind = {r["indicator_id"]: r for r in indicators.to_dict("records")}
    values = values.copy()
    values["min_n"] = values["indicator_id"].map({k: v["min_n"] for k, v in ind.items()}).fillna(10)
    values = reference_privacy(values)  # primary (min_n) and secondary suppression
    values = values.astype(object).where(values.notna(), None)
    recs = values.to_dict("records")
    landet = {(r["indicator_id"], r["period"], r["grp"]): r for r in recs if r["area_code"] == "0"}
    groups: dict[tuple, list[dict]] = {}
    for r in recs:
        groups.setdefault((r["indicator_id"], r["area_code"], r["grp"]), []).append(r)
    out = []
    for (iid, area, grp), g in groups.items():
        meta = ind.get(iid)
        if meta is None:
            continue
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
            ci = value_interval(stat, _num(r["value"]), _num(r["n"]), _num(r["sd"])) if shown else None
            rec.update(
                ci_low=ci.low if ci else None,
                ci_high=ci.high if ci else None,
                ci_method=ci.method if ci else None,
                baseline_period=meta["baseline_period"],
                target_value=_num(meta["target_value"]),
                target_period=target_period,
            )
            if r["period_type"] != base_kind or not shown or r["year_end"] < base_end:
                out.append(rec)
                continue
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
                float(base_end) if base_row is not None else None,  # issue 18: the plan's line starts here
                # issue 18: the 0-punkt's own interval widens the distance to the plan's line
                value_interval(stat, bval, _num(base_row["n"]), _num(base_row["sd"]))
                if base_ok and bval is not None
                else None,
            )
            rec.update(
                target_verdict=tv.text, target_symbol=tv.symbol, target_colour=tv.colour, target_detail=tv.detail
            )
            if not bool(meta["pooled"]) and base_kind in ("year", "school_year"):
                tr = _trend(stat, upto[-5:])
                rec.update(trend_direction=tr.direction, trend_chi2=tr.chi2, trend_method=tr.method)
            out.append(rec)
    df = pd.DataFrame(out)
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = None
    # never store a hidden number in the mart
    hidden = ~df["shown"].astype(bool)
    df.loc[hidden, ["value", "n", "sd", "ci_low", "ci_high"]] = None
    return df[COLUMNS]


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
