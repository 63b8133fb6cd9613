"""Målekart: for one area, every registry indicator grouped by plan goal."""
import streamlit as st

from oppvekst.presentation import attention, malekart_table, styled_malekart, summary
from oppvekst.queries import malekart
from pages._ui import area_picker, connection, header, verdict_legend

con = connection()
header("Målekart", con)
area, area_name = area_picker(con)
mk = malekart(con, area)

if mk.empty:
    st.info("Registeret har ingen indikatorer. Legg dem til i indicators.yml (se README, «Legge til en indikator»).")
    st.stop()

st.markdown(f"**{area_name}:** {summary(mk)}")
att = attention(mk)
with st.container(border=True):
    st.markdown("#### Trenger oppmerksomhet")
    if att.empty:
        st.markdown("Ingen indikatorer er både dårligere enn landet og i sikker forverring, og alle med mål er på vei.")
    else:
        st.markdown("\n".join(f"- **{r.title}**: {r.Hvorfor}" for r in att.itertuples()))

verdict_legend()
table = malekart_table(mk)
for goal in mk["goal"].drop_duplicates():
    st.subheader(goal)
    st.table(styled_malekart(table[mk["goal"] == goal].set_index("Hva")))
