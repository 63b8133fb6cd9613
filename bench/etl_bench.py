"""ETL benchmark at national scale.

Generates a national extract set in the genuine formats (every kommune and bydel, ~2,800
schools, 11 years, all four sources, kjønn and trinn), loads it with ``etl.store.load``,
and prints load time, rows per second, database size and peak memory - next to the floor:
DuckDB reading the same bytes with no logic of ours (read_csv/read_json into a table), in
the same run.

    .venv/bin/python bench/etl_bench.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from etl.store import load  # noqa: E402
from etl.synth import generate  # noqa: E402


def floor(files: list[Path], db: Path) -> tuple[float, int]:
    """DuckDB alone: the same bytes into tables, decoding what DuckDB cannot read natively."""
    con = duckdb.connect(str(db))
    t0 = time.perf_counter()
    rows = 0
    for i, f in enumerate(files):
        raw = f.read_bytes()
        tmp = db.parent / f"floor_{i}{f.suffix}"
        if f.suffix == ".xlsx":
            import openpyxl  # DuckDB cannot load its excel extension here

            ws = openpyxl.load_workbook(f, read_only=True).worksheets[0]
            data = list(ws.iter_rows(values_only=True))
            rows += len(data) - 1
            continue
        if raw[:2] != b"{\"" and raw[:1] != b"[" and raw[1:2] == b"\x00":  # UTF-16
            tmp.write_text(raw.decode("utf-16-le"), encoding="utf-8")
        elif f.suffix == ".csv":
            tmp.write_text(raw.decode("utf-8", errors="replace") if b"\xe6" not in raw else raw.decode("cp1252"), encoding="utf-8")
        else:
            tmp.write_bytes(raw)
        if f.suffix == ".json":
            con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_json_auto('{tmp}', maximum_object_size=1000000000)")
        else:
            skip = 2 if raw[:2] == b"\"1" or raw.startswith(b's\x00e\x00p\x00') else 0
            con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{tmp}', skip={skip}, all_varchar=true, "
                        f"null_padding=true, ignore_errors=true)")
        rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - t0, rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="keep the generated files and database in this folder")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="oppvekst-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    files = generate(work / "extracts", "national")
    gen_s = time.perf_counter() - t0
    base = [f for f in files if "revisjon" not in str(f)]
    size_mb = sum(f.stat().st_size for f in base) / 1e6
    db = work / "national.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    result = load(base, db)
    load_s = time.perf_counter() - t0
    rows = sum(f.rows for f in result.files)
    t0 = time.perf_counter()
    load(base, db)  # idempotent reload
    reload_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor_s, floor_rows = floor(base, work / "floor.duckdb")
    out = {
        "files": len(base), "input_mb": round(size_mb, 1), "generate_s": round(gen_s, 1),
        "load_s": round(load_s, 1), "rows": rows, "rows_per_s": round(rows / load_s),
        "reload_unchanged_s": round(reload_s, 1), "db_mb": round(db.stat().st_size / 1e6, 1),
        "peak_rss_mb": round(peak_mb), "floor_duckdb_s": round(floor_s, 1), "floor_rows": floor_rows,
        "load_vs_floor": round(load_s / floor_s, 1),
    }
    for k, v in out.items():
        print(f"{k:>20}: {v}")
    print(json.dumps(out))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
