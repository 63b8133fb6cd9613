"""The yearly status report's words (issue 11): bokmål sentences built by fixed rules from the
målekart's page-level verdicts (``queries.malekart``), never by a language model.

The rules keep the text honest:

- «sikker»/«sikkert» and «større enn tilfeldig variasjon» appear only where the page-level
  verdict (Benjamini–Hochberg over the kommune and its bydeler, ``oppvekst.multiplicity``) says
  so; a change the test cannot carry is called «så liten at den kan skyldes tilfeldig variasjon»;
- a change is always said with what it means: a sure rise in something that should fall is a
  «forverring», a sure fall in it a «forbedring»; an unsure one goes «i feil/riktig retning»; for
  indicators where no direction is better the text says so;
- a hidden number is never left out silently: «Tallet for 2025-26 vises ikke (færre enn 10 svar).»,
  and no other number from that period is given (not the benchmark's either);
- when something cannot be tested, the text says why (no n, no spread, no 0-punkt).

Every function is pure and deterministic and returns plain text (the renderer escapes it)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd

from oppvekst import formatting as fmt
from oppvekst.multiplicity import attention
from oppvekst.presentation import target_text

# The malekart columns the sentences read (a row may lack some: they count as missing)
FIELDS = (
    "indicator_id",
    "goal",
    "title",
    "unit",
    "polarity",
    "statistic",
    "baseline_period",
    "baseline_value",
    "baseline_agreed",
    "baseline_series_value",
    "target_value",
    "target_period",
    "status_period",
    "status_value",
    "status_low",
    "status_high",
    "status_shown",
    "status_reason",
    "status_n",
    "change",
    "improvement",
    "change_verdict",
    "change_detail",
    "benchmark_value",
    "benchmark_name",
    "benchmark_verdict",
    "benchmark_detail",
    "landet_value",
    "target_verdict",
    "target_detail",
    "family_tests",
    "family_name",
)

SURE_CHANGE = {"sikker forbedring", "sikker forverring", "sikker økning", "sikker nedgang"}
SURE_BENCHMARK = {"bedre", "dårligere", "høyere", "lavere"}
PAGE_LOST = "Sikker for én sammenligning"  # the start of a detail whose claim did not survive the page


# ----------------------------------------------------------------------------- small helpers
def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, (list, tuple, dict, str)) else False
    except (TypeError, ValueError):
        return False


def _clean(v):
    return None if _missing(v) else v


def _row(r) -> SimpleNamespace:
    """One målekart row - a dict, a pandas Series or an ``itertuples`` row - as a namespace with
    every field in ``FIELDS`` (missing ones None)."""
    if isinstance(r, SimpleNamespace) and getattr(r, "_narrative", False):
        return r
    if isinstance(r, dict | pd.Series):
        get = r.get
    else:
        get = lambda k, default=None: getattr(r, k, default)
    ns = SimpleNamespace(**{k: _clean(get(k, None)) for k in FIELDS})
    ns._narrative = True
    ns.title = str(ns.title or ns.indicator_id or "Indikatoren").strip().rstrip(".")
    ns.unit = ns.unit or ""
    ns.polarity = ns.polarity or "neutral"
    return ns


def _rows(mk) -> list[SimpleNamespace]:
    if isinstance(mk, pd.DataFrame):
        return [_row(r) for r in mk.to_dict("records")]
    return [_row(r) for r in mk]


def _frame(mk) -> pd.DataFrame:
    return mk if isinstance(mk, pd.DataFrame) else pd.DataFrame(list(mk))


def _period(p) -> str:
    return fmt.period_text(p) if p is not None else "–"


def _val(r, v) -> str:
    return fmt.value(v, r.unit)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(k: int, one: str, many: str) -> str:
    return f"{k} {one if k == 1 else many}"


def _listing(parts: list[str]) -> str:
    """«a», «a og b», «a, b og c»."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " og " + parts[-1]


