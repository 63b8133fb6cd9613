"""The yearly status report from the command line:

    python -m oppvekst.report --omrade 4601 --aar 2025 --format pdf --out rapport.pdf
    python -m oppvekst.report --omrade 460107 --aar 2025 --format docx

The database is opened read-only (``oppvekst.db.Database``: a load may swap a new file in while
the report is made; the report reads one version). Its path: ``--db``, else ``OPPVEKST_DB``, else
data/oppvekst.duckdb. Exit codes: 0 done, 2 the report cannot be made as asked (the message says
why and what can be asked for)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from oppvekst.db import Database, db_path
from oppvekst.report import FORMATS, ReportError, build_report, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m oppvekst.report",
        description="Lager den årlige statusrapporten (PDF eller Word) for en kommune eller bydel.",
    )
    parser.add_argument("--omrade", required=True, help="kommune- eller bydelsnummer, f.eks. 4601 eller 460107")
    parser.add_argument(
        "--aar", required=True, type=int, help="rapportåret: tall for perioder som slutter da eller før"
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="pdf", help="pdf (standard) eller docx (Word)")
    parser.add_argument("--out", help="filen som skal skrives (standard: statusrapport_OMRÅDE_ÅR.pdf/.docx)")
    parser.add_argument("--db", help="databasen (standard: OPPVEKST_DB eller data/oppvekst.duckdb)")
    args = parser.parse_args(argv)

    path = db_path(args.db)
    if not path.exists():
        print(
            f"Feil: fant ingen database ({path}). Bygg den med `make db` eller last inn uttrekk med "
            "`python -m etl load FIL…`, eller oppgi en annen med --db.",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    db = Database(path)
    try:
        with db.pin() as pin, pin.cursor() as con:
            report = build_report(con, args.omrade.strip(), args.aar)
    except ReportError as e:
        print(f"Feil: {e}", file=sys.stderr)
        return 2
    finally:
        db.close()
    data = render(report, args.format)
    out = Path(args.out or f"{report.file_stem}.{FORMATS[args.format][1]}")
    out.write_bytes(data)
    print(
        f"Skrev {out} ({len(data) / 1024:.0f} kB, {len(report.goals)} mål, "
        f"{sum(len(g.indicators) for g in report.goals)} indikatorer) på {time.perf_counter() - start:.1f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
