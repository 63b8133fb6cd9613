"""Resultatavtaler, headless (AppTest): the owner picker is the registry's owner tree, a
byrådsavdeling gets everything under it and an etat only its own, the page says how many are on
track and what the symbols mean, and the verdict cells are short."""

import duckdb
import pytest

from conftest import run_app

PAGE = "pages/resultatavtaler.py"
BBSI = "Byrådsavdeling for barnehage, skole og idrett (BBSI)"
SKOLE = f"{BBSI} › Etat for skole"

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def run(monkeypatch, db, query):
    return run_app(monkeypatch, db, query, PAGE)


def grid(at):
    """The page's table as the grid behind «Sortere og søke i tabellen» holds it."""
    return at.dataframe[0].value


def owner_titles(db, path: str) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    titles = con.execute(
        "SELECT title FROM indicators WHERE owner_path = ? OR starts_with(owner_path, ? || ' › ')", [path, path]
    ).fetchall()
    con.close()
    return {t[0] for t in titles}


def test_the_picker_is_the_owner_tree_and_the_url_keeps_the_choice(monkeypatch, sample_db):
    at = run(monkeypatch, sample_db, {"omrade": "4601"})
    picker = at.selectbox[0]
    assert picker.label == "Eier (resultatavtale)" and picker.value == BBSI
    labels = list(picker.options)  # what the list shows: each node under its parent, indented
    assert labels == [
        f"{BBSI} (9)",
        "\u2003\u2003└ Etat for skole (8)",
        "Byrådsavdeling for barnevern og sosiale tjenester (BBS) (7)",
        "\u2003\u2003└ Etat for barn og familie (2)",
        "Byrådsavdeling for helse og omsorg (BHO) (3)",
    ]
    i = next(i for i, o in enumerate(labels) if "Etat for skole" in o)
    assert labels[i].startswith("\u2003") and BBSI in labels[i - 1]  # indented under its byrådsavdeling
    picker.select(SKOLE).run()
    assert not at.exception and at.query_params["eier"] == SKOLE


def test_a_byradsavdeling_has_all_its_etater_an_etat_only_its_own(monkeypatch, sample_db):
    top = run(monkeypatch, sample_db, {"omrade": "4601", "eier": BBSI})
    etat = run(monkeypatch, sample_db, {"omrade": "4601", "eier": SKOLE})
    assert set(grid(top)["Hva"]) == owner_titles(sample_db, BBSI)
    assert set(grid(etat)["Hva"]) == owner_titles(sample_db, SKOLE)
    assert "Ungdom som deltar i organiserte fritidsaktiviteter, ungdomstrinnet" in set(grid(top)["Hva"]) - set(
        grid(etat)["Hva"]
    )
    assert len(grid(etat)) == 8 and len(grid(top)) == 9


def test_summary_line_and_legend(monkeypatch, sample_db):
    at = run(monkeypatch, sample_db, {"omrade": "4601", "eier": SKOLE})
    con = duckdb.connect(str(sample_db), read_only=True)
    from oppvekst import queries

    mk = queries.malekart(con, "4601")
    con.close()
    mine = mk[mk["owner_path"] == SKOLE]
    on_way = int(mine["target_verdict"].isin(["på vei", "nådd"]).sum())
    better = int((mine["change_verdict"] == "sikker forbedring").sum())
    worse = int((mine["change_verdict"] == "sikker forverring").sum())
    text = "\n".join(m.value for m in at.markdown)
    assert f"{on_way} av 8 på vei mot målet" in text
    assert f"{better} av 8 viser sikker forbedring og {worse} sikker forverring siden 0-punktet" in text
    assert "Etat for skole" in text
    legend = "\n".join(c.value for c in at.caption)
    assert "▲ sikker forbedring" in legend and "✖ ikke på vei" in legend


def test_verdict_cells_are_short_and_never_break_after_their_symbol(monkeypatch, sample_db):
    at = run(monkeypatch, sample_db, {"omrade": "4601", "eier": BBSI})
    table = grid(at)
    assert list(table.columns) == [
        "Hva",
        "0-punkt",
        "Mål",
        "Status",
        "Endring fra 0-punkt",
        "Sikker endring?",
        "Mot mål",
        "Tiltak",
    ]
    for col in ("Sikker endring?", "Mot mål"):
        for cell in table[col]:
            assert len(cell.split(" ")) <= 2, cell  # at most two lines
            assert cell[1] == "\u00a0" or cell == "–", cell  # the symbol stays with its word
    assert not table["Endring fra 0-punkt"].str.contains("sikker").any()  # the verdict has its own column
    assert table["Tiltak"].str.contains("miljøarbeidere/miljøveiledere").any()  # copied as the plan writes it
    html = next(m.value for m in at.markdown if "oppvekst-table" in m.value)
    assert "miljøarbeidere/\u200bmiljøveiledere" in html  # on screen it may break after the slash


def test_an_old_link_and_an_unknown_owner_still_open(monkeypatch, sample_db):
    at = run(monkeypatch, sample_db, {"omrade": "4601", "eier": "Byrådsavdeling for helse og omsorg (BHO)"})
    assert "Hjemmebesøk av helsesykepleier innen 14 dager etter hjemkomst" in set(grid(at)["Hva"])
    at = run(monkeypatch, sample_db, {"omrade": "4601", "eier": "Finnes ikke"})
    assert at.selectbox[0].value == BBSI
