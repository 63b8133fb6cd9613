"""Effekt av tiltak: did a tiltak work? Its units against comparable units, before and after,
with honest uncertainty (issue 17). Deep link: /effekt?tiltak=…&indikator=…"""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst import queries
from oppvekst.charts import effect_groups, effect_groups_chart, event_study_chart
from oppvekst.effect_text import (
    LEVEL_WORDS,
    VERDICT_LABELS,
    caveats,
    effect_sentence,
    event_study_table,
    groups_table,
    mde_sentence,
    method_text,
    units_text,
)
from oppvekst.presentation import url_choice, url_codes
from pages._ui import header, html_table, reader, svg_chart

read = reader()
header("Effekt av tiltak", read)
st.caption(
    "Virket tiltaket? Enhetene med tiltaket sammenlignes med de andre enhetene i samme kommune, før og etter "
    "oppstart: forskjellen i utvikling er anslaget på effekten, med usikkerhet. Se «Slik regner vi» på Datagrunnlag."
)
tiltak = read(queries.tiltak_list)
ind = read(queries.indicators)
titles = dict(zip(ind["indicator_id"], ind["title"]))
level, kommune, indicator_id = "skole", str(ind["plan_area"].iloc[0])[:4] if len(ind) else "", None
units_in_tiltak: list[str] = []

if tiltak.empty:
    st.info(
        "Ingen tiltak har enheter og oppstart i registeret ennå. Skriv dem inn under «tiltak:» i indicators.yml "
        "(se README, «Tiltak: hvor og når»). Du kan likevel planlegge et forsøk nederst på siden."
    )
else:
    ids = tiltak["tiltak_id"].tolist()
    names = dict(zip(tiltak["tiltak_id"], tiltak["name"]))
    chosen = st.selectbox(
        "Tiltak", ids, index=ids.index(url_choice(st.query_params.get("tiltak"), ids, ids[0])),
        format_func=names.get, key="pick_tiltak",
    )  # fmt: skip
    st.query_params["tiltak"] = chosen
    t = tiltak[tiltak["tiltak_id"] == chosen].iloc[0]
    level, units_in_tiltak = t["level"], list(t["units"])
    options = [i for i in t["indicators"] if i in titles]
    if options:
        indicator_id = st.selectbox(
            "Indikator", options, index=options.index(url_choice(st.query_params.get("indikator"), options, options[0])),
            format_func=titles.get, key=f"pick_indikator_{chosen}",
        )  # fmt: skip
        st.query_params["indikator"] = indicator_id
    since = f"skoleåret {t['start']}" if "-" in str(t["start"]) else str(t["start"])
    stop = f" til {t['stop']}" if isinstance(t["stop"], str) and t["stop"] else ""
    where = ", ".join(t["unit_names"])
    st.markdown(
        f"**{fmt.md_text(t['name'])}** kjører på {units_text(len(t['units']), level)} fra {since}{stop}: "
        f"{fmt.md_text(where)}."
    )
    if isinstance(t["description"], str) and t["description"]:
        st.caption(fmt.md_text(t["description"]))
    for problem in t["problems"]:
        st.warning(f"Tiltaket kan ikke måles fullt ut: {fmt.md_text(problem)}.")
    if not options:
        st.info("Tiltaket er ikke knyttet til noen indikator med tall. Skriv indikatorene under «indicators:».")

