"""Publishers' quirks (shared/FORMATS.md section 6), the whole history of Norwegian
geography, pseudo-regions and impossible values. Every file is built here, in tmp_path,
in the documented shapes; none pretends to be a genuine download."""

import json

import duckdb
import pytest

from conftest import REAL, run_etl, sha
from etl.detect import read_file
from etl.problems import InputError
from etl.store import load
from oppvekst.geography import canonical_code, joined_codes_note, load_register


def q(db, sql, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def udir_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """Udir statistikkbank 'Eksporter CSV': UTF-16LE without BOM, sep=<TAB>, mixed line ends."""
    lines = ["sep=\t", "\t".join(header)] + ["\t".join(r) for r in rows]
    return ("\r\n".join(lines[:2]) + "\n" + "\n".join(lines[2:]) + "\n").encode("utf-16-le")


UNIT_HEADER = [
    "BarnehageenhetNivaa",
    "Nasjonaltkode",
    "Fylkekode",
    "Kommunekode",
    "Organisasjonsnummer",
    "Nasjonalt",
    "Fylke",
    "Kommune",
    "Barnehageenhetnavn",
]


def unit_row(level, fylke, kommune, org, name, *values):
    return [level, "I", fylke, kommune, org, "Hele landet", "", "", name, *values]


# ------------------------------------------------------------------ 1. geography through time
def test_udir_series_from_2011_with_old_fylker_and_units_abroad(tmp_path):
    header = UNIT_HEADER + [
        "2011.Alle eierformer.Antall barnehager",
        "2018.Alle eierformer.Antall barnehager",
        "2018.Brudd",
    ]
    f = tmp_path / "20240101-1200_Barnehager_2011-2018.csv"
    f.write_bytes(
        udir_csv(
            header,
            [
                unit_row("1", "", "", "I ", "Hele landet", "6 579", "5 900", ""),
                unit_row("1", "", "", "U ", "Utlandet", "3", "2", ""),
                unit_row("2", "02", "", "02", "Akershus", "700", "680", ""),
                unit_row("2", "16", "", "16", "Sør-Trøndelag", "300", "", ""),
                unit_row("2", "50", "", "50", "Trøndelag", "", "480", "Ny fylkesinndeling fra 2018"),
                unit_row("2", "20", "", "20", "Finnmark - Finnmárku", "120", "110", ""),
                unit_row("3", "12", "1201", "1201", "Bergen", "250", "240", ""),
                unit_row("3", "02", "0219", "0219", "Bærum", "120", "110", ""),
                unit_row("2", "25", "", "25", "Utlandet", "1", "1", ""),
                unit_row("3", "25", "2599", "2599", "Utlandet, uspesifisert", "1", "1", ""),
            ],
        )
    )
    db = tmp_path / "t.duckdb"
    result = load([f], db)
    got = {
        (c, p): (v, s) for c, p, v, s in q(db, "SELECT area_code, period, value, source_area_code FROM observations")
    }
    assert got[("0", "2011")][0] == 6579.0
    assert got[("30", "2011")] == (700.0, "02")  # Akershus -> Viken (merger), Viken was split: stays 30
    assert got[("50", "2011")] == (300.0, "16") and got[("50", "2018")] == (480.0, "50")  # 16 -> 50
    assert got[("54", "2011")] == (120.0, "20")  # 20 -> 54 (later split: stays 54)
    assert got[("4601", "2011")] == (250.0, "1201")  # renumbering
    assert got[("3201", "2018")] == (110.0, "0219")  # chain 0219 -> 3024 -> 3201
    assert not [k for k in got if k[0] in ("U", "25", "2599")]
    # the free text of a .Brudd column becomes the note of its row's values for that period
    assert q(db, "SELECT note FROM observations WHERE area_code = '50' AND period = '2018'") == [
        ("Ny fylkesinndeling fra 2018",)
    ]
    assert q(
        db, "SELECT count(*) FROM areas WHERE area_code IN ('2599', '25', 'U', 'K-Rest') AND area_level = 'kommune'"
    ) == [(0,)]
    note = " ".join(result.notes)
    assert "6 rows for areas abroad" in note and f.name in note


def test_register_covers_every_code_1995_2024_from_klass():
    reg = load_register()
    kommuner = {c for c, a in reg.areas.items() if a.level == "kommune"}
    fylker = {c for c, a in reg.areas.items() if a.level == "fylke"}
    import csv

    from oppvekst.geography import GEO_DIR

    with open(GEO_DIR / "kommuner_alle.csv", encoding="utf-8") as fh:
        assert kommuner == {r["kommunenummer"] for r in csv.DictReader(fh)}
    with open(GEO_DIR / "fylker_alle.csv", encoding="utf-8") as fh:
        assert fylker == {r["fylkesnummer"] for r in csv.DictReader(fh)}
    assert reg.valid_in("1201", 2019) and not reg.valid_in("1201", 2020)
    assert reg.areas["38"].valid_from == "2020-01-01" and reg.areas["38"].valid_to == "2023-12-31"
    assert reg.current("38") == ("38", None) and reg.current("07") == ("38", "merger")  # split: not carried on
    assert reg.current("17") == ("50", "merger")
    assert reg.find_by_name("Troms", "fylke", year=2015) == ["19"] and reg.find_by_name(
        "Troms", "fylke", year=2024
    ) == ["55"]


@pytest.mark.parametrize(
    "written,expected",
    [
        ("1201", ("1201", "kommune")),
        ("K-1201", ("1201", "kommune")),
        ("F-12", ("12", "fylke")),
        ("K_0301", ("0301", "kommune")),
        ("K-Rest", ("K-Rest", "pseudo")),
        ("K-21-22", ("K-21-22", "pseudo")),
        ("K-23", ("K-23", "pseudo")),
        ("F-23", ("F-23", "pseudo")),
        ("U ", ("U", "pseudo")),
        ("I ", ("0", "land")),
        ("2599", ("2599", "pseudo")),
        ("9999", ("9999", "pseudo")),
        ("EAKUO", ("EAKUO", "gruppe")),
        ("EKG13", ("EKG13", "gruppe")),
        ("EKA46", ("46", "fylke")),
    ],
)
def test_code_spellings(written, expected):
    assert canonical_code(written) == expected


def test_ssb_web_download_with_old_region_label(tmp_path):
    text = (
        '"12345: Barn i barnehage (K)"\n\n"region";"Barn i barnehage 2019"\n'
        '"1201 Bergen (-2019)";1000\n"0301 Oslo";2000\n"K-Rest Delte kommuner og uoppgitt";0\n'
    )
    f = tmp_path / "12345.csv"
    f.write_bytes(text.encode("cp1252"))
    db = tmp_path / "t.duckdb"
    load([f], db)
    assert q(db, "SELECT area_code, source_area_code, value FROM observations ORDER BY 1") == [
        ("0301", "0301", 2000.0),
        ("4601", "1201", 1000.0),
    ]


def test_caption_says_when_a_series_joins_old_and_new_codes():
    note = joined_codes_note([("1201", 2015, 2019), ("4601", 2020, 2024)], "4601", "Bergen")
    assert note and "1201 Bergen (2015–2019)" in note and "4601" in note
    assert joined_codes_note([("4601", 2020, 2024)], "4601", "Bergen") is None


# ---------------------------------------------------------------- 2. pseudo-regions, groups
def statbank_jsonstat(regions: dict[str, str], values: list, years=("2023",)) -> dict:
    """SSB json-stat2 from the statbank page: prefixed codes, names only, no status object."""
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "12272: Barnevern (K)",
        "source": "Statistisk sentralbyrå",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [len(regions), 1, len(years)],
        "dimension": {
            "KOKkommuneregion0000": {
                "label": "region",
                "category": {"index": {c: i for i, c in enumerate(regions)}, "label": regions},
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {
                    "index": {"KOSbvbarnuspinnb0000": 0},
                    "label": {"KOSbvbarnuspinnb0000": "Barn med undersøkelse (prosent)"},
                    "unit": {"KOSbvbarnuspinnb0000": {"base": "prosent", "decimals": 1}},
                },
            },
            "Tid": {"label": "år", "category": {"index": {y: i for i, y in enumerate(years)}}},
        },
        "role": {"time": ["Tid"], "geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"]},
        "value": values,
    }


