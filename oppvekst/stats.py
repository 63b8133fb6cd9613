"""Statistical methods (see docs/methods.md and shared/METHODS.md). Pure functions; every
result carries the method and confidence level it used, like PHEindicatormethods."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special as sps_special
from scipy import stats as sps

TREND_THRESHOLD = 9.5495  # chi-square(1) at 99.8 %


@lru_cache(maxsize=64)
def z_value(confidence: float) -> float:
    return float(sps.norm.ppf(1 - (1 - confidence) / 2))


@lru_cache(maxsize=4096)
def t_value(confidence: float, df: float) -> float:
    return float(sps.t.ppf(1 - (1 - confidence) / 2, df))


class Interval(tuple):
    """(low, high), with ``.method`` and ``.confidence``."""

    def __new__(cls, low: float, high: float, method: str, confidence: float):
        obj = super().__new__(cls, (low, high))
        obj.method, obj.confidence = method, confidence
        return obj

    low = property(lambda self: self[0])
    high = property(lambda self: self[1])


class Difference(tuple):
    """(diff, low, high), with ``.method`` and ``.confidence``."""

    def __new__(cls, diff: float, low: float, high: float, method: str, confidence: float):
        obj = super().__new__(cls, (diff, low, high))
        obj.method, obj.confidence = method, confidence
        return obj

    diff = property(lambda self: self[0])
    low = property(lambda self: self[1])
    high = property(lambda self: self[2])


# ---------------------------------------------------------------------- one value
def wilson_interval(x: float, n: float, confidence: float = 0.95) -> Interval:
    """Wilson score interval for a proportion x/n (0-1)."""
    if n <= 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= x <= n and n > 0 (x={x}, n={n})")
    z = z_value(confidence)
    centre = 2 * x + z * z
    spread = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    denom = 2 * (n + z * z)
    return Interval(
        max(0.0, (centre - spread) / denom), min(1.0, (centre + spread) / denom), "Wilson score", confidence
    )


def poisson_interval(x: float, confidence: float = 0.95) -> Interval:
    """Interval for a count: exact (chi-square) below 10, Byar's approximation from 10."""
    if x < 0:
        raise ValueError("a count cannot be negative")
    a = 1 - confidence
    if x < 10:
        low = 0.0 if x == 0 else float(sps.chi2.ppf(a / 2, 2 * x) / 2)
        high = float(sps.chi2.ppf(1 - a / 2, 2 * x + 2) / 2)
        return Interval(low, high, "exact Poisson", confidence)
    z = z_value(confidence)
    low = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    high = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return Interval(low, high, "Byar", confidence)


def rate_interval(x: float, population: float, multiplier: float = 1000, confidence: float = 0.95) -> Interval:
    ci = poisson_interval(x, confidence)
    return Interval(ci[0] / population * multiplier, ci[1] / population * multiplier, ci.method, confidence)


def mean_interval(mean: float, sd: float, n: float, confidence: float = 0.95) -> Interval:
    """t interval for a mean (e.g. the 1-5 Elevundersøkelsen scores)."""
    if n < 2:
        raise ValueError("a t interval needs n >= 2")
    half = t_value(confidence, float(n - 1)) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half, "t", confidence)


# ---------------------------------------------------------------- two values
def newcombe_difference(x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95) -> Difference:
    """p1 - p2 with Newcombe's hybrid score interval (his method 10)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    d = p1 - p2
    return Difference(
        d,
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
        "Newcombe hybrid score",
        confidence,
    )


def welch_difference(
    m1: float, sd1: float, n1: float, m2: float, sd2: float, n2: float, confidence: float = 0.95
) -> Difference:
    """m1 - m2 with Welch's t interval (Welch-Satterthwaite degrees of freedom)."""
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    t = t_value(confidence, round(df, 6))
    d = m1 - m2
    return Difference(d, d - t * se, d + t * se, "Welch", confidence)


# ---------------------------------------------------------------------- trend
@dataclass(frozen=True)
class Trend:
    chi2: float | None
    slope: float | None
    direction: str  # increasing | decreasing | no significant change | cannot be calculated
    method: str
    reason: str = ""


def _cannot(method: str, reason: str) -> Trend:
    return Trend(None, None, "cannot be calculated", method, reason)


