"""The one UI helper module: database connection, shared filters in the URL, labels.
Domain logic lives in ``oppvekst``; this only renders."""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from oppvekst import queries
from oppvekst.db import connect_readonly, db_path

SAMPLE_LABEL = "Eksempeldata – ikke ekte tall"


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, stamp: tuple[int, int]):
    return connect_readonly(path)


def _ensure_app_navigation() -> None:
    """Streamlit treats a ``pages/`` folder as old-style automatic pages until ``app.py``'s
    ``st.navigation`` has run once in the server process. If the first visitor opens a deep
    link (/datagrunnlag), the page would run without app.py's navigation. Switch the
    process to app.py's navigation and rerun, so the same URL opens with the right menu.
    (tests/test_browser.py starts a fresh server and opens a deep link first to prove it.)"""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def connection():
    """Cached read-only connection, reopened when the ETL has swapped in a new file."""
    _ensure_app_navigation()
    path = db_path()
    if not path.exists():
        st.error(f"Fant ingen database ({path}). Kjør `make run` (bygger eksempeldata) eller "
                 "`python -m etl load FIL…` for å laste egne uttrekk.")
        st.stop()
    stat = os.stat(path)
    return _connection(str(path), (stat.st_mtime_ns, stat.st_ino))


def header(title: str, con) -> None:
    info = queries.database_info(con)
    if info.get("dataset") == "sample":
        st.warning(f"**{SAMPLE_LABEL}.** Tallene er generert for å vise hvordan verktøyet virker.", icon="⚠️")
    st.title(title)
    problems = queries.registry_problems(con)
    if len(problems):
        st.error("Indikatorregisteret (indicators.yml) har feil, så indikatorene kan ikke vises før de er rettet:\n\n" +
                 "\n".join(f"- indikator **{p.indicator or '(fila)'}**, felt `{p.field}`"
                           f"{f' (linje {int(p.line)})' if p.line == p.line and p.line else ''}: {p.message}. {p.hint}"
                           for p in problems.itertuples()))


def area_picker(con, key: str = "omrade") -> tuple[str, str]:
    """Kommune or bydel, kept in the URL (?omrade=4601) so a pasted link opens the same view."""
    areas = queries.areas_with_data(con)
    if areas.empty:
        st.info("Ingen indikatorer har data ennå. Last inn uttrekk med `python -m etl load FIL…`.")
        st.stop()
    codes = areas["area_code"].tolist()
    labels = {r.area_code: (f"{r.area_name} (kommune)" if r.area_level == "kommune" else f"– {r.area_name} (bydel)")
              for r in areas.itertuples()}
    wanted = st.query_params.get(key)
    if wanted not in codes:
        default = os.environ.get("OPPVEKST_DEFAULT_AREA", "4601")
        wanted = default if default in codes else codes[0]
    chosen = st.selectbox("Område", codes, index=codes.index(wanted), format_func=labels.get, key=f"pick_{key}")
    st.query_params[key] = chosen
    name = areas.loc[areas["area_code"] == chosen, "area_name"].iloc[0]
    return chosen, name


def verdict_legend() -> None:
    st.caption("Forbedring er status minus 0-punkt, med fortegn slik at **pluss er bedre**. "
               "▲ sikker forbedring · ● ingen sikker endring · ▼ sikker forverring · ? kan ikke testes "
               "(kilden oppgir ikke antall svar). [95 % KI] er 95 prosent konfidensintervall. "
               "Mot mål: ✔ nådd · ↗/↘ på vei · ✖ ikke på vei. Se «Slik regner vi» på Datagrunnlag.")


def indicator_picker(con, key: str = "indikator") -> dict:
    """Indicator, kept in the URL (?indikator=ung_depr)."""
    ind = queries.indicators(con)
    if ind.empty:
        st.info("Registeret har ingen gyldige indikatorer. Se Datagrunnlag og README («Legge til en indikator»).")
        st.stop()
    ids = ind["indicator_id"].tolist()
    titles = dict(zip(ind["indicator_id"], ind["title"]))
    wanted = st.query_params.get(key)
    chosen = st.selectbox("Indikator", ids, index=ids.index(wanted) if wanted in ids else 0,
                          format_func=titles.get, key=f"pick_{key}")
    st.query_params[key] = chosen
    return queries.indicator_meta(con, chosen)


def period_picker(con, indicator_id: str, key: str = "periode") -> str | None:
    periods = queries.periods(con, indicator_id)
    if not periods:
        return None
    wanted = st.query_params.get(key)
    chosen = st.selectbox("Periode", periods, index=periods.index(wanted) if wanted in periods else 0, key=f"pick_{key}")
    st.query_params[key] = chosen
    return chosen


def downloads(df, name: str, title: str = "") -> None:
    from oppvekst.export import to_csv, to_excel

    c1, c2 = st.columns(2)
    c1.download_button("Last ned CSV", to_csv(df), file_name=f"{name}.csv", mime="text/csv")
    c2.download_button("Last ned Excel", to_excel({"Tall": df}, title=title, note=sample_note()),
                       file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def sample_note() -> str:
    try:
        return SAMPLE_LABEL if queries.database_info(connection()).get("dataset") == "sample" else ""
    except Exception:  # noqa: BLE001 - the note is a courtesy
        return ""
