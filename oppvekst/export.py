"""Downloads: CSV (semicolon, decimal comma, UTF-8 with BOM for Excel) and Excel in the plans'
layout (Hva · 0-punkt · Mål · Status · Endring fra 0-punkt). Only shown numbers are ever exported."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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