def _clauses(parts: list[str]) -> str:
    """Main clauses joined as the issue's example joins them: «a, b, og c»."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + ", og " + parts[-1]


def _quoted(titles: list[str]) -> str:
    return _listing([f"«{t}»" for t in titles])


def _is_hidden(r) -> bool:
    return r.status_period is not None and (not r.status_shown or r.status_value is None)


def _benchmark_name(r) -> str:
    return r.benchmark_name if isinstance(r.benchmark_name, str) and r.benchmark_name else "landet"


def _page_lost(detail) -> bool:
    return isinstance(detail, str) and detail.startswith(PAGE_LOST)


def _not_given(r) -> str:
    """What the source leaves out, so that a shown number has no interval to test with."""
    if r.status_n is None:
        return "antall svar"
    if r.statistic == "mean" and r.status_low is None:
        return "spredningen i svarene"
    return "antall svar for 0-punktet"


def _no_interval_reason(r, sub: bool = False) -> str:
    """Why a shown number cannot be tested, as a main clause («kilden oppgir ikke antall svar»)
    or, with ``sub``, a subordinate one («[fordi] kilden ikke oppgir antall svar»)."""
    return f"kilden {'ikke oppgir' if sub else 'oppgir ikke'} {_not_given(r)}"


# ----------------------------------------------------------------------------- classification
# How the change since the 0-punkt stands, one class per row: the indicator sentences and the
# counts on the first page use the same classes, so the two always agree.
CHANGE_CLASSES = (
    "better",  # sikker forbedring
    "worse",  # sikker forverring
    "changed",  # sikker økning/nedgang where no direction is better
    "same",  # ingen sikker endring
    "untestable",  # kan ikke testes (no n, no spread)
    "no_baseline",  # mangler 0-punkt
    "hidden",  # the latest number is not shown
    "not_yet",  # the latest number is the 0-punkt itself
    "no_data",  # no number at all
)


def change_class(r) -> str:
    """The row's class in ``CHANGE_CLASSES``."""
    r = _row(r)
    if r.status_period is None:
        return "no_data"
    if _is_hidden(r):
        return "hidden"
    v = r.change_verdict
    if v == "sikker forbedring":
        return "better"
    if v == "sikker forverring":
        return "worse"
    if v in ("sikker økning", "sikker nedgang"):
        return "changed"
    if v == "mangler 0-punkt" or r.baseline_value is None:
        return "no_baseline"
    if r.status_period == r.baseline_period:
        return "not_yet"
    if v == "ingen sikker endring":
        return "same"
    return "untestable"


# ----------------------------------------------------------------------------- one indicator
def _uendret(r) -> bool:
    return r.change is None or fmt.change_words(r.change, r.unit) == "uendret"


def _size(r) -> str:
    """The change's size without a sign: «3,6 prosentpoeng», «125 kr»."""
    return fmt.change_words(r.change, r.unit).split(" ", 1)[1]


def _meaning(r) -> str | None:
    """'better', 'worse' or None (neutral, unchanged or unknown) for the direction the number moved."""
    if r.polarity == "neutral" or _uendret(r):
        return None
    direction = {"higher_is_better": 1, "lower_is_better": -1}.get(r.polarity)
    if direction is None:
        return None
    return "better" if r.change * direction > 0 else "worse"


def level_sentence(r) -> str:
    """The level and how it moved since the 0-punkt, the subject taken from the title:
    «Elever som blir mobbet på skolen, 10. trinn: gått ned fra 10,2 prosent i 2020-21 til 6,6
    prosent i 2025-26, en nedgang på 3,6 prosentpoeng.» A hidden number says so and why, with
    no other number from its period."""
    r = _row(r)
    t, p1 = r.title, _period(r.status_period)
    if r.status_period is None:
        return f"{t}: det finnes ingen tall ennå."
    if _is_hidden(r):
        why = r.status_reason or "kilden har ikke gitt noe tall"
        text = f"{t}: tallet for {p1} vises ikke ({why})."
        if r.baseline_value is not None and r.baseline_period != r.status_period:
            text += f" 0-punktet i {_period(r.baseline_period)} var {_val(r, r.baseline_value)}."
        return text
    v1 = _val(r, r.status_value)
    if r.baseline_value is None or r.change is None or r.status_period == r.baseline_period:
        return f"{t}: {v1} i {p1}."
    v0, p0 = _val(r, r.baseline_value), _period(r.baseline_period)
    neutral = " (ingen retning er bedre)" if r.polarity == "neutral" else ""
    if _uendret(r):
        if v0 == v1:
            return f"{t}: {v1} både i {p0} og i {p1}, altså uendret."
        return f"{t}: {v0} i {p0} og {v1} i {p1}, altså nesten uendret."
    verb, noun = ("gått opp", "en økning") if r.change > 0 else ("gått ned", "en nedgang")
    return f"{t}: {verb} fra {v0} i {p0} til {v1} i {p1}, {noun} på {_size(r)}{neutral}."


