"""Synthetic control for one treated unit (Abadie, Diamond & Hainmueller 2010), demeaned
(Ferman & Pinto 2021; Doudchenko & Imbens 2016): each unit's series is taken relative to its own
mean before the start, and the synthetic comparison is the mix of the other units - weights
non-negative, summing to 1 - that best follows the treated unit's path before the start. The
effect is the average gap after the start. Demeaning lets a unit that lies above or below all
the others (the worst school, often the one chosen) still be matched on its path.

Inference by placebo in space: the same is done with every other unit as if it had the tiltak,
and p = rank/(J + 1) of the treated unit's statistic among all J + 1 units. The statistic is
the mean post-start gap divided by its model standard error (from each cell's n and the
between-cell variance), not the post/pre RMSPE ratio of Abadie et al.: with 19 comparison
schools and five years before, the synthetic comparison often follows the treated school's past
almost exactly, the pre-period RMSPE is then close to zero and the ratio explodes for reasons
that have nothing to do with the tiltak. The interval inverts the test (Firpo & Possebom 2018):
every effect τ₀ for which the treated unit, with τ₀ taken out of its post-start values (also
where it is a donor), is not among the most extreme."""

from __future__ import annotations

import numpy as np
from scipy import optimize

from oppvekst.effect.inference import linear_quadratics, quad_test


def synth_weights(Y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """Weights w ≥ 0 with Σw = 1 minimising ‖y1 − Y0·w‖² (Y0: pre-periods × donors), by
    non-negative least squares with the sum constraint as a heavily weighted extra row."""
    scale = max(1.0, float(np.abs(Y0).max(initial=0.0)), float(np.abs(y1).max(initial=0.0)))
    big = 1e4 * scale * np.sqrt(len(y1))
    A = np.vstack([Y0, np.full((1, Y0.shape[1]), big)])
    b = np.concatenate([y1, [big]])
    w, _ = optimize.nnls(A, b, maxiter=50 * Y0.shape[1])
    s = w.sum()
    return w / s if s > 0 else np.full(Y0.shape[1], 1.0 / Y0.shape[1])


def synth_all(Y: np.ndarray, pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every unit as if treated: weights on the others (U × U, zero diagonal) and the gaps
    (U × T) between its demeaned series and its synthetic comparison."""
    Yd = Y - Y[:, pre].mean(axis=1, keepdims=True)
    U = len(Y)
    Wm = np.zeros((U, U))
    for j in range(U):
        donors = np.array([i for i in range(U) if i != j])
        Wm[j, donors] = synth_weights(Yd[donors][:, pre].T, Yd[j, pre])
    gaps = Yd - Wm @ Yd
    return Wm, gaps


def gap_variances(Wm: np.ndarray, V: np.ndarray, pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Model variances of every unit's gaps (U × T) and of its mean post gap (U,), from the
    cell variances V (U × T, independent cells): gap_jt = Σ_i d_ji (Y_it − mean_pre Y_i) with
    d = I − Wm."""
    post = ~pre
    T0, T1 = pre.sum(), post.sum()
    pre_part = V[:, pre].sum(1) / T0**2
    per_t = V * np.where(pre, 1 - 2 / T0, 1.0)[None, :] + pre_part[:, None]
    mean_post = V[:, post].sum(1) / T1**2 + pre_part
    d2 = (np.eye(len(Wm)) - Wm) ** 2
    return d2 @ per_t, d2 @ mean_post


def placebo_test(gaps: np.ndarray, Wm: np.ndarray, se: np.ndarray, pre: np.ndarray, tr: int, alpha: float):
    """(p at τ₀ = 0, interval low, high) of the placebo-in-space test of the studentised mean
    post gap |ḡ_j| / se_j, inverted. Under «the effect is τ₀» the treated unit's mean post gap
    is ḡ − τ₀, and unit j's (where the treated unit is a donor with weight w_j) ḡ_j + τ₀·w_j."""
    m1 = gaps[:, ~pre].mean(axis=1)
    b = -Wm[:, tr].copy()
    b[tr] = 1.0
    return quad_test(*linear_quadratics(m1, b, se, tr), tr, alpha)
