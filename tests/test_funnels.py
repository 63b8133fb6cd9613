"""Funnel limits, overdispersion and Laney p′ against published reference values
(PHEindicatormethods' funnel test data, qicharts2's nhs_accidents with published p′ limits,
qicharts2's p chart), a hand-checked example and simulation."""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from oppvekst.stats import (
    SPC,
    funnel_limits,
    funnel_limits_mean,
    funnel_limits_rate,
    funnel_z,
    overdispersion,
    p_limits,
    pprime_limits,
    spc,
    spc_method,
    spc_monthly,
    spc_pprime,
    winsorised_normal_factor,
)

# ----------------------------------------------------------------- PHE: proportions
# ukhsa-collaboration/PHEindicatormethods @ 093fd288d8f8949dbcfbed70049dbbf385b6141d (the data files
# last changed in a3c822fe3cad2ca2a93cad5b2727f8b0c1627b64), tests/testthat/testFunnels.R,
# "confidence limits calculate correctly for proportions": calculate_funnel_limits(numerator,
# denominator, statistic = "proportion", multiplier = 100) on testdata_funnel_prop_inputs.csv
# (303 areas) gives testdata_funnel_prop_outputs.csv. The baseline p₀ is Σnumerator/Σdenominator of
# the inputs (sums taken from the csv here; the outputs' Baseline column is 80.642448).
PHE_PROP_SUM_NUM, PHE_PROP_SUM_DEN = 10325813.8504, 12804440
# Population, Lower2s0025limit, Upper2s0025limit, Lower3s0001limit, Upper3s0001limit (6 decimals)
PHE_PROP = [
    (1, 3.204264, 100.0, 0.0, 100.0),
    (3, 35.933491, 100.0, 10.150815, 100.0),
    (5, 46.011039, 100.0, 26.039864, 100.0),
    (27, 65.739462, 95.545433, 57.145237, 100.0),
    (45, 69.098645, 92.186251, 62.441586, 98.843309),
    (234, 75.580155, 85.70474, 72.660842, 88.624054),
    (1119, 78.327506, 82.95739, 76.992529, 84.292366),
    (5348, 79.583537, 81.701359, 78.972886, 82.31201),
    (25552, 80.158005, 81.126891, 79.878637, 81.406259),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]
# "with axis variation": the inputs with denominator < 31000 (97 areas), outputs to 8 decimals in
# testdata_funnel_prop_outputs_with_axis_variation.csv (Baseline 82.18033788).
PHE_PROP_AXIS_SUM_NUM, PHE_PROP_AXIS_SUM_DEN = 1997688.9613, 2430860
PHE_PROP_AXIS = [
    (10000, 81.43030244, 82.93037332, 80.99777342, 83.36290233),
    (14358, 81.55439484, 82.80628091, 81.1934272, 83.16724855),
    (20616, 81.65796625, 82.70270951, 81.35672596, 83.00394979),
    (33000, 81.76745696, 82.5932188, 81.52935757, 82.83131819),
]


@pytest.mark.parametrize(
    "total_num, total_den, baseline, rows, tol",
    [
        (PHE_PROP_SUM_NUM, PHE_PROP_SUM_DEN, 80.642448, PHE_PROP, 5.01e-7),
        (PHE_PROP_AXIS_SUM_NUM, PHE_PROP_AXIS_SUM_DEN, 82.18033788, PHE_PROP_AXIS, 5.01e-9),
    ],
)
def test_proportion_funnel_matches_phe(total_num, total_den, baseline, rows, tol):
    p0 = total_num / total_den * 100
    assert p0 == pytest.approx(baseline, abs=tol)
    n = np.array([r[0] for r in rows])
    lo95, hi95 = funnel_limits(p0, n, 0.95)
    lo998, hi998 = funnel_limits(p0, n)  # 99,8 % is the default
    for got, col in ((lo95, 1), (hi95, 2), (lo998, 3), (hi998, 4)):
        want = np.array([r[col] for r in rows])
        assert np.max(np.abs(got - want)) <= tol, col  # to PHE's published decimals


