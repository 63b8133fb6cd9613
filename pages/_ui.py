"""The one UI helper module: database access for a page run, shared filters in the URL, labels.
Domain logic lives in ``oppvekst``; this only renders.

How a page reads data (many users at once, and loads while the app runs):
- ``app.py`` wraps every page run in ``page_run()``. The first ``reader()`` call of the run pins
  the newest version of the database file (``oppvekst.db.Database``); every query of that run
  reads the same version, so a load that lands mid-page gives the user all-old or all-new
  numbers, never a mix. The pin is released when the run ends, and a replaced version is
  closed once no run holds it.
- A page never touches a connection. It calls ``read(query, *args)``; each query runs on a
  cursor of its own (never a cursor shared between threads) and its result is cached per
  database version (``st.cache_data`` keyed on the file's identity), so thirty people opening
  the same area cost one query, and no cached result survives a swap. Every caller gets its own
  copy of a cached result.
"""

from __future__ import annotations

import contextlib
import os
import threading

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst import queries
from oppvekst.db import Database, db_path

SAMPLE_LABEL = "Eksempeldata – ikke ekte tall"
MIXED_LABEL = "Blanding av eksempeldata og ekte tall"

_run = threading.local()  # the pin of the page run in this script thread
_seen = {"key": None}
_seen_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    """The only shared object: a handle that opens versions and hands out cursors."""
    return Database(path)


@st.cache_data(ttl=6 * 3600, max_entries=3000, show_spinner=False)
def _cached(_pin, db_key: str, name: str, args: tuple, kwargs: tuple):
    """One query's result for one database version (``db_key``). ``_pin`` is not hashed."""
    with _pin.cursor() as cur:
        return getattr(queries, name)(cur, *args, **dict(kwargs))


class Reader:
    """``read(queries.malekart, "4601")``: runs a query of ``oppvekst.queries`` against the
    version of the database pinned for this page run."""

    def __init__(self, pin):
        self._pin = pin
        self.key = pin.key

    def __call__(self, query, *args, **kwargs):
        if getattr(queries, query.__name__, None) is not query:
            raise ValueError(f"{query!r} is not a query in oppvekst.queries")
        return _cached(self._pin, self.key, query.__name__, args, tuple(sorted(kwargs.items())))


@contextlib.contextmanager
def page_run():
    """Around a whole page run (app.py): release the run's pin when the run ends."""
    _run.pin = None
    try:
        yield
    finally:
        pin, _run.pin = getattr(_run, "pin", None), None
        if pin is not None:
            pin.release()


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


def reader() -> Reader:
    """This page run's reader, pinned to the newest database version at the run's start."""
    _ensure_app_navigation()
    pin = getattr(_run, "pin", None)
    if pin is None:
        path = db_path()
        try:
            pin = _database(str(path.resolve())).pin()
        except FileNotFoundError:
            st.error(
                f"Fant ingen database ({path}). Kjør `make run` (bygger eksempeldata) eller "
                "`python -m etl load FIL…` for å laste egne uttrekk."
            )
            st.stop()
        _run.pin = pin  # released by page_run(); without app.py, when the pin is collected
        with _seen_lock:  # a new version: results cached for older versions can go
            if _seen["key"] not in (None, pin.key):
                _cached.clear()
            _seen["key"] = pin.key
    return Reader(pin)


def header(title: str, read: Reader) -> None:
    print_setup()
    status = read(queries.data_status)
    if status["sample"] == "all":
        st.warning(f"**{SAMPLE_LABEL}.** Tallene er generert for å vise hvordan verktøyet virker.", icon="⚠️")
    elif status["sample"] == "mixed":
        st.warning(
            f"**{MIXED_LABEL}.** {fmt.number(status['sample_rows'], 0)} av {fmt.number(status['rows'], 0)} "
            "rader i databasen er fortsatt eksempeldata. "
            "Bygg databasen på nytt med bare egne uttrekk for å bli kvitt dem (se README, "
            "«Laste inn egne uttrekk»).",
            icon="⚠️",
        )
    st.title(title)
    st.caption(f"Data sist oppdatert {fmt.timestamp(status['loaded_at'])}")
    problems = read(queries.registry_problems)
    if len(problems):
        st.error(
            "Indikatorregisteret (indicators.yml) har feil, så indikatorene kan ikke vises før de er rettet:\n\n"
            + "\n".join(
                f"- {'tiltak' if str(p.field).startswith('tiltak.') else 'indikator'} "
                f"**{fmt.md_text(p.indicator or '(fila)')}**, felt {fmt.md_text(p.field)}"
                f"{f' (linje {int(p.line)})' if p.line == p.line and p.line else ''}: "
                f"{fmt.md_text(p.message)}. {fmt.md_text(p.hint)}"
                for p in problems.itertuples()
            )
        )


