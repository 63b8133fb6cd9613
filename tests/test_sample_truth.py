"""The sample with known truth (issue 18): in the invented world Bergen and its bydeler are calm -
their true values are landet's on every plan indicator - but for the signals
``samplegen.world.PLANTED`` declares (a bydel that truly worsens, one truly ahead of landet, a few
national trends). Checked from the world itself, and against the sample database it is drawn
from, so that a test of the Målekart can hold its verdicts against the truth."""

import math

import duckdb
import pytest

from oppvekst.registry import load_registry
from samplegen.world import (
    BERGEN,
    PLANTED,
    TOLERANCE,
    World,
    declared_effects,
    indicator_periods,
    indicator_truth,
    true_change,
    true_gap,
)

WORLD = World("sample")
REGISTRY = load_registry()
INDICATORS = {i.id: i for i in REGISTRY.indicators}
BYDELER = [u.code for u in WORLD.units if u.level == "bydel" and u.parent == BERGEN]
FAMILY = [BERGEN, *BYDELER]
EFFECTS = declared_effects(WORLD)
DECLARED_SIZE = 0.1  # how close a declared size (written with one decimal) is to the world's


def test_bergen_and_its_bydeler_have_landets_level_and_schools_vary_around_their_bydel():
    assert len(BYDELER) == 8
    assert all(WORLD.unit(c).effect == 0.0 for c in FAMILY)
    # the other kommuner keep their own levels
    others = [u for u in WORLD.units if u.level == "kommune" and u.code != BERGEN]
    assert len(others) == 3 and all(abs(u.effect) > 0.1 for u in others)
    spread = []
    for b in BYDELER:
        schools = [s for s in WORLD.schools if s.parent == b]
        assert len(schools) >= 2
        # the schools vary (real variation, overdispersion in a funnel) but together are the bydel
        assert sum(s.effect * s.size for s in schools) / sum(s.size for s in schools) == pytest.approx(0, abs=1e-12)
        spread += [s.effect for s in schools]
    assert max(spread) - min(spread) > 0.4


@pytest.mark.parametrize("sig", PLANTED, ids=lambda s: f"{s.kind}-{s.indicator_id}-{s.area_code}")
def test_the_planted_signals_are_there_with_their_declared_sizes(sig):
    ind = INDICATORS[sig.indicator_id]
    periods = indicator_periods(ind)
    assert ind.baseline.period in periods
    assert ind.select.measure.split(":")[0] == sig.measure
    better = {"higher_is_better": 1, "lower_is_better": -1}.get(ind.polarity, 0)
    if sig.kind == "worsens":  # 6-8 prosentpoeng the wrong way from the 0-punkt to the latest period
        assert WORLD.unit(sig.area_code).level == "bydel" and WORLD.unit(sig.area_code).parent == BERGEN
        assert 6 <= abs(sig.size) <= 8 and better * sig.size < 0
        assert true_change(ind, sig.area_code, world=WORLD) == pytest.approx(sig.size, abs=DECLARED_SIZE)
        assert true_gap(ind, sig.area_code, ind.baseline.period, world=WORLD) == pytest.approx(0, abs=0.01)
        share = WORLD.weight_in_kommune(sig.area_code)
        assert true_gap(ind, sig.area_code, world=WORLD) == pytest.approx(sig.size * (1 - share), abs=DECLARED_SIZE)
        # the kommune moves by the bydel's share of it, and no more
        assert true_change(ind, BERGEN, world=WORLD) == pytest.approx(sig.size * share, abs=0.01)
    elif sig.kind == "ahead_of_landet":  # 8-10 prosentpoeng better than landet and the kommune, every period
        assert WORLD.unit(sig.area_code).level == "bydel" and WORLD.unit(sig.area_code).parent == BERGEN
        assert 8 <= abs(sig.size) <= 10 and better * sig.size > 0
        for p in periods:
            gap_landet = indicator_truth(ind, sig.area_code, p, world=WORLD) - indicator_truth(ind, "0", p, world=WORLD)
            assert gap_landet == pytest.approx(sig.size, abs=DECLARED_SIZE), p
            assert 8 <= better * true_gap(ind, sig.area_code, p, world=WORLD) <= 10, p
        assert true_change(ind, sig.area_code, world=WORLD) == pytest.approx(0, abs=0.01)
    else:  # a national trend: landet's change since the 0-punkt, every calm area along with it
        assert sig.kind == "national_trend" and sig.area_code == "0"
        assert abs(sig.size) >= 1.5
        assert true_change(ind, "0", world=WORLD) == pytest.approx(sig.size, abs=DECLARED_SIZE)
    # a planted signal is big enough for a real test: hundreds of answers in the bydel
    if sig.kind != "national_trend":
        assert ind.statistic == "proportion" and ind.source in ("ungdata", "elevundersokelsen")


