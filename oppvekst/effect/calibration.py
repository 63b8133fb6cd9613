"""Simulated panels with a known answer, to show that ``estimate`` is calibrated (issue 17):
with no true effect «sikker effekt» (verdict "effect") fires at most at the nominal 5 %, 95 %
intervals cover the true effect 95 % of the time, and how often a real effect is found.

A panel is 20 schools × 8 school years of a share (e.g. «andel som blir mobbet»): a base share
between 10 and 30 prosent; schools spread around it (logit sd 0.35: at 15 prosent, most
schools between 8 and 27); a shock each year common to all schools (logit sd 0.12); a school-
year's own deviation (a cohort, a class; logit sd 0.08); respondents per school log-uniform
between 30 and 200, varying from year to year (Poisson); x binomial. The tiltak adds ``effect``
prosentpoeng to the true share of the treated schools from their start. Which schools have the
tiltak is drawn at random in each panel (the design randomisation inference assumes), or fixed
as the smallest or the worst schools (``choose``) to show what happens when it is not.

``tests/test_effect.py`` runs a few hundred panels per design; ``bench/effect_calibration.py``
thousands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps


@dataclass(frozen=True)
class Design:
    treated: int  # schools with the tiltak, of ``units``
    staggered: bool = False  # starts spread over three years instead of one
    effect: float = 0.0  # true effect, prosentpoeng
    units: int = 20
    periods: int = 8
    first_start: int = 5  # index of the (first) start period: 5 periods before, 3 after
    choose: str = "random"  # "random" | "smallest" (fewest respondents) | "worst" (highest share the year before)

    @property
    def label(self) -> str:
        when = "staggered starts" if self.staggered else "one start date"
        how = "" if self.choose == "random" else f", {self.choose} schools treated"
        return f"{self.treated} of {self.units} treated, {when}{how}"


YEAR0 = 2016


def simulate_panel(design: Design, rng: np.random.Generator) -> pd.DataFrame:
    """One panel (unit, period, x, n, start). Every random number is drawn before the effect is
    added (x by the binomial quantile of a uniform drawn per cell), so the same generator state
    gives the same history with and without an effect: only the treated cells after the start
    differ."""
    U, T = design.units, design.periods
    base = rng.uniform(0.10, 0.30)
    unit = rng.normal(0, 0.35, U)
    year = rng.normal(0, 0.12, T)
    cell = rng.normal(0, 0.08, (U, T))
    size = np.exp(rng.uniform(np.log(30), np.log(200), U))
    n = np.maximum(rng.poisson(size[:, None], (U, T)), 10)
    u = rng.uniform(size=(U, T))
    pick = rng.permutation(U)
    logit = np.log(base / (1 - base)) + unit[:, None] + year[None, :] + cell
    share = 1 / (1 + np.exp(-logit))
    x0 = sps.binom.ppf(u, n, share)
    if design.choose == "random":
        chosen = pick[: design.treated]
    elif design.choose == "smallest":
        chosen = np.argsort(size)[: design.treated]
    elif design.choose == "worst":  # highest observed share the year before the start
        chosen = np.argsort(-x0[:, design.first_start - 1] / n[:, design.first_start - 1])[: design.treated]
    else:
        raise ValueError(design.choose)
    start = np.full(U, np.nan)
    if design.staggered:
        start[chosen] = design.first_start - 1 + np.arange(design.treated) % 3  # three cohorts a year apart
    else:
        start[chosen] = design.first_start
    treated_cell = np.arange(T)[None, :] >= np.nan_to_num(start, nan=T)[:, None]
    share = np.clip(share + treated_cell * design.effect / 100, 0.001, 0.999)
    x = np.where(treated_cell, sps.binom.ppf(u, n, share), x0).astype(int)
    return pd.DataFrame(
        {
            "unit": np.repeat([f"skole{i:02d}" for i in range(U)], T),
            "period": np.tile(YEAR0 + np.arange(T), U),
            "x": x.ravel(),
            "n": n.ravel(),
            "start": np.repeat(np.where(np.isfinite(start), YEAR0 + start, np.nan), T),
        }
    )


@dataclass(frozen=True)
class Calibration:
    design: Design
    panels: int
    effect_rate: float  # share of panels with verdict "effect"
    rejection_rate: float  # share with p ≤ α (whatever the pre-trend check says)
    coverage: float  # share of intervals holding the true effect
    pretrend_rate: float
    untestable_rate: float
    mean_estimate: float
    mean_width: float  # mean interval width over bounded intervals
    unbounded_rate: float
    seconds: float

    def mc_error(self, rate: float) -> float:
        """Monte Carlo standard error of a share from ``panels`` panels."""
        return float(np.sqrt(max(rate * (1 - rate), 0.05 * 0.95) / self.panels))


def calibrate(design: Design, panels: int, *, seed: int = 17, draws: int = 999, alpha: float = 0.05) -> Calibration:
    import time

    from oppvekst.effect import estimate

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    verdicts, rejected, covered, est, width, unbounded = [], [], [], [], [], []
    for i in range(panels):
        r = estimate(simulate_panel(design, rng), alpha=alpha, draws=draws, seed=seed + i)
        verdicts.append(r.verdict)
        rejected.append(r.p_value <= alpha)
        covered.append(bool(r.ci_low <= design.effect <= r.ci_high))
        est.append(r.estimate)
        bounded = np.isfinite(r.ci_low) and np.isfinite(r.ci_high)
        unbounded.append(not bounded)
        if bounded:
            width.append(r.ci_high - r.ci_low)
    v = np.array(verdicts)
    return Calibration(
        design=design,
        panels=panels,
        effect_rate=float(np.mean(v == "effect")),
        rejection_rate=float(np.mean(rejected)),
        coverage=float(np.mean(covered)),
        pretrend_rate=float(np.mean(v == "pretrend")),
        untestable_rate=float(np.mean(v == "untestable")),
        mean_estimate=float(np.mean(est)),
        mean_width=float(np.mean(width)) if width else float("nan"),
        unbounded_rate=float(np.mean(unbounded)),
        seconds=time.perf_counter() - t0,
    )


@dataclass(frozen=True)
class MdeCheck:
    design: Design
    panels: int
    mean_mde: float  # mean of each panel's MDE, computed from its history alone
    power_at_mde: float  # share of panels where the effect of that size was found («sikker effekt»)
    rejection_at_mde: float  # … where p ≤ α (whatever the pre-trend check says)
    seconds: float


def mde_check(design: Design, panels: int, *, seed: int = 17, draws: int = 999, mde_draws: int = 200) -> MdeCheck:
    """Is the minimum detectable effect honest? For each panel: the MDE of the planned pilot
    (its treated units and start) from the periods before the start only, then the same panel
    with an effect of exactly that size (the same draws, only the treated cells after the start
    differ), analysed by ``estimate``. The share found should be about the power asked (80 %)."""
    import time
    from dataclasses import replace

    from oppvekst.effect import estimate, minimum_detectable_effect

    t0 = time.perf_counter()
    mdes, found, rejected = [], [], []
    start_year = YEAR0 + design.first_start
    for i in range(panels):
        null = simulate_panel(design, np.random.default_rng([seed, i]))
        treated = sorted(null.loc[null["start"].notna(), "unit"].unique())
        history = null.loc[null["period"] < start_year].drop(columns="start")
        m = minimum_detectable_effect(
            history,
            treated,
            start_year,
            post_periods=design.periods - design.first_start,
            seed=seed + i,
            draws=mde_draws,
        )["mde"]
        mdes.append(m)
        panel = simulate_panel(replace(design, effect=m), np.random.default_rng([seed, i]))
        r = estimate(panel, draws=draws, seed=seed + i)
        found.append(r.verdict == "effect")
        rejected.append(r.p_value <= 0.05)
    return MdeCheck(
        design, panels, float(np.mean(mdes)), float(np.mean(found)), float(np.mean(rejected)), time.perf_counter() - t0
    )
