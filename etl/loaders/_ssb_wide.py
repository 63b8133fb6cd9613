"""SSB statbank tables as CSV: optional title line, a header whose first columns are the stub
variables (region first) and whose other columns join the heading variables with the
period last (``"Sysselsatte personer bosatt i regionen 2021"``), or a long table with a
period column. Shared by the web download and PxWebApi v2 CSV loaders."""

from __future__ import annotations

import csv
import io
import re

from etl.loaders import Extract, RowBuilder
from etl.problems import Collector
from etl.values import SSB_SYMBOLS, ValueProblem, parse_cell, parse_gender, parse_period, unit_from_name

_PERIOD_TAIL = re.compile(r"^(.*?)\s*(\d{4}(?:-\d{2,4})?|\d{4}M\d{2})$")
_REGION_CELL = re.compile(r"^(\d{1,9}[a-z]?|EAKUO|EAK|EKA\d{2}|EKG\d{2})(?:\s+-\s+|\s+)(.+)$")
_REGION_CODE = re.compile(r"^(\d{1,9}[a-z]?|EAKUO|EAK|EKA\d{2}|EKG\d{2})$")
_TITLE = re.compile(r"^\s*(\d{4,6})\s*:\s*(.*)$")
PERIOD_STUBS = {"år", "tid", "year", "periode", "kvartal", "måned"}
MEASURE_STUBS = {"statistikkvariabel", "contentscode", "contents"}
GENDER_STUBS = {"kjønn", "kjonn", "sex"}


def is_kostra(title: str, text: str) -> bool:
    return "(K)" in title or "KOSTRA" in title.upper() or bool(re.search(r'"?(EAK|EKG\d{2}|EKA\d{2})\b', text[:20000]))


def split_region(cell: str) -> tuple[str, str]:
    cell = cell.strip()
    if m := _REGION_CELL.match(cell):
        return m[1], m[2].strip()
    if _REGION_CODE.match(cell):
        return cell, ""
    return "", cell


def parse_table(lines: list[str], first_line: int, sep: str, title: str, fmt: str, errs: Collector) -> Extract:
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise errs.fail(
            "",
            "the table has a header but no data rows",
            "Choose at least one region and year in Statistikkbanken and download again.",
        )
    header = [h.strip() for h in rows[0]]
    low = [h.lower() for h in header]
    m = _TITLE.match(title)
    table_id = m[1] if m else ""
    source = "kostra" if is_kostra(title, "\n".join(lines[:50])) else "ssb"
    stubs = []
    for i, h in enumerate(low):
        if i == 0 or h in PERIOD_STUBS | MEASURE_STUBS | GENDER_STUBS or not _PERIOD_TAIL.match(header[i]):
            stubs.append(i)
        else:
            break
    value_cols = [i for i in range(len(header)) if i not in stubs]
    long_period = next((i for i in stubs if low[i] in PERIOD_STUBS), None)
    measure_stub = next((i for i in stubs if low[i] in MEASURE_STUBS), None)
    if not value_cols:
        raise errs.fail(
            f"line {first_line}",
            "no value columns after the stub columns",
            "Download the table with the years (and statistikkvariabel) as column headings.",
        )
    heads = {}
    for i in value_cols:
        if long_period is not None:
            heads[i] = (header[i], None)
            continue
        pm = _PERIOD_TAIL.match(header[i])
        if not pm:
            errs.add(
                f"line {first_line}, column {i + 1}",
                f"heading '{header[i]}' does not end with a year",
                "Download with 'år' among the column headings, as Statistikkbanken does by default.",
            )
            continue
        heads[i] = (pm[1].strip(), pm[2])
    errs.check()
    rb = RowBuilder(source=source, table_id=table_id)
    for ri, r in enumerate(rows[1:], start=first_line + 1):
        if len(r) != len(header):
            errs.add(
                f"line {ri}",
                f"the row has {len(r)} cells, the header {len(header)}",
                "The file looks cut off or edited; download it again.",
            )
            continue
        code, name = split_region(r[0])
        gender, brk, measure_from_stub, period = "alle", [], None, None
        try:
            for i in stubs[1:]:
                v = r[i].strip()
                if low[i] in GENDER_STUBS:
                    gender = parse_gender(v)
                elif i == measure_stub:
                    measure_from_stub = v
                elif i == long_period:
                    period = v
                elif v and not v.lower().startswith(("alle", "i alt", "begge")):
                    brk.append(f"{low[i]}={v}")
        except ValueProblem as e:
            errs.add(f"line {ri}", str(e), "Load the file unchanged from Statistikkbanken.")
            continue
        for i in value_cols:
            measure, per = heads[i]
            if measure_from_stub:
                measure = (
                    measure_from_stub if not measure or long_period is not None else f"{measure_from_stub} {measure}"
                )
            per = period or per
            try:
                cell = parse_cell(r[i], SSB_SYMBOLS)
                parse_period(per)
            except ValueProblem as e:
                errs.add(
                    f"line {ri}, column '{header[i]}'",
                    str(e),
                    "Values must be numbers (decimal comma or point) or SSB's symbols (.. : . ...).",
                )
                continue
            if cell is None:
                continue
            mcode, _, mname = (
                measure.partition(" ") if re.match(r"^[A-Z][A-Za-z]+\d{4}\s", measure) else (measure, "", measure)
            )
            rb.add(
                measure_code=mcode,
                measure_name=mname or mcode,
                unit=unit_from_name(mname or mcode),
                source_area_code=code,
                source_area_name=name,
                period=per,
                gender=gender,
                breakdown=";".join(brk),
                value=cell.value,
                suppressed=cell.suppressed,
                symbol=cell.symbol,
                line=ri,
            )
    errs.check()
    return Extract(fmt, source, rb.frame(), title=title)
