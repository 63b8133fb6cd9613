"""The Streamlit pages, headless (AppTest): they render the mart's numbers, label sample
data, and show registry problems instead of crashing."""

import html
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, run_app
from oppvekst.formatting import period_text
from oppvekst.marts import build_marts

APP = str(ROOT / "app.py")


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


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
    v, lo, hi, period, verdict = (
        con.execute("""SELECT value, ci_low, ci_high, period, change_verdict FROM mart_scorecard
        WHERE indicator_id='ung_depr' AND grp='alle' AND area_code='460103' AND period_type='pooled'
        ORDER BY year_end DESC LIMIT 1""").fetchone()
    )
    nb = lambda x: f"{x:.1f}".replace(".", ",")
    # on the page: the status in the cell, its interval one hover away (the cell's title), not in the cell
    page = html.unescape("\n".join(m.value for m in at.markdown))
    assert f">{nb(v)}\u00a0prosent ({period})<" in page and verdict in page
    assert f'title="95 prosents konfidensintervall: {nb(lo)}–{nb(hi)} prosent' in page
    assert f"[{nb(lo)}–{nb(hi)}]" not in page
    # one click away: the grid has the interval in a column of its own
    assert f"[{nb(lo)}–{nb(hi)}]" in table_text(at)


def test_changing_area_updates_url(monkeypatch, sample_db):
    at = run_app(monkeypatch, sample_db)
    at.selectbox[0].select("3201").run()
    assert at.query_params["omrade"] == ["3201"] or at.query_params["omrade"] == "3201"
    assert not at.exception


def test_registry_error_is_shown_not_crashed(monkeypatch, sample_db, tmp_path):
    db = tmp_path / "bad.duckdb"
    shutil.copy(sample_db, db)
    bad = tmp_path / "indicators.yml"
    bad.write_text(
        (ROOT / "indicators.yml").read_text(encoding="utf-8").replace("polarity: lower_is_better", "polarity: down", 1),
        encoding="utf-8",
    )
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


def run_page(monkeypatch, db, page, query=None):
    monkeypatch.setenv("OPPVEKST_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_indikator_page_numbers_equal_the_mart(monkeypatch, sample_db):
    at = run_page(monkeypatch, sample_db, "pages/indikator.py", {"omrade": "460103", "indikator": "eu_mobbing_10"})
    assert at.title[0].value == "Indikator"
    table = at.dataframe[0].value
    con = duckdb.connect(str(sample_db), read_only=True)
    v, period = (
        con.execute("""SELECT value, period FROM mart_scorecard WHERE indicator_id='eu_mobbing_10' AND grp='alle'
                               AND area_code='460103' ORDER BY year_end DESC LIMIT 1""").fetchone()
    )
    row = table[(table["Område"] == "Fana") & (table["Periode"] == period)]
    assert row["Verdi"].iloc[0] == f"{v:.1f}".replace(".", ",") + "\u00a0prosent"
    # «Fordelt på» kjønn (issue 19; was the toggle «Vis gutter og jenter»): gutter and jenter rows appear
    at.radio(key="pick_fordelt_eu_mobbing_10").set_value("kjonn").run()
    assert not at.exception
    assert {"gutter", "jenter"} <= set(at.dataframe[0].value["Kjønn"])
    assert len(at.get("download_button")) == 4  # tall (CSV, Parquet) and som vist (CSV, Excel)
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        "Last ned tall for analyse (CSV)",
        "Last ned tall for analyse (Parquet)",
        "Last ned som vist (CSV)",
        "Last ned som vist (Excel)",
    ]
    # a bydel is held against its kommune (one benchmark rule), with the kommune's and landet's numbers
    summary = next(m.value for m in at.markdown if "Endring:" in m.value)
    assert "Mot kommunen: **" in summary and "Mot landet" not in summary
    assert "Bergen" in summary.split("Mot kommunen:")[1] and "landet" in summary.split("Mot kommunen:")[1]
    legend = " ".join(c.value for c in at.caption)
    assert "95 % KI" in legend and "↑/↓ sikker økning/nedgang" in legend and "usikkert om målet nås" in legend