# Controls, menus and buttons mean nothing on paper. Streamlit's own test ids are the only
# stable handles on its DOM (checked with Streamlit 1.67; tests/test_browser.py prints the
# pages to PDF and fails if a control's text reaches the paper).
_CONTROLS = ", ".join(
    f'[data-testid="{t}"]'
    for t in (
        "stSelectbox", "stMultiSelect", "stRadio", "stButtonGroup", "stCheckbox", "stToggle",
        "stTextInput", "stNumberInput", "stSlider", "stDateInput", "stButton", "stDownloadButton",
        "stLinkButton", "stPageLink", "stPopover",
    )
)  # fmt: skip
# What is worth printing: a layout block (columns, a popover) holding none of these is only controls.
_CONTENT = ", ".join(
    f'[data-testid="{t}"]'
    for t in (
        "stMarkdown", "stHeading", "stAlert", "stCaptionContainer", "stText", "stCode", "stJson",
        "stTable", "stDataFrame", "stMetric", "stImage", "stExpander",
    )
)  # fmt: skip
_HIDDEN_IN_PRINT = (
    '[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"], '
    '[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], '
    '[data-testid="stSkipToContent"], [data-testid="stHeaderActionElements"], '
    '[data-testid="stElementToolbar"], [data-testid="stSidebarResizeHandle"], '
    f'[data-testid="stElementContainer"]:has({_CONTROLS}), '
    f'[data-testid="stLayoutWrapper"]:not(:has({_CONTENT})), '
    f"{_CONTROLS}"
)
PRINT_CSS = (
    # On screen the print header is not shown (the area is in the picker above it).
    '[data-testid="stElementContainer"]:has(.oppvekst-print-header){display:none}'
    "@media print{"
    "@page{size:A4 landscape;margin:12mm}"
    f"{_HIDDEN_IN_PRINT}{{display:none !important}}"
    '[data-testid="stElementContainer"]:has(.oppvekst-print-header){display:block}'
    ".oppvekst-print-header{padding:0.3rem 0 0.5rem;margin-bottom:0.5rem;border-bottom:1px solid #999}"
    # Streamlit's main area is a 100vh box that scrolls: on paper it must grow, or only the
    # first screen prints.
    'html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"], .stMainBlockContainer'
    "{height:auto !important;min-height:0 !important;overflow:visible !important;position:static !important}"
    ".stMainBlockContainer{padding:0 !important;max-width:none !important;width:100% !important}"
    # Tables fit the width of the page, repeat their header and keep each row whole.
    ".oppvekst-table{overflow:visible !important;max-height:none !important}"
    ".oppvekst-table table{width:100% !important;font-size:9pt !important}"
    ".oppvekst-table thead{display:table-header-group}"
    ".oppvekst-table thead th{position:static !important}"
    ".oppvekst-table tr{break-inside:avoid}"
    # A heading stays with what follows it.
    "h1, h2, h3, h4, h5, h6{break-after:avoid}"
    '[data-testid="stElementContainer"]:has(h2, h3, h4, h5, h6){break-after:avoid;break-inside:avoid}'
    ".oppvekst-chart, .oppvekst-print-header{break-inside:avoid}"
    # The Målekart's first screen (Går bedre · Går dårligere · Mot målet) stays on one page, in
    # smaller type: columns split over two pages overlap what follows them in Chromium.
    '[data-testid="stHorizontalBlock"]:has(.oppvekst-highlights){break-inside:avoid}'
    '[data-testid="stHorizontalBlock"]:has(.oppvekst-highlights) h4{font-size:11pt !important;padding:0 0 2pt !important}'
    ".oppvekst-highlights{font-size:8.5pt !important;line-height:1.3 !important}"
    ".oppvekst-highlights li{margin:0 0 2pt !important}"
    "}"
)


def print_setup() -> None:
    """The page's print style (Ctrl+P): A4 landscape, no menus, pickers or buttons, whole tables.
    Style-only HTML goes to Streamlit's event container and takes no room on the page."""
    st.html(f"<style>{PRINT_CSS}</style>")


def print_header(read: Reader, area_code: str, area_name: str, indicator_ids=None) -> None:
    """What a printed page must say that the hidden picker said on screen: the area, and the
    sources of the page's indicators (every indicator in the registry when none are given).
    Shown only in print, where it follows what ``header`` printed above it: the sample label,
    the page's title and «Data sist oppdatert …» (the picker between them is not printed)."""
    from oppvekst.charts import esc

    ind = read(queries.indicators)
    if indicator_ids is not None:
        ind = ind[ind["indicator_id"].isin(list(indicator_ids))]
    sources = list(dict.fromkeys(fmt.source_name(s) for s in ind["source"].dropna()))
    areas = read(queries.areas_with_data)
    level = areas.loc[areas["area_code"] == area_code, "area_level"].iloc[0]
    text = f"<strong>Område: {esc(area_name)} ({level})</strong>"
    if sources:
        text += f" · {'Kilde' if len(sources) == 1 else 'Kilder'}: {esc('; '.join(sources))}"
    st.markdown(f'<div class="oppvekst-print-header">{text}</div>', unsafe_allow_html=True)


