"""«Fordelt på» kjønn and trinn (issue 19, item 7): every trinn the sources deliver is reachable,
computed and protected exactly as a registry indicator for that trinn would be, and every view
choice of the Indikator and Områder pages lives in the URL."""

from __future__ import annotations

import re
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, run_app
from oppvekst import queries
from oppvekst.charts import PALETTE, grouped_ranked_chart, series_chart
from oppvekst.marts import breakdown_grades, build_marts, grade_span
from oppvekst.presentation import grade_text, url_choice, url_codes
from oppvekst.verdicts import BETTER, WORSE

SAME = ["area_code", "period", "grp", "value", "n", "ci_low", "ci_high", "ci_method", "shown", "hidden_reason"]


@pytest.fixture(scope="module")
def con(sample_db):
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


# ------------------------------------------------------------------------------ reachable


def test_ungdata_vg1_vg3_is_reachable_for_ung_depr(con):
    assert "trinn" in queries.breakdown_options(con, "ung_depr")
    rows = queries.indicator_slices(con, "ung_depr", ["4601", "0"], "trinn")
    assert set(rows["slice"]) == {"8-10", "vg1-vg3"}
    vg = rows[(rows["slice"] == "vg1-vg3") & rows["shown"]]
    assert len(vg[vg["area_code"] == "4601"]) >= 5 and not vg["own"].any()
    # the numbers are the publisher's vg1-vg3 numbers, not the plan's 8-10
    obs = con.execute("""SELECT area_code, period, value FROM observations WHERE source = 'ungdata'
        AND measure_code = 'depr:RATE' AND grade = 'vg1-vg3' AND gender = 'alle' AND area_code IN ('4601', '0')""").df()
    got = vg.merge(obs, on=["area_code", "period"], suffixes=("", "_obs"))
    assert len(got) == len(vg) and np.allclose(got["value"], got["value_obs"])
    # the plan's own trinn keeps its verdicts; the others carry none against the 0-punkt or the target
    own = rows[rows["own"]]
    assert own["change_verdict"].notna().any()
    assert rows.loc[~rows["own"], ["change_verdict", "target_verdict"]].isna().all().all()


def test_every_grade_the_sources_deliver_is_reachable(con):
    # each indicator's measure: every trinn in observations is the indicator's own or in its breakdown
    per = con.execute("""
        SELECT i.indicator_id, i.grade AS own, list(DISTINCT o.grade) AS grades
        FROM indicators i JOIN observations o ON o.source = i.source AND o.breakdown = i.breakdown
         AND (o.measure_code = i.measure OR o.measure_name = i.measure)
        GROUP BY ALL""").df()
    reached = con.execute("SELECT indicator_id, list(DISTINCT grade) AS g FROM mart_breakdowns GROUP BY 1").df()
    reached = dict(zip(reached["indicator_id"], reached["g"]))
    for r in per.itertuples():
        assert set(r.grades) == {r.own, *reached.get(r.indicator_id, [])}, r.indicator_id
    assert set(reached["fravaer_bekymring_10"]) == {"8", "9"}
    assert set(reached["eu_trivsel_10"]) == {"7"}


# ------------------------------------------------------------------------------ same numbers


def test_a_grade_in_a_breakdown_is_the_registry_indicator_for_that_grade(con):
    # eu_mobbing_10 broken down by trinn: its 7th grade rows are eu_mobbing_7's rows
    seven = con.execute(f"SELECT {', '.join(SAME)} FROM mart_scorecard WHERE indicator_id = 'eu_mobbing_7'").df()
    got = con.execute(
        f"SELECT {', '.join(SAME)} FROM mart_breakdowns WHERE indicator_id = 'eu_mobbing_10' AND grade = '7'"
    ).df()
    key = ["area_code", "period", "grp"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True), seven.sort_values(key).reset_index(drop=True), check_dtype=False
    )


