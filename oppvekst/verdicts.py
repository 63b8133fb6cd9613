"""Verdicts in bokmål, built on ``oppvekst.stats``: against the 0-punkt, a benchmark and the
target. Never colour alone: every verdict has words, a symbol and a colour from a
colour-blind-safe palette (blue = better, orange = worse, grey = no clear difference)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from scipy import stats as sps

from oppvekst.formatting import number
from oppvekst.stats import (
    Difference,
    Interval,
    mean_interval,
    newcombe_difference,
    welch_difference,
    wilson_interval,
    z_value,
)

BETTER, WORSE, SAME, NONE, NEUTRAL = "#005AB5", "#DC3220", "#5F5F5F", "#8A8A8A", "#6A3D9A"


@dataclass(frozen=True)
class Verdict:
    code: str
    text: str
    symbol: str
    colour: str
    detail: str = ""

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.text}"


def _isnum(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def direction(polarity: str) -> float:
    return {"higher_is_better": 1.0, "lower_is_better": -1.0}.get(polarity, 0.0)


# ------------------------------------------------------------------ intervals
def value_interval(statistic: str, value, n, sd, confidence: float = 0.95) -> Interval | None:
    """Interval for one published value (percent for proportions), or None if not possible."""
    if not _isnum(value) or not _isnum(n) or n <= 0:
        return None
    if statistic == "proportion":
        x = max(0.0, min(n, value / 100 * n))
        lo, hi = wilson_interval(x, n, confidence)
        return Interval(lo * 100, hi * 100, "Wilson score", confidence)
    if statistic == "mean" and _isnum(sd) and n >= 2:
        return mean_interval(value, sd, n, confidence)
    return None


def difference(statistic: str, a: tuple, b: tuple, confidence: float = 0.95) -> Difference | None:
    """a - b for (value, n, sd) pairs: Newcombe for proportions, Welch for means."""
    (va, na, sa), (vb, nb, sb) = a, b
    if not all(_isnum(v) for v in (va, na, vb, nb)) or na <= 0 or nb <= 0:
        return None
    if statistic == "proportion":
        d = newcombe_difference(max(0, min(na, va / 100 * na)), na, max(0, min(nb, vb / 100 * nb)), nb, confidence)
        return Difference(d[0] * 100, d[1] * 100, d[2] * 100, d.method, confidence)
    if statistic == "mean" and _isnum(sa) and _isnum(sb) and na >= 2 and nb >= 2:
        return welch_difference(va, sa, na, vb, sb, nb, confidence)
    return None


# ------------------------------------------------------------------- verdicts
def change_verdict(diff: Difference | None, polarity: str) -> Verdict:
    """Status − 0-punkt."""
    if diff is None:
        return Verdict(
            "untestable",
            "kan ikke testes",
            "?",
            NONE,
            "Kilden oppgir ikke antall svar (n), så vi kan ikke si om endringen er sikker.",
        )
    d = direction(polarity)
    if d == 0:
        if diff.low > 0:
            return Verdict("up", "sikker økning", "↑", NEUTRAL)
        if diff.high < 0:
            return Verdict("down", "sikker nedgang", "↓", NEUTRAL)
        return Verdict("same", "ingen sikker endring", "●", SAME)
    lo, hi = sorted((diff.low * d, diff.high * d))
    if lo > 0:
        return Verdict("better", "sikker forbedring", "▲", BETTER)
    if hi < 0:
        return Verdict("worse", "sikker forverring", "▼", WORSE)
    return Verdict("same", "ingen sikker endring", "●", SAME)


def benchmark_verdict(ci: Interval | None, benchmark, polarity: str, name: str = "landet") -> Verdict:
    """Area against a benchmark value (Fingertips): significant when the benchmark lies
    outside the area's interval."""
    if ci is None or not _isnum(benchmark):
        return Verdict(
            "untestable", "kan ikke sammenlignes", "?", NONE, f"Mangler intervall for området eller verdi for {name}."
        )
    if ci.low <= benchmark <= ci.high:
        return Verdict("similar", "omtrent likt", "●", SAME)
    higher = ci.low > benchmark
    d = direction(polarity)
    if d == 0:
        return Verdict(
            "higher" if higher else "lower", "høyere" if higher else "lavere", "↑" if higher else "↓", NEUTRAL
        )
    if (higher and d > 0) or (not higher and d < 0):
        return Verdict("better", "bedre", "▲", BETTER)
    return Verdict("worse", "dårligere", "▼", WORSE)


