"""The Streamlit pages, headless (AppTest): they render the mart's numbers, label sample
data, and show registry problems instead of crashing."""
import shutil

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from oppvekst.marts import build_marts

APP = str(ROOT / "app.py")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def run_app(monkeypatch, db, query=None):
    monkeypatch.setenv("OPPVEKST_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def table_text(at) -> str:
    return "\n".join(t.value.to_csv() for t in list(at.table) + list(at.dataframe))


def test_malekart_renders_groups_and_sample_label(monkeypatch, sample_db):
    at = run_app(monkeypatch, sample_db)
    assert at.title[0].value == "Målekart"
    assert any("Eksempeldata – ikke ekte tall" in w.value for w in at.warning)
    assert [h.value.split(":")[0] for h in at.subheader] == ["Mål 1", "Mål 2", "Mål 3", "Mål 4"]
    assert at.selectbox[0].value == "4601"
    text = table_text(at)
    assert "prosentpoeng" in text and "innen 2027-28" in text


def test_malekart_area_from_url_and_numbers_equal_the_mart(monkeypatch, sample_db):
    at = run_app(monkeypatch, sample_db, {"omrade": "460103"})
    assert at.selectbox[0].value == "460103"
    con = duckdb.connect(str(sample_db), read_only=True)
    v, lo, hi, period, verdict = con.execute("""SELECT value, ci_low, ci_high, period, change_verdict FROM mart_scorecard
        WHERE indicator_id='ung_depr' AND grp='alle' AND area_code='460103' AND period_type='pooled'
        ORDER BY year_end DESC LIMIT 1""").fetchone()
    nb = lambda x: f"{x:.1f}".replace(".", ",")  # noqa: E731
    shown = f"{nb(v)}\u00a0prosent [{nb(lo)}–{nb(hi)}] ({period})"
    text = table_text(at)
    assert shown in text and verdict in text


def test_changing_area_updates_url(monkeypatch, sample_db):
    at = run_app(monkeypatch, sample_db)
    at.selectbox[0].select("3201").run()
    assert at.query_params["omrade"] == ["3201"] or at.query_params["omrade"] == "3201"
    assert not at.exception


def test_registry_error_is_shown_not_crashed(monkeypatch, sample_db, tmp_path):
    db = tmp_path / "bad.duckdb"
    shutil.copy(sample_db, db)
    bad = tmp_path / "indicators.yml"
    bad.write_text((ROOT / "indicators.yml").read_text(encoding="utf-8").replace("polarity: lower_is_better", "polarity: down", 1),
                   encoding="utf-8")
    con = duckdb.connect(str(db))
    build_marts(con, bad)
    con.close()
    at = run_app(monkeypatch, db)
    assert any("indicators.yml" in e.value and "eu_mobbing_10" in e.value and "polarity" in e.value for e in at.error)


def test_missing_database_says_what_to_do(monkeypatch, tmp_path):
    at = run_app(monkeypatch, tmp_path / "none.duckdb")
    assert any("make run" in e.value for e in at.error)


def test_datagrunnlag_page(monkeypatch, sample_db):
    monkeypatch.setenv("OPPVEKST_DB", str(sample_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/datagrunnlag.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Datagrunnlag"
    frames = [d.value for d in at.dataframe]
    assert any("Fil" in f.columns and len(f) == 12 for f in frames)  # 12 sample files
    assert any("Med verdi" in f.columns and len(f) > 0 for f in frames)
    assert any("Gammel verdi" in f.columns and len(f) > 0 for f in frames)  # the June revision
    assert any("Slik regner vi" in s.value for s in at.subheader)