def area_picker(read: Reader, key: str = "omrade") -> tuple[str, str]:
    """Kommune or bydel, kept in the URL (?omrade=4601) so a pasted link opens the same view."""
    areas = read(queries.areas_with_data)
    if areas.empty:
        st.info("Ingen indikatorer har data ennå. Last inn uttrekk med `python -m etl load FIL…`.")
        st.stop()
    codes = areas["area_code"].tolist()
    labels = {
        r.area_code: (f"{r.area_name} (kommune)" if r.area_level == "kommune" else f"– {r.area_name} (bydel)")
        for r in areas.itertuples()
    }
    wanted = st.query_params.get(key)
    if wanted not in codes:
        default = os.environ.get("OPPVEKST_DEFAULT_AREA", "4601")
        wanted = default if default in codes else codes[0]
    chosen = st.selectbox("Område", codes, index=codes.index(wanted), format_func=labels.get, key=f"pick_{key}")
    st.query_params[key] = chosen
    name = areas.loc[areas["area_code"] == chosen, "area_name"].iloc[0]
    return chosen, name


def verdict_legend(extra: str = "", compare: str | None = None) -> None:
    """What the symbols, «95 % KI» and the verdict columns mean (``extra``: a page's own sentences,
    e.g. the sparklines' scale). ``compare``: the short legend of a page that only compares areas
    with a reference (Områder, Områdeprofil), named as the page names it («Bergen», «landet»)."""
    ci = (
        "95 % KI [lav–høy]: 95 prosents konfidensintervall, området der det sanne tallet mest sannsynlig "
        "ligger. «Sikker» betyr at forskjellen er større enn det tilfeldig variasjon kan forklare."
    )
    if compare is not None:
        ref = fmt.md_text(compare)
        st.caption(
            f"**Slik leser du tegnene.** Mot {ref}: ▲ sikkert bedre · ▼ sikkert dårligere · ↑/↓ sikkert høyere/lavere "
            f"(for indikatorer der ingen retning er bedre) · ● omtrent likt (tallet for {ref} ligger innenfor "
            "områdets intervall) · ? kan ikke sammenlignes, og teksten sier hvorfor: tallet vises ikke, det har ikke "
            f"intervall (kilden oppgir ikke antall svar eller spredning), eller {ref} har ikke tall for perioden.  \n"
            f"{ci} " + (f"{extra} " if extra else "") + "Se «Slik regner vi» på Datagrunnlag."
        )
        return
    st.caption(
        "**Slik leser du tegnene.** Endring fra 0-punkt: hvor mye tallet har gått opp eller ned siden "
        "0-punktet, og om det er bedre eller dårligere etter indikatorens retning. "
        "▲ sikker forbedring · ▼ sikker forverring · ● ingen sikker endring · ↑/↓ sikker økning/nedgang "
        "(for indikatorer der ingen retning er bedre, f.eks. utgifter).  \n"
        "Mot kommunen eller landet (en bydel sammenlignes med kommunen sin, en kommune med landet): "
        "▲ bedre · ▼ dårligere · ↑/↓ høyere/lavere · ● omtrent likt (sammenligningstallet ligger innenfor "
        "områdets intervall).  \n"
        "Mot mål (holdt mot planens linje fra 0-punktet til målet): ✔ nådd · ↗/↘ på vei (på linjen eller foran) · "
        "✖ ikke på vei (sikkert bak linjen) · ● usikkert om målet nås (bak linjen, men ikke sikkert) · "
        "– ingen mål.  \n"
        "? betyr at vi ikke kan si noe sikkert, og teksten sier hvorfor: *kan ikke testes* eller *kan ikke "
        "sammenlignes* (tallet har ikke intervall fordi kilden ikke oppgir antall svar eller spredning, eller "
        "sammenligningsområdet har ikke tall for perioden), *mangler 0-punkt* (0-punktet mangler eller er "
        "skjermet) eller *for lite data* (færre enn to målinger fra og med 0-punktet).  \n"
        f"{ci} " + (f"{extra} " if extra else "") + "Se «Slik regner vi» på Datagrunnlag."
    )


