"""Every format the loaders read, from the genuine downloads and from the publishers'
documented shapes (shared/FORMATS.md), with values read back."""

import io
import json

import openpyxl
import pytest

from conftest import REAL
from etl.detect import read_file
from etl.problems import InputError


def rows(raw: bytes, name: str = "f"):
    return read_file(raw, name)


def pick(df, **kw):
    m = df
    for k, v in kw.items():
        m = m[m[k] == v]
    return m


# --------------------------------------------------------------------------- genuine files
def test_real_udir_mobbing_geography_in_headers():
    ex = rows((REAL / "udir_statistikkbanken_elevundersokelsen_mobbing_vgo.csv").read_bytes(), "mobbing.csv")
    assert ex.source == "elevundersokelsen" and "UTF-16" in ex.format
    df = ex.rows
    assert len(df) == 4 * 36
    land = pick(
        df, measure_code="67.19.00.11", source_area_name="Hele landet", period="2020-21", gender="alle", breakdown=""
    )
    assert land["value"].tolist() == [3.3]
    vt = pick(
        df,
        measure_code="67.19.00.11",
        source_area_name="Vestfold og Telemark",
        period="2021-22",
        gender="jenter",
        breakdown="utdanningsprogram=Yrkesfaglig",
    )
    assert vt["value"].tolist() == [5.1]
    assert set(df["unit"]) == {"prosent"}


def test_real_udir_pedagognormen_units_in_rows():
    ex = rows((REAL / "udir_statistikkbanken_pedagognormen_barnehage.csv").read_bytes(), "ped.csv")
    df = ex.rows
    land = pick(df, source_area_code="I", measure_code="antall_barnehager")
    assert land["value"].tolist() == [5525.0]  # "5 525"
    assert pick(df, source_area_code="I", measure_code="oppfyller_pedagognormen_andel")["value"].tolist() == [70.9]
    # 'med disp. (antall)' keeps its own dot
    assert "oppfyller_pedagognormen_med_disp_antall" in set(df["measure_code"])
    bamble = pick(df, source_area_code="3813", measure_code="antall_barnehager")
    assert bamble["value"].tolist() == [13.0] and bamble["area_level_hint"].tolist() == ["kommune"]
    school = pick(df, source_area_code="975297101", measure_code="oppfyller_pedagognormen_andel")
    assert school["value"].tolist() == [100.0] and school["source_area_name"].tolist() == ["Falkåsen barnehage"]
    zero = pick(df, source_area_code="975297101", measure_code="oppfyller_ikke_pedagognormen_antall")
    assert zero["value"].tolist() == [0.0] and not zero["suppressed"].any()  # a real zero


def test_real_ssb_web_download():
    ex = rows((REAL / "ssb_statbank_web_11616.csv").read_bytes(), "11616.csv")
    df = ex.rows
    assert ex.source == "ssb" and ex.title.startswith("11616:")
    horten = pick(df, source_area_code="3801", measure_name="Sysselsatte personer bosatt i regionen")
    assert horten["value"].tolist() == [12807.0] and horten["period"].tolist() == ["2021"]
    assert pick(df, source_area_code="3813")["source_area_name"].iloc[0] == "Bamble"
    assert len(df) == 23 * 4


# ------------------------------------------------------------------------------- SSB API
JSONSTAT_EXAMPLE = """{"version":"2.0","class":"dataset","label":"12275: Barnevern. Nøkkeltall (K) 2015 - 2024",
 "source":"Statistisk sentralbyrå","updated":"2025-06-15T06:00:00Z",
 "id":["KOKkommuneregion0000","ContentsCode","Tid"],"size":[3,1,2],
 "dimension":{
  "KOKkommuneregion0000":{"label":"region","category":{"index":{"EAK":0,"4601":1,"4222":2},
     "label":{"EAK":"Landet","4601":"Bergen","4222":"Bykle"}}},
  "ContentsCode":{"label":"statistikkvariabel","category":{"index":{"KOSbvbarnuspinnb0000":0},
     "label":{"KOSbvbarnuspinnb0000":"Barn med undersøkelse ift. innbyggere 0-17 år (prosent)"},
     "unit":{"KOSbvbarnuspinnb0000":{"base":"prosent","decimals":1}}}},
  "Tid":{"label":"år","category":{"index":{"2023":0,"2024":1}}}},
 "role":{"time":["Tid"],"geo":["KOKkommuneregion0000"],"metric":["ContentsCode"]},
 "value":[4.1,4.0,3.9,null,null,null],
 "status":{"3":"..","4":":","5":":"}}"""


