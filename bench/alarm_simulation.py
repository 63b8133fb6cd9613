"""False alarms and power of a whole målekart page (issue 18), by simulation.

Runs simulated pages - 19 proportion indicators × a kommune and its 8 bydeler, n 150-3 000 per
bydel - through the project's own verdict functions (``oppvekst.simulation.simulate_pages``):
first pages where nothing happens, then pages with 3 real deteriorations of 5 prosentpoeng at
n = 3 000. Prints what one look at 95 % per test would claim, what the page claims after
Benjamini-Hochberg over the family, and how often each planted deterioration is found.

    .venv/bin/python bench/alarm_simulation.py            # 2 000 null pages, 1 000 with signals
    .venv/bin/python bench/alarm_simulation.py --pages 500

Not a test (tests/test_alarms.py holds the page to its limits); the figures go in docs/methods.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from oppvekst.simulation import Signal, simulate_pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    t = time.perf_counter()
    null = simulate_pages(args.pages, seed=args.seed)
    signals = (Signal(0, 1), Signal(5, 3), Signal(10, 6))
    power = simulate_pages(max(args.pages // 2, 100), signals, seed=args.seed + 1)
    print(f"Null pages: {null.pages}, on average {null.tests_per_page:.0f} tests per page")
    print("                                        one look at 95 %   page-wide (BH 5 %)")
    print(
        f"  false «sikker forbedring/forverring»  {null.single_change_claims:8.2f}           {null.page_change_claims:8.3f}"
    )
    print(
        f"  false «bedre/dårligere»               {null.single_benchmark_claims:8.2f}           {null.page_benchmark_claims:8.3f}"
    )
    print(f"  false «nådd/ikke på vei» (page)                          {null.page_target_claims:8.3f}")
    print(
        f"  pages with a non-empty attention list {null.single_attention_share:8.1%}           {null.attention_share:8.1%}"
    )
    print(f"Pages with 3 real deteriorations of 5 prosentpoeng at n = 3 000: {power.pages}")
    for s, f, c in zip(signals, power.found, power.found_as_change):
        print(
            f"  indicator {s.indicator:2d}, bydel {s.area}: on the attention list {f:6.1%}, as «sikker forverring» {c:6.1%}"
        )
    print(f"({time.perf_counter() - t:.0f} s)")
    print(json.dumps({"null": asdict(null), "power": asdict(power)}, default=float))


if __name__ == "__main__":
    main()
