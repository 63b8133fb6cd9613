"""Difference-in-differences estimators written as linear weights on the outcome.

Each estimator is β̂ = c·y for a weight vector c that depends on the assignment (which units
start when) but not on y. Randomisation inference needs the estimator for every assignment, so
the weights are built for a whole stack of assignments at once. Everything lives on the
units × periods grid (a missing cell has weight 0), where the weighted least squares of unit and
period effects reduces to a (periods − 1)-square system per assignment: a page's estimate with
its 1 140 assignments takes milliseconds, and the calibration runs hundreds of thousands.

- ``twfe``: two-way fixed effects y = α_u + λ_t + β·D, weighted least squares (weights n for
  shares), β by Frisch–Waugh–Lovell: c = W·D̃ / (D̃'W D), D̃ the residual of D on the unit and
  period effects. Its event study has a dummy for every period relative to the start but −1
  (the reference).
- ``gardner``: Gardner's two-stage estimator (did2s; the same as Borusyak–Jaravel–Spiess's
  imputation estimator): unit and period effects fitted on the untreated unit-periods only
  (never-treated and not-yet-treated), each treated cell's effect τ_ut = y − α̂_u − λ̂_t, and the
  average over all treated cells weighted by n (the «simple» aggregation; per period relative
  to start for the event study). Valid when effects differ by start date. Its leads are the
  pre-trend test of Borusyak, Jaravel & Spiess (2024): lead dummies (−1 the reference) added to
  the untreated-only regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oppvekst.effect.panel import NEVER, Panel


def grid(p: Panel, values: np.ndarray) -> np.ndarray:
    """An observation array as units × periods, 0 where there is no observation."""
    out = np.zeros((p.n_units, p.n_periods))
    out[p.ui, p.ti] = values
    return out


def treatment(p: Panel, G: np.ndarray) -> np.ndarray:
    """K × units × periods: 1 where the unit is under the tiltak, for each assignment."""
    return (np.arange(p.n_periods)[None, None, :] >= G[:, :, None]).astype(float)


def relative(p: Panel, G: np.ndarray) -> np.ndarray:
    """K × units × periods: periods relative to the unit's start (0 = first treated period);
    NEVER for never-treated units."""
    return np.where(G[:, :, None] < NEVER, np.arange(p.n_periods)[None, None, :] - G[:, :, None], NEVER)


def fe_fit(omega: np.ndarray, R: np.ndarray, Cc: np.ndarray) -> np.ndarray:
    """Fitted α_u + λ_t (…, U, T) from the normal equations of a weighted unit + period effects
    regression: Σ_t ω_ut(α_u + λ_t) = R_u and Σ_u ω_ut(α_u + λ_t) = Cc_t (for a target z,
    R = Σ_t ωz and Cc = Σ_u ωz), with λ of the first period 0. The unit effects are eliminated,
    leaving a (T − 1)-square system. ``omega`` broadcasts against R[..., :, None]."""
    wu = omega.sum(-1)
    wt = omega.sum(-2)
    inv = np.where(wu > 0, 1.0 / np.where(wu > 0, wu, 1.0), 0.0)
    # S_ts = Σ_u ω_ut δ_ts − Σ_u ω_ut ω_us / ω_u·, c_t = Cc_t − Σ_u ω_ut R_u / ω_u·
    S = wt[..., :, None] * np.eye(omega.shape[-1]) - np.matmul(omega.swapaxes(-1, -2) * inv[..., None, :], omega)
    c = Cc - np.matmul((R * inv)[..., None, :], omega)[..., 0, :]
    lam1 = _solve_rhs(S[..., 1:, 1:], c[..., 1:])
    lam = np.concatenate([np.zeros(lam1.shape[:-1] + (1,)), lam1], axis=-1)
    alpha = (R - np.matmul(omega, lam[..., None])[..., 0]) * inv
    return alpha[..., :, None] + lam[..., None, :]


def _solve_rhs(S: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Solve S·x = c for x (…, m), where S (…, m, m) broadcasts against c: the axes along which
    S is shared are taken as extra right-hand sides of one factorisation."""
    m = c.shape[-1]
    bc = c.shape[:-1]
    bs = (1,) * (len(bc) - (S.ndim - 2)) + S.shape[:-2]
    S = S.reshape(bs + (m, m))
    rhs = [i for i, (a, b) in enumerate(zip(bs, bc)) if a == 1 and b > 1]
    keep = [i for i in range(len(bc)) if i not in rhs]
    cp = c.transpose(keep + [len(bc)] + rhs)
    kshape = cp.shape[: len(keep)]
    cp = cp.reshape(kshape + (m, -1))
    Sk = np.broadcast_to(S.reshape(tuple(bs[i] for i in keep) + (m, m)), kshape + (m, m))
    try:
        x = np.linalg.solve(Sk, cp)
    except np.linalg.LinAlgError:
        x = np.matmul(np.linalg.pinv(Sk), cp)
    x = x.reshape(kshape + (m,) + tuple(bc[i] for i in rhs))
    inv = np.argsort(keep + [len(bc)] + rhs)
    return x.transpose(inv)