def test_proportion_funnel_formula_and_widening():
    lo, hi = funnel_limits(20.0, 400, 0.95)
    s = math.sqrt(0.2 * 0.8 / 400) * 100
    z = sps.norm.ppf(0.975)
    assert (float(lo), float(hi)) == pytest.approx((20 - z * s, 20 + z * s), abs=1e-12)
    # additive: p₀ ± z·√(s² + τ²); multiplicative: p₀ ± z·√φ·s
    lo, hi = funnel_limits(20.0, 400, 0.95, tau2=4.0)
    assert float(hi) - 20 == pytest.approx(z * math.sqrt(s * s + 4.0), abs=1e-12)
    lo, hi = funnel_limits(20.0, 400, 0.95, phi=3.0)
    assert float(hi) - 20 == pytest.approx(z * math.sqrt(3.0) * s, abs=1e-12)
    # why the app widens additively: with very large n multiplicative limits still shrink to nothing
    big = 10**8
    lo_m, hi_m = funnel_limits(20.0, big, phi=9.0)
    lo_a, hi_a = funnel_limits(20.0, big, tau2=1.0)
    assert float(hi_m - lo_m) < 0.1 and float(hi_a - lo_a) > 2 * 3.09
    # scalars and arrays in, arrays out, clipped to 0-100
    lo, hi = funnel_limits(np.array([1.0, 99.0]), np.array([10, 10]))
    assert isinstance(lo, np.ndarray) and lo[0] == 0.0 and hi[1] == 100.0


def test_funnel_z_and_mean_limits():
    z = funnel_z([25.0, 20.0, 15.0], [400, 400, 100], 20.0)
    assert z == pytest.approx([2.5, 0.0, -1.25])
    lo, hi = funnel_limits_mean(3.5, 1.0, 100, 0.95)
    assert (float(lo), float(hi)) == pytest.approx((3.5 - 0.1959964, 3.5 + 0.1959964), abs=1e-7)
    lo, hi = funnel_limits_mean(3.5, 1.0, 100, 0.95, tau2=0.03)
    assert float(hi) - 3.5 == pytest.approx(1.959964 * math.sqrt(0.01 + 0.03), abs=1e-6)


# ----------------------------------------------------------------------- PHE: rates
# Same commit, testdata_funnel_rate_outputs.csv ("rates (dsr)", multiplier 1e5, years_of_data 3,
# baseline 116.1720835) and testdata_funnel_rate_outputs_2.csv ("rates (crude); with less than 10
# events", baseline 114.8591735). Each row: Events, then for lower 95 %, upper 95 %, lower 99,8 %,
# upper 99,8 % the population per year at which the limit passes through Events, and the limit.
PHE_RATE = {
    116.1720835: [
        (1, 1598.675694, 20.85059119, 7.264481402, 4588.535848, 2649.348525, 12.58170943, 0.287087625, 116108.569),
        (2, 2072.984403, 32.15975314, 69.49732367, 959.2695538, 3221.906682, 20.69168143, 13.02722321, 5117.48863),
        (5, 3348.002593, 49.78092521, 465.8280129, 357.7858395, 4721.370883, 35.30048174, 212.14848, 785.6132963),
        (10, 5276.757672, 63.17010446, 1375.943768, 242.2579623, 6924.776769, 48.13632908, 849.4639547, 392.4043292),
        (16, 7455.317952, 71.5373022, 2624.090402, 203.2450303, 9360.715688, 56.97570048, 1837.885094, 290.1886169),
        (34, 13632.53222, 83.13446945, 6756.067705, 167.7504405, 16113.58264, 70.33403799, 5388.650748, 210.3185726),
        (168, 56069.99215, 99.87517003, 41190.61677, 135.9532932, 60840.04384, 92.04464111, 37523.79175, 149.2386494),
        (1360, 411529.9259, 110.158048, 369759.5622, 122.6021934, 424043.2424, 106.9073359, 358342.3275, 126.5084525),
    ],
    114.8591735: [
        (1, 1616.949526, 20.61494982, 7.347518827, 4536.678859, 2679.632184, 12.4395182, 0.290369211, 114796.3768),
        (5, 3386.272291, 49.21832987, 471.1527094, 353.7423501, 4775.339014, 34.90153604, 214.5734657, 776.7347474),
        (34, 13788.36032, 82.19493157, 6833.293653, 165.8546216, 16297.77065, 69.53916321, 5450.246291, 207.9416732),
        (1344, 411466.9163, 108.8787415, 369466.4508, 121.2559352, 424051.9679, 105.6474286, 357990.2328, 125.143079),
    ],
}


