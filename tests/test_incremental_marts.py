"""Incremental marts (issue 9): a load rebuilds only the indicators fed by the measures it added
or revised, and the result is the same as rebuilding everything."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd

from etl.sample import sample_batches
from etl.store import load_and_build
from oppvekst.marts import build_marts


def table(con, name: str) -> pd.DataFrame:
    cols = "indicator_id, area_code, period, grp"
    return con.execute(f"SELECT * FROM {name} ORDER BY {cols}").df()


def test_a_revision_rebuilds_its_indicators_to_what_a_full_build_gives(tmp_path):
    db = tmp_path / "inc.duckdb"
    base, revision = sample_batches()
    load_and_build(base, db)
    con = duckdb.connect(str(db), read_only=True)
    before = table(con, "mart_scorecard")
    con.close()
    result = load_and_build(revision, db)  # KOSTRA's June figures: the incremental path
    assert result.touched and {s for s, _, _ in result.touched} == {"kostra"}
    full = tmp_path / "full.duckdb"
    shutil.copy(db, full)
    con = duckdb.connect(str(full))
    build_marts(con)  # everything from scratch
    want_values, want_card = table(con, "mart_indicator_values"), table(con, "mart_scorecard")
    con.close()
    con = duckdb.connect(str(db), read_only=True)
    got_values, got_card = table(con, "mart_indicator_values"), table(con, "mart_scorecard")
    con.close()
    pd.testing.assert_frame_equal(got_values, want_values, check_dtype=False)
    pd.testing.assert_frame_equal(got_card, want_card, check_dtype=False)
    # and the revision did change something: the incremental build is not a no-op
    assert not before.equals(got_card)


def test_only_the_touched_indicators_are_rebuilt(tmp_path):
    db = tmp_path / "inc.duckdb"
    base, _ = sample_batches()
    load_and_build(base, db)
    con = duckdb.connect(str(db))
    kostra = {r[0] for r in con.execute("SELECT indicator_id FROM indicators WHERE source = 'kostra'").fetchall()}
    other = con.execute("SELECT indicator_id FROM indicators WHERE source <> 'kostra' LIMIT 1").fetchone()[0]
    measures = set(
        con.execute(
            "SELECT DISTINCT source, measure_code, measure_name FROM observations WHERE source = 'kostra'"
        ).fetchall()
    )
    # mark both marts: one row of an untouched indicator and one of a touched one go missing
    for iid in (other, sorted(kostra)[0]):
        con.execute("DELETE FROM mart_scorecard WHERE indicator_id = ?", [iid])
    build_marts(con, touched=measures)
    left = {r[0] for r in con.execute("SELECT DISTINCT indicator_id FROM mart_scorecard").fetchall()}
    assert sorted(kostra)[0] in left  # rebuilt
    assert other not in left  # not touched, so not rebuilt
    build_marts(con)  # a full build restores it
    assert other in {r[0] for r in con.execute("SELECT DISTINCT indicator_id FROM mart_scorecard").fetchall()}
    con.close()


def test_a_changed_registry_rebuilds_everything(tmp_path):
    db = tmp_path / "inc.duckdb"
    base, _ = sample_batches()
    load_and_build(base, db)
    con = duckdb.connect(str(db))
    other = con.execute("SELECT indicator_id FROM indicators WHERE source <> 'kostra' LIMIT 1").fetchone()[0]
    con.execute("DELETE FROM mart_scorecard WHERE indicator_id = ?", [other])
    con.execute("UPDATE indicators SET title = title || ' (gammel)'")  # as if indicators.yml had changed since
    build_marts(con, touched={("kostra", "x", "x")})
    assert other in {r[0] for r in con.execute("SELECT DISTINCT indicator_id FROM mart_scorecard").fetchall()}
    con.close()