def test_indikator_page_with_no_data_for_area(monkeypatch, sample_db):
    # Bamble has no Ungdata bydel values and no fravær: the page must say so, not crash
    at = run_page(monkeypatch, sample_db, "pages/indikator.py", {"omrade": "4012", "indikator": "fravaer_bekymring_10"})
    assert any("Ingen tall for Bamble" in i.value for i in at.info)


def test_omrader_page_sorted_with_reference(monkeypatch, sample_db):
    at = run_page(monkeypatch, sample_db, "pages/omrader.py", {"omrade": "4601", "indikator": "ung_trygg"})
    table = at.dataframe[0].value
    # «? kan ikke sammenlignes» always says why (review of issue 19)
    assert len(table) == 8 and set(table["Mot Bergen"]) <= {
        "▲ bedre",
        "● omtrent likt",
        "● omtrent likt – utenfor 95 %-grensen, men innenfor 99,8 %: ikke et sikkert avvik",  # the funnel
        "▼ dårligere",
        "? kan ikke sammenlignes: tallet vises ikke",
        "? kan ikke sammenlignes: uten intervall (kilden oppgir ikke antall svar)",
        "? kan ikke sammenlignes: Bergen har ikke tall for perioden",
    }
    vals = [float(v.split("\u00a0")[0].replace(",", ".")) for v in table["Verdi"] if not v.startswith("vises")]
    assert vals == sorted(vals, reverse=True)  # higher is better: best first
    legend = " ".join(c.value for c in at.caption)
    assert "Mot Bergen: ▲ sikkert bedre" in legend and "95 % KI" in legend and "? kan ikke sammenlignes" in legend
    at.radio[0].set_value("kommune").run()
    assert not at.exception and len(at.dataframe[0].value) == 4
    assert "Mot landet" in at.dataframe[0].value.columns  # «landet», not «Hele landet», in names and text
    assert not any("Hele landet" in m.value for m in at.markdown)


def test_omradeprofil_and_resultatavtaler(monkeypatch, sample_db):
    at = run_page(monkeypatch, sample_db, "pages/omradeprofil.py", {"omrade": "460101"})
    assert any(
        "skiller seg tydelig ut fra kommunen (statistisk sikker forskjell) på" in m.value
        and "Resten er omtrent som kommunen" in m.value
        for m in at.markdown
    )
    legend = " ".join(c.value for c in at.caption)
    assert "Mot kommunen: ▲ sikkert bedre" in legend and "95 % KI" in legend
    at = run_page(monkeypatch, sample_db, "pages/omradeprofil.py", {"omrade": "4601"})
    assert any("Velg en bydel" in i.value for i in at.info)
    at = run_page(monkeypatch, sample_db, "pages/resultatavtaler.py", {"omrade": "4601"})
    text = table_text(at)
    assert "Tiltak 5" in text and "0-punkt" in text
    at.selectbox[0].select("Byrådsavdeling for helse og omsorg (BHO)").run()
    assert not at.exception and "Hjemmebesøk" in table_text(at)


@pytest.mark.parametrize(
    "page",
    [
        "pages/malekart.py",
        "pages/indikator.py",
        "pages/omrader.py",
        "pages/omradeprofil.py",
        "pages/resultatavtaler.py",
        "pages/rapport.py",
        "pages/datagrunnlag.py",
    ],
)
def test_every_page_survives_a_registry_error(monkeypatch, sample_db, tmp_path, page):
    db = tmp_path / "bad.duckdb"
    shutil.copy(sample_db, db)
    bad = tmp_path / "indicators.yml"
    bad.write_text("indicators:\n  - id: x\n    title: X\n", encoding="utf-8")
    con = duckdb.connect(str(db))
    build_marts(con, bad)
    con.close()
    at = run_page(monkeypatch, db, page, {"omrade": "460101"})
    assert any("indicators.yml" in e.value for e in at.error)


