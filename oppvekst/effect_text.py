"""The effect of a tiltak in words, for a politician (issue 17): the estimate with its interval,
whether it can be told from chance, why it cannot be measured, the assumptions and warnings
that apply, and what a planned pilot could detect. Pure functions of ``oppvekst.effect``'s
results and the panel; no Streamlit, no database."""

from __future__ import annotations

import math
import re

import pandas as pd

from oppvekst import formatting as fmt

NUMBER_WORDS = ["null", "én", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve", "tolv"]
# level -> (indefinite singular, indefinite plural, definite singular, definite plural)
LEVEL_WORDS = {
    "skole": ("skole", "skoler", "skolen", "skolene"),
    "bydel": ("bydel", "bydeler", "bydelen", "bydelene"),
    "kommune": ("kommune", "kommuner", "kommunen", "kommunene"),
}
VERDICT_LABELS = {
    "effect": "Sikker forskjell",
    "no_effect": "Ingen sikker forskjell",
    "pretrend": "Kan ikke vurderes: ulik utvikling før oppstart",
    "untestable": "Kan ikke testes",
}


def _na(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


METHOD_WORDS = [  # the estimator labels its method and inference in English (oppvekst.effect); in bokmål
    ("synthetic control", "syntetisk kontroll (en vektet blanding av de andre enhetene)"),
    ("gardner", "forskjell i utvikling for enheter som startet i ulike år (Gardners totrinnsmetode)"),
    ("difference-in-differences", "forskjell i utvikling før og etter (difference-in-differences)"),
    ("two-way fixed effects", "forskjell i utvikling før og etter (difference-in-differences)"),
]
INFERENCE_WORDS = [
    ("placebo", "placebotest: den samme beregningen for hver av de andre enhetene"),
    ("randomisation", "randomiseringstest: tiltaket prøvd på alle andre mulige utvalg av enheter"),
    ("none", "ingen test er mulig"),
]


def method_text(method: str, inference: str) -> str:
    """The estimator's method and inference in words (the English label when it is not known)."""
    m, i = str(method or ""), str(inference or "")
    how = next((w for k, w in METHOD_WORDS if k in m.lower()), m)
    test = next((w for k, w in INFERENCE_WORDS if i.lower().startswith(k) or k in i.lower()), i)
    return f"Metode: {how}. Usikkerhet: {test}."


def count_word(n: int) -> str:
    """A count as Norwegian writes it in running text: words up to twelve, digits above."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else fmt.number(n, 0)


def units_text(n: int, level: str, definite: bool = False, other: bool = False) -> str:
    """«tre skoler», «de tre skolene», «skolen», «de 17 andre skolene», «den andre skolen»."""
    one, many, the_one, the_many = LEVEL_WORDS.get(level, LEVEL_WORDS["skole"])
    if not definite:
        return f"{count_word(n)} {'andre ' if other else ''}{one if n == 1 else many}"
    if n == 1:
        return f"den andre {the_one}" if other else the_one
    return f"de {count_word(n)} {'andre ' if other else ''}{the_many}"


def indicator_phrase(meta: dict) -> str:
    """The indicator as the subject of a sentence: «andelen elever som blir mobbet på skolen
    (10. trinn)» for a share, «gjennomsnittlig fravær (10. trinn)» for another measure."""
    title = str(meta.get("title") or meta.get("indicator_id") or "indikatoren").strip()
    grade = re.search(r",\s*((?:\d+\.|\d+–\d+\.)\s*trinn|ungdomstrinnet|barnetrinnet)$", title)
    if grade:  # «…, 10. trinn» → «… (10. trinn)», or «… på 10. trinn» when the title has a parenthesis already
        head = title[: grade.start()]
        title = f"{head} på {grade[1]}" if "(" in head else f"{head} ({grade[1]})"
    if title[:1].isupper() and not title[1:2].isupper():  # «Elever» → «elever», not «KOSTRA»
        title = title[:1].lower() + title[1:]
    if meta.get("statistic") == "proportion" and not title.startswith("andel"):
        return f"andelen {title}"
    return title


def _num(v: float, unit: str) -> str:
    return fmt.number(v, fmt.DECIMALS.get(unit, 1))


def _size(v: float, unit: str) -> str:
    word = fmt.CHANGE_WORD.get(unit, fmt.UNIT_WORD.get(unit, unit))
    return f"{_num(abs(v), unit)}{fmt.NBSP + word if word else ''}"


def _p(p: float) -> str:
    return "p < 0,001" if p < 0.001 else f"p = {fmt.number(p, 3 if p < 0.01 else 2)}"


def untestable_reason(panel: pd.DataFrame, result=None, level: str = "skole") -> str:
    """Why the effect cannot be measured, from the panel (``queries.effect_panel``) and the
    estimator's warnings: no treated unit with numbers, nothing to compare with, no measurement
    before the start or none after it."""
    warnings = [str(w).rstrip(".") for w in (getattr(result, "warnings", None) or []) if w]
    said = warnings[-1][:1].lower() + warnings[-1][1:] if warnings else ""  # the estimator's reason comes last
    if panel is None:
        return said or "dataene er for få til en test"
    _, plural, _, the_many = LEVEL_WORDS.get(level, LEVEL_WORDS["skole"])
    if panel.empty:
        return (
            "det finnes ingen tall for enhetene med tiltaket eller dem de skal sammenlignes med "
            "(eller tallene er skjult av personvernhensyn)"
        )
    treated = panel[panel["start"].notna()]
    if treated.empty:
        return (
            f"ingen av {the_many} med tiltaket har tall for indikatoren (eller tallene er skjult av personvernhensyn)"
        )
    if panel["start"].notna().all():
        return f"det finnes ingen {plural} uten tiltaket å sammenligne med"
    if not (treated["period"] < treated["start"]).any():
        return "det finnes ingen målinger fra før tiltaket startet, så vi vet ikke hvor enhetene lå uten tiltaket"
    if not (treated["period"] >= treated["start"]).any():
        return "det finnes ingen målinger fra etter at tiltaket startet ennå"
    return said or "dataene er for få til en test"


def effect_sentence(result, meta: dict, level: str, panel: pd.DataFrame | None = None, alpha: float = 0.05) -> str:
    """The estimate in words, for a politician. ``result``: an ``oppvekst.effect.EffectResult``;
    ``meta``: the indicator (``queries.indicator_meta``); ``level``: the tiltak's units' level.

    «På de tre skolene med tiltaket falt andelen … 3,1 prosentpoeng mer enn på de 17 andre
    skolene (95 % KI −5,8 til −0,4). Det er lite trolig at forskjellen er tilfeldig.»"""
    unit = meta.get("unit", "prosent")
    treated = units_text(result.n_treated, level, definite=True)
    others = units_text(result.n_control, level, definite=True, other=True)
    subject = indicator_phrase(meta)
    if result.verdict == "untestable" or _na(result.estimate):
        return f"Effekten kan ikke måles: {untestable_reason(panel, result, level)}."
    if result.verdict == "pretrend":
        test = f" (test av utviklingen før oppstart: {_p(result.pretrend_p)})" if not _na(result.pretrend_p) else ""
        return (
            f"Før tiltaket startet, var {subject} på {treated} allerede på vei et annet sted enn på {others}{test}. "
            "Da vet vi ikke hvordan det hadde gått uten tiltaket, og vi kan ikke si noe om effekten."
        )
    level_pct = fmt.number(100 * (1 - alpha), 0)
    if _finite(result.ci_low) and _finite(result.ci_high):
        ci = f"({level_pct} % KI {_num(result.ci_low, unit)} til {_num(result.ci_high, unit)})"
    else:
        ci = f"({level_pct} % KI ubegrenset: dataene kan ikke avgrense effekten)"
    where = treated
    if _num(abs(result.estimate), unit).strip("0,") == "":
        moved = f"På {where} med tiltaket endret {subject} seg omtrent like mye som på {others} {ci}."
    else:
        verb = "falt" if result.estimate < 0 else "steg"
        moved = f"På {where} med tiltaket {verb} {subject} {_size(result.estimate, unit)} mer enn på {others} {ci}."
    if result.verdict != "effect":
        return f"{moved} Forskjellen kan ikke skilles fra tilfeldig variasjon."
    direction = {"higher_is_better": 1, "lower_is_better": -1}.get(meta.get("polarity"), 0)
    way = ""
    if direction:
        way = " Forskjellen går i ønsket retning." if result.estimate * direction > 0 else (
            " Forskjellen går i feil retning: tallene ble dårligere enn der tiltaket ikke kjører."
        )  # fmt: skip
    return f"{moved} Det er lite trolig at forskjellen er tilfeldig.{way}"


def selected_because_worst(panel: pd.DataFrame, polarity: str) -> bool:
    """Were the treated units among the worst just before the start? Their mean rank (worst = 1)
    among all units in the last period before the start, in the worst third."""
    if panel is None or panel.empty or polarity not in ("higher_is_better", "lower_is_better"):
        return False
    start = panel["start"].dropna()
    if start.empty:
        return False
    before = panel[panel["period"] == int(start.min()) - 1]
    if before["start"].notna().sum() == 0 or before["start"].isna().sum() < 2:
        return False
    values = 100 * before["x"] / before["n"] if "x" in before and before["x"].notna().all() else before["value"]
    worse_first = values.rank(ascending=polarity == "higher_is_better", pct=True)  # worst → smallest rank
    return float(worse_first[before["start"].notna()].mean()) <= 1 / 3


def caveats(result, panel: pd.DataFrame, context: dict, meta: dict, level: str) -> list[tuple[str, str]]:
    """The assumptions and warnings that apply to this estimate, in bokmål, most important first:
    the assumption of a common path (with the test before the start), the estimator's own warnings,
    units chosen because they were worst (regression to the mean), few units, spillover, a break in
    the series, hidden cells left out, units left out for running another tiltak, a stopped tiltak.
    Each as (title, text): plain text, for the page to escape (names and notes come from the data)."""
    one, many, _, the_many = LEVEL_WORDS.get(level, LEVEL_WORDS["skole"])
    n_t, n_c = int(getattr(result, "n_treated", 0) or 0), int(getattr(result, "n_control", 0) or 0)
    treated = units_text(n_t, level, definite=True) if n_t else f"{the_many} med tiltaket"
    others = units_text(n_c, level, definite=True, other=True) if n_c else f"de andre {the_many}"
    out: list[tuple[str, str]] = []
    test = ""
    if not _na(getattr(result, "pretrend_p", None)):
        found = (
            "finner en sikker forskjell i utviklingen" if result.pretrend_p < 0.05 else "finner ingen sikker forskjell"
        )
        test = f" Testen av årene før oppstart ({_p(result.pretrend_p)}) {found}."
    out.append((
        "Forutsetning",
        f"Uten tiltaket ville {treated} ha fulgt samme utvikling som {others}. Det kan sjekkes for årene før "
        "oppstart (i figuren «Forskjell år for år» bør punktene før oppstart ligge rundt null), men ikke for "
        f"årene etter.{test}",
    ))  # fmt: skip
    out += [("Fra beregningen", str(w)) for w in (getattr(result, "warnings", None) or []) if w]
    said = " ".join(str(w) for w in (getattr(result, "warnings", None) or [])).lower()
    if "regresjon mot gjennomsnittet" not in said and selected_because_worst(panel, meta.get("polarity", "")):
        out.append((
            "Valgt fordi tallene var dårlige?",
            f"Rett før oppstart lå {treated} blant de dårligste. Er de valgt ut av den grunn, kan noe av bedringen "
            "etterpå være tilbakegang mot det vanlige (regresjon mot gjennomsnittet) og ikke tiltaket. "
            "Sammenligningen med årene før tar bare delvis høyde for det.",
        ))  # fmt: skip
    if (0 < n_t <= 3 or 0 < n_c < 5) and "bare " not in said:
        few = f"{units_text(n_t, level)} med tiltaket" if n_t <= 3 else f"{units_text(n_c, level)} å sammenligne med"
        out.append((
            "Få enheter",
            f"Med bare {few} er usikkerheten stor, og ett uvanlig år på én {one} kan flytte resultatet. "
            "Intervallet og testen er regnet slik at de holder også med få enheter.",
        ))  # fmt: skip
    moves = "elever og ansatte mellom skolene" if level == "skole" else "folk og tjenester mellom dem"
    out.append((
        "Smitte",
        f"Tar {others} etter tiltaket, eller flytter {moves}, blir forskjellen mindre enn den virkelige effekten.",
    ))  # fmt: skip
    for period, note in context.get("breaks", []):
        out.append((
            "Brudd i serien",
            f"Kilden merker {period}: «{note}». Et brudd som treffer alle {many} likt, påvirker ikke "
            "sammenligningen; treffer det ulikt, kan det se ut som en effekt.",
        ))  # fmt: skip
    hidden = int(context.get("left_out", 0) or 0)
    if hidden:
        out.append((
            "Skjulte tall",
            f"{fmt.number(hidden, 0)} {one}-år er skjult av personvernhensyn og holdt utenfor beregningen. "
            "De vises ikke.",
        ))  # fmt: skip
    if context.get("other_tiltak"):
        names = ", ".join(context["other_tiltak"])
        out.append(("Holdt utenfor sammenligningen", f"{names} har et annet tiltak for samme indikator."))
    stop = (context.get("tiltak") or {}).get("stop")
    if isinstance(stop, str) and stop:
        out.append(("Tiltaket er avsluttet", f"Siste periode var {stop}; årene etter er holdt utenfor."))
    return out


def mde_sentence(mde: dict, meta: dict, level: str, power: float = 0.8, alpha: float = 0.05) -> str:
    """What a planned pilot could detect (``queries.effect_mde``): «Et forsøk på tre skoler, fulgt i
    tre skoleår, kan oppdage en effekt på 4,7 prosentpoeng eller mer …»."""
    unit = meta.get("unit", "prosent")
    n_t, n_c = int(mde.get("n_treated", 0) or 0), int(mde.get("n_control", 0) or 0)
    years = int(mde.get("followup", 3) or 3)
    kind = "skoleår" if re.fullmatch(r"\d{4}-\d{2}", str(meta.get("baseline_period", ""))) else "år"
    if not n_t:
        return f"Velg {LEVEL_WORDS.get(level, LEVEL_WORDS['skole'])[1]} for forsøket for å se hva det kan oppdage."
    if _na(mde.get("mde")) or not n_c or not mde.get("testable", True) or not _finite(mde.get("mde")):
        return (
            f"Et forsøk på {units_text(n_t, level)} kan ikke skille en effekt fra tilfeldig variasjon: det er for få "
            f"{LEVEL_WORDS.get(level, LEVEL_WORDS['skole'])[1]} med tall, med eller uten tiltaket. Ta med flere."
        )
    return (
        f"Et forsøk på {units_text(n_t, level)}, fulgt i {count_word(years)} {kind} etter oppstart og sammenlignet "
        f"med {units_text(n_c, level, definite=True, other=True)}, kan oppdage en effekt på omtrent "
        f"{_size(mde['mde'], unit)} eller mer ({fmt.number(100 * power, 0)} % sjanse til å se den, på "
        f"{fmt.number(100 * alpha, 0)} %-nivået). Mindre effekter kan finnes, men vil som regel ikke kunne skilles "
        "fra tilfeldig variasjon. Flere enheter eller flere år gir et skarpere forsøk."
    )


def groups_table(groups: pd.DataFrame, unit: str, labels: tuple[str, str]) -> pd.DataFrame:
    """The numbers behind the chart of the two groups (``charts.effect_groups``): a row per period
    (``Periode``), a column per group named by ``labels`` (with the tiltak, the others)."""
    wide = groups.pivot_table(index=["period", "period_label"], columns="treated", values="value").reset_index()
    table = pd.DataFrame({"Periode": wide["period_label"]})
    for flag, label in ((True, labels[0]), (False, labels[1])):
        table[label] = [fmt.value(v, unit) for v in wide.get(flag, [float("nan")] * len(wide))]
    return table


def event_study_table(es: pd.DataFrame, unit: str, period_word: str) -> pd.DataFrame:
    """The numbers behind «Forskjell år for år» (``EffectResult.event_study``): the period from the
    start, the difference and its 95 % interval."""
    d = fmt.DECIMALS.get(unit, 1)
    return pd.DataFrame(
        {
            f"{period_word.capitalize()} fra oppstart": [fmt.number(k, 0, sign=k != 0) for k in es["rel_period"]],
            "Forskjell": [fmt.change(v, unit) for v in es["estimate"]],
            "95 % KI": [f"{fmt.number(a, d)} til {fmt.number(b, d)}" for a, b in zip(es["ci_low"], es["ci_high"])],
        }
    )