def trend_proportions(x: list[float], n: list[float]) -> Trend:
    """Chi-square test for trend over the 5 latest annual proportions (Fingertips)."""
    method = "chi-square test for trend (99.8 %)"
    if len(x) < 5 or len(n) != len(x):
        return _cannot(method, "færre enn 5 punkter")
    x, n = list(x[-5:]), list(n[-5:])
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in x + n) or any(ni <= 0 for ni in n):
        return _cannot(method, "mangler teller eller nevner")
    t = range(1, 6)
    N, X = sum(n), sum(x)
    if X <= 0 or X >= N:
        return _cannot(method, "alle eller ingen har egenskapen")
    num = N * (N * sum(xi * ti for xi, ti in zip(x, t)) - X * sum(ni * ti for ni, ti in zip(n, t))) ** 2
    den = X * (N - X) * (N * sum(ni * ti * ti for ni, ti in zip(n, t)) - sum(ni * ti for ni, ti in zip(n, t)) ** 2)
    chi2 = num / den
    logits = [math.log(xi / (ni - xi)) if 0 < xi < ni else None for xi, ni in zip(x, n)]
    if any(v is None for v in logits):
        return _cannot(method, "en andel er 0 eller 100 prosent")
    slope = _ols_slope(list(t), logits)
    stable = all(
        _ols_slope([ti for j, ti in enumerate(t) if j != k], [v for j, v in enumerate(logits) if j != k]) * slope > 0
        for k in range(5)
    )
    return Trend(chi2, slope, _direction(chi2, slope, stable), method)


def trend_values(values: list[float], lows: list[float], highs: list[float]) -> Trend:
    """Weighted least-squares trend over the 5 latest annual values with 95 % limits."""
    method = "weighted least squares trend (99.8 %)"
    if len(values) < 5 or not (len(values) == len(lows) == len(highs)):
        return _cannot(method, "færre enn 5 punkter")
    v, lo, hi = values[-5:], lows[-5:], highs[-5:]
    if any(a is None or (isinstance(a, float) and math.isnan(a)) for a in v + lo + hi):
        return _cannot(method, "mangler verdi eller intervall")
    t = list(range(1, 6))
    w = []
    for a, b in zip(lo, hi):
        se = (b - a) / 3.92
        if se <= 0:
            return _cannot(method, "intervall med null bredde")
        w.append(1 / se**2)

    def fit(idx):
        S1 = sum(w[i] for i in idx)
        S2 = sum(w[i] * v[i] * t[i] for i in idx)
        S3 = sum(w[i] * t[i] for i in idx)
        S4 = sum(w[i] * v[i] for i in idx)
        S5 = sum(w[i] * t[i] ** 2 for i in idx)
        den = S1 * S5 - S3**2
        return (S1 * S2 - S3 * S4) / den, math.sqrt(S1 / den)

    b, se_b = fit(range(5))
    chi2 = (b / se_b) ** 2
    stable = all(fit([i for i in range(5) if i != k])[0] * b > 0 for k in range(5))
    return Trend(chi2, b, _direction(chi2, b, stable), method)


def _ols_slope(t: list[float], y: list[float]) -> float:
    tm, ym = sum(t) / len(t), sum(y) / len(y)
    return sum((a - tm) * (b - ym) for a, b in zip(t, y)) / sum((a - tm) ** 2 for a in t)


def _direction(chi2: float, slope: float, stable: bool) -> str:
    if chi2 > TREND_THRESHOLD and stable and slope != 0:
        return "increasing" if slope > 0 else "decreasing"
    return "no significant change"


# ------------------------------------------------------------------------ SPC
@dataclass(frozen=True)
class SPC:
    centre: float
    lower: float  # for p and Laney p′ charts: the latest point's limits (they vary with n)
    upper: float
    lower_2s: float
    upper_2s: float
    trial_limits: bool  # fewer baseline points than asked for
    special: list[list[str]]  # per point: which rules fired (outside, trend, two_of_three, shift)
    variation: str  # improvement | concern | neutral special cause | common cause
    assurance: str | None  # consistently passes | consistently fails | may or may not hit | None
    method: str = "XmR (Making Data Count)"
    rules: dict = field(default_factory=dict)
    # Per-point limits (p and Laney p′ charts, where they vary with n); None for XmR.
    lowers: tuple[float, ...] | None = None
    uppers: tuple[float, ...] | None = None
    lowers_2s: tuple[float, ...] | None = None
    uppers_2s: tuple[float, ...] | None = None
    sigma_z: float | None = None  # Laney's σz measured on the baseline (widens the limits only in Laney p′)
    reason: str = ""  # one bokmål sentence: which chart and why (spc_monthly)