def test_jsonstat2_ssb_example():
    ex = rows(JSONSTAT_EXAMPLE.encode(), "k.json")
    df = ex.rows
    assert ex.source == "kostra" and len(df) == 6
    assert pick(df, source_area_code="EAK", period="2024")["value"].tolist() == [4.0]
    missing = pick(df, source_area_code="4601", period="2024").iloc[0]
    assert missing["symbol"] == ".." and not missing["suppressed"]
    bykle = pick(df, source_area_code="4222")
    assert bykle["suppressed"].all() and set(bykle["symbol"]) == {":"}
    assert set(df["unit"]) == {"prosent"}


def test_jsonstat2_index_list_and_status_list():
    doc = json.loads(JSONSTAT_EXAMPLE)
    doc["dimension"]["KOKkommuneregion0000"]["category"]["index"] = ["EAK", "4601", "4222"]
    doc["status"] = [None, None, None, "..", ":", ":"]
    df = rows(json.dumps(doc).encode(), "k.json").rows
    assert pick(df, source_area_code="4601", period="2023")["value"].tolist() == [3.9]
    assert pick(df, source_area_code="4222")["suppressed"].all()


def test_jsonstat2_fhi_pooled_and_flags():
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "Ungdata: depressive symptomer",
        "source": "Folkehelseinstituttet",
        "id": ["GEO", "AAR", "KJONN", "MEASURE_TYPE"],
        "size": [2, 1, 2, 1],
        "dimension": {
            "GEO": {"category": {"index": ["0", "460108"]}},
            "AAR": {"category": {"index": {"2021_2023": 0}, "label": {"2021_2023": "2021-2023"}}},
            "KJONN": {"category": {"index": ["0", "2"]}},
            "MEASURE_TYPE": {"category": {"index": ["MEIS"]}},
        },
        "value": [19.6, 22.1, None, None],
        "status": {"2": "3", "3": "3"},
    }
    ex = rows(json.dumps(doc).encode(), "u.json")
    df = ex.rows
    assert ex.source == "ungdata"
    assert pick(df, source_area_code="0", gender="jenter")["value"].tolist() == [22.1]
    assert set(df["period"]) == {"2021-2023"}
    hidden = pick(df, source_area_code="460108")
    assert hidden["suppressed"].all() and set(hidden["symbol"]) == {":"}


@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize("region", ["4601 - Bergen", "4601", "Bergen"])
@pytest.mark.parametrize("title", [True, False])
def test_pxweb_csv_variants(sep, region, title):
    lines = (['"12275: Barnevern (K)"'] if title else []) + [
        sep.join(
            [
                '"region"',
                '"KOSbvbarnuspinnb0000 Barn med undersøkelse (prosent) 2023"',
                '"KOSbvbarnuspinnb0000 Barn med undersøkelse (prosent) 2024"',
            ]
        ),
        sep.join([f'"{region}"', "4.1", ".."]),
        sep.join(
            ['"EAK - Landet"' if "-" in region else '"EAK"' if region[0].isdigit() else '"Hele landet"', "3.9", ":"]
        ),
    ]
    df = rows("\n".join(lines).encode("utf-8"), "px.csv").rows
    berg = df[(df["source_area_code"] == "4601") | (df["source_area_name"] == "Bergen")]
    assert berg[berg["period"] == "2023"]["value"].tolist() == [4.1]
    assert berg["measure_code"].iloc[0] == "KOSbvbarnuspinnb0000"
    assert df[df["symbol"] == ":"]["suppressed"].all()


def test_pxweb_csv_windows_1252():
    text = '"region";"Barn med undersøkelse 2024"\n"3813 Bamble (2020-2023)";4,1\n'
    df = rows(text.encode("cp1252"), "px.csv").rows
    assert df["source_area_code"].tolist() == ["3813"] and df["value"].tolist() == [4.1]
    assert df["measure_name"].tolist() == ["Barn med undersøkelse"]


# ------------------------------------------------------------------------------- Udir API
UDIR_JSON_EXAMPLE = """{"metadata":{"rowHierarchy":["Indikator","Spørsmål"],
  "columns":[[{"name":"2024-25","tekstId_kolonne":"1","columnCount":1}],
             [{"name":"Hele landet","tekstId_kolonne":"2","columnCount":1}],
             [{"name":"Vestland","tekstId_kolonne":"3","columnCount":1}],
             [{"name":"Bergen","tekstId_kolonne":"4","columnCount":1}],
             [{"name":"Alle skoler","tekstId_kolonne":"5","columnCount":1}],
             [{"name":"7. årstrinn","tekstId_kolonne":"6","columnCount":1}],
             [{"name":"Alle eierformer","tekstId_kolonne":"7","columnCount":1}],
             [{"name":"Alle kjønn","tekstId_kolonne":"8","columnCount":1}],
             [{"name":"Andel mobbet","tekstId_kolonne":"9","columnCount":1}]]},
 "rows":[{"navn":"Mobbing på skolen","kode":"EUIndeks_1398","id":"41","data":["9,4"]},
         {"navn":"Er du blitt mobbet av andre elever på skolen de siste månedene?",
          "kode":"EUSpoersmaal_Q11811","id":"41.334","data":["6,1"]}]}"""


