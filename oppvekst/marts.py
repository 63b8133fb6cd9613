"""SQL layers, rebuilt on every load (``build_marts`` runs inside the ETL's build, before the
swap, so the app never sees a half-built mart).

- ``stg_observations`` (view): observations renamed/cast for analysis, nothing more.
- ``indicators`` (table): the registry, so analysts can query it with SQL.
- ``registry_problems`` (table): what is wrong with ``indicators.yml``, if anything.
- ``mart_scorecard`` (table). Grain: indicator × area × period × group. Value with
  interval, privacy (``shown``/``hidden_reason``; hidden numbers are not stored), and the
  verdicts against the 0-punkt, landet and the target (``oppvekst.scorecard``). Privacy is
  solved once for this mart and the computed trinn of ``mart_breakdowns`` together, over the
  publisher's cells (``_cells``): a cell two indicators show is hidden by both or by neither.
- ``mart_indicator_values`` (table). Grain: one row per indicator × area × period × group
  (``grp`` = kjønn). The selector fixes measure, trinn and breakdown; for kjønn 'alle' the
  gutter and jenter rows come along as groups. Rows come from the
  publisher (``origin = 'publisert'``) or, for a bydel the publisher does not cover,
  from its schools aggregated from numerators and denominators (``'aggregert fra skoler'``,
  never an average of percentages), with how many schools were used and hidden. Kommune
  totals are built the same way when the publisher gives none (the fravær template).
  ``load_id``: the load a row's number came from (for a row built from schools or pooled over
  years, the newest load among its parts), so a download can say which file a number is from.
  Pooled over years (``pool_years``): windows of the years the annual series shows after
  privacy; a window with a hidden year is a hidden row (``POOLED``, ``_pool``).
- ``mart_breakdowns`` (table). Grain: indicator × grade × area × period × group: the other trinn
  of each indicator's measure, for «Fordelt på trinn» (``build_breakdowns``, below).
- ``mart_page_verdicts`` (table). Grain: one row per indicator × area (not schools): the
  målekart's status row (the latest period of the 0-punkt's kind, the registry's kjønn) with the
  page-level verdicts - Benjamini–Hochberg over the family of a kommune and its bydeler
  (``oppvekst.multiplicity``). Always rebuilt whole from ``mart_scorecard``: a family spans
  every indicator, so a load that touches one indicator can change another's page verdict.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pyarrow as pa

from oppvekst.periods import parse_period
from oppvekst.registry import RegistryError, load_registry, registry_frame, tiltak_frame

STAGING = """
CREATE OR REPLACE VIEW stg_observations AS
SELECT source, measure_code, measure_name, unit, area_code, area_level, area_name, source_area_code,
       period, period_type, CAST(year_start AS INTEGER) AS year_start, CAST(year_end AS INTEGER) AS year_end,
       gender, grade, breakdown, CAST(value AS DOUBLE) AS value, CAST(n AS DOUBLE) AS n,
       CAST(sd AS DOUBLE) AS sd, suppressed, symbol, note, load_id
FROM observations
"""

MART = """
{head}
WITH sel AS (
    SELECT i.indicator_id, i.statistic, o.gender AS grp, o.area_code, o.area_level, o.area_name, o.source_area_code,
           o.period, o.period_type, o.year_start, o.year_end, o.value, o.n, o.sd, o.suppressed, o.symbol,
           o.load_id
    FROM {indicators} i
    JOIN {observations} o
      ON o.source = i.source AND (o.measure_code = i.measure OR o.measure_name = i.measure)
     AND o.grade = i.grade AND o.breakdown = i.breakdown
     -- the registry's kjønn, and for 'alle' also gutter and jenter (the groups)
     AND (o.gender = i.gender OR i.gender = 'alle')
),
schools AS (  -- each school counts in its bydel (if mapped) and in its kommune
    SELECT s.*, t.area_code AS target_code, t.area_name AS target_name, t.area_level AS target_level
    FROM sel s
    JOIN areas a ON a.area_code = s.area_code AND a.area_level = 'skole'
    JOIN areas p ON p.area_code = a.parent_code
    JOIN areas t ON (t.area_code = p.area_code OR (p.area_level = 'bydel' AND t.area_code = p.parent_code))
                AND t.area_level IN ('bydel', 'kommune')
),
agg AS (
    SELECT indicator_id, grp, any_value(statistic) AS statistic, target_code AS area_code,
           any_value(target_level) AS area_level, any_value(target_name) AS area_name, period, any_value(period_type) AS period_type,
           any_value(year_start) AS year_start, any_value(year_end) AS year_end,
           sum(value * n) FILTER (WHERE usable) / nullif(sum(n) FILTER (WHERE usable), 0) AS value,
           sum(n) FILTER (WHERE usable) AS n,
           -- pooled SD of the combined group (within + between schools), for means
           sqrt((sum((n - 1) * sd * sd) FILTER (WHERE usable)
                 + sum(n * value * value) FILTER (WHERE usable)
                 - power(sum(value * n) FILTER (WHERE usable), 2) / nullif(sum(n) FILTER (WHERE usable), 0))
                / nullif(sum(n) FILTER (WHERE usable) - 1, 0)) AS sd,
           count(*) FILTER (WHERE usable) AS units_used,
           count(*) FILTER (WHERE NOT usable) AS units_hidden,
           max(load_id) AS load_id  -- the newest load among the parts
    FROM (SELECT *, (NOT suppressed AND value IS NOT NULL AND n IS NOT NULL) AS usable FROM schools)
    GROUP BY indicator_id, grp, target_code, period
)
SELECT indicator_id, area_code, area_level, area_name, period, period_type, year_start, year_end, grp,
       value, n, sd, suppressed, symbol, 'publisert' AS origin, NULL::INTEGER AS units_used,
       NULL::INTEGER AS units_hidden, source_area_code, load_id