def _special_causes(values, centre: float, lcl, ucl, l2, u2, run: int) -> list[list[str]]:
    """The four Making Data Count rules; the limits are per point (sequences of len(values))."""
    n = len(values)
    flags: list[list[str]] = [[] for _ in values]
    side = [1 if v > centre else -1 if v < centre else 0 for v in values]
    for i, v in enumerate(values):
        if v > ucl[i] or v < lcl[i]:
            flags[i].append("outside")
    for i in range(n - run + 1):  # run of increases or decreases (run points)
        seg = values[i : i + run]
        diffs = [b - a for a, b in itertools.pairwise(seg)]
        if all(d > 0 for d in diffs) or all(d < 0 for d in diffs):
            for j in range(i, i + run):
                if "trend" not in flags[j]:
                    flags[j].append("trend")
    for i in range(n - 2):  # 2 of 3 beyond 2 sigma on the same side (3-sigma points count)
        for sgn, lim in ((1, u2), (-1, l2)):
            beyond = [k for k in range(3) if (values[i + k] - lim[i + k]) * sgn > 0]
            if len(beyond) >= 2:
                for k in beyond:
                    if "two_of_three" not in flags[i + k]:
                        flags[i + k].append("two_of_three")
    for i in range(n - run + 1):  # run points on one side of the centre
        seg = side[i : i + run]
        if all(s == 1 for s in seg) or all(s == -1 for s in seg):
            for j in range(i, i + run):
                if "shift" not in flags[j]:
                    flags[j].append("shift")
    return flags


def _icons(
    last_value: float, last_flags: list[str], centre: float, lcl: float, ucl: float, target, polarity: str
) -> tuple[str, str | None]:
    """Variation icon from the latest point; assurance icon from the target against its limits."""
    if last_flags:
        high = last_value > centre
        if polarity == "neutral":
            variation = "neutral special cause"
        else:
            good = high if polarity == "higher_is_better" else not high
            variation = "improvement" if good else "concern"
    else:
        variation = "common cause"
    assurance = None
    if target is not None and polarity != "neutral":
        if lcl < target < ucl:
            assurance = "may or may not hit"
        elif polarity == "higher_is_better":
            assurance = "consistently fails" if target >= ucl else "consistently passes"
        else:
            assurance = "consistently fails" if target <= lcl else "consistently passes"
    return variation, assurance


def spc(
    values: list[float], baseline: int = 12, run: int = 7, target: float | None = None, polarity: str = "neutral"
) -> SPC:
    """XmR chart with the four Making Data Count rules, variation and assurance icons."""
    if len(values) < 2:
        raise ValueError("an XmR chart needs at least 2 points")
    base = values[:baseline]
    centre = sum(base) / len(base)
    mrs = [abs(b - a) for a, b in itertools.pairwise(base)]
    amr = sum(mrs) / len(mrs)
    ucl, lcl = centre + 2.66 * amr, centre - 2.66 * amr
    u2, l2 = centre + 1.773 * amr, centre - 1.773 * amr
    n = len(values)
    flags = _special_causes(values, centre, [lcl] * n, [ucl] * n, [l2] * n, [u2] * n, run)
    variation, assurance = _icons(values[-1], flags[-1], centre, lcl, ucl, target, polarity)
    return SPC(
        centre,
        lcl,
        ucl,
        l2,
        u2,
        len(base) < baseline,
        flags,
        variation,
        assurance,
        rules={"baseline": len(base), "run": run},
    )


# -------------------------------------------------- funnel plots and overdispersion
def _pct(v: float, decimals: int = 1) -> str:
    """A number in bokmål for the reason sentences: decimal comma, no thousands separator."""
    return f"{v:.{decimals}f}".replace(".", ",")