@lru_cache(maxsize=16)
def _z_power(power: float) -> float:
    return float(sps.norm.ppf(power))


def minimum_detectable_difference(
    p: float, n1: float, n2: float, confidence: float = 0.95, power: float = 0.8
) -> float:
    """Smallest difference between two proportions (0-1) detectable with this power."""
    za = z_value(confidence)
    zb = _z_power(power)
    return (za + zb) * math.sqrt(max(p * (1 - p), 1e-9) * (1 / n1 + 1 / n2))


def projection_text(points: int, projected: float, statistic: str, target_year: int) -> str:
    """The straight line in words. A share cannot leave 0–100 prosent: a line that would, is said
    to reach the edge before the target year rather than given an impossible number."""
    start = f"Fortsetter utviklingen som hittil (rett linje gjennom {points} målinger fra og med 0-punktet), "
    if statistic == "proportion" and not 0 <= projected <= 100:  # a proportion is always in prosent (registry)
        edge = "0" if projected < 0 else "100"
        return start + f"når tallet {edge} prosent før {target_year}."
    word = " prosent" if statistic == "proportion" else ""
    return start + f"blir tallet {number(projected, 2)}{word} i {target_year}."


def line_share(baseline_year: float, target_year: float, year: float) -> float:
    """How far along the plan's line from the 0-punkt to the target ``year`` is (0-1; 1 from the
    target year on)."""
    if target_year <= baseline_year:
        return 1.0
    return min(max((year - baseline_year) / (target_year - baseline_year), 0.0), 1.0)


def trajectory(baseline_value: float, baseline_year: float, target: float, target_year: float, year: float) -> float:
    """The plan's straight line from the 0-punkt to the target, read at ``year`` (the target itself
    from the target year on)."""
    if target_year <= baseline_year:
        return target
    return baseline_value + (target - baseline_value) * line_share(baseline_year, target_year, year)


def distance_to_line(value: float, ci: Interval, path: float, start: float, start_ci: Interval | None, weight: float):
    """value − path with a 95 % interval. The line starts at the 0-punkt, itself a measurement: with
    its interval, the distance value − weight·start − share·target gets the MOVER interval (Zou &
    Donner 2008; Newcombe's method for a difference when weight is 1), else the value's own
    interval is held against the line. Returns (distance, low, high)."""
    dist = value - path
    if start_ci is None or weight == 0:
        return dist, ci[0] - path, ci[1] - path
    low = dist - math.sqrt((value - ci[0]) ** 2 + weight**2 * (start_ci[1] - start) ** 2)
    high = dist + math.sqrt((ci[1] - value) ** 2 + weight**2 * (start - start_ci[0]) ** 2)
    return dist, low, high


def trajectory_text(code: str, path_value: float, statistic: str, year: int, has_interval: bool) -> str:
    """Why a target verdict is «ikke på vei», «på vei» or «usikkert om målet nås»: where the number
    is against the plan's line from the 0-punkt to the target."""
    line = f"linjen fra 0-punktet mot målet ({number(path_value, 2)}{' prosent' if statistic == 'proportion' else ''} i {year})"
    if code == "off_track":
        return f"Tallet ligger sikkert bak {line}: hele intervallet for avstanden til linjen er på feil side."
    if code == "on_track":
        return f"Tallet ligger på riktig side av {line}."
    if has_interval:
        return f"Tallet ligger bak {line}, men intervallet for avstanden rekker over linjen, så det er ikke sikkert at det går for sakte."
    return f"Tallet ligger bak {line}, men uten antall svar kan vi ikke teste om avstanden er sikker."


