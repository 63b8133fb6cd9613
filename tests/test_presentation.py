"""Norwegian number formats and the Målekart texts."""

import pandas as pd
import pytest

from oppvekst import formatting as fmt
from oppvekst.presentation import highlights, labelled_sparkline, sparkline, summary


def test_norwegian_numbers():
    assert fmt.value(12.345, "prosent") == "12,3\u00a0prosent"
    assert fmt.change(-1.26, "prosent") == "−1,3\u00a0prosentpoeng"
    assert fmt.change(0.5, "poeng") == "+0,50\u00a0poeng"
    assert fmt.value(4437, "kr") == "4\u00a0437\u00a0kr"
    assert fmt.compact(2.8) == "2,8" and fmt.compact(0.125) == "0,125"
    assert fmt.value(None, "prosent") == "–"


def test_sparkline_marks_hidden_points():
    assert sparkline([1, 2, None, 4]) == "▁▃·█"
    assert sparkline([None]) == "–"


def test_a_flat_series_looks_flat_on_a_scale_from_zero():
    # issue 19: 4,50 → 4,50 drawn on its own range looked like a swing
    assert sparkline([4.50, 4.49, 4.50], 1.0, 5.0) == "▇▇▇"
    assert sparkline([4.50, 4.49, 4.50]) == "█▁█"  # its own range: the swing the issue saw
    assert labelled_sparkline([14.6, None, 9.4], "prosent", (0.0, 20.0)) == "14,6 ▆·▄ 9,4"
    assert labelled_sparkline([None, 4.5], "poeng", (1.0, 5.0)) == "·▇ 4,50"
    assert labelled_sparkline([None], "poeng") == "–"


def _mk(**over):
    base = dict(
        title="X",
        change_verdict="ingen sikker endring",
        target_verdict="på vei",
        benchmark_verdict="omtrent likt",
        target_value=1.0,
    )
    base.update(over)
    return base


def test_summary():
    mk = pd.DataFrame(
        [
            _mk(title="A", change_verdict="sikker forbedring", target_verdict="nådd"),
            _mk(
                title="B",
                change_verdict="sikker forverring",
                benchmark_verdict="dårligere",
                target_verdict="ikke på vei",
            ),
            _mk(title="C", change_verdict="kan ikke testes", target_verdict="ikke på vei"),
            _mk(title="D", target_value=None, target_verdict="ingen mål"),
        ]
    )
    text = summary(mk)
    assert text.startswith("1 av 4 indikatorer viser sikker forbedring")
    assert "1 viser sikker forverring" in text and "1 kan ikke testes" in text and "1 av 3 mål er nådd" in text


def _row(title, change, baseline, verdict, target_verdict, target=4.0, status=None, bench="omtrent likt"):
    return dict(
        indicator_id=title.lower(), title=title, unit="prosent", change=change, baseline_value=baseline,
        baseline_period="2020-21", status_value=baseline + change if status is None else status,
        status_period="2025-26", change_verdict=verdict, target_verdict=target_verdict, target_value=target,
        target_period="2027-28", target_symbol={"nådd": "✔", "på vei": "↘", "ikke på vei": "✖", "usikkert om målet nås": "●"}[target_verdict],
        benchmark_verdict=bench, benchmark_name="Bergen",
    )  # fmt: skip


def test_the_first_screen_names_what_goes_better_and_what_needs_attention_largest_first():
    mk = pd.DataFrame(
        [
            _row("Mobbet", -1.9, 7.7, "sikker forbedring", "på vei"),
            _row("Ensom", 0.9, 17.8, "sikker forverring", "ikke på vei", target=13.0, bench="dårligere"),
            _row("Fravær", -2.7, 17.3, "sikker forbedring", "ikke på vei", target=8.0),
            _row("Trivsel", 0.01, 4.0, "ingen sikker endring", "nådd"),
            _row("Liten", -0.1, 10.0, "sikker forbedring", "usikkert om målet nås", target=9.8),
            _row("Trygg", 0.2, 10.0, "ingen sikker endring", "usikkert om målet nås", target=5.0, bench="dårligere"),
        ]
    )
    hl = highlights(mk)
    # ranked by the size of the change against its 0-punkt: 1,9/7,7 = 25 % before 2,7/17,3 = 16 %
    assert [i["title"] for i in hl["bedre"]] == ["Mobbet", "Fravær", "Liten"]
    assert hl["bedre"][0]["text"] == "ned 1,9\u00a0prosentpoeng siden 2020-21, nå 5,8\u00a0prosent (2025-26)"
    # attention: a sure worsening, worse than the benchmark, or surely behind the line; most reasons first
    assert [i["title"] for i in hl["oppmerksomhet"]] == ["Ensom", "Fravær", "Trygg"]
    assert hl["oppmerksomhet"][0]["text"] == (
        "opp 0,9\u00a0prosentpoeng siden 2020-21; dårligere enn Bergen; "
        "ikke på vei mot målet 13,0\u00a0prosent innen 2027-28; nå 18,7\u00a0prosent (2025-26)"
    )
    assert hl["oppmerksomhet"][2]["text"] == "dårligere enn Bergen; nå 10,2\u00a0prosent (2025-26)"
    assert [i["title"] for i in hl["på vei"]] == ["Trivsel", "Mobbet"]  # reached first
    # behind the line, not surely: the calmer list, farthest from the target first
    assert [i["title"] for i in hl["usikkert"]] == ["Trygg", "Liten"]
    assert hl["usikkert"][1]["text"] == "mål 9,8\u00a0prosent innen 2027-28, nå 9,9\u00a0prosent"


