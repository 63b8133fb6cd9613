"""SQL layers, rebuilt on every load (``build_marts`` runs inside the ETL's build, before the
swap, so the app never sees a half-built mart).

- ``stg_observations`` (view): observations renamed/cast for analysis, nothing more.
- ``indicators`` (table): the registry, so analysts can query it with SQL.
- ``registry_problems`` (table): what is wrong with ``indicators.yml``, if anything.
- ``mart_scorecard`` (table). Grain: indicator × area × period × group. Value with
  interval, privacy (``shown``/``hidden_reason``; hidden numbers are not stored), and the
  verdicts against the 0-punkt, landet and the target (``oppvekst.scorecard``).
- ``mart_indicator_values`` (table). Grain: one row per indicator × area × period × group
  (``grp`` = kjønn). The selector fixes measure, trinn and breakdown; for kjønn 'alle' the
  gutter and jenter rows come along as groups. Rows come from the
  publisher (``origin = 'publisert'``) or, for a bydel the publisher does not cover,
  from its schools aggregated from numerators and denominators (``'aggregert fra skoler'``,
  never an average of percentages), with how many schools were used and hidden. Kommune
  totals are built the same way when the publisher gives none (the fravær template).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from oppvekst.registry import RegistryError, load_registry, registry_frame

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
    JOIN stg_observations o
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
           count(*) FILTER (WHERE NOT usable) AS units_hidden
    FROM (SELECT *, (NOT suppressed AND value IS NOT NULL AND n IS NOT NULL) AS usable FROM schools)
    GROUP BY indicator_id, grp, target_code, period
)
SELECT indicator_id, area_code, area_level, area_name, period, period_type, year_start, year_end, grp,
       value, n, sd, suppressed, symbol, 'publisert' AS origin, NULL::INTEGER AS units_used,
       NULL::INTEGER AS units_hidden, source_area_code
FROM sel
UNION ALL
SELECT indicator_id, area_code, area_level, area_name, period, period_type, year_start, year_end, grp,
       CASE WHEN units_used > 0 THEN value END, n, CASE WHEN statistic = 'mean' THEN sd END,
       units_used = 0 AS suppressed, CASE WHEN units_used = 0 THEN '*' ELSE '' END,
       'aggregert fra skoler', units_used, units_hidden, area_code
FROM agg
WHERE NOT EXISTS (SELECT 1 FROM sel WHERE sel.indicator_id = agg.indicator_id
                  AND sel.area_code = agg.area_code AND sel.period = agg.period AND sel.grp = agg.grp)
"""


POOLED = """
-- Indicators with pool_years = k > 1: rolling windows of k consecutive annual values pooled from
-- numerators and denominators (Σ value·n / Σ n), only where every year in the window is usable.
INSERT INTO mart_indicator_values
WITH ann AS (
    SELECT m.*, i.pool_years FROM mart_indicator_values m JOIN indicators i USING (indicator_id)
    WHERE i.pool_years > 1 AND m.period_type IN ('year', 'school_year') {scope}
)
SELECT e.indicator_id, e.area_code, any_value(a.area_level), any_value(a.area_name),
       min(a.year_start) || '-' || max(a.year_end), 'pooled', min(a.year_start), max(a.year_end), e.grp,
       sum(a.value * a.n) / sum(a.n), sum(a.n), NULL, false, '', 'sammenslått over år', count(*)::INTEGER, 0, e.area_code
FROM ann e JOIN ann a
  ON a.indicator_id = e.indicator_id AND a.area_code = e.area_code AND a.grp = e.grp AND a.period_type = e.period_type
 AND a.year_start BETWEEN e.year_start - e.pool_years + 1 AND e.year_start
GROUP BY e.indicator_id, e.area_code, e.grp, e.year_start, e.pool_years
HAVING count(*) = e.pool_years AND bool_and(NOT a.suppressed AND a.value IS NOT NULL AND a.n IS NOT NULL)
"""


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
        min_n::INTEGER AS min_n, description::VARCHAR AS description, source_url::VARCHAR AS source_url,
        tiltak::VARCHAR AS tiltak, pooled::BOOLEAN AS pooled, plan_area::VARCHAR AS plan_area,
        pool_years::INTEGER AS pool_years FROM indicators_df""")
    con.unregister("indicators_df")
    return [str(p) for p in problems]


def build_marts(con: duckdb.DuckDBPyConnection, registry_path=None, touched: set | None = None) -> None:
    """Rebuild the marts. With ``touched`` - the (source, measure_code, measure_name) a load added
    or revised - and an unchanged registry, only the indicators fed by those measures are
    rebuilt: every mart row belongs to one indicator and nothing in it (privacy, verdicts, the
    landet comparison) looks across indicators, so the result is the same as a full rebuild."""
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
        con.execute(MART.format(head="CREATE OR REPLACE TABLE mart_indicator_values AS", indicators="indicators"))
        con.execute(POOLED.format(scope=""))
        where = ""
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE mart_scope AS SELECT unnest(?::VARCHAR[]) AS indicator_id", [scope])
        in_scope = "indicator_id IN (SELECT indicator_id FROM mart_scope)"
        con.execute(f"DELETE FROM mart_indicator_values WHERE {in_scope}")
        con.execute(
            MART.format(
                head="INSERT INTO mart_indicator_values",
                indicators=f"(SELECT * FROM indicators WHERE {in_scope})",
            )
        )
        con.execute(POOLED.format(scope=f"AND m.{in_scope}"))
        where = f"WHERE m.{in_scope}"
    card = compute_scorecard(
        # each row with its area's parent, so schools are protected against their bydel/kommune sum
        con.execute(
            f"SELECT m.*, a.parent_code FROM mart_indicator_values m LEFT JOIN areas a USING (area_code) {where}"
        ).df(),
        con.execute("SELECT * FROM indicators").df(),
    )
    con.register("card_df", pa.Table.from_pandas(card, preserve_index=False))  # columnar: no per-cell work
    if scope is None:
        con.execute("CREATE OR REPLACE TABLE mart_scorecard AS SELECT * FROM card_df")
    else:
        con.execute("DELETE FROM mart_scorecard WHERE indicator_id IN (SELECT indicator_id FROM mart_scope)")
        con.execute("INSERT INTO mart_scorecard BY NAME SELECT * FROM card_df")
    con.unregister("card_df")


def _registry_snapshot(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The registry as stored, when the marts exist (None otherwise: a full build is needed)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    if not {"indicators", "mart_indicator_values", "mart_scorecard"} <= tables:
        return None
    return con.execute("SELECT * FROM indicators ORDER BY indicator_id").df()