def test_a_computed_grade_equals_what_the_registry_indicator_gives(sample_db, tmp_path):
    # Without eu_mobbing_7 in the registry, eu_mobbing_10's 7th grade must be computed (mart SQL,
    # interval, min_n, secondary suppression): it gives the eu_mobbing_7 rows of the full registry -
    # but for a few more hidden school cells, where the source hid a cell without its n (the
    # computed trinn count such a cell as n 0 from the start; oppvekst/privacy.py)
    text = (ROOT / "indicators.yml").read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(?=  - id: )", text)
    kept = [b for b in blocks if not b.startswith("  - id: eu_mobbing_7\n")]
    assert len(kept) == len(blocks) - 1
    registry = tmp_path / "indicators.yml"
    registry.write_text("".join(kept), encoding="utf-8")
    db = tmp_path / "no7.duckdb"
    shutil.copy(sample_db, db)
    c = duckdb.connect(str(db))
    build_marts(c, registry)
    cols = [*SAME, "area_level", "benchmark_verdict", "benchmark_value", "landet_value"]
    got = c.execute(
        f"SELECT via, {', '.join(cols)} FROM mart_breakdowns WHERE indicator_id = 'eu_mobbing_10' AND grade = '7'"
    ).df()
    c.close()
    c = duckdb.connect(str(sample_db), read_only=True)
    want = c.execute(f"SELECT {', '.join(cols)} FROM mart_scorecard WHERE indicator_id = 'eu_mobbing_7'").df()
    c.close()
    assert got["via"].isna().all() and len(got) == len(want) > 1000  # computed, not copied
    both = got.drop(columns="via").merge(want, on=["area_code", "period", "grp"], suffixes=("", "_reg"))
    assert len(both) == len(want)
    shown = both["shown"] & both["shown_reg"]
    for col in [c for c in cols if c not in ("area_code", "period", "grp")]:
        a, b = both.loc[shown, col], both.loc[shown, f"{col}_reg"]
        if pd.api.types.is_float_dtype(a):  # sums may add in another order: the last bit may differ
            same = (a.isna() & b.isna()) | np.isclose(a, b, rtol=1e-12, atol=1e-12)
        else:
            same = (a.isna() & b.isna()) | (a == b)
        assert same.all(), (col, both.loc[shown][~same.to_numpy()].head())
    assert not (both["shown"] & ~both["shown_reg"]).any()  # nothing the registry hides is shown
    extra = both[~both["shown"] & both["shown_reg"]]
    assert set(extra["area_level"]) <= {"skole"} and len(extra) < 20
    assert set(extra["hidden_reason"]) <= {"skjult for å hindre tilbakeregning"}


# ------------------------------------------------------------------------------ privacy


