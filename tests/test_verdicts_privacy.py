"""Verdicts (polarity-aware, in bokmål, never colour alone) and privacy (primary and secondary
suppression), with Hypothesis property tests over random hierarchies."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oppvekst.privacy import apply, recoverable, secondary_suppression
from oppvekst.stats import Difference, Interval
from oppvekst.verdicts import (
    benchmark_verdict,
    change_verdict,
    difference,
    minimum_detectable_difference,
    target_verdict,
)


def D(lo, hi):
    return Difference((lo + hi) / 2, lo, hi, "test", 0.95)


@pytest.mark.parametrize(
    "lo,hi,polarity,expected",
    [
        (0.5, 2.0, "higher_is_better", "sikker forbedring"),
        (0.5, 2.0, "lower_is_better", "sikker forverring"),
        (-2.0, -0.5, "lower_is_better", "sikker forbedring"),
        (-1.0, 1.0, "higher_is_better", "ingen sikker endring"),
        (0.5, 2.0, "neutral", "sikker økning"),
    ],
)
def test_change_verdicts(lo, hi, polarity, expected):
    v = change_verdict(D(lo, hi), polarity)
    # symbol and colour by meaning (docs/methods.md); the hues are checked in test_edges.py
    symbol = {"sikker forbedring": "▲", "sikker forverring": "▼", "ingen sikker endring": "●", "sikker økning": "↑"}
    assert v.text == expected and v.symbol == symbol[expected]
    same_meaning = change_verdict(D(0.5, 2.0) if expected != "sikker forverring" else D(-2.0, -0.5), "higher_is_better")
    if expected in ("sikker forbedring", "sikker forverring"):
        assert v.colour == same_meaning.colour


def test_change_without_n_cannot_be_tested():
    assert difference("proportion", (12.0, None, None), (10.0, None, None)) is None
    v = change_verdict(None, "lower_is_better")
    assert v.text == "kan ikke testes" and "antall svar" in v.detail


def test_benchmark_verdicts_follow_polarity():
    ci = Interval(10.0, 12.0, "Wilson score", 0.95)
    assert benchmark_verdict(ci, 11.0, "lower_is_better").text == "omtrent likt"
    assert benchmark_verdict(ci, 14.0, "lower_is_better").text == "bedre"
    assert benchmark_verdict(ci, 14.0, "higher_is_better").text == "dårligere"
    assert benchmark_verdict(ci, 8.0, "neutral").text == "høyere"
    assert benchmark_verdict(None, 8.0, "neutral").text == "kan ikke sammenlignes"


def test_target_verdicts():
    ci = Interval(3.0, 3.8, "Wilson score", 0.95)
    assert target_verdict([(2021, 6.0), (2025, 3.4)], ci, 4.0, 2028, "lower_is_better").text == "nådd"
    falling = [(2021, 8.0), (2022, 7.2), (2023, 6.5), (2024, 5.7)]
    v = target_verdict(falling, Interval(5.0, 6.4, "x", 0.95), 4.0, 2028, "lower_is_better")
    # the plan's line from 8,0 (2021) to 4,0 (2028) is at 8 - 4 * 3/7 = 6,29 in 2024; 5,7 is on its good side
    assert v.text == "på vei" and v.detail.startswith(
        "Tallet ligger på riktig side av linjen fra 0-punktet mot målet (6,29 prosent i 2024)."
    )
    assert "Fortsetter utviklingen som hittil (rett linje gjennom 4 målinger" in v.detail
    rising = [(2021, 8.0), (2022, 8.2), (2023, 8.1), (2024, 8.5)]
    off = target_verdict(rising, Interval(7.5, 9.5, "x", 0.95), 4.0, 2028, "lower_is_better")
    assert off.text == "ikke på vei" and off.detail.startswith("Tallet ligger sikkert bak linjen")
    # behind the line (6,29) but the interval reaches it: not a sure shortfall (issue 18)
    unsure = target_verdict(rising, Interval(6.0, 9.0, "x", 0.95), 4.0, 2028, "lower_is_better")
    assert (unsure.text, unsure.symbol) == ("usikkert om målet nås", "●")
    assert "intervallet for avstanden rekker over linjen" in unsure.detail
    # without an interval there is no test: behind the line is «usikkert», never «ikke på vei»
    assert target_verdict(rising, None, 4.0, 2028, "lower_is_better").text == "usikkert om målet nås"
    # the line starts at the plan's agreed 0-punkt and its year when they are given
    agreed = target_verdict(rising, Interval(7.5, 9.5, "x", 0.95), 4.0, 2028, "lower_is_better", baseline_value=10.0)
    assert "(7,43 prosent i 2024)" in agreed.detail  # 10 - 6 * 3/7
    assert (
        target_verdict([(2021, 8.0)], Interval(7, 9, "x", 0.95), 4.0, 2028, "lower_is_better").text == "for lite data"
    )
    small = target_verdict(
        falling,
        Interval(5.0, 6.4, "x", 0.95),
        7.0,
        2028,
        "lower_is_better",
        "proportion",
        baseline_n=40,
        latest_n=40,
        baseline_value=8.0,
    )
    assert "Obs" in small.detail and "prosentpoeng" in small.detail


def test_minimum_detectable_difference():
    # two groups of 400 around 10 %: (1.96 + 0.84) * sqrt(0.09 * 2/400) = 0.0594
    assert minimum_detectable_difference(0.10, 400, 400) == pytest.approx(0.05941, abs=1e-4)


# ------------------------------------------------------------------------- privacy
def test_single_hidden_gender_forces_a_second():
    n = {("k", "alle"): 30, ("k", "gutter"): 6, ("k", "jenter"): 24}
    tri = [(("k", "alle"), [("k", "gutter"), ("k", "jenter")], 0)]
    hidden = secondary_suppression(n, {("k", "gutter")}, tri)
    assert hidden == {("k", "gutter"), ("k", "jenter")}
    assert recoverable(hidden, tri) == []


def test_apply_marks_primary_and_secondary():
    rows = []
    for area, lvl in (("4601", "kommune"), ("460101", "bydel"), ("460102", "bydel"), ("460103", "bydel")):
        for grp, n in (("alle", 40), ("gutter", 20), ("jenter", 20)):
            nn = 6 if (area == "460101" and grp == "gutter") else n
            rows.append(
                dict(
                    indicator_id="i",
                    area_code=area,
                    area_level=lvl,
                    period="2024",
                    grp=grp,
                    n=nn,
                    value=10.0,
                    suppressed=False,
                    min_n=10,
                    units_hidden=0,
                )
            )
    v = apply(pd.DataFrame(rows))
    hid = v[~v["shown"]]
    assert ("460101", "gutter") in set(zip(hid["area_code"], hid["grp"]))
    assert (hid["hidden_reason"] == "færre enn 10 svar").sum() == 1
    # the exact set: the gender partner, then the smallest-n choice in each gender row (equal n:
    # the lower area code); exact-set cases with distinct n are in test_privacy_sets.py
    assert set(zip(hid["area_code"], hid["grp"], hid["hidden_reason"])) == {
        ("460101", "gutter", "færre enn 10 svar"),
        ("460101", "jenter", "skjult for å hindre tilbakeregning"),
        ("460102", "gutter", "skjult for å hindre tilbakeregning"),
        ("460102", "jenter", "skjult for å hindre tilbakeregning"),
    }


@st.composite
def hierarchies(draw):
    """A kommune with 2-6 bydeler × (alle, gutter, jenter), n additive in both directions."""
    k = draw(st.integers(2, 6))
    ns = {}
    for b in range(k):
        ns[(f"b{b}", "gutter")] = draw(st.integers(0, 60))
        ns[(f"b{b}", "jenter")] = draw(st.integers(0, 60))
        ns[(f"b{b}", "alle")] = ns[(f"b{b}", "gutter")] + ns[(f"b{b}", "jenter")]
    for g in ("alle", "gutter", "jenter"):
        ns[("K", g)] = sum(ns[(f"b{b}", g)] for b in range(k))
    min_n = draw(st.integers(5, 20))
    return k, ns, min_n


def triangles(k):
    tri = [((a, "alle"), [(a, "gutter"), (a, "jenter")], 0) for a in ["K"] + [f"b{b}" for b in range(k)]]
    tri += [(("K", g), [(f"b{b}", g) for b in range(k)], 0) for g in ("alle", "gutter", "jenter")]
    return tri


@settings(max_examples=300, deadline=None)
@given(hierarchies())
def test_no_hidden_cell_can_be_recovered(h):
    k, ns, min_n = h
    primary = {c for c, n in ns.items() if n < min_n}
    hidden = secondary_suppression(ns, primary, triangles(k))
    assert primary <= hidden
    # oracle: solve the equations with numpy; a hidden cell is recoverable iff its unit vector
    # is in the row space of the equations restricted to hidden cells
    cells = sorted(hidden)
    A = []
    for t, ch, _ in triangles(k):
        row = [(1 if c == t else -1 if c in ch else 0) for c in cells]
        if any(row):
            A.append(row)
    if cells and A:
        A = np.array(A, dtype=float)
        r = np.linalg.matrix_rank(A)
        for i, _ in enumerate(cells):
            e = np.zeros((1, len(cells)))
            e[0, i] = 1
            assert np.linalg.matrix_rank(np.vstack([A, e])) > r, f"{cells[i]} can be recovered"


@settings(max_examples=100, deadline=None)
@given(hierarchies())
def test_secondary_suppression_hides_only_what_it_must(h):
    # (replaces "nothing hidden when all groups are large", which could not fail: with nothing
    # hidden to start with the function returns an empty set whatever the sizes.) The greedy rule
    # is not minimal, but it adds nothing to a pattern that is already safe: not to primary cells no
    # subtraction reveals (numpy oracle), and not to its own result.
    k, ns, min_n = h
    primary = {c for c, n in ns.items() if n < min_n}
    hidden = secondary_suppression(ns, primary, triangles(k))
    assert secondary_suppression(ns, hidden, triangles(k)) == hidden
    cells = sorted(primary)
    A = np.array([[1 if c == t else -1 if c in ch else 0 for c in cells] for t, ch, _ in triangles(k)], dtype=float)
    A = A[np.abs(A).sum(axis=1) > 0] if cells else A
    safe = (
        not cells
        or not len(A)
        or all(
            np.linalg.matrix_rank(np.vstack([A, np.eye(len(cells))[i]])) > np.linalg.matrix_rank(A)
            for i in range(len(cells))
        )
    )
    if safe:
        assert hidden == primary


def test_mart_never_stores_hidden_numbers_or_values_below_min_n(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    leaked = con.execute("""SELECT count(*) FROM mart_scorecard s JOIN indicators i USING (indicator_id)
                            WHERE (NOT s.shown AND (s.value IS NOT NULL OR s.n IS NOT NULL))
                               OR (s.shown AND s.n IS NOT NULL AND s.n < i.min_n)""").fetchone()[0]
    assert leaked == 0
    assert (
        con.execute(
            "SELECT count(*) FROM mart_scorecard WHERE hidden_reason = 'skjult for å hindre tilbakeregning'"
        ).fetchone()[0]
        > 0
    )


def test_mart_has_verdicts_for_every_indicator(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    df = con.execute("""SELECT indicator_id, count(*) FILTER (WHERE change_verdict IS NOT NULL) c,
                               count(*) FILTER (WHERE target_verdict IS NOT NULL) t,
                               count(*) FILTER (WHERE benchmark_verdict IS NOT NULL) b
                        FROM mart_scorecard WHERE area_code = '4601' GROUP BY 1""").df()
    ids = {r[0] for r in con.execute("SELECT indicator_id FROM indicators").fetchall()}
    assert set(df["indicator_id"]) == ids
    assert (df["c"] > 0).all() and (df["t"] > 0).all() and (df["b"] > 0).all()
