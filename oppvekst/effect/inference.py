"""Randomisation inference and its inversion into an interval.

Every test here compares the statistic of the observed assignment with the statistics of the
other assignments (units that could have had the tiltak instead). Under the hypothesis «the
effect is τ₀ in every treated unit-period» the untreated outcomes are y − τ₀·D, and for each
assignment k «the placebo statistic is at least as extreme as the observed one» is a quadratic
inequality q_k(τ₀) = A_k·τ₀² + B_k·τ₀ + C_k ≥ 0 (both for the studentised linear estimators and
for the synthetic control's RMSPE ratio). The p-value at τ₀ is the share of assignments
(the observed one included) for which it holds; the (1 − α) interval is every τ₀ whose p-value
is above α (its hull, if the accepted set has holes). One sweep over the sorted roots finds it
exactly - no grid, no bisection."""

from __future__ import annotations

import numpy as np


def quad_test(A: np.ndarray, B: np.ndarray, C: np.ndarray, observed: int, alpha: float) -> tuple[float, float, float]:
    """(p-value at τ₀ = 0, interval low, interval high) from the quadratics of K assignments;
    index ``observed`` is the observed assignment (counted always). Unbounded sides are ±inf;
    an empty accepted set (cannot happen: the estimate itself is always accepted) gives NaN."""
    A, B, C = (np.asarray(a, dtype=float) for a in (A, B, C))
    K = len(A)
    others = np.ones(K, dtype=bool)
    others[observed] = False
    A, B, C = A[others], B[others], C[others]
    scale = np.abs(A) + np.abs(B) + np.abs(C)
    p0 = (1 + int(np.sum(-1e-12 * scale <= C))) / K

    # membership at −∞ and the toggles where q_k changes sign
    quad = A != 0
    disc = B * B - 4 * A * C
    two = quad & (disc > 0)
    lin = ~quad & (B != 0)
    start_in = np.where(quad, A > 0, np.where(lin, B < 0, C >= 0))
    sq = np.sqrt(np.where(two, disc, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = np.where(two, (-B - np.sign(A) * sq) / (2 * A), np.nan)
        r2 = np.where(two, (-B + np.sign(A) * sq) / (2 * A), np.nan)
        rl = np.where(lin, -C / B, np.nan)
    lo_r, hi_r = np.minimum(r1, r2), np.maximum(r1, r2)
    # A > 0: in, out at the lower root, in again at the upper; A < 0: the reverse
    sgn = np.where(A > 0, -1.0, 1.0)
    pos = np.concatenate([lo_r[two], hi_r[two], rl[lin]])
    delta = np.concatenate([sgn[two], -sgn[two], np.where(B[lin] < 0, -1.0, 1.0)])
    order = np.argsort(pos, kind="stable")
    pos, delta = pos[order], delta[order]
    counts = 1 + int(start_in.sum()) + np.concatenate([[0.0], np.cumsum(delta)])
    accepted = counts / K > alpha  # segment i lies between pos[i-1] and pos[i]
    if not accepted.any():
        return p0, float("nan"), float("nan")
    first, last = int(np.argmax(accepted)), len(accepted) - 1 - int(np.argmax(accepted[::-1]))
    low = -np.inf if first == 0 else float(pos[first - 1])
    high = np.inf if last == len(pos) else float(pos[last])
    return p0, low, high


def linear_quadratics(a: np.ndarray, b: np.ndarray, s: np.ndarray, observed: int):
    """Quadratics for a studentised linear estimator: placebo k's estimate on y − τ₀·D is
    a_k − τ₀·b_k with scale s_k; the observed one is β̂ − τ₀ (b = 1) with scale s₀.
    |a_k − τ₀ b_k| / s_k ≥ |β̂ − τ₀| / s₀ ⇔ q_k(τ₀) ≥ 0."""
    beta, s0 = a[observed], s[observed]
    A = b * b / s**2 - 1 / s0**2
    B = -2 * a * b / s**2 + 2 * beta / s0**2
    C = a * a / s**2 - beta * beta / s0**2
    return A, B, C


def wald_p(L: np.ndarray, V: np.ndarray) -> float:
    """Randomisation p-value of the joint Wald statistic L'V⁻¹L (K assignments, the observed
    one first): the share of assignments whose statistic is at least the observed one."""
    Vi = np.linalg.pinv(V)
    W = np.einsum("ki,kij,kj->k", L, Vi, L)
    return float(np.mean(W[0] * (1 - 1e-9) <= W))
