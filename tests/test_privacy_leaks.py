"""Four ways a hidden number could be worked back out of the marts, each shown on the sample
database, and the property that closes them: no hidden number can be recomputed from the shown
numbers by the sums the product exposes.

The check is an oracle of its own (not ``oppvekst.privacy``): every row of ``mart_scorecard`` and
``mart_breakdowns`` is a cell of the publisher's table - source, measure, trinn, breakdown, area,
period, kjønn - so the same number shown by two indicators (or by an indicator and a trinn
breakdown) is one cell, shown when any mart shows it. Its unknowns are the hidden cells (and the
shown ones without n), a pooled window no mart stores, and the schools a published total holds
but we cannot see. The sums:

- alle = gutter + jenter, in every area and period;
- kommune = Σ bydeler, bydel = Σ skoler (and kommune = Σ skoler where the schools map straight
  to the kommune), as ``docs/methods.md`` describes them;
- a window pooled over years = Σ its years (in n, and in n × value alike); a window of shown years
  is known, hidden or not (it holds nothing hidden).

A hidden cell is recoverable when its unit vector lies in the row space of those equations
(scipy's null space: every null-space vector is zero there)."""

from __future__ import annotations

import shutil
from collections import defaultdict

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.linalg import null_space

from oppvekst.marts import build_marts

KEY = ["source", "measure", "grade", "breakdown", "area_code", "period", "grp"]
ANNUAL = ("year", "school_year")


# ------------------------------------------------------------------------------ the oracle


def mart_rows(con, marts=("mart_scorecard", "mart_breakdowns")) -> pd.DataFrame:
    """Every row of the marts with the publisher's cell it shows."""
    cols = """i.source, i.measure, i.breakdown, i.pool_years, s.area_code, s.area_level, s.period, s.period_type,
              s.year_start, s.year_end, s.grp, s.shown, s.n, s.origin, s.units_hidden"""
    sql = {
        "mart_scorecard": f"""SELECT 'mart_scorecard' AS mart, s.indicator_id AS view, i.grade, {cols}
            FROM mart_scorecard s JOIN indicators i USING (indicator_id)""",
        "mart_breakdowns": f"""SELECT 'mart_breakdowns' AS mart, s.indicator_id || ' / ' || s.grade AS view,
            s.grade, {cols} FROM mart_breakdowns s JOIN indicators i USING (indicator_id)""",
    }
    return pd.concat([con.execute(sql[m]).df() for m in marts], ignore_index=True)


def cells(con, rows: pd.DataFrame) -> pd.DataFrame:
    """One row per publisher's cell: shown when any mart shows it (with its n), the area's parent,
    and whether the source gave the cell whole (not suppressed, value and n) - a school that is
    not, is left out of a total aggregated from schools."""
    rows = rows.assign(n_shown=rows["n"].where(rows["shown"].astype(bool)))
    both = rows.groupby(KEY, dropna=False).agg(
        shown=("shown", "max"),
        n=("n_shown", "max"),
        n_low=("n_shown", "min"),
        area_level=("area_level", "first"),
        period_type=("period_type", "first"),
        year_start=("year_start", "first"),
        year_end=("year_end", "first"),
        origin=("origin", "first"),
        units_hidden=("units_hidden", "max"),
        pool_years=("pool_years", "max"),
    )
    same = both["n"].isna() | (both["n"] == both["n_low"])
    assert same.all(), both[~same].head()  # one cell, one number, wherever it is shown
    both = both.drop(columns="n_low").reset_index()
    both["shown"] = both["shown"].astype(bool)
    parent = dict(con.execute("SELECT area_code, parent_code FROM areas").fetchall())
    both["parent"] = both["area_code"].map(parent)
    whole = con.execute("""
        SELECT DISTINCT i.source, i.measure, o.grade, o.breakdown, o.area_code, o.period, o.gender AS grp
        FROM (SELECT DISTINCT source, measure FROM indicators) i
        JOIN observations o ON o.source = i.source AND (o.measure_code = i.measure OR o.measure_name = i.measure)
        WHERE NOT o.suppressed AND o.value IS NOT NULL AND o.n IS NOT NULL""").df()
    whole["whole"] = True
    both = both.merge(whole, on=KEY, how="left")
    both["whole"] = both["whole"].fillna(False).astype(bool)
    # an area whose numbers are aggregated from its schools (its windows pooled from such years too)
    built = both.loc[both["origin"] == "aggregert fra skoler", KEY[:5]].drop_duplicates().assign(built=True)
    both = both.merge(built, on=KEY[:5], how="left")
    both["built"] = both["built"].fillna(False).astype(bool)
    return both


