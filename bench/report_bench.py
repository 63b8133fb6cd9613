"""The yearly status report (issue 11): time to build and render a kommune's report as PDF and as
Word, in a fresh process, on the sample database (built in a temp dir unless ``--db`` is given).

    .venv/bin/python bench/report_bench.py                      # Bergen, 2025, 3 runs each
    .venv/bin/python bench/report_bench.py --db data/oppvekst.duckdb --omrade 460107 --runs 5

Per step the median and the slowest of the runs: ``build`` (the målekart, the sentences and one
SVG chart per indicator), ``pdf`` (WeasyPrint), ``docx`` (python-docx, the charts as PNG by
CairoSVG), and the whole PDF and Word report (build + render). Target: ≤ 10 s for the PDF of a
kommune with ~20 indicators. Prints a table and one JSON line. Not a test: it measures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--db", help="the database (default: the sample, built in a temp dir)")
    parser.add_argument("--omrade", default="4601")
    parser.add_argument("--aar", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    if args.db:
        db = Path(args.db)
    else:
        from etl.sample import build_sample

        db = Path(tempfile.mkdtemp(prefix="report-bench-")) / "oppvekst.duckdb"
        t = time.perf_counter()
        build_sample(db)
        print(f"sample database built in {time.perf_counter() - t:.1f} s: {db}")

    t = time.perf_counter()
    from oppvekst.db import connect_readonly
    from oppvekst.report import build_report, render_docx, render_pdf

    imports = time.perf_counter() - t
    times: dict[str, list[float]] = {"build": [], "pdf": [], "docx": []}
    sizes = {}
    con = connect_readonly(db)
    try:
        for _ in range(args.runs):
            t0 = time.perf_counter()
            report = build_report(con, args.omrade, args.aar)
            t1 = time.perf_counter()
            pdf = render_pdf(report)
            t2 = time.perf_counter()
            word = render_docx(report)
            t3 = time.perf_counter()
            times["build"].append(t1 - t0)
            times["pdf"].append(t2 - t1)
            times["docx"].append(t3 - t2)
            sizes = {"pdf_kb": round(len(pdf) / 1024), "docx_kb": round(len(word) / 1024)}
    finally:
        con.close()
    times["PDF report (build + pdf)"] = [b + p for b, p in zip(times["build"], times["pdf"])]
    times["Word report (build + docx)"] = [b + d for b, d in zip(times["build"], times["docx"])]
    indicators = sum(len(g.indicators) for g in report.goals)
    print(f"\n{report.title}: {indicators} indicators, {len(report.goals)} goals; imports {imports:.2f} s")
    print(f"{'step':<28}{'median s':>10}{'max s':>8}")
    for step, values in times.items():
        print(f"{step:<28}{statistics.median(values):>10.2f}{max(values):>8.2f}")
    pdf_median = statistics.median(times["PDF report (build + pdf)"])
    print(f"target: PDF ≤ 10 s - {'met' if pdf_median <= 10 else 'NOT met'} ({pdf_median:.2f} s)")
    summary = {
        "area": args.omrade,
        "year": args.aar,
        "indicators": indicators,
        "runs": args.runs,
        "imports_s": round(imports, 2),
        **{k: round(statistics.median(v), 2) for k, v in times.items()},
        **sizes,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