@pytest.mark.parametrize("baseline", sorted(PHE_RATE))
def test_rate_funnel_matches_phe(baseline):
    worst = 0.0
    for row in PHE_RATE[baseline]:
        events = row[0]
        for j, (conf, side) in enumerate([(0.95, 0), (0.95, 1), (0.998, 0), (0.998, 1)]):
            pop_year, limit = row[1 + 2 * j], row[2 + 2 * j]
            pop = pop_year * 3  # years_of_data
            assert events / pop * 1e5 == pytest.approx(limit, rel=1e-9)  # how PHE's columns relate
            got = float(funnel_limits_rate(baseline, pop, conf, multiplier=1e5)[side])
            worst = max(worst, abs(got - limit) / limit)
    # PHE finds each limit by bisection to 1e-7 in v = λ/(1 + O + λ); agreement is ~1e-6 relative
    assert worst < 1e-5


def test_rate_funnel_edges_and_byar_is_not_phe():
    lo, hi = funnel_limits_rate(5.0, [10, 1000, 10**6], 0.998, multiplier=1000)
    assert lo[0] == 0.0 and hi[0] > 5.0 and lo[1] < 5.0 < hi[1]
    assert (lo[2], hi[2]) == pytest.approx((5.0, 5.0), rel=0.05)
    # Byar's approximation (what poisson_interval uses from 10) inverted at PHE's 10-event point is
    # off by more than PHE's published precision: the exact form is what reproduces them.
    z = sps.norm.ppf(0.999)
    u = 11  # O + 1 at the lower 99,8 % limit's 10 events
    byar_expected = u * (1 - 1 / (9 * u) + z / (3 * math.sqrt(u))) ** 3
    pop = 6924.776769 * 3
    assert abs(byar_expected / pop * 1e5 - 116.1720835) / 116.1720835 > 1e-3


# ------------------------------------------------------------------- overdispersion
def test_overdispersion_hand_checked():
    # k = 10; percentiles by linear interpolation (numpy default, R type 7): position 0,1·(k − 1) = 0,9
    # → q10 = −3 + 0,9·(−1 − (−3)) = −1,2; position 8,1 → q90 = 2,5 + 0,1·(6 − 2,5) = 2,85.
    z = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 6.0]
    se = [1.0] * 5 + [2.0] * 5
    wins = [-1.2, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 2.85]
    assert sum(v * v for v in wins) == pytest.approx(24.5625)
    # w = 1/se²: five 1's and five 0,25's; Σw = 6,25, Σw² = 5,3125, Σw − Σw²/Σw = 6,25 − 0,85 = 5,4
    raw = overdispersion(z, se, consistency=False)
    assert raw.phi == pytest.approx(2.45625) and raw.phi_raw == pytest.approx(2.45625)
    assert raw.tau2 == pytest.approx((24.5625 - 9) / 5.4)  # (kφ − (k − 1)) / 5,4 = 2,8819…
    assert raw.adjusted and raw.k == 10 and raw.method == "additive random effects (τ²)"
    # the consistency factor, by numerical integration (independent of the closed form)
    q = sps.norm.ppf(0.9)
    c = integrate.quad(lambda t: min(max(t, -q), q) ** 2 * sps.norm.pdf(t), -12, 12, points=[-q, q])[0]
    assert winsorised_normal_factor(0.10) == pytest.approx(c, abs=1e-9)
    assert c == pytest.approx(0.6787, abs=1e-4)
    od = overdispersion(z, se)
    assert od.phi == pytest.approx(2.45625 / c) and od.phi_raw == pytest.approx(2.45625)
    assert od.tau2 == pytest.approx((10 * 2.45625 / c - 9) / 5.4)
    assert "φ = 3,6 for 10 områder" in od.reason
    assert f"τ = {math.sqrt(od.tau2):.1f} prosentpoeng".replace(".", ",") in od.reason
    assert od.reason.startswith("Områdene varierer mer enn tilfeldigheter tilsier")


