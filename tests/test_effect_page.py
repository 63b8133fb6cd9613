"""Effekt av tiltak (issue 17): where and when a tiltak runs, the panel the estimator reads (hidden
cells left out and counted), the sample's known answer (a tiltak with a true effect and one with
none), the sentences for a politician, the page headless and in the browser."""

from __future__ import annotations

import html
import math
import re
import shutil

import duckdb
import pandas as pd
import pytest
from test_charts_text import HOSTILE, SVG_TAGS, rendered

from conftest import ROOT, run_app
from oppvekst import queries
from oppvekst.charts import effect_groups, effect_groups_chart, event_study_chart
from oppvekst.effect import EffectResult
from oppvekst.effect_text import (
    caveats,
    effect_sentence,
    indicator_phrase,
    mde_sentence,
    method_text,
    selected_because_worst,
    units_text,
    untestable_reason,
)
from oppvekst.marts import build_marts
from samplegen.world import TILTAK_EFFECTS, World

EFFECT = next(te for te in TILTAK_EFFECTS if te.size)
NULL = next(te for te in TILTAK_EFFECTS if not te.size)
WORLD = World("sample")
MOBBING = {"indicator_id": "eu_mobbing_10", "title": "Elever som blir mobbet på skolen, 10. trinn", "unit": "prosent",
           "statistic": "proportion", "polarity": "lower_is_better", "baseline_period": "2020-21"}  # fmt: skip


@pytest.fixture(scope="module")
def con(sample_db):
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


def codes(te) -> list[str]:
    return [s.code for s in WORLD.tiltak_schools(te)]


# ------------------------------------------------------------------------------ the queries


def test_the_sample_lists_its_two_tiltak_with_where_and_since_when(con):
    tiltak = queries.tiltak_list(con).set_index("tiltak_id")
    assert list(tiltak.index) == [EFFECT.tiltak_id, NULL.tiltak_id]
    t = tiltak.loc[EFFECT.tiltak_id]
    assert t["units"] == codes(EFFECT) and t["unit_names"] == list(EFFECT.schools)
    assert (t["level"], t["start"], t["start_year"]) == ("skole", "2022-23", 2022)
    assert t["indicators"] == list(EFFECT.indicator_ids) and t["problems"] == []
    assert tiltak.loc[NULL.tiltak_id, "start"] == "2021-22" and tiltak.loc[NULL.tiltak_id, "problems"] == []


def test_the_panel_holds_the_tiltaks_schools_against_the_other_schools_of_the_kommune(con):
    panel = queries.effect_panel(con, EFFECT.tiltak_id, "eu_mobbing_10")
    bergen = {
        r[0]
        for r in con.execute(
            "SELECT area_code FROM areas WHERE area_level = 'skole' AND parent_code LIKE '4601%'"
        ).fetchall()
    }
    assert set(panel["unit"]) == bergen and len(bergen) == 20  # schools only, no bydel or kommune
    treated = panel[panel["start"].notna()]
    assert set(treated["unit"]) == set(codes(EFFECT)) and (treated["start"] == EFFECT.start).all()
    assert panel["treated"].equals(panel["start"].notna())
    assert panel["period"].dtype.kind == "i" and panel["period"].min() == 2015 and panel["period"].max() == 2025
    # the share's numerator from the mart's shown value and n; one row per unit and period
    row = con.execute(
        """SELECT value, n FROM mart_scorecard WHERE indicator_id = 'eu_mobbing_10' AND grp = 'alle'
           AND area_code = ? AND period = '2023-24'""",
        [codes(EFFECT)[0]],
    ).fetchone()
    mine = panel[(panel["unit"] == codes(EFFECT)[0]) & (panel["period"] == 2023)].iloc[0]
    assert mine["x"] == pytest.approx(row[0] * row[1] / 100) and mine["n"] == row[1]
    assert not panel.duplicated(["unit", "period"]).any()


def with_registry(sample_db, tmp_path, text: str):
    """A copy of the sample database with its marts rebuilt from the registry ``text``."""
    reg = tmp_path / "indicators.yml"
    reg.write_text(text, encoding="utf-8")
    db = tmp_path / "rebuilt.duckdb"
    shutil.copy(sample_db, db)
    with duckdb.connect(str(db)) as c:
        build_marts(c, reg)
    return db


