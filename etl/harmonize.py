"""From loader rows to canonical observations: resolve and harmonise areas, derive periods,
apply the duplicate rules, and validate the whole input at once."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from etl.problems import Problem
from etl.validate import cell_ref
from etl.values import ValueProblem, parse_period
from oppvekst.geography import AreaRegister, canonical_code, load_register, orgnr_is_valid, pseudo_codes

SCHOOL_MAP = Path(__file__).resolve().parent.parent / "data" / "skole_bydel.csv"
KEY = ["source", "measure_code", "area_code", "period", "gender", "grade", "breakdown"]
OBS_COLUMNS = [
    "source",
    "table_id",
    "measure_code",
    "measure_name",
    "unit",
    "area_code",
    "area_level",
    "area_name",
    "source_area_code",
    "period",
    "period_type",
    "year_start",
    "year_end",
    "gender",
    "grade",
    "breakdown",
    "value",
    "n",
    "sd",
    "suppressed",
    "symbol",
    "note",
    "file_name",
    "load_id",
]


@dataclass
class Resolved:
    code: str
    level: str
    name: str
    via: str | None = None  # 'renumbering' / 'merger' when an old code was carried forward
    old_code: str | None = None


def read_school_map(path: Path = SCHOOL_MAP) -> dict[str, str]:
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["orgnr"].strip(): r["bydelsnummer"].strip() for r in csv.DictReader(fh)}


@dataclass
class Skipped:
    """A row for a pseudo-region (units abroad, Svalbard, K-Rest, uoppgitt): not an error,
    not stored; counted in the load summary."""

    label: str


_PSEUDO_NAMES = re.compile(r"utlandet|uoppgitt|ukjent|kontinentalsokkel|svalbard|jan mayen|delte kommuner", re.I)


def _resolve(
    reg: AreaRegister, code: str, name: str, level: str, fylke: str, kommune: str = "", year: int | None = None
) -> Resolved | Skipped | str:
    """Resolved area, a skipped pseudo-region, or the text of a problem."""
    if code:
        c, lvl = canonical_code(code)
        if lvl == "pseudo":
            return Skipped(f"{c} {pseudo_codes()[c.upper()][1]}")
        if lvl == "skole" and level in ("kommune", "fylke"):
            # Udir may put the kommune's own org.nr in Organisasjonsnummer: the kommune/fylke
            # code columns say which unit the row is
            hint = kommune if level == "kommune" else fylke
            hc, hl = canonical_code(hint) if hint else (None, None)
            if hc and hl == level:
                c, lvl = hc, hl
        if c is None or lvl is None:
            if name and _PSEUDO_NAMES.search(name):
                return Skipped(f"{code.strip()} {name.strip()}")
            return f"'{code}' is not an area code (expected 0/EAK/I, 2-digit fylke, 4-digit kommune, 6-digit bydel or 9-digit org.nr)"
        if lvl == "skole":
            if (fylke and canonical_code(fylke)[1] == "pseudo") or (
                name and _PSEUDO_NAMES.search(name) and not orgnr_is_valid(c)
            ):
                return Skipped(f"{name.strip() or c}")
            if not orgnr_is_valid(c):
                return f"'{code}' is not a valid organisasjonsnummer (check digit)"
            return Resolved(c, "skole", name or c)
        if lvl == "land":
            return Resolved("0", "land", "Hele landet")
        if c not in reg.areas:
            if name and _PSEUDO_NAMES.search(name):
                return Skipped(f"{c} {name.strip()}")
            return (
                f"area code '{code}' is not in SSB's code lists (kommuner and fylker 1995-2024, bydeler, KOSTRA groups)"
            )
        cur, kind = reg.current(c)
        a = reg.areas[cur]
        return Resolved(cur, a.level, a.name, kind, c if cur != c else None)
    if not name:
        return "no area code or name"
    if level == "land" or name.strip().lower() in ("hele landet", "landet", "norge"):
        return Resolved("0", "land", "Hele landet")
    if _PSEUDO_NAMES.search(name):
        return Skipped(name.strip())
    if level == "skole":
        return f"school '{name}' is named without an organisasjonsnummer"
    for lvl in [level] if level else ["kommune", "fylke", "bydel"]:
        codes = reg.find_by_name(name, lvl, fylke or None, year)
        if len(codes) == 1:
            cur, kind = reg.current(codes[0])
            a = reg.areas[cur]
            return Resolved(cur, a.level, a.name, kind, codes[0] if cur != codes[0] else None)
        if len(codes) > 1:
            return f"'{name}' names several {lvl}r ({', '.join(codes)}); the file does not say which fylke"
    return f"no {level or 'area'} is called '{name}' in SSB's code lists"


def harmonize(frames: list[tuple[str, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """frames: (file name, loader rows). Returns observations, new school areas, problems.
    Rows for pseudo-regions are dropped and counted in ``observations.attrs['skipped']``."""
    formats = {fname: df.attrs.get("cell_ref", "line {}") for fname, df in frames}
    reg = load_register()
    school_map = read_school_map()
    problems: list[Problem] = []
    parts = []
    for fname, df in frames:
        df = df.copy()
        df["file_name"] = fname
        parts.append(df)
    df = pd.concat(parts, ignore_index=True)
    # --- periods
    per_rows = {}
    for p in df["period"].unique():
        try:
            per_rows[p] = parse_period(p)
        except ValueProblem as e:
            first = df[df["period"] == p].iloc[0]
            problems.append(
                Problem(
                    first["file_name"],
                    cell_ref(formats.get(first["file_name"], "line {}"), first["line"]),
                    str(e),
                    "Use the period labels the publisher writes.",
                )
            )
    ok = df["period"].isin(list(per_rows))
    df = df[ok].copy()
    k, labels = pd.factorize(df["period"])  # each distinct label parsed once, spread by its code
    info = [per_rows[x] for x in labels]
    df["year_start"] = pd.array(np.array([i.year_start for i in info], dtype="int64")[k], dtype="Int64")
    df["year_end"] = pd.array(np.array([i.year_end for i in info], dtype="int64")[k], dtype="Int64")
    df["period_type"] = pd.array(np.array([i.kind for i in info], dtype=object)[k], dtype="string")
    df["period"] = pd.array(np.array([i.label for i in info], dtype=object)[k], dtype="string")
    # --- areas, resolved once per distinct spelling (and year, for names), joined back with a merge
    akeys = ["source_area_code", "source_area_name", "area_level_hint", "fylke_hint", "kommune_hint", "year_start"]
    uniq = df[akeys].drop_duplicates().reset_index(drop=True)
    resolved = [
        _resolve(reg, *(("" if pd.isna(x) else x) for x in row[:5]), None if pd.isna(row[5]) else int(row[5]))
        for row in uniq.itertuples(index=False)
    ]
    skipped: dict[str, dict[str, int]] = {}
    reported = set()
    for row, r in zip(uniq.itertuples(index=False), resolved):
        if isinstance(r, str | Skipped):
            m = (
                (df["source_area_code"] == row[0])
                & (df["source_area_name"] == row[1])
                & (df["area_level_hint"] == row[2])
                & (df["fylke_hint"] == row[3])
                & (df["kommune_hint"] == row[4])
                & (df["year_start"] == row[5])
            )
            rows = df[m]
            if isinstance(r, Skipped):
                for fname, count in rows["file_name"].value_counts().items():
                    per = skipped.setdefault(fname, {})
                    per[r.label] = per.get(r.label, 0) + int(count)
                continue
            first = rows.iloc[0]
            if (first["file_name"], r) in reported:
                continue
            reported.add((first["file_name"], r))
            problems.append(
                Problem(
                    first["file_name"],
                    cell_ref(formats.get(first["file_name"], "line {}"), first["line"]),
                    r,
                    "Check the area column; codes must be SSB's (Klass) codes or Udir's unit numbers, "
                    "and names must be spelled as in SSB's lists.",
                )
            )
    ok = [not isinstance(r, str | Skipped) for r in resolved]
    uniq = uniq[ok].copy()
    good = [r for r in resolved if not isinstance(r, str | Skipped)]
    uniq["area_code"] = pd.array([r.code for r in good], dtype="string")
    uniq["area_level"] = pd.array([r.level for r in good], dtype="string")
    uniq["area_name"] = pd.array([r.name for r in good], dtype="string")
    uniq["_via"] = pd.array([r.via or "" for r in good], dtype="string")
    uniq["_old"] = pd.array([r.old_code or "" for r in good], dtype="string")
    df = df.merge(uniq, on=akeys, how="inner")
    df["source_area_code"] = df["source_area_code"].where(df["source_area_code"] != "", df["source_area_name"])
    df["measure_code"] = unify_measure_codes(df)
    # --- a merger cannot put two kommuner's values on one code: keep those under their old codes
    merger = df["_via"] == "merger"
    dup = df.duplicated(KEY, keep=False) & merger if merger.any() else merger
    if dup.any():
        for i in df.index[dup]:
            old = reg.areas[df.at[i, "_old"]]
            df.at[i, "area_code"], df.at[i, "area_name"], df.at[i, "_via"] = old.code, old.name, ""
    # --- duplicates: a value beats a missing marker; equal duplicates collapse; others conflict
    # Found on the key's integer codes in sorted order; the frame itself is not reordered (taking
    # millions of rows of text costs seconds) - only the few duplicate rows are looked at.
    pos, codes = _key_order(df, KEY + ["line"])  # original positions, sorted by key and line
    key_codes = np.column_stack([c[pos] for c in codes[: len(KEY)]])  # equal keys are neighbours
    d = _repeated(key_codes, keep_first=False)
    if d.any():
        grp = df.iloc[pos[d]]
        has_val = grp.groupby(KEY, dropna=False)["value"].transform(lambda s: s.notna().any())
        dropped = np.zeros(len(df), dtype=bool)
        dropped[pos[d][(has_val & grp["value"].isna()).to_numpy()]] = True
        kept = ~dropped[pos]
        pos, key_codes = pos[kept], key_codes[kept]
        d = _repeated(key_codes, keep_first=False)
        grp = df.iloc[pos[d]]
        for _, g in grp.groupby(KEY, dropna=False):
            vals = {(None if pd.isna(v) else round(float(v), 9), bool(s)) for v, s in zip(g["value"], g["suppressed"])}
            if len(vals) > 1:
                a, b = g.iloc[0], g.iloc[1]
                problems.append(
                    Problem(
                        b["file_name"],
                        cell_ref(formats.get(b["file_name"], "line {}"), b["line"]),
                        f"conflicting values for the same cell: {a['measure_code']} / {a['area_code']} / {a['period']} / "
                        f"{a['gender']} / {a['grade']} is {_show(a)} at {a['file_name']} line {a['line']} and {_show(b)} here",
                        "Load only one version of a table per call (load the newer one after the older to revise).",
                    )
                )
        keep = np.zeros(len(df), dtype=bool)
        keep[pos[~_repeated(key_codes, keep_first=True)]] = True
        df = df[keep]
    # --- schools: areas from the files, parents from the bydel mapping or the kommune
    sch = df[df["area_level"] == "skole"]
    schools = pd.DataFrame(columns=["area_code", "area_name", "area_level", "parent_code"])
    if len(sch):
        s = sch.drop_duplicates("area_code")
        parents = []
        for code, hint in zip(s["area_code"], s["kommune_hint"]):
            parent = school_map.get(code)
            if not parent and hint:
                k, _ = canonical_code(hint)
                parent = reg.current(k)[0] if k else None
            parents.append(parent)
        schools = pd.DataFrame(
            {
                "area_code": s["area_code"],
                "area_name": s["source_area_name"],
                "area_level": "skole",
                "parent_code": parents,
            }
        )
    df["load_id"] = pd.array([None] * len(df), dtype="Int64")
    out = df[OBS_COLUMNS].reset_index(drop=True)
    out.attrs["skipped"] = skipped
    return out, schools.reset_index(drop=True), problems


def _key_order(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Positions that sort ``df`` by ``columns`` as ``sort_values(columns, kind="stable")`` does
    (missing values last), and each column's integer codes (in ``columns`` order, unsorted rows):
    each column factorized in sorted order, then one stable lexsort on the codes - far cheaper
    than pandas comparing millions of strings column by column."""
    codes = []
    for c in columns:
        k, uniques = pd.factorize(df[c], sort=True)
        codes.append(np.where(k < 0, len(uniques), k))
    return np.lexsort(codes[::-1]), codes


