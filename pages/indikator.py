"""Indikator: one indicator in depth for the chosen area."""

import pandas as pd
import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.charts import ASSURANCE_TEXT, VARIATION_TEXT, series_chart, spc_chart
from oppvekst.presentation import (
    benchmark_label,
    benchmark_text,
    grade_text,
    slice_label,
    slice_series_table,
    url_codes,
)
from oppvekst.queries import (
    GENDERS,
    indicator_slices,
    malekart,
    monthly,
    parent_areas,
    series_code_note,
    tidy_values,
)
from oppvekst.stats import spc_monthly
from pages._ui import (
    area_picker,
    as_grid,
    breakdown_picker,
    downloads,
    header,
    html_table,
    indicator_picker,
    reader,
    svg_chart,
    verdict_legend,
)

read = reader()
header("Indikator", read)
c1, c2 = st.columns(2)
with c1:
    meta = indicator_picker(read)
with c2:
    area, area_name = area_picker(read)

parents = read(parent_areas, area)
options = dict(parents)
# Every view choice lives in the URL (?sammenlign=4601,0&fordelt=trinn), so a pasted link opens
# the same view; a value that does not fit this indicator or area falls back to the default.
c1, c2 = st.columns([3, 2])
bench = c1.multiselect(
    "Sammenlign med",
    list(options),
    default=url_codes(st.query_params.get("sammenlign"), options, ["0"]),
    format_func=options.get,
    key=f"pick_sammenlign_{area}",  # the choices are this area's parents
)
st.query_params["sammenlign"] = ",".join(bench)
by = breakdown_picker(
    read,
    meta,
    c2,
    "Kjønn: alle, gutter og jenter. Trinn: de andre trinnene kilden har tall for, ved siden av planens eget.",
)
groups = GENDERS if by == "kjonn" else [meta["gender"]]
series = read(indicator_slices, meta["indicator_id"], [area, *bench], by)
labels = {s: slice_label(s, by) for s in series["slice"]} if len(series) else {}

mk = read(malekart, area)
mk = mk[mk["indicator_id"] == meta["indicator_id"]]
row = mk.iloc[0]
if row.status_period is None or pd.isna(row.status_period):
    st.info(
        f"Ingen tall for {fmt.md_text(area_name)} ennå. Last inn et uttrekk fra kilden ({fmt.md_text(fmt.source_name(meta['source']))}), "
        "eller velg et annet område."
    )
else:
    st.markdown(
        f"**{fmt.md_text(area_name)}, {row.status_period}:** {fmt.value(row.status_value, meta['unit'])} "
        f"(0-punkt {row.baseline_period}: {fmt.value(row.baseline_value, meta['unit'])}). "
        f"Endring: **{row.change_symbol or ''} {row.change_verdict or 'kan ikke beregnes'}**. "
        f"{benchmark_label(mk)}: **{fmt.md_text(benchmark_text(row))}**. "
        f"Mot målet: **{row.target_symbol or ''} {row.target_verdict or '–'}**"
        + (
            f" – {row.target_detail[:1].lower()}{row.target_detail[1:].rstrip('.')}"  # «– fortsetter utviklingen …»
            if isinstance(row.target_detail, str) and row.target_detail
            else ""
        )
        + "."
    )
    if isinstance(row.change_detail, str) and row.change_detail:
        st.caption(row.change_detail)

names = {area: area_name, **options}
svg_chart(series_chart(series, meta, names, fmt.UNIT_WORD.get(meta["unit"], meta["unit"]), labels))
if by == "trinn":
    st.caption(
        f"Planens indikator gjelder {grade_text(meta['grade'])}. For de andre trinnene vises verdi, intervall, "
        "antall svar og sammenligningen med kommunen eller landet; endring fra 0-punktet og målet gjelder bare "
        "planens eget trinn. Tall som er skjult av personvernhensyn, er skjult på samme måte som for "
        "planens indikatorer."
    )
st.caption(
    "Det skyggelagte feltet viser 95 prosents konfidensintervall (der det sanne tallet mest sannsynlig ligger). "
    "Stiplet grønn linje med ★: målet fram til målåret. Hold pekeren over et punkt for tallet. "
    "Punkter som er skjult av personvernhensyn, vises ikke."
)
if code_note := read(series_code_note, meta["indicator_id"], area, area_name):  # old and new area codes joined
    st.caption(code_note)

months = read(monthly, meta["indicator_id"], area)
if len(months) >= 2:
    st.subheader("Måned for måned: styringsdiagram")
    target = meta["target_value"] if pd.notna(meta["target_value"]) else None
    # p or Laney p′ when the counts behind a share are known, XmR for a mean (spc_method says why)
    counts = list(months["n"]) if meta["statistic"] == "proportion" else None
    result = spc_monthly(list(months["value"]), counts, target=target, polarity=meta["polarity"])
    st.markdown(
        f"**Siste måned ({fmt.period_text(months['period'].iloc[-1])}):** {VARIATION_TEXT[result.variation]}. "
        f"**Mot målet:** {ASSURANCE_TEXT[result.assurance]}."
        + (" Kontrollgrensene er foreløpige (færre enn 12 måneder)." if result.trial_limits else "")
    )
    svg_chart(
        spc_chart(
            list(months["period"]),
            list(months["value"]),
            result,
            fmt.UNIT_WORD.get(meta["unit"], meta["unit"]),
            target,
            unit=meta["unit"],
        )
    )
    st.caption(f"**Diagram:** {fmt.md_text(result.reason)}")
    st.caption(
        "Styringsdiagram (metode fra NHS «Making Data Count»): midtlinje og kontrollgrenser fra de første "
        "12 månedene"
        + ("; grensene følger antallet hver måned" if result.uppers is not None else "")
        + ". ◆ markerer spesiell variasjon: et punkt utenfor kontrollgrensene, 7 på rad som stiger "
        "eller synker, 2 av 3 punkter på rad nær samme kontrollgrense, eller 7 på rad på samme side av midtlinjen."
    )

st.subheader("Tallene")
table = slice_series_table(series, names, meta["unit"], meta["polarity"], by)
html_table(table, f"Tallene: {meta['title']}", max_height=420)
verdict_legend()
as_grid(table)
tidy = read(tidy_values, [meta["indicator_id"]], [area, *bench], groups, None, by)  # all periods, the trinn shown
downloads(read, table, f"{meta['indicator_id']}_{area}", meta["title"], tidy=tidy)

st.subheader("Om indikatoren")
st.markdown(
    f"{fmt.md_text(meta['description'])}\n\n"
    f"- **Kilde:** {fmt.md_text(fmt.source_name(meta['source']))}"
    + (
        f" (<{meta['source_url']}>)"
        if str(meta["source_url"] or "").startswith("https://")
        and " " not in meta["source_url"]
        and ">" not in meta["source_url"]
        else ""
    )
    + "\n"
    f"- **Eier:** {fmt.md_text(meta['owner'])}\n- **Mål i planen:** {fmt.md_text(meta['goal'])}\n"
    f"- **Retning:** {dict(higher_is_better='høyere er bedre', lower_is_better='lavere er bedre', neutral='ingen retning er bedre')[meta['polarity']]}\n"
    f"- **Personvern:** tallet vises bare når det bygger på minst {meta['min_n']} svar\n"
    + (f"- **Tiltak:** {fmt.md_text(meta['tiltak'])}\n" if meta["tiltak"] else "")
    + "\nSlik regner vi: se siden Datagrunnlag, avsnittet «Slik regner vi»."
)
