"""Områder: one indicator and period across the bydeler of a kommune (or across kommuner)."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.charts import ranked_chart
from oppvekst.presentation import compare_table
from oppvekst.queries import compare_areas
from pages._ui import (
    area_picker,
    as_grid,
    downloads,
    header,
    html_table,
    indicator_picker,
    period_picker,
    reader,
    svg_chart,
)

read = reader()
header("Områder", read)
c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    meta = indicator_picker(read)
with c2:
    area, area_name = area_picker(read)
with c3:
    period = period_picker(read, meta["indicator_id"])
levels = {"bydel": "bydelene i kommunen", "skole": "skolene i bydelen", "kommune": "kommunene"}
level = st.radio("Sammenlign", list(levels), horizontal=True, format_func=levels.get)
if period is None:
    st.info("Ingen perioder med data for denne indikatoren.")
    st.stop()
reference = {"bydel": area[:4], "skole": area, "kommune": "0"}[level]
rows, ref = read(compare_areas, meta["indicator_id"], period, reference, level)
ref_name = (ref or {}).get("area_name", "") if level != "kommune" else "Hele landet"
if rows.empty:
    st.info(
        {
            "bydel": "Ingen bydeler med tall for dette valget. Velg en kommune med bydeler (Bergen, Oslo, Trondheim, Stavanger).",
            "skole": "Ingen skoler med tall her. Velg en bydel (skolene kobles til bydeler i data/skole_bydel.csv) "
            "og en indikator fra Elevundersøkelsen eller fravær.",
            "kommune": "Ingen kommuner med tall for dette valget.",
        }[level]
    )
    st.stop()
ref_value = ref["value"] if ref and ref.get("shown") else None
st.markdown(
    f"**{fmt.md_text(meta['title'])}, {period}.** Sortert fra best til dårligst. Merket er forskjellen fra "
    f"{fmt.md_text(ref_name)} ({fmt.value(ref_value, meta['unit'])}) når hele intervallet ligger på én side."
)
svg_chart(ranked_chart(rows, ref_value, ref_name, fmt.UNIT_WORD.get(meta["unit"], meta["unit"]), meta["unit"]))
table = compare_table(rows, meta["unit"], ref_name or "referansen")
html_table(table, f"{meta['title']}, {period}", row_header="Område", max_height=560)
as_grid(table)
downloads(read, table, f"{meta['indicator_id']}_{period}_{level}", f"{meta['title']}, {period}")