def test_udir_json_rows_as_indicators():
    ex = rows(UDIR_JSON_EXAMPLE.encode(), "api.json")
    df = ex.rows
    assert ex.source == "elevundersokelsen"
    assert df["value"].tolist() == [9.4, 6.1]
    assert set(df["source_area_name"]) == {"Bergen"} and set(df["area_level_hint"]) == {"kommune"}
    assert set(df["grade"]) == {"7"} and set(df["period"]) == {"2024-25"}


def test_udir_json_rows_as_units_fravaer():
    doc = {
        "metadata": {
            "rowHierarchy": ["Nasjonalt", "Fylke", "Kommune", "Enhet"],
            "columns": [
                [{"name": "2023-24", "columnCount": 3}],
                [
                    {"name": "Snitt dager", "columnCount": 1},
                    {"name": "Snitt timer", "columnCount": 1},
                    {"name": "Antall elever", "columnCount": 1},
                ],
            ],
        },
        "rows": [
            {"navn": "Hele landet", "kode": "I", "id": "1", "data": ["9,0", "52,1", "61 277"]},
            {"navn": "Vestland", "kode": "46", "id": "1.46", "data": ["8,7", "50,0", "7 001"]},
            {"navn": "Bergen", "kode": "4601", "id": "1.46.4601", "data": ["*", "*", "*"]},
            {"navn": "Utlandet, uspesifisert", "kode": "2599", "id": "1.25.2599", "data": ["", "", ""]},
        ],
    }
    ex = rows(json.dumps(doc, ensure_ascii=False).encode(), "fravaer.json")
    df = ex.rows
    assert ex.source == "fravaer"
    land = pick(df, source_area_code="0", measure_code="snitt_dager")
    assert land["value"].tolist() == [9.0] and land["n"].tolist() == [61277.0]
    assert pick(df, source_area_code="4601")["suppressed"].all()
    assert "antall_elever" not in set(df["measure_code"])  # it became n


def test_udir_json_empty_answer_is_no_data():
    with pytest.raises(InputError, match="no data"):
        rows(b'{"metadata":{"rowHierarchy":["Indikator"],"columns":[]},"rows":[]}', "e.json")


EKSPORT_COLS = [
    "SpoersmaalNivaa",
    "Spoersmaalgruppekode",
    "Spoersmaalgruppe",
    "Spoersmaalkode",
    "Spoersmaalnavn",
    "Skoleaarnavn",
    "EnhetNivaa",
    "Nasjonaltkode",
    "Nasjonalt",
    "Fylkekode",
    "Fylke",
    "Kommunekode",
    "Kommune",
    "Organisasjonsnummer",
    "EnhetNavn",
    "GruppeNivaa",
    "GruppeKode",
    "GruppeNavn",
    "TrinnNivaa",
    "TrinnKode",
    "Trinnnavn",
    "EierformNivaa",
    "Eierformkode",
    "EierformNavn",
    "KjoennNivaa",
    "KjoennKode",
    "Kjoenn",
    "AndelMobbet",
    "AntallBesvart",
    "Sidenummer",
    "RaderSide",
    "RaderTotalt",
]


def test_udir_eksport_csv_and_json():
    vals = [
        "1",
        "M",
        "Mobbing",
        "Q1",
        "Mobbet av andre elever",
        "2023-24",
        "4",
        "I",
        "Hele landet",
        "46",
        "Vestland",
        "4601",
        "Bergen",
        "975297101",
        "Skole X",
        "0",
        "0",
        "Alle grupper",
        "1",
        "10",
        "10. årstrinn",
        "0",
        "0",
        "Alle eierformer",
        "1",
        "2",
        "Jente",
        "7,5",
        "40",
        "1",
        "1000",
        "1",
    ]
    csv_text = ";".join(EKSPORT_COLS) + "\n" + ";".join(vals) + "\n"
    js = json.dumps([dict(zip(EKSPORT_COLS, vals))])
    for raw in (csv_text.encode(), js.encode()):
        df = rows(raw, "eksport").rows
        r = df.iloc[0]
        assert (r["value"], r["n"], r["gender"], r["grade"], r["source_area_code"]) == (
            7.5,
            40.0,
            "jenter",
            "10",
            "975297101",
        )