def hidden_cells(con, indicator_id: str, units: list[str]) -> set[tuple[str, int]]:
    return set(
        con.execute(
            """SELECT area_code, year_start FROM mart_scorecard WHERE indicator_id = ? AND grp = 'alle'
               AND period_type = 'school_year' AND NOT shown AND area_code IN (SELECT unnest(?::VARCHAR[]))""",
            [indicator_id, units],
        ).fetchall()
    )


def test_hidden_cells_are_left_out_and_counted_never_read(con, sample_db, tmp_path):
    panel = queries.effect_panel(con, EFFECT.tiltak_id, "eu_mobbing_10")
    hidden = hidden_cells(con, "eu_mobbing_10", sorted(set(panel["unit"])))
    assert hidden, "the sample hides some school-years of mobbing (privacy)"
    assert panel["left_out"].eq(len(hidden)).all() and panel.attrs["left_out"] == len(hidden)
    assert not set(zip(panel["unit"], panel["period"])) & hidden
    assert queries.effect_result(con, EFFECT.tiltak_id, "eu_mobbing_10").left_out == len(hidden)
    # hide one more cell of a school with the tiltak: it leaves the panel, and the count grows
    db = tmp_path / "hidden.duckdb"
    shutil.copy(sample_db, db)
    with duckdb.connect(str(db)) as c:
        c.execute(
            """UPDATE mart_scorecard SET shown = FALSE, value = NULL, n = NULL, ci_low = NULL, ci_high = NULL,
               hidden_reason = 'skjult (test)' WHERE indicator_id = 'eu_mobbing_10' AND area_code = ? AND period = '2023-24'""",
            [codes(EFFECT)[0]],
        )
        after = queries.effect_panel(c, EFFECT.tiltak_id, "eu_mobbing_10")
        context = queries.effect_context(c, EFFECT.tiltak_id, "eu_mobbing_10")
    assert after["left_out"].iloc[0] == len(hidden) + 1 and context["left_out"] == len(hidden) + 1
    assert (codes(EFFECT)[0], 2023) not in set(zip(after["unit"], after["period"]))
    assert len(after) == len(panel) - 1


def test_units_with_another_tiltak_on_the_indicator_are_left_out_of_the_comparison(sample_db, tmp_path):
    text = (ROOT / "indicators.yml").read_text(encoding="utf-8")
    other = [s.code for s in WORLD.schools if s.code not in codes(EFFECT) + codes(NULL)][:2]
    text += f"""
  - id: annet_tiltak
    name: "Tiltak 8: Elever skal få opplæring i holdninger og bruk av sosiale medier"
    units: ["{other[0]}", "{other[1]}"]
    start: 2020-21
"""  # eu_mobbing_10 names Tiltak 8 in its own list: it is one the tiltak is meant to move
    with duckdb.connect(str(with_registry(sample_db, tmp_path, text))) as c:
        panel = queries.effect_panel(c, EFFECT.tiltak_id, "eu_mobbing_10")
        context = queries.effect_context(c, EFFECT.tiltak_id, "eu_mobbing_10")
        listed = queries.tiltak_list(c).set_index("tiltak_id")
        their = queries.effect_panel(c, "annet_tiltak", "eu_mobbing_10")
    assert listed.loc["annet_tiltak", "indicators"] == ["eu_mobbing_10"]
    assert not set(other) & set(panel["unit"]) and panel["unit"].nunique() == 18
    assert context["other_tiltak"] == [WORLD.unit(c).name for c in other]
    # and the other way round: the miljøarbeidere schools are not the comparison of the other tiltak
    assert not set(codes(EFFECT)) & set(their.loc[~their["treated"], "unit"])


