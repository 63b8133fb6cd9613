"""Funnel plots on the Områder page (issue 18): the verdict per area from the 99,8 % limits at its
n around the reference, widened when the areas vary more than chance allows; the chart draws
it; the page shows it for Bergen's bydeler and schools."""

from __future__ import annotations

import html
import math
import re

import duckdb
import numpy as np
import pandas as pd
import pytest
from test_charts_text import HOSTILE, SVG_TAGS, rendered

from conftest import run_app
from oppvekst.charts import funnel_chart
from oppvekst.funnel import NO_N, NO_SD, compare, expected_false
from oppvekst.presentation import (
    compare_hover,
    compare_table,
    funnel_dispersion_text,
    funnel_outlier_text,
    funnel_rule_text,
    funnel_table,
)
from oppvekst.stats import funnel_limits, z_value
from oppvekst.verdicts import BETTER, NEUTRAL, WORSE


def areas(values, n, shown=None, sd=None, names=None) -> pd.DataFrame:
    k = len(values)
    return pd.DataFrame(
        {
            "area_code": [f"4601{i:02d}" for i in range(k)],
            "area_name": names or [f"Område {i}" for i in range(k)],
            "value": [float(v) if v is not None else np.nan for v in values],
            "n": [float(x) if x is not None else np.nan for x in (n if isinstance(n, list) else [n] * k)],
            "sd": sd if isinstance(sd, list) else [np.nan if sd is None else sd] * k,
            "shown": shown or [True] * k,
            "hidden_reason": [None if s else "færre enn 10 svar" for s in (shown or [True] * k)],
            "ci_low": [np.nan] * k,
            "ci_high": [np.nan] * k,
            "origin": ["publisert"] * k,
            "units_used": [None] * k,
            "units_hidden": [None] * k,
        }
    )


def visible(svg: str) -> str:
    """The text drawn in an SVG (not its tooltips)."""
    return " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg))


# --------------------------------------------------------------------------- the domain


def test_an_area_planted_outside_99_8_is_flagged_and_one_inside_is_not():
    # p0 = 10 %, n = 400: se 1,5 prosentpoeng, 99,8 % limits 10 ± 3,09 · 1,5 = 5,36–14,64
    rows = areas([10.3, 9.6, 10.9, 9.2, 10.0, 10.5, 9.8, 13.5, 2.0], 400)
    out, funnel = compare(rows, 10.0, "proportion", "lower_is_better", "prosent", "Bergen")
    assert not funnel.overdispersion.adjusted  # one outlier among areas that vary by chance
    lo, hi = funnel_limits(10.0, 400, 0.998)
    assert out["funnel_low998"].iloc[0] == pytest.approx(float(lo)) and out["funnel_high998"].iloc[0] == pytest.approx(
        float(hi)
    )
    assert 5.3 < float(lo) < 5.4
    planted = out.iloc[8]
    assert (planted.funnel_band, planted.vs_ref_symbol, planted.vs_ref, planted.vs_ref_colour) == (
        "outside",
        "▲",
        "bedre",  # lower is better: below the funnel is better
        BETTER,
    )
    assert planted.funnel_test == "Utenfor 99,8 %-grensen: sikkert bedre enn Bergen."
    inside = out.iloc[2]
    assert (inside.funnel_band, inside.vs_ref_symbol, inside.vs_ref) == ("inside", "●", "omtrent likt")
    # 13,5 is outside 95 % (12,94) but inside 99,8 %: said in the text, not an outlier
    between = out.iloc[7]
    assert (between.funnel_band, between.vs_ref) == ("between", "omtrent likt")
    assert "ikke et sikkert avvik" in between.vs_ref_note
    assert funnel.compared == 9 and funnel.outliers == 1
    table = compare_table(out, "prosent", "Bergen", 10.0)
    assert table["Mot Bergen"].tolist()[7] == "● omtrent likt – " + between.vs_ref_note
    assert table["Mot Bergen"].tolist()[8] == "▲ bedre"
    assert "99,8 %: 5,4–14,6 prosent" in compare_hover(out)[8]
    assert funnel_outlier_text(out, funnel) == "Utenfor 99,8 %-grensen – ▲ sikkert bedre enn Bergen: Område 8."
    # higher is better: the same area is worse
    out, _ = compare(rows, 10.0, "proportion", "higher_is_better", "prosent", "Bergen")
    assert (out.iloc[8].vs_ref_symbol, out.iloc[8].vs_ref, out.iloc[8].vs_ref_colour) == ("▼", "dårligere", WORSE)
    # neutral: higher/lower, never better/worse
    out, _ = compare(rows, 10.0, "proportion", "neutral", "prosent", "Bergen")
    assert (out.iloc[8].vs_ref_symbol, out.iloc[8].vs_ref, out.iloc[8].vs_ref_colour) == ("↓", "lavere", NEUTRAL)


