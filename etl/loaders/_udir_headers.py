"""Udir's statistikkbank writes its column dimensions as dotted headers
(``2020-21.Hele landet.Vestland.Alle skoler.10. årstrinn.Begge kjønn.Prosentandel``) in CSV
exports and as header levels in its JSON answers. Both are classified here, by position.
Shared by the statistikkbank CSV and JSON loaders (and the Eksport loader's source guess).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.values import ValueProblem, is_gender_label, is_grade_label, parse_gender, parse_grade, parse_period
from oppvekst.geography import fold, load_register

# A separating dot is followed by neither a space nor another dot: '10. årstrinn' and
# 'med disp. (antall)' keep theirs.
_SPLIT = re.compile(r"\.(?=[^ .])")
_TOTAL_GEO = {
    "hele landet": "land",
    "alle fylker": "fylke",
    "alle kommuner": "kommune",
    "alle skoler": "skole",
    "alle barnehager": "skole",
    "alle enheter": "skole",
}
_DIM_NAMES = {"eierformer": "eierform", "utdanningsprogrammer": "utdanningsprogram"}
N_MEASURES = {
    "antall besvart",
    "antall besvarte",
    "antall besvarelser",
    "antall elever",
    "antall respondenter",
    "antall svar",
}


def split_header(col: str) -> list[str]:
    return _SPLIT.split(col)


def is_value_header(col: str) -> bool:
    parts = split_header(col)
    if len(parts) < 2:
        return False
    try:
        parse_period(parts[0])
    except ValueProblem:
        return False
    return True


@dataclass
class ColumnKey:
    period: str
    geo: dict  # level -> name (non-total only), plus 'land' when national
    gender: str
    grade: str
    breakdown: str
    measure: str  # last segment


def classify(columns: list[list[str]]) -> tuple[list[ColumnKey], list[str]]:
    """Classify header tuples (period first, measure last) by position.

    Returns keys per column and a list of problems (strings)."""
    problems: list[str] = []
    if not columns:
        return [], problems
    width = len(columns[0])
    bad = [c for c in columns if len(c) != width]
    if bad:
        problems.append(f"header '{'.'.join(bad[0])}' has {len(bad[0])} parts where the others have {width}")
        return [], problems
    reg = load_register()
    fylke_names = {k for (lvl, k) in reg.by_name if lvl == "fylke"}
    kommune_names = {k for (lvl, k) in reg.by_name if lvl == "kommune"}
    roles: dict[int, tuple[str, str]] = {}
    seen_fylke = False
    for pos in range(1, width - 1):
        values = {c[pos] for c in columns}
        folded = {fold(v) for v in values}
        totals = {_TOTAL_GEO[f] for f in folded if f in _TOTAL_GEO}
        if all(is_gender_label(v) for v in values):
            roles[pos] = ("gender", "")
        elif all(is_grade_label(v) for v in values):
            roles[pos] = ("grade", "")
        elif totals == {"land"} and folded == {"hele landet"}:
            roles[pos] = ("geo", "land")
        elif "fylke" in totals or (not totals and folded <= fylke_names and not seen_fylke):
            roles[pos] = ("geo", "fylke")
            seen_fylke = True
        elif "kommune" in totals or (not totals and folded <= kommune_names):
            roles[pos] = ("geo", "kommune")
        elif "skole" in totals:
            roles[pos] = ("geo", "skole")
        else:
            alle = [v for v in values if v.lower().startswith("alle ")]
            name = alle[0][5:].strip().lower() if alle else f"dimensjon{pos}"
            roles[pos] = ("other", _DIM_NAMES.get(name, name))
    keys: list[ColumnKey] = []
    for c in columns:
        geo: dict[str, str] = {}
        gender, grade, brk = "alle", "alle", []
        for pos in range(1, width - 1):
            role, arg = roles[pos]
            v = c[pos]
            if role == "gender":
                gender = parse_gender(v)
            elif role == "grade":
                grade = parse_grade(v)
            elif role == "geo":
                if fold(v) not in _TOTAL_GEO:
                    geo[arg] = v
                elif arg == "land":
                    geo["land"] = v
            elif not v.lower().startswith("alle "):
                brk.append(f"{arg}={v}")
        keys.append(ColumnKey(c[0], geo, gender, grade, ";".join(brk), c[-1]))
    return keys, problems


def geo_of(key: ColumnKey) -> tuple[str, str, str]:
    """(area name, level, fylke hint) of the most specific unit named in a column."""
    for level in ("skole", "kommune", "fylke"):
        if level in key.geo:
            return key.geo[level], level, key.geo.get("fylke", "")
    return "Hele landet", "land", ""


_EU_WORDS = (
    "elevundersøk",
    "elevundersok",
    "mobb",
    "trivsel",
    "støtte fra lærer",
    "motivasjon",
    "mestring",
    "læringskultur",
    "vurdering for læring",
    "indikatorkode",
    "spoersmaal",
    "spørsmål",
    "euindeks",
    "euspoersmaal",
)
_FRAVAER_WORDS = ("fravær", "fravaer", "dager", "timer")


def guess_source(texts: list[str], file_name: str) -> str:
    """Elevundersøkelsen, fravær or another Udir table, from what the file says."""
    blob = " ".join(texts + [file_name]).lower()
    if any(w in blob for w in _FRAVAER_WORDS):
        return "fravaer"
    if any(w in blob for w in _EU_WORDS):
        return "elevundersokelsen"
    return "udir"


def attach_n(df):
    """Rows whose measure code ends in '#n' (Antall besvart/elever) become the ``n`` of the
    matching value rows rather than values of their own. A bare '#n' applies to every
    measure of the same unit, period and group."""
    is_n = df["measure_code"].str.endswith("#n")
    if not is_n.any():
        return df
    keys = ["source_area_code", "source_area_name", "period", "gender", "grade", "breakdown"]
    out = df[~is_n].copy()
    ns = df[is_n].assign(measure_code=df.loc[is_n, "measure_code"].str[:-2])
    for on, part in ((keys + ["measure_code"], ns[ns["measure_code"] != ""]), (keys, ns[ns["measure_code"] == ""])):
        if part.empty:
            continue
        part = part[on + ["value"]].rename(columns={"value": "n_from"}).drop_duplicates(on)
        out = out.merge(part, on=on, how="left")
        out["n"] = out["n"].fillna(out.pop("n_from"))
    return out
