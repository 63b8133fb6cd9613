"""What the yearly status report says: one ``Report`` built from the database, the single source
both formats render from (``oppvekst.report.html``/``pdf`` and ``oppvekst.report.word``).

Every number comes from one query, ``queries.malekart(con, area, until=year)`` (the målekart as
it stood with the periods that end in or before the year, its verdicts corrected over the page's
family of tests); every sentence from ``oppvekst.narrative``; the charts from
``oppvekst.charts.series_chart`` over the indicator's own series up to the year. A number the
mart hides (``shown`` false) is never written or drawn: the table says «vises ikke» and why."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from oppvekst import formatting as fmt
from oppvekst import narrative, queries
from oppvekst.charts import series_chart
from oppvekst.periods import parse_period
from oppvekst.presentation import (
    VERDICT_COLOURS,
    baseline_text,
    benchmark_text,
    change_text,
    ci_text,
    target_text,
)

SAMPLE_LABELS = {"all": "Eksempeldata – ikke ekte tall", "mixed": "Blanding av eksempeldata og ekte tall"}
NO_ASSESSMENTS = (
    "Eiernes egne vurderinger og status for tiltakene registreres ikke i Oppvekstmonitor ennå; "
    "tabellen viser derfor bare hvem som eier hver indikator og hvilke tiltak i planen som hører til den."
)
LOADS_SHOWN = 15  # the newest loads listed on the methods page (the rest are counted)


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown area, no data for the year); the message
    speaks to the user, in bokmål."""


@dataclass
class IndicatorPart:
    """One indicator in a goal's section: its sentences and its chart (SVG, hidden points left out)."""

    indicator_id: str
    title: str
    sentences: list[str]
    chart_svg: str
    chart_label: str


@dataclass
class GoalSection:
    goal: str
    anchor: str
    intro: str
    table: pd.DataFrame  # text cells: Hva · 0-punkt · Mål · Status [95 % KI] · Forbedring · Mot mål · Mot …
    indicators: list[IndicatorPart]


@dataclass
class Report:
    """The yearly status report for one area and year, all text ready to be laid out."""

    title: str
    subtitle: str
    area_code: str
    area_name: str
    area_level: str
    year: int
    sample_label: str  # «Eksempeldata – ikke ekte tall» on every page when sample data are in use
    loaded_at: str
    goals_overview: pd.DataFrame  # Mål · Indikatorer · ▲ sikkert bedre · ▼ sikkert dårligere · På vei eller nådd
    summary: list[str]
    change_counts: pd.DataFrame  # Siden 0-punktet · Antall
    target_counts: pd.DataFrame  # Mot målet · Antall
    attention: list[dict]
    attention_rest: str  # «… og 3 indikatorer til trenger oppmerksomhet.», or that none does
    legend: list[str]
    goals: list[GoalSection]
    owners: pd.DataFrame  # Hva · Eier · Tiltak
    owners_note: str
    methods: list[str]
    sources: pd.DataFrame
    loads: pd.DataFrame
    loads_note: str
    privacy: list[str]
    benchmark_column: str = "Mot landet"
    effects: list[dict] = dataclasses.field(default_factory=list)  # «Effekt av tiltak»: name, where, text, method

    @property
    def sections(self) -> list[tuple[str, str]]:
        """The table of contents: (anchor, heading) in order."""
        return (
            [("sammendrag", "Sammendrag")]
            + [(g.anchor, g.goal) for g in self.goals]
            + [("ansvar", "Ansvar og tiltak")]
            + ([("effekt", "Effekt av tiltak")] if self.effects else [])
            + [("metode", "Metode og kilder")]
        )

    @property
    def file_stem(self) -> str:
        return f"statusrapport_{self.area_code}_{self.year}"


def _na(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text) -> str:
    """Text from the registry or the files as plain text (no control characters, which neither
    PDF nor Word can hold)."""
    return _CONTROL.sub("", "" if _na(text) else str(text))


def glue(text: str) -> str:
    """A verdict's symbol kept with its first word («▲ sikker» never split over two lines)."""
    return re.sub(r"^([▲▼●✔✖↗↘↑↓?–]) ", r"\1" + fmt.NBSP, text)


