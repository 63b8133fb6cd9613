"""A load reaches the running app (issue 15): the next page run shows the new data, a run in
progress keeps the version it started with, replaced versions are closed, every page says
when the data were loaded, and the sample label follows what is in the database."""

import os
import shutil
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import REAL, ROOT, run_etl, sha
from oppvekst.db import Database

APP = str(ROOT / "app.py")

# A KOSTRA extract in SSB's PxWebApi v2 CSV shape (README: title line, region "code - name",
# measure code + text + year in the header): hjemmebesøk for 2026, a year the sample lacks.
NEW_KOSTRA = (
    '"11211: Helsestasjon. Nøkkeltall (K) (testfil)"\n'
    '"region","KOSandelhjemmebe0000 Andel hjemmebesøk til nyfødte innen 14 dager etter hjemkomst (prosent) 2026"\n'
    '"EAK - Landet",88.1\n'
    '"4601 - Bergen",93.7\n'
)


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture
def live_db(tmp_path, sample_db) -> Path:
    path = tmp_path / "live" / "oppvekst.duckdb"
    path.parent.mkdir()
    shutil.copy(sample_db, path)
    return path


@pytest.fixture
def new_kostra(tmp_path) -> Path:
    path = tmp_path / "hjemmebesok_2026.csv"
    path.write_text(NEW_KOSTRA, encoding="utf-8")
    return path