def test_a_tiltak_the_data_cannot_measure_says_why(sample_db, tmp_path):
    text = (ROOT / "indicators.yml").read_text(encoding="utf-8").replace("start: 2021-22", "start: 2015-16")
    with duckdb.connect(str(with_registry(sample_db, tmp_path, text))) as c:
        listed = queries.tiltak_list(c).set_index("tiltak_id")
        result = queries.effect_result(c, NULL.tiltak_id, "fravaer_bekymring_10")
        panel = queries.effect_panel(c, NULL.tiltak_id, "fravaer_bekymring_10")
    assert listed.loc[NULL.tiltak_id, "problems"] == [
        "oppstarten 2015-16 er ved eller før første måling av «fravaer_bekymring_10» (2015-16): ingen målinger "
        "før tiltaket å sammenligne med"
    ]
    assert result.verdict == "untestable"
    sentence = effect_sentence(result, MOBBING, "skole", panel)
    assert sentence == (
        "Effekten kan ikke måles: det finnes ingen målinger fra før tiltaket startet, så vi vet ikke hvor enhetene "
        "lå uten tiltaket."
    )


# ------------------------------------------------------------------------------ the known answer


@pytest.mark.parametrize("indicator_id", EFFECT.indicator_ids)
def test_the_tiltak_with_a_true_effect_is_found_with_the_truth_inside_its_interval(con, indicator_id):
    result = queries.effect_result(con, EFFECT.tiltak_id, indicator_id)
    assert result.verdict == "effect", result
    assert result.ci_low <= EFFECT.size <= result.ci_high, result
    assert result.estimate < 0 and result.ci_high < 0
    assert (result.n_treated, result.n_control) == (3, 17)
    es = result.event_study
    assert set(es["rel_period"]) >= {-2, 0, 1, 2, 3} and es["estimate"].notna().all()


@pytest.mark.parametrize("indicator_id", NULL.indicator_ids)
def test_the_tiltak_without_an_effect_is_not_called_an_effect(con, indicator_id):
    result = queries.effect_result(con, NULL.tiltak_id, indicator_id)
    assert result.verdict != "effect", result
    assert result.ci_low <= 0 <= result.ci_high
    assert (result.n_treated, result.n_control) == (4, 16)


def test_a_planned_pilot_on_more_schools_detects_smaller_effects(con):
    three = queries.effect_mde(con, "eu_mobbing_10", "4601", tuple(sorted(codes(EFFECT))), 3)
    eight = tuple(sorted(s.code for s in WORLD.schools[:8]))
    more = queries.effect_mde(con, "eu_mobbing_10", "4601", eight, 3)
    assert 0 < more["mde"] < three["mde"] < 20
    assert (three["n_treated"], three["n_control"]) == (3, 17) and three["left_out"] > 0
    assert queries.effect_mde(con, "eu_mobbing_10", "4601", (), 3)["n_treated"] == 0
    candidates = queries.effect_candidates(con, "eu_mobbing_10", "4601")
    assert len(candidates) == 20 and set(candidates["level"]) == {"skole"}
    assert candidates["unit_name"].iloc[-1].startswith("Å")  # Norwegian order


# ------------------------------------------------------------------------------ the words


def result_of(verdict: str, estimate=-3.14, lo=-5.81, hi=-0.42, pretrend=0.6, n_t=3, n_c=17, warnings=None):
    es = pd.DataFrame({"rel_period": [-2, 0, 1], "estimate": [0.1, -3.0, -3.3], "ci_low": [-2, -5, -6],
                       "ci_high": [2, -1, -0.5]})  # fmt: skip
    return EffectResult(estimate, lo, hi, 0.01, "difference-in-differences (two-way fixed effects, weighted by n)",
                        "randomisation inference over units", pretrend, n_t, n_c, es, verdict, warnings or [])  # fmt: skip


