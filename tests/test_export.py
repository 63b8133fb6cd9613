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


# --- The resultatavtale as a real worksheet ---------------------------------------------------


@pytest.fixture(scope="module")
def bergen(sample_db):
    import duckdb

    from oppvekst import queries

    con = duckdb.connect(str(sample_db), read_only=True)
    mk, status = queries.malekart(con, "4601"), queries.data_status(con)
    con.close()
    return mk, status


def workbook(mk, owner="Byrådsavdeling for barnehage, skole og idrett (BBSI) › Etat for skole", **kw):
    from oppvekst.export import agreement_workbook

    args = {"area_name": "Bergen", "note": "Eksempeldata – ikke ekte tall", "sources": ["elevundersokelsen", "fravaer"]}
    data = agreement_workbook(mk, owner, **{**args, **kw})
    return openpyxl.load_workbook(io.BytesIO(data))


def table(ws) -> tuple[int, list[str], dict[str, dict]]:
    """The header row, the column names and each indicator's row (by id) as {column: cell}."""
    head = next(c.row for c in ws["A"] if c.value == "Hva")
    names = [c.value for c in ws[head] if c.value]
    rows = {}
    for r in ws.iter_rows(min_row=head + 1):
        cells = dict(zip(names, r))
        if cells["Indikator-id"].value:
            rows[cells["Indikator-id"].value] = cells
    return head, names, rows


def test_agreement_numbers_are_numbers_with_norwegian_formats(bergen):
    mk, status = bergen
    ws = workbook(mk, loaded_at=status["loaded_at"])["Resultatavtale"]
    _, names, rows = table(ws)
    assert names[:4] == ["Hva", "Enhet", "Periode for 0-punkt", "0-punkt"]
    assert {"Mot mål", "Tiltak", "95 % KI nedre", "95 % KI øvre", "Antall svar (n)", "Statusperiode"} <= set(names)
    r = mk.set_index("indicator_id").loc["eu_mobbing_10"]
    row = rows["eu_mobbing_10"]
    assert row["Status"].value == round(r.status_value, 1) and isinstance(row["Status"].value, float)
    assert row["Status"].number_format == "#,##0.0"  # one decimal; the reader's locale gives the comma
    assert row["95 % KI nedre"].value == round(r.status_low, 1) < row["Status"].value < row["95 % KI øvre"].value
    assert isinstance(row["Antall svar (n)"].value, int) and row["Antall svar (n)"].number_format == "#,##0"
    assert row["Antall svar (n)"].value == int(r.status_n)
    assert row["0-punkt"].value == round(r.baseline_value, 1) and row["Mål"].value == 4.0
    assert row["Endring fra 0-punkt"].number_format == "+#,##0.0;-#,##0.0;#,##0.0"
    assert row["Endring fra 0-punkt"].value == round(r.change, 1)
    words = row["Endring i ord"].value
    assert words.startswith("ned " if r.change < 0 else "opp ") and "prosentpoeng" in words
    assert row["Sikker endring?"].value == f"{r.change_symbol} {r.change_verdict}"
    assert row["Mot mål"].value == f"{r.target_symbol} {r.target_verdict}"
    assert row["Statusperiode"].value == r.status_period and row["Mål innen"].value == "2027-28"
    assert row["Tiltak"].value.split("\n")[0].startswith("Tiltak 5")
    assert rows["eu_trivsel_10"]["Status"].number_format == "#,##0.00"  # poeng: two decimals
    assert rows["kostra_utgifter"]["Status"].number_format == "#,##0"  # kr: whole kroner
    assert isinstance(rows["kostra_utgifter"]["Status"].value, int)
    # every number column holds numbers or nothing, never text
    for name in ("0-punkt", "Mål", "Status", "95 % KI nedre", "95 % KI øvre", "Antall svar (n)", "Endring fra 0-punkt"):
        assert all(c[name].value is None or c[name].data_type == "n" for c in rows.values()), name


def test_a_hidden_value_stays_an_empty_cell_with_the_reason_beside_it(bergen):
    mk, _ = bergen
    hidden = mk[mk["indicator_id"] == "eu_mobbing_7"].copy()
    # as if the mart had kept the number: the export must still not write it
    hidden = hidden.assign(status_shown=False, status_reason="færre enn 10 svar", status_n=7.0)
    row = table(workbook(hidden)["Resultatavtale"])[2]["eu_mobbing_7"]
    for name in ("Status", "95 % KI nedre", "95 % KI øvre", "Antall svar (n)", "Endring fra 0-punkt"):
        assert row[name].value is None, name
    assert "Status vises ikke: færre enn 10 svar" in row["Merknad"].value
    assert row["Sikker endring?"].value == "–" and row["Mot mål"].value == "–"  # no verdict from a hidden value
    assert row["Endring i ord"].value == "kan ikke beregnes"
    assert row["0-punkt"].value is not None  # the 0-punkt is shown; only the hidden status is not


def test_agreement_sheet_header_freeze_filter_and_print_setup(bergen):
    from oppvekst.formatting import source_name, timestamp

    mk, status = bergen
    wb = workbook(mk, loaded_at=status["loaded_at"])
    ws = wb["Resultatavtale"]
    assert wb.sheetnames == ["Resultatavtale", "Forklaring"]
    head, names, rows = table(ws)
    texts = [c.value for row in ws.iter_rows(max_row=head - 1) for c in row if c.value]
    assert "Resultatavtale: Etat for skole" in texts and "Eksempeldata – ikke ekte tall" in texts
    assert "Byrådsavdeling for barnehage, skole og idrett (BBSI) › Etat for skole" in texts and "Bergen" in texts
    assert timestamp(status["loaded_at"]) in texts
    assert f"{source_name('elevundersokelsen')}; {source_name('fravaer')}" in texts
    assert ws.freeze_panes == f"B{head + 1}"
    assert ws.auto_filter.ref == f"A{head}:{openpyxl.utils.get_column_letter(len(names))}{head + len(rows)}"
    setup = ws.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${head}:${head}"  # the header row repeats on every printed page
    assert "Side &P av &N" in ws.oddFooter.right.text


def test_legend_sheet_explains_every_column_symbol_and_source(bergen):
    from oppvekst.export import AGREEMENT_COLUMNS
    from oppvekst.formatting import source_name

    wb = workbook(bergen[0])
    legend = [c.value for row in wb["Forklaring"].iter_rows() for c in row if c.value]
    assert all(name in legend for name, _, _ in AGREEMENT_COLUMNS)
    assert {"▲ sikker forbedring", "● ingen sikker endring", "▼ sikker forverring", "✖ ikke på vei"} <= set(legend)
    assert any("konfidensintervall" in t and "Newcombe" in t for t in legend)
    assert source_name("elevundersokelsen") in legend and "Eksempeldata – ikke ekte tall" in legend
    assert wb["Forklaring"].page_setup.fitToWidth == 1


def test_owner_and_titles_that_look_like_formulas_stay_text(bergen):
    mk = bergen[0].head(3).assign(title=["=1+1", "@SUM(A1)", "-2+3"], tiltak=["+cmd", None, ""])
    owner = '=HYPERLINK("http://example.invalid","Klikk") › =2+2'
    wb = workbook(mk, owner=owner, area_name="=Bergen", sources=["=evil"])
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for t in ["=1+1", "@SUM(A1)", "-2+3", "+cmd", owner, "=Bergen", "=evil", "Resultatavtale: =2+2"]:
        cell = texts[t]
        assert cell.data_type == "s" and (cell.quotePrefix or not t.startswith(("=", "+", "-", "@"))), t
