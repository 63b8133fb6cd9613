"""Write observations into the database: all files of one call in one transaction, built
beside the live database and swapped in atomically with ``os.replace``."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl.detect import read_file
from etl.harmonize import KEY, OBS_COLUMNS, harmonize, skipped_notes, unify_measure_codes
from etl.problems import InputError, Problem
from oppvekst.db import SCHEMA, db_path
from oppvekst.geography import GEO_DIR, load_register


@dataclass
class FileResult:
    name: str
    sha256: str
    format: str
    source: str
    rows: int
    suppressed: int
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    skipped: bool = False  # same sha256 already loaded
    load_id: int | None = None
    unused: list[tuple[str, str, int]] = field(default_factory=list)  # (source, measure code, rows) no indicator uses


@dataclass
class LoadResult:
    files: list[FileResult] = field(default_factory=list)
    changed: bool = False
    db: Path | None = None
    notes: list[str] = field(default_factory=list)  # rows skipped (pseudo-regions), leftovers removed
    # (source, measure_code, measure_name) of new or revised rows; None when the whole database
    # must be rebuilt (e.g. schools were mapped to bydeler anew)
    touched: set | None = None

    def summary(self) -> str:
        lines = []
        for f in self.files:
            if f.skipped:
                lines.append(f"{f.name}: already loaded (same sha256), nothing to do")
                continue
            lines.append(
                f"{f.name}: {f.format} → {f.source}: {f.rows} rows ({f.suppressed} suppressed); "
                f"{f.new} new, {f.revised} revised, {f.unchanged} unchanged"
            )
            if f.unused:
                rows = sum(r for _, _, r in f.unused)
                codes = ", ".join(f"{code} ({r} rows)" for _, code, r in f.unused[:12])
                more = f" and {len(f.unused) - 12} more" if len(f.unused) > 12 else ""
                lines.append(
                    f"  warning: {rows} of these rows feed no indicator: no indicator in indicators.yml uses "
                    f"the measure codes {codes}{more} (source {f.unused[0][0]}). They are stored, but nothing "
                    "changes on screen until an indicator selects them (README, «Legge til en indikator»)."
                )
        by_src: dict[str, int] = {}
        for f in self.files:
            if not f.skipped:
                by_src[f.source] = by_src.get(f.source, 0) + f.rows
        if by_src:
            lines.append("Rows per source: " + ", ".join(f"{k} {v}" for k, v in sorted(by_src.items())))
        lines.extend(self.notes)
        lines.append(f"Database: {self.db}" + ("" if self.changed else " (unchanged)"))
        return "\n".join(lines)


def init_db(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)
    con.execute("ALTER TABLE loads ADD COLUMN IF NOT EXISTS sample BOOLEAN DEFAULT false")
    if con.execute("SELECT count(*) FROM areas").fetchone()[0]:
        return
    reg = load_register()
    rows = [
        (a.code, a.name, a.level, a.parent, a.valid_from, a.valid_to, a.successor, a.change_kind)
        for a in reg.areas.values()
    ]
    con.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    ch = pd.read_csv(GEO_DIR / "kommune_endringer.csv", dtype=str)
    con.register("ch_df", ch)
    con.execute(
        "INSERT INTO area_changes SELECT old_code, old_name, new_code, new_name, CAST(changed_on AS DATE), kind FROM ch_df"
    )
    con.unregister("ch_df")


@contextlib.contextmanager
def _writer_lock(target: Path):
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(f".{target.name}.lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def loaded_hashes(target: Path) -> set[str]:
    """sha256 of the files already loaded into the live database (read-only look)."""
    if not target.exists():
        return set()
    con = duckdb.connect(str(target), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT sha256 FROM loads WHERE status = 'loaded'").fetchall()}
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


def parse_files(paths: list[Path], progress=None, skip: set[str] = frozenset()):
    """Read and validate every file not already loaded (by sha256); raise one InputError
    listing every problem. Returns (extracts, problems, names of skipped files)."""
    problems: list[Problem] = []
    extracts = []
    skipped = []
    for p in paths:
        name = p.name
        try:
            raw = p.read_bytes()
        except OSError as e:
            problems.append(Problem(str(p), "", f"cannot be read ({e.strerror})", "Check the path and permissions."))
            continue
        sha = hashlib.sha256(raw).hexdigest()
        if sha in skip:
            skipped.append(FileResult(name, sha, "", "", 0, 0, skipped=True))
            if progress:
                progress.update(1)
            continue
        try:
            ex = read_file(raw, name)
        except InputError as e:
            problems.extend(e.problems)
            continue
        finally:
            if progress:
                progress.update(1)
        extracts.append((name, sha, ex))
    return extracts, problems, skipped


def remove_dead_builds(target: Path) -> list[str]:
    """Remove the build copies (and their .wal) that a killed load left beside the database.
    A copy whose process is still alive belongs to a running load and is left alone."""
    notes = []
    for leftover in sorted(target.parent.glob(f".{target.name}.build-*")):
        pid = leftover.name.rsplit("-", 1)[-1].removesuffix(".wal")
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive: a load still running (the lock makes this rare)
        except ProcessLookupError:
            pass
        except PermissionError:  # alive, owned by someone else
            continue
        leftover.unlink(missing_ok=True)
        notes.append(f"Removed {leftover.name}, left behind by an interrupted load (process {pid} no longer runs).")
    return notes


def load(
    paths: list[str | os.PathLike], db: str | os.PathLike | None = None, progress=None, post_build=None
) -> LoadResult:
    target = db_path(db)
    paths = [Path(p) for p in paths]
    extracts, problems, skipped = parse_files(paths, progress, loaded_hashes(target))
    obs = schools = None
    if extracts:
        obs, schools, hp = harmonize([(name, ex.rows) for name, _, ex in extracts])
        problems.extend(hp)
    if problems:
        raise InputError(problems)
    result = LoadResult(db=target, files=list(skipped))
    result.notes = skipped_notes(obs.attrs.get("skipped", {})) if obs is not None else []  # pseudo-regions
    if not extracts:  # everything already loaded: nothing to build, the file stays as it is
        return result
    wal = Path(str(target) + ".wal")
    if wal.exists():
        raise InputError(
            [
                Problem(
                    str(target),
                    "",
                    f"{wal.name} exists: the database was written outside "
                    "'python -m etl' and not closed cleanly, so a copy would lose those changes",
                    f"Run: python -c \"import duckdb; duckdb.connect('{target}').execute('CHECKPOINT')\" "
                    f"(or delete {wal.name} if you do not need those changes), then load again.",
                )
            ]
        )
    with _writer_lock(target):
        result.notes += remove_dead_builds(target)
        tmp = target.with_name(f".{target.name}.build-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            if target.exists():
                shutil.copy2(target, tmp)
            con = duckdb.connect(str(tmp))
            try:
                init_db(con)
                changed = _write(con, extracts, obs, schools, result)
                if changed and post_build:
                    post_build(con, touched=result.touched)
                    unused_measures(con, result)
                if changed:
                    con.execute("CHECKPOINT")
            finally:
                con.close()
            if changed or not target.exists():
                os.replace(tmp, target)
                result.changed = True
        finally:
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return result


def load_and_build(paths: list[str | os.PathLike], db: str | os.PathLike | None = None, progress=None) -> LoadResult:
    """Load the files and rebuild the marts inside the same build, before the swap: what
    ``python -m etl load`` and ``python -m etl sample`` both do."""
    from oppvekst.marts import build_marts

    return load(paths, db, progress=progress, post_build=build_marts)


SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


def sample_hashes() -> frozenset[str]:
    """sha256 of the bundled sample extracts: rows from these files are labelled as sample data
    in the app for as long as they remain in the database."""
    return frozenset(
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in SAMPLE_DIR.rglob("*")
        if p.is_file() and p.suffix in {".csv", ".json", ".xlsx"}
    )


def unused_measures(con, result: LoadResult) -> None:
    """For each new file: the measure codes of its rows that no registry indicator selects."""
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'indicators'").fetchone()[0]:
        return
    for fr in result.files:
        if fr.load_id is None:
            continue
        fr.unused = [
            tuple(r)
            for r in con.execute(
                """
            SELECT o.source, o.measure_code, count(*) FROM observations o
            WHERE o.load_id = ? AND NOT EXISTS (SELECT 1 FROM indicators i WHERE i.source = o.source
                  AND (i.measure = o.measure_code OR i.measure = o.measure_name))
            GROUP BY ALL ORDER BY 3 DESC, 2""",
                [fr.load_id],
            ).fetchall()
        ]


def _write(con, extracts, obs: pd.DataFrame, schools: pd.DataFrame, result: LoadResult) -> bool:
    known = {r[0] for r in con.execute("SELECT sha256 FROM loads WHERE status = 'loaded'").fetchall()}
    next_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0]
    ids = {}
    for name, sha, ex in extracts:
        fr = FileResult(
            name,
            sha,
            ex.format,
            ex.source,
            int((obs["file_name"] == name).sum()),
            int(((obs["file_name"] == name) & obs["suppressed"]).sum()),
        )
        if sha in known:
            fr.skipped = True
        else:
            ids[name] = fr.load_id = next_id
            next_id += 1
        result.files.append(fr)
    obs = obs[obs["file_name"].isin(list(ids))].copy()
    if obs.empty:
        return False
    obs["load_id"] = obs["file_name"].map(ids).astype("Int64")
    known = con.execute(
        "SELECT DISTINCT source, measure_name, measure_code FROM observations WHERE measure_code <> measure_name"
    ).df()
    if len(known):
        obs["measure_code"] = unify_measure_codes(obs, known.astype("string"))
    now = dt.datetime.now().replace(microsecond=0)
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("incoming_df", obs[OBS_COLUMNS])
        con.execute("CREATE TEMP TABLE incoming AS SELECT * FROM incoming_df")
        con.unregister("incoming_df")
        on = " AND ".join(f"i.{k} = o.{k}" for k in KEY)
        con.execute(f"""
            CREATE TEMP TABLE diff AS
            SELECT i.*, CASE WHEN o.source IS NULL THEN 'new'
                WHEN i.value IS NOT DISTINCT FROM o.value AND i.suppressed = o.suppressed
                     AND i.symbol IS NOT DISTINCT FROM o.symbol AND i.n IS NOT DISTINCT FROM o.n
                     AND i.sd IS NOT DISTINCT FROM o.sd THEN 'unchanged'
                ELSE 'revised' END AS status,
                o.value AS old_value, o.symbol AS old_symbol, o.load_id AS old_load_id
            FROM incoming i LEFT JOIN observations o ON {on}""")
        counts = con.execute("SELECT file_name, status, count(*) FROM diff GROUP BY ALL").fetchall()
        result.touched = (
            None
            if len(schools)  # a new school map moves school rows between bydeler: every mart may change
            else set(
                con.execute(
                    "SELECT DISTINCT source, measure_code, measure_name FROM diff WHERE status IN ('new', 'revised')"
                ).fetchall()
            )
        )
        con.execute(
            """INSERT INTO revisions SELECT source, measure_code, area_code, period, gender, grade,
            breakdown, old_value, value, old_symbol, symbol, old_load_id, load_id, ? FROM diff WHERE status = 'revised'""",
            [now],
        )
        con.execute(
            f"DELETE FROM observations o WHERE EXISTS (SELECT 1 FROM diff i WHERE i.status = 'revised' AND {on})"
        )
        cols = ", ".join(OBS_COLUMNS)
        con.execute(f"INSERT INTO observations SELECT {cols} FROM diff WHERE status IN ('new', 'revised')")
        if len(schools):
            con.register("schools_df", schools)
            con.execute("""INSERT INTO areas (area_code, area_name, area_level, parent_code)
                SELECT area_code, area_name, area_level, parent_code FROM schools_df
                ON CONFLICT (area_code) DO UPDATE SET area_name = excluded.area_name,
                    parent_code = coalesce(excluded.parent_code, areas.parent_code)""")
            con.unregister("schools_df")
        for fr in result.files:
            for fname, status, c in counts:
                if fname == fr.name:
                    setattr(fr, status, c)
            if not fr.skipped:
                ex = next(e for n, _, e in extracts if n == fr.name)
                con.execute(
                    """INSERT INTO loads (load_id, file_name, sha256, format, source, title, loaded_at, rows,
                                 suppressed, new_rows, revised_rows, unchanged_rows, status)
                                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded')""",
                    [
                        ids[fr.name],
                        fr.name,
                        fr.sha256,
                        fr.format,
                        fr.source,
                        ex.title,
                        now,
                        fr.rows,
                        fr.suppressed,
                        fr.new,
                        fr.revised,
                        fr.unchanged,
                    ],
                )
        # the one place the flag is set: a load is sample data when its file is one of the bundled
        # extracts (new loads, and loads in older databases made before the flag existed)
        con.execute(
            "UPDATE loads SET sample = true WHERE NOT sample AND list_contains(?, sha256)", [sorted(sample_hashes())]
        )
        con.execute("DROP TABLE incoming; DROP TABLE diff")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return True