def test_the_sentence_for_an_effect_for_no_effect_for_a_pretrend_and_when_untestable():
    assert effect_sentence(result_of("effect"), MOBBING, "skole") == (
        "På de tre skolene med tiltaket falt andelen elever som blir mobbet på skolen (10. trinn) 3,1\u00a0prosentpoeng "
        "mer enn på de 17 andre skolene (95 % KI −5,8 til −0,4). Det er lite trolig at forskjellen er tilfeldig. "
        "Forskjellen går i ønsket retning."
    )
    worse = effect_sentence(result_of("effect", 2.0, 0.5, 3.5), MOBBING, "skole")
    assert "steg andelen" in worse and "går i feil retning" in worse
    assert effect_sentence(result_of("no_effect", -0.8, -2.9, 1.3), MOBBING, "skole") == (
        "På de tre skolene med tiltaket falt andelen elever som blir mobbet på skolen (10. trinn) 0,8\u00a0prosentpoeng "
        "mer enn på de 17 andre skolene (95 % KI −2,9 til 1,3). Forskjellen kan ikke skilles fra tilfeldig variasjon."
    )
    same = effect_sentence(result_of("no_effect", 0.01, -2.0, 2.0), MOBBING, "skole")
    assert "endret andelen elever som blir mobbet på skolen (10. trinn) seg omtrent like mye som" in same
    unbounded = effect_sentence(result_of("no_effect", -1.0, -math.inf, math.inf), MOBBING, "skole")
    assert "(95 % KI ubegrenset: dataene kan ikke avgrense effekten)" in unbounded and "inf" not in unbounded
    assert effect_sentence(result_of("pretrend", pretrend=0.004), MOBBING, "skole") == (
        "Før tiltaket startet, var andelen elever som blir mobbet på skolen (10. trinn) på de tre skolene allerede på "
        "vei et annet sted enn på de 17 andre skolene (test av utviklingen før oppstart: p = 0,004). Da vet vi ikke "
        "hvordan det hadde gått uten tiltaket, og vi kan ikke si noe om effekten."
    )
    one = effect_sentence(result_of("no_effect", n_t=1, n_c=1), {**MOBBING, "unit": "poeng"}, "bydel")
    assert one.startswith("På bydelen med tiltaket falt") and "mer enn på den andre bydelen" in one
    assert "3,14\u00a0poeng" in one
    untestable = result_of("untestable", math.nan, math.nan, math.nan, None, warnings=["Ingen enheter har tiltaket."])
    assert effect_sentence(untestable, MOBBING, "skole") == "Effekten kan ikke måles: ingen enheter har tiltaket."


def test_why_an_effect_cannot_be_measured_from_the_panel():
    base = pd.DataFrame({"unit": ["a", "a", "b", "b"], "period": [2020, 2021, 2020, 2021], "x": 1, "n": 10})
    no_pre = base.assign(start=[2020, 2020, math.nan, math.nan])
    assert "ingen målinger fra før tiltaket startet" in untestable_reason(no_pre)
    no_post = base.assign(start=[2022, 2022, math.nan, math.nan])
    assert untestable_reason(no_post) == "det finnes ingen målinger fra etter at tiltaket startet ennå"
    nobody = base.assign(start=math.nan)
    assert "ingen av skolene med tiltaket har tall" in untestable_reason(nobody)
    everyone = base.assign(start=2021)
    assert untestable_reason(everyone, level="bydel") == "det finnes ingen bydeler uten tiltaket å sammenligne med"


def test_words_for_counts_indicators_and_methods():
    assert units_text(3, "skole") == "tre skoler" and units_text(1, "bydel") == "én bydel"
    assert units_text(3, "skole", definite=True) == "de tre skolene"
    assert units_text(17, "skole", definite=True, other=True) == "de 17 andre skolene"
    assert units_text(1, "kommune", definite=True, other=True) == "den andre kommunen"
    assert units_text(12, "kommune", definite=True) == "de tolv kommunene"
    fravaer = {"title": "Elever med bekymringsfullt fravær (minst 10 prosent), 10. trinn", "statistic": "proportion"}
    assert indicator_phrase(fravaer) == "andelen elever med bekymringsfullt fravær (minst 10 prosent) på 10. trinn"
    assert (
        indicator_phrase({"title": "Trivsel på skolen, 10. trinn", "statistic": "mean"})
        == "trivsel på skolen (10. trinn)"
    )
    assert indicator_phrase({"title": "KOSTRA-andel", "statistic": "mean"}) == "KOSTRA-andel"
    assert method_text("difference-in-differences (two-way fixed effects)", "randomisation inference") == (
        "Metode: forskjell i utvikling før og etter (difference-in-differences). Usikkerhet: randomiseringstest: "
        "tiltaket prøvd på alle andre mulige utvalg av enheter."
    )
    assert "syntetisk kontroll" in method_text("synthetic control", "placebo in space")
    assert method_text("noe nytt", "annet") == "Metode: noe nytt. Usikkerhet: annet."


