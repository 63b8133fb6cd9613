"""FHI statistikkbank (Kommunehelsa, Ungdata) API CSV: ``csv3`` (codes) or ``csv2`` (labels),
``;`` separated UTF-8, one row per cell: GEO;AAR;KJONN;TRINN|ALDER;[SPM_ID;]MEASURE_TYPE;
VALUE;FLAG. Pooled periods are coded ``2021_2023``. Without a SPM_ID column the measure is
named by the file name (FHI's own download is ``Table_<id>``)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from etl.loaders import Extract, RowBuilder
from etl.problems import Collector
from etl.values import (
    FHI_FLAGS,
    ValueProblem,
    age_range,
    decode_text,
    parse_cell,
    parse_gender,
    parse_grade,
    parse_period,
)

FORMAT = "FHI statistikkbank CSV (csv2/csv3)"
ALIASES = {
    "geografi": "GEO",
    "år": "AAR",
    "kjønn": "KJONN",
    "trinn": "TRINN",
    "alder": "ALDER",
    "spørsmål": "SPM_ID",
    "måltall": "MEASURE_TYPE",
    "verdi": "VALUE",
    "flagg": "FLAG",
}
KNOWN = {
    "GEO",
    "AAR",
    "KJONN",
    "TRINN",
    "ALDER",
    "SPM_ID",
    "MEASURE_TYPE",
    "VALUE",
    "FLAG",
    "UTDANN",
    "LANDBAK",
    "INNVKAT",
}
REQUIRED = ["GEO", "AAR", "VALUE"]
N_TYPES = {"NEVNER", "SUMNEVNER"}
MEASURE_NAMES = {"MEIS": "andel, glattet", "RATE": "andel", "TELLER": "antall", "SMR": "SMR"}


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    if text is None:
        return False
    head = text.lstrip("\ufeff").split("\n", 1)[0].upper()
    return head.startswith("GEO;") or head.startswith('"GEO";') or head.startswith("GEOGRAFI;")


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    text, _ = decode_text(raw)
    reader = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    if not reader:
        raise errs.fail("", "the file is empty", "Download the table again from FHI's statistikkbank (csv3).")
    header = [ALIASES.get(h.strip().lower(), h.strip().upper()) for h in reader[0]]
    unknown = [h for h in header if h not in KNOWN]
    missing = [h for h in REQUIRED if h not in header]
    if unknown:
        errs.add(
            "line 1",
            f"unknown column(s): {', '.join(unknown)}",
            f"Expected the FHI API columns {', '.join(sorted(KNOWN))}.",
        )
    if missing:
        errs.add(
            "line 1",
            f"missing column(s): {', '.join(missing)}",
            "Download with the csv3 (codes) or csv2 (labels) format of FHI's API.",
        )
    errs.check()
    idx = {h: i for i, h in enumerate(header)}
    stem = Path(name).stem
    has_grade = "TRINN" in idx
    source = "ungdata" if (has_grade or "SPM_ID" in idx or "ungdata" in name.lower()) else "fhi"
    rb = RowBuilder(source=source, table_id=(re.search(r"(\d+)", stem) or [None, ""])[1])
    denominators: dict[tuple, float | None] = {}
    keys: list[tuple] = []
    for ln, row in enumerate(reader[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            errs.add(
                f"line {ln}",
                f"the row has {len(row)} cells, the header {len(header)}",
                "The file looks cut off or edited; download it again.",
            )
            continue
        get = lambda c: row[idx[c]].strip() if c in idx else ""
        problems_before = len(errs.problems)

        def field(column, parse, raw):
            try:
                return parse(raw)
            except ValueProblem as e:  # every field is checked, so a row reports all its problems
                errs.add(
                    f"line {ln}, column {column}",
                    str(e),
                    "Load the file as FHI's API delivers it (csv3 codes or csv2 labels).",
                )
                return None

        per = field("AAR", parse_period, get("AAR"))
        gender = field("KJONN", parse_gender, get("KJONN") or "0")
        grade = field("TRINN", parse_grade, get("TRINN") or "alle")
        flag = get("FLAG")
        value, sym, suppressed = None, "", False
        if flag:
            if flag in FHI_FLAGS:
                sym, suppressed, _ = FHI_FLAGS[flag]
            else:
                errs.add(
                    f"line {ln}, column FLAG",
                    f"'{flag}' is not one of FHI's flags 1-4",
                    "FLAG is empty for a value, or 1 (..), 2 (.), 3 (:), 4 (-).",
                )
        else:
            cell = field("VALUE", lambda t: parse_cell(t, {}), get("VALUE"))
            if cell is None and len(errs.problems) == problems_before:
                continue  # an empty cell: no data, no row
            value = cell.value if cell else None
        if len(errs.problems) > problems_before:
            continue
        mt = get("MEASURE_TYPE")
        base = get("SPM_ID") or stem
        if mt.upper() in N_TYPES:  # the denominator: n of the other measures of this cell
            denominators[(base, get("GEO"), per.label, gender, grade, get("ALDER"))] = value
            continue
        age = age_range(get("ALDER")) if get("ALDER") not in ("0", "alle") else None
        brk = [f"alder={age}"] if age else []
        rb.add(
            measure_code=f"{base}:{mt}" if mt else base,
            measure_name=f"{base} ({MEASURE_NAMES.get(mt, mt)})" if mt else base,
            unit="prosent" if mt in ("MEIS", "RATE") else ("antall" if mt == "TELLER" else ""),
            source_area_code=get("GEO") if re.fullmatch(r"\d+", get("GEO")) else "",
            source_area_name="" if re.fullmatch(r"\d+", get("GEO")) else get("GEO"),
            period=per.label,
            gender=gender,
            grade=grade,
            breakdown=";".join(brk),
            value=value,
            suppressed=suppressed,
            symbol=sym,
            line=ln,
        )
        keys.append((base, get("GEO"), per.label, gender, grade, get("ALDER")))
    errs.check()
    df = rb.frame()
    if denominators:
        df["n"] = pd.array([denominators.get(k) for k in keys], dtype="float64")
    return Extract(FORMAT, source, df)