def _repeated(key_codes: np.ndarray, keep_first: bool) -> np.ndarray:
    """On rows sorted by key: ``duplicated(keep=False)`` (every row whose key occurs more than
    once) or, with ``keep_first``, ``duplicated(keep="first")`` - by comparing neighbours."""
    same = (key_codes[1:] == key_codes[:-1]).all(axis=1)
    out = np.zeros(len(key_codes), dtype=bool)
    out[1:] |= same
    if not keep_first:
        out[:-1] |= same
    return out


def skipped_notes(skipped: dict[str, dict[str, int]]) -> list[str]:
    """One summary line per file with rows for pseudo-regions that were skipped."""
    lines = []
    for fname, per in skipped.items():
        n = sum(per.values())
        labels = ", ".join(sorted(per))
        lines.append(
            f"{fname}: {n} row{'s' if n != 1 else ''} for areas abroad, Svalbard, the continental shelf "
            f"or 'uoppgitt' skipped (not stored): {labels}"
        )
    return lines


def unify_measure_codes(df: pd.DataFrame, known: pd.DataFrame | None = None) -> pd.Series:
    """SSB's web download names a measure only by its text; the API gives its code. Rows
    whose code is just their name get the code that the same source uses for that name,
    in this load or (``known``: source, measure_name, measure_code) in the database."""
    uncoded = df["measure_code"] == df["measure_name"]
    if not uncoded.any():
        return df["measure_code"]
    coded = df.loc[~uncoded, ["source", "measure_name", "measure_code"]].drop_duplicates()
    if known is not None:
        coded = pd.concat([coded, known])
    mapping = {(s, n): c for s, n, c in coded.drop_duplicates(["source", "measure_name"]).itertuples(index=False)}
    out = df["measure_code"].copy()
    for s, n in df.loc[uncoded, ["source", "measure_name"]].drop_duplicates().itertuples(index=False):
        if (s, n) in mapping:
            out[uncoded & (df["source"] == s) & (df["measure_name"] == n)] = mapping[(s, n)]
    return out


def _show(r) -> str:
    if pd.isna(r["value"]):
        return f"'{r['symbol']}'" + (" (suppressed)" if r["suppressed"] else "")
    return f"{r['value']:g}"