def test_ssb_statbank_page_jsonstat_prefixed_codes_and_pseudo_regions(tmp_path):
    regions = {
        "K-0301": "Oslo",
        "F-46": "Vestland",
        "K-Rest": "Delte kommuner og uoppgitt",
        "K-21-22": "Svalbard og Jan Mayen",
        "K-23": "Kontinentalsokkelen",
        "EAK": "Landet",
        "EAKUO": "Landet uten Oslo",
        "EKG13": "KOSTRA-gruppe 13",
        "EKA46": "Vestland",
    }
    f = tmp_path / "12272.json"
    f.write_text(json.dumps(statbank_jsonstat(regions, [4.5, 3.9, 0, 0, 0, 4.1, 4.0, 4.4, 3.9]), ensure_ascii=False))
    db = tmp_path / "t.duckdb"
    result = load([f], db)
    got = q(db, "SELECT area_code, area_level, value FROM observations ORDER BY 1")
    assert ("0301", "kommune", 4.5) in got and ("46", "fylke", 3.9) in got and ("0", "land", 4.1) in got
    assert ("EAKUO", "gruppe", 4.0) in got and ("EKG13", "gruppe", 4.4) in got
    assert not [r for r in got if r[0].startswith("K-")]
    assert any("3 rows for areas abroad" in n and "K-Rest" in n for n in result.notes)


