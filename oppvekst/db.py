"""The DuckDB database: where it lives, its schema, and read-only access for the app."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "oppvekst.duckdb"

SCHEMA = """
CREATE TABLE IF NOT EXISTS areas (
    area_code VARCHAR PRIMARY KEY, area_name VARCHAR NOT NULL, area_level VARCHAR NOT NULL,
    parent_code VARCHAR, valid_from DATE, valid_to DATE, successor_code VARCHAR, change_kind VARCHAR
);
CREATE TABLE IF NOT EXISTS area_changes (
    old_code VARCHAR, old_name VARCHAR, new_code VARCHAR, new_name VARCHAR, changed_on DATE, kind VARCHAR
);
CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER PRIMARY KEY, file_name VARCHAR, sha256 VARCHAR, format VARCHAR, source VARCHAR,
    title VARCHAR, loaded_at TIMESTAMP, rows INTEGER, suppressed INTEGER, new_rows INTEGER,
    revised_rows INTEGER, unchanged_rows INTEGER, status VARCHAR
);
-- grain: one row per source x measure x area x period x gender x grade x breakdown
CREATE TABLE IF NOT EXISTS observations (
    source VARCHAR NOT NULL, table_id VARCHAR, measure_code VARCHAR NOT NULL, measure_name VARCHAR,
    unit VARCHAR, area_code VARCHAR NOT NULL, area_level VARCHAR NOT NULL, area_name VARCHAR,
    source_area_code VARCHAR, period VARCHAR NOT NULL, period_type VARCHAR, year_start INTEGER,
    year_end INTEGER, gender VARCHAR NOT NULL, grade VARCHAR NOT NULL, breakdown VARCHAR NOT NULL,
    value DOUBLE, n DOUBLE, sd DOUBLE, suppressed BOOLEAN NOT NULL, symbol VARCHAR, note VARCHAR,
    file_name VARCHAR, load_id INTEGER
);
CREATE TABLE IF NOT EXISTS revisions (
    source VARCHAR, measure_code VARCHAR, area_code VARCHAR, period VARCHAR, gender VARCHAR,
    grade VARCHAR, breakdown VARCHAR, old_value DOUBLE, new_value DOUBLE, old_symbol VARCHAR,
    new_symbol VARCHAR, old_load_id INTEGER, new_load_id INTEGER, revised_at TIMESTAMP
);
"""


def db_path(path: str | os.PathLike | None = None) -> Path:
    return Path(path or os.environ.get("OPPVEKST_DB") or DEFAULT_DB)


def connect_readonly(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    # No replacement scans: a missing table must be an error, never a Python variable of that name
    con = duckdb.connect(str(db_path(path)), read_only=True)
    con.execute("SET python_enable_replacements = false")
    return con
