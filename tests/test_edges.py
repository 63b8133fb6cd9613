"""Edge cases for every statistic and verdict (issue 21), each with its expected value from an
independent reference: shared/METHODS.md and the examples it cites, or scipy/statsmodels
computed here in the test - never from the code under test.

The cases sit on or next to the decision boundaries (a benchmark on the edge of the interval,
an interval straddling the target, a trend just above and just below the 99.8 % threshold, a
leave-one-out slope that turns), because that is where a wrong rule gives a wrong verdict."""

import colorsys
import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from oppvekst.stats import (
    Difference,
    Interval,
    mean_interval,
    newcombe_difference,
    poisson_interval,
    rate_interval,
    trend_proportions,
    trend_values,
    welch_difference,
    wilson_interval,
)
from oppvekst.verdicts import (
    benchmark_verdict,
    change_verdict,
    difference,
    direction,
    minimum_detectable_difference,
    target_verdict,
    value_interval,
)

CHI2_998 = float(sps.chi2.ppf(0.998, 1))  # METHODS.md: 9.5495
T = np.arange(1, 6, dtype=float)


# ------------------------------------------------------------------ references
def chi2_trend_reference(x, n):
    """Chi-square test for trend via statsmodels' linear-by-linear association test: its z² is
    (N − 1)·r², the Armitage statistic of METHODS.md is N·r²."""
    x, n = np.asarray(x, float), np.asarray(n, float)
    res = Table(np.column_stack([x, n - x])).test_ordinal_association(row_scores=T, col_scores=np.array([0.0, 1.0]))
    N = n.sum()
    return float(res.zscore**2 * N / (N - 1))


def logit_slope(x, n, drop=None):
    keep = [i for i in range(5) if i != drop]
    p = np.asarray(x, float)[keep] / np.asarray(n, float)[keep]
    return float(np.polyfit(T[keep], np.log(p / (1 - p)), 1)[0])


def wls_reference(v, se, drop=None):
    """Slope and chi² = (b / SE_b)² of a weighted least-squares line with known variances
    (statsmodels WLS; normalized_cov_params is (X'WX)⁻¹, not scaled by the residuals)."""
    keep = [i for i in range(5) if i != drop]
    res = sm.WLS(
        np.asarray(v, float)[keep], sm.add_constant(T[keep]), weights=1 / np.asarray(se, float)[keep] ** 2
    ).fit()
    return float(res.params[1]), float(res.params[1] ** 2 / res.normalized_cov_params[1, 1])


def limits_95(v, se):
    """95 % limits from standard errors with METHODS.md's rounded z (U − L = 3.92 SE)."""
    z = 1.96
    return [a - z * s for a, s in zip(v, se)], [a + z * s for a, s in zip(v, se)]


def test_threshold_is_chi2_99_8():
    assert pytest.approx(9.5495, abs=5e-5) == CHI2_998


# ---------------------------------------------------------------- one value
def test_wilson_at_the_ends_stays_inside_0_1():
    # x = n = 15: the unclipped upper limit is 1 + 1e-16 in floating point
    for n in (1, 15, 16, 500):
        lo, hi = wilson_interval(n, n)
        ref = proportion_confint(n, n, method="wilson")
        assert hi <= 1.0 and hi == pytest.approx(1.0) and lo == pytest.approx(ref[0], abs=1e-12)
        lo0, hi0 = wilson_interval(0, n)
        assert lo0 == 0.0 and hi0 == pytest.approx(proportion_confint(0, n, method="wilson")[1], abs=1e-12)


@pytest.mark.parametrize("x,n", [(-1, 10), (11, 10), (0, 0), (1, -5)])
def test_wilson_rejects_impossible_counts(x, n):
    with pytest.raises(ValueError, match=r"^need 0 <= x <= n and n > 0 \(x=.*, n=.*\)$"):
        wilson_interval(x, n)


def test_wilson_accepts_the_smallest_possible_group():
    assert wilson_interval(1, 1) == pytest.approx(proportion_confint(1, 1, method="wilson"), abs=1e-12)
    assert wilson_interval(0, 0.5) == pytest.approx(proportion_confint(0, 0.5, method="wilson"), abs=1e-12)


def test_every_interval_carries_method_and_confidence():
    for ci, method, conf in [
        (wilson_interval(65, 100, 0.998), "Wilson score", 0.998),
        (poisson_interval(5, 0.998), "exact Poisson", 0.998),
        (poisson_interval(65, 0.998), "Byar", 0.998),
        (rate_interval(5, 1000, confidence=0.998), "exact Poisson", 0.998),
        (rate_interval(65, 1000, confidence=0.9), "Byar", 0.9),
        (mean_interval(4, 1, 9, 0.998), "t", 0.998),
        (newcombe_difference(56, 70, 48, 80, 0.998), "Newcombe hybrid score", 0.998),
        (welch_difference(4.3, 0.8, 120, 4.1, 0.9, 100, 0.998), "Welch", 0.998),
    ]:
        assert (ci.method, ci.confidence) == (method, conf)


def exact_poisson(x, conf):
    """Garwood limits through the gamma distribution (not the chi-square form of the code)."""
    a = 1 - conf
    return (0.0 if x == 0 else sps.gamma.ppf(a / 2, x), sps.gamma.ppf(1 - a / 2, x + 1))


