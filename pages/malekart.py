"""Målekart: for one area, every registry indicator grouped by plan goal."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.presentation import (
    highlight_list,
    highlights,
    indicator_link,
    malekart_grid,
    malekart_hover,
    malekart_table,
    page_rule_text,
    summary,
)
from oppvekst.queries import malekart
from pages._ui import area_picker, as_grid, header, html_table, print_header, reader, verdict_legend

read = reader()
header("Målekart", read)
area, area_name = area_picker(read)
mk = read(malekart, area)
print_header(read, area, area_name, mk["indicator_id"])

if mk.empty:
    st.info("Registeret har ingen indikatorer. Legg dem til i indicators.yml (se README, «Legge til en indikator»).")
    st.stop()

st.markdown(f"**{fmt.md_text(area_name)}:** {summary(mk)}")
# The first screen: what goes better, what needs attention, what is on track - named, largest first,
# each a link to the indicator's page. Only what is sure on the page (``oppvekst.multiplicity``).
hl = highlights(mk)


def names(items, empty, most: int = 5) -> None:
    st.markdown(highlight_list(items, area, empty, most), unsafe_allow_html=True)  # escaped in highlight_list


c1, c2, c3 = st.columns(3)
with c1.container(border=True):
    st.markdown(f"#### ▲ Går bedre ({len(hl['bedre'])})")
    names(hl["bedre"], "Ingen indikatorer viser sikker forbedring siden 0-punktet.")
with c2.container(border=True):
    st.markdown(f"#### ▼ Trenger oppmerksomhet ({len(hl['oppmerksomhet'])})")
    names(
        hl["oppmerksomhet"],
        "Ingen indikatorer viser sikker forverring, er sikkert dårligere enn sammenligningen eller ligger sikkert "
        "bak linjen mot målet.",
    )
with c3.container(border=True):
    st.markdown(f"#### Mot målet: {len(hl['på vei'])} på vei eller nådd")
    names(hl["på vei"], "Ingen indikatorer har nådd målet eller er på vei mot det ennå.")
    if hl["usikkert"]:
        st.markdown(  # in the box's own small print size (pages/_ui PRINT_CSS), so the boxes fit page 1
            f'<div class="oppvekst-highlights"><p><strong>● Usikkert om målet nås ({len(hl["usikkert"])}):</strong> '
            "bak planens linje mot målet, men ikke sikkert.</p></div>",
            unsafe_allow_html=True,
        )
        names(hl["usikkert"], "", most=3)
st.caption(fmt.md_text(page_rule_text(mk)))  # how sure «sikker» is on a page of many tests

table = malekart_table(mk)
links = {"Hva": [indicator_link(i, area) for i in mk["indicator_id"]]}
hover = malekart_hover(mk)
verdict_legend(
    "Navnet på en indikator leder til siden med alle tallene. Hold pekeren over en status for "
    "konfidensintervallet og antall svar. Utvikling: første og siste måling, med søyler som starter på 0 "
    "(1 for skårene fra Elevundersøkelsen, skala 1–5), så en endring ser så stor ut som den er; hold pekeren "
    "over for skalaen og alle målingene."
)
for goal in mk["goal"].drop_duplicates():
    st.subheader(fmt.md_text(goal))
    mine = (mk["goal"] == goal).to_numpy()
    html_table(
        table[mine],
        f"Målekart: {goal}",
        row_header="Hva",
        links={k: [u for u, m in zip(v, mine) if m] for k, v in links.items()},
        hover={k: [t for t, m in zip(v, mine) if m] for k, v in hover.items()},
    )
as_grid(malekart_grid(mk, table))