def test_overdispersed_areas_widen_the_limits_and_the_page_says_so():
    # ten areas at 6 and 14 % around 10 % with n = 1000: every z is ±4,2, far outside 99,8 % by chance alone
    rows = areas([6.0, 14.0] * 5, 1000)
    plain_lo, plain_hi = funnel_limits(10.0, 1000, 0.998)
    assert all(v < plain_lo or v > plain_hi for v in rows["value"])
    out, funnel = compare(rows, 10.0, "proportion", "lower_is_better", "prosent", "Bergen")
    od = funnel.overdispersion
    assert od.adjusted and od.tau2 > 0 and od.phi > 1
    assert (out["funnel_low998"] < plain_lo).all() and (out["funnel_high998"] > plain_hi).all()
    assert (out["funnel_band"] != "outside").all() and funnel.outliers == 0
    grid = funnel.grid
    assert (grid["high998"] > grid["plain_high998"]).all() and (grid["low998"] <= grid["plain_low998"]).all()
    text = funnel_dispersion_text(funnel)
    assert "varierer mer enn tilfeldigheter tilsier" in text and "utvidede grensene" in text
    assert "(justert for overspredning)" in out["funnel_limits"].iloc[0]
    svg = html.unescape(funnel_chart(out, funnel, "prosent"))
    assert "99,8 %-grense (justert for overspredning)" in svg and "99,8 %-grense uten justering" in svg


def test_areas_without_n_or_hidden_cannot_be_compared_and_say_why():
    rows = areas([8.0, None, 9.0, 11.0, 7.5], [300, None, None, 250, 280], shown=[True, False, True, True, True])
    out, funnel = compare(rows, 9.0, "proportion", "lower_is_better", "prosent", "Bergen")
    assert out["vs_ref"].tolist()[1:3] == ["kan ikke sammenlignes"] * 2 and out["vs_ref_symbol"].tolist()[1] == "?"
    assert out["vs_ref_note"].tolist()[1:3] == ["tallet vises ikke", NO_N]
    assert out["funnel_band"].isna().tolist() == [False, True, True, False, False]
    assert funnel.compared == 3
    why = "? kan ikke sammenlignes: "
    assert compare_table(out, "prosent", "Bergen", 9.0)["Mot Bergen"].tolist()[1:3] == [
        why + "tallet vises ikke",
        why + "uten intervall (kilden oppgir ikke antall svar)",
    ]
    assert funnel_table(out, "prosent", "Bergen", 9.0)["99,8 %-grenser"].tolist()[1:3] == ["", ""]
    # the reference without a number: nothing can be placed, every area says why
    out, funnel = compare(rows, None, "proportion", "lower_is_better", "prosent", "Bergen")
    assert funnel is None and set(out["vs_ref"]) == {"kan ikke sammenlignes"}
    assert out["vs_ref_note"].tolist()[0] == "Bergen har ikke tall for perioden"
    # a mean with n but no spread anywhere
    out, funnel = compare(rows, 9.0, "mean", "higher_is_better", "poeng", "Bergen")
    assert funnel is None and out["vs_ref_note"].tolist()[0] == NO_SD
    # kroner (a «count»): no funnel, and no n either
    out, funnel = compare(areas([100.0, 120.0], None), 110.0, "count", "neutral", "kr", "landet")
    assert funnel is None and out["vs_ref_note"].tolist() == [NO_N, NO_N]


def test_a_mean_is_tested_with_its_standard_error():
    rows = areas(
        [4.5, 4.6, 4.4, 4.55, 4.45, 4.52, 4.48, 4.58, 4.42, 4.1], [100, 120, 90, 110, 100, 130, 95, 105, 115, 150]
    )
    out, funnel = compare(rows, 4.5, "mean", "higher_is_better", "poeng", "Bergen", ref_sd=0.9)
    se = 0.9 / math.sqrt(150)  # the reference's spread: the null model is «like Bergen»
    assert out["funnel_z"].iloc[9] == pytest.approx((4.1 - 4.5) / se)
    assert out["funnel_low998"].iloc[9] == pytest.approx(4.5 - z_value(0.998) * se)
    assert (out.iloc[9].vs_ref_symbol, out.iloc[9].vs_ref) == ("▼", "dårligere")
    assert (out["funnel_band"].iloc[:9] == "inside").all()
    assert funnel.sd == 0.9 and not funnel.overdispersion.adjusted
    assert "poeng" in out["funnel_limits"].iloc[9]
    # without the reference's spread: the areas' pooled sd
    pooled = rows.assign(sd=[0.8] * 5 + [1.0] * 5)
    _, funnel = compare(pooled, 4.5, "mean", "higher_is_better", "poeng", "Bergen")
    assert funnel.sd == pytest.approx(math.sqrt((0.64 * 515 + 1.0 * 590) / 1105))