@pytest.fixture(scope="module")
def all_suppressed_db(sample_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("supp") / "supp.duckdb"
    shutil.copy(sample_db, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE observations SET value = NULL, suppressed = TRUE, symbol = ':'")
    build_marts(con)
    con.close()
    return db


@pytest.mark.parametrize(
    "page",
    [
        "pages/malekart.py",
        "pages/indikator.py",
        "pages/omrader.py",
        "pages/omradeprofil.py",
        "pages/resultatavtaler.py",
        "pages/rapport.py",
        "pages/datagrunnlag.py",
    ],
)
def test_every_page_works_when_everything_is_suppressed(monkeypatch, all_suppressed_db, page):
    at = run_page(monkeypatch, all_suppressed_db, page, {"omrade": "460101", "indikator": "ung_depr"})
    text = table_text(at) + "\n".join(m.value for m in at.markdown) + "\n".join(i.value for i in at.info)
    import re

    assert not re.search(r"(?<![\d,])0,0\u00a0prosent", text)  # never shown as zero
    if page == "pages/malekart.py":
        assert "vises ikke: skjermet av kilden" in text


def test_indikator_shows_control_chart_for_monthly_fravaer(monkeypatch, sample_db):
    at = run_page(
        monkeypatch, sample_db, "pages/indikator.py", {"omrade": "460103", "indikator": "fravaer_bekymring_10"}
    )
    assert any("styringsdiagram" in s.value for s in at.subheader)
    assert any("variasjon" in m.value and "Mot målet" in m.value for m in at.markdown)
    # the month as it is said («juni 2025», not «2025M06»), and the chart's rules in plain words
    con = duckdb.connect(str(sample_db), read_only=True)
    last = con.execute(
        "SELECT max(period) FROM mart_scorecard WHERE indicator_id = 'fravaer_bekymring_10' "
        "AND area_code = '460103' AND period_type = 'month'"
    ).fetchone()[0]
    assert any(f"**Siste måned ({period_text(last)}):**" in m.value for m in at.markdown), last
    captions = " ".join(c.value for c in at.caption)
    assert "2 av 3 punkter på rad nær samme kontrollgrense" in captions
    assert not any(word in captions for word in ("XmR", "σ", last))
    at = run_page(monkeypatch, sample_db, "pages/indikator.py", {"omrade": "460103", "indikator": "ung_depr"})
    assert not any("styringsdiagram" in s.value for s in at.subheader)  # no monthly data: no chart


def test_pages_on_a_database_of_real_extracts(monkeypatch, tmp_path):
    """Not sample data: no sample label, and pages say what to do when indicators have no data."""
    from conftest import REAL
    from etl.store import load

    db = tmp_path / "real.duckdb"
    load(sorted(REAL.iterdir()), db, post_build=build_marts)
    for page in ("pages/malekart.py", "pages/datagrunnlag.py", "pages/indikator.py"):
        at = run_page(monkeypatch, db, page)
        assert not any("Eksempeldata" in w.value for w in at.warning)
        if page != "pages/datagrunnlag.py":
            assert any("Ingen indikatorer har data" in i.value or "Last inn" in i.value for i in at.info)


def test_omrader_schools_of_a_bydel(monkeypatch, sample_db):
    at = run_page(monkeypatch, sample_db, "pages/omrader.py", {"omrade": "460103", "indikator": "eu_mobbing_10"})
    at.radio[0].set_value("skole").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["Område"]) == {"Fana skole (eksempel)", "Nesttun skole (eksempel)", "Skjold skole (eksempel)"}
    at.selectbox[1].select("4601").run()  # a kommune: every school in its bydeler, against the kommune
    assert not at.exception and at.radio[0].value == "skole"
    table = at.dataframe[0].value
    assert len(table) == 20 and "Mot Bergen" in table.columns
    at.selectbox[1].select("3201").run()  # Bærum has no schools here: the page says what to do
    assert any("Ingen skoler med tall her" in i.value for i in at.info)
