"""FHI statistikkbank (Kommunehelsa, Ungdata) API CSV: ``csv3`` (codes) or ``csv2`` (labels),
``;`` separated UTF-8, one row per cell: GEO;AAR;KJONN;TRINN|ALDER;[SPM_ID;]MEASURE_TYPE;
VALUE;FLAG. Pooled periods are coded ``2021_2023``. Without a SPM_ID column the measure is
named by the file name (FHI's own download is ``Table_<id>``)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from etl.loaders import Coded, Extract, coded, columns_frame, combine, parse_each
from etl.problems import Collector
from etl.values import (
    FHI_FLAGS,
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
    table_id = (re.search(r"(\d+)", stem) or [None, ""])[1]

    # Rows of the header's width become columns; blank rows are skipped, others refused.
    width = len(header)
    body = reader[1:]
    del reader
    short: dict[int, int] = {}  # line -> cells, for rows of another width that are not blank
    lines = []
    rows = []
    for ln, row in enumerate(body, start=2):
        if len(row) == width:
            rows.append(row)
            lines.append(ln)
        elif any(c.strip() for c in row):
            short[ln] = len(row)
    del body
    nrow = len(rows)
    cols = [coded(c) for c in zip(*rows)] if nrow else [Coded(np.zeros(0, dtype=np.intp), [])] * width
    del rows
    line = np.array(lines, dtype=np.int64)
    nothing = Coded(np.zeros(nrow, dtype=np.intp), [""])
    get = lambda c: cols[idx[c]] if c in idx else nothing
    blank = np.ones(nrow, dtype=bool)
    for c in cols:
        blank &= np.array([v == "" for v in c.values], dtype=bool)[c.codes] if c.values else True

    # Every distinct text parsed once; every field of a row is checked, so a row reports all
    # its problems (in the order AAR, KJONN, TRINN, FLAG or VALUE).
    per, m_per = parse_each(get("AAR"), lambda t: parse_period(t).label)
    gender, m_gender = parse_each(get("KJONN"), lambda t: parse_gender(t or "0"))
    grade, m_grade = parse_each(get("TRINN"), lambda t: parse_grade(t or "alle"))
    flags = get("FLAG")
    has_flag = np.array([v != "" for v in flags.values], dtype=bool)[flags.codes]
    flag_known = np.array([v in FHI_FLAGS for v in flags.values], dtype=bool)[flags.codes]
    cell, m_value = parse_each(get("VALUE"), lambda t: parse_cell(t, {}))
    m_value = np.where(has_flag, None, m_value)
    m_flag = np.where(has_flag & ~flag_known, "flag", None)
    problem = (m_per != None) | (m_gender != None) | (m_grade != None) | (m_flag != None) | (m_value != None)  # noqa: E711
    problem &= ~blank
    no_cell = np.array([c is None for c in cell.values], dtype=bool)[cell.codes]
    empty = ~has_flag & no_cell & ~problem  # an empty cell: no data, no row
    for ln in sorted(set(short) | set(line[problem].tolist())):
        if ln in short:
            errs.add(
                f"line {ln}",
                f"the row has {short[ln]} cells, the header {width}",
                "The file looks cut off or edited; download it again.",
            )
            continue
        i = int(np.searchsorted(line, ln))
        for column, m in (("AAR", m_per), ("KJONN", m_gender), ("TRINN", m_grade)):
            if m[i] is not None:
                errs.add(f"line {ln}, column {column}", m[i], FIX)
        if m_flag[i] is not None:
            flag = flags.values[flags.codes[i]]
            errs.add(
                f"line {ln}, column FLAG",
                f"'{flag}' is not one of FHI's flags 1-4",
                "FLAG is empty for a value, or 1 (..), 2 (.), 3 (:), 4 (-).",
            )
        elif m_value[i] is not None:
            errs.add(f"line {ln}, column VALUE", m_value[i], FIX)
    errs.check()

    use = ~blank & ~empty
    flag_info = [FHI_FLAGS.get(v, ("", False, "")) for v in flags.values]
    symbol = Coded(flags.codes, [f[0] for f in flag_info])
    suppressed = np.array([f[1] for f in flag_info], dtype=bool)[flags.codes]
    cell_value = np.array([np.nan if c is None or c.value is None else c.value for c in cell.values], dtype="float64")
    value = np.where(has_flag, np.nan, cell_value[cell.codes])
    spm = get("SPM_ID")
    base = Coded(spm.codes, [v or stem for v in spm.values])
    mt = get("MEASURE_TYPE")
    is_n = np.array([v.upper() in N_TYPES for v in mt.values], dtype=bool)[mt.codes]
    # The denominator of a cell: base, GEO, period, kjønn, trinn and ALDER as the file writes
    # them (period, kjønn and trinn as parsed); the last NEVNER row of a cell wins.
    cell_key = combine([base, get("GEO"), per, gender, grade, get("ALDER")], lambda *k: k)
    keep = np.flatnonzero(use & ~is_n)
    denom = np.flatnonzero(use & is_n)
    df = columns_frame(
        len(keep),
        {
            "measure_code": combine([base, mt], lambda b, m: f"{b}:{m}" if m else b).take(keep),
            "measure_name": combine([base, mt], lambda b, m: f"{b} ({MEASURE_NAMES.get(m, m)})" if m else b).take(keep),
            "unit": Coded(
                mt.codes,
                ["prosent" if m in ("MEIS", "RATE") else ("antall" if m == "TELLER" else "") for m in mt.values],
            ).take(keep),
            "source_area_code": Coded(
                get("GEO").codes, [g if re.fullmatch(r"\d+", g) else "" for g in get("GEO").values]
            ).take(keep),
            "source_area_name": Coded(
                get("GEO").codes, ["" if re.fullmatch(r"\d+", g) else g for g in get("GEO").values]
            ).take(keep),
            "period": per.take(keep),
            "gender": gender.take(keep),
            "grade": grade.take(keep),
            "breakdown": Coded(get("ALDER").codes, [_age_breakdown(a) for a in get("ALDER").values]).take(keep),
            "value": value[keep],
            "suppressed": suppressed[keep],
            "symbol": symbol.take(keep),
            "line": line[keep],
        },
        source=source,
        table_id=table_id,
    )
    if len(denom):
        last = pd.Series(value[denom], index=cell_key.codes[denom])
        last = last[~last.index.duplicated(keep="last")]
        df["n"] = pd.array(last.reindex(cell_key.codes[keep]).to_numpy(), dtype="float64")
    return Extract(FORMAT, source, df)


FIX = "Load the file as FHI's API delivers it (csv3 codes or csv2 labels)."


def _age_breakdown(alder: str) -> str:
    age = age_range(alder) if alder not in ("0", "alle") else None
    return f"alder={age}" if age else ""