def indicator_picker(read: Reader, key: str = "indikator") -> dict:
    """Indicator, kept in the URL (?indikator=ung_depr)."""
    ind = read(queries.indicators)
    if ind.empty:
        st.info("Registeret har ingen gyldige indikatorer. Se Datagrunnlag og README («Legge til en indikator»).")
        st.stop()
    ids = ind["indicator_id"].tolist()
    titles = dict(zip(ind["indicator_id"], ind["title"]))
    wanted = st.query_params.get(key)
    chosen = st.selectbox(
        "Indikator", ids, index=ids.index(wanted) if wanted in ids else 0, format_func=titles.get, key=f"pick_{key}"
    )
    st.query_params[key] = chosen
    return read(queries.indicator_meta, chosen)


def breakdown_picker(read: Reader, meta: dict, where, help: str) -> str:
    """«Fordelt på» (ingen · kjønn · trinn, as far as the data carry it), kept in the URL
    (?fordelt=trinn); ``where`` is the column it is drawn in."""
    from oppvekst.presentation import BREAKDOWN_LABELS, url_choice

    choices = read(queries.breakdown_options, meta["indicator_id"])
    by = where.radio(
        "Fordelt på",
        choices,
        index=choices.index(url_choice(st.query_params.get("fordelt"), choices, "ingen")),
        format_func=BREAKDOWN_LABELS.get,
        horizontal=True,
        key=f"pick_fordelt_{meta['indicator_id']}",  # the choices are this indicator's
        help=help,
    )
    st.query_params["fordelt"] = by
    return by


def period_picker(read: Reader, indicator_id: str, key: str = "periode") -> str | None:
    periods = read(queries.periods, indicator_id)
    if not periods:
        return None
    wanted = st.query_params.get(key)
    chosen = st.selectbox(
        "Periode", periods, index=periods.index(wanted) if wanted in periods else 0, key=f"pick_{key}"
    )
    st.query_params[key] = chosen
    return chosen


def svg_chart(svg: str) -> None:
    """A chart from ``oppvekst.charts`` (inline SVG, text already escaped there): drawn by the
    browser at once, with no chart library to load (docs/benchmarks.md)."""
    st.markdown(f'<div class="oppvekst-chart">{svg}</div>', unsafe_allow_html=True)


def html_table(table, label: str, row_header: str | None = None, max_height: int | None = None, **extra) -> None:
    """A table from ``oppvekst.presentation.html_table``: plain HTML, drawn at once
    (``extra``: its ``links`` and ``hover``)."""
    from oppvekst.presentation import html_table as build

    st.markdown(build(table, label, row_header=row_header, max_height=max_height, **extra), unsafe_allow_html=True)


def as_grid(table, label: str = "Sortere og søke i tabellen") -> None:
    """The same table as an interactive grid (sort, search, fullscreen, CSV) behind a button.
    A popover's content is drawn only when it is opened, so the grid's JavaScript (~1,2 MB) is
    not loaded with the page."""
    with st.popover(label, icon=":material/table_view:"):
        st.dataframe(table, hide_index=True, width=900)


def downloads(read: Reader, table, name: str, title: str = "", tidy=None) -> None:
    """The screen's ``table`` «som vist» (CSV for Excel, and Excel), and, when the page passes
    ``tidy`` (a ``queries.tidy_values`` frame), the numbers for analysts as tidy CSV and Parquet
    (README, «Nedlasting for analytikere»). The files are written when a button is clicked, not
    on every page run, and a click does not rerun the page (the note is read now: the run's
    database pin is gone by the time of the click)."""
    from oppvekst.export import to_csv, to_excel
    from oppvekst.tidy import to_parquet, to_tidy_csv

    note = sample_note(read)
    row = st.container(horizontal=True, wrap=True)  # buttons as wide as their labels, wrapping when narrow
    if tidy is not None:
        row.download_button(
            "Last ned tall for analyse (CSV)",
            lambda: to_tidy_csv(tidy),
            file_name=f"{name}_tall.csv",
            mime="text/csv",
            on_click="ignore",
            help="Én rad per indikator × område × periode × gruppe, med koder, enhet, kilde og innlasting. "
            "Komma og desimalpunktum, for R, Python og lignende.",
        )
        row.download_button(
            "Last ned tall for analyse (Parquet)",
            lambda: to_parquet(tidy, note=note),
            file_name=f"{name}_tall.parquet",
            mime="application/vnd.apache.parquet",
            on_click="ignore",
            help="De samme tallene med typer i kolonnene, for R (arrow), Python (pandas/polars) og lignende.",
        )
    row.download_button(
        "Last ned som vist (CSV)",
        lambda: to_csv(table),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
        help="Tabellen slik den står på siden: semikolon og desimalkomma, for Excel.",
    )
    row.download_button(
        "Last ned som vist (Excel)",
        lambda: to_excel({"Tall": table}, title=title, note=note),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )


def sample_note(read: Reader) -> str:
    """The label that travels with a download while sample rows remain in the database."""
    kind = read(queries.data_status)["sample"]
    return {"all": SAMPLE_LABEL, "mixed": MIXED_LABEL}.get(kind, "")
