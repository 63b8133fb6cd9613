"""Målekart: for one area, every registry indicator grouped by plan goal."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.presentation import attention, malekart_table, summary
from oppvekst.queries import malekart
from pages._ui import area_picker, as_grid, header, html_table, reader, verdict_legend

read = reader()
header("Målekart", read)
area, area_name = area_picker(read)
mk = read(malekart, area)

if mk.empty:
    st.info("Registeret har ingen indikatorer. Legg dem til i indicators.yml (se README, «Legge til en indikator»).")
    st.stop()

st.markdown(f"**{fmt.md_text(area_name)}:** {summary(mk)}")
att = attention(mk)
with st.container(border=True):
    st.markdown("#### Trenger oppmerksomhet")
    if att.empty:
        st.markdown("Ingen indikatorer er både dårligere enn landet og i sikker forverring, og alle med mål er på vei.")
    else:
        st.markdown("\n".join(f"- **{fmt.md_text(r.title)}**: {fmt.md_text(r.Hvorfor)}" for r in att.itertuples()))

verdict_legend()
table = malekart_table(mk)
for goal in mk["goal"].drop_duplicates():
    st.subheader(fmt.md_text(goal))
    html_table(table[mk["goal"] == goal], f"Målekart: {goal}", row_header="Hva")
as_grid(table.assign(**{"Plan-mål": mk["goal"]}))
