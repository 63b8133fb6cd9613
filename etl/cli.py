"""Command line: ``python -m etl load FILE... [--db PATH]`` and ``python -m etl sample``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.problems import InputError


def _progress(total: int):
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, desc="Reading", unit="file", disable=None, file=sys.stderr, leave=False)


def cmd_load(args) -> int:
    from etl.store import load_and_build

    files = [Path(f) for f in args.files]
    missing = [f for f in files if not f.exists()]
    if missing:
        for f in missing:
            print(f"error: {f}: no such file. Check the path (quote names with spaces).", file=sys.stderr)
        print("Nothing was loaded and the database is unchanged.", file=sys.stderr)
        return 2
    bar = _progress(len(files))
    try:
        result = load_and_build(files, args.db, progress=bar)
    except InputError as e:
        if bar:
            bar.close()
        print(e.render(), file=sys.stderr)
        return 1
    if bar:
        bar.close()
    print(result.summary())
    return 0


def cmd_sample(args) -> int:
    from etl.sample import build_sample

    try:
        print(build_sample(args.db))
    except InputError as e:
        print(e.render(), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m etl", description="Load publishers' extracts into the Oppvekstmonitor database."
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("load", help="load one or more extracts (all or nothing)")
    lp.add_argument("files", nargs="+", help="files as downloaded from SSB, Udir, FHI, or the fravær template")
    lp.add_argument("--db", help="database file (default data/oppvekst.duckdb, or $OPPVEKST_DB)")
    lp.set_defaults(func=cmd_load)
    sp = sub.add_parser("sample", help="build the database from the sample extracts in data/sample/")
    sp.add_argument("--db", help="database file (default data/oppvekst.duckdb)")
    sp.set_defaults(func=cmd_sample)
    args = ap.parse_args(argv)
    return args.func(args)
