"""Many tests on one page (issue 18; docs/methods.md, «Mange tester på én side»).

A målekart tests every indicator three ways - the change since the 0-punkt, the comparison
with a benchmark, the verdict against the target - for a kommune and each of its bydeler: some
340 tests for Bergen. At 95 % each, a page where nothing happens shows about 17 false
«sikker …» verdicts. The page-level claims (the Målekart's verdict columns, its summary and its
boxes, the Områdeprofil's «skiller seg sikkert ut», Resultatavtaler) therefore control the
false-discovery rate over their *family* with Benjamini–Hochberg at 5 %:

- the family is a kommune and its bydeler, every registry indicator, every test on their pages
  (a fylke and landet are families of their own);
- each test's p-value is the one its 95 % interval inverts: the interval excludes the null value
  exactly when p < 0,05 (Wilson score ⇔ score test, t ⇔ t test, Newcombe's hybrid score by
  bisection), so a page verdict is the Indikator page's verdict kept only when it survives the
  page's correction.

The Indikator page, which shows one indicator at a time, keeps the 95 % intervals.

Pure numpy/pandas; ``simulate_pages`` runs whole simulated pages through the same functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from oppvekst.verdicts import BETTER, SAME

Q = 0.05  # the false-discovery rate over a page's family
METHOD = "Benjamini–Hochberg, 5 prosent falske funn"


# ------------------------------------------------------------------- p-values
def _wilson_bounds(x: np.ndarray, n: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    centre = 2 * x + z * z
    spread = z * np.sqrt(z * z + 4 * x * (1 - x / n))
    denom = 2 * (n + z * z)
    return np.maximum(0.0, (centre - spread) / denom), np.minimum(1.0, (centre + spread) / denom)


def _invert(excludes, like: np.ndarray, iterations: int = 48) -> np.ndarray:
    """The two-sided p-value an interval family inverts: bisection on z for the smallest z whose
    interval no longer excludes the null (``excludes(z)`` per row; intervals widen as z grows),
    p = 2·(1 − Φ(z)). 48 steps on [0, 40]: far finer than any p that matters."""
    lo, hi = np.zeros_like(like), np.full_like(like, 40.0)
    for _ in range(iterations):
        z = (lo + hi) / 2
        out = excludes(z)
        lo, hi = np.where(out, z, lo), np.where(out, hi, z)
    return 2 * sps.norm.sf((lo + hi) / 2)


def p_newcombe(x1, n1, x2, n2, iterations: int = 48) -> np.ndarray:
    """Two-sided p-value for p1 − p2 = 0 that Newcombe's hybrid score interval inverts: the
    smallest α whose (1 − α) interval touches 0, found by bisection on z (the interval widens
    as z grows). p < 0,05 exactly when the 95 % interval excludes 0."""
    x1, n1, x2, n2 = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (x1, n1, x2, n2))
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2

    def excludes(z):
        l1, u1 = _wilson_bounds(x1, n1, z)
        l2, u2 = _wilson_bounds(x2, n2, z)
        lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        return np.where(d > 0, lower > 0, upper < 0)

    p = _invert(excludes, d, iterations)
    return np.where(np.isfinite(d), np.where(d == 0, 1.0, p), np.nan)


def p_score(p_hat, p0, n) -> np.ndarray:
    """Two-sided score test of a proportion (0–1) against a fixed p0: the test the Wilson
    interval inverts (p0 outside the 95 % Wilson interval exactly when p < 0,05), and the test of
    a proportion's funnel limits."""
    p_hat, p0, n = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (p_hat, p0, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(p0 * (1 - p0) / n)
        z = np.abs(p_hat - p0) / se
    z = np.where(se > 0, z, np.where(p_hat == p0, 0.0, np.inf))
    return np.where(np.isfinite(p_hat) & np.isfinite(p0) & (n > 0), 2 * sps.norm.sf(z), np.nan)


def p_t(mean, ref, sd, n) -> np.ndarray:
    """Two-sided one-sample t test of a mean against a fixed value (the t interval's test)."""
    mean, ref, sd, n = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (mean, ref, sd, n))
    ok = np.isfinite(mean) & np.isfinite(ref) & np.isfinite(sd) & (n >= 2) & (sd > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(mean - ref) / (sd / np.sqrt(n))
    return np.where(ok, 2 * sps.t.sf(t, np.maximum(n - 1, 1)), np.nan)


def p_welch(m1, sd1, n1, m2, sd2, n2) -> np.ndarray:
    """Two-sided Welch test of m1 − m2 = 0 (the Welch interval's test)."""
    m1, sd1, n1, m2, sd2, n2 = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (m1, sd1, n1, m2, sd2, n2))
    ok = np.isfinite(m1 + sd1 + n1 + m2 + sd2 + n2) & (n1 >= 2) & (n2 >= 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
        df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
        t = np.abs(m1 - m2) / np.sqrt(v1 + v2)
    ok &= (v1 + v2) > 0
    return np.where(ok, 2 * sps.t.sf(t, np.where(ok, df, 1.0)), np.nan)


def p_line(statistic, value, n, sd, path, start, start_n, start_sd, weight) -> np.ndarray:
    """Two-sided p-value for «the number is on the plan's line» that ``verdicts.distance_to_line``'s
    interval inverts: bisection on the confidence level of the number's interval (Wilson score for
    proportions, t for means) and - where ``start_n`` is known and ``weight`` > 0 - of the
    0-punkt's, combined by MOVER. ``statistic`` is an array of 'proportion'/'mean'; values in
    percent for proportions."""
    stat = np.atleast_1d(np.asarray(statistic, dtype=object))
    value, n, sd, path, start, start_n, start_sd, weight = (
        np.atleast_1d(np.asarray(a, dtype=float)) for a in (value, n, sd, path, start, start_n, start_sd, weight)
    )
    out = np.full(len(value), np.nan)
    prop = stat == "proportion"
    for rows in (np.flatnonzero(prop), np.flatnonzero(stat == "mean")):
        if len(rows):
            out[rows] = _p_line(
                bool(prop[rows[0]]), value[rows], n[rows], sd[rows], path[rows], start[rows], start_n[rows],
                start_sd[rows], weight[rows],
            )  # fmt: skip
    return out


def _p_line(prop: bool, value, n, sd, path, start, start_n, start_sd, weight) -> np.ndarray:
    with_start = np.isfinite(start_n) & (start_n > 0) & (weight != 0) & (prop | np.isfinite(start_sd))
    dist = value - path
    if prop:
        x1 = np.clip(value / 100 * n, 0, n)
        n2 = np.where(with_start, start_n, 1.0)
        x2 = np.clip(start / 100 * n2, 0, n2)

    def bounds(z):
        if prop:
            lw, uw = _wilson_bounds(x1, n, z)
            l1, u1 = lw * 100, uw * 100
            lw2, uw2 = _wilson_bounds(x2, n2, z)
            l2, u2 = lw2 * 100, uw2 * 100
        else:
            c = sps.norm.cdf(z)
            with np.errstate(invalid="ignore", divide="ignore"):
                half = sps.t.ppf(c, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
                half2 = sps.t.ppf(c, np.maximum(start_n - 1, 1)) * start_sd / np.sqrt(start_n)
            l1, u1, l2, u2 = value - half, value + half, start - half2, start + half2
        low = np.where(with_start, dist - np.sqrt((value - l1) ** 2 + weight**2 * (u2 - start) ** 2), l1 - path)
        high = np.where(with_start, dist + np.sqrt((u1 - value) ** 2 + weight**2 * (start - l2) ** 2), u1 - path)
        return low, high

    def excludes(z):
        low, high = bounds(z)
        return (high < 0) | (low > 0)

    p = _invert(excludes, dist)
    return np.where(np.isfinite(dist) & (n > 0), np.where(dist == 0, 1.0, p), np.nan)


# -------------------------------------------------------- Benjamini–Hochberg
def bh_reject(p, q: float = Q) -> np.ndarray:
    """Benjamini–Hochberg step-up at false-discovery rate ``q``: which p-values are discoveries.
    Missing p-values are no tests (never rejected, not counted)."""
    p = np.asarray(p, dtype=float)
    out = np.zeros(len(p), dtype=bool)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if not m:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    below = p[order] <= q * np.arange(1, m + 1) / m
    if below.any():
        k = np.flatnonzero(below).max()
        out[order[: k + 1]] = True
    return out


# ------------------------------------------------------------- page verdicts
def family_code(area_code: str, area_level: str) -> str:
    """A kommune and its bydeler are one family (the kommune's four digits); other areas their own."""
    return area_code[:4] if area_level in ("kommune", "bydel") else area_code


def family_of(area_code: pd.Series, area_level: pd.Series) -> np.ndarray:
    """``family_code`` for every row."""
    return np.array([family_code(str(c), lv) for c, lv in zip(area_code, area_level)], dtype=object)


CHANGE_CLAIMS = {"sikker forbedring", "sikker forverring", "sikker økning", "sikker nedgang"}
BENCHMARK_CLAIMS = {"bedre", "dårligere", "høyere", "lavere"}


def page_verdicts(status: pd.DataFrame, q: float = Q) -> pd.DataFrame:
    """The page-level verdicts for the målekart's status rows (one row per indicator × area: its
    latest period of the 0-punkt's kind), from the rows' single-look verdicts and p-values
    (``change_p``, ``benchmark_p``, ``target_p`` from ``oppvekst.scorecard``).

    Benjamini–Hochberg at ``q`` over each family's tests. A claim («sikker forbedring», «bedre
    enn …», «nådd», «ikke på vei») stands when its test is a discovery; otherwise it becomes
    «ingen sikker endring», «omtrent likt», «på vei» (a target passed, not surely) or «usikkert om
    målet nås», with a detail saying it was sure at 95 % for one comparison but not on the page.
    Verdicts without a test (no n, no interval, no 0-punkt) are kept as they are.

    Returns ``status`` with ``family``, ``family_tests`` and ``page_change_*``,
    ``page_benchmark_*``, ``page_target_*`` (verdict, symbol, colour, detail) added."""
    out = status.copy().reset_index(drop=True)
    out["family"] = family_of(out["area_code"], out["area_level"])
    tests = {
        k: pd.to_numeric(out[f"{k}_p"], errors="coerce").to_numpy(float) for k in ("change", "benchmark", "target")
    }
    found = {k: np.zeros(len(out), dtype=bool) for k in tests}
    count = np.zeros(len(out), dtype=int)
    for _fam, idx in out.groupby("family", sort=False).indices.items():
        ps = np.concatenate([tests[k][idx] for k in tests])
        rejected = bh_reject(ps, q)
        for j, k in enumerate(tests):
            found[k][idx] = rejected[j * len(idx) : (j + 1) * len(idx)]
        count[idx] = int(np.isfinite(ps).sum())
    out["family_tests"] = count

    def lost(kind: str) -> str:
        return (
            f"Sikker for én sammenligning (95 prosent), men ikke når alle testene på siden tas med ({METHOD}). {kind}"
        ).strip()

    def keep(kind: str, claims: set, fallback, texts=None):
        verdict = out[f"{kind}_verdict"].astype(object).to_numpy()
        claimed = np.isin(verdict, list(claims)) & np.isfinite(tests[kind])
        drop = claimed & ~found[kind]
        cols = {}
        for part in ("verdict", "symbol", "colour", "detail"):
            col = out[f"{kind}_{part}"] if f"{kind}_{part}" in out else pd.Series("", index=out.index)
            cols[part] = col.astype(object).to_numpy().copy()
        for i in np.flatnonzero(drop):
            text, symbol, colour, detail = fallback(out.iloc[i]) if callable(fallback) else fallback
            cols["verdict"][i], cols["symbol"][i], cols["colour"][i] = text, symbol, colour
            cols["detail"][i] = lost(detail)
        for part, values in cols.items():
            out[f"page_{kind}_{part}"] = values

    keep("change", CHANGE_CLAIMS, ("ingen sikker endring", "●", SAME, ""))
    keep("benchmark", BENCHMARK_CLAIMS, ("omtrent likt", "●", SAME, ""))

    def target_fallback(r):
        if r["target_verdict"] == "nådd":
            return (
                "på vei",
                "↗" if r["polarity"] == "higher_is_better" else "↘",
                BETTER,
                "Tallet er på riktig side av målet, men ikke sikkert.",
            )
        return ("usikkert om målet nås", "●", SAME, "Tallet ligger bak linjen mot målet, men ikke sikkert.")

    keep("target", {"nådd", "ikke på vei"}, target_fallback)
    return out


def attention_reasons(df: pd.DataFrame, prefix: str = "page_") -> pd.Series:
    """How many of the three reasons for «Trenger oppmerksomhet» a row has: a sure worsening since
    the 0-punkt, surely worse than the benchmark, surely behind the line to the target. ``prefix``:
    'page_' for ``page_verdicts``' columns, '' for rows that already carry the page's verdicts
    (``queries.malekart``) or for the single-look verdicts."""
    return (
        (df[f"{prefix}change_verdict"] == "sikker forverring").astype(int)
        + (df[f"{prefix}benchmark_verdict"] == "dårligere").astype(int)
        + (df[f"{prefix}target_verdict"] == "ikke på vei").astype(int)
    )


def attention(df: pd.DataFrame, prefix: str = "page_") -> pd.Series:
    """«Trenger oppmerksomhet»: at least one of ``attention_reasons``."""
    return attention_reasons(df, prefix) > 0
