"""The DuckDB database: where it lives, its schema, and read-only access for the app."""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator
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
    """A private read-only connection (scripts, tests, benchmarks). The app uses ``Database``."""
    # No replacement scans: a missing table must be an error, never a Python variable of that name
    con = duckdb.connect(str(db_path(path)), read_only=True)
    con.execute("SET python_enable_replacements = false")
    return con


# --------------------------------------------------------------------------------------------
# Read access for many users at once.
#
# THE RULE: a DuckDB connection is not safe to share between threads. Two threads executing on
# one connection either get "connection is busy" or, worse, silently fetch each other's
# results. So nobody executes on a shared connection: a ``Snapshot`` keeps its connection
# private and hands out a fresh cursor (a connection of its own to the same database instance)
# for every query, through ``Pin.cursor()``. The app caches only the ``Database`` object.
#
# SWAPS: the ETL builds a new file and ``os.replace``s it onto the path. DuckDB keeps one
# database instance per path in a process, so ``duckdb.connect(path)`` while an older
# connection is open would hand back the OLD database. A snapshot therefore ATTACHes the file
# into an in-memory instance of its own: a new version opens beside the old one, the pages
# that started on the old version finish on it (all-old or all-new, never a mix), and the old
# one is closed as soon as no page holds it, so a running app keeps at most two versions open.
# --------------------------------------------------------------------------------------------
DB_ALIAS = "oppvekst"


def file_identity(path: Path) -> tuple[int, int, int, int]:
    """What changes when the ETL swaps a new file in: device, inode, size, mtime."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Snapshot:
    """One version of the database file, attached read-only in its own DuckDB instance."""

    def __init__(self, path: Path):
        for _ in range(10):  # the file may be swapped between stat and attach: try again
            before = file_identity(path)
            con = duckdb.connect(":memory:")
            try:
                con.execute(f"ATTACH '{_sql_string(path)}' AS {DB_ALIAS} (READ_ONLY)")
            except Exception:
                con.close()
                raise
            if file_identity(path) == before:
                break
            con.close()
        else:  # pragma: no cover - a file replaced ten times in a row while we opened it
            raise RuntimeError(f"{path} keeps changing; try again when the load has finished")
        self.path = path
        self.identity = before
        self.key = "{}:{}:{}:{}".format(*before)
        self._con = con
        self._lock = threading.Lock()
        self.pins = 0
        self.retired = False
        self.closed = False

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of one's own for one unit of work (execute and fetch), closed afterwards."""
        with self._lock:
            if self.closed:
                raise RuntimeError("this snapshot of the database is closed (a newer load replaced it)")
            cur = self._con.cursor()
        try:
            cur.execute(f"USE {DB_ALIAS}")
            cur.execute("SET python_enable_replacements = false")
            yield cur
        finally:
            with self._lock:
                cur.close()

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                self._con.close()


class Pin:
    """A page run's hold on one snapshot: every query of the run reads the same version.
    Release it when the run ends (``with`` or ``release()``); a forgotten pin is released
    when it is garbage-collected."""

    def __init__(self, db: Database, snapshot: Snapshot):
        self._snapshot = snapshot
        self.key = snapshot.key
        self._finalizer = weakref.finalize(self, db._release, snapshot)

    def cursor(self):
        return self._snapshot.cursor()

    def release(self) -> None:
        self._finalizer()

    def __enter__(self) -> Pin:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Database:
    """The app's handle on the database file at ``path``. Thread-safe; one per process."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._retired: list[Snapshot] = []

    def pin(self) -> Pin:
        """Pin the newest version of the file (opening it if the ETL swapped a new one in)."""
        identity = file_identity(self.path)  # FileNotFoundError when there is no database
        with self._lock:
            if self._current is None or self._current.identity != identity:
                fresh = Snapshot(self.path)
                if self._current is not None:
                    self._current.retired = True
                    self._retired.append(self._current)
                self._current = fresh
            snap = self._current
            snap.pins += 1
            self._close_unused()
        return Pin(self, snap)

    def _release(self, snapshot: Snapshot) -> None:
        with self._lock:
            snapshot.pins -= 1
            self._close_unused()

    def _close_unused(self) -> None:
        for snap in [s for s in self._retired if s.pins <= 0]:
            snap.close()
            self._retired.remove(snap)

    def open_versions(self) -> int:
        """How many versions of the file are open (the current one and those still pinned)."""
        with self._lock:
            return len(self._retired) + (self._current is not None)

    def close(self) -> None:
        with self._lock:
            for snap in [*self._retired, *([self._current] if self._current else [])]:
                snap.close()
            self._retired, self._current = [], None


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")