def test_overdispersion_needs_enough_areas_and_skips_missing():
    wide = [-8.0, 8.0, -6.0, 7.0]
    few = overdispersion(wide, [1.0] * 4)
    assert not few.adjusted and few.tau2 == 0 and few.method == "none" and few.k == 4
    assert few.reason.startswith("For få områder (4)")
    with_nan = overdispersion([*wide, 5.0, float("nan"), 1.0], [1.0] * 5 + [1.0, 0.0])
    assert with_nan.k == 5 and with_nan.adjusted  # the NaN z and the se of 0 are left out
    calm = overdispersion([0.1, -0.2, 0.3, -0.1, 0.0, 0.2, -0.3, 0.1], [1.0] * 8)
    assert not calm.adjusted and calm.tau2 == 0 and "ikke utvidet" in calm.reason
    assert overdispersion([], []).k == 0


def _simulate(rng, reps, areas, between_sd, p=0.15):
    """Binomial areas around a common logit with a between-area SD; returns per replication the
    share outside 99,8 % limits unadjusted, adjusted (our φ), adjusted with the published φ, and
    whether each estimate said «adjusted»."""
    out = []
    for _ in range(reps):
        n = rng.integers(150, 3001, areas)
        true_p = 1 / (1 + np.exp(-(math.log(p / (1 - p)) + rng.normal(0, between_sd, areas))))
        x = rng.binomial(n, true_p)
        value = x / n * 100
        p0 = x.sum() / n.sum() * 100
        z = funnel_z(value, n, p0)
        se = np.sqrt(p0 / 100 * (1 - p0 / 100) / n) * 100
        row = [float(np.mean(np.abs(z) > sps.norm.ppf(0.999)))]
        for consistency in (True, False):
            od = overdispersion(z, se, consistency=consistency)
            lo, hi = funnel_limits(p0, n, tau2=od.tau2)
            row.append(float(np.mean((value < lo) | (value > hi))))
            row.append(od.adjusted)
            if not od.adjusted:  # limits unchanged when not adjusted
                assert od.tau2 == 0
                assert np.array_equal(funnel_limits(p0, n)[0], lo) and np.array_equal(funnel_limits(p0, n)[1], hi)
        out.append(row)
    return np.array(out, dtype=float)


def test_overdispersion_simulation_brings_outliers_back_to_nominal():
    sim = _simulate(np.random.default_rng(20240518), reps=150, areas=200, between_sd=0.15)
    unadjusted, adjusted, published = sim[:, 0].mean(), sim[:, 1].mean(), sim[:, 3].mean()
    print(f"\noverdispersed: unadjusted {unadjusted:.2%}, adjusted {adjusted:.3%}, published φ {published:.3%}")
    assert unadjusted > 0.10  # with n up to 3000 the plain limits flag a large share
    assert sim[:, 2].all()  # every replication found the overdispersion
    assert adjusted <= 0.006  # ~0,2 % nominal (99,8 % limits)
    assert published > adjusted  # Spiegelhalter's winsorised φ without the factor under-adjusts


