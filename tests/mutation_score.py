"""Summarise a `mutmut run` (mutants/*.meta) for `make mutation`: killed / total per module,
survivors listed by name. Not a test module (pytest collects test_*.py only).

Usage: python tests/mutation_score.py [--min 85] [PATTERN ...]
PATTERNs (fnmatch on mutant names) restrict the count, as they restrict `mutmut run`."""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

KILLED = {1, 3, 36, 24, -24, 152, 255}  # test failure, pytest internal error, timeouts


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min", type=float, default=85.0, help="fail below this percentage killed")
    ap.add_argument("patterns", nargs="*")
    args = ap.parse_args()
    results: dict[str, int | None] = {}
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        results.update(json.loads(meta.read_text())["exit_code_by_key"])
    if args.patterns:
        results = {k: v for k, v in results.items() if any(fnmatch.fnmatch(k, p) for p in args.patterns)}
    if not results:
        print("no mutants found: run `mutmut run` first", file=sys.stderr)
        return 2
    by_module: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for name, code in sorted(results.items()):
        module = name.split(".x_")[0].split(".xǁ")[0]
        status = (
            "killed"
            if code in KILLED
            else "survived"
            if code == 0
            else "no tests"
            if code in (5, 33)
            else "not checked"
            if code is None
            else f"other ({code})"
        )
        by_module[module][status] += 1
        if status != "killed":
            survivors.append(f"{name}: {status}")
    total = Counter()
    for module, c in sorted(by_module.items()):
        total += c
        n = sum(c.values())
        print(
            f"{module:28} {c['killed']:5}/{n:<5} killed ({100 * c['killed'] / n:5.1f} %)  "
            + ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k != "killed")
        )
    n = sum(total.values())
    score = 100 * total["killed"] / n
    print(f"{'TOTAL':28} {total['killed']:5}/{n:<5} killed ({score:5.1f} %)")
    if survivors:
        print("\nNot killed (see docs/testing.md for why each is equivalent; `mutmut show NAME` for the diff):")
        print("\n".join("  " + s for s in survivors))
    return 0 if score >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
