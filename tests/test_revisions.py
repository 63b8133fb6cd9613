"""A reload is compared cell by cell with what is stored (etl.store._write): a cell where only n
or sd changed is a revision too, because n and sd decide every interval and verdict (issue 21).
The files are written here in documented formats - the fravær template (README, "Fraværsmalen")
and Udir's Eksport API JSON - and loaded in process through etl.store.load."""

import json

import duckdb
import pytest

from etl.store import load

HEAD = (
    "skole_orgnr;skolenavn;periode;trinn;kjonn;antall_elever;elever_minst_10_prosent_fravaer;"
    "gjennomsnitt_fravaer_prosent;andel_dokumentert_prosent\n"
)
SCHOOL = "975297101"  # Falkåsen (Bamble), as in tests/test_load.py


def template(path, n, high, mean="5,6", doc="61,0", extra=""):
    path.write_text(HEAD + f"{SCHOOL};Skole X;2024-25;10;alle;{n};{high};{mean};{doc}\n" + extra, encoding="utf-8")
    return path


def udir(path, score="4,29", sd="0,79", n="2380", indent=None):
    rec = {
        "Spoersmaalkode": "EUIndeks_Trivsel",
        "Spoersmaalnavn": "Trivsel",
        "Skoleaarnavn": "2023-24",
        "EnhetNivaa": 3,
        "Fylkekode": "46",
        "Kommunekode": "4601",
        "Organisasjonsnummer": "4601",
        "EnhetNavn": "Bergen",
        "Trinnnavn": "7. årstrinn",
        "Kjoenn": "Begge kjønn",
        "EierformNavn": "Alle eierformer",
        "Score": score,
        "Standardavvik": sd,
        "AntallBesvart": n,
    }
    path.write_text(json.dumps([rec], ensure_ascii=False, indent=indent), encoding="utf-8")  # indent: other bytes
    return path