# ------------------------------------------------------------------------- 3. FHI quirks
def test_fhi_jsonstat_bom_symbol_strings_and_underscore_ranges():
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "Ungdata: depressive symptomer",
        "source": "Folkehelseinstituttet",
        "id": ["GEO", "AAR", "KJONN", "ALDER", "TRINN", "MEASURE_TYPE"],
        "size": [2, 2, 1, 2, 1, 1],
        "dimension": {
            "GEO": {"category": {"index": ["0", "460108"]}},
            "AAR": {
                "category": {
                    "index": {"2022_2024": 0, "2024_2024": 1},
                    "label": {"2022_2024": "2022-2024", "2024_2024": "2024"},
                }
            },
            "KJONN": {"category": {"index": ["0"]}},
            "ALDER": {
                "label": "alder",
                "category": {"index": ["0_120", "13_15"], "label": {"0_120": "alle aldre", "13_15": "13-15 år"}},
            },
            "TRINN": {"category": {"index": ["8_10"]}},
            "MEASURE_TYPE": {"category": {"index": ["MEIS"]}},
        },
        "value": [19.6, 18.0, 20.1, 19.0, "k", "k", 22.0, ":"],
    }
    ex = read_file(b"\xef\xbb\xbf" + json.dumps(doc).encode(), "fhi.json")
    df = ex.rows
    assert set(df["period"]) == {"2022-2024", "2024"} and set(df["grade"]) == {"8-10"}
    assert set(df["breakdown"]) == {"", "alder=13-15 år"}
    hidden = df[df["source_area_code"] == "460108"]
    flagged = hidden[hidden["symbol"] != ""]
    assert len(hidden) == 4 and flagged["symbol"].tolist() == ["k", "k", ":"] and flagged["suppressed"].all()
    assert flagged["value"].isna().all() and hidden[hidden["symbol"] == ""]["value"].tolist() == [22.0]
    assert df[(df["source_area_code"] == "0") & (df["period"] == "2024") & (df["breakdown"] == "")][
        "value"
    ].tolist() == [20.1]


def test_fhi_csv_bom_and_underscore_age():
    text = "\ufeffGEO;AAR;KJONN;ALDER;MEASURE_TYPE;VALUE;FLAG\n0;2024_2024;0;0_120;RATE;12.5;\n0;2024_2024;0;13_15;RATE;10.0;\n"
    df = read_file(text.encode(), "Table_123.csv").rows
    assert df["breakdown"].tolist() == ["", "alder=13-15"] and df["period"].tolist() == ["2024", "2024"]


