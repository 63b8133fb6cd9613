"""The sample extracts: deterministic, in the genuine formats, enough for every indicator."""

import duckdb
import pandas as pd
import pytest

from conftest import ROOT
from oppvekst.queries import malekart
from samplegen import digest, generate


def test_sample_generation_is_deterministic_and_matches_the_committed_files(tmp_path):
    a = generate(tmp_path / "a" / "sample")
    b = generate(tmp_path / "b" / "sample")
    assert digest(a) == digest(b)
    committed = sorted((ROOT / "data" / "sample").rglob("*.*"))
    assert digest(a) == digest([p for p in committed if p.suffix in (".csv", ".json", ".xlsx")])
    assert (tmp_path / "a" / "skole_bydel.csv").read_bytes() == (ROOT / "data" / "skole_bydel.csv").read_bytes()


def test_sample_files_are_in_the_genuine_shapes():
    s = ROOT / "data" / "sample"
    assert (s / "udir_elevundersokelsen_mobbing.csv").read_bytes()[:10] == "sep=\t".encode("utf-16-le")
    web = (s / "ssb_kostra_barnevern_2015-2023.csv").read_bytes()
    assert web.startswith(b'"12275: ') and "Bærum".encode("cp1252") in web  # Windows-1252 with a title line
    assert b"2019_2021" in (s / "fhi_ungdata_psykisk_helse_csv3.csv").read_bytes()  # pooled periods
    assert (s / "fravaer_skoler_maned.xlsx").read_bytes()[:2] == b"PK"


def test_sample_database_has_code_change_revision_and_suppression(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    # 2024 renumbering: Bamble's 2015-2023 values came as 3813 and are stored under 4012
    assert (
        con.execute("SELECT count(*) FROM observations WHERE area_code='4012' AND source_area_code='3813'").fetchone()[
            0
        ]
        > 0
    )
    assert con.execute("SELECT count(*) FROM revisions").fetchone()[0] > 0
    assert con.execute("SELECT count(*) FROM observations WHERE suppressed").fetchone()[0] > 0
    # every load is one of the bundled sample files, so every row is labelled as sample data
    assert con.execute("SELECT bool_and(sample), count(*) FROM loads").fetchone() == (True, 12)
    assert (
        con.execute("SELECT count(*) FROM observations o JOIN loads l USING (load_id) WHERE l.sample").fetchone()[0]
        == con.execute("SELECT count(*) FROM observations").fetchone()[0]
    )


def test_every_indicator_has_data_for_bergen_and_three_bydeler(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    cover = con.execute("""
        SELECT i.indicator_id,
               count(DISTINCT m.area_code) FILTER (WHERE m.area_code = '4601' AND m.value IS NOT NULL) AS bergen,
               count(DISTINCT m.area_code) FILTER (WHERE m.area_level = 'bydel' AND m.area_code LIKE '4601%' AND m.value IS NOT NULL) AS bydeler
        FROM indicators i LEFT JOIN mart_indicator_values m USING (indicator_id) GROUP BY 1""").df()
    assert len(cover) >= 15
    assert (cover["bergen"] == 1).all(), cover
    assert (cover["bydeler"] >= 3).all(), cover


@pytest.mark.parametrize("area", ["4601", "460103", "3201"])
def test_malekart_numbers_come_from_observations(sample_db, area):
    con = duckdb.connect(str(sample_db), read_only=True)
    mk = malekart(con, area)
    ind = con.execute("SELECT * FROM indicators").df().set_index("indicator_id")
    checked = 0
    for r in mk.itertuples():
        i = ind.loc[r.indicator_id]
        q = """SELECT period, value FROM observations WHERE source=? AND (measure_code=? OR measure_name=?)
               AND grade=? AND gender=? AND breakdown=? AND area_code=? AND period_type=? ORDER BY year_start, year_end"""
        kind = {"2020": "year"}.get(i.baseline_period) or (
            "pooled" if len(i.baseline_period) == 9 else "school_year" if len(i.baseline_period) == 7 else "year"
        )
        obs = con.execute(q, [i.source, i.measure, i.measure, i.grade, i.gender, i.breakdown, area, kind]).df()
        if obs.empty:
            continue  # aggregated from schools; checked in test_school_aggregation_uses_numerators
        assert r.status_period == obs["period"].iloc[-1]
        assert r.status_value == pytest.approx(obs["value"].iloc[-1])
        base = obs.loc[obs["period"] == i.baseline_period, "value"]
        # the plan's agreed 0-punkt belongs to the plan's own area; elsewhere the series' value
        expected = i.baseline_value if pd.notna(i.baseline_value) and area == i.plan_area else base.iloc[0]
        assert r.baseline_value == pytest.approx(expected)
        sign = {"higher_is_better": 1, "lower_is_better": -1}.get(i.polarity)
        if sign:
            assert r.improvement == pytest.approx(sign * (r.status_value - r.baseline_value))
        checked += 1
    assert checked >= 8


def test_school_aggregation_uses_numerators_not_averages(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    schools = con.execute("""
        SELECT o.value, o.n FROM observations o JOIN areas a ON a.area_code = o.area_code
        WHERE a.parent_code = '460103' AND o.measure_code = 'fravaer_minst_10_prosent' AND o.grade = '10'
          AND o.gender = 'alle' AND o.period = '2022-23' AND NOT o.suppressed""").df()
    assert len(schools) >= 2
    expected = (schools["value"] * schools["n"]).sum() / schools["n"].sum()
    got = con.execute("""SELECT value, n, units_used FROM mart_indicator_values
                         WHERE indicator_id='fravaer_bekymring_10' AND area_code='460103' AND period='2022-23'
                           AND grp = 'alle'""").fetchone()
    assert got[0] == pytest.approx(expected) and got[1] == schools["n"].sum() and got[2] == len(schools)
    assert got[0] != pytest.approx(schools["value"].mean())


def test_pooling_years_from_numerators_and_denominators(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    annual = con.execute("""SELECT value, n FROM mart_indicator_values WHERE indicator_id = 'eu_mobbing_7_3ar'
        AND area_code = '460101' AND grp = 'alle' AND period IN ('2019-20', '2020-21', '2021-22')""").df()
    assert len(annual) == 3
    pooled = con.execute("""SELECT value, n, units_used, origin FROM mart_indicator_values WHERE indicator_id = 'eu_mobbing_7_3ar'
        AND area_code = '460101' AND grp = 'alle' AND period = '2019-2022'""").fetchone()
    assert pooled[0] == pytest.approx((annual["value"] * annual["n"]).sum() / annual["n"].sum())
    assert pooled[1] == annual["n"].sum() and pooled[2] == 3 and pooled[3] == "sammenslått over år"
    # the scorecard judges the pooled series against its pooled 0-punkt
    v = con.execute("""SELECT change_verdict FROM mart_scorecard WHERE indicator_id = 'eu_mobbing_7_3ar'
        AND area_code = '460101' AND grp = 'alle' AND period = '2022-2025'""").fetchone()[0]
    assert v in ("sikker forbedring", "ingen sikker endring", "sikker forverring")