def fe_residuals(p: Panel, mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Residuals (observations in ``mask``) of the weighted unit + period effects fit on those
    observations, and the residual degrees of freedom."""
    om = grid(p, p.w * mask)
    Y = grid(p, p.y)
    fit = fe_fit(om, (om * Y).sum(1), (om * Y).sum(0))
    r = (Y - fit)[p.ui, p.ti][mask]
    units = len(np.unique(p.ui[mask]))
    periods = len(np.unique(p.ti[mask]))
    return r, max(int(mask.sum()) - units - periods + 1, 1)


def cell_variance(p: Panel) -> tuple[np.ndarray, float]:
    """Variance of each observation's deviation from the unit and period effects: its sampling
    variance plus a between-cell variance τ² (cohorts, classes, local events) estimated by
    moments from the periods before the first start - cells no assignment of the tiltak can
    touch, so the studentised statistic is the same function of the untreated outcomes whichever
    units have the tiltak and whatever effect is tested, and randomisation stays exact."""
    before = p.ti < (p.g.min() if len(p.g) else 0)
    tau2 = 0.0
    if before.sum() > 1 and len(np.unique(p.ti[before])) > 1:
        r, dof = fe_residuals(p, before)
        tau2 = max(0.0, float(np.sum(r * r)) / dof - float(np.mean(p.s2[before])))
    v = p.s2 + tau2
    if not np.any(v > 0):
        return np.ones_like(v), tau2
    return np.where(v > 0, v, np.min(v[v > 0])), tau2


@dataclass(frozen=True)
class Linear:
    """Weights of one estimator for K assignments on the flattened units × periods grid: main
    (K × N), and per event-study period (K × H × N) with the relative periods ``rel`` (H,), of
    which those ≤ −2 are the pre-trend leads. ``valid`` (K,) marks assignments where the
    estimator is defined."""

    main: np.ndarray
    es: np.ndarray
    rel: np.ndarray
    valid: np.ndarray


def _solve(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(A, B)
    except np.linalg.LinAlgError:
        return np.matmul(np.linalg.pinv(A), B)


def _resid(omega: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Z minus its weighted unit + period effects fit (Z: …, U, T)."""
    oz = omega * Z
    return Z - fe_fit(omega, oz.sum(-1), oz.sum(-2))


def twfe(p: Panel, G: np.ndarray, rel_periods: np.ndarray) -> Linear:
    """Two-way fixed effects (one start date), for the assignments G (K × units)."""
    K, H = len(G), len(rel_periods)
    w = grid(p, p.w)
    D = treatment(p, G) * (w > 0)
    E = (relative(p, G)[:, None] == rel_periods[None, :, None, None]) * (w > 0)  # K × H × U × T
    # D and the event-study dummies residualised on the unit and period effects in one go
    Zt = _resid(w, np.concatenate([D[:, None], E], axis=1))
    Dt, Et = Zt[:, 0], Zt[:, 1:]
    denom = np.einsum("kut,ut,kut->k", Dt, w, D)
    valid = denom > 1e-12 * max(1.0, float(np.max(denom)))
    main = (Dt * w / np.where(valid, denom, 1.0)[:, None, None]).reshape(K, -1)
    EtW = (Et * w).reshape(K, H, -1)
    es = _solve(np.matmul(EtW, Et.reshape(K, H, -1).transpose(0, 2, 1)), EtW)
    return Linear(main, es, rel_periods, valid)


def gardner(p: Panel, G: np.ndarray, lags: np.ndarray, leads: np.ndarray) -> Linear:
    """Gardner's two-stage estimator for the assignments G (K × units): main effect, one
    effect per period since the start (``lags`` ≥ 0), and the pre-trend lead coefficients
    (``leads`` ≤ −2; −1 the reference) from the untreated cells."""
    K, H, m = len(G), len(lags), len(leads)
    w = grid(p, p.w)
    D = treatment(p, G) * (w > 0)
    W0 = w[None] * (1.0 - D)  # weights of the untreated cells
    valid = np.all((D.sum(2) == 0) | (W0.sum(2) > 0), axis=1) & np.all((D.sum(1) == 0) | (W0.sum(1) > 0), axis=1)
    # an assignment where the effects are not identified is marked invalid and computed with
    # all weights, so that the stacked systems stay solvable
    W0s = np.where(valid[:, None, None], W0, w[None])[:, None]  # K × 1 × U × T
    R = relative(p, G)[:, None]
    wd = (w[None] * D)[:, None]
    # target weights: the mean over all treated cells, and over those h periods after the start
    A = np.concatenate([wd, wd * (lags[None, :, None, None] == R)], axis=1)  # K × (1 + H) × U × T
    tot = A.sum((2, 3), keepdims=True)
    valid &= np.all(tot[:, :, 0, 0] > 0, axis=1)
    A = A / np.where(tot > 0, tot, 1.0)
    L = (leads[None, :, None, None] == R) * (W0s > 0)  # K × m × U × T: lead dummies, untreated cells
    # one solve for all: c = a − W0·X (X'W0X)⁻¹ X'a (imputation), and L minus its fit on the
    # unit and period effects within the untreated cells
    WL = W0s * L
    fit = fe_fit(
        W0s,
        np.concatenate([A.sum(-1), WL.sum(-1)], axis=1),
        np.concatenate([A.sum(-2), WL.sum(-2)], axis=1),
    )
    C = A - W0s * fit[:, : 1 + H]
    main = C[:, 0].reshape(K, -1)
    lag_w = C[:, 1:].reshape(K, H, -1)
    if m:
        Lt = L - fit[:, 1 + H :]
        LtW = (Lt * W0s).reshape(K, m, -1)
        lead_w = _solve(np.matmul(LtW, Lt.reshape(K, m, -1).transpose(0, 2, 1)), LtW)
        es = np.concatenate([lead_w, lag_w], axis=1)
    else:
        es = lag_w
    rel = np.concatenate([leads, lags]).astype(int)
    return Linear(main, es, rel, valid)
