"""One module per publisher format. Each exposes

    FORMAT: str                      # name shown to users
    sniff(raw: bytes, text: str | None, name: str) -> bool
    read(raw: bytes, name: str) -> Extract

``read`` is a pure function from the file's bytes to an ``Extract`` whose ``rows`` table has
exactly ``RAW_COLUMNS``. Area codes are as in the file; ``etl.harmonize`` resolves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.values import ValueProblem

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


@dataclass
class Coded:
    """A text column as distinct values and, per row, the index of its value (what
    ``pandas.factorize`` returns): cheap to build, filter and repeat for large files."""

    codes: np.ndarray
    values: list

    def take(self, rows) -> Coded:
        return Coded(self.codes[rows], self.values)

    def repeat(self, k: int) -> Coded:
        return Coded(np.repeat(self.codes, k), self.values)

    def canonical(self) -> Coded:
        """The same column with each distinct value listed once (equal values, one code)."""
        first: dict = {}
        remap = np.array([first.setdefault(v, len(first)) for v in self.values], dtype=np.int64)
        if len(first) == len(self.values):
            return self
        return Coded(remap[self.codes] if len(remap) else self.codes, list(first))

    def texts(self) -> np.ndarray:
        return np.array(self.values, dtype=object)[self.codes]


def _string_column(col, length: int) -> pd.Series:
    if isinstance(col, Coded):
        values = pa.array(col.values, type=pa.large_string())
        arr = (
            values.take(pa.array(np.asarray(col.codes, dtype=np.int64)))
            if len(col.values)
            else pa.nulls(0, pa.large_string())
        )
    elif isinstance(col, str):
        arr = pa.array([col], type=pa.large_string()).take(pa.array(np.zeros(length, dtype=np.int64)))
    else:
        return pd.Series(col, dtype=object).astype("string")
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([arr], type=pa.large_string())))


def columns_frame(length: int, columns: dict, **defaults) -> pd.DataFrame:
    """A typed ``RAW_COLUMNS`` frame from whole columns (arrays, lists or ``Coded`` of
    ``length`` rows, or one text for every row); a column not given takes its default
    (``RowBuilder``'s defaults, overridden by ``defaults``). Same dtypes and values as
    ``RowBuilder(**defaults)`` fed row by row, without a Python object per cell."""
    base = RowBuilder(**defaults).defaults
    unknown = set(columns) - set(RAW_COLUMNS)
    if unknown:  # programming error, not an input problem
        raise KeyError(f"unknown raw columns {sorted(unknown)}")
    data = {}
    for c, t in RAW_COLUMNS.items():
        col = columns.get(c, base[c])
        if t == "string":
            data[c] = _string_column(col, length)
        elif col is None or np.isscalar(col):
            fill = np.nan if col is None else col
            data[c] = pd.Series(np.full(length, fill, dtype="float64" if t == "float64" else object)).astype(t)
        else:
            data[c] = pd.Series(col).astype(t)
    return pd.DataFrame(data)


def coded(texts, strip: bool = True) -> Coded:
    """Texts (any sequence) as ``Coded``, each distinct text stripped once."""
    codes, uniq = pd.factorize(np.asarray(texts, dtype=object), use_na_sentinel=False)
    return Coded(codes, [str(u).strip() if strip else u for u in uniq])


def parse_each(col: Coded, parse) -> tuple[Coded, np.ndarray]:
    """``parse`` run once per distinct text: (results, the problem's text or None per row)."""
    res, msg = [], []
    for v in col.values:
        try:
            res.append(parse(v))
            msg.append(None)
        except ValueProblem as e:
            res.append(None)
            msg.append(str(e))
    return Coded(col.codes, res), np.array(msg, dtype=object)[col.codes]


def combine(parts: list[Coded], fn) -> Coded:
    """``fn`` of several columns, computed once per distinct combination of their values."""
    codes = np.zeros(len(parts[0].codes), dtype=np.int64)
    combos: list[tuple] = [()]
    for p in parts:
        p = p.canonical()
        width = len(p.values)
        codes, uniq = pd.factorize(codes * width + p.codes, use_na_sentinel=False)
        combos = [(*combos[k // width], p.values[k % width]) for k in uniq]
    return Coded(codes, [fn(*c) for c in combos])


def first_problem(*messages: np.ndarray) -> np.ndarray:
    """Per row, the first of several problem columns (``parse_each``) that is not None."""
    out = messages[0].copy()
    for m in messages[1:]:
        out = np.where(out == None, m, out)  # noqa: E711 - element-wise
    return out