def target_verdict(
    points: list[tuple[float, float]],
    latest_ci: Interval | None,
    target,
    target_year: float,
    polarity: str,
    statistic: str = "proportion",
    baseline_n=None,
    latest_n=None,
    baseline_value=None,
    baseline_year=None,
    baseline_ci: Interval | None = None,
) -> Verdict:
    """Against the target. points: (year, value) from the 0-punkt on, oldest first.

    «nådd» when the latest interval (or, without one, the value) is wholly on the good side of the
    target. Otherwise the number is held against the plan's straight line from the 0-punkt
    (``baseline_value`` in ``baseline_year``; without one, the first point) to the target in the
    target year: «ikke på vei» only when the whole interval of the distance to the line lies on the
    wrong side (a test; ``distance_to_line``, with the 0-punkt's own uncertainty ``baseline_ci``), «på vei» when the number is on the line or its good side, and the calmer «usikkert om
    målet nås» when the number is behind but the interval reaches the line (or there is no
    interval to test with). Fewer than two points: «for lite data». The detail adds where the
    series' own straight line would end, and a warning when the change the target asks for is
    smaller than the minimum detectable difference at 80 % power."""
    d = direction(polarity)
    if not _isnum(target) or d == 0:
        return Verdict("none", "ingen mål", "–", NONE)
    pts = [(x, y) for x, y in points if _isnum(y)]
    if not pts:
        return Verdict("no_data", "for lite data", "?", NONE, "Ingen verdier fra og med 0-punktet.")
    latest = pts[-1][1]
    warn = ""
    if statistic == "proportion" and _isnum(baseline_n) and _isnum(latest_n) and _isnum(baseline_value):
        mdd = minimum_detectable_difference(baseline_value / 100, baseline_n, latest_n) * 100
        if abs(target - baseline_value) < mdd:
            warn = (
                f" Obs: med så få svar kan bare endringer større enn {number(mdd)} prosentpoeng påvises; "
                f"målet krever en endring på {number(abs(target - baseline_value))} prosentpoeng."
            )
    lo, hi = (latest_ci.low, latest_ci.high) if latest_ci else (latest, latest)
    if (d > 0 and lo >= target) or (d < 0 and hi <= target):
        return Verdict(
            "reached",
            "nådd",
            "✔",
            BETTER,
            (
                "Hele intervallet er på riktig side av målet."
                if latest_ci
                else "Verdien er på riktig side av målet (uten intervall)."
            )
            + warn,
        )
    if len(pts) < 2:
        return Verdict(
            "no_data",
            "for lite data",
            "?",
            NONE,
            "Trenger minst to målinger fra og med 0-punktet for å se retning." + warn,
        )
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    xm, ym = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - xm) ** 2 for x in xs)
    slope = sum((x - xm) * (y - ym) for x, y in pts) / sxx if sxx else 0.0
    projected = ym + slope * (target_year - xm)
    how = projection_text(len(pts), projected, statistic, int(target_year))
    if _isnum(baseline_value):
        start, start_year = baseline_value, pts[0][0] if baseline_year is None else baseline_year
        start_ci = baseline_ci
    else:
        start, start_year, start_ci = pts[0][1], pts[0][0], None
    path = trajectory(start, start_year, target, target_year, pts[-1][0])
    year = int(pts[-1][0])
    weight = 1.0 - line_share(start_year, target_year, pts[-1][0])
    _, low, high = distance_to_line(latest, latest_ci, path, start, start_ci, weight) if latest_ci else (0, 0, 0)
    if latest_ci and ((d > 0 and high < 0) or (d < 0 and low > 0)):
        code, verdict = "off_track", Verdict("off_track", "ikke på vei", "✖", WORSE)
    elif latest * d >= path * d:
        code, verdict = "on_track", Verdict("on_track", "på vei", "↗" if d > 0 else "↘", BETTER)
    else:
        code, verdict = "uncertain", Verdict("uncertain", "usikkert om målet nås", "●", SAME)
    text = trajectory_text(code, path, statistic, year, latest_ci is not None)
    return Verdict(verdict.code, verdict.text, verdict.symbol, verdict.colour, f"{text} {how}{warn}")