def test_hidden_numbers_stay_hidden_in_every_breakdown(con):
    rows = con.execute("""
        SELECT b.*, i.min_n, o.suppressed AS src_suppressed, o.value AS src_value, o.n AS src_n
        FROM mart_breakdowns b JOIN indicators i USING (indicator_id)
        LEFT JOIN observations o ON o.source = i.source AND (o.measure_code = i.measure OR o.measure_name = i.measure)
         AND o.grade = b.grade AND o.breakdown = i.breakdown AND o.gender = b.grp AND o.area_code = b.area_code
         AND o.period = b.period""").df()
    assert len(rows) > 10_000
    # no number where the source suppressed or fewer than min_n answered; a hidden row has no number
    primary = rows["src_suppressed"].fillna(False).astype(bool) | (rows["src_n"] < rows["min_n"])
    assert primary.sum() > 100  # the vg1-vg3 gutter/jenter cells, among others
    assert not rows.loc[primary, "shown"].any()
    hidden = ~rows["shown"]
    assert rows.loc[hidden, ["value", "n", "ci_low", "ci_high"]].isna().all().all()
    assert (rows.loc[rows["shown"], "n"] >= rows.loc[rows["shown"], "min_n"]).all()
    # a grade another registry indicator selects is that indicator's rows (shown alike on both pages)
    copied = rows[rows["via"].notna()]
    reg = con.execute(f"SELECT indicator_id AS via, {', '.join(SAME)} FROM mart_scorecard").df()
    both = copied[["via", *SAME]].merge(reg, on=["via", "area_code", "period", "grp"], suffixes=("", "_reg"))
    assert len(both) == len(copied) > 1000 and (both["shown"] == both["shown_reg"]).all()
    # no recovery by subtraction in the grades computed here: alle = gutter + jenter and
    # kommune = Σ bydeler never have exactly one hidden cell, and never miss one group of three
    # while the other two are shown (that cell would be the total minus the shown parts)
    own = rows[rows["via"].isna()].copy()
    assert (own["hidden_reason"] == "skjult for å hindre tilbakeregning").sum() > 50  # the complements
    key = ["indicator_id", "grade", "period"]
    trio = own.groupby([*key, "area_code"]).agg(
        k=("grp", "nunique"), h=("shown", lambda s: int((~s).sum())), alle=("grp", lambda g: "alle" in set(g))
    )
    assert (trio["k"] == 3).sum() > 1000 and not ((trio["k"] == 3) & (trio["h"] == 1)).any()
    assert not ((trio["k"] == 2) & trio["alle"] & (trio["h"] == 0)).any()
    levels = dict(con.execute("SELECT area_code, area_level FROM areas").fetchall())
    own["level"] = own["area_code"].map(levels)
    own["kommune"] = np.where(own["level"] == "bydel", own["area_code"].str[:4], own["area_code"])
    part = own[own["level"].isin(["kommune", "bydel"])]
    sums = part.groupby([*key, "grp", "kommune"]).agg(
        bydeler=("level", lambda s: int((s == "bydel").sum())),
        total=("level", lambda s: int((s == "kommune").sum())),
        h=("shown", lambda s: int((~s).sum())),
    )
    sums = sums[(sums["bydeler"] > 0) & (sums["total"] == 1)]
    assert len(sums) > 100 and not (sums["h"] == 1).any()


def test_pooled_grades_pool_only_years_the_annual_grade_shows(con):
    # eu_mobbing_7_3ar by trinn: its 10th grade is pooled over three school years; a shown window
    # never holds a year that eu_mobbing_10 hides (Σ x - the shown years would give it back)
    bad = con.execute("""
        SELECT p.area_code, p.grp, p.period FROM mart_breakdowns p
        JOIN mart_scorecard a ON a.indicator_id = 'eu_mobbing_10' AND a.area_code = p.area_code AND a.grp = p.grp
         AND a.period_type = 'school_year' AND a.year_start BETWEEN p.year_start AND p.year_end - 1
        WHERE p.indicator_id = 'eu_mobbing_7_3ar' AND p.grade = '10' AND p.period_type = 'pooled' AND p.shown
        GROUP BY ALL HAVING bool_or(NOT a.shown)""").df()
    shown = con.execute("""SELECT count(*) FROM mart_breakdowns WHERE indicator_id = 'eu_mobbing_7_3ar'
        AND grade = '10' AND period_type = 'pooled' AND shown""").fetchone()[0]
    assert shown > 100 and bad.empty, bad.head()


@pytest.mark.parametrize(
    ("own", "registry", "observed", "want"),
    [
        ("10", {"10", "7"}, {"7", "10", "8", "9", "8-10", "alle"}, ["7", "8", "9"]),  # 8-10 and alle hold 10
        ("8-10", {"8-10"}, {"8", "9", "10", "8-10", "vg1-vg3"}, ["vg1-vg3"]),  # 8, 9, 10 would give 8-10
        ("vg1-vg3", {"vg1-vg3"}, {"8", "9", "10", "8-10", "vg1-vg3"}, ["8", "9", "10"]),  # the finest stay
        ("7", {"7"}, {"7", "8-9", "9-10"}, []),  # partly overlapping: both go
        ("alle", {"alle"}, {"alle", "7", "10"}, []),  # every trinn is part of «alle»
        ("10", {"10", "alle"}, {"alle", "7", "10"}, ["alle"]),  # both public already: shown side by side
    ],
)
def test_breakdown_grades_never_show_one_trinn_that_others_add_up_to(own, registry, observed, want):
    assert breakdown_grades(own, registry, observed) == want


