"""Tidy downloads for analysts: one row per indicator × area × period × group, with codes,
unit, source and the load the number came from, as CSV and Parquet (README, «Nedlasting for
analytikere»). The screen-formatted tables stay in ``oppvekst.export`` («som vist»).

Privacy: a row the mart does not show (``shown`` false) is present, with ``suppressed`` true,
``suppressed_reason`` saying why, and value, interval and n empty - the same as the screen,
where a hidden cell says «vises ikke: …» and has no interval or antall svar.
"""

from __future__ import annotations

import io

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from oppvekst.export import neutralise
from oppvekst.formatting import source_name

# The columns, in order, with their Parquet types (the README documents each one).
SCHEMA = pa.schema(
    [
        ("indicator_id", pa.string()),
        ("indicator", pa.string()),
        ("area_code", pa.string()),
        ("area_name", pa.string()),
        ("area_level", pa.string()),
        ("period", pa.string()),
        ("period_type", pa.string()),
        ("year_start", pa.int64()),
        ("year_end", pa.int64()),
        ("group", pa.string()),
        ("grade", pa.string()),
        ("value", pa.float64()),
        ("ci_lower", pa.float64()),
        ("ci_upper", pa.float64()),
        ("ci_method", pa.string()),
        ("n", pa.int64()),
        ("unit", pa.string()),
        ("suppressed", pa.bool_()),
        ("suppressed_reason", pa.string()),
        ("origin", pa.string()),
        ("source", pa.string()),
        ("load_id", pa.int64()),
        ("sample", pa.bool_()),
    ]
)
COLUMNS = SCHEMA.names
_FLOATS = {f.name for f in SCHEMA if pa.types.is_floating(f.type)}
_INTS = {f.name for f in SCHEMA if pa.types.is_integer(f.type)}
_BOOLS = {f.name for f in SCHEMA if pa.types.is_boolean(f.type)}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()
    }


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """One pandas type per column, matching ``SCHEMA`` (nullable integers, plain booleans)."""
    out = pd.DataFrame({c: df[c] if c in df.columns else None for c in COLUMNS}, index=df.index)
    for c in COLUMNS:
        if c in _FLOATS:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
        elif c in _INTS:
            out[c] = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
        elif c in _BOOLS:
            out[c] = out[c].fillna(False).astype(bool)
        else:
            out[c] = out[c].astype("string")
    return out.reset_index(drop=True)