def byar(x, conf):
    z = sps.norm.ppf(1 - (1 - conf) / 2)
    return (
        x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3,
        (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3,
    )


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_poisson_switches_from_exact_to_byar_at_10(conf):
    for x in (0, 1, 9):
        ci = poisson_interval(x, conf)
        assert ci.method == "exact Poisson" and ci == pytest.approx(exact_poisson(x, conf), abs=1e-9)
    for x in (10, 11):
        ci = poisson_interval(x, conf)
        assert ci.method == "Byar" and ci == pytest.approx(byar(x, conf), abs=1e-9)
    # the two methods differ at 10, so the switch point matters
    assert abs(byar(10, conf)[0] - exact_poisson(10, conf)[0]) > 1e-3
    assert rate_interval(9, 2000, 1000, conf) == pytest.approx(np.array(exact_poisson(9, conf)) / 2, abs=1e-9)


def test_poisson_rejects_a_negative_count():
    with pytest.raises(ValueError, match=r"^a count cannot be negative$"):
        poisson_interval(-1)


def test_mean_interval_edges():
    # n = 2 is the smallest sample with a t interval (1 degree of freedom, t = 12.7062)
    assert mean_interval(3.0, 1.0, 2) == pytest.approx(
        (3 - 12.706205 / math.sqrt(2), 3 + 12.706205 / math.sqrt(2)), abs=1e-5
    )
    _, hi = mean_interval(4.0, 0.9, 30, 0.998)
    assert hi - 4.0 == pytest.approx(sps.t.ppf(0.999, 29) * 0.9 / math.sqrt(30))
    with pytest.raises(ValueError, match=r"^a t interval needs n >= 2$"):
        mean_interval(3.0, 1.0, 1)


def test_newcombe_at_99_8_matches_statsmodels():
    d = newcombe_difference(56, 70, 48, 80, 0.998)
    ref = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", alpha=0.002)
    assert (d.low, d.high) == pytest.approx(ref, abs=1e-9) and d.diff == pytest.approx(0.2)


def test_welch_matches_scipy_on_raw_data():
    rng = np.random.default_rng(21)
    a, b = rng.normal(4.3, 0.8, 37), rng.normal(4.0, 1.3, 12)
    for conf in (0.95, 0.998):
        ref = sps.ttest_ind(a, b, equal_var=False).confidence_interval(conf)
        d = welch_difference(a.mean(), a.std(ddof=1), len(a), b.mean(), b.std(ddof=1), len(b), conf)
        assert (d.low, d.high) == pytest.approx((ref.low, ref.high), abs=1e-9)
        assert d.diff == pytest.approx(a.mean() - b.mean())


# ----------------------------------------------------------- value_interval
@pytest.mark.parametrize("conf,ref", [(0.95, (55.2544, 73.6358)), (0.998, (49.5495, 77.8354))])
def test_value_interval_for_a_percentage(conf, ref):
    ci = value_interval("proportion", 65.0, 100, None, conf)  # METHODS.md: 65/100
    assert ci == pytest.approx(ref, abs=5e-5) and (ci.method, ci.confidence) == ("Wilson score", conf)


def test_value_interval_for_a_mean_and_the_cases_without_one():
    ci = value_interval("mean", 4.2, 25, 0.85)
    half = sps.t.ppf(0.975, 24) * 0.85 / 5
    assert ci == pytest.approx((4.2 - half, 4.2 + half)) and ci.method == "t"
    assert value_interval("mean", 4.2, 25, 0.85, 0.998) == pytest.approx(
        (4.2 - sps.t.ppf(0.999, 24) * 0.17, 4.2 + sps.t.ppf(0.999, 24) * 0.17)
    )
    assert value_interval("mean", 4.2, 2, 0.85) == pytest.approx(
        (4.2 - sps.t.ppf(0.975, 1) * 0.85 / math.sqrt(2), 4.2 + sps.t.ppf(0.975, 1) * 0.85 / math.sqrt(2))
    )
    for args in [
        ("proportion", None, 100, None),
        ("proportion", 65.0, None, None),
        ("proportion", 65.0, 0, None),
        ("proportion", float("nan"), 100, None),
        ("proportion", 65.0, float("nan"), None),
        ("mean", 4.2, 25, None),
        ("mean", 4.2, 25, float("nan")),
        ("mean", 4.2, 1, 0.85),
        ("count", 12.0, 100, None),
        ("rate", 4.2, 25, 0.85),
    ]:
        assert value_interval(*args) is None, args


def test_value_interval_clips_a_rounded_share_into_0_100():
    # a published 100.0 % (or 0 %) of 15 gives the Wilson limits of 15/15 (0/15)
    assert value_interval("proportion", 100.0, 15, None) == pytest.approx(
        np.array(proportion_confint(15, 15, method="wilson")) * 100, abs=1e-9
    )
    assert value_interval("proportion", 100.3, 15, None) == pytest.approx(
        np.array(proportion_confint(15, 15, method="wilson")) * 100, abs=1e-9
    )
    assert value_interval("proportion", -0.2, 15, None) == pytest.approx(
        np.array(proportion_confint(0, 15, method="wilson")) * 100, abs=1e-9
    )


# ------------------------------------------------------------------ difference
@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_difference_of_percentages_is_newcombe_in_points(conf):
    # status 80 % of 70 (56), 0-punkt 60 % of 80 (48): Newcombe 1998 example (a)
    d = difference("proportion", (80.0, 70, None), (60.0, 80, None), conf)
    ref = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", alpha=1 - conf)
    assert d.diff == pytest.approx(20.0) and (d.low, d.high) == pytest.approx(np.array(ref) * 100, abs=1e-7)
    assert (d.method, d.confidence) == ("Newcombe hybrid score", conf)
    if conf == 0.95:
        assert (d.low, d.high) == pytest.approx((5.24, 33.39), abs=5e-3)


def test_difference_clips_shares_and_checks_n():
    d = difference("proportion", (100.4, 30, None), (-0.3, 40, None))
    ref = confint_proportions_2indep(30, 30, 0, 40, method="newcomb")
    assert d.diff == pytest.approx(100.0) and (d.low, d.high) == pytest.approx(np.array(ref) * 100, abs=1e-7)
    # the smallest groups are still testable
    d1 = difference("proportion", (100.0, 1, None), (0.0, 1, None))
    assert (d1.low, d1.high) == pytest.approx(np.array(confint_proportions_2indep(1, 1, 0, 1, method="newcomb")) * 100)
    for a, b in [
        ((80.0, 70, None), (60.0, 0, None)),
        ((80.0, 0, None), (60.0, 80, None)),
        ((80.0, 70, None), (60.0, -3, None)),
        ((None, 70, None), (60.0, 80, None)),
        ((80.0, 70, None), (float("nan"), 80, None)),
        ((80.0, None, None), (60.0, 80, None)),
    ]:
        assert difference("proportion", a, b) is None, (a, b)


def test_difference_of_means_is_welch():
    d = difference("mean", (4.3, 120, 0.8), (4.1, 100, 0.9), 0.998)
    res = sps.ttest_ind_from_stats(4.3, 0.8, 120, 4.1, 0.9, 100, equal_var=False)
    se = 0.2 / res.statistic
    v1, v2 = 0.8**2 / 120, 0.9**2 / 100
    df = (v1 + v2) ** 2 / (v1**2 / 119 + v2**2 / 99)
    assert (d.low, d.high) == pytest.approx((0.2 - sps.t.ppf(0.999, df) * se, 0.2 + sps.t.ppf(0.999, df) * se))
    assert d.method == "Welch" and d.confidence == 0.998
    assert difference("mean", (4.3, 2, 0.8), (4.1, 2, 0.9)) is not None
    for a, b in [
        ((4.3, 120, None), (4.1, 100, 0.9)),
        ((4.3, 120, 0.8), (4.1, 100, None)),
        ((4.3, 1, 0.8), (4.1, 100, 0.9)),
        ((4.3, 120, 0.8), (4.1, 1, 0.9)),
    ]:
        assert difference("mean", a, b) is None
    assert difference("count", (4.3, 120, 0.8), (4.1, 100, 0.9)) is None


# ------------------------------------------------- symbol and colour by meaning
def hsv(colour):
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(r, g, b)


def is_blue(c):
    h, s, _ = hsv(c)
    return 0.55 <= h <= 0.7 and s > 0.5


def is_orange_red(c):
    h, s, _ = hsv(c)
    return (h <= 0.1 or h >= 0.95) and s > 0.5


def is_grey(c):
    return hsv(c)[1] < 0.05


def D(lo, hi):
    return Difference((lo + hi) / 2, lo, hi, "test", 0.95)


CI = Interval(10.0, 12.0, "test", 0.95)
FALLING = [(2021, 8.0), (2022, 7.2), (2023, 6.5), (2024, 5.7)]  # towards 4.0 by 2028
RISING = [(2021, 8.0), (2022, 8.2), (2023, 8.1), (2024, 8.5)]

# every verdict with its meaning: (verdict, code, text, symbol, meaning) - words and symbols as
# docs/methods.md gives them; meaning decides the colour
VERDICTS = [
    (lambda: change_verdict(D(0.5, 2.0), "higher_is_better"), "better", "sikker forbedring", "▲", "better"),
    (lambda: change_verdict(D(-2.0, -0.5), "lower_is_better"), "better", "sikker forbedring", "▲", "better"),
    (lambda: change_verdict(D(0.5, 2.0), "lower_is_better"), "worse", "sikker forverring", "▼", "worse"),
    (lambda: change_verdict(D(-2.0, -0.5), "higher_is_better"), "worse", "sikker forverring", "▼", "worse"),
    (lambda: change_verdict(D(-1.0, 1.0), "higher_is_better"), "same", "ingen sikker endring", "●", "same"),
    (lambda: change_verdict(D(-1.0, 1.0), "lower_is_better"), "same", "ingen sikker endring", "●", "same"),
    (lambda: change_verdict(D(0.5, 2.0), "neutral"), "up", "sikker økning", "↑", "neutral"),
    (lambda: change_verdict(D(-2.0, -0.5), "neutral"), "down", "sikker nedgang", "↓", "neutral"),
    (lambda: change_verdict(D(-1.0, 1.0), "neutral"), "same", "ingen sikker endring", "●", "same"),
    (lambda: change_verdict(None, "higher_is_better"), "untestable", "kan ikke testes", "?", "none"),
    (lambda: benchmark_verdict(CI, 11.0, "higher_is_better"), "similar", "omtrent likt", "●", "same"),
    (lambda: benchmark_verdict(CI, 8.0, "higher_is_better"), "better", "bedre", "▲", "better"),
    (lambda: benchmark_verdict(CI, 14.0, "lower_is_better"), "better", "bedre", "▲", "better"),
    (lambda: benchmark_verdict(CI, 14.0, "higher_is_better"), "worse", "dårligere", "▼", "worse"),
    (lambda: benchmark_verdict(CI, 8.0, "lower_is_better"), "worse", "dårligere", "▼", "worse"),
    (lambda: benchmark_verdict(CI, 8.0, "neutral"), "higher", "høyere", "↑", "neutral"),
    (lambda: benchmark_verdict(CI, 14.0, "neutral"), "lower", "lavere", "↓", "neutral"),
    (lambda: benchmark_verdict(None, 14.0, "neutral"), "untestable", "kan ikke sammenlignes", "?", "none"),
    (lambda: benchmark_verdict(CI, None, "higher_is_better"), "untestable", "kan ikke sammenlignes", "?", "none"),
    (
        lambda: benchmark_verdict(CI, float("nan"), "higher_is_better"),
        "untestable",
        "kan ikke sammenlignes",
        "?",
        "none",
    ),
    (
        lambda: target_verdict([(2024, 3.4)], Interval(3.0, 3.8, "x", 0.95), 4.0, 2028, "lower_is_better"),
        "reached",
        "nådd",
        "✔",
        "better",
    ),
    (
        lambda: target_verdict(FALLING, Interval(5.0, 6.4, "x", 0.95), 4.0, 2028, "lower_is_better"),
        "on_track",
        "på vei",
        "↘",
        "better",
    ),
    (
        lambda: target_verdict(
            [(2021, 2.0), (2024, 5.0)], Interval(4.0, 6.0, "x", 0.95), 8.0, 2028, "higher_is_better"
        ),
        "on_track",
        "på vei",
        "↗",
        "better",
    ),
    (
        lambda: target_verdict(RISING, Interval(7.5, 9.5, "x", 0.95), 4.0, 2028, "lower_is_better"),
        "off_track",
        "ikke på vei",
        "✖",
        "worse",
    ),
    (
        lambda: target_verdict([(2021, 8.0)], Interval(7, 9, "x", 0.95), 4.0, 2028, "lower_is_better"),
        "no_data",
        "for lite data",
        "?",
        "none",
    ),
    (
        lambda: target_verdict([(2021, None)], None, 4.0, 2028, "lower_is_better"),
        "no_data",
        "for lite data",
        "?",
        "none",
    ),
    (lambda: target_verdict(FALLING, None, None, 2028, "lower_is_better"), "none", "ingen mål", "–", "none"),
    (lambda: target_verdict(FALLING, None, 4.0, 2028, "neutral"), "none", "ingen mål", "–", "none"),
]


@pytest.mark.parametrize("make,code,text,symbol,meaning", VERDICTS)
def test_symbol_text_and_colour_follow_the_meaning(make, code, text, symbol, meaning):
    v = make()
    assert (v.code, v.text, v.symbol) == (code, text, symbol)
    assert v.label == f"{symbol} {text}"
    colour = {"better": is_blue, "worse": is_orange_red, "same": is_grey, "none": is_grey}.get(meaning)
    if colour:
        assert colour(v.colour), (v, meaning)
    else:  # neutral: a colour of its own that judges nothing
        assert not (is_blue(v.colour) or is_orange_red(v.colour) or is_grey(v.colour)), v


def test_one_colour_per_meaning_across_all_verdicts():
    by_meaning = {}
    for make, *_, meaning in VERDICTS:
        by_meaning.setdefault(meaning, set()).add(make().colour)
    for meaning in ("better", "worse", "same", "neutral"):
        assert len(by_meaning[meaning]) == 1, (meaning, by_meaning[meaning])
    assert by_meaning["better"] != by_meaning["worse"] and by_meaning["same"] != by_meaning["better"]
    assert by_meaning["none"] != by_meaning["same"]  # "cannot say" must not look like "no difference"


def test_direction_of_each_polarity():
    assert [direction(p) for p in ("higher_is_better", "lower_is_better", "neutral", "")] == [1.0, -1.0, 0.0, 0.0]


def test_detail_texts():
    assert (
        change_verdict(None, "higher_is_better").detail
        == "Kilden oppgir ikke antall svar (n), så vi kan ikke si om endringen er sikker."
    )
    assert (
        benchmark_verdict(None, 3.0, "higher_is_better", name="Bergen").detail
        == "Mangler intervall for området eller verdi for Bergen."
    )
    assert benchmark_verdict(None, 3.0, "higher_is_better").detail.endswith("verdi for landet.")
    assert (
        target_verdict([(2021, None)], None, 4.0, 2028, "lower_is_better").detail
        == "Ingen verdier fra og med 0-punktet."
    )
    assert (
        target_verdict([(2021, 8.0)], None, 4.0, 2028, "lower_is_better").detail
        == "Trenger minst to målinger fra og med 0-punktet for å se retning."
    )
    assert (
        target_verdict([(2024, 3.0)], Interval(2, 3.5, "x", 0.95), 4.0, 2028, "lower_is_better").detail
        == "Hele intervallet er på riktig side av målet."
    )
    assert (
        target_verdict([(2024, 3.0)], None, 4.0, 2028, "lower_is_better").detail
        == "Verdien er på riktig side av målet (uten intervall)."
    )


# ------------------------------------------------------------- change verdict
@pytest.mark.parametrize(
    "lo,hi,hib,lib,neu",
    [
        (0.0, 2.0, "same", "same", "same"),  # touching 0 is not wholly on one side
        (-2.0, 0.0, "same", "same", "same"),
        (1e-9, 2.0, "better", "worse", "up"),
        (-2.0, -1e-9, "worse", "better", "down"),
        (0.5, 0.7, "better", "worse", "up"),  # wholly above 0 but below 1
        (-0.7, -0.5, "worse", "better", "down"),
        (1.5, 3.0, "better", "worse", "up"),  # wholly above 1
        (-3.0, -1.5, "worse", "better", "down"),
    ],
)
def test_change_verdict_at_zero(lo, hi, hib, lib, neu):
    assert change_verdict(D(lo, hi), "higher_is_better").code == hib
    assert change_verdict(D(lo, hi), "lower_is_better").code == lib
    assert change_verdict(D(lo, hi), "neutral").code == neu


def test_change_verdict_at_the_edge_of_significance():
    # Welch: at confidence 1 − p the interval touches 0 (scipy's p-value is the reference)
    a, b = (4.3, 120, 0.8), (4.1, 100, 0.9)
    p = sps.ttest_ind_from_stats(4.3, 0.8, 120, 4.1, 0.9, 100, equal_var=False).pvalue
    assert change_verdict(difference("mean", a, b, 1 - p - 1e-6), "higher_is_better").code == "better"
    assert change_verdict(difference("mean", a, b, 1 - p + 1e-6), "higher_is_better").code == "same"
    assert change_verdict(difference("mean", a, b, 1 - p - 1e-6), "lower_is_better").code == "worse"
    assert change_verdict(difference("mean", b, a, 1 - p - 1e-6), "lower_is_better").code == "better"
    # Newcombe 1998 example (a): 0.200 (0.0524, 0.3339) excludes 0 at 95 %; at 99.8 % statsmodels says
    # whether it still does, and the verdict must follow
    ref = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", alpha=0.002)
    d = difference("proportion", (80.0, 70, None), (60.0, 80, None), 0.998)
    assert change_verdict(d, "higher_is_better").code == ("better" if ref[0] > 0 else "same")


# ---------------------------------------------------------- benchmark verdict
@pytest.mark.parametrize(
    "polarity,below,above",
    [("higher_is_better", "better", "worse"), ("lower_is_better", "worse", "better"), ("neutral", "higher", "lower")],
)
def test_benchmark_on_and_next_to_the_edges(polarity, below, above):
    ci = Interval(10.0, 12.0, "test", 0.95)
    # Fingertips: the benchmark inside the interval, its limits included, is "similar"
    assert benchmark_verdict(ci, 10.0, polarity).code == "similar"
    assert benchmark_verdict(ci, 12.0, polarity).code == "similar"
    # just outside: the area is higher than a benchmark below its interval
    assert benchmark_verdict(ci, math.nextafter(10.0, 0), polarity).code == below
    assert benchmark_verdict(ci, math.nextafter(12.0, 99), polarity).code == above


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_benchmark_against_wilson_limits_from_statsmodels(conf):
    lo, hi = (100 * v for v in proportion_confint(65, 100, alpha=1 - conf, method="wilson"))
    ci = value_interval("proportion", 65.0, 100, None, conf)
    for bench, code in [(lo + 1e-6, "similar"), (hi - 1e-6, "similar"), (lo - 1e-6, "better"), (hi + 1e-6, "worse")]:
        assert benchmark_verdict(ci, bench, "higher_is_better").code == code, (bench, conf)
    # 52 % lies outside the 95 % interval (55.3-73.6) but inside the stricter 99.8 % one (49.5-77.8)
    assert benchmark_verdict(ci, 52.0, "higher_is_better").code == ("better" if conf == 0.95 else "similar")


# -------------------------------------------------------------- target verdict
@pytest.mark.parametrize(
    "lo,hi,polarity,reached",
    [
        # METHODS.md: L >= target (higher is better) -> reached; mirrored: U <= target when lower is better
        (4.0, 5.0, "higher_is_better", True),
        (3.0, 5.0, "higher_is_better", False),
        (3.0, 4.0, "higher_is_better", False),
        (math.nextafter(4.0, 0), 5.0, "higher_is_better", False),
        (3.0, 4.0, "lower_is_better", True),
        (3.0, 5.0, "lower_is_better", False),
        (4.0, 5.0, "lower_is_better", False),
        (3.0, math.nextafter(4.0, 9), "lower_is_better", False),
    ],
)
def test_target_reached_only_when_the_whole_interval_is_on_the_good_side(lo, hi, polarity, reached):
    # a single point: not reached means "for lite data", never "nådd"
    v = target_verdict([(2024, (lo + hi) / 2)], Interval(lo, hi, "x", 0.95), 4.0, 2028, polarity)
    assert v.code == ("reached" if reached else "no_data")


def test_interval_straddling_the_target_falls_back_to_the_plans_line():
    # lower is better, target 4: the interval 3.5-4.5 straddles it, so the plan's line from the
    # 0-punkt (6 in 2021) to the target in 2028 decides; the series' own line (numpy's least
    # squares, 2.5 in 2028) is only told in the detail
    pts = [(2021, 6.0), (2023, 5.0), (2025, 4.0)]
    slope, icpt = np.polyfit([p[0] for p in pts], [p[1] for p in pts], 1)
    assert slope * 2028 + icpt == pytest.approx(2.5)
    v = target_verdict(pts, Interval(3.5, 4.5, "x", 0.95), 4.0, 2028, "lower_is_better")
    assert v.code == "on_track" and "blir tallet 2,50 prosent i 2028" in v.detail
    # target 1: the line is at 6 - 5 * 4/7 = 3.14 in 2025; 4 is behind, and so is the whole interval
    assert target_verdict(pts, Interval(3.5, 4.5, "x", 0.95), 1.0, 2028, "lower_is_better").code == "off_track"
    # target 2.4: the line is at 3.71 in 2025, inside the interval: behind, but not surely
    assert target_verdict(pts, Interval(3.5, 4.5, "x", 0.95), 2.4, 2028, "lower_is_better").code == "uncertain"
    # mirrored for higher is better
    up = [(2021, 2.0), (2023, 3.0), (2025, 4.0)]
    assert target_verdict(up, Interval(3.5, 4.5, "x", 0.95), 4.0, 2028, "higher_is_better").code == "on_track"
    assert target_verdict(up, Interval(3.5, 4.5, "x", 0.95), 5.6, 2028, "higher_is_better").code == "uncertain"
    assert target_verdict(up, Interval(3.5, 4.5, "x", 0.95), 7.0, 2028, "higher_is_better").code == "off_track"


def test_target_line_exactly_on_the_target():
    # the plan's line from (2020, 10) to 18 in 2028 is at 12 in 2022: a number on the line is «på vei»
    pts = [(2020, 10.0), (2022, 12.0)]
    v = target_verdict(pts, Interval(11.0, 13.0, "x", 0.95), 18.0, 2028, "higher_is_better")
    assert v.code == "on_track" and v.detail == (
        "Tallet ligger på riktig side av linjen fra 0-punktet mot målet (12,00 prosent i 2022). "
        "Fortsetter utviklingen som hittil (rett linje gjennom 2 målinger fra og med 0-punktet), "
        "blir tallet 18,00 prosent i 2028."
    )
    mean = target_verdict(pts, Interval(11.0, 13.0, "x", 0.95), 18.0, 2028, "higher_is_better", statistic="mean")
    assert mean.detail.endswith("blir tallet 18,00 i 2028.")  # a mean's unit is not known here: no «prosent»
    assert "(12,00 i 2022)" in mean.detail
    # a hair behind the line (12,0025): unsure while the interval reaches the line, a sure shortfall once it does not
    assert target_verdict(pts, Interval(11.0, 13.0, "x", 0.95), 18.01, 2028, "higher_is_better").code == "uncertain"
    assert target_verdict(pts, Interval(11.0, 12.0, "x", 0.95), 18.01, 2028, "higher_is_better").code == "off_track"
    down = [(2020, 12.0), (2022, 10.0)]
    assert target_verdict(down, Interval(9.0, 11.0, "x", 0.95), 4.0, 2028, "lower_is_better").code == "on_track"
    assert target_verdict(down, Interval(9.0, 11.0, "x", 0.95), 3.99, 2028, "lower_is_better").code == "uncertain"
    assert target_verdict(down, Interval(9.999, 11.0, "x", 0.95), 3.99, 2028, "lower_is_better").code == "off_track"


def test_target_line_uses_only_points_with_values_and_the_value_without_interval():
    pts = [(2020, 10.0), (2021, None), (2022, float("nan")), (2024, 14.0)]
    # the line from (2020, 10) to 18 in 2028 is at 14 in 2024
    assert target_verdict(pts, None, 18.0, 2028, "higher_is_better").code == "on_track"
    # behind the line, but without an interval nothing is tested: «usikkert», never «ikke på vei»
    assert target_verdict(pts, None, 18.5, 2028, "higher_is_better").code == "uncertain"
    # without an interval the latest value itself decides "nådd", including on the target
    assert target_verdict(pts, None, 14.0, 2028, "higher_is_better").code == "reached"
    assert target_verdict([(2020, 10.0), (2024, 14.0)], None, 14.0, 2028, "lower_is_better").code == "reached"
    # same year twice: the line starts at the first point; no slope, the mean is projected
    flat = target_verdict([(2024, 10.0), (2024, 12.0)], Interval(10, 12.5, "x", 0.95), 11.0, 2028, "higher_is_better")
    assert flat.code == "on_track" and "blir tallet 11,00 prosent i 2028" in flat.detail


def test_minimum_detectable_difference_against_statsmodels_power():
    # statsmodels solves the standardised effect for 80 % power, two-sided 5 %; times √(p(1 − p))
    for p, n1, n2 in [(0.10, 400, 400), (0.30, 50, 80), (0.5, 1000, 200)]:
        es = NormalIndPower().solve_power(nobs1=n1, ratio=n2 / n1, alpha=0.05, power=0.8)
        assert minimum_detectable_difference(p, n1, n2) == pytest.approx(es * math.sqrt(p * (1 - p)), rel=1e-4)
    es = NormalIndPower().solve_power(nobs1=100, ratio=1, alpha=0.002, power=0.9)
    assert minimum_detectable_difference(0.2, 100, 100, 0.998, 0.9) == pytest.approx(es * 0.4, rel=1e-4)


def test_small_groups_warning_at_its_edge():
    # baseline 8 % of 40 and 40: MDD from statsmodels as above
    es = NormalIndPower().solve_power(nobs1=40, ratio=1, alpha=0.05, power=0.8)
    mdd = es * math.sqrt(0.08 * 0.92) * 100  # about 17.1 points
    pts = [(2021, 8.0), (2024, 5.0)]
    near = target_verdict(pts, None, 8.0 - (mdd - 0.01), 2028, "lower_is_better", "proportion", 40, 40, 8.0)
    far = target_verdict(pts, None, 8.0 + (mdd + 0.01), 2028, "lower_is_better", "proportion", 40, 40, 8.0)
    assert "Obs: med så få svar kan bare endringer større enn" in near.detail and "prosentpoeng påvises" in near.detail
    assert "Obs" not in far.detail
    # not for means, and not without the baseline and the latest n
    assert "Obs" not in target_verdict(pts, None, 7.0, 2028, "lower_is_better", "mean", 40, 40, 8.0).detail
    assert "Obs" not in target_verdict(pts, None, 7.0, 2028, "lower_is_better", "proportion", None, 40, 8.0).detail
    assert "Obs" not in target_verdict(pts, None, 7.0, 2028, "lower_is_better", "proportion", 40, None, 8.0).detail
    assert "Obs" not in target_verdict(pts, None, 7.0, 2028, "lower_is_better", "proportion", 40, 40, None).detail


# ----------------------------------------------------------------------- trend
UP_BELOW = [300, 313, 326, 342, 358]  # of 1000 each: chi² 9.5418, just below 9.5495
UP_ABOVE = [300, 316, 331, 344, 359]  # chi² 9.6409, just above
N1000 = [1000] * 5


@pytest.mark.parametrize(
    "x,expected",
    [
        (UP_BELOW, "no significant change"),
        (UP_ABOVE, "increasing"),
        ([1000 - v for v in UP_BELOW], "no significant change"),
        ([1000 - v for v in UP_ABOVE], "decreasing"),
    ],
)
def test_trend_proportions_next_to_the_threshold(x, expected):
    ref = chi2_trend_reference(x, N1000)
    assert (ref > CHI2_998) == (expected != "no significant change")
    assert abs(ref - CHI2_998) < 0.1  # the case is a close one
    tr = trend_proportions(x, N1000)
    assert tr.chi2 == pytest.approx(ref, rel=1e-9)
    assert tr.slope == pytest.approx(logit_slope(x, N1000), rel=1e-9)
    assert all(logit_slope(x, N1000, k) * tr.slope > 0 for k in range(5))  # stable
    assert tr.direction == expected
    assert tr.method == "chi-square test for trend (99.8 %)" and tr.reason == ""


def test_trend_proportions_reference_example_through_statsmodels():
    x, n = [318, 314, 318, 291, 292], [468.336, 472.892, 500.787, 480.198, 499.145]
    assert chi2_trend_reference(x, n) == pytest.approx(12.5688, abs=4e-4)
    assert trend_proportions(x, n).chi2 == pytest.approx(chi2_trend_reference(x, n), rel=1e-9)


@pytest.mark.parametrize(
    "x,expected",
    [
        ([505, 503, 501, 499, 600], "no significant change"),  # leaving out the last point turns the slope
        ([499, 501, 503, 505, 600], "increasing"),  # same jump, every left-out slope stays positive
        ([495, 497, 499, 501, 400], "no significant change"),
        ([501, 499, 497, 495, 400], "decreasing"),
    ],
)
def test_trend_proportions_leave_one_out(x, expected):
    assert chi2_trend_reference(x, N1000) > CHI2_998 + 4  # significant by chi² alone
    stable = all(logit_slope(x, N1000, k) * logit_slope(x, N1000) > 0 for k in range(5))
    assert stable == (expected != "no significant change")
    assert trend_proportions(x, N1000).direction == expected


def test_trend_proportions_uses_the_5_latest_points():
    # a sixth, older point that would change everything is ignored
    assert trend_proportions([900] + UP_ABOVE, [1000] * 6).chi2 == pytest.approx(chi2_trend_reference(UP_ABOVE, N1000))


@pytest.mark.parametrize(
    "x,n,reason",
    [
        ([1, 2, 3, 4], [10] * 4, "færre enn 5 punkter"),
        ([1, 2, 3, 4, 5], [10] * 4, "færre enn 5 punkter"),
        ([1, 2, None, 4, 5], [10] * 5, "mangler teller eller nevner"),
        ([1, 2, 3, 4, 5], [10, 10, float("nan"), 10, 10], "mangler teller eller nevner"),
        ([1, 2, 0, 4, 5], [10, 10, 0, 10, 10], "mangler teller eller nevner"),
        ([0] * 5, [10] * 5, "alle eller ingen har egenskapen"),
        ([10] * 5, [10] * 5, "alle eller ingen har egenskapen"),
        ([0, 2, 3, 4, 5], [10] * 5, "en andel er 0 eller 100 prosent"),
        ([1, 2, 3, 4, 10], [10] * 5, "en andel er 0 eller 100 prosent"),
    ],
)
def test_trend_proportions_cannot_be_calculated(x, n, reason):
    tr = trend_proportions(x, n)
    assert (tr.direction, tr.reason, tr.chi2, tr.slope) == ("cannot be calculated", reason, None, None)
    assert tr.method == "chi-square test for trend (99.8 %)"


def test_trend_proportions_with_one_share_just_inside_0_and_1():
    x, n = [1, 2, 3, 4, 9], [10] * 5
    tr = trend_proportions(x, n)
    assert tr.chi2 == pytest.approx(chi2_trend_reference(x, n)) and tr.slope == pytest.approx(logit_slope(x, n))


VALS = [10.0, 11.1, 11.9, 13.0, 14.1]
SE_ABOVE = [0.96, 0.864, 1.056, 0.96, 1.152]  # chi² 9.692
SE_BELOW = [0.97, 0.873, 1.067, 0.97, 1.164]  # chi² 9.493


@pytest.mark.parametrize(
    "v,se,expected",
    [
        (VALS, SE_ABOVE, "increasing"),
        (VALS, SE_BELOW, "no significant change"),
        ([-a for a in VALS], SE_ABOVE, "decreasing"),
        ([-a for a in VALS], SE_BELOW, "no significant change"),
    ],
)
def test_trend_values_numeric_chi2_next_to_the_threshold(v, se, expected):
    b, chi2 = wls_reference(v, se)
    assert (chi2 > CHI2_998) == (expected != "no significant change") and abs(chi2 - CHI2_998) < 0.2
    lo, hi = limits_95(v, se)
    tr = trend_values(v, lo, hi)
    assert tr.chi2 == pytest.approx(chi2, rel=1e-9) and tr.slope == pytest.approx(b, rel=1e-9)
    assert tr.direction == expected
    assert tr.method == "weighted least squares trend (99.8 %)" and tr.reason == ""


def test_trend_values_uses_the_5_latest_points():
    lo, hi = limits_95([50.0] + VALS, [0.1] + SE_ABOVE)
    assert trend_values([50.0] + VALS, lo, hi).chi2 == pytest.approx(wls_reference(VALS, SE_ABOVE)[1])


@pytest.mark.parametrize(
    "v,expected",
    [
        ([10.05, 10.0, 10.0, 10.0, 30.0], "no significant change"),  # without the jump the slope is negative
        ([10.0, 10.0, 10.0, 10.05, 30.0], "increasing"),  # without the jump it is still (barely) positive
        ([-10.05, -10.0, -10.0, -10.0, -30.0], "no significant change"),
        ([-10.0, -10.0, -10.0, -10.05, -30.0], "decreasing"),
    ],
)
def test_trend_values_leave_one_out(v, expected):
    se = [0.05] * 5
    b, chi2 = wls_reference(v, se)
    assert chi2 > 100 * CHI2_998
    stable = all(wls_reference(v, se, k)[0] * b > 0 for k in range(5))
    assert stable == (expected != "no significant change")
    lo, hi = limits_95(v, se)
    assert trend_values(v, lo, hi).direction == expected


@pytest.mark.parametrize(
    "v,lo,hi,reason",
    [
        ([1, 2, 3, 4], [0, 1, 2, 3], [2, 3, 4, 5], "færre enn 5 punkter"),
        ([1, 2, 3, 4, 5], [0, 1, 2, 3], [2, 3, 4, 5, 6], "færre enn 5 punkter"),
        ([1, 2, 3, 4, 5], [0, 1, 2, 3, 4], [2, 3, 4, 5], "færre enn 5 punkter"),
        ([1, 2, None, 4, 5], [0, 1, 2, 3, 4], [2, 3, 4, 5, 6], "mangler verdi eller intervall"),
        ([1, 2, 3, 4, 5], [0, 1, float("nan"), 3, 4], [2, 3, 4, 5, 6], "mangler verdi eller intervall"),
        ([1, 2, 3, 4, 5], [0, 1, 2, 3, 4], [2, 3, 4, 5, None], "mangler verdi eller intervall"),
        ([1, 2, 3, 4, 5], [0, 1, 3, 3, 4], [2, 3, 3, 5, 6], "intervall med null bredde"),
        ([1, 2, 3, 4, 5], [0, 1, 4, 3, 4], [2, 3, 2, 5, 6], "intervall med null bredde"),
    ],
)
def test_trend_values_cannot_be_calculated(v, lo, hi, reason):
    tr = trend_values(v, lo, hi)
    assert (tr.direction, tr.reason, tr.chi2, tr.slope) == ("cannot be calculated", reason, None, None)
    assert tr.method == "weighted least squares trend (99.8 %)"


def test_a_flat_trend_has_no_direction():
    lo, hi = limits_95([5.0] * 5, [0.01] * 5)
    tr = trend_values([5.0] * 5, lo, hi)
    assert tr.slope == pytest.approx(0, abs=1e-12) and tr.direction == "no significant change"


# ------------------------------------------------------------------------- SPC
# Making Data Count (shared/METHODS.md): centre = mean of the baseline, AMR = mean moving range,
# limits centre ± 2.66·AMR, 2σ band centre ± 1.773·AMR; computed here with numpy.
BASE = [10.0, 12.0] * 6  # centre 11, AMR 2: limits 5.68 and 16.32, 2σ band 7.454 and 14.546


def xmr(values, baseline=12):
    b = np.asarray(values[:baseline], float)
    amr = np.abs(np.diff(b)).mean()
    return b.mean(), b.mean() - 2.66 * amr, b.mean() + 2.66 * amr, b.mean() - 1.773 * amr, b.mean() + 1.773 * amr


def test_spc_limits_and_bands():
    from oppvekst.stats import spc

    vals = [10.0, 12.5, 11.0, 13.0, 12.0, 11.0, 10.5, 12.0, 11.0, 13.5, 12.0, 11.0, 20.0]
    c = spc(vals)
    assert (c.centre, c.lower, c.upper, c.lower_2s, c.upper_2s) == pytest.approx(xmr(vals))
    assert c.rules == {"baseline": 12, "run": 7} and c.method == "XmR (Making Data Count)"
    assert not c.trial_limits and spc(vals[:11]).trial_limits and spc(vals[:12]).rules["baseline"] == 12
    short = spc([3.0, 5.0], baseline=5)
    assert short.trial_limits and short.centre == 4.0 and short.rules == {"baseline": 2, "run": 7}
    with pytest.raises(ValueError, match=r"^an XmR chart needs at least 2 points$"):
        spc([3.0])


def test_spc_a_point_on_a_limit_is_not_outside():
    from oppvekst.stats import spc

    _, lcl, ucl, _, _ = xmr(BASE)
    on = spc(BASE + [ucl])
    assert "outside" not in on.special[-1]
    assert "outside" in spc(BASE + [math.nextafter(ucl, 99)]).special[-1]
    assert "outside" not in spc(BASE + [lcl]).special[-1]
    assert "outside" in spc(BASE + [math.nextafter(lcl, 0)]).special[-1]


def test_spc_runs_of_seven():
    from oppvekst.stats import spc

    up6 = BASE + [10.5, 11.0, 11.2, 11.4, 11.6, 11.8]  # 6 points rising (with 10.5 after 12: not)
    assert "trend" not in spc(up6).special[-1]
    up7 = BASE + [10.4, 10.5, 11.0, 11.2, 11.4, 11.6, 11.8]
    s = spc(up7)
    assert all("trend" in f for f in s.special[-7:]) and "trend" not in s.special[-8]
    down7 = BASE + [11.8, 11.6, 11.4, 11.2, 11.0, 10.9, 10.8]
    assert all("trend" in f for f in spc(down7).special[-7:])
    # seven on one side of the centre (11), above and below; six are not enough unless run=6
    above = BASE + [10.0, 11.5, 12.5, 11.5, 12.5, 11.5, 12.5, 11.5]  # BASE ends above: break it
    assert all("shift" in f for f in spc(above).special[-7:]) and "shift" not in spc(above).special[-8]
    below = BASE + [10.5, 9.5, 10.5, 9.5, 10.5, 9.5, 10.5]
    assert all("shift" in f for f in spc(below).special[-7:])
    assert "shift" not in spc(below[:-1]).special[-1]
    assert "shift" in spc(below[:-1], run=6).special[-1] and spc(below[:-1], run=6).rules["run"] == 6
    # a point on the centre line is on neither side
    assert "shift" not in spc(BASE + [10.5, 9.5, 10.5, 11.0, 10.5, 9.5, 10.5]).special[-1]


def test_spc_two_of_three_beyond_two_sigma():
    from oppvekst.stats import spc

    _, _, _, l2, u2 = xmr(BASE)
    high = spc(BASE + [11.0, u2 + 0.1, u2 + 0.2])
    assert high.special[-1] == ["two_of_three"] and high.special[-2] == ["two_of_three"] and high.special[-3] == []
    low = spc(BASE + [11.0, l2 - 0.1, l2 - 0.2])
    assert low.special[-1] == ["two_of_three"] and low.special[-2] == ["two_of_three"]
    assert spc(BASE + [11.0, u2 + 0.1, 11.0]).special[-2] == []  # one of three is not enough
    assert spc(BASE + [11.0, u2, u2 + 0.1]).special[-1] == []  # on the band is not beyond it
    assert spc(BASE + [l2 - 0.1, 11.0, u2 + 0.1]).special[-1] == []  # opposite sides do not add up
    # a point beyond 3σ counts too (since late 2023) and is also "outside"
    both = spc(BASE + [11.0, u2 + 0.1, 17.0])
    assert both.special[-1] == ["outside", "two_of_three"]


@pytest.mark.parametrize(
    "last,polarity,variation",
    [
        (17.0, "higher_is_better", "improvement"),
        (17.0, "lower_is_better", "concern"),
        (5.0, "higher_is_better", "concern"),
        (5.0, "lower_is_better", "improvement"),
        (17.0, "neutral", "neutral special cause"),
        (5.0, "neutral", "neutral special cause"),
        (11.5, "higher_is_better", "common cause"),
    ],
)
def test_spc_variation_icon(last, polarity, variation):
    from oppvekst.stats import spc

    assert spc(BASE + [last], polarity=polarity).variation == variation
    if polarity == "neutral":
        assert spc(BASE + [last]).variation == variation  # neutral is the default


@pytest.mark.parametrize(
    "target,polarity,assurance",
    [
        (20.0, "higher_is_better", "consistently fails"),
        (3.0, "higher_is_better", "consistently passes"),
        (11.0, "higher_is_better", "may or may not hit"),
        (6.0, "higher_is_better", "may or may not hit"),
        (16.0, "higher_is_better", "may or may not hit"),
        (20.0, "lower_is_better", "consistently passes"),
        (3.0, "lower_is_better", "consistently fails"),
        (6.0, "lower_is_better", "may or may not hit"),
        (16.0, "lower_is_better", "may or may not hit"),
        (20.0, "neutral", None),
        (None, "higher_is_better", None),
    ],
)
def test_spc_assurance_icon(target, polarity, assurance):
    from oppvekst.stats import spc

    assert spc(BASE, target=target, polarity=polarity).assurance == assurance


# --------------------------------------------------------------------- periods
@pytest.mark.parametrize(
    "text,label,kind",
    [
        ("2024M01", "2024M01", "month"),
        ("2024M12", "2024M12", "month"),
        ("h2024", "H2024", "term"),
        ("v2025", "V2025", "term"),
        ("V2025", "V2025", "term"),
        (" 2024 ", "2024", "year"),
        ("2099-00", "2099-00", "school_year"),
    ],
)
def test_period_edges(text, label, kind):
    from oppvekst.periods import parse_period

    p = parse_period(text)
    assert (p.label, p.kind) == (label, kind)


@pytest.mark.parametrize(
    "text,message",
    [
        ("2024M00", "'2024M00' has no month 00"),
        ("2024M13", "'2024M13' has no month 13"),
        ("2023-25", "'2023-25' is not a school year (expected e.g. 2023-24)"),
        ("2023_2021", "'2023_2021' ends before it starts"),
        ("x2024", "'x2024' is not a period (expected 2024, 2024-25, 2021-2023, 2021_2023, H2024 or 2024M09)"),
    ],
)
def test_period_errors_say_what_was_expected(text, message):
    from oppvekst.periods import ValueProblem, parse_period

    with pytest.raises(ValueProblem) as e:
        parse_period(text)
    assert str(e.value) == message


# ------------------------------------------------------------- more boundaries
def test_defaults_are_95_percent_and_per_1000():
    assert welch_difference(4.3, 0.8, 120, 4.1, 0.9, 100) == pytest.approx(
        welch_difference(4.3, 0.8, 120, 4.1, 0.9, 100, 0.95)
    )
    assert welch_difference(4.3, 0.8, 120, 4.1, 0.9, 100).confidence == 0.95
    assert rate_interval(65, 10000) == pytest.approx((5.01632, 8.28491), abs=5e-6)  # METHODS.md, per 1000


def test_a_slope_of_exactly_one_is_a_trend():
    # SE 1 at every point (limits ± 1.96): slope exactly 1.0, chi² = 10 (statsmodels) > 9.5495
    v = [0.0, 1.0, 2.0, 3.0, 4.0]
    lo, hi = limits_95(v, [1.0] * 5)
    assert wls_reference(v, [1.0] * 5) == pytest.approx((1.0, 10.0))
    tr = trend_values(v, lo, hi)
    assert tr.slope == 1.0 and tr.direction == "increasing"


def test_a_left_out_slope_of_zero_does_not_keep_the_sign():
    # without the last point the rest is flat: a slope of 0 has no sign to keep
    x = [500, 500, 500, 500, 600]
    assert chi2_trend_reference(x, N1000) > CHI2_998 and logit_slope(x, N1000, 4) == 0
    assert trend_proportions(x, N1000).direction == "no significant change"
    lo, hi = limits_95([10.0, 10.0, 10.0, 10.0, 30.0], [0.05] * 5)
    assert trend_values([10.0, 10.0, 10.0, 10.0, 30.0], lo, hi).direction == "no significant change"


def test_trend_proportions_small_and_fractional_counts():
    # weighted counts (FHI publishes fractional n): n = 1 and X = 1 are valid inputs
    assert trend_proportions([0.5, 2, 3, 4, 5], [1, 10, 10, 10, 10]).chi2 == pytest.approx(
        chi2_trend_reference([0.5, 2, 3, 4, 5], [1, 10, 10, 10, 10])
    )
    assert trend_proportions([0, 0, 0, 0, 1], [10] * 5).reason == "en andel er 0 eller 100 prosent"


def test_value_interval_and_difference_for_the_smallest_groups():
    assert value_interval("proportion", 100.0, 1, None) == pytest.approx(
        np.array(proportion_confint(1, 1, method="wilson")) * 100
    )
    d = difference("proportion", (0.0, 30, None), (50.0, 40, None))
    assert (d.low, d.high) == pytest.approx(np.array(confint_proportions_2indep(0, 30, 20, 40, method="newcomb")) * 100)


def test_small_groups_warning_numbers():
    # baseline 50 % of 40 and 40; target 60 %: MDD (statsmodels) ≈ 31.3 points > 10 asked for
    es = NormalIndPower().solve_power(nobs1=40, ratio=1, alpha=0.05, power=0.8)
    mdd = es * 0.5 * 100
    v = target_verdict(
        [(2021, 50.0), (2024, 52.0)],
        None,
        60.0,
        2028,
        "higher_is_better",
        baseline_n=40,
        latest_n=40,
        baseline_value=50.0,
    )  # statistic defaults to proportion
    import re

    m = re.search(
        r"Obs: med så få svar kan bare endringer større enn ([\d,]+) prosentpoeng påvises; "
        r"målet krever en endring på ([\d,]+) prosentpoeng\.$",
        v.detail,
    )
    assert m, v.detail
    assert float(m[1].replace(",", ".")) == pytest.approx(mdd, abs=0.06)
    assert float(m[2].replace(",", ".")) == pytest.approx(10.0)


def test_spc_flags_once_per_point_and_only_for_the_rule():
    from oppvekst.stats import spc

    u2 = xmr(BASE)[4]
    up8 = spc(BASE + [10.2, 10.4, 10.5, 11.0, 11.2, 11.4, 11.6, 11.8])  # two overlapping runs of 7
    assert all(f.count("trend") == 1 for f in up8.special[-8:])
    above8 = spc(BASE + [10.0] + [11.5, 12.5] * 4)
    assert all(f.count("shift") == 1 for f in above8.special[-8:])
    three = spc(BASE + [11.0, u2 + 0.1, u2 + 0.2, u2 + 0.3])  # overlapping 2-of-3 windows
    assert [f.count("two_of_three") for f in three.special[-4:]] == [0, 1, 1, 1]
    # rising every other point (1, 3, 2, 4, ...) is no run of 7 increases
    zigzag = spc(BASE + [10.0, 10.6, 10.3, 10.9, 10.6, 11.2, 10.9])
    assert "trend" not in zigzag.special[-1]
    # two beyond 2σ with two points between are not 2 of 3
    assert spc(BASE + [11.0, u2 + 0.1, 11.0, 11.0, u2 + 0.1]).special[-1] == []
    # a point on the centre line breaks a run above it as well as one below
    assert "shift" not in spc(BASE + [10.0, 11.5, 12.5, 11.5, 11.0, 11.5, 12.5, 11.5]).special[-1]


def test_a_share_projected_past_zero_is_said_to_reach_zero_not_a_negative_number():
    # issue 19's review: tiny schools read «blir tallet −17,33 prosent i 2027»
    from oppvekst.verdicts import projection_text

    steep = [(2021, 30.0), (2022, 20.0), (2023, 10.0)]  # -10 a year: -30 in 2026 on the line
    v = target_verdict(steep, Interval(5.0, 15.0, "x", 0.95), 4.0, 2026, "lower_is_better", "proportion")
    assert v.text == "på vei" and "når tallet 0 prosent før 2026" in v.detail and "−" not in v.detail
    assert projection_text(3, 104.2, "proportion", 2027).endswith("når tallet 100 prosent før 2027.")
    assert projection_text(3, -0.5, "mean", 2027).endswith("blir tallet −0,50 i 2027.")  # a mean may be negative
    assert projection_text(2, 12.345, "proportion", 2027).endswith("blir tallet 12,35 prosent i 2027.")