def q(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def counts(result):
    f = [f for f in result.files if not f.skipped]
    assert len(f) == 1
    return f[0].new, f[0].revised, f[0].unchanged


def test_first_load_is_new(db, tmp_path):
    r = load([template(tmp_path / "a.csv", 80, 12)], db)
    assert counts(r) == (3, 0, 0) and r.changed
    assert q(db, "SELECT count(*) FROM revisions") == [(0,)]
    assert q(db, "SELECT new_rows, revised_rows, unchanged_rows, status FROM loads") == [(3, 0, 0, "loaded")]


def test_same_numbers_in_a_new_file_are_unchanged(db, tmp_path):
    load([template(tmp_path / "a.csv", 80, 12)], db)
    r = load([template(tmp_path / "b.csv", 80, 12, extra="\n")], db)  # other bytes, same cells
    assert counts(r) == (0, 0, 3)
    assert q(db, "SELECT count(*) FROM revisions") == [(0,)]
    assert q(db, "SELECT count(*) FROM observations") == [(3,)]
    assert q(db, "SELECT load_id FROM observations GROUP BY ALL") == [(1,)]  # the stored rows stay


def test_only_n_changed_is_a_revision(db, tmp_path):
    # 12 of 80 and 24 of 160 are both 15 %: the shares and means are equal, n doubles
    load([template(tmp_path / "a.csv", 80, 12)], db)
    r = load([template(tmp_path / "b.csv", 160, 24)], db)
    assert counts(r) == (0, 3, 0)
    assert q(db, "SELECT measure_code, old_value, new_value, old_load_id, new_load_id FROM revisions ORDER BY 1") == [
        ("fravaer_andel_dokumentert", 61.0, 61.0, 1, 2),
        ("fravaer_minst_10_prosent", 15.0, 15.0, 1, 2),
        ("fravaer_snitt_prosent", 5.6, 5.6, 1, 2),
    ]
    assert q(db, "SELECT DISTINCT n, load_id FROM observations") == [(160.0, 2)]
    assert q(db, "SELECT count(*) FROM observations") == [(3,)]
    assert q(db, "SELECT load_id, new_rows, revised_rows, unchanged_rows FROM loads ORDER BY 1") == [
        (1, 3, 0, 0),
        (2, 0, 3, 0),
    ]


def test_value_and_n_changed_together(db, tmp_path):
    load([template(tmp_path / "a.csv", 80, 12)], db)
    r = load([template(tmp_path / "b.csv", 80, 16, mean="5,6", doc="61,0")], db)
    assert counts(r) == (0, 1, 2)  # only the share of pupils with >= 10 % absence changed
    assert q(db, "SELECT measure_code, old_value, new_value FROM revisions") == [
        ("fravaer_minst_10_prosent", 15.0, 20.0)
    ]


def test_only_sd_changed_is_a_revision(db, tmp_path):
    load([udir(tmp_path / "a.json")], db)
    assert q(db, "SELECT value, n, sd FROM observations") == [(4.29, 2380.0, 0.79)]
    r = load([udir(tmp_path / "b.json", sd="0,81")], db)
    assert counts(r) == (0, 1, 0)
    assert q(db, "SELECT old_value, new_value FROM revisions") == [(4.29, 4.29)]
    assert q(db, "SELECT value, n, sd FROM observations") == [(4.29, 2380.0, 0.81)]


def test_sd_appearing_or_disappearing_is_a_revision(db, tmp_path):
    load([udir(tmp_path / "a.json")], db)
    assert counts(load([udir(tmp_path / "b.json", sd="")], db)) == (0, 1, 0)
    assert q(db, "SELECT sd FROM observations") == [(None,)]
    assert counts(load([udir(tmp_path / "c.json", sd="0,79", indent=1)], db)) == (0, 1, 0)


def test_only_n_changed_in_udir_and_suppression(db, tmp_path):
    load([udir(tmp_path / "a.json")], db)
    assert counts(load([udir(tmp_path / "b.json", n="2381")], db)) == (0, 1, 0)
    # the value withdrawn by the publisher ('*'): a revision with the old value kept in the log
    assert counts(load([udir(tmp_path / "c.json", score="*")], db)) == (0, 1, 0)
    assert q(db, "SELECT value, suppressed, symbol FROM observations") == [(None, True, "*")]
    assert q(db, "SELECT old_value, new_value, old_symbol, new_symbol FROM revisions ORDER BY new_load_id") == [
        (4.29, 4.29, "", ""),
        (4.29, None, "", "*"),
    ]
    assert counts(load([udir(tmp_path / "d.json", score="*", n="2382")], db)) == (0, 1, 0)
    assert counts(load([udir(tmp_path / "e.json", score="*", n="2382", sd="0,8")], db)) == (0, 1, 0)
    assert counts(load([udir(tmp_path / "f.json", score="*", n="2382", sd="0,8", indent=1)], db)) == (0, 0, 1)


def test_two_files_in_one_load(db, tmp_path):
    r = load([template(tmp_path / "a.csv", 80, 12), udir(tmp_path / "b.json")], db)
    assert sorted((f.name, f.new) for f in r.files) == [("a.csv", 3), ("b.json", 1)]
    assert q(db, "SELECT file_name, load_id FROM loads ORDER BY 2") == [("a.csv", 1), ("b.json", 2)]
    assert q(db, "SELECT DISTINCT file_name, load_id FROM observations ORDER BY 2") == [("a.csv", 1), ("b.json", 2)]
    r2 = load([template(tmp_path / "c.csv", 160, 24), udir(tmp_path / "b.json")], db)  # b.json already loaded
    assert [(f.name, f.skipped, f.revised) for f in r2.files] == [("b.json", True, 0), ("c.csv", False, 3)]
    assert q(db, "SELECT max(load_id) FROM loads") == [(3,)]


def test_a_reload_of_the_same_bytes_changes_nothing(db, tmp_path):
    f = template(tmp_path / "a.csv", 80, 12)
    load([f], db)
    r = load([f], db)
    assert not r.changed and [x.skipped for x in r.files] == [True]
    assert q(db, "SELECT count(*) FROM loads") == [(1,)]


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch):
    monkeypatch.delenv("OPPVEKST_DB", raising=False)


def test_the_load_log_describes_each_file(db, tmp_path):
    r = load([template(tmp_path / "a.csv", 80, 12), udir(tmp_path / "b.json", score="*")], db)
    by_name = {f.name: f for f in r.files}
    assert (by_name["a.csv"].format, by_name["a.csv"].source, by_name["a.csv"].rows, by_name["a.csv"].suppressed) == (
        "Fraværsmal (aggregert fra skolens system)",
        "fravaer",
        3,
        0,
    )
    assert (by_name["b.json"].source, by_name["b.json"].rows, by_name["b.json"].suppressed) == (
        "elevundersokelsen",
        1,
        1,
    )
    logged = q(db, "SELECT file_name, format, source, rows, suppressed, loaded_at FROM loads ORDER BY load_id")
    assert [row[:5] for row in logged] == [
        ("a.csv", "Fraværsmal (aggregert fra skolens system)", "fravaer", 3, 0),
        ("b.json", "Udir Eksport API (long JSON/CSV)", "elevundersokelsen", 1, 1),
    ]
    assert all(row[5] is not None and row[5].microsecond == 0 for row in logged)
    load([template(tmp_path / "c.csv", 160, 24)], db)
    stamps = q(db, "SELECT DISTINCT revised_at FROM revisions")
    assert len(stamps) == 1 and stamps[0][0] is not None and stamps[0][0].microsecond == 0
