"""Områder: one indicator and period across the bydeler of a kommune (or across kommuner)."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.charts import grouped_ranked_chart, ranked_chart
from oppvekst.presentation import BREAKDOWN_LABELS, compare_table, slice_compare_table, slice_label, url_choice
from oppvekst.queries import compare_areas, compare_slices, tidy_values
from pages._ui import (
    area_picker,
    as_grid,
    breakdown_picker,
    downloads,
    header,
    html_table,
    indicator_picker,
    period_picker,
    reader,
    svg_chart,
    verdict_legend,
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
# Every view choice lives in the URL (?nivaa=skole&fordelt=kjonn): a pasted link opens the same view.
c1, c2 = st.columns([3, 2])
level = c1.radio(
    "Sammenlign",
    list(levels),
    index=list(levels).index(url_choice(st.query_params.get("nivaa"), levels, "bydel")),
    horizontal=True,
    format_func=levels.get,
    key="pick_nivaa",
)
st.query_params["nivaa"] = level
by = breakdown_picker(
    read,
    meta,
    c2,
    "Én rad per område og gruppe: kjønn (alle, gutter, jenter) eller trinn (planens trinn og de andre "
    "trinnene kilden har tall for).",
)
if period is None:
    st.info("Ingen perioder med data for denne indikatoren.")
    st.stop()
reference = {"bydel": area[:4], "skole": area, "kommune": "0"}[level]
if by == "ingen":
    rows, ref = read(compare_areas, meta["indicator_id"], period, reference, level)
else:
    rows, refs = read(compare_slices, meta["indicator_id"], period, reference, level, by)
    ref = next((r for r in refs.values() if r["slice"] == (meta["grade"] if by == "trinn" else meta["gender"])), None)
ref_name = (ref or {}).get("area_name", "") if level != "kommune" else "landet"
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
unit_word = fmt.UNIT_WORD.get(meta["unit"], meta["unit"])
if by == "ingen":
    st.markdown(
        f"**{fmt.md_text(meta['title'])}, {period}.** Sortert fra best til dårligst. ▲/▼ betyr at området er "
        f"sikkert bedre eller dårligere enn {fmt.md_text(ref_name or 'referansen')} "
        f"({fmt.value(ref_value, meta['unit'])}): hele 95 prosents konfidensintervallet ligger på samme side av "
        f"tallet for {fmt.md_text(ref_name or 'referansen')}."
    )
    svg_chart(ranked_chart(rows, ref_value, ref_name, unit_word, meta["unit"]))
    table = compare_table(rows, meta["unit"], ref_name or "referansen", ref_value)
else:
    labels = {s: slice_label(s, by) for s in rows["slice"]}
    own = slice_label(meta["grade"] if by == "trinn" else meta["gender"], by)
    st.markdown(
        f"**{fmt.md_text(meta['title'])}, {period}, fordelt på {BREAKDOWN_LABELS[by].lower()}.** Områdene er sortert "
        f"fra best til dårligst etter {fmt.md_text(own)}. Hver gruppe er sammenlignet med "
        f"{fmt.md_text(ref_name)} for samme gruppe (stiplet strek). ▲/▼ betyr at gruppen er sikkert bedre eller "
        "dårligere enn den samme gruppen der: hele 95 prosents konfidensintervallet ligger på samme side av tallet."
    )
    svg_chart(grouped_ranked_chart(rows, ref_name, unit_word, meta["unit"], labels))
    table = slice_compare_table(rows, meta["unit"], ref_name or "referansen", by)
html_table(table, f"{meta['title']}, {period}", row_header="Område", max_height=560)
verdict_legend(compare=f"{ref_name or 'referansen'}")
as_grid(table)
tidy = read(tidy_values, [meta["indicator_id"]], [reference, *rows["area_code"]], None, period, by)  # every group
downloads(read, table, f"{meta['indicator_id']}_{period}_{level}", f"{meta['title']}, {period}", tidy=tidy)
