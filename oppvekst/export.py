"""Downloads: CSV (semicolon, decimal comma, UTF-8 with BOM for Excel) and Excel in the plans'
layout (Hva · 0-punkt · Mål · Status · Forbedring). Only shown numbers are ever exported."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


def to_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")


def to_excel(sheets: dict[str, pd.DataFrame], title: str = "", note: str = "") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(name[:31])
        row = 1
        if title:
            ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
            row = 2
        if note:
            ws.cell(row=row, column=1, value=note).font = Font(italic=True, color="7F6000")
            row += 1
        row += 1 if title or note else 0
        for j, col in enumerate(df.columns, start=1):
            c = ws.cell(row=row, column=j, value=str(col))
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDE7F3")
        for i, rec in enumerate(df.itertuples(index=False), start=row + 1):
            for j, v in enumerate(rec, start=1):
                c = ws.cell(row=i, column=j, value=None if (isinstance(v, float) and pd.isna(v)) else v)
                c.alignment = Alignment(wrap_text=True, vertical="top")
        for j, col in enumerate(df.columns, start=1):
            width = min(60, max(12, int(df[col].astype(str).str.len().max() if len(df) else 10) + 2, len(str(col)) + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()