def funnel_limits(
    benchmark_pct, n, confidence: float = 0.998, *, phi: float = 1.0, tau2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits for a proportion in percent around the benchmark p₀ for each n (Spiegelhalter
    2005; PHEindicatormethods' ``calculate_funnel_limits(statistic = "proportion")``):
    p₀ ± z·√(φ·s² + τ²), s = √(p₀(1 − p₀)/n)·100, clipped to 0–100.

    PHE writes the limit as the proportion whose Wilson score interval just touches p₀
    (``sigma_adjustment`` in R/utils.R); solving that quadratic gives exactly p₀ ± z·√(p₀(1 − p₀)/n),
    and this reproduces their published test values (tests/test_funnels.py). z is the normal
    quantile (1,959964 at 95 %, 3,090232 at 99,8 %). ``phi`` (multiplicative) and ``tau2``
    (additive, percent²) widen the limits for overdispersion; the app uses ``tau2``
    (see ``overdispersion``). Scalars or arrays in, arrays out."""
    p0 = np.asarray(benchmark_pct, dtype=float) / 100
    n = np.asarray(n, dtype=float)
    z = z_value(confidence)
    s = np.sqrt(p0 * (1 - p0) / n) * 100
    half = z * np.sqrt(phi * s**2 + tau2)
    return np.clip(p0 * 100 - half, 0, 100), np.clip(p0 * 100 + half, 0, 100)


def funnel_limits_rate(
    benchmark_rate, population, confidence: float = 0.998, multiplier: float = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits for a rate per ``multiplier`` around the benchmark for each population:
    exact Poisson, as PHEindicatormethods' ``calculate_funnel_limits(statistic = "rate")``.

    With E = rate·population/multiplier expected events, the lower limit is O/population where O
    is the (continuous) count whose exact upper confidence limit equals E, and the upper limit the
    count whose exact lower limit equals E (the chi-square/gamma form of the Poisson interval,
    ``poisson_interval`` below 10). PHE's funnel code (R/utils.R ``poisson_funnel``) uses the exact
    interval at every count, not Byar's approximation from 10 events (that is in its
    significance test and CIs); Byar would miss their published limits by up to 0,85 % near 10
    events, so the exact form is used throughout. Scalars or arrays in, arrays out."""
    rate = np.asarray(benchmark_rate, dtype=float)
    pop = np.asarray(population, dtype=float)
    a = (1 - confidence) / 2
    expected = rate * pop / multiplier
    low_count = np.where(expected > 0, sps_special.pdtrik(a, expected), 0.0)
    high_count = sps_special.pdtrik(1 - a, expected) + 1
    low = np.maximum(0.0, np.nan_to_num(low_count, nan=0.0))
    return low / pop * multiplier, high_count / pop * multiplier


def funnel_limits_mean(
    benchmark, sd, n, confidence: float = 0.998, *, phi: float = 1.0, tau2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits for a mean (e.g. the 1–5 Elevundersøkelsen scores): benchmark ± z·√(φ·s² + τ²),
    s = sd/√n (normal approximation; PHEindicatormethods has no funnel for means). Not clipped."""
    centre = np.asarray(benchmark, dtype=float)
    s = np.asarray(sd, dtype=float) / np.sqrt(np.asarray(n, dtype=float))
    half = z_value(confidence) * np.sqrt(phi * s**2 + tau2)
    return centre - half, centre + half


def funnel_z(value_pct, n, benchmark_pct) -> np.ndarray:
    """z-scores of proportions (percent) against the benchmark: (p − p₀)/√(p₀(1 − p₀)/n).
    The matching standard errors for ``overdispersion`` are √(p₀(1 − p₀)/n)·100."""
    p = np.asarray(value_pct, dtype=float) / 100
    p0 = np.asarray(benchmark_pct, dtype=float) / 100
    return (p - p0) / np.sqrt(p0 * (1 - p0) / np.asarray(n, dtype=float))


def winsorised_normal_factor(winsor: float = 0.10) -> float:
    """E[z_w²] for a standard normal z winsorised at ``winsor`` in each tail (0,6787 at 10 %): the
    consistency factor that makes the winsorised φ ≈ 1 when areas vary only by chance."""
    q = float(sps.norm.ppf(1 - winsor))
    return (1 - 2 * winsor) - 2 * q * float(sps.norm.pdf(q)) + 2 * winsor * q * q


@dataclass(frozen=True)
class Overdispersion:
    phi: float  # Σz_w²/(k·c): winsorised z-scores (10 % each tail), c = winsorised_normal_factor
    tau2: float  # additive between-area variance (squared unit of se: percent² for proportions); 0 if not adjusted
    k: int  # areas used
    adjusted: bool  # k >= min_areas and k·φ > the 95 % quantile of χ²(k − 1)
    method: str  # "additive random effects (τ²)" | "none"
    reason: str  # one bokmål sentence with φ and τ
    phi_raw: float = float("nan")  # Σz_w²/k exactly as Spiegelhalter 2005 / FunnelPlotR (no consistency factor)


def overdispersion(
    z,
    se,
    winsor: float = 0.10,
    min_areas: int = 5,
    *,
    consistency: bool = True,
    unit: str = "prosentpoeng",
) -> Overdispersion:
    """φ and τ² (Spiegelhalter 2005, "Funnel plots for comparing institutional performance"):
    winsorise the z-scores (below the 10th percentile set to it, above the 90th set to it;
    percentiles by linear interpolation, numpy's default = R's quantile type 7, as FunnelPlotR),
    φ = Σz_w²/k; the areas are overdispersed when k·φ > χ²(k − 1)'s 95 % quantile and k ≥
    ``min_areas`` (5: fewer areas cannot tell a spread from chance); then
    τ² = (kφ − (k − 1)) / (Σw − Σw²/Σw), w = 1/se², else τ² = 0.

    Consistency factor (our choice, on by default): winsorising shrinks z² — for areas that vary
    only by chance Σz_w²/k is about 0,68, not 1 — so the published estimator under-adjusts: in
    our simulation (200 areas, n 150–3000, between-area SD 0,15 on the logit scale) it left about
    1,5 % of areas outside 99,8 % limits instead of 0,2 %. We divide by c = E[z_w²] of a standard
    normal (``winsorised_normal_factor``, 0,6787 at 10 %), which keeps the robustness against real
    outliers and makes φ ≈ 1 under chance. ``consistency=False`` gives the published estimator
    (``phi_raw`` always holds it). NaN pairs and se <= 0 are left out."""
    z = np.asarray(z, dtype=float)
    se = np.asarray(se, dtype=float)
    ok = np.isfinite(z) & np.isfinite(se) & (se > 0)
    z, se = z[ok], se[ok]
    k = len(z)
    if k == 0:
        return Overdispersion(float("nan"), 0.0, 0, False, "none", "Ingen områder med tall å sammenligne.")
    lo, hi = np.percentile(z, [100 * winsor, 100 * (1 - winsor)])
    phi_raw = float(np.sum(np.clip(z, lo, hi) ** 2) / k)
    phi = phi_raw / winsorised_normal_factor(winsor) if consistency else phi_raw
    count = f"{k} {'område' if k == 1 else 'områder'}"
    if k < min_areas:
        return Overdispersion(
            phi,
            0.0,
            k,
            False,
            "none",
            f"For få områder ({k}) til å si om de varierer mer enn tilfeldigheter tilsier (vi krever minst "
            f"{min_areas}); grensene er ikke utvidet (φ = {_pct(phi)}, τ = 0).",
            phi_raw,
        )
    if k * phi <= float(sps.chi2.ppf(0.95, k - 1)):
        return Overdispersion(
            phi,
            0.0,
            k,
            False,
            "none",
            f"Områdene varierer ikke mer enn tilfeldigheter tilsier (φ = {_pct(phi)} for {count}); "
            "grensene er ikke utvidet (τ = 0).",
            phi_raw,
        )
    w = 1 / se**2
    tau2 = max(0.0, float((k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum())))
    return Overdispersion(
        phi,
        tau2,
        k,
        True,
        "additive random effects (τ²)",
        f"Områdene varierer mer enn tilfeldigheter tilsier (φ = {_pct(phi)} for {count}); grensene er "
        f"utvidet med en variasjon mellom områdene på τ = {_pct(math.sqrt(tau2))} {unit}.",
        phi_raw,
    )


# ------------------------------------------------------------- p and Laney p′
D2 = 1.128  # E[|z₁ − z₂|] for independent standard normals: moving range to sigma
SIGMA_Z_BOUND = 1.6  # σz above 1 + 1,6/√m (m moving ranges) is more than chance gives, one-sided 5 %


def _p_chart(x, n, baseline: int | None, laney: bool) -> pd.DataFrame:
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    if x.shape != n.shape or len(x) < 2:
        raise ValueError("a p chart needs x and n of the same length, at least 2 points")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n))) or np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= x <= n and n > 0 for every point")
    b = len(x) if baseline is None else max(2, min(baseline, len(x)))
    pbar = x[:b].sum() / n[:b].sum()
    if pbar <= 0 or pbar >= 1:
        raise ValueError("p̄ is 0 or 1: a p chart has no spread to draw")
    sigma_p = np.sqrt(pbar * (1 - pbar) / n)
    p = x / n
    z = (p - pbar) / sigma_p
    measured = float(np.mean(np.abs(np.diff(z[:b]))) / D2)
    sigma_z = measured if laney else 1.0
    s = sigma_p * sigma_z * 100
    c = pbar * 100
    out = pd.DataFrame(
        {
            "p": p * 100,
            "centre": c,
            "lower_2sigma": np.clip(c - 2 * s, 0, 100),
            "upper_2sigma": np.clip(c + 2 * s, 0, 100),
            "lower_3sigma": np.clip(c - 3 * s, 0, 100),
            "upper_3sigma": np.clip(c + 3 * s, 0, 100),
            "sigma_z": sigma_z,
        }
    )
    out.attrs.update(sigma_z=sigma_z, sigma_z_measured=measured, method="Laney p′" if laney else "p", baseline=b)
    return out


def pprime_limits(x, n, *, baseline: int | None = None) -> pd.DataFrame:
    """Laney p′ chart (Laney 2002; NHS «Making Data Count»; qicharts2 ``chart = 'pp'``): one row
    per point with p, centre, lower_2sigma, upper_2sigma, lower_3sigma, upper_3sigma (percent,
    clipped to 0–100) and sigma_z; ``.attrs`` holds sigma_z and method 'Laney p′'.
    p̄ = Σx/Σn; σ_pᵢ = √(p̄(1 − p̄)/nᵢ); zᵢ = (pᵢ − p̄)/σ_pᵢ; σz = mean |zᵢ − zᵢ₋₁| / 1,128;
    limits p̄ ± k·σ_pᵢ·σz. ``baseline``: p̄ and σz from the first points only (all by default)."""
    return _p_chart(x, n, baseline, laney=True)


def p_limits(x, n, *, baseline: int | None = None) -> pd.DataFrame:
    """Shewhart p chart: as ``pprime_limits`` with σz = 1 (limits p̄ ± k·σ_pᵢ); method 'p'."""
    return _p_chart(x, n, baseline, laney=False)


def _counts_ok(x, n) -> bool:
    if n is None or x is None:
        return False
    try:
        xa, na = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        return False
    return (
        xa.shape == na.shape
        and len(na) >= 2
        and bool(np.all(np.isfinite(xa)) and np.all(np.isfinite(na)))
        and bool(np.all(na > 0) and np.all(xa >= 0) and np.all(xa <= na))
    )


def spc_method(x, n, *, baseline: int = 12) -> tuple[str, str]:
    """Which SPC chart for a monthly share: "XmR" without usable counts (n missing, or a mean),
    "p" when the counts are known and the months vary no more than chance allows, "Laney p′"
    when they vary more (σz above 1 + 1,6/√m for m moving ranges in the baseline: the 95 % upper
    bound of σz under pure binomial variation, from simulation — a p chart would then flag
    months that are only ordinary variation). Returns (method, one bokmål sentence for the page,
    in plain words: σz is said as «varierer 4,1 ganger så mye som tilfeldigheter tilsier»)."""
    if not _counts_ok(x, n):
        return (
            "XmR",
            "Vi har ikke antallet bak hver måned (eller tallet er et gjennomsnitt), så grensene bygger på hvor "
            "mye tallet endrer seg fra måned til måned (NHS «Making Data Count»).",
        )
    xa, na = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    b = max(2, min(baseline, len(na)))
    pbar = xa[:b].sum() / na[:b].sum()
    if pbar <= 0 or pbar >= 1:
        return (
            "XmR",
            "Andelen er 0 eller 100 prosent i grunnlagsmånedene, så grensene bygger på hvor mye tallet endrer "
            "seg fra måned til måned (NHS «Making Data Count»).",
        )
    sigma_z = float(pprime_limits(xa, na, baseline=b).attrs["sigma_z"])
    lo, hi = round(float(na.min())), round(float(na.max()))
    lo_t, hi_t = (f"{v:,}".replace(",", "\u00a0") for v in (lo, hi))  # «1 593»
    counts = f"varierer (fra {lo_t} til {hi_t})" if lo != hi else f"er det samme ({lo_t})"
    if sigma_z > 1 + SIGMA_Z_BOUND / math.sqrt(b - 1):
        return (
            "Laney p′",
            f"Antallet bak hver måned {counts}, og tallene varierer {_pct(sigma_z)} ganger så mye som "
            "tilfeldigheter tilsier, så grensene er utvidet like mye (Laneys p′-diagram, NHS «Making Data Count»).",
        )
    return (
        "p",
        f"Antallet bak hver måned {counts}, og tallene varierer ikke mer enn tilfeldigheter kan forklare "
        f"({_pct(sigma_z)} ganger det tilfeldigheter alene gir), så grensene regnes fra antallet hver måned "
        "(p-diagram): smalere i måneder med mange, videre i måneder med få.",
    )


def spc_pprime(
    x,
    n,
    baseline: int = 12,
    run: int = 7,
    target: float | None = None,
    polarity: str = "neutral",
    *,
    laney: bool = True,
) -> SPC:
    """p or Laney p′ chart (``laney``) with the four Making Data Count rules against per-point
    limits, and the variation and assurance icons (assurance against the latest point's limits).
    Values and limits in percent; centre and σz from the first ``baseline`` points."""
    lim = _p_chart(x, n, baseline, laney)
    values = [float(v) for v in lim["p"]]
    centre = float(lim["centre"].iloc[0])
    lcl, ucl = [float(v) for v in lim["lower_3sigma"]], [float(v) for v in lim["upper_3sigma"]]
    l2, u2 = [float(v) for v in lim["lower_2sigma"]], [float(v) for v in lim["upper_2sigma"]]
    flags = _special_causes(values, centre, lcl, ucl, l2, u2, run)
    variation, assurance = _icons(values[-1], flags[-1], centre, lcl[-1], ucl[-1], target, polarity)
    b = lim.attrs["baseline"]
    return SPC(
        centre,
        lcl[-1],
        ucl[-1],
        l2[-1],
        u2[-1],
        b < baseline,
        flags,
        variation,
        assurance,
        method="Laney p′ (Making Data Count)" if laney else "p (Making Data Count)",
        rules={"baseline": b, "run": run, "sigma_z_applied": lim.attrs["sigma_z"]},
        lowers=tuple(lcl),
        uppers=tuple(ucl),
        lowers_2s=tuple(l2),
        uppers_2s=tuple(u2),
        sigma_z=lim.attrs["sigma_z_measured"],
    )


def spc_monthly(
    values: list[float],
    n=None,
    *,
    baseline: int = 12,
    run: int = 7,
    target: float | None = None,
    polarity: str = "neutral",
) -> SPC:
    """The Indikator page's chart: ``values`` in percent, ``n`` the count behind each (None for a
    mean or when unknown). Chooses XmR, p or Laney p′ with ``spc_method`` and returns its SPC
    with ``reason`` set."""
    x = None if n is None else [v * m / 100 for v, m in zip(values, n)]
    method, reason = spc_method(x, n, baseline=baseline)
    if method == "XmR":
        result = spc(list(values), baseline=baseline, run=run, target=target, polarity=polarity)
    else:
        x = [round(v) if abs(v - round(v)) < 1e-6 else v for v in x]  # counts back from a rounded percent
        result = spc_pprime(x, n, baseline, run, target, polarity, laney=method == "Laney p′")
    return replace(result, reason=reason)