def test_udir_kommune_orgnr_in_organisasjonsnummer_and_percent_and_space(tmp_path):
    header = UNIT_HEADER + [
        "2023.Alle eierformer.Antall barnehager",
        "2023.Alle eierformer.Oppfyller pedagognormen (andel)",
    ]
    f = tmp_path / "ped.csv"
    # Bergen kommune's own org.nr (964338531) at level 3: the Kommunekode says which unit it is
    f.write_bytes(udir_csv(header, [unit_row("3", "46", "4601", "964338531", "Bergen", "1\u00a0045", "70,9%")]))
    db = tmp_path / "t.duckdb"
    load([f], db)
    assert q(db, "SELECT area_code, area_level, measure_code, value FROM observations ORDER BY 3") == [
        ("4601", "kommune", "antall_barnehager", 1045.0),
        ("4601", "kommune", "oppfyller_pedagognormen_andel", 70.9),
    ]


def test_eksport_api_barnehageenhetnivaa():
    cols = ["Skoleaarnavn", "BarnehageenhetNivaa", "Organisasjonsnummer", "EnhetNavn", "AndelMobbet", "AntallBesvart"]
    text = ";".join(cols) + "\n" + ";".join(["2023-24", "3", "4601", "Bergen", "7,5", "1 200"]) + "\n"
    r = read_file(text.encode(), "eksport.csv").rows.iloc[0]
    assert (r["area_level_hint"], r["value"], r["n"]) == ("kommune", 7.5, 1200.0)


# --------------------------------------------------------------------- 4. impossible values
EKSPORT = ["Skoleaarnavn", "EnhetNivaa", "Organisasjonsnummer", "EnhetNavn", "Spoersmaalkode", "Spoersmaalnavn"]


def _eksport(value_col, value, n="40"):
    cols = EKSPORT + [value_col, "AntallBesvart"]
    return (
        ";".join(cols) + "\n" + ";".join(["2023-24", "3", "4601", "Bergen", "Q1", "Trivsel", value, n]) + "\n"
    ).encode()


IMPOSSIBLE = {
    "share_299": (
        b"GEO;AAR;KJONN;MEASURE_TYPE;VALUE;FLAG\n0;2021_2023;0;MEIS;19.6;\n4601;2021_2023;0;MEIS;299;\n",
        "ungdata.csv",
        ["line 3", "299", "between 0 and 100 %"],
    ),
    "share_negative": (_eksport("AndelMobbet", "-4,0"), "eksport.csv", ["record 1", "-4", "between 0 and 100 %"]),
    "negative_n": (_eksport("AndelMobbet", "4,0", "-40"), "eksport.csv", ["record 1", "-40", "n is 0 or more"]),
    "score_above_scale": (_eksport("Score", "6,2"), "eksport.csv", ["record 1", "6.2", "1-5"]),
    "numerator_above_denominator": (
        b"GEO;AAR;KJONN;SPM_ID;MEASURE_TYPE;VALUE;FLAG\n4601;2021_2023;0;Q1;TELLER;120;\n4601;2021_2023;0;Q1;NEVNER;100;\n",
        "ungdata.csv",
        ["line 2", "120", "denominator 100"],
    ),
    "negative_count": (
        udir_csv(
            UNIT_HEADER + ["2023.Alle eierformer.Antall barnehager"],
            [unit_row("3", "46", "4601", "4601", "Bergen", "-13")],
        ),
        "ped.csv",
        ["line 3", "-13", "a count is 0 or more"],
    ),
    "nan_in_jsonstat": (
        json.dumps(statbank_jsonstat({"EAK": "Landet"}, [float("nan")])).encode(),
        "k.json",
        ["value[0]", "nan", "finite"],
    ),
    "share_above_100_pxweb": (
        (
            '"11211: Helsestasjon (K)"\n'
            '"region","KOSandelhjemmebe0000 Andel hjemmebesøk til nyfødte innen 14 dager (prosent) 2024"\n'
            '"4601 - Bergen",193.7\n'
        ).encode(),
        "pxweb.csv",
        ["193.7", "between 0 and 100 %"],
    ),
    "negative_n_fravaer_template": (
        (
            b"skole_orgnr;skolenavn;kommunenummer;periode;trinn;kjonn;antall_elever;"
            b"elever_minst_10_prosent_fravaer;gjennomsnitt_fravaer_prosent;andel_dokumentert_prosent\n"
            b"909153573;Arna skole;4601;2023-24;10;alle;-140;30;8,3;66,6\n"
        ),
        "fravaer.csv",
        ["line 2", "-140"],
    ),
    "inf_share": (
        json.dumps(statbank_jsonstat({"EAK": "Landet"}, [1e400])).replace("Infinity", "1e400").encode(),
        "k.json",
        ["value[0]"],
    ),
}


