"""Downloads: CSV (semicolon, decimal comma, UTF-8 with BOM for Excel), Excel of a page's table
(``to_excel``), and the resultatavtale as a real worksheet (``agreement_workbook``: numbers as
numbers with Norwegian number formats, print setup and a legend sheet). Only shown numbers are
ever exported."""

from __future__ import annotations

import io
import textwrap

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from oppvekst.agreement import change_reason
from oppvekst.formatting import DECIMALS, UNIT_WORD, source_name, timestamp, value
from oppvekst.presentation import change_text, verdict_text

# A text cell starting with one of these is read as a formula by Excel/LibreOffice (OWASP:
# CSV injection). Names and labels come from loaded files, so they are neutralised.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that would start a formula gets a leading apostrophe; numbers and other
    values are returned unchanged (a negative number stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    return _neutralise_frame(df).to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")


def to_excel(sheets: dict[str, pd.DataFrame], title: str = "", note: str = "") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(name[:31])
        row = 1
        if title:
            _text(ws.cell(row=1, column=1), title).font = Font(bold=True, size=14)
            row = 2
        if note:
            _text(ws.cell(row=row, column=1), note).font = Font(italic=True, color="7F6000")
            row += 1
        row += 1 if title or note else 0
        for j, col in enumerate(df.columns, start=1):
            c = _text(ws.cell(row=row, column=j), str(col))
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDE7F3")
        for i, rec in enumerate(df.itertuples(index=False), start=row + 1):
            for j, v in enumerate(rec, start=1):
                c = ws.cell(row=i, column=j)
                if isinstance(v, str):
                    _text(c, v)
                else:
                    c.value = None if (isinstance(v, float) and pd.isna(v)) or v is pd.NA else v
                c.alignment = Alignment(wrap_text=True, vertical="top")
        for j, col in enumerate(df.columns, start=1):
            width = min(60, max(12, int(df[col].astype(str).str.len().max() if len(df) else 10) + 2, len(str(col)) + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


def _text(cell, text: str):
    """Write ``text`` as a string cell: openpyxl would otherwise store '=…' as a formula.
    Text that starts like a formula also gets Excel's quote prefix (what typing an apostrophe
    does), so it stays text even when the cell is edited; the text itself is unchanged."""
    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)  # control characters cannot be stored in .xlsx
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


# The resultatavtale as a worksheet: one row per indicator, every number a number (with a
# Norwegian-looking number format: the format code uses '.', the reader's locale shows ','),
# the interval and n in their own columns, hidden numbers as empty cells with the reason beside.
AGREEMENT_COLUMNS = [  # header, width (characters), what it means (the «Forklaring» sheet)
    ("Hva", 22, "Indikatoren, slik planen formulerer den."),
    ("Enhet", 7, "Enheten tallene i raden er i (prosent, poeng, kr …)."),
    ("Periode for 0-punkt", 9, "Perioden 0-punktet gjelder."),
    ("0-punkt", 7, "Verdien i 0-punktperioden: tallet vedtatt i planen når det finnes, ellers kildens tall."),
    ("Mål", 6, "Målverdien."),
    ("Mål innen", 9, "Perioden målet skal være nådd innen."),
    ("Statusperiode", 12, "Siste periode med tall av samme slag som 0-punktet."),
    ("Status", 7, "Siste verdi."),
    ("95 % KI nedre", 6, "Nedre grense i 95 prosents konfidensintervall for statusverdien."),
    ("95 % KI øvre", 6, "Øvre grense i 95 prosents konfidensintervall for statusverdien."),
    ("Antall svar (n)", 7, "Antall svar statusverdien bygger på (tom når kilden ikke oppgir det)."),
    (
        "Endring fra 0-punkt",
        9,
        "Status minus 0-punkt, i indikatorens enhet (prosentpoeng for andeler i prosent); pluss betyr økning.",
    ),
    ("Endring i ord", 16, "Samme endring i ord: opp eller ned, og om det er bedre eller dårligere for indikatoren."),
    ("Sikker endring?", 11, "Om endringen er større enn tilfeldig variasjon kan forklare (se symbolene under)."),
    ("Mot mål", 11, "Om målet er nådd eller på vei til å nås innen målåret."),
    ("Tiltak", 21, "Tiltakene i planen som skal påvirke indikatoren."),
    ("Merknad", 17, "Hvorfor et tall mangler eller ikke vises, og andre forbehold."),
    ("Indikator-id", 18, "Indikatorens id i indikatorregisteret (for oppslag; skrives ikke ut)."),
]
NUMBER_COLUMNS = {"0-punkt", "Mål", "Status", "95 % KI nedre", "95 % KI øvre", "Antall svar (n)", "Endring fra 0-punkt"}
SYMBOLS = [
    ("▲ sikker forbedring", "Endringen fra 0-punktet er bedre, og større enn tilfeldig variasjon kan forklare."),
    ("● ingen sikker endring", "Endringen kan skyldes tilfeldig variasjon (intervallet for endringen omfatter null)."),
    ("▼ sikker forverring", "Endringen fra 0-punktet er dårligere, og større enn tilfeldig variasjon kan forklare."),
    ("↑ / ↓ sikker økning / nedgang", "For indikatorer der ingen retning er bedre (f.eks. utgifter)."),
    (
        "? kan ikke testes",
        "Kilden oppgir ikke antall svar (for gjennomsnitt: spredning), så vi kan ikke si om endringen er sikker.",
    ),
    ("✔ nådd", "Hele intervallet for siste verdi er på riktig side av målet."),
    (
        "↗ / ↘ på vei mot målet",
        "Tallet ligger på eller foran planens linje fra 0-punktet til målet i målåret.",
    ),
    ("✖ ikke på vei", "Tallet ligger sikkert bak planens linje: hele intervallet for avstanden er på feil side."),
    ("● usikkert om målet nås", "Tallet ligger bak planens linje, men ikke sikkert (eller kan ikke testes)."),
    ("? for lite data", "Færre enn to målinger fra og med 0-punktet."),
]
UNCERTAINTY = (
    "Spørreundersøkelser spør et utvalg, så hver andel og hvert gjennomsnitt har et 95 prosents "
    "konfidensintervall (Wilson for andeler, t-intervall for gjennomsnitt, eksakt Poisson/Byar for tellinger). "
    "Endringen fra 0-punktet er «sikker» når intervallet for forskjellen (Newcombe for to andeler, Welch for "
    "to gjennomsnitt) ikke omfatter null. I Målekart, Områdeprofil og Resultatavtaler må et «sikkert» utsagn "
    "også holde når alle testene for kommunen og bydelene tas med (Benjamini–Hochberg, høyst 5 prosent falske funn)."
)
PRIVACY = (
    "Tall fra for få svar eller skjermet av kilden vises aldri: cellen er tom, og Merknad sier hvorfor. "
    "Tomme celler er aldri null."
)
HEAD_FILL = PatternFill("solid", fgColor="DDE7F3")


def _number_format(unit: str, signed: bool = False) -> str:
    """'#,##0.0' for one decimal (shown «1 234,5» in a Norwegian locale); signed: '+0,4' / '-0,4'."""
    d = DECIMALS.get(unit, 1)
    body = "#,##0" + ("." + "0" * d if d else "")
    return f"+{body};-{body};{body}" if signed else body


def _num(value, unit: str):
    """A number rounded to the unit's decimals (what the page shows), or None."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    d = DECIMALS.get(unit, 1)
    return round(float(value), d) if d else round(float(value))  # whole kroner are integers


def _agreement_rows(mk: pd.DataFrame) -> list[dict]:
    rows = []
    for r in mk.itertuples(index=False):
        unit = r.unit
        has_status = pd.notna(r.status_period)
        shown = bool(r.status_shown) and has_status and pd.notna(r.status_value)
        notes = []
        if not has_status:
            notes.append("Ingen data – last inn et uttrekk.")
        elif not shown:
            notes.append(f"Status vises ikke: {r.status_reason or 'mangler'}.")
        if pd.isna(r.baseline_value):
            notes.append("0-punktet mangler eller er skjermet.")
        elif (
            r.baseline_agreed
            and pd.notna(r.baseline_series_value)
            and abs(r.baseline_series_value - r.baseline_value) > 1e-9
        ):
            notes.append(
                f"0-punktet er tallet vedtatt i planen; kildens reviderte tall er {value(r.baseline_series_value, unit)}."
            )
        if shown and r.change_verdict == "kan ikke testes":
            notes.append(change_reason(r))
        change = r.change if shown else None  # never a number derived from a hidden one
        words = change_text(r._replace(change=change, unit=unit), with_verdict=False)  # the verdict has a column
        tiltak = "\n".join(t for t in str(r.tiltak or "").split("; ") if t) or "–"
        n = r.status_n if shown and pd.notna(r.status_n) else None
        rows.append(
            {
                "Hva": r.title,
                "Enhet": UNIT_WORD.get(unit, unit) or unit,
                "Periode for 0-punkt": r.baseline_period,
                "0-punkt": _num(r.baseline_value, unit),
                "Mål": _num(r.target_value, unit),
                "Mål innen": r.target_period if pd.notna(r.target_value) else "ingen mål",
                "Statusperiode": r.status_period if has_status else "–",
                "Status": _num(r.status_value, unit) if shown else None,
                "95 % KI nedre": _num(r.status_low, unit) if shown else None,
                "95 % KI øvre": _num(r.status_high, unit) if shown else None,
                "Antall svar (n)": int(n) if n is not None else None,
                "Endring fra 0-punkt": _num(change, unit),
                "Endring i ord": words,
                "Sikker endring?": verdict_text(r.change_symbol, r.change_verdict) if shown else "–",
                "Mot mål": verdict_text(r.target_symbol, r.target_verdict) if shown else "–",
                "Tiltak": tiltak,
                "Merknad": " ".join(notes),
                "Indikator-id": r.indicator_id,
                "_unit": unit,
            }
        )
    return rows


FONT = "Arial"  # in Excel everywhere; LibreOffice draws it with the metric-compatible Liberation Sans
SIZE = 10
LINE_PT = 12.75  # the height of one line of 10 pt text


def _font(size: int = SIZE, **kw) -> Font:
    return Font(name=FONT, size=size, **kw)


def _lines(text: str, width: float, per_unit: float = 1.35) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (for the row
    height: LibreOffice keeps the stored height when it opens a file, so a wrapped cell without
    one overlaps the next row)."""
    chars = max(1, int(width * per_unit) - 1)  # a letter of Arial 10 is narrower than the unit (a Calibri 11 digit)
    return sum(max(1, len(textwrap.wrap(part, chars))) for part in str(text).split("\n"))


def agreement_workbook(
    mk: pd.DataFrame,
    owner: str,
    area_name: str,
    note: str = "",
    loaded_at=None,
    sources=(),
) -> bytes:
    """The resultatavtale for ``owner`` (its path, «BBSI › Etat for skole») in ``area_name`` as an
    Excel file: sheet «Resultatavtale» (a header block with title, owner, area, the date of the
    data, the sources and the sample label ``note``, then one row per indicator of ``mk`` - the
    ``queries.malekart`` rows of the owner's indicators - with frozen header, autofilter and A4
    landscape print setup fitted to the page width) and sheet «Forklaring» (what every column and
    symbol means, how uncertainty is computed, the sources). ``sources``: source ids or names."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Resultatavtale"
    leaf = owner.split(" › ")[-1]
    names = list(dict.fromkeys(source_name(s) for s in sources if s))
    ncols = len(AGREEMENT_COLUMNS)
    widths = {name: width for name, width, _ in AGREEMENT_COLUMNS}

    _text(ws.cell(row=1, column=1), f"Resultatavtale: {leaf}").font = _font(14, bold=True)
    ws.row_dimensions[1].height = 20
    row = 2
    if note:
        _text(ws.cell(row=row, column=1), note).font = _font(bold=True, italic=True, color="7F6000")
        row += 1
    facts = [
        ("Eier", owner),
        ("Område", area_name),
        ("Data sist oppdatert", timestamp(loaded_at)),
        ("Kilder" if len(names) != 1 else "Kilde", "; ".join(names) or "–"),
    ]
    for label, text in facts:
        _text(ws.cell(row=row, column=1), label).font = _font(bold=True)
        _text(ws.cell(row=row, column=2), text).font = _font()  # runs on over the empty cells to its right
        row += 1
    head = row + 1
    for j, (name, width, _) in enumerate(AGREEMENT_COLUMNS, start=1):
        c = _text(ws.cell(row=head, column=j), name)
        c.font = _font(bold=True)
        c.fill = HEAD_FILL
        right = name in NUMBER_COLUMNS
        c.alignment = Alignment(
            wrap_text=True, vertical="bottom", horizontal="right" if right else "left", indent=0 if j == 1 else 1
        )
        c.border = Border(bottom=Side(style="thin", color="7F7F7F"))
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[head].height = LINE_PT * max(_lines(n, w, 1.0) for n, w, _ in AGREEMENT_COLUMNS) + 3
    rows = _agreement_rows(mk)
    rule = Border(bottom=Side(style="hair", color="A6A6A6"))
    for i, rec in enumerate(rows, start=head + 1):
        unit = rec["_unit"]
        for j, (name, _, _) in enumerate(AGREEMENT_COLUMNS, start=1):
            v = rec[name]
            c = ws.cell(row=i, column=j)
            if isinstance(v, str):
                if v:  # an empty note stays an empty cell
                    _text(c, v)
                c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left", indent=0 if j == 1 else 1)
            else:
                c.value = v
                c.number_format = (
                    "#,##0" if name == "Antall svar (n)" else _number_format(unit, signed=name == "Endring fra 0-punkt")
                )
                c.alignment = Alignment(vertical="top", horizontal="right", indent=1)
            c.font = _font(bold=j == 1)
            c.border = rule
        height = max(_lines(rec[n], widths[n]) for n in widths if isinstance(rec[n], str) and n != "Indikator-id")
        ws.row_dimensions[i].height = LINE_PT * height + 3
    last = head + max(len(rows), 1)
    foot = last + 2
    c = _text(ws.cell(row=foot, column=1), "Arket «Forklaring» sier hva kolonnene og symbolene betyr.")
    c.font = _font(italic=True, color="595959")
    ws.freeze_panes = ws.cell(row=head + 1, column=2)  # the header row and the «Hva» column stay in view
    ws.auto_filter.ref = f"A{head}:{get_column_letter(ncols)}{last}"
    ws.print_title_rows = f"{head}:{head}"
    ws.print_area = f"A1:{get_column_letter(ncols - 1)}{foot}"  # the id column is for lookups, not paper
    _print_setup(ws, landscape=True, title=f"Resultatavtale: {leaf} – {area_name}")

    _legend_sheet(wb.create_sheet("Forklaring"), names, note)
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


def _print_setup(ws, landscape: bool, title: str) -> None:
    """A4, fitted to the page width (as many pages down as needed), title and page numbers."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.25
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.oddHeader.left.text = ILLEGAL_CHARACTERS_RE.sub("", title).replace("&", "&&")
    ws.oddHeader.left.size = 8
    ws.oddFooter.right.text = "Side &P av &N"
    ws.oddFooter.right.size = 8


def _legend_sheet(ws, sources: list[str], note: str) -> None:
    widths = {"A": 30, "B": 95}
    for col, w in widths.items():
        ws.column_dimensions[col].width = w
    _text(ws.cell(row=1, column=1), "Forklaring").font = _font(14, bold=True)
    ws.row_dimensions[1].height = 20
    row = 2
    if note:
        _text(ws.cell(row=row, column=1), note).font = _font(bold=True, italic=True, color="7F6000")
        row += 1

    def block(title: str, pairs) -> None:
        nonlocal row
        row += 1
        for j, t in enumerate(title.split("|"), start=1):
            c = _text(ws.cell(row=row, column=j), t)
            c.font = _font(bold=True)
            c.fill = HEAD_FILL
        row += 1
        for a, b in pairs:
            for j, t in enumerate((a, b), start=1):
                if t:
                    c = _text(ws.cell(row=row, column=j), t)
                    c.font = _font()
                    c.alignment = Alignment(wrap_text=bool(b), vertical="top")  # a lone name runs on to the right
            lines = max(_lines(a, widths["A"]), _lines(b, widths["B"])) if b else 1
            ws.row_dimensions[row].height = LINE_PT * lines + 3
            row += 1

    block("Kolonne|Betyr", [(name, text) for name, _, text in AGREEMENT_COLUMNS])
    block("Symbol|Betyr", SYMBOLS)
    block(
        "Om tallene|",
        [
            ("Usikkerhet", UNCERTAINTY),
            ("Skjulte tall", PRIVACY),
            ("Tallformat", "Tallene er tall (ikke tekst), avrundet som på skjermen; enheten står i kolonnen Enhet."),
            ("Mer", "Se «Slik regner vi» på siden Datagrunnlag i Oppvekstmonitor."),
        ],
    )
    block("Kilder|", [(s, "") for s in sources] or [("–", "")])
    _print_setup(ws, landscape=False, title="Resultatavtale – forklaring")