def test_overdispersion_is_not_found_in_plain_binomial_data():
    sim = _simulate(np.random.default_rng(7), reps=300, areas=30, between_sd=0.0)
    not_adjusted = 1 - sim[:, 2].mean()
    print(f"\nno overdispersion: not adjusted in {not_adjusted:.1%}, outside {sim[:, 1].mean():.3%}")
    # the χ² test at 95 %; the winsorised φ is noisier than Σz²/k, so ~90 % rather than 95 % (a false
    # «adjusted» adds a small τ², and the share outside stays below the nominal 0,2 %)
    assert not_adjusted >= 0.85
    assert sim[:, 1].mean() <= 0.004


# ------------------------------------------------------------------------- Laney p′
# qicharts2's nhs_accidents (anhoej/qicharts2 @ 1b9487ecb3938d25a8a04578464f960d3a064f64,
# data/nhs_accidents.rda: r = seen within 4 hours, n = attendances, 20 weeks; Mohammed et al.,
# BMJ Qual Saf 2013;22:362-8). Published p′ limits for exactly these numbers:
# AUS-DOH-Safety-and-Quality/PowerBI-SPC @ 662780f48d8675eb1e7b05d8c9656b827f1414b4,
# test/fixtures/golden/pp/basic.qicharts2.json (R, Laney's method as qicharts2's qic.pp: z from the
# binomial sigma, σz = mean moving range of z / 1,128; proportions rounded to 6 decimals), the same
# numbers in percent in test/Chart Types/test-pprime.ts.
NHS_R = [266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320,
         267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989]  # fmt: skip
NHS_N = [280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529,
         279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520, 278574, 273772]  # fmt: skip
NHS_PP = {
    "upper_3sigma": [0.96567, 0.965753, 0.965421, 0.965326, 0.965627, 0.965775, 0.965593, 0.965345, 0.965579,
                     0.965623, 0.965689, 0.965591, 0.965996, 0.965961, 0.965753, 0.965877, 0.966012, 0.96583,
                     0.965713, 0.965824],
    "upper_2sigma": [0.961413, 0.961469, 0.961247, 0.961184, 0.961384, 0.961483, 0.961362, 0.961197, 0.961353,
                     0.961382, 0.961426, 0.961361, 0.961631, 0.961607, 0.961469, 0.961551, 0.961641, 0.96152,
                     0.961442, 0.961516],
    "lower_2sigma": [0.944386, 0.944331, 0.944552, 0.944615, 0.944415, 0.944316, 0.944438, 0.944603, 0.944447,
                     0.944418, 0.944374, 0.944439, 0.944169, 0.944192, 0.944331, 0.944248, 0.944158, 0.944279,
                     0.944358, 0.944283],
    "lower_3sigma": [0.94013, 0.940046, 0.940378, 0.940473, 0.940173, 0.940025, 0.940207, 0.940454, 0.94022,
                     0.940177, 0.940111, 0.940208, 0.939803, 0.939839, 0.940046, 0.939923, 0.939788, 0.939969,
                     0.940087, 0.939975],
    "p": [0.950286, 0.954491, 0.948063, 0.950384, 0.952993, 0.946815, 0.95259, 0.947594, 0.950838, 0.956787,
          0.958175, 0.956137, 0.957709, 0.957958, 0.945925, 0.954216, 0.96205, 0.953726, 0.949353, 0.953308],
}  # fmt: skip