@pytest.mark.parametrize("kind", list(IMPOSSIBLE))
def test_impossible_values_are_refused_with_file_cell_value_and_rule(kind, tmp_path):
    content, name, expected = IMPOSSIBLE[kind]
    with pytest.raises(InputError) as e:
        read_file(content, name)
    text = e.value.render()
    assert name in text and "How to fix" in text
    for part in expected:
        assert part in text, text


def test_impossible_value_leaves_database_byte_identical(tmp_path):
    db = tmp_path / "t.duckdb"
    assert run_etl("load", str(REAL / "ssb_statbank_web_11616.csv"), "--db", str(db)).returncode == 0
    before = sha(db)
    bad = tmp_path / "ungdata.csv"
    bad.write_bytes(IMPOSSIBLE["share_299"][0])
    good = tmp_path / "ok.csv"
    good.write_bytes(b"GEO;AAR;KJONN;MEASURE_TYPE;VALUE;FLAG\n0;2021_2023;0;MEIS;19.6;\n")
    r = run_etl("load", str(good), str(bad), "--db", str(db))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "ungdata.csv, line 3" in r.stderr and "299" in r.stderr and "database is unchanged" in r.stderr
    assert sha(db) == before


def test_a_share_that_is_a_change_may_leave_0_100():
    text = '"region";"Endring i prosent 2024"\n"EAK";-12.5\n'
    assert read_file(text.encode(), "px.csv").rows["value"].tolist() == [-12.5]


# ------------------------------------------------------------------------- 7. dead builds
def test_next_load_removes_leftovers_of_killed_builds_only(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "t.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)  # this process has exited
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        left = [tmp_path / f".t.duckdb.build-{dead_pid}", tmp_path / f".t.duckdb.build-{dead_pid}.wal"]
        running = [tmp_path / f".t.duckdb.build-{alive.pid}", tmp_path / f".t.duckdb.build-{alive.pid}.wal"]
        for p in left + running:
            p.write_bytes(b"half a database")
        r = run_etl("load", str(REAL / "ssb_statbank_web_11616.csv"), "--db", str(db))
        assert r.returncode == 0, r.stderr
        assert not any(p.exists() for p in left)
        assert all(p.exists() for p in running)
        assert f"process {dead_pid} no longer runs" in r.stdout
    finally:
        alive.kill()
        alive.wait()


def test_indikator_caption_from_the_database(tmp_path):
    from etl.store import load_and_build
    from oppvekst.geography import series_code_note

    regions = {"K-1201": "Bergen (-2019)", "K-4601": "Bergen"}
    doc = statbank_jsonstat(regions, [4.0, None, None, 4.2], years=("2019", "2020"))
    doc["status"] = {"1": "..", "2": ".."}
    f = tmp_path / "12272.json"
    f.write_text(json.dumps(doc, ensure_ascii=False))
    db = tmp_path / "t.duckdb"
    load_and_build([f], db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        note = series_code_note(con, "kostra_undersokelse", "4601", "Bergen")
        assert note and "1201 Bergen (2019)" in note and "dagens kode 4601" in note
        assert series_code_note(con, "kostra_undersokelse", "0301", "Oslo") is None
    finally:
        con.close()
