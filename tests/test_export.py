"""Downloads cannot run what came in from a file: text that starts like a formula is
neutralised in CSV and Excel, numbers stay numbers (read back with openpyxl)."""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from oppvekst.export import to_csv, to_excel

HOSTILE = ['=HYPERLINK("http://example.invalid","Klikk")', "+SUM(1,2)", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
SAFE_ROUNDTRIP = HOSTILE[:-1]  # a lone CR does not survive the XML/CSV round trip unchanged


def frame():
    return pd.DataFrame(
        {
            "Område": HOSTILE + ["Bergen"],
            "Verdi": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, float("nan")],
            "Antall": [-1, 2, 3, 4, 5, 6, 7],
        }
    )


def test_excel_cells_from_files_are_never_formulas():
    wb = openpyxl.load_workbook(io.BytesIO(to_excel({"Tall": frame()}, title="=1+1", note="@note")))
    ws = wb["Tall"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [
        c.coordinate
        for c in cells
        if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=") and not c.quotePrefix)
    ]
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for h in SAFE_ROUNDTRIP + ["=1+1", "@note"]:
        assert texts[h].data_type == "s" and texts[h].quotePrefix, h
    # negative numbers stay numbers
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert -1.5 in numbers and -3.0 in numbers and -1 in numbers
    assert not texts["Bergen"].quotePrefix


def test_csv_text_cells_get_an_apostrophe_and_numbers_stay_numbers():
    text = to_csv(frame()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    names = [r[0] for r in rows[1:]]
    assert names[:5] == ["'" + h for h in SAFE_ROUNDTRIP] and names[-1] == "Bergen"
    assert "'\rCR" in text
    assert [r[1] for r in rows[1:3]] == ["-1,5", "2,0"] and rows[1][2] == "-1"


@pytest.mark.parametrize("name", ["Skole\x01med kontrolltegn", "=cmd|' /C calc'!A0"])
def test_control_characters_and_dde_do_not_break_or_run(name):
    wb = openpyxl.load_workbook(io.BytesIO(to_excel({"T": pd.DataFrame({"Navn": [name]})})))
    cell = wb["T"]["A2"]
    assert cell.data_type == "s" and "\x01" not in cell.value