def baseline_note(r) -> str | None:
    """When the 0-punkt is the plan's agreed number and the source has since revised it."""
    r = _row(r)
    if not r.baseline_agreed or r.baseline_value is None or r.baseline_series_value is None:
        return None
    if _val(r, r.baseline_value) == _val(r, r.baseline_series_value):
        return None
    return (
        f"0-punktet er tallet planen vedtok; kilden har senere rettet sitt tall for {_period(r.baseline_period)} "
        f"til {_val(r, r.baseline_series_value)}."
    )


def change_sentence(r) -> str | None:
    """Whether the change since the 0-punkt is larger than chance, in plain words; None when
    there is no change to speak of (no number, a hidden one, or no measurement after the 0-punkt
    - ``level_sentence`` has said so)."""
    r = _row(r)
    kind = change_class(r)
    if kind in ("no_data", "hidden"):
        return None
    if kind == "not_yet":
        return "Det finnes ennå ingen måling etter 0-punktet å sammenligne med."
    if kind == "no_baseline":
        return (
            f"Det finnes ikke noe tall for 0-punktet ({_period(r.baseline_period)}) som kan vises – det mangler "
            "eller er skjermet – så vi kan ikke si hvordan tallet har endret seg."
        )
    noun = "Endringen" if _uendret(r) else ("Økningen" if r.change > 0 else "Nedgangen")
    if kind == "better":
        return f"{noun} er større enn tilfeldig variasjon kan forklare, og det er en forbedring."
    if kind == "worse":
        return f"{noun} er større enn tilfeldig variasjon kan forklare, og det er en forverring."
    if kind == "changed":
        return f"{noun} er større enn tilfeldig variasjon kan forklare (ingen retning er bedre for denne indikatoren)."
    way = {"better": "Endringen går i riktig retning", "worse": "Endringen går i feil retning"}.get(_meaning(r))
    if kind == "same":
        text = (
            f"{way}, men den er så liten at den kan skyldes tilfeldig variasjon."
            if way
            else "Endringen er så liten at den kan skyldes tilfeldig variasjon."
        )
        if _page_lost(r.change_detail):
            text += " " + _page_rule_clause(r, "endringen")
        return text
    if r.change is None:
        return "Endringen siden 0-punktet kan ikke beregnes ut fra tallene vi har."
    why = _no_interval_reason(r)
    if way:
        return f"{way}, men {why}, så vi kan ikke teste om den er mer enn tilfeldig variasjon."
    return f"{_cap(why)}, så vi kan ikke teste om endringen er mer enn tilfeldig variasjon."


def _page_rule_clause(r, what: str) -> str:
    """A claim that held for one look but not for the whole page: said without «sikker»."""
    family = r.family_name or "området"
    tests = f"alle de {int(r.family_tests)} testene" if r.family_tests is not None else "alle testene"
    return f"Sett alene ville {what} vært stor nok til å regnes med, men ikke når {tests} for {family} tas med."