def tidy_values(
    con: duckdb.DuckDBPyConnection,
    indicator_ids: list[str] | str,
    area_codes: list[str] | str,
    groups: list[str] | None = None,
    period: str | None = None,
    by: str = "ingen",
) -> pd.DataFrame:
    """The mart's rows for these indicators and areas (all groups and periods unless narrowed),
    in the order the ids and codes are given, then group, trinn and time. ``period`` is the mart's
    label (2024M09); in the result a month is written the ISO way (2024-09).

    ``by="trinn"``: also the other trinn the page shows (``mart_breakdowns``), each with its own
    ``grade``. Their ``load_id``: the observation's own for a published row; for a row built from
    schools or pooled years, the newest load that delivered that trinn and period of the measure."""
    ids = [indicator_ids] if isinstance(indicator_ids, str) else list(indicator_ids)
    codes = [area_codes] if isinstance(area_codes, str) else list(area_codes)
    if not ids or not codes or (groups is not None and not list(groups)):
        return _typed(pd.DataFrame(columns=COLUMNS))
    # the load: carried by mart_indicator_values (a mart built before it did has none), and the
    # sample flag by the loads table (older databases: the whole-database marker)
    has_load = "load_id" in _columns(con, "mart_indicator_values")
    load_cols = _columns(con, "loads")
    if has_load and "sample" in load_cols:
        sample = "coalesce(l.sample, false)"
    elif "sample" in load_cols:  # no load per row: any sample load marks every row
        sample = "true" if con.execute("SELECT bool_or(sample) FROM loads").fetchone()[0] else "false"
    else:
        info = "database_info" in {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        whole = info and con.execute("SELECT value FROM database_info WHERE key = 'dataset'").fetchone() == ("sample",)
        sample = "true" if whole else "false"
    where = ["list_contains(?::VARCHAR[], s.indicator_id)", "list_contains(?::VARCHAR[], s.area_code)"]
    params: list = [ids, codes]
    if groups is not None:
        where.append("list_contains(?::VARCHAR[], s.grp)")
        params.append(list(groups))
    if period is not None:
        where.append("s.period = ?")
        params.append(period)
    cols = """
        CASE WHEN s.period_type = 'month' THEN regexp_replace(s.period, '^(\\d{4})M(\\d{2})$', '\\1-\\2')
             ELSE s.period END AS period,
        s.period_type, s.year_start, s.year_end, s.grp AS "group", {grade} AS grade,
        -- a hidden row keeps no number (the mart stores none either; this says so twice)
        CASE WHEN s.shown THEN s.value END AS value,
        CASE WHEN s.shown THEN s.ci_low END AS ci_lower,
        CASE WHEN s.shown THEN s.ci_high END AS ci_upper,
        CASE WHEN s.shown THEN s.ci_method END AS ci_method,
        CASE WHEN s.shown THEN s.n END AS n,
        i.unit, NOT s.shown AS suppressed,
        CASE WHEN NOT s.shown THEN coalesce(s.hidden_reason, 'skjult') END AS suppressed_reason,
        s.origin, i.source"""
    cond = " AND ".join(where)
    sql = f"""
        SELECT s.indicator_id, i.title AS indicator, s.area_code, s.area_name, s.area_level, {cols.replace("{grade}", "i.grade")},
               {"v.load_id" if has_load else "NULL::INTEGER"} AS load_id, 0 AS _grade_rank
        FROM mart_scorecard s
        JOIN indicators i USING (indicator_id)
        {"LEFT JOIN mart_indicator_values v USING (indicator_id, area_code, period, grp)" if has_load else ""}
        WHERE {cond}"""
    args = list(params)
    if by == "trinn" and "mart_breakdowns" in {
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }:
        # the other trinn: the load of the observation itself, or the newest of that trinn and period
        sql += f"""
        UNION ALL
        SELECT s.indicator_id, i.title, s.area_code, s.area_name, s.area_level, {cols.replace("{grade}", "s.grade")},
               coalesce(own.load_id, newest.load_id), 1
        FROM mart_breakdowns s
        JOIN indicators i USING (indicator_id)
        LEFT JOIN (SELECT source, measure_code, measure_name, grade, breakdown, area_code, period, gender,
                          max(load_id) AS load_id
                   FROM stg_observations GROUP BY ALL) own
          ON own.source = i.source AND (own.measure_code = i.measure OR own.measure_name = i.measure)
         AND own.grade = s.grade AND own.breakdown = i.breakdown AND own.area_code = s.area_code
         AND own.period = s.period AND own.gender = s.grp AND s.origin = 'publisert'
        LEFT JOIN (SELECT source, measure_code, measure_name, grade, breakdown, period, gender, max(load_id) AS load_id
                   FROM stg_observations GROUP BY ALL) newest
          ON newest.source = i.source AND (newest.measure_code = i.measure OR newest.measure_name = i.measure)
         AND newest.grade = s.grade AND newest.breakdown = i.breakdown AND newest.period = s.period
         AND newest.gender = s.grp
        WHERE {cond}"""
        args += params
    df = con.execute(
        f"""
        SELECT t.* EXCLUDE (_grade_rank), {sample} AS sample
        FROM ({sql}) t
        {"LEFT JOIN loads l ON l.load_id = t.load_id" if has_load and "sample" in load_cols else ""}
        ORDER BY list_position(?::VARCHAR[], t.indicator_id), list_position(?::VARCHAR[], t.area_code),
                 list_position(['alle', 'gutter', 'jenter'], t."group"), t."group", t._grade_rank, t.grade,
                 t.period_type, t.year_start, t.year_end, t.period
        """,
        [*args, ids, codes],
    ).df()
    df["source"] = df["source"].map(source_name)
    return _typed(df)


def to_tidy_csv(df: pd.DataFrame) -> bytes:
    """A machine-readable CSV for R, Python and the like: comma separator, decimal point, UTF-8
    without BOM, a header row of the column names, empty cells for missing values, true/false.
    Text that would start a formula in a spreadsheet gets a leading apostrophe (``neutralise``),
    since a CSV is often opened in Excel anyway."""
    out = _typed(df)
    for c in out.columns:
        if c in _BOOLS:
            out[c] = out[c].map({True: "true", False: "false"})
        elif c not in _FLOATS and c not in _INTS:
            out[c] = out[c].astype(object).where(out[c].notna(), None).map(neutralise)
    return out.to_csv(index=False, sep=",", decimal=".", na_rep="", lineterminator="\n").encode("utf-8")


def to_parquet(df: pd.DataFrame, note: str = "") -> bytes:
    """Parquet with the typed ``SCHEMA`` (value double, n int64 with nulls, suppressed bool).
    Text is kept as it is: Parquet is read by code, never opened as a spreadsheet, so nothing
    there can run as a formula. ``note`` (the sample-data label) goes into the file's metadata."""
    table = pa.Table.from_pandas(_typed(df), schema=SCHEMA, preserve_index=False)
    if note:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"oppvekst.note": note.encode()})
    bio = io.BytesIO()
    pq.write_table(table, bio)
    return bio.getvalue()
