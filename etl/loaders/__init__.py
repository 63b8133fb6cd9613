"""One module per publisher format. Each exposes

    FORMAT: str                      # name shown to users
    sniff(raw: bytes, text: str | None, name: str) -> bool
    read(raw: bytes, name: str) -> Extract

``read`` is a pure function from the file's bytes to an ``Extract`` whose ``rows`` table has
exactly ``RAW_COLUMNS``. Area codes are as in the file; ``etl.harmonize`` resolves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

RAW_COLUMNS = {
    "source": "string",  # ungdata | elevundersokelsen | kostra | fravaer | fhi | ssb | udir
    "table_id": "string",  # publisher's table id when known
    "measure_code": "string",
    "measure_name": "string",
    "unit": "string",
    "source_area_code": "string",  # as written in the file ('' when only a name is given)
    "source_area_name": "string",
    "area_level_hint": "string",  # level the file says ('' when unknown)
    "fylke_hint": "string",  # fylke code or name, to resolve kommune names
    "kommune_hint": "string",  # kommune code of a school row, when the file gives it
    "period": "string",
    "gender": "string",
    "grade": "string",
    "breakdown": "string",
    "value": "float64",
    "n": "float64",
    "sd": "float64",
    "suppressed": "boolean",
    "symbol": "string",
    "note": "string",
    "line": "Int64",  # line (or record) in the file, for messages
}


@dataclass
class Extract:
    format: str
    source: str
    rows: pd.DataFrame
    title: str = ""
    meta: dict = field(default_factory=dict)


class RowBuilder:
    """Accumulates rows column-wise (fast) and turns them into a typed DataFrame."""

    def __init__(self, **defaults):
        self.cols: dict[str, list] = {c: [] for c in RAW_COLUMNS}
        self.defaults = {c: "" for c in RAW_COLUMNS if RAW_COLUMNS[c] == "string"}
        self.defaults.update(
            {"gender": "alle", "grade": "alle", "value": None, "n": None, "sd": None, "suppressed": False, "line": None}
        )
        self.defaults.update(defaults)

    def add(self, **values) -> None:
        unknown = set(values) - set(self.cols)
        if unknown:  # programming error, not an input problem
            raise KeyError(f"unknown raw columns {sorted(unknown)}")
        for c, lst in self.cols.items():
            lst.append(values[c] if c in values else self.defaults[c])

    def __len__(self) -> int:
        return len(self.cols["value"])

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.cols)
        for c, t in RAW_COLUMNS.items():
            df[c] = df[c].astype(t)
        return df