def test_udir_eksport_unknown_column_is_an_error():
    bad = [c if c != "AndelMobbet" else "AndelMobbetX" for c in EKSPORT_COLS]
    with pytest.raises(InputError, match="unknown column"):
        rows((";".join(bad) + "\n" + ";".join(["1"] * len(bad)) + "\n").encode(), "eksport.csv")


# ---------------------------------------------------------------------------------- FHI
FHI_CSV3 = """GEO;AAR;KJONN;TRINN;MEASURE_TYPE;VALUE;FLAG
0;2021_2023;0;10;MEIS;19.6;
4601;2021_2023;0;10;MEIS;20.3;
460108;2021_2023;0;10;MEIS;;3
"""


def test_fhi_csv3_example():
    ex = rows(FHI_CSV3.encode(), "ungdata_depressive.csv")
    df = ex.rows
    assert ex.source == "ungdata"
    assert df["value"].tolist()[:2] == [19.6, 20.3]
    assert df["period"].unique().tolist() == ["2021-2023"]
    hidden = df.iloc[2]
    assert hidden["suppressed"] and hidden["symbol"] == ":" and hidden["value"] != hidden["value"]


def test_fhi_csv2_labels():
    text = "Geografi;År;Kjønn;Trinn;Måltall;Verdi;Flagg\nHele landet;2021_2023;kjønn samlet;10;MEIS;19.6;\nBergen;2021_2023;jenter;10;MEIS;25.0;\n"
    df = rows(text.encode(), "ungdata.csv").rows
    assert df["source_area_name"].tolist() == ["Hele landet", "Bergen"]
    assert df["gender"].tolist() == ["alle", "jenter"]


# ------------------------------------------------------------------------------ fravær
TEMPLATE = (
    "skole_orgnr;skolenavn;periode;trinn;kjonn;antall_elever;elever_minst_10_prosent_fravaer;"
    "gjennomsnitt_fravaer_prosent;andel_dokumentert_prosent\n"
    "975297101;Skole X;2024-25;10;alle;80;12;5,6;61,0\n"
    "975297101;Skole X;2024-25;10;jenter;40;8;6,1;60,0\n"
)


def test_fravaer_template_csv():
    df = rows(TEMPLATE.encode(), "fravaer.csv").rows
    high = pick(df, measure_code="fravaer_minst_10_prosent", gender="alle")
    assert high["value"].tolist() == [15.0] and high["n"].tolist() == [80.0]
    assert pick(df, measure_code="fravaer_snitt_prosent", gender="jenter")["value"].tolist() == [6.1]


def test_fravaer_template_xlsx():
    wb = openpyxl.Workbook()
    for line in TEMPLATE.strip().split("\n"):
        wb.active.append([int(c) if c.isdigit() else c for c in line.split(";")])
    bio = io.BytesIO()
    wb.save(bio)
    df = rows(bio.getvalue(), "fravaer.xlsx").rows
    assert pick(df, measure_code="fravaer_minst_10_prosent", gender="jenter")["value"].tolist() == [20.0]


@pytest.mark.parametrize(
    "content,reason",
    [
        ("skole_orgnr;elevnavn;periode\n975297101;Ola Nordmann;2024-25\n", "single pupils"),
        (TEMPLATE.replace("Skole X;2024-25", "01010112345;2024-25", 1), "fødselsnummer"),
        (
            TEMPLATE.split("\n")[0]
            + "\n"
            + "\n".join(f"975297101;X;2024-25;10;alle;1;{i % 2};3;50" for i in range(8))
            + "\n",
            "one row per pupil",
        ),
    ],
)
def test_fravaer_person_level_refused(content, reason):
    with pytest.raises(InputError, match=reason):
        rows(content.encode(), "fravaer.csv")


def test_fhi_row_reports_every_problem_at_once():
    bad = "GEO;AAR;KJONN;MEASURE_TYPE;VALUE;FLAG\n4601;2021-23;9;MEIS;abc;\n4601;2021_2023;0;MEIS;;7\n"
    with pytest.raises(InputError) as e:
        rows(bad.encode(), "ungdata.csv")
    where = [p.where for p in e.value.problems]
    assert where == ["line 2, column AAR", "line 2, column KJONN", "line 2, column VALUE", "line 3, column FLAG"]