def benchmark_sentence(r) -> str | None:
    """The comparison with the benchmark (the kommune for a bydel, landet otherwise): «sikkert
    bedre/dårligere» only when the page-level verdict is; None without a comparison (landet
    itself) or when the number is hidden."""
    r = _row(r)
    v = r.benchmark_verdict
    if v is None or _is_hidden(r) or r.status_period is None:
        return None
    name = _benchmark_name(r)
    bench = f" ({_val(r, r.benchmark_value)})" if r.benchmark_value is not None else ""
    if v in ("bedre", "dårligere"):
        return f"Tallet er sikkert {v} enn i {name}{bench}."
    if v in ("høyere", "lavere"):
        return f"Tallet er sikkert {v} enn i {name}{bench}; ingen retning er bedre."
    if v == "omtrent likt":
        text = f"Tallet er omtrent som i {name}{bench}: forskjellen kan skyldes tilfeldig variasjon."
        if _page_lost(r.benchmark_detail):
            text += " " + _page_rule_clause(r, "forskjellen")
        return text
    if r.benchmark_value is None:
        return f"{_cap(name)} har ikke tall for {_period(r.status_period)}, så tallet kan ikke sammenlignes."
    return f"Tallet kan ikke testes mot {name}{bench} fordi {_no_interval_reason(r, sub=True)}."


def target_sentence(r) -> str | None:
    """The plan's target: nådd, på vei, sikkert bak planens linje, usikkert, for lite data, or
    no target. None when there is no number to judge and no target to name."""
    r = _row(r)
    has_target = r.target_value is not None and r.polarity != "neutral"
    tt = target_text(r) if r.target_value is not None else ""
    v = r.target_verdict
    if r.status_period is None or _is_hidden(r) or v is None:
        return f"Planens mål er {tt}." if has_target else None
    if v == "ingen mål" or not has_target:
        return "Planen har ikke satt noe mål for denne indikatoren; den følges med."
    if v == "nådd":
        if r.status_low is None:
            return f"Målet på {tt} er nådd: tallet er på riktig side av målet (uten intervall, fordi {_no_interval_reason(r, sub=True)})."
        return f"Målet på {tt} er nådd: hele usikkerhetsintervallet ligger på riktig side av målet."
    if v == "på vei":
        if isinstance(r.target_detail, str) and "på riktig side av målet" in r.target_detail:
            return (
                f"Tallet er på riktig side av målet på {tt}, men ikke så klart at vi kan si at målet er nådd; "
                "det er i rute."
            )
        return f"Tallet er i rute mot målet på {tt}: det ligger på eller foran planens linje fra 0-punktet mot målet."
    if v == "ikke på vei":
        return f"Tallet ligger sikkert bak planens linje mot målet på {tt}."
    if v == "usikkert om målet nås":
        if r.status_low is None:
            return (
                f"Tallet ligger bak planens linje mot målet på {tt}, men {_no_interval_reason(r)}, så vi kan ikke "
                "teste avstanden; det er usikkert om målet nås."
            )
        return (
            f"Tallet ligger bak planens linje mot målet på {tt}, men avstanden kan skyldes tilfeldig variasjon; "
            "det er usikkert om målet nås."
        )
    if v == "for lite data":
        return f"Det er for lite data til å si om målet på {tt} nås: det trengs minst to målinger fra og med 0-punktet."
    return f"Planens mål er {tt}."


def indicator_sentences(r) -> list[str]:
    """Everything the report says about one målekart row, in order: the level and its change,
    whether the change is larger than chance, the comparison, the target."""
    r = _row(r)
    out = [level_sentence(r), baseline_note(r), change_sentence(r), benchmark_sentence(r), target_sentence(r)]
    return [s for s in out if s]


# ----------------------------------------------------------------------------- the first page
def _classes(rows: list[SimpleNamespace]) -> dict[str, list[SimpleNamespace]]:
    out: dict[str, list[SimpleNamespace]] = {k: [] for k in CHANGE_CLASSES}
    for r in rows:
        out[change_class(r)].append(r)
    return out


def _untestable_clauses(rows: list[SimpleNamespace]) -> list[str]:
    by_reason: dict[str, int] = {}
    for r in rows:
        why = _no_interval_reason(r, sub=True)
        by_reason[why] = by_reason.get(why, 0) + 1
    return [f"{k} fordi {why}" for why, k in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))]