if indicator_id:
    meta = read(queries.indicator_meta, indicator_id)
    result = read(queries.effect_result, chosen, indicator_id)
    panel = read(queries.effect_panel, chosen, indicator_id)
    context = read(queries.effect_context, chosen, indicator_id)
    kommune = (context.get("kommune_codes") or [kommune])[0]
    the_many = LEVEL_WORDS[level][3]
    st.subheader("Virket tiltaket?")
    with st.container(border=True):
        st.markdown(f"**{VERDICT_LABELS.get(result.verdict, result.verdict)}**")
        st.markdown(fmt.md_text(effect_sentence(result, meta, level, panel)))
        st.caption(
            fmt.md_text(
                f"{method_text(result.method, result.inference)} {units_text(result.n_treated, level).capitalize()} "
                f"med tiltaket mot {fmt.number(result.n_control, 0)} uten, {len(context.get('periods', []))} perioder."
            )
        )
    period_word = "skoleår" if "-" in str(t["start"]) else "år"
    labels = (
        f"{the_many[:1].upper()}{the_many[1:]} med tiltaket ({result.n_treated})",
        f"De andre {the_many} ({result.n_control})",
    )
    unit_label = fmt.UNIT_WORD.get(meta["unit"], meta["unit"]).capitalize()
    st.subheader(f"{labels[0].split(' (')[0]} og de andre {the_many}")
    each = f"Hver {LEVEL_WORDS[level][0]} med tiltaket"
    svg_chart(effect_groups_chart(panel, meta, int(t["start_year"]), str(t["start"]), labels, unit_label, each))
    st.caption(
        fmt.md_text(
            f"{meta['title']}. Hver linje er gruppens samlede tall"
            + (" (alle svar slått sammen)" if meta["statistic"] == "proportion" else " (gjennomsnitt av enhetene)")
            + "; de tynne stiplede linjene er enhetene med tiltaket hver for seg. Skjulte tall er holdt utenfor."
        )
    )
    st.subheader("Forskjell år for år")
    svg_chart(event_study_chart(result.event_study, result, meta, str(t["start"]), period_word))
    st.caption(
        "Hvert punkt er forskjellen mellom enhetene med tiltaket og de andre det året, målt mot forskjellen før "
        "oppstart, med 95 % konfidensintervall. Det åpne punktet er siste periode før oppstart, som de andre måles "
        "mot. Før oppstart bør punktene ligge rundt null; etter oppstart viser de effekten år for år."
    )
    st.subheader("Forutsetninger og forbehold")
    st.markdown(
        "\n".join(f"- **{fmt.md_text(title)}:** {fmt.md_text(text)}" for title, text in caveats(result, panel, context, meta, level))
    )  # fmt: skip
    with st.expander("Tallene bak figurene"):
        table = groups_table(effect_groups(panel, meta["statistic"]), meta["unit"], labels)
        html_table(table, "Tallene bak figuren: enhetene med tiltaket og de andre", row_header="Periode")
        es = result.event_study
        if es is not None and len(es):
            st.caption("Forskjell år for år")
            html_table(event_study_table(es, meta["unit"], period_word), "Tallene bak figuren: forskjell år for år")

# ------------------------------------------------------------------ Planlegg et forsøk
st.subheader("Planlegg et forsøk")
st.caption(
    "Hvor stor effekt kan et forsøk oppdage? Velg enhetene som skal prøve tiltaket: svaret regnes ut fra "
    "indikatorens historie, antall svar og hvor mye tallene svinger fra år til år. Et forsøk som bare kan "
    "oppdage store effekter, kan ikke avgjøre om et tiltak med en liten effekt virker."
)
plan_options = ind[ind["source"].isin(["elevundersokelsen", "fravaer"]) & ~ind["pooled"].astype(bool)]
plan_ids = plan_options["indicator_id"].tolist() or ind["indicator_id"].tolist()
if not plan_ids:
    st.stop()
plan_ind = st.selectbox(
    "Indikator for forsøket", plan_ids,
    index=plan_ids.index(url_choice(st.query_params.get("forsok_indikator"), plan_ids, indicator_id or plan_ids[0])),
    format_func=titles.get, key="pick_forsok_indikator",
)  # fmt: skip
st.query_params["forsok_indikator"] = plan_ind
candidates = read(queries.effect_candidates, plan_ind, kommune)
if candidates.empty:
    st.info("Indikatoren har ikke tall for skoler eller bydeler i kommunen, så et forsøk kan ikke planlegges her.")
    st.stop()
cand_names = dict(zip(candidates["unit"], candidates["unit_name"]))
plan_level = str(candidates["level"].iloc[0])
default = [c for c in units_in_tiltak if c in cand_names]
picked = url_codes(st.query_params.get("forsok"), list(cand_names), default)
picked = st.multiselect(
    f"{LEVEL_WORDS[plan_level][1].capitalize()} i forsøket", list(cand_names), default=picked,
    format_func=cand_names.get, key=f"pick_forsok_{plan_ind}",
)  # fmt: skip
st.query_params["forsok"] = ",".join(picked)
years = st.columns([1, 2])[0].select_slider(
    "År med målinger etter oppstart", options=[1, 2, 3, 4, 5],
    value=int(url_choice(st.query_params.get("aar"), ["1", "2", "3", "4", "5"], "3")), key="pick_forsok_aar",
)  # fmt: skip
st.query_params["aar"] = str(years)
plan_meta = read(queries.indicator_meta, plan_ind)
mde = read(queries.effect_mde, plan_ind, kommune, tuple(sorted(picked)), int(years)) if picked else {"n_treated": 0}
st.markdown(fmt.md_text(mde_sentence(mde, plan_meta, plan_level)))
if picked and mde.get("left_out"):
    st.caption(f"{fmt.number(mde['left_out'], 0)} skjulte tall (personvern) er holdt utenfor beregningen.")