def test_pprime_matches_published_nhs_accidents_limits():
    lim = pprime_limits(NHS_R, NHS_N)
    assert lim.attrs["method"] == "Laney p′" and len(lim) == 20
    assert lim["centre"].iloc[0] == pytest.approx(95.29, abs=5e-5)  # published 0.9529 (6 decimals)
    for col, want in NHS_PP.items():
        assert np.max(np.abs(lim[col].to_numpy() - np.array(want) * 100)) <= 5.01e-5, col
    assert lim.attrs["sigma_z"] == pytest.approx(10.64, abs=0.01)  # far beyond 1: a p chart flags every week
    plain = p_limits(NHS_R, NHS_N)
    assert ((plain["p"] > plain["upper_3sigma"]) | (plain["p"] < plain["lower_3sigma"])).mean() > 0.7
    assert not ((lim["p"] > lim["upper_3sigma"]) | (lim["p"] < lim["lower_3sigma"])).any()


def _laney_by_hand(x, n, baseline=None):
    """Laney's p′ written out with loops, from the formula (independent of oppvekst.stats)."""
    b = len(x) if baseline is None else baseline
    pbar = sum(x[:b]) / sum(n[:b])
    z = []
    for i in range(len(x)):
        z.append((x[i] / n[i] - pbar) / math.sqrt(pbar * (1 - pbar) / n[i]))
    ranges = []
    for i in range(1, b):
        ranges.append(abs(z[i] - z[i - 1]))
    sigma_z = sum(ranges) / len(ranges) / 1.128
    rows = []
    for i in range(len(x)):
        s = math.sqrt(pbar * (1 - pbar) / n[i]) * sigma_z
        rows.append(
            {
                "centre": 100 * pbar,
                "lower_3sigma": max(0.0, 100 * (pbar - 3 * s)),
                "upper_3sigma": min(100.0, 100 * (pbar + 3 * s)),
                "lower_2sigma": max(0.0, 100 * (pbar - 2 * s)),
                "upper_2sigma": min(100.0, 100 * (pbar + 2 * s)),
            }
        )
    return sigma_z, rows


@pytest.mark.parametrize("baseline", [None, 12])
def test_pprime_against_a_loop_implementation(baseline):
    rng = np.random.default_rng(3)
    n = [int(v) for v in rng.integers(20, 400, 24)]
    x = [int(rng.binomial(m, 0.04 + 0.03 * rng.random())) for m in n]  # small p: the lower limits clip at 0
    sigma_z, rows = _laney_by_hand(x, n, baseline)
    lim = pprime_limits(x, n, baseline=baseline)
    assert lim.attrs["sigma_z"] == pytest.approx(sigma_z, rel=1e-12)
    for i, want in enumerate(rows):
        for col, v in want.items():
            assert lim[col].iloc[i] == pytest.approx(v, abs=1e-10), (i, col)
    assert (lim["lower_3sigma"] == 0).any()
    sigma_z, rows = _laney_by_hand(NHS_R, NHS_N)
    lim = pprime_limits(NHS_R, NHS_N)
    assert lim.attrs["sigma_z"] == pytest.approx(sigma_z, rel=1e-12)
    assert lim["upper_3sigma"].iloc[7] == pytest.approx(rows[7]["upper_3sigma"], abs=1e-10)


# qicharts2 0.8.1's p chart (qic(p_num, n = p_den, chart = "p")) on a published data set:
# AUS-DOH-Safety-and-Quality/PowerBI-SPC @ 662780f48d8675eb1e7b05d8c9656b827f1414b4,
# test/fixtures/golden/p/basic.qicharts2.json (proportions rounded to 4 decimals); first 12 points.
QIC_P_X = [14, 12, 15, 8, 16, 11, 12, 14, 16, 17, 5, 11, 13, 10, 14, 5, 12, 10, 11, 5, 10, 8, 11, 12, 11, 18, 18, 21,
           14, 15, 18, 22, 17, 16, 20, 15]  # fmt: skip
QIC_P_N = [52, 64, 70, 60, 67, 69, 67, 54, 79, 59, 49, 61, 41, 51, 56, 43, 57, 48, 69, 41, 40, 46, 59, 62, 57, 65, 75,
           70, 76, 69, 64, 67, 84, 67, 69, 78]  # fmt: skip