def test_the_rule_line_counts_the_false_outliers_it_lets_through():
    def rule(k):
        _, funnel = compare(areas([10.0] * k, 500), 10.0, "proportion", "lower_is_better", "prosent", "Bergen")
        return funnel_rule_text(funnel)

    assert expected_false(8) == pytest.approx(0.016)
    assert "med 8 områder ventes 0,016 falske avvik" in rule(8) and "(med 95 %-grensen: 0,4)" in rule(8)
    assert "med 20 områder ventes 0,04 falske avvik" in rule(20) and "(med 95 %-grensen: 1)" in rule(20)
    assert rule(8).startswith("Bare områder utenfor 99,8 %-grensen regnes som sikre avvik")


# ----------------------------------------------------------------------------- the chart


def test_the_chart_names_outliers_in_words_and_symbol_and_every_point_has_its_test():
    rows = areas([10.3, 9.6, 10.9, 9.2, 10.0, 10.5, 9.8, 13.5, 2.0, 10.1, 9.9, 10.2], [400] * 11 + [4000])
    rows.loc[8, "area_name"] = "Fyllingsdalen"
    out, funnel = compare(rows, 10.0, "proportion", "lower_is_better", "prosent", "Bergen")
    svg = funnel_chart(out, funnel, "prosent")
    text = visible(svg)
    svg = html.unescape(svg)
    assert "Fyllingsdalen ▲ bedre" in text  # the outlier, in words and symbol
    assert "Område 2" not in text  # more than ten areas: only outliers are named
    assert "Utenfor 99,8 %-grensen: sikkert bedre enn Bergen" in svg
    assert svg.count("<title>") >= len(rows)  # a tooltip per point (and the reference line)
    assert "Antall svar (n), logaritmisk skala" in text and "1\u00a0000" in text  # n spans 10×: log scale
    assert "Bergen 10,0\u00a0prosent" in text
    # every area named when there are few, on a linear axis
    few, funnel = compare(rows.iloc[:6], 10.0, "proportion", "lower_is_better", "prosent", "Bergen")
    text = visible(funnel_chart(few, funnel, "prosent"))
    assert all(f"Område {i}" in text for i in range(6)) and "logaritmisk" not in text


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_area_or_reference_name_in_the_funnel_is_text(name):
    rows = areas([10.0, 2.0, 9.5, 10.4, 9.9], 400, names=[name, "Årstad", "B", "C", "D"])
    rows.loc[1, "area_name"] = name + " 2"
    out, funnel = compare(rows, 10.0, "proportion", "lower_is_better", "prosent", name)
    page = rendered(funnel_chart(out, funnel, "prosent"))
    assert page.tags <= SVG_TAGS, page.tags - SVG_TAGS
    assert not {a for a in page.attrs if a.startswith("on") or a in ("href", "src")}
    assert any(name.split("\n")[0] in t for t in page.text)


# ------------------------------------------------------------------------------ the page


def run_omrader(monkeypatch, db, query):
    return run_app(monkeypatch, db, query, "pages/omrader.py")