def test_the_first_screen_lists_are_short_escaped_links():
    from oppvekst.presentation import highlight_list

    items = [{"indicator_id": f"i{k}", "title": f"<b>T{k}</b>", "text": "=1+1"} for k in range(7)]
    html = highlight_list(items, "4601", "ingen")
    assert html.count("<li>") == 5 and "… og 2 til" in html
    assert '<a href="indikator?indikator=i0&amp;omrade=4601" target="_self">&lt;b&gt;T0&lt;/b&gt;</a>' in html
    assert "<b>" not in html
    assert "<p>Ingen indikatorer.</p>" in highlight_list([], "4601", "Ingen indikatorer.")


def test_origin_text_reports_coverage():
    from oppvekst.presentation import origin_text

    assert origin_text("publisert", None, None) == "publisert"
    assert origin_text("aggregert fra skoler", 3, 1) == "aggregert fra 3 av 4 skoler (resten skjermet eller mangler)"
    assert origin_text("aggregert fra skoler", 2, 0) == "aggregert fra 2 av 2 skoler"


@pytest.mark.parametrize(
    "name",
    [
        "eu_mobbing_10",
        "Fana 2.0",
        "[Klikk](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "**fet**",
        "_kursiv_",
        "`kode`",
        "# Overskrift",
        "- punkt",
        "+ punkt",
        "2024. Skole",
        "a|b",
        "~~streket~~",
        "$x$",
        "![bilde](http://x/y.png)",
        "Skole \\ med skråstrek",
        '=HYPERLINK("http://x","Klikk")',
    ],
)
def test_names_from_files_show_as_the_letters_they_are(name):
    """An independent CommonMark renderer (markdown-it-py, as GitHub and Streamlit follow
    CommonMark) turns the escaped name into one paragraph holding exactly the name."""
    import html

    from markdown_it import MarkdownIt

    out = MarkdownIt("commonmark").enable("strikethrough").enable("table").render(fmt.md_text(name)).strip()
    assert out.startswith("<p>") and out.endswith("</p>"), out
    inner = out[3:-4]
    assert "<" not in inner.replace("&lt;", ""), out  # no tag of any kind
    assert html.unescape(inner) == name


def test_norwegian_alphabetical_order_and_source_names():
    from oppvekst.formatting import sort_key, source_name

    names = ["Ålesund", "bergen", "Øygarden", "Ærlig", "Aurskog-Høland", "Bærum", "Zeta"]
    assert sorted(names, key=sort_key) == ["Aurskog-Høland", "bergen", "Bærum", "Zeta", "Ærlig", "Øygarden", "Ålesund"]
    assert source_name("ungdata") == "Ungdata – NOVA/KoRus, via FHI"
    assert source_name("kostra") == "KOSTRA – SSB"
    assert source_name("ny_kilde") == "ny_kilde"


def test_the_area_picker_lists_kommuner_by_name_with_their_bydeler(sample_db):
    from oppvekst import queries
    from oppvekst.db import connect_readonly
    from oppvekst.formatting import sort_key

    con = connect_readonly(sample_db)
    try:
        areas = queries.areas_with_data(con)
    finally:
        con.close()
    kommuner = areas.loc[areas["area_level"] == "kommune", "area_name"].tolist()
    assert kommuner == ["Bamble", "Bergen", "Bærum", "Lillestrøm"]
    first_bydel = areas.index[areas["area_level"] == "bydel"][0]
    assert areas.loc[first_bydel - 1, "area_name"] == "Bergen"  # Bergen's bydeler follow Bergen
    bydeler = areas.loc[areas["area_level"] == "bydel", "area_name"].tolist()
    assert bydeler == sorted(bydeler, key=sort_key)


def test_the_change_since_the_0_punkt_is_said_in_words():
    # issue 19's three cases: mobbing down (lower is better), loneliness up (lower is better),
    # spending up (no good direction) - the signed «Forbedring» said «+1,9», «−0,9» and «+436 kr»
    from types import SimpleNamespace as Row

    from oppvekst.presentation import change_text

    def row(change, polarity, unit="prosent", verdict=None, symbol=None):
        d = {"higher_is_better": 1, "lower_is_better": -1}.get(polarity, 0)
        return Row(change=change, improvement=change * d if d else None, polarity=polarity, unit=unit,
                   change_verdict=verdict, change_symbol=symbol)  # fmt: skip

    mobbing = row(5.8 - 7.7, "lower_is_better", verdict="sikker forbedring", symbol="▲")
    assert change_text(mobbing) == "ned 1,9\u00a0prosentpoeng – bedre (▲ sikker forbedring)"
    ensomhet = row(0.9, "lower_is_better", verdict="ingen sikker endring", symbol="●")
    assert change_text(ensomhet) == "opp 0,9\u00a0prosentpoeng – dårligere (● ingen sikker endring)"
    assert change_text(row(436.0, "neutral", unit="kr")) == "opp 436\u00a0kr (ingen retning er bedre)"
    assert change_text(row(0.02, "higher_is_better")) == "uendret"
    assert change_text(row(float("nan"), "higher_is_better")) == "kan ikke beregnes"