QIC_P_UL99 = [0.3876, 0.3707, 0.364, 0.3758, 0.3672, 0.365, 0.3672, 0.3844, 0.3553, 0.3771, 0.3928, 0.3745]
QIC_P_LL99 = [0.045, 0.0619, 0.0687, 0.0569, 0.0654, 0.0676, 0.0654, 0.0482, 0.0774, 0.0555, 0.0399, 0.0582]
QIC_P_LL95 = [0.1021, 0.1134, 0.1179, 0.11, 0.1157, 0.1172, 0.1157, 0.1043, 0.1237, 0.1091, 0.0987, 0.1109]


def test_p_chart_matches_qicharts2():
    lim = p_limits(QIC_P_X, QIC_P_N)
    assert lim.attrs["method"] == "p" and (lim["sigma_z"] == 1).all()
    assert lim["centre"].iloc[0] == pytest.approx(21.63, abs=0.005)
    for col, want in (("upper_3sigma", QIC_P_UL99), ("lower_3sigma", QIC_P_LL99), ("lower_2sigma", QIC_P_LL95)):
        assert np.max(np.abs(lim[col].to_numpy()[:12] - np.array(want) * 100)) <= 0.00501, col


def test_pprime_refuses_what_it_cannot_chart():
    for x, n in (([1], [10]), ([1, 2], [10]), ([1, 12], [10, 10]), ([0, 0], [10, 10]), ([1, 2], [0, 10])):
        with pytest.raises(ValueError):
            pprime_limits(x, n)


# --------------------------------------------------------------- choosing the chart
def test_spc_method_chooses_and_says_why():
    method, reason = spc_method([10, 12], None)
    assert method == "XmR" and "fra måned til måned" in reason and "Antallet" not in reason
    assert spc_method([5, 6, 7], [50, float("nan"), 40])[0] == "XmR"
    assert spc_method([0, 0, 0], [50, 60, 40])[0] == "XmR"
    method, reason = spc_method(NHS_R, NHS_N, baseline=20)
    assert method == "Laney p′"
    assert "10,6 ganger så mye som tilfeldigheter tilsier" in reason and "Laneys p′" in reason
    assert "fra 266\u00a0005 til 296\u00a0155" in reason
    rng = np.random.default_rng(11)
    n = [int(v) for v in rng.integers(1500, 1800, 22)]
    x = [int(rng.binomial(m, 0.15)) for m in n]
    method, reason = spc_method(x, n)
    assert method == "p" and "ikke mer enn tilfeldigheter" in reason and "p-diagram" in reason


def test_spc_method_threshold_is_chances_95_percent_bound():
    """With purely binomial months, Laney p′ is chosen about 5 % of the time (one-sided test)."""
    rng = np.random.default_rng(5)
    chosen = 0
    reps = 1500
    for _ in range(reps):
        n = rng.integers(100, 2000, 12)
        x = rng.binomial(n, 0.12)
        chosen += spc_method(x, n)[0] == "Laney p′"
    assert 0.03 <= chosen / reps <= 0.08


def test_spc_pprime_uses_per_point_limits_and_keeps_the_rules():
    n = [400] * 12 + [4000, 400]
    x = [60, 58, 62, 61, 59, 60, 63, 57, 60, 61, 59, 60, 680, 68]  # 17 % with 4000 is special, with 400 not
    r = spc_pprime(x, n, laney=False, target=5.0, polarity="lower_is_better")
    assert isinstance(r, SPC) and r.uppers is not None and len(r.uppers) == 14
    assert r.uppers[12] < r.uppers[13]  # narrower where n is larger
    assert "outside" in r.special[12] and "outside" not in r.special[13]
    assert r.lower == r.lowers[-1] and r.upper == r.uppers[-1]
    assert r.variation == "common cause" and r.assurance == "consistently fails"
    assert r.method == "p (Making Data Count)" and not r.trial_limits
    # a shift of 7 and the 2-of-3 rule still fire against per-point limits
    up = spc_pprime([60] * 12 + [66] * 7, [400] * 19, laney=False, polarity="higher_is_better")
    assert all("shift" in f for f in up.special[-7:]) and up.variation == "improvement"
    two = spc_pprime([60] * 12 + [60, 61 + 14, 61 + 14], [400] * 15, laney=False)
    assert "two_of_three" in two.special[-1]
    # XmR results carry no per-point limits
    assert spc([1.0, 2.0, 3.0]).uppers is None


