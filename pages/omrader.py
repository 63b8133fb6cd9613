"""Områder: one indicator and period across the bydeler of a kommune, the schools of a bydel or a
kommune, or the kommuner: a funnel plot against the reference (``queries.compare_funnel``), or,
split by kjønn or trinn, the grouped bars."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.charts import funnel_chart, grouped_ranked_chart, ranked_chart
from oppvekst.presentation import (
    BREAKDOWN_LABELS,
    compare_hover,
    funnel_dispersion_text,
    funnel_intro,
    funnel_legend,
    funnel_outlier_text,
    funnel_rule_text,
    funnel_table,
    no_funnel_text,
    slice_compare_table,
    slice_label,
    url_choice,
)
from oppvekst.queries import compare_funnel, compare_slices, tidy_values
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
is_bydel = len(area) > 4  # bydel codes are the kommune's four digits and two more
levels = {
    "bydel": "bydelene i kommunen",
    "skole": "skolene i bydelen" if is_bydel else "skolene i kommunen",
    "kommune": "kommunene",
}
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
funnel = None
if by == "ingen":
    rows, ref, funnel = read(compare_funnel, meta["indicator_id"], period, reference, level)
else:
    rows, refs = read(compare_slices, meta["indicator_id"], period, reference, level, by)
    ref = next((r for r in refs.values() if r["slice"] == (meta["grade"] if by == "trinn" else meta["gender"])), None)
ref_name = "landet" if level == "kommune" else (ref or {}).get("area_name") or "referansen"
if rows.empty:
    st.info(
        {
            "bydel": "Ingen bydeler med tall for dette valget. Velg en kommune med bydeler (Bergen, Oslo, Trondheim, Stavanger).",
            "skole": "Ingen skoler med tall her. Skolene kobles til bydeler i data/skole_bydel.csv; velg en "
            "kommune eller bydel med skoler (Bergen) og en indikator fra Elevundersøkelsen eller fravær.",
            "kommune": "Ingen kommuner med tall for dette valget.",
        }[level]
    )
    st.stop()
ref_value = ref["value"] if ref and ref.get("shown") else None
unit_word = fmt.UNIT_WORD.get(meta["unit"], meta["unit"])
hover = None
if by == "ingen" and funnel is not None:
    st.markdown(funnel_intro(meta["title"], period, ref_name, ref_value, meta["unit"]))
    svg_chart(funnel_chart(rows, funnel, unit_word, meta["unit"]))
    st.markdown(funnel_outlier_text(rows, funnel))
    st.markdown(funnel_rule_text(funnel))
    if funnel.overdispersion.adjusted:
        st.markdown(funnel_dispersion_text(funnel))
    else:
        st.caption(funnel_dispersion_text(funnel))
    table = funnel_table(rows, meta["unit"], ref_name, ref_value)
    hover = {f"Mot {ref_name}": compare_hover(rows)}
elif by == "ingen":  # no area has what a funnel needs (n, a spread, the reference's number)
    st.markdown(f"**{fmt.md_text(meta['title'])}, {period}.** {no_funnel_text(rows, ref_name)}")
    svg_chart(ranked_chart(rows, ref_value, ref_name, unit_word, meta["unit"]))
    table = funnel_table(rows, meta["unit"], ref_name, ref_value)
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
    table = slice_compare_table(rows, meta["unit"], ref_name, by)
html_table(table, f"{meta['title']}, {period}", row_header="Område", max_height=560, hover=hover)
if by == "ingen":
    st.caption(funnel_legend(ref_name))
else:
    verdict_legend(compare=ref_name)
as_grid(table)
tidy = read(tidy_values, [meta["indicator_id"]], [reference, *rows["area_code"]], None, period, by)  # every group
downloads(read, table, f"{meta['indicator_id']}_{period}_{level}", f"{meta['title']}, {period}", tidy=tidy)