# ----------------------------------------------------------------------------- the table cells
def status_cell(r) -> str:
    """«6,5 prosent [5,6–7,5] (2024-25)»; a hidden number only says that it is not shown, and why."""
    if _na(r.status_period):
        return "ingen data"
    if not r.status_shown or _na(r.status_value):
        return f"vises ikke ({r.status_reason or 'mangler'}), {r.status_period}"
    ci = ci_text(r.status_low, r.status_high, r.unit)
    return f"{fmt.value(r.status_value, r.unit)}{' ' + ci if ci else ''} ({r.status_period})"


def change_cell(r) -> str:
    """«ned 3,7 prosentpoeng – bedre (▲ sikker forbedring)» (``change_text``), «ned 3,7» kept on one
    line; for a hidden number, that it is hidden."""
    if not _na(r.status_period) and not r.status_shown and _na(r.change):
        return "kan ikke beregnes: tallet vises ikke"
    return glue(re.sub(r"^(opp|ned) ", r"\1" + fmt.NBSP, change_text(r)))


def bench_cell(r) -> str:
    """The verdict against the benchmark with its number beside it (``benchmark_text``); for a
    hidden number, that it is hidden."""
    if not _na(r.status_period) and not r.status_shown and not _na(r.benchmark_verdict):
        return f"{r.benchmark_symbol} {r.benchmark_verdict}: tallet vises ikke"
    return benchmark_text(r)


def verdict_colour(column, cell) -> str | None:
    """The colour (``VERDICT_COLOURS``) a cell of a verdict column (Forbedring, Mot mål, Mot …)
    takes from the symbol it starts with; None for other columns and for «?» and «–»."""
    if column != "Forbedring" and not str(column).startswith("Mot "):
        return None
    first = str(cell)[:1]
    return None if first in "?–" else VERDICT_COLOURS.get(first)


def goal_table(rows: pd.DataFrame, bench_col: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Hva": [clean(t) for t in rows["title"]],
            "0-punkt": [baseline_text(r) for r in rows.itertuples()],
            "Mål": [target_text(r) for r in rows.itertuples()],
            "Status [95 % KI]": [status_cell(r) for r in rows.itertuples()],
            "Forbedring": [change_cell(r) for r in rows.itertuples()],
            "Mot mål": [
                glue("–" if _na(r.target_verdict) else f"{r.target_symbol} {r.target_verdict}")
                for r in rows.itertuples()
            ],
            bench_col: [glue(bench_cell(r)) for r in rows.itertuples()],
        }
    )


# ------------------------------------------------------------------------- the first page
def change_counts(mk: pd.DataFrame) -> pd.DataFrame:
    """How many indicators went which way since the 0-punkt, sure or not, in plain words. The
    classes are the narrative's (``narrative.change_class``), so the table and the text agree;
    a change that is not sure is split by the way it went. Rows with none are left out."""
    counts: dict[str, int] = {}
    for r in mk.itertuples(index=False):
        kind = narrative.change_class(r)
        if kind == "same":
            imp = r.improvement
            zero = _na(r.change) or fmt.change_words(r.change, r.unit) == "uendret"
            kind = "same" if _na(imp) or zero else "better_unsure" if imp > 0 else "worse_unsure"
        counts[kind] = counts.get(kind, 0) + 1
    rows = [(label, sum(counts.get(k, 0) for k in kinds)) for label, kinds in CHANGE_ROWS]
    rows = [(label, n) for label, n in rows if n] + [("I alt", len(mk))]
    return pd.DataFrame(rows, columns=["Siden 0-punktet", "Antall"])


CHANGE_ROWS = [
    ("▲ Sikkert bedre", ["better"]),
    ("Bedre, men usikkert", ["better_unsure"]),
    ("Ingen sikker endring: uendret, eller ingen retning er bedre", ["same"]),
    ("Dårligere, men usikkert", ["worse_unsure"]),
    ("▼ Sikkert dårligere", ["worse"]),
    ("Sikkert endret der ingen retning er bedre", ["changed"]),
    ("Kan ikke testes: kilden oppgir ikke antall svar eller spredning", ["untestable"]),
    ("Tallet vises ikke (personvern)", ["hidden"]),
    ("Ingen endring å måle ennå (mangler tall eller 0-punkt)", ["no_baseline", "not_yet", "no_data"]),
]
CHANGE_NOTE = (
    "Sikkert: endringen er større enn tilfeldig variasjon kan forklare. Usikkert: endringen er så liten "
    "at den kan skyldes tilfeldig variasjon."
)