def test_only_a_few_national_trends_are_kept():
    trends = {s.indicator_id for s in PLANTED if s.kind == "national_trend"}
    measures = {s.measure for s in PLANTED if s.kind == "national_trend"}
    assert 2 <= len(measures) <= 3
    assert trends == {
        i.id for i in REGISTRY.indicators if abs(true_change(i, "0", world=WORLD)) > TOLERANCE[i.unit] / 5
    }


def test_the_plans_agreed_0_punkt_is_the_true_value_there():
    agreed = [i for i in REGISTRY.indicators if i.baseline.value is not None]
    assert agreed
    for i in agreed:
        truth = indicator_truth(i, REGISTRY.default_area, i.baseline.period, world=WORLD)
        assert truth == pytest.approx(i.baseline.value, abs=DECLARED_SIZE), i.id


@pytest.mark.parametrize("ind_id", sorted(INDICATORS))
def test_bergen_and_its_bydeler_show_what_is_declared_and_nothing_else(ind_id):
    """For every Bergen-family area: the true change since the 0-punkt and the true difference from
    its benchmark (the kommune for a bydel, landet for Bergen) at the 0-punkt and in the latest
    period are what ``declared_effects`` says; a pair it does not name is zero within
    ``TOLERANCE`` (0,5 prosentpoeng, 0,02 poeng, 1 kr - the schools' own variation around their
    bydel leaves a bydel built from its schools a tenth of a prosentpoeng or so off), in every
    period and kjønn."""
    ind = INDICATORS[ind_id]
    tol = TOLERANCE[ind.unit]
    periods = indicator_periods(ind)
    since = periods[periods.index(ind.baseline.period) :]
    for code in FAMILY:
        e = EFFECTS.get((ind_id, code))
        got = (
            true_change(ind, code, world=WORLD),
            true_gap(ind, code, ind.baseline.period, world=WORLD),
            true_gap(ind, code, world=WORLD),
        )
        want = (e.change, e.gap_at_baseline, e.gap) if e else (0.0, 0.0, 0.0)
        slack = tol + (DECLARED_SIZE if e and e.kind == "national_trend" else 0.0)
        assert got == pytest.approx(want, abs=slack), (code, e)
        if e:
            continue
        for g in ("alle", "gutter", "jenter"):
            base = indicator_truth(ind, code, ind.baseline.period, g, world=WORLD)
            for p in since:
                assert indicator_truth(ind, code, p, g, world=WORLD) == pytest.approx(base, abs=tol), (code, g, p)
            for p in periods:
                assert true_gap(ind, code, p, g, world=WORLD) == pytest.approx(0, abs=tol), (code, g, p)


def test_the_declared_list_is_short_and_names_the_planted_areas():
    primary = {(e.indicator_id, e.area_code) for e in EFFECTS.values() if e.kind in ("worsens", "ahead_of_landet")}
    assert primary == {(s.indicator_id, s.area_code) for s in PLANTED if s.kind != "national_trend"}
    # most plan indicators are calm everywhere in the Bergen family: 11 of 19
    calm = set(INDICATORS) - {ind_id for ind_id, _ in EFFECTS}
    assert len(calm) >= 10, sorted(set(INDICATORS) - calm)


def test_the_sample_is_drawn_from_the_truth(sample_db):
    """The committed files (tests/test_sample.py: they are the generator's) agree with the truth:
    landet, Bergen and its bydeler, every period with an n, within 4,5 standard errors (and the
    publisher's rounding). KOSTRA publishes no n, and the fravær template no SD: not checked here;
    nor are the fravær months, which have a season and events of their own on top of the truth
    (``samplegen.fravaer.season``: real month-to-month variation, for the Laney p′ chart)."""
    con = duckdb.connect(str(sample_db), read_only=True)
    rows = con.execute(
        """SELECT indicator_id, area_code, period, value, n, sd FROM mart_indicator_values m
           JOIN indicators i USING (indicator_id)
           WHERE m.grp = i.gender AND m.value IS NOT NULL AND m.n > 0 AND NOT m.suppressed
             AND (m.area_code = '0' OR m.area_code LIKE ? || '%') AND length(m.area_code) <= 6
             AND m.period_type <> 'month'""",
        [BERGEN],
    ).fetchall()
    checked, worst = 0, 0.0
    for ind_id, code, period, value, n, sd in rows:
        ind = INDICATORS[ind_id]
        truth = indicator_truth(ind, code, period, world=WORLD)
        if ind.statistic == "proportion":
            se, rounding = 100 * math.sqrt(truth / 100 * (1 - truth / 100) / n), 0.05
        elif sd is not None:
            se, rounding = sd / math.sqrt(n), 0.005
        else:
            continue
        z = (abs(value - truth) - rounding) / se
        worst = max(worst, z)
        assert z <= 4.5, (ind_id, code, period, value, truth, n)
        checked += 1
    assert checked >= 500
    assert worst > 1.5  # noise there is: the values are drawn, not copied from the truth