def change_summary(mk) -> str:
    """How many indicators have improved, worsened or stood still since the 0-punkt - with
    *sikker* in plain words - and how many cannot be tested, and why."""
    rows = _rows(mk)
    n = len(rows)
    if not n:
        return "Det finnes ingen indikatorer å vise."
    groups = _classes(rows)
    c = {k: len(v) for k, v in groups.items()}
    noun = "indikator" if n == 1 else "indikatorer"
    first = (
        f"{c['better']} av {n} {noun} har blitt sikkert bedre siden 0-punktet"
        if c["better"]
        else f"Ingen av de {n} indikatorene har blitt sikkert bedre siden 0-punktet"
        if n > 1
        else "Indikatoren har ikke blitt sikkert bedre siden 0-punktet"
    )
    parts = [first, f"{c['worse']} har blitt sikkert dårligere" if c["worse"] else "ingen har blitt sikkert dårligere"]
    if c["changed"]:
        parts.append(f"for {c['changed']} har tallet sikkert endret seg der ingen retning er bedre")
    if c["same"]:
        parts.append(f"for {c['same']} er endringen så liten at den kan skyldes tilfeldig variasjon")
    text = _clauses(parts) + "."
    rest = []
    if c["untestable"]:
        why = _untestable_clauses(groups["untestable"])
        if len(why) == 1:  # «4 kan ikke testes fordi kilden ikke oppgir antall svar»
            rest.append(
                f"{c['untestable']} kan ikke testes fordi {_no_interval_reason(groups['untestable'][0], sub=True)}"
            )
        else:  # «4 kan ikke testes: 3 fordi …, og 1 fordi …»
            rest.append(f"{c['untestable']} kan ikke testes: {_listing(why)}")
    if c["no_baseline"]:
        rest.append(f"for {c['no_baseline']} finnes det ikke noe tall for 0-punktet som kan vises")
    if c["hidden"]:
        reasons = sorted({r.status_reason or "kilden har ikke gitt noe tall" for r in groups["hidden"]})
        rest.append(f"for {c['hidden']} vises ikke det siste tallet ({'; '.join(reasons)})")
    if c["not_yet"]:
        rest.append(f"for {c['not_yet']} finnes det ennå ingen måling etter 0-punktet")
    if c["no_data"]:
        rest.append(f"for {c['no_data']} finnes det ingen tall ennå")
    if rest:
        text += " " + _cap(_clauses(rest)) + "."
    return text


def target_summary(mk) -> str:
    """How the indicators with a target stand: reached, on track, surely behind, unsure - and
    which are reached or on track (by name, when few)."""
    rows = [r for r in _rows(mk) if r.target_value is not None and r.polarity != "neutral"]
    m = len(rows)
    if not m:
        return "Ingen av indikatorene har mål i planen."
    by: dict[str, list[SimpleNamespace]] = {}
    for r in rows:
        key = r.target_verdict if not _is_hidden(r) and r.status_period is not None else None
        by.setdefault(key, []).append(r)
    k = {key: len(v) for key, v in by.items()}
    reached, on_track = k.get("nådd", 0), k.get("på vei", 0)
    behind, unsure = k.get("ikke på vei", 0), k.get("usikkert om målet nås", 0)
    head = f"{_count(m, 'indikator', 'indikatorer')} har mål i planen."
    good = []
    if reached:
        good.append(f"{reached} har nådd målet")
    if on_track:
        good.append(f"{on_track} er i rute mot målet")
    if not good:
        good.append("ingen har nådd målet eller er i rute mot det")
    bad = []
    if behind:
        bad.append(f"{behind} ligger sikkert bak planens linje mot målet")
    if unsure:
        bad.append(
            f"for {unsure} er det usikkert om målet nås, fordi avstanden til linjen kan skyldes tilfeldig variasjon eller ikke kan testes"
        )
    text = f"{head} {_cap(_clauses(good + bad))}."
    few = k.get("for lite data", 0)
    none = k.get(None, 0) + sum(
        v
        for key, v in k.items()
        if key not in (None, "nådd", "på vei", "ikke på vei", "usikkert om målet nås", "for lite data")
    )
    more = []
    if few:
        more.append(f"for {few} er det for lite data til å si noe om målet")
    if none:
        more.append(f"for {none} finnes det ikke noe tall å vurdere målet med")
    if more:
        text += " " + _cap(_clauses(more)) + "."
    names = []
    if 0 < reached <= 5:
        names.append(f"Nådd: {_quoted([r.title for r in by['nådd']])}.")
    if 0 < on_track <= 5:
        names.append(f"I rute: {_quoted([r.title for r in by['på vei']])}.")
    return " ".join([text, *names])