TARGET_ROWS = [
    ("nådd", "✔ Målet er nådd"),
    ("på vei", "På vei: på eller foran planens linje"),
    ("usikkert om målet nås", "Usikkert: bak linjen, men ikke sikkert"),
    ("ikke på vei", "✖ Ikke på vei: sikkert bak linjen"),
]


def target_counts(mk: pd.DataFrame) -> pd.DataFrame:
    verdict = mk["target_verdict"].fillna("")
    out = [(label, int((verdict == v).sum())) for v, label in TARGET_ROWS]
    known = {v for v, _ in TARGET_ROWS} | {"ingen mål"}
    out.append(("Kan ikke vurderes ennå (for lite data)", int((~verdict.isin(known)).sum())))
    out = [(label, n) for label, n in out if n]
    out.append(("Har ikke mål i planen", int((verdict == "ingen mål").sum())))
    out.append(("I alt", len(mk)))
    return pd.DataFrame(out, columns=["Mot målet", "Antall"])


def goals_overview(mk: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for goal in mk["goal"].drop_duplicates():
        g = mk[mk["goal"] == goal]
        rows.append(
            (
                clean(goal),
                len(g),
                int((g["change_verdict"] == "sikker forbedring").sum()),
                int((g["change_verdict"] == "sikker forverring").sum()),
                int(g["target_verdict"].isin(["nådd", "på vei"]).sum()),
            )
        )
    return pd.DataFrame(
        rows, columns=["Mål", "Indikatorer", "▲ Sikkert bedre", "▼ Sikkert dårligere", "Nådd eller på vei"]
    )


LEGEND = [
    "Status er siste måling i perioder som slutter i rapportåret eller før, med 95 prosents "
    "konfidensintervall i klammer: området der det sanne tallet mest sannsynlig ligger.",
    "Forbedring: hvor mye tallet har gått opp eller ned siden 0-punktet, om det er bedre eller dårligere "
    "etter indikatorens retning, og om endringen er sikker. ▲ sikker forbedring · ▼ sikker forverring · "
    "● ingen sikker endring · ↑/↓ sikker økning/nedgang der ingen retning er bedre.",
    "Mot mål (holdt mot planens rette linje fra 0-punktet til målet): ✔ nådd · ↗/↘ på vei · "
    "● usikkert om målet nås (bak linjen, men ikke sikkert) · ✖ ikke på vei (sikkert bak linjen) · – ingen mål.",
    "Mot landet, og for en bydel mot kommunen med landet som nummer to: ▲ bedre · ▼ dårligere · "
    "↑/↓ høyere/lavere · ● omtrent likt (sammenligningstallet ligger innenfor områdets intervall).",
    "? betyr at vi ikke kan si noe sikkert, og teksten sier hvorfor: tallet vises ikke, kilden oppgir "
    "ikke antall svar, 0-punktet mangler eller det er for lite data.",
    "«Vises ikke»: tallet er skjult av personvernhensyn (for få svar, skjermet av kilden eller skjult "
    "for å hindre tilbakeregning). Det står verken i tabellene eller i figurene.",
    "Figurene: linjen er områdets tall, det skyggelagte feltet 95 prosents konfidensintervall, den "
    "stiplede loddrette linjen 0-punktet, og den grønne stiplede linjen med ★ målet fram til målåret.",
]

PRIVACY = [
    "Tall kildene har skjermet, forblir skjermet.",
    "Ingen verdi fra færre enn indikatorens minste antall svar (vanligvis 10) vises.",
    "Naboprikking: når ett tall er skjult, skjules flere, slik at det ikke kan regnes ut ved subtraksjon "
    "(alle = gutter + jenter, kommune = summen av bydelene, bydel = summen av skolene).",
    "En periode som slår sammen flere år, vises ikke når ett av årene er skjult.",
    "Et skjult tall står som «vises ikke» med grunnen. Det er verken skrevet eller tegnet i rapporten.",
]


# ------------------------------------------------------------------------------- the build
def _area(con: duckdb.DuckDBPyConnection, area_code: str) -> dict:
    areas = queries.areas_with_data(con)
    wanted = areas[areas["area_code"] == str(area_code)]
    if wanted.empty:
        raise ReportError(unknown_area_text(areas, str(area_code)))
    return wanted.iloc[0].to_dict()


def unknown_area_text(areas: pd.DataFrame, code: str) -> str:
    """The error for an area code without data: which codes exist for kommuner and bydeler."""

    def listing(level: str) -> str:
        rows = areas[areas["area_level"] == level]
        return ", ".join(f"{c} {n}" for c, n in zip(rows["area_code"], rows["area_name"])) or "ingen"

    return (
        f"Ukjent område «{code}»: databasen har ingen tall for det. "
        f"Kommuner med tall: {listing('kommune')}. Bydeler med tall: {listing('bydel')}."
    )


def _series(con, indicator_id: str, area_code: str, year: int) -> pd.DataFrame:
    """The indicator's own series for the area (the 0-punkt's kind of period), up to the year."""
    series = queries.indicator_slices(con, indicator_id, [area_code], "ingen")
    return series[series["year_end"] <= int(year)].reset_index(drop=True) if len(series) else series


def _chart(series: pd.DataFrame, meta: dict, area_code: str, area_name: str, year: int) -> tuple[str, str]:
    unit_label = fmt.UNIT_WORD.get(meta["unit"], meta["unit"])
    svg = series_chart(series, meta, {area_code: area_name}, unit_label)
    label = f"Figur: {meta['title']}, {area_name}, til og med {year}. Skjulte tall er ikke tegnet."
    return svg, label


def _sources(con, mk: pd.DataFrame, meta: pd.DataFrame, periods: dict[str, list[str]]) -> pd.DataFrame:
    """Per source: the indicators in the report, the periods they span and the newest load."""
    loads = con.execute(
        "SELECT source, max(loaded_at) FROM loads WHERE status = 'loaded' OR status IS NULL GROUP BY source"
    ).fetchall()
    last = dict(loads)
    rows = []
    for source, ids in meta.loc[mk["indicator_id"]].groupby("source", sort=False).groups.items():
        ps = [p for i in ids for p in periods.get(i, [])]
        span = f"{min(ps, key=_period_key)} – {max(ps, key=_period_key)}" if ps else "ingen perioder"
        rows.append((fmt.source_name(source), len(ids), span, fmt.timestamp(last.get(source))))
    return pd.DataFrame(rows, columns=["Kilde", "Indikatorer", "Perioder i rapporten", "Sist lastet inn"])


def _period_key(p: str):
    q = parse_period(p)
    return (q.year_end, q.year_start, p)


def build_report(con: duckdb.DuckDBPyConnection, area_code: str, year: int) -> Report:
    """The report for one kommune or bydel and a year (``ReportError`` when it cannot be made)."""
    area = _area(con, area_code)
    area_code, name, level = str(area["area_code"]), clean(area["area_name"]), area["area_level"]
    year = int(year)
    years = queries.report_years(con, area_code)
    if year not in years:
        listed = ", ".join(str(y) for y in years) or "ingen"
        raise ReportError(f"Ingen tall for {name} i {year}. År med tall for {name}: {listed}.")
    mk = queries.malekart(con, area_code, until=year)
    status = queries.data_status(con)
    loaded_at = fmt.timestamp(status["loaded_at"])
    meta = queries.indicators(con).set_index("indicator_id", drop=False)
    bench_col = "Mot kommunen" if level == "bydel" else "Mot landet"
    # the narrative and the tables read the same rows
    goals, periods = [], {}
    for k, goal in enumerate(mk["goal"].drop_duplicates(), start=1):
        rows = mk[mk["goal"] == goal]
        parts = []
        for r in rows.itertuples(index=False):
            m = meta.loc[r.indicator_id].to_dict()
            series = _series(con, r.indicator_id, area_code, year)
            svg, label = _chart(series, m, area_code, name, year)
            parts.append(
                IndicatorPart(
                    r.indicator_id, clean(r.title), [clean(s) for s in narrative.indicator_sentences(r)], svg, label
                )
            )
            periods[r.indicator_id] = list(series["period"]) if len(series) else []
        goals.append(
            GoalSection(
                clean(goal), f"mal-{k}", clean(narrative.goal_intro(goal, rows)), goal_table(rows, bench_col), parts
            )
        )
    where = f"bydel i {clean(queries.parent_areas(con, area_code)[0][1])}" if level == "bydel" else level
    loads = queries.loads(con)
    shown = loads.head(LOADS_SHOWN)
    loads_table = pd.DataFrame(
        {
            "Nr.": [str(int(v)) for v in shown["Nr."]],
            "Fil": [clean(v) for v in shown["Fil"]],
            "Kilde": [clean(v) for v in shown["Kilde"]],
            "Lastet": [fmt.timestamp(v) for v in shown["Lastet"]],
            "Rader": [fmt.number(v, 0) for v in shown["Rader"]],
            "Skjermet": [fmt.number(v, 0) for v in shown["Skjermet"]],
        }
    )
    more = len(loads) - len(shown)
    return Report(
        title=f"Statusrapport {year}: {name}",
        subtitle=f"Oppvekstplanens indikatorer for {name} ({where}), tall til og med {year}",
        area_code=area_code,
        area_name=name,
        area_level=level,
        year=year,
        sample_label=SAMPLE_LABELS.get(status["sample"], ""),
        loaded_at=loaded_at,
        goals_overview=goals_overview(mk),
        summary=[clean(p) for p in narrative.summary_paragraphs(mk)],
        change_counts=change_counts(mk),
        target_counts=target_counts(mk),
        attention=[
            {**item, "title": clean(item["title"]), "text": clean(item["text"])}
            for item in narrative.attention_items(mk, most=5)
        ],
        attention_rest=clean(narrative.attention_rest(mk, most=5)),
        legend=LEGEND,
        goals=goals,
        owners=pd.DataFrame(
            {
                "Hva": [clean(t) for t in mk["title"]],
                "Eier": [clean(o) or "–" for o in mk["owner_path"]],
                "Tiltak": [clean(t).replace("; ", "\n") or "–" for t in mk["tiltak"]],
            }
        ),
        owners_note=NO_ASSESSMENTS,
        methods=[
            f"Rapporten viser tallene i Oppvekstmonitor slik de sto da dataene sist ble oppdatert "
            f"({loaded_at}). Status er for hver indikator den siste målingen i en periode "
            f"som slutter i {year} eller før, av samme slag som 0-punktet (skoleår, år eller sammenslåtte år); "
            "månedstall brukes ikke.",
            "Forbedring er testet mot 0-punktet, og sammenligningen med landet (for en bydel: kommunen) mot "
            "sammenligningstallet, begge med 95 prosents konfidensintervall. Fordi mange tall testes på én gang, "
            "er «sikker» justert for det. " + clean(narrative.rule_sentence(mk)),
            "Mot mål holder tallet mot planens rette linje fra 0-punktet til målet i målåret. Fullstendig "
            "beskrivelse: siden Datagrunnlag i Oppvekstmonitor, avsnittet «Slik regner vi».",
        ],
        sources=_sources(con, mk, meta, periods),
        loads=loads_table,
        loads_note=(f"… og {more} eldre innlastinger (se Datagrunnlag)." if more > 0 else ""),
        privacy=PRIVACY,
        benchmark_column=bench_col,
        effects=_effects(con, area_code),
    )


def _effects(con: duckdb.DuckDBPyConnection, area_code: str) -> list[dict]:
    """«Effekt av tiltak» (issue 17): for each tiltak of the registry that runs in this area (a
    kommune's: on any of its units; a bydel's: on its own units) and each indicator it is meant to
    move, the same sentence the page «Effekt av tiltak» says, with where and since when."""
    from oppvekst import effect_text

    out = []
    tiltak = queries.tiltak_list(con)
    if tiltak.empty:
        return out
    parents = dict(con.execute("SELECT area_code, parent_code FROM areas").fetchall())

    def inside(code: str) -> bool:
        chain, seen = code, 0
        while chain and seen < 5:
            if chain == area_code:
                return True
            chain, seen = parents.get(chain), seen + 1
        return False

    for t in tiltak.itertuples():
        units = list(t.units)
        if not units or not any(inside(u) for u in units):
            continue
        for iid in t.indicators:
            meta = queries.indicator_meta(con, iid)
            if not meta:
                continue
            result = queries.effect_result(con, t.tiltak_id, iid)
            if result is None:
                continue
            panel = queries.effect_panel(con, t.tiltak_id, iid)
            out.append(
                {
                    "name": clean(t.name),
                    "indicator": clean(meta["title"]),
                    "where": clean(f"{', '.join(t.unit_names)}; fra {t.start}"),
                    "text": clean(effect_text.effect_sentence(result, meta, t.level, panel)),
                    "method": clean(effect_text.method_text(result.method, result.inference)),
                }
            )
    return out
