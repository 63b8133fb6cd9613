"""Whole målekart pages simulated and run through the project's own verdict functions
(``scorecard.intervals``, ``scorecard.add_verdicts``, ``multiplicity.page_verdicts`` and
``multiplicity.attention``), to show what a page claims when nothing happens (false alarms) and
how often it finds what does happen (power). ``bench/alarm_simulation.py`` prints the figures;
``tests/test_alarms.py`` holds the page to them; docs/methods.md records them.

A page is a kommune and its 8 bydeler with 19 proportion indicators (issue 18). Each bydel has
its own number of respondents, log-uniform between 150 and 3 000, and the kommune is its bydeler
together (landet 60 000); each indicator
a true share between 5 and 40 prosent, the same in every area and in both years (the 0-punkt
2021 and the status 2025) - unless a signal is planted - and a target of holding that level by
2030, so that every claim on the page («sikker forbedring/forverring», «bedre/dårligere»,
«nådd», «ikke på vei») is false."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

AREAS = 9  # a kommune and 8 bydeler
INDICATORS = 19
BASE_YEAR, STATUS_YEAR, TARGET_YEAR = 2021, 2025, 2030


@dataclass(frozen=True)
class Signal:
    """A real change planted on every page: indicator ``indicator`` (0-18) in bydel ``area`` (1-8)
    worsens by ``size`` prosentpoeng from the 0-punkt to the status,
    with ``n`` respondents in both years."""

    indicator: int
    area: int
    size: float = 5.0
    n: int = 3000


@dataclass(frozen=True)
class PageResults:
    pages: int
    single_change_claims: float  # mean «sikker forbedring/forverring» per page at 95 % (one look)
    single_benchmark_claims: float  # mean «bedre/dårligere» per page at 95 %
    single_attention_share: float  # share of pages with a non-empty attention list at 95 %
    page_change_claims: float  # the same after the page-wide correction
    page_benchmark_claims: float
    page_target_claims: float  # «nådd» or «ikke på vei» per page, after correction
    attention_share: float  # share of pages whose attention list is non-empty, after correction
    found: tuple[float, ...]  # per planted signal: share of pages where it is on the attention list
    found_as_change: tuple[float, ...]  # … where it is «sikker forverring» since the 0-punkt
    tests_per_page: float


def simulate_pages(pages: int = 1000, signals: tuple[Signal, ...] = (), seed: int = 18) -> PageResults:
    from oppvekst.multiplicity import attention, page_verdicts
    from oppvekst.scorecard import add_verdicts, intervals

    rng = np.random.default_rng(seed)
    page = np.repeat(np.arange(pages), INDICATORS)
    j = np.tile(np.arange(INDICATORS), pages)
    ids = np.array([f"p{p:05d}_i{k:02d}" for p, k in zip(page, j)], dtype=object)
    share = rng.uniform(0.05, 0.40, len(ids))
    polarity = np.where(j % 2 == 0, "lower_is_better", "higher_is_better")
    indicators = pd.DataFrame(
        {
            "indicator_id": ids,
            "statistic": "proportion",
            "baseline_period": str(BASE_YEAR),
            "target_period": str(TARGET_YEAR),
            "polarity": polarity,
            "target_value": share * 100,  # hold the level: the truth is on the plan's line
            "baseline_value": np.nan,
            "plan_area": "",
            "gender": "alle",
            "pooled": False,
        }
    )
    # areas of each page: landet, the kommune (code 1000 + page) and its bydeler (kommune + 01..08).
    # Each bydel has its own n; the kommune is its bydeler together (its respondents are theirs).
    n_bydel = np.round(np.exp(rng.uniform(np.log(150), np.log(3000), (AREAS - 1, len(ids)))))
    x_bydel = {}
    for year in (BASE_YEAR, STATUS_YEAR):
        n_year, x_year = n_bydel.copy(), np.zeros_like(n_bydel)
        for b in range(AREAS - 1):
            p_true = share.copy()
            for s in signals:
                hit = (j == s.indicator) & (b + 1 == s.area)
                n_year[b, hit] = s.n
                if year == STATUS_YEAR:  # worse: up when lower is better, down when higher is better
                    p_true[hit] += np.where(polarity[hit] == "lower_is_better", 1, -1) * s.size / 100
            x_year[b] = rng.binomial(n_year[b].astype(np.int64), np.clip(p_true, 0, 1))
        x_bydel[year] = (x_year, n_year)
    rows = []
    for a in range(AREAS + 1):
        code = np.array(
            ["0" if a == 0 else f"{1000 + p}" + ("" if a == 1 else f"{a - 1:02d}") for p in page], dtype=object
        )
        level = "land" if a == 0 else "kommune" if a == 1 else "bydel"
        for year in (BASE_YEAR, STATUS_YEAR):
            x_year, n_year = x_bydel[year]
            if a == 0:
                n, x = np.full(len(ids), 60000.0), rng.binomial(60000, share).astype(float)
            elif a == 1:
                n, x = n_year.sum(axis=0), x_year.sum(axis=0)
            else:
                n, x = n_year[a - 2], x_year[a - 2]
            rows.append(
                pd.DataFrame(
                    {
                        "indicator_id": ids,
                        "area_code": code,
                        "area_level": level,
                        "area_name": code,
                        "period": str(year),
                        "period_type": "year",
                        "year_start": year,
                        "year_end": year,
                        "grp": "alle",
                        "value": 100 * x / n,
                        "n": n,
                        "sd": np.nan,
                        "shown": True,
                        "_page": page,
                        "_area": a,
                    }
                )
            )
    values = pd.concat(rows, ignore_index=True)
    values = pd.concat([values, intervals(values, pd.Series("proportion", index=values.index))], axis=1)
    meta = indicators.set_index("indicator_id")
    for c in ("baseline_period", "target_value", "target_period"):
        values[c] = values["indicator_id"].map(meta[c])
    card = add_verdicts(values, indicators)
    status = card[(card["year_end"] == STATUS_YEAR) & (card["area_level"] != "land")].copy()
    status["polarity"] = status["indicator_id"].map(meta["polarity"])
    pv = page_verdicts(status)
    pv["_j"] = pv["indicator_id"].str[-2:].astype(int)

    def per_page(mask) -> np.ndarray:
        return np.bincount(pv["_page"].to_numpy(int)[mask.to_numpy()], minlength=pages)

    single_att = attention(pv, prefix="")  # the same rule on the single-look verdicts
    att = attention(pv)
    planted = np.zeros(len(pv), dtype=bool)
    found, as_change = [], []
    for s in signals:
        hit = ((pv["_j"] == s.indicator) & (pv["_area"] == s.area + 1)).to_numpy()  # _area 0 is landet
        planted |= hit
        found.append(float(att.to_numpy()[hit].mean()))
        as_change.append(float((pv["page_change_verdict"].to_numpy()[hit] == "sikker forverring").mean()))
    others = pd.Series(~planted, index=pv.index)
    claims = lambda col, texts: per_page(pv[col].isin(texts) & others).mean()
    return PageResults(
        pages=pages,
        single_change_claims=claims("change_verdict", ["sikker forbedring", "sikker forverring"]),
        single_benchmark_claims=claims("benchmark_verdict", ["bedre", "dårligere"]),
        single_attention_share=float((per_page(single_att & others) > 0).mean()),
        page_change_claims=claims("page_change_verdict", ["sikker forbedring", "sikker forverring"]),
        page_benchmark_claims=claims("page_benchmark_verdict", ["bedre", "dårligere"]),
        page_target_claims=claims("page_target_verdict", ["nådd", "ikke på vei"]),
        attention_share=float((per_page(att & others) > 0).mean()),
        found=tuple(found),
        found_as_change=tuple(as_change),
        tests_per_page=float(pv.groupby("_page")["family_tests"].first().mean()),
    )