def page_text(at) -> str:
    return html.unescape("\n".join(m.value for m in at.markdown))


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_the_page_shows_the_funnel_for_bergens_bydeler(monkeypatch, sample_db):
    from oppvekst.queries import compare_funnel, periods

    # the first Elevundersøkelsen view where a bydel of Bergen lies outside 99,8 % (the sample has some)
    con = duckdb.connect(str(sample_db), read_only=True)
    views = [(i, p) for i in ("eu_mobbing_10", "eu_mobbing_7", "eu_stotte_laerer_10") for p in periods(con, i)]
    for indicator, period in views:
        rows, _, funnel = compare_funnel(con, indicator, period, "4601", "bydel")
        flagged = rows[rows["funnel_band"] == "outside"]
        if len(flagged):
            break
    con.close()
    assert funnel.compared == 8 and len(flagged)
    query = {"omrade": "4601", "indikator": indicator, "periode": period, "nivaa": "bydel"}
    at = run_omrader(monkeypatch, sample_db, query)
    text = page_text(at)
    assert "Traktdiagram: 8 områder" in text
    for r in flagged.itertuples():
        assert f"{r.area_name} {r.vs_ref_symbol} {r.vs_ref}" in text
    assert "med 8 områder ventes 0,016 falske avvik" in text
    captions = " ".join(c.value for c in at.caption)
    assert funnel.overdispersion.reason in text + captions  # adjusted or not, the page says which and why
    table = at.dataframe[0].value
    assert len(table) == 8 and "99,8 %-grenser" in table.columns
    assert set(table.loc[table["Område"].isin(flagged["area_name"]), "Mot Bergen"]) == {
        f"{s} {v}" for s, v in zip(flagged["vs_ref_symbol"], flagged["vs_ref"])
    }
    assert "Utenfor 99,8 %-grensen" in text and "Slik leser du tegnene" in " ".join(c.value for c in at.caption)


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_the_page_shows_the_funnel_for_the_schools_of_bergen_and_of_a_bydel(monkeypatch, sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    schools = {
        r[0]
        for r in con.execute("""SELECT a.area_name FROM areas a JOIN areas b ON a.parent_code = b.area_code
            WHERE a.area_level = 'skole' AND b.parent_code = '4601'""").fetchall()
    }
    con.close()
    assert len(schools) == 20
    at = run_omrader(monkeypatch, sample_db, {"omrade": "4601", "indikator": "eu_mobbing_7", "nivaa": "skole"})
    assert at.radio(key="pick_nivaa").value == "skole"
    table = at.dataframe[0].value
    assert set(table["Område"]) == schools
    text = page_text(at)
    assert "Traktdiagram: 20 områder" in text and "med 20 områder ventes 0,04 falske avvik" in text
    # a bydel's schools against the bydel
    at = run_omrader(monkeypatch, sample_db, {"omrade": "460103", "indikator": "eu_mobbing_10", "nivaa": "skole"})
    assert "Traktdiagram: 3 områder" in page_text(at) and "Mot Fana" in at.dataframe[0].value.columns


# ----------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def app_in_browser(tmp_path_factory):
    """`make run` on a sample database of its own, and headless Chromium (as tests/test_browser.py;
    imported here so the tests above run where no browser is installed)."""
    import playwright.sync_api as pw
    from test_browser import ARGS, CHROMIUM, make_run

    with make_run(tmp_path_factory.mktemp("funnel") / "oppvekst.duckdb") as (url, _), pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield url, b
        b.close()


@pytest.mark.parametrize(
    "name,path",
    [
        ("bydeler", "omrader?indikator=ung_trygg&omrade=4601&nivaa=bydel"),
        ("skoler", "omrader?indikator=eu_mobbing_10&omrade=4601&nivaa=skole&periode=2024-25"),
    ],
)
def test_the_funnel_in_the_browser(app_in_browser, name, path):
    """The funnel as people see it, for Bergen's bydeler and Bergen's schools; the screenshots
    (tests/screenshots/omrader_funnel_*.png) show the chart with its three lines of text."""
    import playwright.sync_api as pw
    from test_browser import SHOTS, open_page

    server, browser = app_in_browser
    # tall enough that the chart and its text need no scrolling (Streamlit scrolls inside the page)
    page = open_page(browser, f"{server}/{path}", height=3200)
    chart = page.locator(".oppvekst-chart svg[aria-label^='Traktdiagram']").first
    pw.expect(chart).to_be_visible(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 400  # drawn at a readable size
    label = chart.get_attribute("aria-label")
    assert ("20 områder" if name == "skoler" else "8 områder") in label
    # every outlier named in the aria label is drawn as text beside its point
    drawn = " ".join(chart.locator("text").all_text_contents())
    for outlier in re.findall(r"([^:,]+?) \((?:▲|▼|↑|↓) [a-zæøå]+\)", label.split("Utenfor 99,8 %-grensen:")[-1]):
        assert outlier.strip() in drawn
    rule = page.get_by_text("Bare områder utenfor 99,8 %-grensen regnes som sikre avvik").first
    pw.expect(rule).to_be_visible()
    intro = page.get_by_text("Hvert område står etter hvor mange som svarte").first.bounding_box()
    end = page.get_by_text("tilfeldigheter tilsier").first.bounding_box()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(  # the page's column from the chart's heading to the overdispersion sentence
        path=str(SHOTS / f"omrader_funnel_{name}.png"),
        clip={
            "x": intro["x"] - 16,
            "y": intro["y"] - 12,
            "width": intro["width"] + 32,
            "height": end["y"] + end["height"] + 24 - intro["y"],
        },
    )