def gender_sums(c: pd.DataFrame, kinds) -> list:
    """alle = gutter + jenter, where all three cells exist. Not for a total aggregated from schools
    (``built``, and its pooled windows): it is the sum of the schools the source gave whole in each
    kjønn, so when a school's jenter is hidden its alle still counts in the total's alle - the
    schools' own sums say exactly that."""
    c = c[c["period_type"].isin(kinds) & ~c["built"].astype(bool)]
    at = KEY[:-1]
    out = []
    for k, g in c.groupby(at, dropna=False):
        if {"alle", "gutter", "jenter"} <= set(g["grp"]):
            out.append(((*k, "alle"), [(*k, "gutter"), (*k, "jenter")], 0))
    return out


def area_sums(c: pd.DataFrame, kinds) -> list:
    """kommune = Σ bydeler (with an unknown rest when a bydel leaves schools out), bydel = Σ skoler
    (the schools the source gave whole; a published total also holds those it hid), and
    kommune = Σ skoler where the schools map straight to the kommune."""
    c = c[c["period_type"].isin(kinds)]
    out = []
    series = ["source", "measure", "grade", "breakdown", "period", "grp"]
    for s, g in c.groupby(series, dropna=False):
        key = lambda a: (*s[:4], a, *s[4:])
        level = dict(zip(g["area_code"], g["area_level"]))
        bydeler = defaultdict(list)
        for a, lvl, lost in zip(g["area_code"], g["area_level"], g["units_hidden"].fillna(0)):
            if lvl == "bydel":
                bydeler[a[:4]].append((a, lost > 0))
        for k, parts in bydeler.items():
            if level.get(k) == "kommune":
                out.append((key(k), [key(a) for a, _ in parts], int(any(lost for _, lost in parts))))
        schools = g[g["area_level"] == "skole"]
        for total, sg in schools.groupby("parent"):
            if level.get(total) not in ("bydel", "kommune") or (level[total] == "kommune" and total in bydeler):
                continue
            origin = g.loc[g["area_code"] == total, "origin"].iloc[0]
            hid = (~sg["whole"]).any() and origin != "aggregert fra skoler"
            out.append((key(total), [key(a) for a in sg.loc[sg["whole"], "area_code"]], int(hid)))
    return out


def pooled_sums(c: pd.DataFrame) -> tuple[list, set]:
    """Window pooled over years = Σ its years, for every window some mart shows or hides, and
    for every kjønn of it: a window no mart stores is an unknown too (were alle and jenter
    shown, gutter would be their difference). Returns the sums and the windows no mart stores."""
    annual = c[c["period_type"].isin(ANNUAL)]
    series = KEY[:5] + ["grp"]
    years = dict(list(annual.groupby(series, dropna=False)))
    windows = c[(c["period_type"] == "pooled") & (c["origin"] == "sammenslått over år")]
    stored = set(map(tuple, windows[KEY].to_numpy()))
    out, missing = [], set()
    spans = windows.drop_duplicates(KEY[:-1])
    for r in spans.itertuples(index=False):
        for grp in ("alle", "gutter", "jenter"):
            g = years.get((r.source, r.measure, r.grade, r.breakdown, r.area_code, grp))
            if g is None:
                continue
            inside = g[(g["year_start"] >= r.year_start) & (g["year_end"] <= r.year_end)]
            if len(inside) != r.pool_years:
                continue
            w = (r.source, r.measure, r.grade, r.breakdown, r.area_code, r.period, grp)
            if w not in stored:
                missing.add(w)
            out.append((w, [tuple(x) for x in inside[KEY].to_numpy()], 0))
    return out, missing