def panel_where_the_treated_were_worst() -> pd.DataFrame:
    rows = []
    for u in range(10):
        treated = u < 2
        for period in range(2018, 2024):
            share = (0.2 if treated and period == 2020 else 0.1) + u * 0.001
            rows.append({"unit": f"s{u}", "period": period, "x": share * 100, "n": 100.0,
                         "start": 2021.0 if treated else math.nan})  # fmt: skip
    return pd.DataFrame(rows)


def test_the_caveats_that_apply():
    panel = panel_where_the_treated_were_worst()
    assert selected_because_worst(panel, "lower_is_better")
    assert not selected_because_worst(panel, "higher_is_better")  # a high share is good there
    context = {"left_out": 3, "breaks": [("2021-22", "Nytt spørsmålssett")], "other_tiltak": ["Fana skole"],
               "tiltak": {"stop": "2024-25"}}  # fmt: skip
    titles = dict(caveats(result_of("effect", n_t=2, n_c=8), panel, context, MOBBING, "skole"))
    assert titles["Forutsetning"].startswith("Uten tiltaket ville de to skolene ha fulgt samme utvikling som de åtte")
    assert "p = 0,60" in titles["Forutsetning"] and "finner ingen sikker forskjell" in titles["Forutsetning"]
    assert "regresjon mot gjennomsnittet" in titles["Valgt fordi tallene var dårlige?"]
    assert titles["Få enheter"].startswith("Med bare to skoler med tiltaket")
    assert "elever og ansatte mellom skolene" in titles["Smitte"]
    assert "«Nytt spørsmålssett»" in titles["Brudd i serien"]
    assert titles["Skjulte tall"].startswith("3 skole-år er skjult av personvernhensyn")
    assert titles["Holdt utenfor sammenligningen"] == "Fana skole har et annet tiltak for samme indikator."
    assert "2024-25" in titles["Tiltaket er avsluttet"]
    # the estimator's own warning on regression to the mean or few units is not said twice
    said = ["Bare 2 enheter har tiltaket.", "… (regresjon mot gjennomsnittet)."]
    titles = [t for t, _ in caveats(result_of("effect", n_t=2, n_c=8, warnings=said), panel, {}, MOBBING, "skole")]
    assert titles.count("Fra beregningen") == 2 and "Få enheter" not in titles
    assert "Valgt fordi tallene var dårlige?" not in titles and "Skjulte tall" not in titles


def test_the_planned_pilot_in_words():
    mde = {"mde": 3.71, "n_treated": 3, "n_control": 17, "followup": 3, "testable": True}
    meta = {**MOBBING}
    assert mde_sentence(mde, meta, "skole") == (
        "Et forsøk på tre skoler, fulgt i tre skoleår etter oppstart og sammenlignet med de 17 andre skolene, kan "
        "oppdage en effekt på omtrent 3,7\u00a0prosentpoeng eller mer (80 % sjanse til å se den, på 5 %-nivået). "
        "Mindre effekter kan finnes, men vil som regel ikke kunne skilles fra tilfeldig variasjon. Flere enheter "
        "eller flere år gir et skarpere forsøk."
    )
    assert "fulgt i to år" in mde_sentence({**mde, "followup": 2}, {**meta, "baseline_period": "2020"}, "skole")
    assert "kan ikke skille en effekt" in mde_sentence({**mde, "mde": math.inf, "testable": False}, meta, "skole")
    assert mde_sentence({"n_treated": 0}, meta, "skole") == "Velg skoler for forsøket for å se hva det kan oppdage."


# ------------------------------------------------------------------------------ the charts