def rule_sentence(mk) -> str:
    """The multiplicity rule in plain words, with the number of tests and the family."""
    rows = _rows(mk)
    tests = next((r.family_tests for r in rows if r.family_tests is not None), None)
    family = next((r.family_name for r in rows if r.family_name), None) or "området"
    if tests is None:
        return (
            "Hver endring og forskjell er testet for seg: «sikker» betyr at 95 prosents konfidensintervall "
            "utelukker at den skyldes tilfeldig variasjon."
        )
    text = (
        f"Rapporten bygger på {fmt.number(int(tests), 0)} tester for {family}. For at tilfeldige utslag ikke skal se "
        "ut som funn, kaller vi en endring eller forskjell «sikker» bare når den holder også når alle testene "
        "tas med: da er høyst 5 prosent av funnene falske (Benjamini–Hochberg-metoden)."
    )
    lost = sum(_page_lost(d) for r in rows for d in (r.change_detail, r.benchmark_detail, r.target_detail))
    if lost:
        text += (
            f" {lost} tall ville vært regnet som {'sikkert' if lost == 1 else 'sikre'} om "
            f"{'det' if lost == 1 else 'de'} ble sett alene, men ikke når alle testene tas med."
        )
    return text


def summary_paragraphs(mk) -> list[str]:
    """The first page's paragraphs: the changes since the 0-punkt, the targets, and the rule
    that makes «sikker» mean sure on a page of many tests."""
    return [change_summary(mk), target_summary(mk), rule_sentence(mk)]


# ----------------------------------------------------------------------------- attention
def _attention_mask(df: pd.DataFrame) -> pd.Series:
    """``multiplicity.attention``'s rule on the målekart's rows (they carry the page's verdicts)."""
    cols = [f"{k}_verdict" for k in ("change", "benchmark", "target")]
    return attention(df.reindex(columns=df.columns.union(cols)), prefix="").fillna(False).astype(bool)


def _attention_text(r) -> str:
    parts = []
    if r.change_verdict == "sikker forverring":
        parts.append(
            f"har sikkert blitt dårligere siden 0-punktet – en forverring på {_size(r)}, fra "
            f"{_val(r, r.baseline_value)} i {_period(r.baseline_period)} til {_val(r, r.status_value)} i "
            f"{_period(r.status_period)}"
        )
    if r.benchmark_verdict == "dårligere":
        bench = f" ({_val(r, r.benchmark_value)})" if r.benchmark_value is not None else ""
        parts.append(f"sikkert dårligere enn i {_benchmark_name(r)}{bench}")
    if r.target_verdict == "ikke på vei":
        parts.append(f"sikkert bak planens linje mot målet på {target_text(r)}")
    if r.change_verdict != "sikker forverring" and r.status_value is not None:
        parts.append(f"nå {_val(r, r.status_value)} i {_period(r.status_period)}")
    return _cap("; ".join(parts)) + "."


def _attention_rank(r) -> tuple[int, float, float]:
    """(how many of the three reasons, worsening against the 0-punkt, distance to the target),
    each relative to the 0-punkt or the target, larger = more serious."""
    weight = (
        int(r.change_verdict == "sikker forverring")
        + int(r.benchmark_verdict == "dårligere")
        + int(r.target_verdict == "ikke på vei")
    )
    worse = 0.0
    if r.improvement is not None and r.improvement < 0:
        base = abs(r.baseline_value) if r.baseline_value else 0.0
        worse = -r.improvement / base if base > 0 else -r.improvement
    gap = 0.0
    if r.target_value is not None and r.status_value is not None:
        t = abs(r.target_value)
        gap = abs(r.status_value - r.target_value) / t if t > 0 else abs(r.status_value - r.target_value)
    return weight, worse, gap