FROM sel
UNION ALL
SELECT indicator_id, area_code, area_level, area_name, period, period_type, year_start, year_end, grp,
       CASE WHEN units_used > 0 THEN value END, n, CASE WHEN statistic = 'mean' THEN sd END,
       units_used = 0 AS suppressed, CASE WHEN units_used = 0 THEN '*' ELSE '' END,
       'aggregert fra skoler', units_used, units_hidden, area_code, load_id
FROM agg
WHERE NOT EXISTS (SELECT 1 FROM sel WHERE sel.indicator_id = agg.indicator_id
                  AND sel.area_code = agg.area_code AND sel.period = agg.period AND sel.grp = agg.grp)
"""


POOLED = """
-- Views with pool_years = k > 1 (pool_views): rolling windows of k consecutive annual values pooled
-- from numerators and denominators (Σ value·n / Σ n), from the years the annual series shows after
-- privacy only (pool_hidden: the cells primary and secondary suppression hide, ``_pool``). A window
-- with a year that is hidden (or suppressed, missing, without n) is kept as a hidden row, not left
-- out: were the pooled gutter row missing while alle and jenter are shown, it would be alle - jenter,
-- and with it the hidden year.
INSERT INTO {target}
WITH ann AS (
    SELECT m.* REPLACE (m.suppressed OR h.cell IS NOT NULL AS suppressed), v.pool_years
    FROM {target} m JOIN pool_views v USING (indicator_id)
    LEFT JOIN pool_hidden h ON h.cell = v.cell AND h.area_code = m.area_code AND h.period = m.period AND h.grp = m.grp
    WHERE m.period_type IN ('year', 'school_year')
)
SELECT e.indicator_id, e.area_code, any_value(a.area_level), any_value(a.area_name),
       min(a.year_start) || '-' || max(a.year_end), 'pooled', min(a.year_start), max(a.year_end), e.grp,
       CASE WHEN bool_and(a.usable) THEN sum(a.value * a.n) / sum(a.n) END,
       CASE WHEN bool_and(a.usable) THEN sum(a.n) END, NULL, NOT bool_and(a.usable),
       CASE WHEN bool_and(a.usable) THEN '' ELSE '*' END, '{origin}', count(*)::INTEGER, 0, e.area_code,
       max(a.load_id)
FROM ann e JOIN (SELECT *, NOT suppressed AND value IS NOT NULL AND n IS NOT NULL AS usable FROM ann) a
  ON a.indicator_id = e.indicator_id AND a.area_code = e.area_code AND a.grp = e.grp AND a.period_type = e.period_type
 AND a.year_start BETWEEN e.year_start - e.pool_years + 1 AND e.year_start
