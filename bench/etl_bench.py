"""ETL benchmark at national scale (issue 9), in one run:

(a) the floor: DuckDB reading every input file from its original bytes (read_csv with the file's
    encoding and delimiter, read_json), and python-calamine for the XLSX - per file, with rows;
(b) load: parse, validate, harmonise and write, without the marts;
(c) marts: ``build_marts`` on the loaded database;
(d) load + marts as ``python -m etl load`` runs them, in a fresh process;
(e) peak RSS of each of (b)+(c) and (d), each in its own process;
(f) the half set (every second kommune) against the full one, to show how cost grows;
(g) loading one new file (KOSTRA's June revision) into the national database, marts included.

With ``--compare`` it also holds the fast scorecard to the frozen row-by-row reference
(tests/reference_scorecard.py) on the national database.

    .venv/bin/python bench/etl_bench.py [--keep DIR] [--reuse] [--only national] [--compare]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb

PHASES = """
import json, sys, time
sys.path.insert(0, {root!r})
import duckdb
from etl.store import load
from oppvekst.marts import build_marts
files = json.loads(sys.argv[1])
t0 = time.perf_counter()
result = load(files, sys.argv[2])
t1 = time.perf_counter()
con = duckdb.connect(sys.argv[2])
build_marts(con)
con.execute("CHECKPOINT")
con.close()
t2 = time.perf_counter()
print(json.dumps({{"load_s": t1 - t0, "marts_s": t2 - t1, "rows": sum(f.rows for f in result.files)}}))
"""


WRAPPER = (  # runs one command and prints its own peak RSS: each figure belongs to that command alone
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
)


def measured(cmd: list[str]) -> tuple[float, float, str]:
    """Run a command in a child; return (wall seconds, that command's peak RSS in MB, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, cwd=ROOT)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed:\n{proc.stderr[-3000:]}")
    lines = proc.stdout.strip().splitlines()
    peak = int(lines[-1].split()[1]) / 1024
    return secs, peak, "\n".join(lines[:-1])


def floor(files: list[Path], work: Path) -> tuple[float, list[dict]]:
    """DuckDB alone on the original bytes; calamine for the XLSX. Windows-1252 (which DuckDB
    cannot decode) is decoded in Python and counted in the floor."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    per_file = []
    total = 0.0
    for i, f in enumerate(files):
        t0 = time.perf_counter()
        raw = f.read_bytes()
        if f.suffix == ".xlsx":
            from python_calamine import CalamineWorkbook

            rows = len(CalamineWorkbook.from_path(str(f)).get_sheet_by_index(0).to_python()) - 1
        elif f.suffix == ".json":  # parsed objects (json-stat: its values; a record array: its records)
            objects, values = con.execute(
                f"SELECT count(*), sum(coalesce(json_array_length(json->'value'), 0)) "
                f"FROM read_json_objects('{f}', format='auto', maximum_object_size=1000000000)"
            ).fetchone()
            rows = int(values) or objects
        else:
            if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw[1:2] == b"\x00":
                encoding, text = "utf-16", raw.decode("utf-16")
                source = str(f)
            else:
                try:
                    text, encoding, source = raw.decode("utf-8"), "utf-8", str(f)
                except UnicodeDecodeError:  # Windows-1252: DuckDB has no decoder for it here
                    text, encoding = raw.decode("cp1252"), "utf-8"
                    source = str(work / f"floor_{i}.csv")
                    Path(source).write_text(text, encoding="utf-8")
            lines = text.lstrip("\ufeff").splitlines()
            skip = 1 if lines[0].startswith("sep=") else 0
            if lines[0].startswith('"') and len(lines) > 1 and not lines[1].strip():  # SSB title + blank
                skip = 2
            header = lines[skip]
            sep = "\t" if "\t" in header else ";" if header.count(";") > header.count(",") else ","
            rows = con.execute(
                f"SELECT count(*) FROM read_csv('{source}', encoding='{encoding}', skip={skip}, delim='{sep}', "
                f"header=true, all_varchar=true, null_padding=true, strict_mode=false)"
            ).fetchone()[0]
        secs = time.perf_counter() - t0
        total += secs
        per_file.append({"file": f.name, "floor_s": round(secs, 2), "rows": rows, "mb": round(len(raw) / 1e6, 1)})
    con.close()
    return total, per_file


def python_cmd(*args: str) -> list[str]:
    return [sys.executable, *args]


def bench_set(name: str, files: list[Path], work: Path) -> dict:
    floor_s, per_file = floor(files, work)
    print(f"[{name}] floor: {floor_s:.1f} s for {sum(f['rows'] for f in per_file)} rows", flush=True)
    for f in per_file:
        print(f"    {f['file']:<45} {f['mb']:>7} MB {f['rows']:>9} rows {f['floor_s']:>6} s", flush=True)
    db = work / f"{name}_phases.duckdb"
    db.unlink(missing_ok=True)
    _secs, peak_phases, out = measured(
        python_cmd("-c", PHASES.format(root=str(ROOT)), json.dumps([str(f) for f in files]), str(db))
    )
    phases = json.loads(out.strip().splitlines()[-1])
    print(
        f"[{name}] load {phases['load_s']:.1f} s + marts {phases['marts_s']:.1f} s, {phases['rows']} rows "
        f"(peak {peak_phases:.0f} MB)",
        flush=True,
    )
    cli_db = work / f"{name}.duckdb"
    cli_db.unlink(missing_ok=True)
    cli_s, cli_peak, _ = measured(python_cmd("-m", "etl", "load", *map(str, files), "--db", str(cli_db)))
    print(f"[{name}] python -m etl load (with marts): {cli_s:.1f} s, peak {cli_peak:.0f} MB", flush=True)
    return {
        "set": name,
        "rows": phases["rows"],
        "input_mb": round(sum(f["mb"] for f in per_file), 1),
        "floor_s": round(floor_s, 1),
        "load_s": round(phases["load_s"], 1),
        "marts_s": round(phases["marts_s"], 1),
        "cli_load_and_marts_s": round(cli_s, 1),
        "cli_peak_rss_mb": round(cli_peak),
        "cli_vs_floor": round(cli_s / floor_s, 1),
        "phases_peak_rss_mb": round(peak_phases),
        "db": str(cli_db),
        "per_file": per_file,
    }


def extracts(work: Path, scale: str, reuse: bool) -> list[Path]:
    from samplegen import generate

    folder = work / scale / "extracts"
    if reuse and folder.exists():
        files = sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".json", ".xlsx"))
    else:
        t0 = time.perf_counter()
        files = generate(folder, scale)
        print(f"[{scale}] generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return files


def compare(db: str) -> dict:
    """The fast scorecard against the frozen row-by-row reference, on this database."""
    code = f"""
import json, sys
sys.path[:0] = [{str(ROOT / "tests")!r}, {str(ROOT)!r}]
import duckdb
from test_scorecard_identity import KEY, differing, ordered
from reference_scorecard import reference_scorecard
from oppvekst.scorecard import COLUMNS, compute_scorecard
con = duckdb.connect({db!r}, read_only=True)
values = con.execute("SELECT m.*, a.parent_code FROM mart_indicator_values m LEFT JOIN areas a USING (area_code)").df()
ind = con.execute("SELECT * FROM indicators").df()
ref = ordered(reference_scorecard(values.drop(columns="parent_code"), ind))
fast = ordered(compute_scorecard(values, ind, school_sums=False, school_verdicts=True))
new = ordered(compute_scorecard(values, ind))
hid = lambda d: set(map(tuple, d.loc[~d["shown"].astype(bool), KEY].to_numpy()))
print(json.dumps({{"rows": len(ref), "identical_columns_differing": differing(ref, fast, COLUMNS) if len(ref) == len(fast) else "row count",
                  "hidden_before": len(hid(ref)), "hidden_now": len(hid(new)), "superset": hid(ref) <= hid(new),
                  "newly_hidden_levels": sorted(set(new.set_index(KEY).loc[list(hid(new) - hid(ref)), "area_level"]))}}))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="keep the generated files and databases in this folder")
    ap.add_argument("--reuse", action="store_true", help="with --keep: reuse extracts generated by an earlier run")
    ap.add_argument("--only", choices=["half", "national"], help="measure one set only")
    ap.add_argument("--compare", action="store_true", help="also compare with the row-by-row reference")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="oppvekst-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    for scale in [args.only] if args.only else ["half", "national"]:
        files = extracts(work, scale, args.reuse)
        base = [f for f in files if "revisjon" not in str(f)]
        results[scale] = bench_set(scale, base, work)
    if "national" in results:
        nat = results["national"]
        revision = [f for f in extracts(work, "national", True) if "revisjon" in str(f)]
        one_s, _, _ = measured(python_cmd("-m", "etl", "load", *map(str, revision), "--db", nat["db"]))
        nat["one_new_file_s"] = round(one_s, 1)
        print(f"[national] one new file into the national database (marts included): {one_s:.1f} s", flush=True)
        if args.compare:
            nat["compare"] = compare(nat["db"])
            print(f"[national] compare: {nat['compare']}", flush=True)
    if "half" in results and "national" in results:
        h, n = results["half"], results["national"]
        print(
            f"growth half → full: rows ×{n['rows'] / h['rows']:.2f}, load ×{n['load_s'] / h['load_s']:.2f}, "
            f"marts ×{n['marts_s'] / h['marts_s']:.2f}, CLI ×{n['cli_load_and_marts_s'] / h['cli_load_and_marts_s']:.2f}"
        )
    for r in results.values():
        print(json.dumps({k: v for k, v in r.items() if k != "per_file"}))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
