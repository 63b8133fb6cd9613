"""Statistical methods (see docs/methods.md and shared/METHODS.md). Pure functions; every
result carries the method and confidence level it used, like PHEindicatormethods."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache

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
    lower: float
    upper: float
    lower_2s: float
    upper_2s: float
    trial_limits: bool  # fewer baseline points than asked for
    special: list[list[str]]  # per point: which rules fired (outside, trend, two_of_three, shift)
    variation: str  # improvement | concern | neutral special cause | common cause
    assurance: str | None  # consistently passes | consistently fails | may or may not hit | None
    method: str = "XmR (Making Data Count)"
    rules: dict = field(default_factory=dict)


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
    flags: list[list[str]] = [[] for _ in values]
    side = [1 if v > centre else -1 if v < centre else 0 for v in values]
    for i, v in enumerate(values):
        if v > ucl or v < lcl:
            flags[i].append("outside")
    for i in range(n - run + 1):  # run of increases or decreases (run points)
        seg = values[i : i + run]
        diffs = [b - a for a, b in itertools.pairwise(seg)]
        if all(d > 0 for d in diffs) or all(d < 0 for d in diffs):
            for j in range(i, i + run):
                if "trend" not in flags[j]:
                    flags[j].append("trend")
    for i in range(n - 2):  # 2 of 3 beyond 2 sigma on the same side (3-sigma points count)
        seg = values[i : i + 3]
        for sgn, lim in ((1, u2), (-1, l2)):
            beyond = [k for k, v in enumerate(seg) if (v - lim) * sgn > 0]
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
    last = n - 1
    if flags[last]:
        high = values[last] > centre
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
