"""Calibration of the effect estimators (issue 17), the full run.

Simulated panels - 20 schools × 8 school years of a share, n 30-200 per school-year, spread
between schools, shocks common to all schools each year (``oppvekst.effect.calibration``) - run
through ``oppvekst.effect.estimate`` exactly as the page runs it (999 random assignments, or
all of them when there are at most 2 000). Prints, per design:

- with no true effect: how often «sikker effekt» (verdict "effect") is claimed, how often p ≤ 5 %,
  how often the 95 % interval covers 0, how often the pre-trend check fires;
- with a true effect: power and coverage;
- the same null panels tested with standard errors clustered by school (what the module does
  not do), for comparison;
- designs where the treated schools are not chosen at random: the smallest schools, and the
  schools with the worst year just before the start (regression to the mean);
- whether the minimum detectable effect, computed from the years before the start only, is
  found about 80 % of the time.

    .venv/bin/python bench/effect_calibration.py                # 1 000 panels per design
    .venv/bin/python bench/effect_calibration.py --panels 300   # quicker

Not a test (tests/test_effect.py holds the module to a smaller run); the figures go in
docs/methods.md, «Effekt av tiltak».
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from oppvekst.effect.calibration import Design, calibrate, mde_check, simulate_panel


def cluster_robust_rate(design: Design, panels: int, seed: int) -> float:
    """Share of null panels where a t test with standard errors clustered by school (CR1,
    statsmodels) rejects at 5 %: the textbook method the module refuses with few treated units."""
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(seed)
    rejected = 0
    for _ in range(panels):
        d = simulate_panel(design, rng)
        d = d.assign(y=100 * d["x"] / d["n"], D=((d["period"] >= d["start"]) & d["start"].notna()).astype(float))
        m = smf.wls("y ~ D + C(unit) + C(period)", d, weights=d["n"]).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(d["unit"])[0]}, use_t=True
        )
        rejected += m.pvalues["D"] <= 0.05
    return rejected / panels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--panels", type=int, default=1000)
    ap.add_argument("--draws", type=int, default=999)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    P = args.panels
    t0 = time.perf_counter()
    null = [
        Design(1),
        Design(3),
        Design(10),
        Design(3, staggered=True),
        Design(10, staggered=True),
    ]
    stress = [Design(1, choose="smallest"), Design(3, choose="smallest"), Design(3, choose="worst")]
    effect = [
        Design(1, effect=5.0),
        Design(3, effect=3.0),
        Design(3, effect=5.0),
        Design(3, effect=8.0),
        Design(10, effect=3.0),
        Design(10, effect=5.0),
        Design(3, staggered=True, effect=5.0),
    ]
    out = {"panels": P, "draws": args.draws, "null": [], "stress": [], "effect": []}
    header = (
        f"{'design':58s} {'effect':>7s} {'p≤5 %':>7s} {'covers':>7s} {'pretrend':>8s} {'mean':>6s} {'width':>6s}  s"
    )
    for name, designs in (("null", null), ("stress", stress), ("effect", effect)):
        print(
            f"\n{name}: {P} panels per design, {args.draws} random assignments (MC error of 5 %: ±{np.sqrt(0.0475 / P):.3f})"
        )
        print(header)
        for i, d in enumerate(designs):
            c = calibrate(d, P, seed=args.seed + 100 * i + len(out[name]), draws=args.draws)
            out[name].append(asdict(c))
            label = d.label + (f", true effect {d.effect:g} pp" if d.effect else "")
            print(
                f"{label:58s} {c.effect_rate:7.3f} {c.rejection_rate:7.3f} {c.coverage:7.3f} {c.pretrend_rate:8.3f} "
                f"{c.mean_estimate:6.2f} {c.mean_width:6.1f} {c.seconds:4.0f}",
                flush=True,
            )
    for c in out["null"]:
        c["mc_error"] = float(np.sqrt(0.05 * 0.95 / P))
    pooled_cov = np.mean([c["coverage"] for c in out["null"] + out["effect"]])
    print(f"\nmean coverage over the null and effect designs: {pooled_cov:.3f}")

    cr = cluster_robust_rate(Design(3), min(P, 500), args.seed + 7)
    cr10 = cluster_robust_rate(Design(10), min(P, 500), args.seed + 8)
    out["cluster_robust"] = {"3 of 20": cr, "10 of 20": cr10}
    print(f"\ncluster-robust t test (CR1, by school), no effect: 3 of 20 rejects {cr:.3f}, 10 of 20 {cr10:.3f}")

    checks = []
    for d in (Design(1), Design(3), Design(10)):
        m = mde_check(d, max(P // 5, 50), seed=args.seed + 9, draws=args.draws)
        checks.append(asdict(m))
        print(
            f"minimum detectable effect, {d.label}: mean {m.mean_mde:.1f} pp; an effect of that size found "
            f"{m.power_at_mde:.3f} («sikker effekt»), p ≤ 5 % {m.rejection_at_mde:.3f} ({m.panels} panels, {m.seconds:.0f} s)",
            flush=True,
        )
    out["mde"] = checks
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    print(json.dumps(out, default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else float(o)))


if __name__ == "__main__":
    main()
