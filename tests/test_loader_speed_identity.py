"""The fast loaders (whole columns, python-calamine for XLSX, DuckDB for the Eksport JSON) give
exactly what an independent reading of the same sample files gives: openpyxl for the workbook,
Python's json module for the Eksport answer, pandas arithmetic for the template and FHI's
denominators. Also: problems are still reported all at once, in file order (issue #9)."""

import csv
import datetime as dt
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from conftest import ROOT
from etl.detect import read_file
from etl.loaders import RAW_COLUMNS, udir_eksport
from etl.problems import InputError

SAMPLE = ROOT / "data" / "sample"
HEAD = (
    "skole_orgnr;skolenavn;periode;trinn;kjonn;antall_elever;elever_minst_10_prosent_fravaer;"
    "gjennomsnitt_fravaer_prosent;andel_dokumentert_prosent"
)


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


def test_xlsx_through_calamine_equals_openpyxl_cells_as_csv():
    raw = (SAMPLE / "fravaer_skoler_maned.xlsx").read_bytes()
    ws = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True).worksheets[0]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(
        ["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)
    )
    got = read_file(raw, "f.xlsx")
    want = read_file(out.getvalue().encode(), "f.csv")
    assert got.format == want.format and len(got.rows) == 11880
    assert_frame_equal(got.rows, want.rows, check_exact=True)
    assert list(got.rows.columns) == list(RAW_COLUMNS)
    assert {c: str(t) for c, t in got.rows.dtypes.items()} == {
        c: str(pd.Series(dtype=t).dtype) for c, t in RAW_COLUMNS.items()
    }


def test_xlsx_typed_cells_read_as_the_text_they_mean():
    head = HEAD.split(";")
    raw = _xlsx(
        [
            head,
            [975297101.0, "Skole X", "2024-25", 10.0, "alle", 80.0, 12, 5.6, "61,0"],  # floats that are whole
            [975297101, "Skole X", 2024, "10", "jenter", 40, 8.0, "6,1", 60],
        ]
    )
    df = read_file(raw, "f.xlsx").rows
    assert df["source_area_code"].unique().tolist() == ["975297101"]
    assert df["period"].tolist() == ["2024-25"] * 3 + ["2024"] * 3
    assert df["n"].tolist() == [80.0] * 3 + [40.0] * 3
    assert df["value"].tolist() == [15.0, 5.6, 61.0, 20.0, 6.1, 60.0]
    with pytest.raises(InputError) as e:
        read_file(_xlsx([head, [975297101, "X", dt.datetime(2024, 1, 1), 10, "alle", 80, 12, 5, 50]]), "f.xlsx")
    assert "'2024-01-01 00:00:00' is not a period" in str(e.value)
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        read_file(raw[: len(raw) // 2], "f.xlsx")


def test_template_values_match_pandas_arithmetic():
    raw = (SAMPLE / "fravaer_skoler_skolear.csv").read_bytes()
    src = pd.read_csv(io.BytesIO(raw), sep=";", dtype=str, keep_default_na=False)
    num = lambda c: src[c].str.replace(",", ".").astype(float)
    n, high = num("antall_elever"), num("elever_minst_10_prosent_fravaer")
    keep = n != 0
    want = np.column_stack(
        [(100.0 * high / n)[keep], num("gjennomsnitt_fravaer_prosent")[keep], num("andel_dokumentert_prosent")[keep]]
    ).ravel()
    df = read_file(raw, "f.csv").rows
    assert np.array_equal(df["value"].to_numpy(), want)
    assert df["line"].tolist() == np.repeat(np.flatnonzero(keep) + 2, 3).tolist()
    assert df["source_area_code"].tolist() == np.repeat(src["skole_orgnr"][keep].to_numpy(), 3).tolist()


def test_template_problems_all_at_once_in_file_order_until_a_birth_number():
    body = [
        "123;X;2024-25;10;alle;80;12;5,6;61,0",  # bad orgnr
        "975297101;X;2024-25;10;alle;abc;12;5,6;61,0",  # not a number
        "975297101;X;2024-25;10;alle;80;90;5,6;161,0",  # two rule breaks
        "975297101;X;2024-25;10;alle;80;12;5,6;61,0",
        "975297101;01010112345;2024-25;10;alle;80;12;5,6;61,0",  # stops here
        "975297101;X;2024-25;10;alle;-1;12;5,6;61,0",  # never looked at
    ]
    with pytest.raises(InputError) as e:
        read_file(("\n".join([HEAD, *body]) + "\n").encode(), "f.csv")
    got = [(p.where, p.what.split(" ")[0]) for p in e.value.problems]
    assert got == [
        ("line 2, column skole_orgnr", "'123'"),
        ("line 3", "'abc'"),
        ("line 4", "elever_minst_10_prosent_fravaer"),
        ("line 4", "andel_dokumentert_prosent"),
        ("line 6", "a"),
    ]


def test_eksport_json_through_duckdb_equals_json_module(monkeypatch):
    raw = (SAMPLE / "udir_elevundersokelsen_eksport.json").read_bytes()
    assert udir_eksport._json_columns(raw, udir_eksport._wanted) is not None  # the fast path is taken
    fast = read_file(raw, "e.json")
    monkeypatch.setattr(udir_eksport, "_json_columns", lambda raw, wanted: None)
    slow = read_file(raw, "e.json")
    assert len(fast.rows) == 3696 and fast.source == slow.source
    assert_frame_equal(fast.rows, slow.rows, check_exact=True)
    # the same records as the Eksport CSV
    recs = json.loads(raw)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(recs[0]), delimiter=";")
    w.writeheader()
    w.writerows(recs)
    assert_frame_equal(read_file(out.getvalue().encode(), "e.csv").rows, fast.rows, check_exact=True)


@pytest.mark.parametrize(
    "edit,where",
    [
        (lambda r: r[1].update(Score="abc"), "record 2, field Score"),
        (lambda r: r[2].update(EnhetNivaa=7), "record 3, field EnhetNivaa"),
        (lambda r: r.insert(1, None), "record 2, field Score"),  # null is no record: numbering as json
    ],
)
def test_eksport_problems_name_the_record(edit, where):
    recs = json.loads((SAMPLE / "udir_elevundersokelsen_eksport.json").read_bytes())[:5]
    recs[1]["Score"] = "abc"
    edit(recs)
    with pytest.raises(InputError) as e:
        read_file(json.dumps(recs, ensure_ascii=False).encode(), "e.json")
    assert where in [p.where for p in e.value.problems]


def test_eksport_bare_inf_literal_is_refused_as_before():
    recs = json.loads((SAMPLE / "udir_elevundersokelsen_eksport.json").read_bytes())[:3]
    text = json.dumps(recs).replace('"RaderSide": 10000', '"RaderSide": inf', 1)
    with pytest.raises(InputError, match="not valid JSON"):
        read_file(text.encode(), "e.json")


def test_fhi_denominators_match_a_pandas_join():
    raw = (SAMPLE / "fhi_ungdata_psykisk_helse_csv3.csv").read_bytes()
    src = pd.read_csv(io.BytesIO(raw), sep=";", dtype=str, keep_default_na=False)
    key = ["GEO", "AAR", "KJONN", "TRINN", "SPM_ID"]
    nev = src[src["MEASURE_TYPE"] == "NEVNER"].set_index(key)["VALUE"]
    rest = src[(src["MEASURE_TYPE"] != "NEVNER") & ((src["VALUE"] != "") | (src["FLAG"] != ""))]
    want = pd.to_numeric(nev.reindex(pd.MultiIndex.from_frame(rest[key])).to_numpy(), errors="coerce")
    df = read_file(raw, "fhi_ungdata.csv").rows
    assert len(df) == len(rest)
    assert np.array_equal(df["n"].to_numpy(dtype=float), want.astype(float), equal_nan=True)
    assert df["line"].tolist() == (rest.index + 2).tolist()
