"""The load command end to end: all or nothing, idempotent, revisions, harmonised codes,
clear errors that leave the database byte-for-byte unchanged, and no lock errors for a
reader."""

import json
import subprocess
import sys
import textwrap

import duckdb
import pytest

from conftest import REAL, run_etl, sha

REAL_FILES = sorted(str(p) for p in REAL.iterdir())


def q(db, sql, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_every_genuine_file_loads(db):
    r = run_etl("load", *REAL_FILES, "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "144 new" in r.stdout and "Traceback" not in r.stderr
    # 3813 Bamble (2020-2023) is stored under the 2024 code 4012, keeping the file's code
    assert q(
        db,
        "SELECT area_code, area_name, source_area_code, value FROM observations "
        "WHERE source='ssb' AND source_area_code='3813' AND measure_name LIKE 'Sysselsatte personer bosatt%'",
    ) == [("4012", "Bamble", "3813", 6656.0)]
    assert q(db, "SELECT count(*) FROM loads") == [(3,)]
    # a school (barnehage) with its org.nr and parent kommune
    assert q(db, "SELECT area_name, area_level, parent_code FROM areas WHERE area_code='975297101'") == [
        ("Falkåsen barnehage", "skole", "4012")
    ]


def test_reload_changes_nothing(db):
    assert run_etl("load", *REAL_FILES, "--db", str(db)).returncode == 0
    before = sha(db)
    r = run_etl("load", *REAL_FILES, "--db", str(db))
    assert r.returncode == 0 and "already loaded" in r.stdout
    assert sha(db) == before


def _jsonstat(values, status=None, updated="2025-03-15"):
    return json.dumps(
        {
            "version": "2.0",
            "class": "dataset",
            "label": "12275: Barnevern (K)",
            "source": "Statistisk sentralbyrå",
            "updated": updated,
            "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
            "size": [3, 1, 1],
            "dimension": {
                "KOKkommuneregion0000": {"category": {"index": ["EAK", "3813", "4012"]}},
                "ContentsCode": {"category": {"index": ["KOSbvbarnuspinnb0000"]}},
                "Tid": {"category": {"index": ["2023"]}},
            },
            "value": values,
            "status": status or {},
        }
    )


def test_revision_replaces_and_is_recorded(db, tmp_path):
    march = tmp_path / "march.json"
    june = tmp_path / "june.json"
    march.write_text(_jsonstat([4.1, 5.0, None]))
    june.write_text(_jsonstat([4.2, 5.0, None], updated="2025-06-15"))
    assert run_etl("load", str(march), "--db", str(db)).returncode == 0
    r = run_etl("load", str(june), "--db", str(db))
    assert r.returncode == 0 and "1 revised, 1 unchanged" in r.stdout, r.stdout
    assert q(db, "SELECT value FROM observations WHERE area_code='0'") == [(4.2,)]
    assert q(db, "SELECT old_value, new_value FROM revisions") == [(4.1, 4.2)]
    assert q(db, "SELECT count(*) FROM loads") == [(2,)]


def test_value_under_old_code_beats_missing_marker_under_new(db, tmp_path):
    f = tmp_path / "k.json"
    # 3813 (old Bamble) has 5.0; 4012 (new Bamble) has '..' for the same year
    f.write_text(_jsonstat([4.1, 5.0, None], {"2": ".."}))
    assert run_etl("load", str(f), "--db", str(db)).returncode == 0
    assert q(db, "SELECT value, source_area_code FROM observations WHERE area_code='4012'") == [(5.0, "3813")]


def test_suppressed_missing_and_zero_are_kept_apart(db, tmp_path):
    f = tmp_path / "k.json"
    doc = json.loads(_jsonstat([0.0, None, None], {"1": ":", "2": ".."}))
    doc["dimension"]["KOKkommuneregion0000"]["category"]["index"] = ["EAK", "4601", "4222"]
    f.write_text(json.dumps(doc))
    assert run_etl("load", str(f), "--db", str(db)).returncode == 0
    assert q(db, "SELECT area_code, value, suppressed, symbol FROM observations ORDER BY area_code") == [
        ("0", 0.0, False, ""),
        ("4222", None, False, ".."),
        ("4601", None, True, ":"),
    ]


TEMPLATE_HEAD = (
    "skole_orgnr;skolenavn;periode;trinn;kjonn;antall_elever;elever_minst_10_prosent_fravaer;"
    "gjennomsnitt_fravaer_prosent;andel_dokumentert_prosent\n"
)
GOOD_ROW = "975297101;Skole X;2024-25;10;alle;80;12;5,6;61,0\n"
UDIR_OK = (REAL / "udir_statistikkbanken_elevundersokelsen_mobbing_vgo.csv").read_bytes()


def _bad_inputs():
    utf16_text = UDIR_OK.decode("utf-16-le")
    return {
        "empty": (b"", "the file is empty"),
        "truncated": (UDIR_OK[: len(UDIR_OK) // 2 + 1], "cut off"),
        "truncated_row": (UDIR_OK[: (len(UDIR_OK) // 2) & ~1], "looks cut off"),
        "wrong_encoding": (b"sep=\t\n\x81\x8d\x90 IndikatorNivaa", "UTF-16"),
        "missing_column": (
            TEMPLATE_HEAD.replace("antall_elever;", "").encode() + b"975297101;X;2024-25;10;alle;12;5;60\n",
            "missing column(s): antall_elever",
        ),
        "non_numeric": (utf16_text.replace("\t3,3\t", "\tx3\t", 1).encode("utf-16-le"), "'x3' is not a number"),
        "impossible_code": (
            b"GEO;AAR;KJONN;MEASURE_TYPE;VALUE;FLAG\n46999;2021_2023;0;MEIS;19.6;\n",
            "'46999' is not an area code",
        ),
        "conflicting_duplicates": (
            b"GEO;AAR;KJONN;MEASURE_TYPE;VALUE;FLAG\n4601;2021_2023;0;MEIS;19.6;\n4601;2021_2023;0;MEIS;21.0;\n",
            "conflicting values for the same cell",
        ),
        "person_level": (
            b"skole_orgnr;elevnavn;fodselsnummer;fravaer\n975297101;Kari;01010112345;12\n",
            "single pupils",
        ),
    }


@pytest.mark.parametrize("kind", list(_bad_inputs()))
def test_bad_input_gives_clear_error_and_leaves_database_unchanged(kind, db, tmp_path):
    assert run_etl("load", *REAL_FILES, "--db", str(db)).returncode == 0
    before = sha(db)
    content, message = _bad_inputs()[kind]
    bad = tmp_path / f"{kind}.csv"
    bad.write_bytes(content)
    # the bad file comes with a good one: all or nothing
    good = tmp_path / "good.csv"
    good.write_text(TEMPLATE_HEAD + GOOD_ROW)
    r = run_etl("load", str(good), str(bad), "--db", str(db))
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    assert message in r.stderr, r.stderr
    assert f"{kind}.csv" in r.stderr and "How to fix:" in r.stderr
    assert "database is unchanged" in r.stderr
    assert sha(db) == before
    assert not list(db.parent.glob(".*build*"))


def test_every_problem_is_reported_at_once(db, tmp_path):
    f = tmp_path / "f.csv"
    f.write_text(
        TEMPLATE_HEAD
        + "123;X;2024-25;10;alle;80;12;5,6;61,0\n"
        + "975297101;X;2024-25;10;alle;80;99;5,6;61,0\n"
        + "975297101;X;2024-25;10;alle;80;12;abc;61,0\n"
    )
    r = run_etl("load", str(f), "--db", str(db))
    assert r.returncode == 1
    assert "3 problems" in r.stderr
    assert "line 2, column skole_orgnr" in r.stderr and "line 3" in r.stderr and "line 4" in r.stderr
    assert not db.exists()


def test_load_while_a_reader_holds_the_database(db, tmp_path):
    assert run_etl("load", str(REAL / "ssb_statbank_web_11616.csv"), "--db", str(db)).returncode == 0
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db)!r}, read_only=True)
        n0 = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        print("ready", n0, flush=True)
        sys.stdin.readline()
        n1 = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        print("after", n1, flush=True)
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().split() == ["ready", "92"]
        r = run_etl("load", str(REAL / "udir_statistikkbanken_elevundersokelsen_mobbing_vgo.csv"), "--db", str(db))
        assert r.returncode == 0, r.stderr
        assert "lock" not in r.stderr.lower()
        reader.stdin.write("\n")
        reader.stdin.flush()
        # the old connection keeps its consistent snapshot: never a half-loaded state
        assert reader.stdout.readline().split() == ["after", "92"]
    finally:
        reader.wait(timeout=30)
    assert q(db, "SELECT count(*) FROM observations") == [(92 + 144,)]


def test_missing_file_is_reported(db):
    r = run_etl("load", "/no/such/file.csv", "--db", str(db))
    assert r.returncode == 2 and "no such file" in r.stderr and not db.exists()


def test_stale_wal_beside_the_database_is_refused(db, tmp_path):
    assert run_etl("load", str(REAL / "ssb_statbank_web_11616.csv"), "--db", str(db)).returncode == 0
    before = sha(db)
    (tmp_path / (db.name + ".wal")).write_bytes(b"junk")
    r = run_etl("load", str(REAL / "udir_statistikkbanken_elevundersokelsen_mobbing_vgo.csv"), "--db", str(db))
    assert r.returncode == 1 and ".wal exists" in r.stderr and "CHECKPOINT" in r.stderr and "Traceback" not in r.stderr
    assert sha(db) == before