def test_the_verdict_against_landet_carries_landets_number_or_says_why_not():
    from types import SimpleNamespace as Row

    from oppvekst.presentation import benchmark_text

    def row(verdict, symbol, landet, low=1.0, name="landet", landet_value=None):
        return Row(benchmark_verdict=verdict, benchmark_symbol=symbol, benchmark_value=landet, status_low=low,
                   unit="prosent", benchmark_name=name, landet_value=landet_value)  # fmt: skip

    assert benchmark_text(row("dårligere", "▼", 7.9)) == "▼ dårligere (landet 7,9\u00a0prosent)"
    assert benchmark_text(row("kan ikke sammenlignes", "?", None)) == (
        "? kan ikke sammenlignes: landet har ikke tall for perioden"
    )
    assert benchmark_text(row("kan ikke sammenlignes", "?", 7.9, low=None)) == (
        "? kan ikke sammenlignes: uten intervall (kilden oppgir ikke antall svar); landet 7,9\u00a0prosent"
    )
    # a mean with n but no spread (the fravær template): no interval for that reason
    mean = Row(**{**vars(row("kan ikke sammenlignes", "?", 5.9, low=None, name="Bergen")), "status_n": 143.0})
    assert (
        benchmark_text(mean)
        == "? kan ikke sammenlignes: uten intervall (kilden oppgir ikke spredning); Bergen 5,9\u00a0prosent"
    )
    assert benchmark_text(row(None, None, None)) == "–"
    # a bydel: its kommune first, landet second (the one benchmark rule)
    assert benchmark_text(row("omtrent likt", "●", 8.8, name="Bergen", landet_value=7.8)) == (
        "● omtrent likt (Bergen 8,8; landet 7,8\u00a0prosent)"
    )
    assert benchmark_text(row("kan ikke sammenlignes", "?", None, name="Bergen")) == (
        "? kan ikke sammenlignes: Bergen har ikke tall for perioden"
    )


def test_every_area_that_cannot_be_compared_says_why():
    """Områder: «? kan ikke sammenlignes» is followed by why, as ``benchmark_text`` says it."""
    from oppvekst.presentation import compare_table, slice_compare_table

    rows = pd.DataFrame(
        {
            "area_name": ["A", "B", "C", "D", "E"],
            "value": [10.0, None, 8.0, 7.0, 9.0],
            "shown": [True, False, True, True, True],
            "hidden_reason": [None, "færre enn 10 svar", None, None, None],
            "ci_low": [8.0, None, None, None, 7.5],
            "ci_high": [12.0, None, None, None, 10.5],
            "n": [300.0, None, None, 143.0, 280.0],
            "vs_ref": ["omtrent likt"] + ["kan ikke sammenlignes"] * 4,
            "vs_ref_symbol": ["●", "?", "?", "?", "?"],
            "origin": ["publisert"] * 5,
            "units_used": [None] * 5,
            "units_hidden": [None] * 5,
        }
    )
    why = "? kan ikke sammenlignes: "
    assert compare_table(rows.iloc[:4], "prosent", "landet", 9.5)["Mot landet"].tolist() == [
        "● omtrent likt",
        why + "tallet vises ikke",
        why + "uten intervall (kilden oppgir ikke antall svar)",
        why + "uten intervall (kilden oppgir ikke spredning)",  # a mean with n but no spread
    ]
    assert compare_table(rows.iloc[4:], "prosent", "Bergen")["Mot Bergen"].tolist() == [
        why + "Bergen har ikke tall for perioden"
    ]
    # one reference value per group: «landet» in the column names, with a capital where it starts one
    groups = rows.iloc[3:].assign(slice=["gutter", "jenter"], ref_value=[6.5, None])
    table = slice_compare_table(groups, "prosent", "landet", "kjonn")
    assert list(table.columns)[:2] == ["Område", "Kjønn"] and "Landet, samme gruppe" in table.columns
    assert table["Mot landet"].tolist() == [
        why + "uten intervall (kilden oppgir ikke spredning)",
        why + "landet har ikke tall for perioden",
    ]


def test_the_status_hover_says_why_a_number_has_no_interval():
    from types import SimpleNamespace as Row

    from oppvekst.presentation import status_hover

    def row(n):
        return Row(status_period="2024-25", status_shown=True, status_value=8.4, status_low=None,
                   status_high=None, status_n=n, unit="prosent")  # fmt: skip

    assert status_hover(row(None)) == "uten intervall (kilden oppgir ikke antall svar)"
    assert status_hover(row(143.0)) == "uten intervall (kilden oppgir ikke spredning) · 143 svar"  # a mean without sd
