"""Did the tiltak work here? (issue 17; docs/methods.md «Effekt av tiltak»; shared/METHODS.md
«Effect of a tiltak»).

Units (schools, bydeler, kommuner) observed every period; some start a tiltak at a period, the
rest never. ``estimate(panel)`` asks how much the indicator moved in the units with the tiltak
*beyond* what the other units show over the same periods, with a test that holds when only a
few units have the tiltak:

- one start date, two or more treated units: difference-in-differences, two-way fixed effects
  weighted by n (``did.twfe``);
- staggered starts: Gardner's two-stage estimator (did2s), valid when effects differ by start
  date (``did.gardner``);
- one treated unit: synthetic control with placebo-in-space inference (``synth``; with fewer
  than three periods before the start, the difference-in-differences above);
- inference for the first two by randomisation over units: the tiltak given to every other
  possible set of units (all assignments when there are at most 2·(draws + 1), else ``draws`` random
  ones), the statistic studentised with each cell's variance so that small and large schools
  weigh alike; the interval inverts the same test (``inference``). Never cluster-robust
  standard errors, which reject far too often with a handful of treated units;
- a joint pre-trend test of the event-study leads; when it fails, no effect is claimed;
- ``minimum_detectable_effect`` for a planned pilot, by simulation on the units' history.

Pure numpy/scipy/pandas, hand-written rather than pyfixest: randomisation inference needs the
estimator for every assignment (1 140 for 3 schools of 20, and some 10⁷ in the calibration),
which the batched linear algebra here does in tens of milliseconds; pyfixest's did2s takes about
0,1 s per fit (two minutes per estimate with 1 140 assignments) and brings matplotlib, seaborn,
IPython and great-tables into the app. The point estimates are checked against statsmodels WLS
(to 1e-6; they agree to 1e-13) in tests/test_effect.py."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from oppvekst import formatting as fmt
from oppvekst.effect.did import Linear, cell_variance, fe_residuals, gardner, grid, twfe
from oppvekst.effect.inference import linear_quadratics, quad_test, wald_p
from oppvekst.effect.panel import NEVER, Panel, assignments, nb_int, prepare
from oppvekst.effect.synth import gap_variances, placebo_test, synth_all

__all__ = ["EffectResult", "estimate", "minimum_detectable_effect", "no_test"]

MIN_PRE_SYNTH = 3  # periods before the start a synthetic control needs


@dataclass(frozen=True)
class EffectResult:
    estimate: float  # average effect on the treated over all treated unit-periods, indicator's unit
    ci_low: float  # ±inf when the interval is unbounded, NaN when no test is possible
    ci_high: float
    p_value: float
    method: str
    inference: str
    # joint randomisation test of the event-study leads (None: too few periods before the start);
    # synthetic control: rank of the unit's pre-start fit among all units'
    pretrend_p: float | None
    n_treated: int
    n_control: int
    # rel_period, estimate, ci_low, ci_high. Difference-in-differences: −1 is the reference and absent.
    # Synthetic control: the gap in every period, −1 included (there is no reference period; the
    # periods before the start show how well the synthetic comparison followed the unit).
    event_study: pd.DataFrame
    verdict: str  # "effect" | "no_effect" | "pretrend" | "untestable"
    warnings: list[str] = field(default_factory=list)
    left_out: int = 0  # unit-periods without a shown value (privacy), left out


def _es_frame(rel, est, lo, hi) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rel_period": np.asarray(rel, dtype=int),
            "estimate": np.asarray(est, dtype=float),
            "ci_low": np.asarray(lo, dtype=float),
            "ci_high": np.asarray(hi, dtype=float),
        }
    )


def _weighting(p: Panel) -> str:
    if p.kind == "share":
        return "weighted by n"
    return "unweighted" if np.all(p.w == 1.0) else "weighted by 1/se²"


def no_test(
    n_treated: int, n_control: int, left_out: int = 0, method: str = "none", warnings: list[str] | None = None
) -> EffectResult:
    """A result without a test (verdict "untestable"): no estimate, no interval, no event study."""
    nan = float("nan")
    return EffectResult(
        estimate=nan,
        ci_low=nan,
        ci_high=nan,
        p_value=nan,
        method=method,
        inference="none: no test is possible",
        pretrend_p=None,
        n_treated=n_treated,
        n_control=n_control,
        event_study=_es_frame([], [], [], []),
        verdict="untestable",
        warnings=list(warnings or []),
        left_out=left_out,
    )


def _untestable(p: Panel, method: str, reason: str, **kw) -> EffectResult:
    treated = p.g < NEVER
    result = no_test(int(treated.sum()), int((~treated).sum()), p.left_out, method, p.warnings + [reason])
    return dataclasses.replace(result, **kw) if kw else result


def estimate(panel: pd.DataFrame, *, alpha: float = 0.05, draws: int = 999, seed: int = 0) -> EffectResult:
    """The effect of a tiltak on an indicator, from a panel with columns ``unit``, ``period``
    (int), ``start`` (the unit's first period with the tiltak; NaN/None = never), and ``x`` and
    ``n`` (proportions: the outcome is 100·x/n in prosent, the effect in prosentpoeng) or
    ``value`` and optionally ``se`` (other measures). Rows without a value, or with ``shown``
    false, are left out and counted. See the module docstring for the methods."""
    p = prepare(panel)
    if p.left_out:
        p.warnings.append(
            f"{p.left_out} {'enhet-periode' if p.left_out == 1 else 'enhet-perioder'} uten vist tall "
            "(personvern) er utelatt."
        )
    treated = p.g < NEVER
    n_tr, n_co = int(treated.sum()), int((~treated).sum())
    if n_tr == 0:
        return _untestable(p, "none", "Ingen enheter har tiltaket i periodene med tall.")
    if n_co == 0:
        return _untestable(p, "none", "Alle enhetene har tiltaket; det finnes ingen å sammenligne med.")
    if n_tr == 1:
        if int((p.ti[p.g[p.ui] < NEVER] < p.g[p.g < NEVER][0]).sum()) >= MIN_PRE_SYNTH:
            return _synthetic(p, alpha)
        p.warnings.append(
            f"For få perioder før start til en syntetisk kontroll (minst {MIN_PRE_SYNTH}): enheten sammenlignes "
            "med gjennomsnittet av de andre (forskjell i forskjeller)."
        )
    return _did(p, alpha, draws, seed)


# --------------------------------------------------------------------------- DiD with RI
def _obs_design(p: Panel) -> tuple[np.ndarray, np.ndarray]:
    """Per observation: under the tiltak (0/1) and period relative to the start (NEVER if never)."""
    g = p.g[p.ui]
    return (p.ti >= g).astype(float), np.where(g < NEVER, p.ti - g, NEVER)


def _design(p: Panel, G: np.ndarray) -> Linear:
    D, rel = _obs_design(p)
    tr_rel = rel[rel < NEVER]
    if len(np.unique(p.g[p.g < NEVER])) == 1:
        rels = np.unique(tr_rel)
        return twfe(p, G, rels[rels != -1])
    lags = np.unique(rel[D == 1])
    leads = np.unique(tr_rel[tr_rel <= -2])
    return gardner(p, G, lags, leads)


def _did(p: Panel, alpha: float, draws: int, seed: int) -> EffectResult:
    staggered = len(np.unique(p.g[p.g < NEVER])) > 1
    method = (
        f"Gardner two-stage (did2s), {_weighting(p)}"
        if staggered
        else f"difference-in-differences (two-way fixed effects, {_weighting(p)})"
    )
    G, enumerated, total = assignments(p.g, draws, seed)
    lin = _design(p, G)
    if not lin.valid[0]:
        return _untestable(p, method, "Effekten kan ikke anslås: noen perioder mangler enheter uten tiltaket.")
    C, E = lin.main[lin.valid], lin.es[lin.valid]
    K = len(C)
    k_all = total if enumerated else K
    D_obs, rel_obs = _obs_design(p)
    v_obs, _ = cell_variance(p)
    y, D, v = (grid(p, a).ravel() for a in (p.y, D_obs, v_obs))
    a, b = C @ y, C @ D
    s = np.sqrt((C * C) @ v)
    A, B, Cq = linear_quadratics(a, b, s, 0)
    p0, lo, hi = quad_test(A, B, Cq, 0, alpha)
    beta = float(a[0])

    # event study: each coefficient's interval inverts the same randomisation test for «the
    # cells this coefficient is about (the treated units, h periods from the start) are
    # shifted by τ₀»; the pre-trend test is the randomisation distribution of the leads' joint
    # Wald statistic - both on the observed outcomes, so that under no effect they are exact
    rel = grid(p, np.where(rel_obs < NEVER, rel_obs, -(10**6))).ravel()
    coef = E @ y
    sek = np.sqrt((E * E) @ v)
    lo_es, hi_es = np.empty(len(lin.rel)), np.empty(len(lin.rel))
    for j, h in enumerate(lin.rel):
        Z = (rel == h).astype(float)
        lo_es[j], hi_es[j] = quad_test(*linear_quadratics(coef[:, j], E[:, j] @ Z, sek[:, j], 0), 0, alpha)[1:]
    es = _es_frame(lin.rel, coef[0], lo_es, hi_es)

    lead_idx = np.flatnonzero(lin.rel <= -2)
    pretrend = None
    if len(lead_idx):
        Ek = E[:, lead_idx, :]
        V = np.einsum("kin,n,kjn->kij", Ek, v, Ek)
        pretrend = wald_p(coef[:, lead_idx], V)

    if enumerated:
        inference = f"randomisation inference over units (all {nb_int(k_all)} assignments)"
    else:
        inference = f"randomisation inference over units ({nb_int(K - 1)} random assignments and the observed)"
    inference += "; studentised; interval by test inversion"
    warnings = list(p.warnings)
    n_tr, n_co = int((p.g < NEVER).sum()), int((p.g == NEVER).sum())
    testable = 1.0 / k_all <= alpha
    if not testable:
        warnings.append(
            f"Med {n_tr} enheter med tiltaket av {n_tr + n_co} finnes bare {nb_int(k_all)} måter å velge dem på; "
            f"ingen test på {fmt.number(100 * alpha, 0)} prosent nivå er mulig."
        )
    warnings += _design_warnings(p, D_obs, rel_obs, v_obs, n_tr, n_co, lo, hi, pretrend, staggered, testable)
    return _tested(p, beta, p0, lo, hi, testable, alpha, method, inference, pretrend, n_tr, n_co, es, warnings)


def _tested(p: Panel, est, p0, lo, hi, testable, alpha, method, inference, pretrend, n_tr, n_co, es, warnings):
    """The result of a test that could be run (the interval only when a test at ``alpha`` is possible)."""
    return EffectResult(
        estimate=est,
        ci_low=float(lo) if testable else float("nan"),
        ci_high=float(hi) if testable else float("nan"),
        p_value=float(p0),
        method=method,
        inference=inference,
        pretrend_p=pretrend,
        n_treated=n_tr,
        n_control=n_co,
        event_study=es,
        verdict=_verdict(testable, pretrend, p0, lo, hi, alpha),
        warnings=warnings,
        left_out=p.left_out,
    )


def _verdict(testable: bool, pretrend: float | None, p0: float, lo: float, hi: float, alpha: float) -> str:
    if not testable:
        return "untestable"
    if pretrend is not None and pretrend <= alpha:
        return "pretrend"
    if p0 <= alpha and not (lo <= 0 <= hi):
        return "effect"
    return "no_effect"


def _design_warnings(p, D, rel, v, n_tr, n_co, lo, hi, pretrend, staggered, testable) -> list[str]:
    """What the panel itself can tell about the threats (docs/methods.md)."""
    out = []
    if n_tr < 5:
        out.append(
            f"Bare {n_tr} enheter har tiltaket. Forskjeller mellom enkeltenheter kan da lett se ut som en "
            "effekt; testen tar høyde for det ved å prøve tiltaket på alle andre mulige utvalg av enheter."
        )
    if n_co < 5:
        out.append(f"Bare {n_co} enheter uten tiltaket å sammenligne med.")
    if pretrend is None:
        out.append(
            "Bare én periode før start: vi kan ikke sjekke om enhetene fulgte hverandre før tiltaket (parallelle trender)."
        )
    if testable and not (np.isfinite(lo) and np.isfinite(hi)):
        out.append("Intervallet er ubegrenset: dataene kan ikke avgrense effekten.")
    # level before the start, and the last period before it (regression to the mean)
    treated_u = p.g[p.ui] < NEVER
    pre = D == 0
    before = p.ti < p.g.min()  # periods before the first start
    tr_pre, co_pre = treated_u & before, ~treated_u & before
    if tr_pre.any() and co_pre.any():
        m_tr = np.average(p.y[tr_pre], weights=p.w[tr_pre])
        m_co = np.average(p.y[co_pre], weights=p.w[co_pre])
        cnt = np.bincount(p.ui[before], minlength=p.n_units)
        unit_means = np.bincount(p.ui[before], p.y[before], p.n_units)[cnt > 0] / cnt[cnt > 0]
        spread = float(np.std(unit_means, ddof=1)) if len(unit_means) > 2 else 0.0
        if spread > 0 and abs(m_tr - m_co) > spread:
            side = "høyere" if m_tr > m_co else "lavere"
            out.append(
                f"Enhetene med tiltaket lå {side} enn de andre før start ({fmt.number(m_tr)} mot {fmt.number(m_co)}). Ble de "
                "valgt fordi tallene var uvanlige, kan noe av endringen etterpå være at tallene går tilbake mot det "
                "vanlige (regresjon mot gjennomsnittet)."
            )
    last = treated_u & (rel == -1)
    earlier = treated_u & (rel <= -2)
    if last.any() and earlier.any():
        # the treated units' last period before the start against their earlier ones, as
        # deviations from the unit and period effects of the untreated cells (an «Ashenfelter dip»)
        r, _ = fe_residuals(p, pre)
        resid = np.zeros(p.n_obs)
        resid[pre] = r
        dip = float(resid[last].mean() - resid[earlier].mean())
        se = math.sqrt(np.mean(v[last]) / last.sum() + np.mean(v[earlier]) / earlier.sum())
        if abs(dip) > 2.5 * se:
            size = f"{fmt.number(abs(dip))} prosentpoeng" if p.kind == "share" else fmt.number(abs(dip), 2)
            side = "høyere" if dip > 0 else "lavere"
            out.append(
                f"Året før start lå enhetene med tiltaket {size} {side} enn ellers (målt mot de andre enhetene). "
                "Et tiltak som settes inn etter et uvanlig år, kan se ut til å virke fordi tallene uansett går "
                "tilbake (regresjon mot gjennomsnittet)."
            )
    if staggered:
        out.append("Enhetene startet i ulike perioder; hver sammenlignes med enheter som ennå ikke hadde tiltaket.")
    return out


# --------------------------------------------------------------------- synthetic control
@dataclass(frozen=True)
class _SynthSetup:
    rows: np.ndarray  # units used (complete over the treated unit's periods)
    cols: np.ndarray  # periods used (where the treated unit has a value)
    pre: np.ndarray  # over the periods used: before the start
    tr: int  # treated unit's row among the units used
    V: np.ndarray  # cell variances, units used × periods used

    @property
    def J(self) -> int:
        return len(self.rows.nonzero()[0]) - 1


def _synth_setup(p: Panel) -> _SynthSetup:
    tr = int(np.flatnonzero(p.g < NEVER)[0])
    Y = p.cell_matrix(p.y)
    cols = np.isfinite(Y[tr])
    rows = np.all(np.isfinite(Y[:, cols]), axis=1)
    v, _ = cell_variance(p)
    V = p.cell_matrix(v)[rows][:, cols]
    return _SynthSetup(rows, cols, np.flatnonzero(cols) < p.g[tr], int(np.sum(rows[:tr])), V)


def _synth_fit(Y: np.ndarray, st: _SynthSetup, alpha: float):
    Wm, gaps = synth_all(Y, st.pre)
    var_t, var_mean = gap_variances(Wm, st.V, st.pre)
    p0, lo, hi = placebo_test(gaps, Wm, np.sqrt(var_mean), st.pre, st.tr, alpha)
    return Wm, gaps, var_t, p0, lo, hi


def _synthetic(p: Panel, alpha: float) -> EffectResult:
    method = "synthetic control (demeaned; non-negative weights summing to 1)"
    st = _synth_setup(p)
    warnings = list(p.warnings)
    dropped = int((~st.rows).sum())
    if dropped:
        warnings.append(
            f"{dropped} {'enhet' if dropped == 1 else 'enheter'} mangler tall i noen perioder og er ikke med i "
            "den syntetiske sammenligningen."
        )
    J = st.J
    if st.pre.sum() < MIN_PRE_SYNTH or (~st.pre).sum() < 1 or J < 1:
        reason = (
            "Ingen enheter å sammenligne med."
            if J < 1
            else f"Syntetisk kontroll trenger minst {MIN_PRE_SYNTH} perioder før start og én etter."
        )
        return _untestable(p, method, reason, n_treated=1, n_control=max(J, 0), warnings=warnings + [reason])
    Y = p.cell_matrix(p.y)[st.rows][:, st.cols]
    _, gaps, var_t, p0, lo, hi = _synth_fit(Y, st, alpha)
    est = float(gaps[st.tr, ~st.pre].mean())
    testable = alpha >= 1.0 / (J + 1)

    # the one-unit pre-trend check: is the treated unit's path before the start unusually
    # badly followed by its synthetic comparison, against every other unit's (scaled by noise)?
    fit = np.sqrt(np.mean(gaps[:, st.pre] ** 2 / var_t[:, st.pre], axis=1))
    pretrend = float(np.mean(fit >= fit[st.tr] * (1 - 1e-9)))

    # event study: the gap in each period; intervals from the placebo units' studentised gaps
    se_t = np.sqrt(var_t)
    others = np.arange(len(Y)) != st.tr
    q = np.quantile(np.abs(gaps[others]) / se_t[others], 1 - alpha, axis=0, method="higher")
    g = int(p.g[p.g < NEVER][0])
    rel = np.flatnonzero(st.cols) - g
    es = _es_frame(rel, gaps[st.tr], gaps[st.tr] - q * se_t[st.tr], gaps[st.tr] + q * se_t[st.tr])
    inference = f"placebo in space (p = rank/(J+1), J = {J}); studentised; interval by test inversion"
    warnings.append(
        "Bare én enhet har tiltaket. Den sammenlignes med en syntetisk enhet: en blanding av de andre som fulgte "
        "den best før start."
    )
    if not testable:
        warnings.append(
            f"Med {J} enheter å sammenligne med er ingen test på {fmt.number(100 * alpha, 0)} prosent nivå mulig "
            f"(det trengs minst {math.ceil(1 / alpha - 1e-9) - 1}). Forskjellen vises, men kan ikke testes."
        )
    elif not (np.isfinite(lo) and np.isfinite(hi)):
        warnings.append("Intervallet er ubegrenset: dataene kan ikke avgrense effekten.")
    return _tested(p, est, p0, lo, hi, testable, alpha, method, inference, pretrend, 1, J, es, warnings)


# ------------------------------------------------------------------ minimum detectable effect
def minimum_detectable_effect(
    panel: pd.DataFrame,
    treated_units: list,
    start: int,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    seed: int = 0,
    draws: int = 200,
    post_periods: int | None = None,
) -> dict:
    """The smallest effect a pilot in ``treated_units`` from ``start`` would detect with
    probability ``power`` by the test ``estimate`` uses, at level ``alpha`` (two-sided).

    By simulation on the units' history: ``draws`` panels with the units' own n and the
    indicator's variance around the unit and period effects (sampling variance from n plus the
    between-cell variance estimated from the history), each analysed as ``estimate`` would -
    same estimator, same randomisation test. An effect δ is detected in a panel when the test
    rejects «no effect» for y + δ·D, that is when −δ lies outside the panel's (1 − α) interval;
    the MDE is the ``power`` quantile of that threshold (the larger of the two directions).
    A start after the last period adds ``post_periods`` (default 2) periods with each unit's
    mean n; a start inside the data uses the periods there (``post_periods`` cuts them).
    ``mde_analytic`` is (z₀.₉₇₅ + z₀.₈₀)·SE for comparison (it ignores how few units there are)."""
    df = _planned_panel(panel, treated_units, start, post_periods)
    p = prepare(df)
    v, tau2 = cell_variance(p)
    treated = p.g < NEVER
    n_tr, n_co = int(treated.sum()), int((~treated).sum())
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((draws, p.n_obs)) * np.sqrt(v)
    out = dict(
        power=power,
        alpha=alpha,
        n_treated=n_tr,
        n_control=n_co,
        draws=draws,
        pre_periods=int(p.g[treated][0]),
        post_periods=int(p.n_periods - p.g[treated][0]),
        between_variance=tau2,
    )
    z = sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)
    if n_tr == 1:
        lows, highs, J = _synth_replicates(p, eps, alpha)
        testable = alpha >= 1.0 / (J + 1)
        out.update(
            method=f"simulation ({draws} panels from the units' history), synthetic control, placebo in space",
            n_control=J,
            se=float("nan"),
            mde_analytic=float("nan"),
        )
    else:
        G, enumerated, total = assignments(p.g, 999, seed)
        lin = _design(p, G)
        C = lin.main[lin.valid]
        cell = p.ui * p.n_periods + p.ti
        b = C[:, cell] @ _obs_design(p)[0]
        s = np.sqrt((C[:, cell] ** 2) @ v)
        k_all = total if enumerated else len(C)
        testable = 1.0 / k_all <= alpha
        lows, highs = np.empty(draws), np.empty(draws)
        A_all = eps @ C[:, cell].T  # draws × K
        for r in range(draws):
            A, B, Cq = linear_quadratics(A_all[r], b, s, 0)
            _, lows[r], highs[r] = quad_test(A, B, Cq, 0, alpha)
        kind = "Gardner two-stage" if len(np.unique(p.g[treated])) > 1 else "two-way fixed effects"
        out.update(
            method=f"simulation ({draws} panels from the units' history), {kind}, randomisation inference",
            se=float(s[0]),
            mde_analytic=float(z * s[0]),
        )
    if testable:
        up = np.quantile(-lows, power)
        down = np.quantile(highs, power)
        mde = float(max(up, down))
    else:
        mde = float("inf")
    out.update(mde=mde, testable=bool(testable), note=_mde_note(mde, testable, n_tr, out["n_control"], p.kind, power))
    return out


def _mde_note(mde: float, testable: bool, n_tr: int, n_co: int, kind: str, power: float) -> str:
    unit = "prosentpoeng" if kind == "share" else "(i indikatorens enhet)"
    if not testable:
        return (
            f"Med {n_tr} {'enhet' if n_tr == 1 else 'enheter'} med tiltaket og {n_co} å sammenligne med kan ingen "
            "test skille en effekt fra tilfeldig variasjon. Ta med flere enheter."
        )
    if not np.isfinite(mde):
        return "Forsøket kan ikke påvise noen effekt av rimelig størrelse med så få enheter og perioder."
    return (
        f"Et forsøk på {n_tr} {'enhet' if n_tr == 1 else 'enheter'} med {n_co} å sammenligne med vil med {fmt.number(100 * power, 0)} prosent "
        f"sannsynlighet påvise en effekt på minst {fmt.number(mde)} {unit}. Mindre effekter kan finnes, men vil ofte ikke "
        "kunne skilles fra tilfeldig variasjon."
    )


def _planned_panel(panel: pd.DataFrame, treated_units: list, start: int, post_periods: int | None) -> pd.DataFrame:
    if not isinstance(panel, pd.DataFrame) or not {"unit", "period"} <= set(panel.columns):
        raise ValueError("panel must be a DataFrame with columns unit and period")
    df = panel.drop(columns=[c for c in ("start",) if c in panel.columns]).copy()
    units = set(df["unit"].unique())
    unknown = [u for u in treated_units if u not in units]
    if unknown:
        raise ValueError(f"unknown unit(s) {unknown}")
    if len(set(treated_units)) == 0:
        raise ValueError("no treated units given")
    df["period"] = pd.to_numeric(df["period"]).astype(int)
    first, last = int(df["period"].min()), int(df["period"].max())
    start = int(start)
    if start <= first:
        raise ValueError(f"start {start} leaves no period before it (data from {first})")
    if start > last:
        k = post_periods or 2
        future = list(range(start, start + k))
        rows = []
        share = "n" in df and "x" in df
        agg = df.groupby("unit").agg(
            **({"n": ("n", "mean"), "x": ("x", "sum"), "nn": ("n", "sum")} if share else {"value": ("value", "mean")}),
            **({"se": ("se", "mean")} if "se" in df else {}),
        )
        for u, r in agg.iterrows():
            for t in future:
                row = {"unit": u, "period": t}
                if share:
                    row["n"] = max(1.0, round(r["n"]))
                    row["x"] = row["n"] * r["x"] / r["nn"]
                else:
                    row["value"] = r["value"]
                if "se" in df:
                    row["se"] = r["se"]
                rows.append(row)
        df = pd.concat([df, pd.DataFrame(rows)], ignore_index=True)
    elif post_periods:
        df = df[df["period"] < start + post_periods]
    if "shown" in df:
        df["shown"] = df["shown"].fillna(True)
    df["start"] = np.where(df["unit"].isin(list(treated_units)), float(start), np.nan)
    return df.reset_index(drop=True)


def _synth_replicates(p: Panel, eps: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray, int]:
    st = _synth_setup(p)
    if st.pre.sum() < MIN_PRE_SYNTH or st.J < 1:
        return np.full(len(eps), -np.inf), np.full(len(eps), np.inf), max(st.J, 0)
    lows, highs = np.empty(len(eps)), np.empty(len(eps))
    for r, e in enumerate(eps):
        _, _, _, _, lows[r], highs[r] = _synth_fit(p.cell_matrix(e)[st.rows][:, st.cols], st, alpha)
    return lows, highs, st.J