def recoverable_cells(c: pd.DataFrame, sums: list, also_known=frozenset()) -> set:
    """The hidden cells (shown nowhere) whose value follows from the sums and the shown cells."""
    known = set(map(tuple, c.loc[c["shown"] & c["n"].notna(), KEY].to_numpy())) | set(also_known)
    hidden = set(map(tuple, c.loc[~c["shown"], KEY].to_numpy()))
    rows, unknowns = [], {}
    for i, (total, parts, rest) in enumerate(sums):
        members = [(total, 1.0)] + [(p, -1.0) for p in parts] + ([(("rest", i), -1.0)] if rest else [])
        row = {m: f for m, f in members if m not in known}
        if row:
            rows.append(row)
            for m in row:
                unknowns.setdefault(m, len(unknowns))
    # connected parts: equations that share no unknown are solved apart
    root = list(range(len(unknowns)))

    def find(x):
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for row in rows:
        ids = [unknowns[m] for m in row]
        for j in ids[1:]:
            root[find(j)] = find(ids[0])
    by_part = defaultdict(list)
    for row in rows:
        by_part[find(unknowns[next(iter(row))])].append(row)
    found = set()
    for part in by_part.values():
        cols = sorted({m for row in part for m in row}, key=str)
        at = {m: j for j, m in enumerate(cols)}
        A = np.zeros((len(part), len(cols)))
        for i, row in enumerate(part):
            for m, f in row.items():
                A[i, at[m]] += f
        ns = null_space(A)
        free = np.abs(ns).max(axis=1) if ns.size else np.zeros(len(cols))
        found |= {m for m, f in zip(cols, free) if f < 1e-9 and m in hidden}
    return found


def leaks(con, marts=("mart_scorecard", "mart_breakdowns"), what=("gender", "areas", "pooled")) -> set:
    c = cells(con, mart_rows(con, marts))
    kinds = set(c["period_type"])
    sums = []
    if "gender" in what:
        sums += gender_sums(c, kinds)
    if "pooled-gender" in what:
        sums += gender_sums(c[c["origin"] == "sammenslått over år"], {"pooled"})
    if "areas" in what:
        sums += area_sums(c, kinds - {"pooled"}) + area_sums(c[c["origin"] != "sammenslått over år"], {"pooled"})
    plain = set()
    if "pooled" in what:
        pooled, missing = pooled_sums(c)
        sums += pooled
        # a window of shown years is their sum, hidden or not: known, and nothing hidden in it
        shown = set(map(tuple, c.loc[c["shown"] & c["n"].notna(), KEY].to_numpy()))
        plain = {w for w, years, _ in pooled if set(years) <= shown}
        if "pooled-gender" in what:  # the windows no mart stores, beside the stored ones
            extra = pd.DataFrame(sorted(missing), columns=KEY).assign(period_type="pooled")
            extra = extra.merge(c[KEY[:5] + ["built"]].drop_duplicates(KEY[:5]), on=KEY[:5], how="left")
            windows = c[c["origin"] == "sammenslått over år"][KEY + ["period_type", "built"]]
            sums += gender_sums(pd.concat([windows, extra]).fillna({"built": False}), {"pooled"})
    return recoverable_cells(c, sums, plain)


@pytest.fixture(scope="module")
def con(sample_db):
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


# ------------------------------------------------------------------------ the oracle can fail


def test_the_oracle_finds_a_number_left_alone_in_a_sum():
    c = pd.DataFrame(
        [
            ("s", "m", "7", "", "4601", "2024", g, shown, n, "kommune", "school_year", 2024, 2025, False)
            for g, shown, n in (("alle", True, 40.0), ("gutter", False, None), ("jenter", True, 22.0))
        ],
        columns=[*KEY, "shown", "n", "area_level", "period_type", "year_start", "year_end", "built"],
    )
    sums = gender_sums(c, {"school_year"})
    assert recoverable_cells(c, sums) == {("s", "m", "7", "", "4601", "2024", "gutter")}
    c.loc[c["grp"] == "jenter", "shown"] = False
    assert recoverable_cells(c, sums) == set()


# ------------------------------------------------------------------------------ 1. pooled years


def test_a_pooled_window_never_gives_back_a_hidden_year(con):
    # eu_mobbing_7_3ar pools three school years of the cells eu_mobbing_7 shows one by one: a
    # window shown while one of its years is hidden on eu_mobbing_7 gives that year back
    # (window − the shown years, in n and in n × value)
    assert leaks(con, what=("pooled",)) == set()
    shown = con.execute("""SELECT count(*) FROM mart_scorecard
        WHERE indicator_id = 'eu_mobbing_7_3ar' AND period_type = 'pooled' AND shown""").fetchone()[0]
    assert shown > 500  # the test looks at real windows