def test_the_groups_are_pooled_from_numerators_and_the_charts_mark_the_start():
    panel = panel_where_the_treated_were_worst().assign(
        unit_name=lambda d: d["unit"],
        period_label=lambda d: d["period"].astype(str),
        treated=lambda d: d["start"].notna(),
    )
    groups = effect_groups(panel, "proportion")
    g = groups[(groups["period"] == 2020) & groups["treated"]].iloc[0]
    assert g["value"] == pytest.approx(100 * (20.0 + 20.1) / 200) and g["units"] == 2
    svg = html.unescape(
        effect_groups_chart(
            panel, MOBBING, 2021, "2021", ("Skolene med tiltaket (2)", "De andre skolene (8)"), "Prosent"
        )
    )
    assert "Oppstart 2021" in svg and "Skolene med tiltaket (2)" in svg and "De andre skolene (8)" in svg
    es = pd.DataFrame({"rel_period": [-3, -2, 0, 1], "estimate": [0.2, -0.1, -3.0, -2.5],
                       "ci_low": [-2, -2, -5, -math.inf], "ci_high": [2, 2, -1, math.inf]})  # fmt: skip
    svg = html.unescape(event_study_chart(es, result_of("effect", lo=-math.inf), MOBBING, "2022-23"))
    assert "Oppstart 2022-23" in svg and "inf" not in svg.replace("Informasjon", "")
    assert "Siste skoleår før oppstart: sammenligningsgrunnlaget (0)" in svg  # the reference period −1, drawn at 0
    assert "Samlet forskjell etter oppstart: −3,1 (95 % KI ubegrenset)" in svg


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_school_name_in_the_effect_chart_is_text(name):
    panel = panel_where_the_treated_were_worst().assign(
        unit_name=name, period_label=lambda d: d["period"].astype(str), treated=lambda d: d["start"].notna()
    )
    out = rendered(effect_groups_chart(panel, MOBBING, 2021, "2021", (name, "De andre"), "Prosent"))
    assert out.tags <= SVG_TAGS, out.tags - SVG_TAGS
    assert not {a for a in out.attrs if a.startswith("on") or a in ("href", "src")}


# ------------------------------------------------------------------------------ the page


def page_text(at) -> str:
    return html.unescape("\n".join(m.value for m in list(at.markdown) + list(at.caption)))


def test_the_page_for_the_tiltak_that_works(monkeypatch, sample_db, fresh_streamlit_caches, con):
    at = run_app(monkeypatch, sample_db, {"tiltak": EFFECT.tiltak_id, "indikator": "eu_mobbing_10"}, "pages/effekt.py")
    assert at.title[0].value == "Effekt av tiltak"
    text = page_text(at)
    result = queries.effect_result(con, EFFECT.tiltak_id, "eu_mobbing_10")
    sentence = effect_sentence(result, queries.indicator_meta(con, "eu_mobbing_10"), "skole")
    assert sentence.startswith("På de tre skolene med tiltaket falt andelen")
    assert sentence.replace("(", "\\(").replace(")", "\\)") in text or sentence in text
    assert "**Sikker forskjell**" in text and "kjører på tre skoler fra skoleåret 2022-23" in text
    assert [s.value for s in at.subheader] == [
        "Virket tiltaket?", "Skolene med tiltaket og de andre skolene", "Forskjell år for år",
        "Forutsetninger og forbehold", "Planlegg et forsøk",
    ]  # fmt: skip
    assert "Skjulte tall:" in text and "skole-år er skjult av personvernhensyn" in text
    assert "Brudd i serien:" in text
    # the choices stay in the URL; the planned pilot starts from the tiltak's own schools
    assert at.query_params["tiltak"] in (EFFECT.tiltak_id, [EFFECT.tiltak_id])
    forsok = at.query_params["forsok"]
    assert (forsok[0] if isinstance(forsok, list) else forsok) == ",".join(codes(EFFECT))
    assert "Et forsøk på tre skoler, fulgt i tre skoleår etter oppstart" in text
    # the numbers behind the charts: the groups pooled, never a hidden cell
    assert "Tallene bak figuren" in text