GROUP BY e.indicator_id, e.area_code, e.grp, e.year_start, e.pool_years
HAVING count(*) = e.pool_years
"""
POOLED_ORIGIN = "sammenslått over år"
# The computed trinn have counted a cell the source hid without its n as an unknown of the sums from
# the start (n 0; a hidden row keeps no number in the mart); the registry's indicators go on to it
# from their own solution (``privacy.apply``). Either way nothing either hid before is shown.
SLICE_N = "CASE WHEN m.n IS NULL AND (m.suppressed OR m.value IS NULL) THEN 0.0 ELSE m.n END AS n"
YEAR_HIDDEN = "ett av årene er skjult"


def load_indicators(con: duckdb.DuckDBPyConnection, registry_path=None) -> list[str]:
    """Write the registry (or its problems) into the database. Returns the problems."""
    con.execute(
        "CREATE OR REPLACE TABLE registry_problems (indicator VARCHAR, field VARCHAR, message VARCHAR, hint VARCHAR, line INTEGER)"
    )
    try:
        reg = load_registry(registry_path)
        frame = registry_frame(reg)
        problems: list = []
    except RegistryError as e:
        problems = e.problems
        frame = pd.DataFrame(
            columns=[
                "indicator_id",
                "title",
                "goal",
                "source",
                "measure",
                "grade",
                "gender",
                "breakdown",
                "unit",
                "statistic",
                "polarity",
                "baseline_period",
                "baseline_value",
                "target_value",
                "target_period",
                "owner",
                "owner_path",
                "min_n",
                "description",
                "source_url",
                "tiltak",
                "pooled",
                "plan_area",
                "pool_years",
            ]
        )
        con.executemany(
            "INSERT INTO registry_problems VALUES (?, ?, ?, ?, ?)",
            [(p.indicator, p.field, p.message, p.hint, p.line) for p in problems],
        )
    con.register("indicators_df", frame)
    con.execute("""CREATE OR REPLACE TABLE indicators AS SELECT indicator_id::VARCHAR AS indicator_id, title::VARCHAR AS title,
        goal::VARCHAR AS goal, source::VARCHAR AS source, measure::VARCHAR AS measure, grade::VARCHAR AS grade,
        gender::VARCHAR AS gender, breakdown::VARCHAR AS breakdown, unit::VARCHAR AS unit, statistic::VARCHAR AS statistic,
        polarity::VARCHAR AS polarity, baseline_period::VARCHAR AS baseline_period, baseline_value::DOUBLE AS baseline_value,
        target_value::DOUBLE AS target_value, target_period::VARCHAR AS target_period, owner::VARCHAR AS owner,
        owner_path::VARCHAR AS owner_path, min_n::INTEGER AS min_n, description::VARCHAR AS description,
        source_url::VARCHAR AS source_url, tiltak::VARCHAR AS tiltak, pooled::BOOLEAN AS pooled, plan_area::VARCHAR AS plan_area,
        pool_years::INTEGER AS pool_years FROM indicators_df""")
    con.unregister("indicators_df")
    con.register("tiltak_df", tiltak_frame(None if problems else reg))  # where and when each tiltak runs
    con.execute("""CREATE OR REPLACE TABLE tiltak AS SELECT tiltak_id::VARCHAR AS tiltak_id, name::VARCHAR AS name,
        description::VARCHAR AS description, level::VARCHAR AS level, units::VARCHAR[] AS units, start::VARCHAR AS start,
        start_year::INTEGER AS start_year, stop::VARCHAR AS stop, stop_year::INTEGER AS stop_year,
        indicators::VARCHAR[] AS indicators FROM tiltak_df""")
    con.unregister("tiltak_df")
    return [str(p) for p in problems]


def build_marts(con: duckdb.DuckDBPyConnection, registry_path=None, touched: set | None = None) -> None:
    """Rebuild the marts. With ``touched`` - the (source, measure_code, measure_name) a load added
    or revised - and an unchanged registry, only the indicators fed by those measures are
    rebuilt: a mart row belongs to one indicator, and what looks across indicators (privacy over
    the publisher's cells they share) stays within one measure, so the result is the same as a
    full rebuild.

    Order: the rows of the registry's indicators (``MART``) and of the computed trinn
    (``_slice_values``); one ``compute_scorecard`` over all of them, each row tagged with the
    publisher's cell it shows (``_cells``), so the same cell is hidden alike on every page; then
    the windows pooled over years from the years that scorecard shows, and their scorecard
    (``_pool``); then ``mart_scorecard`` and ``mart_breakdowns`` from those rows."""
    from oppvekst.scorecard import compute_scorecard

    before = _registry_snapshot(con)
    con.execute(STAGING)
    load_indicators(con, registry_path)
    scope = None
    if touched is not None and before is not None and before.equals(_registry_snapshot(con)):
        con.execute("CREATE OR REPLACE TEMP TABLE touched_measures (source VARCHAR, code VARCHAR, name VARCHAR)")
        if touched:
            con.executemany("INSERT INTO touched_measures VALUES (?, ?, ?)", [tuple(map(str, t)) for t in touched])
        scope = [
            r[0]
            for r in con.execute("""SELECT DISTINCT i.indicator_id FROM indicators i JOIN touched_measures t
                ON t.source = i.source AND (i.measure = t.code OR i.measure = t.name)""").fetchall()
        ]
        if not scope:
            return
    if scope is None:
        con.execute(
            MART.format(
                head="CREATE OR REPLACE TABLE mart_indicator_values AS",
                indicators="indicators",
                observations="stg_observations",
            )
        )
        where = ""
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE mart_scope AS SELECT unnest(?::VARCHAR[]) AS indicator_id", [scope])
        in_scope = "indicator_id IN (SELECT indicator_id FROM mart_scope)"
        con.execute(f"DELETE FROM mart_indicator_values WHERE {in_scope}")
        con.execute(
            MART.format(
                head="INSERT INTO mart_indicator_values",
                indicators=f"(SELECT * FROM indicators WHERE {in_scope})",
                observations="stg_observations",
            )
        )
        where = f"WHERE m.{in_scope}"
    ind = con.execute("SELECT * FROM indicators").df()
    views = ind if scope is None else ind[ind["indicator_id"].isin(scope)]
    pseudo, fan_out, copy = _slice_values(con, ind, scope)
    _cells(con, pd.concat([views, pseudo], ignore_index=True))  # the temp table view_cells
    every = pd.concat([ind, pseudo.drop(columns=["kind"])], ignore_index=True)
    # every row with its area's parent (schools are protected against their bydel/kommune sum) and
    # the publisher's cell it shows
    values = con.execute(f"""
        SELECT m.*, a.parent_code, c.cell FROM mart_indicator_values m LEFT JOIN areas a USING (area_code)
        LEFT JOIN view_cells c USING (indicator_id) {where}
        UNION ALL BY NAME
        SELECT m.* REPLACE ({SLICE_N}), a.parent_code, c.cell FROM slice_values m LEFT JOIN areas a USING (area_code)
        LEFT JOIN view_cells c USING (indicator_id)""").df()
    card = compute_scorecard(values, every)
    del values
    con.register("card_rows", pa.Table.from_pandas(card, preserve_index=False))  # columnar: no per-cell work
    del card
    cards = "SELECT * FROM card_rows"
    windows = _pool(con, views, pseudo, every)
    if windows:
        cards += " UNION ALL BY NAME SELECT * FROM window_rows"
    if scope is None:
        con.execute(f"""CREATE OR REPLACE TABLE mart_scorecard AS
            SELECT * FROM ({cards}) WHERE indicator_id IN (SELECT indicator_id FROM indicators)""")
    else:
        con.execute("DELETE FROM mart_scorecard WHERE indicator_id IN (SELECT indicator_id FROM mart_scope)")
        con.execute(f"""INSERT INTO mart_scorecard BY NAME
            SELECT * FROM ({cards}) WHERE indicator_id IN (SELECT indicator_id FROM indicators)""")
    build_breakdowns(con, cards, fan_out, pseudo, copy, scope)
    build_page_verdicts(con)
    for name in ("card_rows", "window_rows") if windows else ("card_rows",):
        con.unregister(name)


def _cells(con: duckdb.DuckDBPyConnection, views: pd.DataFrame) -> None:
    """The temp table ``view_cells``: indicator_id → the publisher's cells it selects, as one text:
    source, the measure codes its ``measure`` matches (a code or a name), trinn and breakdown. With
    the area, period and kjønn of a row it names one cell of the publisher's table, whichever
    indicator shows it (a window pooled here adds its number of years, ``_pool``)."""
    con.register("cell_views", views[["indicator_id", "source", "measure", "grade", "breakdown"]].astype(object))
    con.execute("""
        CREATE OR REPLACE TEMP TABLE view_cells AS
        SELECT v.indicator_id::VARCHAR AS indicator_id,
               v.source || '|' || coalesce(array_to_string(list_sort(list(DISTINCT o.measure_code)), ','), v.measure)
               || '|' || coalesce(v.grade, '') || '|' || coalesce(v.breakdown, '') AS cell
        FROM cell_views v
        LEFT JOIN (SELECT DISTINCT source, measure_code, measure_name FROM observations) o
          ON o.source = v.source AND (o.measure_code = v.measure OR o.measure_name = v.measure)
        GROUP BY v.indicator_id, v.source, v.measure, v.grade, v.breakdown""")
    con.unregister("cell_views")


def _pool(con: duckdb.DuckDBPyConnection, views: pd.DataFrame, pseudo: pd.DataFrame, every: pd.DataFrame) -> bool:
    """Windows pooled over years, for the registry's indicators (into ``mart_indicator_values``) and
    the computed trinn (into ``slice_values``) with ``pool_years`` > 1, from ``card_rows``: the
    scorecard of every other row, so of the annual series after privacy (primary and secondary,
    every view of the same cells together). ``POOLED`` pools only the years shown there, and a
    window with a hidden year is a hidden row: a window never gives back a year the annual
    indicator hides (window − the shown years), nor does a missing window (alle − jenter). The
    windows' own scorecard is registered as ``window_rows``: a window's privacy and verdicts look at
    windows only (other periods are other blocks; the 0-punkt, benchmark and target of a pooled
    indicator are windows), so with ``card_rows`` it is the scorecard of all rows at once.
    Returns whether there are windows."""
    from oppvekst.scorecard import compute_scorecard

    both = pd.concat([views, pseudo], ignore_index=True)
    pooled = both.loc[both["pool_years"] > 1, ["indicator_id", "pool_years"]]
    con.register("pool_views_df", pooled.astype({"indicator_id": object}))
    con.execute("""CREATE OR REPLACE TEMP TABLE pool_views AS
        SELECT p.indicator_id::VARCHAR AS indicator_id, p.pool_years, c.cell
        FROM pool_views_df p JOIN view_cells c ON c.indicator_id = p.indicator_id""")
    con.unregister("pool_views_df")
    if not con.execute("SELECT count(*) FROM pool_views").fetchone()[0]:
        return False
    con.execute("""CREATE OR REPLACE TEMP TABLE pool_hidden AS
        SELECT DISTINCT c.cell, k.area_code, k.period, k.grp
        FROM card_rows k JOIN view_cells c USING (indicator_id)
        WHERE NOT k.shown AND k.period_type IN ('year', 'school_year')
          AND c.cell IN (SELECT cell FROM pool_views)""")
    for target in ("mart_indicator_values", "slice_values"):
        con.execute(POOLED.format(target=target, origin=POOLED_ORIGIN))
    windows = con.execute(f"""
        SELECT m.*, a.parent_code, c.cell || '|' || m.units_used AS cell
        FROM (SELECT * FROM mart_indicator_values
              UNION ALL BY NAME SELECT * REPLACE ({SLICE_N.replace("m.", "")}) FROM slice_values) m
        LEFT JOIN areas a USING (area_code) JOIN view_cells c USING (indicator_id)
        WHERE m.origin = '{POOLED_ORIGIN}' AND m.indicator_id IN (SELECT indicator_id FROM pool_views)""").df()
    if windows.empty:
        return False
    out = compute_scorecard(windows, every)
    year_hidden = out["suppressed"].astype(bool) & out["hidden_reason"].fillna("").str.startswith("skjermet av kilden")
    out.loc[year_hidden.astype(bool), "hidden_reason"] = YEAR_HIDDEN
    con.register("window_rows", pa.Table.from_pandas(out, preserve_index=False))
    return True


def _registry_snapshot(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The registry as stored, when the marts exist (None otherwise: a full build is needed)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    if not {"indicators", "mart_indicator_values", "mart_scorecard", "mart_breakdowns"} <= tables:
        return None
    if not con.execute(  # a mart built before it carried load_id: rebuild it whole
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'mart_indicator_values' AND column_name = 'load_id'"
    ).fetchone():
        return None
    return con.execute("SELECT * FROM indicators ORDER BY indicator_id").df()


# --------------------------------------------------------------------- «Fordelt på trinn»
# The registry picks one trinn per indicator; the sources often deliver the same measure for
# other trinn too (Ungdata 8-10 and vg1-vg3, Elevundersøkelsen 7 and 10, fravær 8, 9 and 10).
# ``mart_breakdowns`` holds those other trinn, per indicator, computed exactly as a registry
# indicator for that trinn would be (the same SQL, intervals and privacy), so an analyst can
# slice by trinn. Verdicts against the 0-punkt, the target and the trend belong to the plan's
# own trinn only: here they are empty; the comparison with the benchmark (kommune/landet) stays.

OWN_GRADE_ONLY = [
    "baseline_period", "baseline_value", "baseline_series_value", "change", "change_low", "change_high",
    "change_method", "improvement", "change_verdict", "change_symbol", "change_colour", "change_detail",
    "target_value", "target_period", "target_verdict", "target_symbol", "target_colour", "target_detail",
    "trend_direction", "trend_chi2", "trend_method",
]  # fmt: skip


def grade_span(label) -> frozenset[int] | None:
    """The trinn a grade label covers: '7' → {7}, '8-10' → {8, 9, 10}, 'vg1-vg3' → {11, 12, 13};
    None for 'alle' and anything not understood (taken to cover every trinn)."""

    def one(t: str) -> int | None:
        if m := re.fullmatch(r"vg([1-3])", t):
            return 10 + int(m[1])
        return int(t) if re.fullmatch(r"\d{1,2}", t) else None

    parts = [one(t) for t in str(label).strip().lower().split("-")]
    if None in parts or len(parts) > 2 or parts[-1] < parts[0]:
        return None
    return frozenset(range(parts[0], parts[-1] + 1))


def _overlap(a: frozenset | None, b: frozenset | None) -> bool:
    return a is None or b is None or bool(a & b)


def breakdown_grades(own: str, registry: set[str], observed: set[str]) -> list[str]:
    """The other trinn an indicator's trinn breakdown shows, of those the source delivers.

    Privacy: trinn that overlap (8-10 and 10, or «alle» and 7) are never shown side by side
    unless the registry already shows both, for then one could be worked out from the others
    (8-10 = 8 + 9 + 10). So a trinn no indicator in the registry selects is shown only when it
    overlaps no registry trinn of the measure and no other such trinn; of nested ones the finest
    stay (8, 9 and 10 rather than 8-10), and two that partly overlap (8-9, 9-10) both go.
    Registry trinn of the measure are always shown (each is public on its own indicator's page).
    Order: by the first trinn covered."""
    span = {g: grade_span(g) for g in {*observed, *registry, own}}
    free = [g for g in observed if g not in registry and g != own]
    free = [g for g in free if not any(_overlap(span[g], span[r]) for r in {*registry, own})]
    keep = []
    for g in free:
        clash = [h for h in free if h != g and _overlap(span[g], span[h])]
        # kept only when every grade it overlaps strictly holds it (so kept grades never overlap)
        if all(span[g] is not None and span[h] is not None and span[g] < span[h] for h in clash):
            keep.append(g)
    return grade_order({g for g in observed if g in registry and g != own} | set(keep))


def grade_order(grades) -> list[str]:
    """Grades from the lowest trinn up (7, 8-10, vg1-vg3), 'alle' and unknown labels last."""

    def key(g):
        s = grade_span(g)
        return (min(s), max(s), g) if s else (99, 99, g)

    return sorted(grades, key=key)


def breakdown_plan(indicators: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """indicator_id × other grade, with ``via``: the registry indicator whose rows are those of
    the grade (same measure, breakdown and pooling, both kjønn), or None where they must be
    computed; ``min_n``: for computed grades the largest min_n of the measure's indicators,
    so a grade is hidden alike whichever indicator's breakdown shows it."""
    series = ["source", "measure", "breakdown"]
    seen = observed.groupby(series)["grade"].agg(set).to_dict() if len(observed) else {}
    rows = []
    for r in indicators.itertuples(index=False):
        key = (r.source, r.measure, r.breakdown)
        same = indicators[
            (indicators["source"] == r.source)
            & (indicators["measure"] == r.measure)
            & (indicators["breakdown"] == r.breakdown)
        ]
        for g in breakdown_grades(r.grade, set(same["grade"]), seen.get(key, set())):
            via = same[(same["grade"] == g) & (same["gender"] == "alle") & (same["pool_years"] == r.pool_years)]
            rows.append(
                {
                    "indicator_id": r.indicator_id,
                    "grade": g,
                    "via": via["indicator_id"].min() if len(via) else None,
                    "min_n": int(same["min_n"].max()),
                }
            )
    return pd.DataFrame(rows, columns=["indicator_id", "grade", "via", "min_n"])


def _slice_values(con: duckdb.DuckDBPyConnection, ind: pd.DataFrame, scope: list[str] | None):
    """The rows of the computed trinn, in the temp table ``slice_values``: for each grade other than
    an indicator's own that no registry indicator shows with the same pooling (``breakdown_plan``),
    the mart SQL run for a stand-in indicator of that grade, computed once per distinct slice
    (indicators of the same measure that want the same grade the same way - ung_depr and
    ung_depr_jenter both want depr vg1-vg3 - share it). Kept: the rows of the 0-punkt's kind of
    period, and for a pooled slice the annual rows it pools (``_pool``).

    Returns the stand-in indicators (``pseudo``, with ``kind``), which indicator and grade each
    serves (``fan_out``), and the grades copied from a registry indicator (``copy``)."""
    observed = con.execute("""
        WITH o AS (SELECT DISTINCT source, measure_code, measure_name, breakdown, grade FROM observations)
        SELECT DISTINCT i.source, i.measure, i.breakdown, o.grade
        FROM (SELECT DISTINCT source, measure, breakdown FROM indicators) i
        JOIN o ON o.source = i.source AND o.breakdown = i.breakdown
         AND (o.measure_code = i.measure OR o.measure_name = i.measure)""").df()
    plan = breakdown_plan(ind, observed)
    if scope is not None:
        plan = plan[plan["indicator_id"].isin(scope)]
    # the trinn view shows the 0-punkt's kind of period (school year, year, pooled): only that is kept
    kind = {r.indicator_id: parse_period(r.baseline_period).kind for r in ind.itertuples(index=False)}
    plan = plan.assign(kind=plan["indicator_id"].map(kind))
    copy = plan[plan["via"].notna()]  # copied in SQL at the end
    todo = plan[plan["via"].isna()]
    meta = ind.set_index("indicator_id").loc[todo["indicator_id"]].reset_index()
    meta = meta.assign(grade=todo["grade"].to_numpy(), min_n=todo["min_n"].to_numpy(), kind=todo["kind"].to_numpy())
    same = ["source", "measure", "breakdown", "grade", "pool_years", "statistic", "polarity", "baseline_period"]
    same += ["pooled", "min_n"]
    meta["slice_id"] = meta.groupby(same, dropna=False)["indicator_id"].transform("min") + "|" + meta["grade"]
    fan_out = meta[["slice_id", "indicator_id", "grade"]]
    pseudo = meta.drop_duplicates("slice_id").assign(
        indicator_id=lambda d: d["slice_id"],
        gender="alle",
        baseline_value=float("nan"),
        target_value=float("nan"),
        target_period=None,
    )
    pseudo = pseudo.drop(columns=["slice_id"]).reset_index(drop=True)
    if pseudo.empty:
        con.execute("CREATE OR REPLACE TEMP TABLE slice_values AS SELECT * FROM mart_indicator_values LIMIT 0")
        return pseudo, fan_out, copy
    kinds = set(pseudo["kind"]) | ({"year", "school_year"} if (pseudo["pool_years"] > 1).any() else set())
    kinds_sql = ", ".join("'" + k.replace("'", "''") + "'" for k in sorted(kinds))
    con.execute(
        "CREATE OR REPLACE TEMP VIEW slice_observations AS SELECT * FROM stg_observations "
        f"WHERE period_type IN ({kinds_sql})"
    )
    con.register("slice_indicators", pseudo.drop(columns=["kind"]))
    con.execute(
        MART.format(
            head="CREATE OR REPLACE TEMP TABLE slice_values AS",
            indicators="slice_indicators",
            observations="slice_observations",
        )
    )
    con.unregister("slice_indicators")
    con.register("slice_kinds", pseudo[["indicator_id", "kind", "pool_years"]])
    con.execute("""DELETE FROM slice_values m WHERE NOT EXISTS (SELECT 1 FROM slice_kinds k
        WHERE k.indicator_id = m.indicator_id
          AND (k.kind = m.period_type OR (k.pool_years > 1 AND m.period_type IN ('year', 'school_year'))))""")
    con.unregister("slice_kinds")
    return pseudo, fan_out, copy


def build_breakdowns(
    con: duckdb.DuckDBPyConnection,
    cards: str,
    fan_out: pd.DataFrame,
    pseudo: pd.DataFrame,
    copy: pd.DataFrame,
    scope: list[str] | None = None,
) -> None:
    """``mart_breakdowns``. Grain: indicator × grade × area × period × group (kjønn), for the
    grades other than the indicator's own (``breakdown_grades``); the columns of
    ``mart_scorecard`` plus ``grade`` and ``via``. A grade some registry indicator selects
    (with the same pooling) is that indicator's rows (``copy``), so a number is shown or hidden
    alike on every page; any other is computed as a registry indicator for it would be (``cards``,
    SQL over the scorecard of ``build_marts``: the stand-in indicators' rows - interval, min_n,
    secondary suppression together with every indicator that shows the same cells), of the
    0-punkt's kind of period only, fanned out to the indicators that share the slice."""
    from oppvekst.scorecard import INTEGERS, NUMBERS

    con.execute("CREATE OR REPLACE TEMP TABLE slice_fan (slice_id VARCHAR, indicator_id VARCHAR, grade VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE slice_kind (indicator_id VARCHAR, kind VARCHAR)")
    if len(pseudo):
        con.executemany(
            "INSERT INTO slice_fan VALUES (?, ?, ?)", fan_out[["slice_id", "indicator_id", "grade"]].values.tolist()
        )
        con.executemany("INSERT INTO slice_kind VALUES (?, ?)", pseudo[["indicator_id", "kind"]].values.tolist())
    sql_type = lambda c: "DOUBLE" if c in NUMBERS else "BIGINT" if c in INTEGERS else "VARCHAR"
    empty = ", ".join(f'NULL::{sql_type(c)} AS "{c}"' for c in OWN_GRADE_ONLY)
    rows = f"""SELECT f.indicator_id, f.grade, NULL::VARCHAR AS via, c.* EXCLUDE (indicator_id) REPLACE ({empty})
        FROM ({cards}) c JOIN slice_kind k ON k.indicator_id = c.indicator_id AND k.kind = c.period_type
        JOIN slice_fan f ON f.slice_id = c.indicator_id"""
    if scope is None:
        con.execute(f"CREATE OR REPLACE TABLE mart_breakdowns AS {rows}")
    else:
        con.execute("DELETE FROM mart_breakdowns WHERE indicator_id IN (SELECT indicator_id FROM mart_scope)")
        con.execute(f"INSERT INTO mart_breakdowns BY NAME {rows}")
    if len(copy):  # a registry indicator's own rows, in SQL (no round trip through pandas)
        con.register("plan_copy", copy[["indicator_id", "grade", "via", "kind"]])
        keep = ", ".join(f'"{c}"' for c in ["indicator_id", *OWN_GRADE_ONLY])
        con.execute(f"""INSERT INTO mart_breakdowns BY NAME
            SELECT p.indicator_id, p.grade, p.via, s.* EXCLUDE ({keep})
            FROM mart_scorecard s JOIN plan_copy p ON s.indicator_id = p.via AND s.period_type = p.kind""")
        con.unregister("plan_copy")


PAGE_COLUMNS = [
    "indicator_id", "area_code", "area_level", "period", "family", "family_tests", "change_p", "benchmark_p",
    "target_p",
    *[f"page_{k}_{p}" for k in ("change", "benchmark", "target") for p in ("verdict", "symbol", "colour", "detail")],
]  # fmt: skip


def status_rows(con: duckdb.DuckDBPyConnection, until: int | None = None, family: str | None = None) -> pd.DataFrame:
    """The målekart's status rows: per indicator × area (not schools), the latest period of the
    0-punkt's kind for the registry's kjønn - with ``until``, the latest ending in or before that
    year; with ``family`` (a kommune's code, ``multiplicity.family_of``), only the kommune and its
    bydeler (or that one area, for a fylke or landet)."""
    kinds = con.execute("SELECT indicator_id, baseline_period FROM indicators").fetchall()
    where, params = "", [[i for i, _ in kinds], [parse_period(b).kind for _, b in kinds]]
    if until is not None:
        where += " AND s.year_end <= ?"
        params.append(int(until))
    if family is not None:
        where += " AND (s.area_code = ? OR (s.area_level IN ('kommune', 'bydel') AND left(s.area_code, 4) = ?))"
        params += [family, family]
    return con.execute(
        f"""SELECT s.*, i.polarity FROM mart_scorecard s JOIN indicators i USING (indicator_id)
            JOIN (SELECT unnest(?::VARCHAR[]) AS indicator_id, unnest(?::VARCHAR[]) AS kind) k USING (indicator_id)
            WHERE s.grp = i.gender AND s.period_type = k.kind AND s.area_level <> 'skole' {where}
            QUALIFY row_number() OVER (PARTITION BY s.indicator_id, s.area_code
                                       ORDER BY s.year_start DESC, s.year_end DESC, s.period DESC) = 1""",
        params,
    ).df()


def build_page_verdicts(con: duckdb.DuckDBPyConnection) -> None:
    """``mart_page_verdicts`` from ``mart_scorecard`` (see the module's docstring)."""
    from oppvekst.multiplicity import page_verdicts

    status = status_rows(con)
    pv = page_verdicts(status)[PAGE_COLUMNS] if len(status) else pd.DataFrame(columns=PAGE_COLUMNS)
    for c in PAGE_COLUMNS:
        if c.endswith("_p"):
            pv[c] = pd.to_numeric(pv[c], errors="coerce").astype("float64")
        elif c == "family_tests":
            pv[c] = pd.to_numeric(pv[c], errors="coerce").astype("Int64")
        else:
            pv[c] = pv[c].astype("string")
    con.register("page_rows", pa.Table.from_pandas(pv, preserve_index=False))
    try:
        con.execute("CREATE OR REPLACE TABLE mart_page_verdicts AS SELECT * FROM page_rows")
    finally:
        con.unregister("page_rows")