def test_grade_spans_and_names():
    assert grade_span("8-10") == frozenset({8, 9, 10}) and grade_span("vg1-vg3") == frozenset({11, 12, 13})
    assert grade_span("alle") is None and grade_span("x") is None and grade_span("10-8") is None
    assert [grade_text(g) for g in ("7", "8-10", "vg1-vg3", "alle")] == [
        "7. trinn",
        "8.–10. trinn",
        "vg1–vg3",
        "alle trinn",
    ]


def test_an_incremental_build_gives_the_breakdowns_a_full_build_gives(sample_db, tmp_path):
    db = tmp_path / "inc.duckdb"
    shutil.copy(sample_db, db)
    c = duckdb.connect(str(db))
    before = c.execute("SELECT * FROM mart_breakdowns ORDER BY ALL").df()
    c.execute("""UPDATE observations SET value = value + 3 WHERE source = 'ungdata' AND measure_code = 'depr:RATE'
        AND grade = 'vg1-vg3' AND area_code = '460101' AND NOT suppressed""")
    touched = set(c.execute("SELECT DISTINCT source, measure_code, measure_name FROM observations "
                            "WHERE measure_code = 'depr:RATE'").fetchall())  # fmt: skip
    build_marts(c, touched=touched)
    inc = c.execute("SELECT * FROM mart_breakdowns ORDER BY ALL").df()
    build_marts(c)
    full = c.execute("SELECT * FROM mart_breakdowns ORDER BY ALL").df()
    c.close()
    pd.testing.assert_frame_equal(inc, full)
    assert not inc.equals(before)


# ------------------------------------------------------------------------------ charts


def test_many_lines_keep_areas_in_their_colour_and_groups_in_their_dash(con):
    rows = queries.indicator_slices(con, "ung_depr", ["4601", "46", "0"], "kjonn")
    meta = queries.indicator_meta(con, "ung_depr")
    svg = series_chart(rows, meta, {"4601": "Bergen", "46": "Vestland", "0": "Hele landet"}, "prosent")
    lines = re.findall(
        r'<polyline points="[^"]+" fill="none" stroke="([^"]+)" stroke-width="3"( stroke-dasharray="[^"]+")?', svg
    )
    assert len(lines) == 9
    assert {c for c, _ in lines} == set(PALETTE[:3])  # one colour per area
    assert len({d for _, d in lines}) == 3  # one dash per kjønn
    assert BETTER.lower() not in svg.lower() and WORSE.lower() not in svg.lower()
    assert "Vestland – jenter" in svg


def test_the_grouped_chart_draws_one_bar_per_area_and_group_with_text_as_text(con):
    rows, refs = queries.compare_slices(con, "ung_depr", "2022-2024", "4601", "bydel", "kjonn")
    assert len(rows) == 3 * rows["area_code"].nunique() and set(refs) == {"alle", "gutter", "jenter"}
    rows.loc[rows.index[0], "area_name"] = '<script>alert("x")</script>'
    svg = grouped_ranked_chart(rows, "Bergen", "prosent", "prosent")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('fill-opacity="0.6"') == int(rows["shown"].sum())  # one bar per shown row
    # each area's groups follow one another; areas best first by the plan's own group (alle)
    alle = rows[rows["slice"] == "alle"]["value"].tolist()
    assert alle == sorted(alle) and list(rows["slice"][:3]) == ["alle", "gutter", "jenter"]


# ------------------------------------------------------------------------------ the URL


