"""Our own aggregated absence template for extracts from the schools' administration systems
(Visma Flyt Skole, Visma InSchool, IST), CSV (``;`` or ``,``, UTF-8 or Windows-1252) or XLSX
(first sheet). One row per school × period × trinn × kjønn; never one row per pupil.
See README ("Fraværsmalen") for the columns and an example.

Whole columns at a time: every distinct cell text is parsed once (with the same rules as
``etl.values``) and the results are spread over the rows with numpy, so a national file of
half a million rows reads in seconds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import numpy as np

from etl.loaders import Coded, Extract, coded, columns_frame, first_problem, parse_each
from etl.problems import Collector
from etl.values import decode_text, parse_gender, parse_grade, parse_number, parse_period
from oppvekst.geography import orgnr_is_valid

FORMAT = "Fraværsmal (aggregert fra skolens system)"
COLUMNS = [
    "skole_orgnr",
    "skolenavn",
    "periode",
    "trinn",
    "kjonn",
    "antall_elever",
    "elever_minst_10_prosent_fravaer",
    "gjennomsnitt_fravaer_prosent",
    "andel_dokumentert_prosent",
]
OPTIONAL = ["kommunenummer"]
PERSON_COLUMNS = re.compile(
    r"(^|_)(navn|fornavn|etternavn|elevnavn|elev|elev_id|elevid|fnr|"
    r"fodselsnummer|fødselsnummer|personnummer|fodselsdato|fødselsdato|"
    r"adresse|telefon|epost)($|_)"
)
FNR = re.compile(r"^\d{6}\s?\d{5}$")
MIN_GROUP = 5  # a group smaller than this looks like pupils, not an aggregate
MEASURES = (
    ("fravaer_minst_10_prosent", "Elever med minst 10 prosent fravær"),
    ("fravaer_snitt_prosent", "Gjennomsnittlig fravær"),
    ("fravaer_andel_dokumentert", "Andel av fraværet som er dokumentert"),
)
PARSE_FIX = "Every count and percentage must be a number; periode like 2024-25, H2024 or 2024M09."


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    if raw[:2] == b"PK":
        return True
    return text is not None and "skole_orgnr" in text.split("\n", 1)[0].lower()


def _cell_text(c) -> str:
    """A typed spreadsheet cell as the text the template means (what openpyxl's value
    turned into): whole numbers without '.0' (counts, org.nr, years), other numbers as
    Python writes them, dates as 'YYYY-MM-DD HH:MM:SS'."""
    if c is None:
        return ""
    if isinstance(c, float):
        return str(int(c)) if c.is_integer() and abs(c) < 1e16 else str(c)  # 1e+20 stays as Excel wrote it
    if isinstance(c, dt.datetime):
        return str(c)
    if isinstance(c, dt.date):
        return str(dt.datetime.combine(c, dt.time()))
    return str(c)


def _xlsx_rows(raw: bytes, errs: Collector) -> list[tuple[str, ...]]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        if "xl/workbook.xml" not in zipfile.ZipFile(io.BytesIO(raw)).namelist():
            raise ValueError("no xl/workbook.xml: not an .xlsx workbook")
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        first = next(i for i, m in enumerate(wb.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet)
        sheet = wb.get_sheet_by_index(first)
        seen: dict[str, str] = {}  # one str object per distinct text: half a million rows stay small
        intern = seen.setdefault
        # iter_rows starts at row 1 but at the first used column: put back the empty columns
        # before it, so the cells stand where openpyxl (and Excel) put them.
        pad = ("",) * (sheet.start[1] if sheet.start else 0)
        rows = [
            pad + tuple([intern(c, c) if c.__class__ is str else intern(t := _cell_text(c), t) for c in r])
            for r in sheet.iter_rows()
        ]
        wb.close()
        return rows
    except Exception as e:
        raise errs.fail("", f"not a readable Excel workbook ({e})", "Save the sheet again as .xlsx.") from None


def _rows(raw: bytes, name: str, errs: Collector) -> list:
    if raw[:2] == b"PK":
        return _xlsx_rows(raw, errs)
    text, _ = decode_text(raw)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep))


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    rows = [r for r in _rows(raw, name, errs) if "".join(map(str, r)).strip()]
    if not rows:
        raise errs.fail("", "the file is empty", "Fill in the template: one row per school, period, trinn and kjønn.")
    header = [str(h).strip().lower() for h in rows[0]]
    person = [h for h in header if PERSON_COLUMNS.search(h) and h != "skolenavn"]
    if person:
        raise errs.fail(
            "line 1",
            f"column(s) {', '.join(person)} look like data about single pupils",
            "Only aggregated counts may leave the school system: no names, birth numbers or "
            "one row per pupil. Export the numbers per school, trinn and kjønn with the template (README).",
        )
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL]
    missing = [c for c in COLUMNS if c not in header]
    if unknown:
        errs.add(
            "line 1", f"unknown column(s): {', '.join(unknown)}", f"The template's columns are: {', '.join(COLUMNS)}."
        )
    if missing:
        errs.add(
            "line 1", f"missing column(s): {', '.join(missing)}", f"The template's columns are: {', '.join(COLUMNS)}."
        )
    errs.check()
    width = len(header)
    data = rows[1:]
    del rows
    nrow = len(data)
    lines = np.arange(2, nrow + 2)
    # Cells beyond the header are only looked at for birth numbers; short rows end in "".
    fnr_row = np.zeros(nrow, dtype=bool)
    for i, r in enumerate(data):
        if len(r) != width:
            fnr_row[i] |= any(FNR.match(str(c).strip()) for c in r[width:])
            data[i] = tuple(r[:width]) + ("",) * (width - len(r))
    cols = [coded(c) for c in zip(*data)] if nrow else [Coded(np.zeros(0, dtype=np.intp), [])] * width
    del data
    for c in cols:
        fnr_row |= np.array([bool(FNR.match(u)) for u in c.values], dtype=bool)[c.codes] if c.values else False
    idx = {h: i for i, h in enumerate(header)}

    def get(c) -> Coded:
        return cols[idx[c]] if c in idx else Coded(np.zeros(nrow, dtype=np.intp), [""])

    orgnr = get("skole_orgnr")
    org = Coded(orgnr.codes, [u.replace(" ", "") for u in orgnr.values])
    org_ok = np.array([orgnr_is_valid(o) for o in org.values], dtype=bool)[org.codes]
    period, m_per = parse_each(get("periode"), lambda t: parse_period(t).label)
    grade, m_grade = parse_each(get("trinn"), parse_grade)
    gender, m_gender = parse_each(get("kjonn"), parse_gender)
    nums = [parse_each(get(c), parse_number) for c in COLUMNS[5:]]
    first_msg = first_problem(m_per, m_grade, m_gender, *(m for _, m in nums))
    parsed = org_ok & (first_msg == None)  # noqa: E711
    n, high, mean, doc = (np.where(parsed, v.texts(), np.nan).astype("float64") for v, _ in nums)
    with np.errstate(invalid="ignore"):
        whole = lambda v: np.isfinite(v) & (v == np.floor(v))
        bad_n = parsed & ~((n >= 0) & whole(n))
        bad_high = parsed & ~((high >= 0) & (high <= n) & whole(high))
        bad_mean = parsed & ~((mean >= 0) & (mean <= 100))
        bad_doc = parsed & ~((doc >= 0) & (doc <= 100))
        ok = parsed & ~(bad_n | bad_high | bad_mean | bad_doc)
        small = int(np.count_nonzero(ok & (n < MIN_GROUP)))

    # Problems, in the order of the rows; a birth number stops the reading at its row.
    stop = int(np.argmax(fnr_row)) if fnr_row.any() else nrow
    for i in np.flatnonzero((~ok)[:stop]):
        where = f"line {lines[i]}"
        if not org_ok[i]:
            raw_org = orgnr.values[orgnr.codes[i]]
            errs.add(
                f"{where}, column skole_orgnr",
                f"'{raw_org}' is not a valid organisasjonsnummer",
                "Use the school's 9-digit org.nr from Enhetsregisteret (NSR).",
            )
        elif first_msg[i] is not None:
            errs.add(where, first_msg[i], PARSE_FIX)
        else:
            ni, hi = float(n[i]), float(high[i])
            if bad_n[i]:
                errs.add(
                    where, f"antall_elever {ni:g} is not a whole number ≥ 0", "Check the export from the school system."
                )
            if bad_high[i]:
                errs.add(
                    where,
                    f"elever_minst_10_prosent_fravaer {hi:g} must be a whole number between 0 and antall_elever ({ni:g})",
                    "Check the export from the school system.",
                )
            for col, v, bad in (
                ("gjennomsnitt_fravaer_prosent", mean, bad_mean),
                ("andel_dokumentert_prosent", doc, bad_doc),
            ):
                if bad[i]:
                    errs.add(
                        where,
                        f"{col} {float(v[i]):g} is not a percentage between 0 and 100",
                        "Check the export from the school system.",
                    )
    if stop < nrow:
        raise errs.fail(
            f"line {lines[stop]}",
            "a cell looks like a fødselsnummer (11 digits)",
            "Never export person-level data. Use the aggregated template (README).",
        )
    if nrow + 1 > 3 and small > 0.5 * nrow:
        raise errs.fail(
            "",
            f"{small} of {nrow} rows count fewer than {MIN_GROUP} pupils: the file looks like one row per pupil",
            "Only aggregated counts may be loaded. Export per school, trinn and kjønn (README).",
        )
    errs.check()
    keep = np.flatnonzero(ok & (n != 0))
    k = len(MEASURES)
    rep = lambda a: a.take(keep).repeat(k) if isinstance(a, Coded) else np.repeat(a[keep], k)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 100.0 * high / n
    value = np.column_stack([share[keep], mean[keep], doc[keep]]).ravel()
    which = np.tile(np.arange(k), len(keep))
    cols_out = {
        "measure_code": Coded(which, [c for c, _ in MEASURES]),
        "measure_name": Coded(which, [m for _, m in MEASURES]),
        "source_area_code": rep(org),
        "source_area_name": rep(get("skolenavn")),
        "kommune_hint": rep(get("kommunenummer")),
        "period": rep(period),
        "gender": rep(gender),
        "grade": rep(grade),
        "n": rep(n),
        "value": value,
        "line": rep(lines),
    }
    df = columns_frame(
        len(keep) * k, cols_out, source="fravaer", table_id="fravaersmal", unit="prosent", area_level_hint="skole"
    )
    return Extract(FORMAT, "fravaer", df)