def test_the_page_for_the_tiltak_that_does_not(monkeypatch, sample_db, fresh_streamlit_caches):
    at = run_app(monkeypatch, sample_db, {"tiltak": NULL.tiltak_id}, "pages/effekt.py")
    text = page_text(at)
    assert "**Ingen sikker forskjell**" in text and "Sikker forskjell**" not in text.replace("Ingen sikker", "")
    assert "Forskjellen kan ikke skilles fra tilfeldig variasjon." in text
    assert "kjører på fire skoler fra skoleåret 2021-22" in text
    assert at.selectbox[1].value == "fravaer_bekymring_10"  # the tiltak's only indicator, put in the URL
    # another pilot, chosen in the panel, and kept in the URL
    at.multiselect[0].set_value(codes(EFFECT)[:1]).run()
    assert not at.exception
    assert "Et forsøk på én skole" in page_text(at)
    forsok = at.query_params["forsok"]
    assert (forsok[0] if isinstance(forsok, list) else forsok) == codes(EFFECT)[0]


def test_the_page_survives_a_registry_error_and_says_so(monkeypatch, sample_db, tmp_path, fresh_streamlit_caches):
    text = (ROOT / "indicators.yml").read_text(encoding="utf-8").replace('- "956667577"', '- "956667578"')
    db = with_registry(sample_db, tmp_path, text)
    at = run_app(monkeypatch, db, {"tiltak": EFFECT.tiltak_id}, "pages/effekt.py")
    error = "\n".join(e.value for e in at.error)
    assert "indicators.yml" in error and "tiltak **miljoarbeidere**, felt tiltak.units (linje" in error
    assert "ikke et gyldig organisasjonsnummer" in error
    assert any("Ingen tiltak har enheter og oppstart" in i.value for i in at.info)


def test_the_page_shows_no_number_when_everything_is_suppressed(
    monkeypatch, sample_db, tmp_path, fresh_streamlit_caches
):
    db = tmp_path / "supp.duckdb"
    shutil.copy(sample_db, db)
    with duckdb.connect(str(db)) as c:
        c.execute("UPDATE observations SET value = NULL, suppressed = TRUE, symbol = ':'")
        build_marts(c)
    at = run_app(monkeypatch, db, {"tiltak": EFFECT.tiltak_id, "indikator": "eu_mobbing_10"}, "pages/effekt.py")
    text = page_text(at)
    assert "**Kan ikke testes**" in text and "Effekten kan ikke måles:" in text
    assert not re.search(r"\d,\d\u00a0prosent", text)  # no number at all, let alone a zero


# ------------------------------------------------------------------------------ the browser


@pytest.fixture(scope="module")
def app_in_browser(tmp_path_factory):
    """`make run` on a sample database of its own, and headless Chromium (tests/test_browser.py)."""
    import playwright.sync_api as pw
    from test_browser import ARGS, CHROMIUM, make_run

    with make_run(tmp_path_factory.mktemp("effekt") / "oppvekst.duckdb") as (url, _), pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield url, b
        b.close()


@pytest.mark.parametrize(
    "name,te,indicator",
    [("effekt_virker", EFFECT, "eu_mobbing_10"), ("effekt_null", NULL, "fravaer_bekymring_10")],
)
def test_the_page_in_the_browser(app_in_browser, name, te, indicator):
    """The page as people see it, from its deep link; the screenshots (tests/screenshots/effekt_virker.png
    and effekt_null.png) show the verdict, both charts and the caveats."""
    import playwright.sync_api as pw
    from test_browser import SHOTS, open_page

    server, browser = app_in_browser
    page = open_page(browser, f"{server}/effekt?tiltak={te.tiltak_id}&indikator={indicator}", height=3200)
    charts = page.locator(".oppvekst-chart svg")
    pw.expect(charts.nth(1)).to_be_visible(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert charts.count() == 2 and all(charts.nth(i).bounding_box()["width"] > 600 for i in range(2))
    verdict = "Sikker forskjell" if te.size else "Ingen sikker forskjell"
    pw.expect(page.get_by_text(verdict, exact=True)).to_be_visible()
    assert "effekt" in page.url and f"tiltak={te.tiltak_id}" in page.url
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
