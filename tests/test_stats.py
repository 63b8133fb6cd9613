"""Statistics against published reference values (shared/METHODS.md, Newcombe 1998, PHE) and
independent implementations (statsmodels, scipy)."""

import itertools

import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from oppvekst.stats import (
    mean_interval,
    newcombe_difference,
    poisson_interval,
    rate_interval,
    spc,
    trend_proportions,
    trend_values,
    welch_difference,
    wilson_interval,
)

A = dict(abs=5e-7)


def test_wilson_reference_values():
    assert wilson_interval(65, 100) == pytest.approx((0.552544, 0.736358), **A)
    assert wilson_interval(65, 100, 0.998) == pytest.approx((0.495495, 0.778354), **A)
    assert wilson_interval(1045, 5000) == pytest.approx((0.197955, 0.220491), **A)
    ci = wilson_interval(65, 100)
    assert ci.method == "Wilson score" and ci.confidence == 0.95


@pytest.mark.parametrize("x,n", [(0, 10), (1, 10), (10, 10), (3, 7), (500, 1234)])
def test_wilson_matches_statsmodels(x, n):
    assert wilson_interval(x, n) == pytest.approx(proportion_confint(x, n, method="wilson"), abs=1e-9)


def test_poisson_reference_values():
    assert poisson_interval(65) == pytest.approx((50.1632, 82.8491), abs=5e-5)
    assert poisson_interval(65).method == "Byar"
    # exact (Garwood) limits
    assert poisson_interval(5) == pytest.approx((1.623486, 11.668332), abs=5e-6)
    assert poisson_interval(0) == pytest.approx((0.0, 3.688879), abs=5e-6)
    assert poisson_interval(5).method == "exact Poisson"
    assert rate_interval(65, 10000, 1000) == pytest.approx((5.01632, 8.28491), abs=5e-6)


def test_mean_interval():
    lo, hi = mean_interval(4.2, 0.85, 25)
    half = sps.t.ppf(0.975, 24) * 0.85 / 5
    assert (lo, hi) == pytest.approx((4.2 - half, 4.2 + half))
    assert hi - lo == pytest.approx(2 * 2.063899 * 0.17, abs=1e-6)


@pytest.mark.parametrize(
    "x1,n1,x2,n2,ref",
    [
        (56, 70, 48, 80, (0.2000, 0.0524, 0.3339)),  # Newcombe 1998, example (a)
        (9, 10, 3, 10, (0.6000, 0.1705, 0.8090)),  # example (b)
    ],
)
def test_newcombe_reference_values(x1, n1, x2, n2, ref):
    assert newcombe_difference(x1, n1, x2, n2) == pytest.approx(ref, abs=5e-5)


@pytest.mark.parametrize("x1,n1,x2,n2", [(56, 70, 48, 80), (6, 7, 2, 7), (5, 56, 0, 29), (120, 400, 100, 410)])
def test_newcombe_matches_statsmodels(x1, n1, x2, n2):
    d = newcombe_difference(x1, n1, x2, n2)
    assert (d.low, d.high) == pytest.approx(confint_proportions_2indep(x1, n1, x2, n2, method="newcomb"), abs=1e-9)


def test_welch_agrees_with_scipy_test():
    d = welch_difference(4.3, 0.8, 120, 4.1, 0.9, 100)
    res = sps.ttest_ind_from_stats(4.3, 0.8, 120, 4.1, 0.9, 100, equal_var=False)
    assert (d.low > 0) == (res.pvalue < 0.05)
    # at the confidence level equal to 1 - p, the interval just touches 0
    edge = welch_difference(4.3, 0.8, 120, 4.1, 0.9, 100, confidence=1 - res.pvalue)
    assert edge.low == pytest.approx(0, abs=1e-9)


def test_trend_reference_values():
    x, n = [318, 314, 318, 291, 292], [468.336, 472.892, 500.787, 480.198, 499.145]
    tr = trend_proportions(x, n)
    # METHODS.md gives 12.5688; its own formula gives 12.568556 (= 12.5686 to 4 decimals)
    assert tr.chi2 == pytest.approx(12.5688, abs=4e-4)
    # independent check: the Cochran-Armitage form T^2 / Var(T)
    N, X = sum(n), sum(x)
    p = X / N
    T = sum(a * t for a, t in zip(x, range(1, 6))) - p * sum(b * t for b, t in zip(n, range(1, 6)))
    V = (
        p
        * (1 - p)
        * (sum(b * t * t for b, t in zip(n, range(1, 6))) - sum(b * t for b, t in zip(n, range(1, 6))) ** 2 / N)
    )
    assert tr.chi2 == pytest.approx(T * T / V, rel=1e-10)
    assert tr.slope == pytest.approx(-0.1062, abs=5e-5)
    assert tr.direction == "decreasing"


def test_trend_rules():
    assert trend_proportions([1, 2, 3], [10, 10, 10]).direction == "cannot be calculated"
    flat = trend_proportions([50, 51, 50, 49, 50], [100] * 5)
    assert flat.direction == "no significant change"
    up = trend_values([10, 12, 14, 16, 18], [9.5, 11.5, 13.5, 15.5, 17.5], [10.5, 12.5, 14.5, 16.5, 18.5])
    assert up.direction == "increasing" and up.chi2 > 9.5495
    # one outlier drives the slope: dropping it reverses the sign -> not significant, although
    # chi² alone is far above the threshold (more edge cases in test_edges.py)
    unstable = trend_values([10.3, 10.2, 10.1, 10, 30], [10.2, 10.1, 10.0, 9.9, 29.9], [10.4, 10.3, 10.2, 10.1, 30.1])
    assert unstable.chi2 > 9.5495 and unstable.direction == "no significant change"


def test_spc_limits_and_rules():
    vals = [10, 12, 11, 13, 12, 11, 10, 12, 11, 13, 12, 11]
    c = spc(vals)
    mean = sum(vals) / 12
    amr = sum(abs(b - a) for a, b in itertools.pairwise(vals)) / 11
    assert (c.centre, c.upper, c.lower) == pytest.approx((mean, mean + 2.66 * amr, mean - 2.66 * amr))
    assert c.variation == "common cause" and not c.trial_limits
    out = spc(vals + [25], polarity="lower_is_better")
    assert "outside" in out.special[-1] and out.variation == "concern"
    run = spc(vals + [11.7, 11.8, 11.9, 12.0, 12.1, 12.2, 12.3], polarity="higher_is_better")
    assert "trend" in run.special[-1] and run.variation == "improvement"
    shift = spc(vals + [12, 12.5, 12, 12.2, 12.1, 12.4, 12.3])
    assert "shift" in shift.special[-1]
    six = spc(vals + [12, 12.5, 12, 12.2, 12.1, 12.4], run=6)
    assert "shift" in six.special[-1]
    two = spc(vals + [11, 14.2, 14.3])  # 2σ band: 11.5 + 1.773 × 1.3636 = 13.92; limit 15.13
    assert "two_of_three" in two.special[-1]
    assert spc(vals, target=30, polarity="higher_is_better").assurance == "consistently fails"
    assert spc(vals, target=1, polarity="higher_is_better").assurance == "consistently passes"
    assert spc(vals, target=11.5, polarity="higher_is_better").assurance == "may or may not hit"
    assert spc(vals, target=30, polarity="lower_is_better").assurance == "consistently passes"
    assert spc(vals[:6]).trial_limits