def test_spc_monthly_picks_the_chart_from_counts():
    values = [x / m * 100 for x, m in zip(NHS_R, NHS_N)]
    r = spc_monthly(values, NHS_N)
    assert r.method.startswith("Laney p′") and r.reason.startswith("Antallet bak hver måned varierer")
    assert r.sigma_z == pytest.approx(pprime_limits(NHS_R, NHS_N, baseline=12).attrs["sigma_z"])
    xmr = spc_monthly(values)
    assert xmr.method.startswith("XmR") and xmr.uppers is None and xmr.reason.startswith("Vi har ikke antallet")
    assert xmr.centre == spc(values).centre


def test_indikator_page_says_which_chart_and_why(monkeypatch, sample_db, fresh_streamlit_caches):
    from conftest import run_app

    # Bergen: over 1 500 pupils behind each month, and the sample's months have a season and their own
    # events (samplegen.fravaer.season): more variation than chance, so Laney p′
    at = run_app(monkeypatch, sample_db, {"omrade": "4601", "indikator": "fravaer_bekymring_10"}, "pages/indikator.py")
    captions = [c.value for c in at.caption]
    line = next(c for c in captions if c.startswith("**Diagram:**"))
    assert "Laneys p′-diagram" in line and "ganger så mye som tilfeldigheter tilsier" in line
    assert any("grensene følger antallet hver måned" in c for c in captions)
    # Fana, a bydel with about two hundred pupils a month: chance explains its months, so a p chart
    at = run_app(
        monkeypatch, sample_db, {"omrade": "460103", "indikator": "fravaer_bekymring_10"}, "pages/indikator.py"
    )
    line = next(c.value for c in at.caption if c.value.startswith("**Diagram:**"))
    assert "(p-diagram)" in line and "ikke mer enn tilfeldigheter kan forklare" in line
    at = run_app(monkeypatch, sample_db, {"omrade": "460102", "indikator": "fravaer_snitt_10"}, "pages/indikator.py")
    line = next(c.value for c in at.caption if c.value.startswith("**Diagram:**"))
    assert "Vi har ikke antallet bak hver måned" in line  # a mean: XmR


def test_spc_chart_draws_per_point_limits_as_steps():
    from oppvekst.charts import esc, spc_chart

    periods = [f"2024M{m:02d}" for m in range(1, 13)] + ["2025M01", "2025M02"]
    n = [400] * 12 + [4000, 400]
    x = [60, 58, 62, 61, 59, 60, 63, 57, 60, 61, 59, 60, 680, 68]
    r = spc_pprime(x, n, laney=False)
    svg = spc_chart(periods, [a / b * 100 for a, b in zip(x, n)], r, "prosent")
    steps = [p for p in svg.split("<path ")[1:] if "varierer med antallet" in p]
    assert len(steps) == 2 and all(p.count("V") == len(periods) - 1 for p in steps)  # a step between months
    low, high = (f"{v:.1f}".replace(".", ",") for v in (r.lowers[12], r.uppers[12]))
    assert esc(f"januar 2025: 17,0\u00a0prosent (kontrollgrenser {low}–{high})") in svg  # its own limits
    assert "som følger antallet hver måned" in svg
    plain = spc_chart(periods, [1.0 + i % 3 for i in range(14)], spc([1.0 + i % 3 for i in range(14)]), "prosent")
    assert "varierer med antallet" not in plain and "kontrollgrenser" not in plain