def _attention_rows(mk) -> list[SimpleNamespace]:
    df = _frame(mk)
    if df.empty:
        return []
    need = _attention_mask(df).to_numpy()
    rows = [r for r, keep in zip(_rows(df), need) if keep and not _is_hidden(r)]
    order = sorted(range(len(rows)), key=lambda i: (tuple(-x for x in _attention_rank(rows[i])), i))
    return [rows[i] for i in order]


def attention_items(mk, most: int = 5) -> list[dict]:
    """The few indicators that need attention («Trenger oppmerksomhet»: a sure worsening since
    the 0-punkt, surely worse than the benchmark, or surely behind the plan's line to the target),
    the most serious first: three reasons before two before one, then the larger worsening
    against the 0-punkt, then the farther from the target. At most ``most``; ``attention_rest``
    says how many more there are. Each item: indicator_id, title, text (one line), severity (how
    many of the three reasons hold, 1–3)."""
    out = []
    for r in _attention_rows(mk)[: max(int(most), 0)]:
        out.append(
            {
                "indicator_id": r.indicator_id,
                "title": r.title,
                "text": _attention_text(r),
                "severity": _attention_rank(r)[0],
            }
        )
    return out


def attention_rest(mk, most: int = 5) -> str:
    """«… og 3 indikatorer til trenger oppmerksomhet.» for those ``attention_items`` left out
    ('' when none was); «Ingen indikatorer trenger oppmerksomhet.» when there are none at all."""
    total = len(_attention_rows(mk))
    if total == 0:
        return "Ingen indikatorer har blitt sikkert dårligere, er sikkert dårligere enn sammenligningen eller ligger sikkert bak planens linje mot målet."
    more = total - max(int(most), 0)
    if more <= 0:
        return ""
    return f"… og {_count(more, 'indikator', 'indikatorer')} til trenger oppmerksomhet."


# ----------------------------------------------------------------------------- one goal
def goal_intro(goal: str, rows) -> str:
    """One sentence opening a goal's section: «Under dette målet følger planen 5 indikatorer: 2
    har blitt sikkert bedre siden 0-punktet, …». ``rows``: the målekart's rows (all, or the goal's
    own; rows of other goals are left out)."""
    rs = [r for r in _rows(rows) if r.goal is None or r.goal == goal]
    n = len(rs)
    if not n:
        return "Planen følger ingen indikatorer under dette målet."
    g = {k: len(v) for k, v in _classes(rs).items()}
    parts = []
    if g["better"]:
        parts.append(f"{g['better']} har blitt sikkert bedre siden 0-punktet")
    if g["worse"]:
        parts.append(f"{g['worse']} har blitt sikkert dårligere")
    if g["changed"]:
        parts.append(f"{g['changed']} har sikkert endret seg der ingen retning er bedre")
    if g["same"]:
        parts.append(f"for {g['same']} er endringen så liten at den kan skyldes tilfeldig variasjon")
    if g["untestable"] + g["no_baseline"]:
        parts.append(f"{g['untestable'] + g['no_baseline']} kan ikke testes")
    if g["hidden"]:
        parts.append(f"for {g['hidden']} vises ikke det siste tallet")
    if g["not_yet"] + g["no_data"]:
        parts.append(f"for {g['not_yet'] + g['no_data']} finnes det ennå ikke tall å sammenligne")
    on = sum(r.target_verdict in ("nådd", "på vei") for r in rs if not _is_hidden(r))
    off = sum(r.target_verdict == "ikke på vei" for r in rs if not _is_hidden(r))
    targets = []
    if on:
        targets.append(f"{on} har nådd målet eller er i rute")
    if off:
        targets.append(f"{off} ligger sikkert bak planens linje mot målet")
    text = f"Under dette målet følger planen {_count(n, 'indikator', 'indikatorer')}: {_clauses(parts)}"
    if targets:
        text += "; " + _listing(targets)
    return text + "."


__all__ = [
    "attention_items",
    "attention_rest",
    "benchmark_sentence",
    "change_class",
    "change_sentence",
    "change_summary",
    "goal_intro",
    "indicator_sentences",
    "level_sentence",
    "rule_sentence",
    "summary_paragraphs",
    "target_sentence",
    "target_summary",
]
