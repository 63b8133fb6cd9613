"""Indikator: one indicator in depth for the chosen area."""
import pandas as pd
import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.charts import series_chart
from oppvekst.presentation import series_table
from oppvekst.queries import indicator_series, malekart, parent_areas
from pages._ui import area_picker, connection, downloads, header, indicator_picker

con = connection()
header("Indikator", con)
c1, c2 = st.columns(2)
with c1:
    meta = indicator_picker(con)
with c2:
    area, area_name = area_picker(con)

parents = parent_areas(con, area)
options = {code: name for code, name in parents}
bench = st.multiselect("Sammenlign med", list(options), default=["0"], format_func=options.get)
by_gender = st.toggle("Vis gutter og jenter", value=False, disabled=meta["gender"] != "alle")
groups = ["alle", "gutter", "jenter"] if by_gender else [meta["gender"]]
series = indicator_series(con, meta["indicator_id"], [area, *bench], groups)

row = malekart(con, area)
row = row[row["indicator_id"] == meta["indicator_id"]].iloc[0]
if row.status_period is None or pd.isna(row.status_period):
    st.info(f"Ingen tall for {area_name} ennå. Last inn et uttrekk fra kilden ({meta['source']}), "
            "eller velg et annet område.")
else:
    st.markdown(
        f"**{area_name}, {row.status_period}:** {fmt.value(row.status_value, meta['unit'])} "
        f"(0-punkt {row.baseline_period}: {fmt.value(row.baseline_value, meta['unit'])}). "
        f"Endring: **{row.change_symbol or ''} {row.change_verdict or 'kan ikke beregnes'}**. "
        f"Mot landet: **{row.benchmark_symbol or ''} {row.benchmark_verdict or '–'}**. "
        f"Mot målet: **{row.target_symbol or ''} {row.target_verdict or '–'}**"
        + (f" – {row.target_detail.rstrip('.')}" if isinstance(row.target_detail, str) and row.target_detail else "") + ".")
    if isinstance(row.change_detail, str) and row.change_detail:
        st.caption(row.change_detail)

names = {area: area_name, **options}
st.plotly_chart(series_chart(series, meta, names, fmt.UNIT_WORD.get(meta["unit"], meta["unit"])),
                width="stretch", config={"displaylogo": False, "locale": "no"})
st.caption("Skyggen er 95 prosent konfidensintervall. Stiplet grønn linje: målet fram til målåret. "
           "Punkter som er skjult av personvernhensyn vises ikke.")

st.subheader("Tallene")
table = series_table(series, names, meta["unit"])
st.dataframe(table, hide_index=True, width="stretch")
downloads(table, f"{meta['indicator_id']}_{area}", meta["title"])

st.subheader("Om indikatoren")
st.markdown(
    f"{meta['description']}\n\n"
    f"- **Kilde:** {meta['source']}" + (f" ([{meta['source_url']}]({meta['source_url']}))" if meta["source_url"] else "") + "\n"
    f"- **Eier:** {meta['owner']}\n- **Plan-mål:** {meta['goal']}\n"
    f"- **Retning:** {dict(higher_is_better='høyere er bedre', lower_is_better='lavere er bedre', neutral='ingen retning er bedre')[meta['polarity']]}\n"
    f"- **Minste antall svar som vises:** {meta['min_n']}\n"
    + (f"- **Tiltak:** {meta['tiltak']}\n" if meta["tiltak"] else "")
    + "\nSlik regner vi: se siden Datagrunnlag, avsnittet «Slik regner vi».")
