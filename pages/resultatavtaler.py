"""Resultatavtaler: one owner's indicators with the four numbers, verdicts and tiltak."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.export import to_excel
from oppvekst.presentation import agreement_table
from oppvekst.queries import malekart, owners
from pages._ui import area_picker, as_grid, header, html_table, reader, sample_note

read = reader()
header("Resultatavtaler", read)
all_owners = read(owners)
if not all_owners:
    st.info("Registeret har ingen indikatorer med eier.")
    st.stop()
wanted = st.query_params.get("eier")
owner = st.selectbox("Eier (resultatavtale)", all_owners, index=all_owners.index(wanted) if wanted in all_owners else 0)
st.query_params["eier"] = owner
area, area_name = area_picker(read)
mk = read(malekart, area)
mine = mk[mk["owner"] == owner]
st.markdown(f"**{fmt.md_text(owner)}** – {len(mine)} indikatorer i {fmt.md_text(area_name)}.")
table = agreement_table(mine)
html_table(table, f"Resultatavtale: {owner}", row_header="Hva")
as_grid(table)
plan = table[["Hva", "0-punkt", "Mål", "Status", "Endring fra 0-punkt"]]
note = sample_note(read)
st.download_button(
    "Last ned som Excel (Hva · 0-punkt · Mål · Status · Endring fra 0-punkt)",
    lambda: to_excel(  # written when clicked, not on every page run
        {"Resultatavtale": plan, "Detaljer": table}, title=f"Resultatavtale: {owner} – {area_name}", note=note
    ),
    file_name="resultatavtale.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