# ------------------------------------------------------------------------- 2. a missing window


def test_a_window_left_out_gives_nothing_away(con):
    # were a window with an unusable year left out (not stored as hidden), alle − the other
    # kjønn would give it, and with it the hidden year: the sums of the pooled view, with every
    # window the years allow (stored or not)
    assert leaks(con, what=("pooled", "pooled-gender")) == set()
    trio = con.execute("""
        SELECT indicator_id, area_code, period, count(*) AS k, count(*) FILTER (WHERE NOT shown) AS h,
               bool_or(grp = 'alle') AS alle
        FROM mart_scorecard WHERE period_type = 'pooled' AND origin = 'sammenslått over år' GROUP BY ALL""").df()
    assert not ((trio["k"] == 2) & trio["alle"] & (trio["h"] == 0)).any()
    assert not ((trio["k"] == 3) & (trio["h"] == 1)).any()
    # such a window is there, hidden, and says why
    hidden = con.execute("""SELECT count(*) FROM mart_scorecard WHERE indicator_id = 'eu_mobbing_7_3ar'
        AND period_type = 'pooled' AND hidden_reason = 'ett av årene er skjult'""").fetchone()[0]
    assert hidden > 20  # 36 in the sample


# ------------------------------------------------------------------ 3. a hidden cell without n


def test_a_cell_hidden_without_n_is_protected(con):
    # the source hid a school's gutter and gave no n; alle and jenter shown would give it
    assert leaks(con, marts=("mart_scorecard",), what=("gender", "areas")) == set()
    without_n = con.execute("""
        SELECT count(*) FROM mart_scorecard s JOIN indicators i USING (indicator_id)
        JOIN observations o ON o.source = i.source AND o.measure_code = i.measure AND o.grade = i.grade
         AND o.area_code = s.area_code AND o.period = s.period AND o.gender = s.grp
        WHERE o.suppressed AND o.n IS NULL AND s.area_level = 'skole'""").fetchone()[0]
    assert without_n >= 5  # the sample has such cells: the test looks at real cases


# --------------------------------------------------- 4. one cell, hidden in one place, shown in another


@pytest.fixture(scope="module")
def small_gutter(sample_db, tmp_path_factory):
    """The sample with one small group: ung_depr's gutter in Årstad (460102), 2021-2023, n = 5.
    ung_depr hides it and, to protect it, jenter beside it; ung_depr_jenter shows jenter only."""
    db = tmp_path_factory.mktemp("leak4") / "oppvekst.duckdb"
    shutil.copy(sample_db, db)
    c = duckdb.connect(str(db))
    c.execute("""UPDATE observations SET n = 5 WHERE source = 'ungdata' AND measure_code = 'depr:RATE'
        AND grade = '8-10' AND gender = 'gutter' AND area_code = '460102' AND period = '2021-2023'""")
    build_marts(c)
    yield c
    c.close()


def test_a_cell_hidden_by_one_indicator_is_hidden_by_every_indicator_that_shows_it(small_gutter):
    c = small_gutter
    gutter = c.execute("""SELECT shown, hidden_reason FROM mart_scorecard WHERE indicator_id = 'ung_depr'
        AND area_code = '460102' AND period = '2021-2023' AND grp = 'gutter'""").fetchone()
    assert gutter == (False, "færre enn 10 svar")
    # ung_depr's alle and ung_depr_jenter's jenter would give ung_depr's gutter
    assert leaks(c, what=("gender", "areas")) == set()
    rows = mart_rows(c)
    both = rows.groupby(KEY)["shown"].agg(["min", "max"])
    assert not (both["min"] != both["max"]).any(), both[both["min"] != both["max"]].head()


def test_one_cell_is_shown_alike_by_every_mart_on_the_sample(con):
    rows = mart_rows(con)
    both = rows.groupby(KEY)["shown"].agg(["min", "max", "count"])
    assert (both["count"] > 1).sum() > 1000  # many cells are shown by two marts or indicators
    assert not (both["min"] != both["max"]).any(), both[both["min"] != both["max"]].head()


# ------------------------------------------------------------------------------ all at once


def test_no_hidden_number_follows_from_the_shown_ones(con):
    assert leaks(con, what=("gender", "areas", "pooled", "pooled-gender")) == set()
