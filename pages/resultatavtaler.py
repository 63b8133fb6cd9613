"""Resultatavtaler: one owner's indicators with the four numbers, verdicts and tiltak. The owner
is any node of the registry's owner tree - a byrådsavdeling, etat, enhet or skole, with the
indicators of every node under it - and the download is a real worksheet."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.agreement import (
    VERDICT,
    agreement_grid,
    agreement_hover,
    agreement_links,
    agreement_summary,
    agreement_table,
    file_name,
    owner_label,
)
from oppvekst.export import agreement_workbook
from oppvekst.presentation import page_rule_text
from oppvekst.queries import data_status, malekart, owner_indicators, owners
from pages._ui import area_picker, as_grid, header, html_table, print_header, reader, sample_note, verdict_legend

read = reader()
header("Resultatavtaler", read)
tree = read(owners)
if tree.empty:
    st.info("Registeret har ingen indikatorer med eier.")
    st.stop()
paths = tree["path"].tolist()
labels = {r.path: owner_label(r.name, r.depth, r.indicators) for r in tree.itertuples()}
wanted = st.query_params.get("eier")
owner = st.selectbox(
    "Eier (resultatavtale)",
    paths,
    index=paths.index(wanted) if wanted in paths else 0,
    format_func=labels.get,
    help="En eier får med indikatorene til alle nivåene under seg: en byrådsavdeling etatenes, en etat "
    "enhetenes og skolenes. "
    "Tallet i parentes er antall indikatorer.",
)
st.query_params["eier"] = owner
area, area_name = area_picker(read)
mk = read(malekart, area)
ids = read(owner_indicators, owner)
mine = mk[mk["indicator_id"].isin(ids["indicator_id"])].reset_index(drop=True)
print_header(read, area, area_name, mine["indicator_id"])

st.markdown(
    f"**{fmt.md_text(owner)}** – {len(mine)} indikatorer i {fmt.md_text(area_name)}. "
    f"{fmt.md_text(agreement_summary(mine))}"
)
st.caption(fmt.md_text(page_rule_text(mk)))  # the verdicts are the Målekart's page-level ones
verdict_legend(
    "Hold pekeren over en status for konfidensintervallet og antall svar; Excel-fila har dem i egne kolonner."
)
table = agreement_table(mine)
# Eight columns on a laptop beside the menu: slightly tighter cells than elsewhere, so the table
# fits without scrolling sideways at 1280 pixels.
st.html("<style>.oppvekst-table th, .oppvekst-table td {padding: 0.3rem 0.3rem}</style>")
html_table(
    table,
    f"Resultatavtale: {owner}",
    row_header="Hva",
    verdict_cols=(VERDICT,),
    links=agreement_links(mine, area),
    hover=agreement_hover(mine),
)
as_grid(agreement_grid(mine))
note = sample_note(read)
loaded_at = read(data_status)["loaded_at"]
sources = ids.loc[ids["indicator_id"].isin(mine["indicator_id"]), "source"].tolist()
st.download_button(
    "Last ned som Excel (regneark med tall, intervaller og forklaring)",
    lambda: agreement_workbook(mine, owner, area_name, note, loaded_at, sources),  # written when clicked
    file_name=file_name(owner, area_name),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