def test_url_values_fall_back_to_defaults():
    assert url_choice("trinn", ["ingen", "trinn"], "ingen") == "trinn"
    assert url_choice("kjonn", ["ingen", "trinn"], "ingen") == "ingen"
    assert url_choice(None, ["ingen"], "ingen") == "ingen"
    assert url_codes(None, ["0", "46"], ["0"]) == ["0"]
    assert url_codes("46,0,46", ["0", "46"], ["0"]) == ["46", "0"]
    assert url_codes("", ["0", "46"], ["0"]) == []
    assert url_codes("x,<b>", ["0", "46"], ["0"]) == ["0"]


def run_page(monkeypatch, db, page, query):
    return run_app(monkeypatch, db, query, page)


def params(at) -> dict:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_a_deep_link_by_trinn_shows_vg1_vg3(monkeypatch, sample_db):
    at = run_page(
        monkeypatch, sample_db, "pages/indikator.py", {"fordelt": "trinn", "indikator": "ung_depr", "omrade": "4601"}
    )
    assert at.radio(key="pick_fordelt_ung_depr").value == "trinn"
    table = at.dataframe[0].value
    assert "vg1–vg3" in set(table["Trinn"]) and "8.–10. trinn" in set(table["Trinn"])
    vg = table[(table["Trinn"] == "vg1–vg3") & (table["Område"] == "Bergen")]
    assert len(vg) >= 5 and vg["Verdi"].str.endswith("prosent").all()


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_indikator_choices_round_trip_through_the_url(monkeypatch, sample_db):
    at = run_page(monkeypatch, sample_db, "pages/indikator.py", {"indikator": "eu_mobbing_10", "omrade": "460103"})
    assert params(at)["sammenlign"] == "0" and params(at)["fordelt"] == "ingen"  # the defaults, written out
    at.multiselect(key="pick_sammenlign_460103").set_value(["4601", "0"]).run()
    at.radio(key="pick_fordelt_eu_mobbing_10").set_value("trinn").run()
    assert not at.exception
    want = {"indikator": "eu_mobbing_10", "omrade": "460103", "sammenlign": "4601,0", "fordelt": "trinn"}
    assert {k: params(at)[k] for k in want} == want
    # the link pasted into a new session opens the same view
    again = run_page(monkeypatch, sample_db, "pages/indikator.py", want)
    assert again.multiselect(key="pick_sammenlign_460103").value == ["4601", "0"]
    assert again.radio(key="pick_fordelt_eu_mobbing_10").value == "trinn"
    assert again.dataframe[0].value.equals(at.dataframe[0].value)
    # nothing compared (an empty list is a choice, not a missing one)
    at.multiselect(key="pick_sammenlign_460103").set_value([]).run()
    assert params(at)["sammenlign"] == ""
    assert run_page(monkeypatch, sample_db, "pages/indikator.py", params(at)).multiselect[0].value == []


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_omrader_choices_round_trip_and_bad_values_fall_back(monkeypatch, sample_db):
    link = {"indikator": "ung_depr", "omrade": "4601", "periode": "2021-2023", "nivaa": "bydel", "fordelt": "kjonn"}
    at = run_page(monkeypatch, sample_db, "pages/omrader.py", link)
    assert {k: params(at)[k] for k in link} == link
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["Område", "Kjønn"] and len(table) == 3 * table["Område"].nunique()
    assert "Bergen, samme gruppe" in table.columns
    at.radio(key="pick_nivaa").set_value("kommune").run()
    at.radio(key="pick_fordelt_ung_depr").set_value("trinn").run()
    assert not at.exception and params(at)["nivaa"] == "kommune" and params(at)["fordelt"] == "trinn"
    assert set(at.dataframe[0].value["Trinn"]) == {"8.–10. trinn", "vg1–vg3"}
    bad = {"indikator": "kostra_tiltak", "omrade": "4601", "nivaa": "fylke", "fordelt": "trinn", "periode": "1900"}
    at = run_page(monkeypatch, sample_db, "pages/omrader.py", bad)
    assert params(at)["nivaa"] == "bydel" and params(at)["fordelt"] == "ingen" and params(at)["periode"] != "1900"