def run_page(monkeypatch, db: Path, page: str, **query) -> AppTest:
    monkeypatch.setenv("OPPVEKST_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    if page != "pages/malekart.py":
        at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def newest_load(at: AppTest) -> tuple[int, str]:
    loads = at.dataframe[0].value
    return int(loads["Nr."].iloc[0]), loads["Fil"].iloc[0]


def swap_in(version: Path, target: Path) -> None:
    """What the ETL does: a complete new file beside the live one, then os.replace."""
    tmp = target.with_name(f".{target.name}.build-test")
    shutil.copy(version, tmp)
    os.replace(tmp, target)


def open_db_files(path: Path) -> list[str]:
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if link.startswith(str(path)):
            names.append(link)
    return names


def test_a_load_reaches_the_next_page_run_without_restart(monkeypatch, live_db, new_kostra):
    at = run_page(monkeypatch, live_db, "pages/datagrunnlag.py")
    before = newest_load(at)
    ind = run_page(monkeypatch, live_db, "pages/indikator.py", indikator="kostra_hjemmebesok", omrade="4601")
    assert "Bergen, 2025:" in ind.markdown[0].value

    out = run_etl("load", str(new_kostra), "--db", str(live_db))  # the analyst, in another terminal
    assert out.returncode == 0, out.stderr

    at = run_page(monkeypatch, live_db, "pages/datagrunnlag.py")
    assert newest_load(at) == (before[0] + 1, new_kostra.name)
    ind = run_page(monkeypatch, live_db, "pages/indikator.py", indikator="kostra_hjemmebesok", omrade="4601")
    assert "Bergen, 2026:" in ind.markdown[0].value and "93,7" in ind.markdown[0].value


def test_a_run_in_progress_keeps_its_version_and_replaced_versions_are_closed(tmp_path, live_db, new_kostra):
    newer = tmp_path / "newer.duckdb"
    shutil.copy(live_db, newer)
    assert run_etl("load", str(new_kostra), "--db", str(newer)).returncode == 0
    db = Database(live_db)
    count = "SELECT count(*) FROM loads"
    old_pin = db.pin()
    with old_pin.cursor() as cur:
        old_loads = cur.execute(count).fetchone()[0]
    swap_in(newer, live_db)
    with db.pin() as new_pin, new_pin.cursor() as cur:
        assert cur.execute(count).fetchone()[0] == old_loads + 1  # a new run sees the new file
    with old_pin.cursor() as cur:  # the run that started before the swap still reads the old one
        assert cur.execute(count).fetchone()[0] == old_loads
        assert cur.execute("SELECT count(*) FROM loads WHERE file_name = ?", [new_kostra.name]).fetchone()[0] == 0
    assert db.open_versions() == 2
    old_pin.release()
    assert db.open_versions() == 1  # closed once no run holds it
    assert not any(n.endswith("(deleted)") for n in open_db_files(live_db))
    db.close()


def test_twenty_loads_leave_at_most_two_open_database_files(monkeypatch, tmp_path, live_db, new_kostra):
    versions = [tmp_path / "a.duckdb", tmp_path / "b.duckdb"]
    shutil.copy(live_db, versions[0])
    shutil.copy(live_db, versions[1])
    assert run_etl("load", str(new_kostra), "--db", str(versions[1])).returncode == 0
    expected = []
    for v in versions:
        con = duckdb.connect(str(v), read_only=True)
        expected.append(con.execute("SELECT max(load_id) FROM loads").fetchone()[0])
        con.close()
    for i in range(20):
        swap_in(versions[i % 2], live_db)
        at = run_page(monkeypatch, live_db, "pages/datagrunnlag.py")
        assert newest_load(at)[0] == expected[i % 2], f"swap {i + 1}: the page shows an old version"
        held = open_db_files(live_db)
        assert len(held) <= 2, f"after swap {i + 1} the app holds {len(held)} database files: {held}"


def test_every_page_says_when_the_data_were_loaded(monkeypatch, live_db):
    con = duckdb.connect(str(live_db), read_only=True)
    when = con.execute("SELECT max(loaded_at) FROM loads").fetchone()[0]
    con.close()
    from oppvekst.formatting import timestamp

    stamp = f"Data sist oppdatert {timestamp(when)}"
    assert stamp.startswith("Data sist oppdatert ") and " kl. " in stamp
    for page in (
        "pages/malekart.py",
        "pages/indikator.py",
        "pages/omrader.py",
        "pages/omradeprofil.py",
        "pages/resultatavtaler.py",
        "pages/datagrunnlag.py",
    ):
        at = run_page(monkeypatch, live_db, page)
        assert any(c.value == stamp for c in at.caption), (page, [c.value for c in at.caption][:3])


def test_timestamp_is_norwegian_time_and_format():
    import datetime as dt

    from oppvekst.formatting import timestamp

    # 13:05 UTC is 14:05 in Oslo in winter and 15:05 in summer
    assert timestamp(dt.datetime(2026, 11, 25, 13, 5, tzinfo=dt.UTC)) == "25.11.2026 kl. 14.05"
    assert timestamp(dt.datetime(2026, 6, 1, 13, 5, tzinfo=dt.UTC)) == "01.06.2026 kl. 15.05"


def test_sample_banner_follows_the_rows_in_the_database(monkeypatch, live_db, new_kostra, tmp_path):
    warnings = lambda at: " ".join(w.value for w in at.warning)
    at = run_page(monkeypatch, live_db, "pages/malekart.py")
    assert "Eksempeldata – ikke ekte tall" in warnings(at)

    assert run_etl("load", str(new_kostra), "--db", str(live_db)).returncode == 0  # real rows join sample rows
    st.cache_data.clear()
    at = run_page(monkeypatch, live_db, "pages/malekart.py")
    assert "Blanding av eksempeldata og ekte tall" in warnings(at)
    assert "Eksempeldata – ikke ekte tall" not in warnings(at)

    real_only = tmp_path / "real.duckdb"  # only genuine downloads: no label at all
    assert (
        run_etl(
            "load", str(REAL / "udir_statistikkbanken_elevundersokelsen_mobbing_vgo.csv"), "--db", str(real_only)
        ).returncode
        == 0
    )
    at = run_page(monkeypatch, real_only, "pages/datagrunnlag.py")
    assert "eksempeldata" not in warnings(at).lower()
    assert any(c.value.startswith("Data sist oppdatert") for c in at.caption)


def test_load_summary_warns_when_no_indicator_uses_the_rows(live_db, new_kostra):
    before = sha(live_db)
    out = run_etl("load", str(REAL / "ssb_statbank_web_11616.csv"), "--db", str(live_db))
    assert out.returncode == 0, out.stderr
    assert "feed no indicator" in out.stdout and "indicators.yml" in out.stdout
    assert "Sysselsatte" in out.stdout or "sysselsatte" in out.stdout.lower()  # the measure is named
    assert sha(live_db) != before  # the rows are stored all the same
    used = run_etl("load", str(new_kostra), "--db", str(live_db))
    assert used.returncode == 0 and "feed no indicator" not in used.stdout
