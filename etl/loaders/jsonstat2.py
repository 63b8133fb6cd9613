"""json-stat 2.0 datasets, as answered by SSB's PxWebApi v2 (``outputFormat=json-stat2``) and
FHI's statistikkbank API. ``value`` is row-major over ``id``/``size``; ``index`` may be a
dict or a list; ``status`` a dict keyed by position or a list. A flagged cell is ``null``
with its symbol in ``status``."""

from __future__ import annotations

import json
import math
import re

import numpy as np

from etl.loaders import Extract, RowBuilder
from etl.problems import Collector
from etl.values import (
    FHI_FLAGS,
    SSB_SYMBOLS,
    ValueProblem,
    parse_number,
    unit_from_name,
)
from etl.values import breakdown_value as _breakdown_value
from etl.values import parse_gender as _parse_gender
from etl.values import parse_grade as _parse_grade
from etl.values import parse_period as _parse_period

FORMAT = "json-stat2"
GEO_DIMS = {"region", "geo", "kommune", "fylke", "bydel"}
TIME_DIMS = {"tid", "aar", "år", "year"}
METRIC_DIMS = {"contentscode", "measure_type", "statistikkvariabel"}
GENDER_DIMS = {"kjonn", "kjønn", "kjoenn", "sex"}
GRADE_DIMS = {"trinn", "klassetrinn"}
QUESTION_DIMS = {"spm_id", "spm", "sporsmal"}
TOTAL_CODES = {"0", "00", "999", "alle", "total", "tot", "i alt"}


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    return text is not None and '"dimension"' in text and '"value"' in text and '"id"' in text


def _categories(dim: dict) -> tuple[list[str], dict]:
    cat = dim.get("category", {})
    index = cat.get("index")
    labels = cat.get("label", {}) or {}
    if index is None:
        codes = list(labels.keys())
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    else:
        codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    return codes, {"label": labels, "unit": cat.get("unit", {}) or {}}


def _role(dim_id: str, roles: dict) -> str:
    low = dim_id.lower()
    if dim_id in roles.get("geo", []) or low in GEO_DIMS or low.startswith("kokkommuneregion"):
        return "geo"
    if dim_id in roles.get("time", []) or low in TIME_DIMS:
        return "time"
    if dim_id in roles.get("metric", []) or low in METRIC_DIMS:
        return "metric"
    if low in GENDER_DIMS:
        return "gender"
    if low in GRADE_DIMS:
        return "grade"
    if low in QUESTION_DIMS:
        return "question"
    return "other"


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise errs.fail(
            "", f"not UTF-8 ({e.reason} at byte {e.start})", "Save the API answer unchanged (UTF-8)."
        ) from None
    except json.JSONDecodeError as e:
        raise errs.fail(
            f"line {e.lineno}, column {e.colno}",
            f"not valid JSON ({e.msg})",
            "The file looks cut off; download the API answer again.",
        ) from None
    for key in ("id", "size", "dimension", "value"):
        if key not in doc:
            errs.add(f"field '{key}'", "missing", "Load a complete json-stat2 answer (outputFormat=json-stat2).")
    errs.check()
    ids, size = doc["id"], doc["size"]
    if len(ids) != len(size) or any(d not in doc["dimension"] for d in ids):
        raise errs.fail("field 'id'/'size'", "dimension list and sizes do not match", "Download the answer again.")
    total = int(np.prod(size)) if size else 0
    values = doc["value"]
    if isinstance(values, dict):
        dense = [None] * total
        for k, v in values.items():
            dense[int(k)] = v
        values = dense
    if len(values) != total:
        raise errs.fail(
            "field 'value'",
            f"has {len(values)} values, the sizes {size} give {total}",
            "The answer is cut off or edited; download it again.",
        )
    status = doc.get("status") or {}
    if isinstance(status, list):
        status = (
            {i: s for i, s in enumerate(status) if s}
            if len(status) == total
            else dict.fromkeys(range(total), status[0])
            if len(status) == 1
            else {}
        )
    else:
        status = {int(k): v for k, v in status.items()}
    label = str(doc.get("label", ""))
    src_text = str(doc.get("source", "")).lower()
    roles = doc.get("role", {}) or {}
    dims = []
    for d in ids:
        codes, extra = _categories(doc["dimension"][d])
        if len(codes) != size[ids.index(d)]:
            errs.add(
                f"dimension '{d}'",
                f"has {len(codes)} categories, size says {size[ids.index(d)]}",
                "Download the answer again.",
            )
        dims.append((d, _role(d, roles), codes, extra, doc["dimension"][d].get("label", d)))
    errs.check()
    role_of = {r for _, r, *_ in dims}
    if "geo" not in role_of or "time" not in role_of:
        raise errs.fail(
            "field 'dimension'",
            "no region or time dimension found",
            "Include region (GEO/region) and time (Tid/AAR) in the query.",
        )
    is_fhi = "folkehelse" in src_text or "fhi" in src_text or any(d.upper() in ("GEO", "AAR") for d, *_ in dims)
    if is_fhi:
        source = "ungdata" if ("ungdata" in label.lower() or "question" in role_of or "grade" in role_of) else "fhi"
        symbols = {v[0]: v[1] for v in FHI_FLAGS.values()}
        flag_map = {k: v[0] for k, v in FHI_FLAGS.items()}
    else:
        kostra = (
            "(K)" in label
            or any(d.lower().startswith("kokkommuneregion") for d, *_ in dims)
            or any(c.startswith("KOS") for d, r, codes, *_ in dims if r == "metric" for c in codes)
        )
        source = "kostra" if kostra else "ssb"
        symbols = {k: v[0] for k, v in SSB_SYMBOLS.items()}
        flag_map = {}
    m = re.match(r"^\s*(\d{4,6})\s*:", label)
    table_id = (
        m[1]
        if m
        else str(doc.get("extension", {}).get("px", {}).get("tableid", ""))
        if isinstance(doc.get("extension"), dict)
        else ""
    )
    rb = RowBuilder(source=source, table_id=table_id)
    strides = [int(np.prod(size[i + 1 :])) for i in range(len(size))]
    base_measure = label
    # The same few category codes come back for every cell: parse each once (pure functions;
    # a code that fails is parsed again and raises again).
    parse_gender, parse_grade, parse_period, breakdown_value = (
        _once_per_text(f) for f in (_parse_gender, _parse_grade, _parse_period, _breakdown_value)
    )
    for pos in range(total):
        v = values[pos]
        sym = status.get(pos, "")
        sym = flag_map.get(str(sym), str(sym)) if sym is not None else ""
        if v is None and not sym:
            continue
        fields = {"gender": "alle", "grade": "alle"}
        brk, metric, question, geo, period = [], None, None, None, None
        try:
            for (_dim, role, codes, extra, dlabel), stride, sz in zip(dims, strides, size):
                code = codes[(pos // stride) % sz]
                lab = str(extra["label"].get(code, code))
                if role == "geo":
                    geo = (code, lab)
                elif role == "time":
                    period = code
                elif role == "metric":
                    metric = (code, lab, extra["unit"].get(code, {}))
                elif role == "gender":
                    fields["gender"] = parse_gender(code)
                elif role == "grade":
                    fields["grade"] = parse_grade(code if code not in ("0",) else "alle")
                elif role == "question":
                    question = (code, lab)
                elif (b := breakdown_value(code, lab)) is not None:
                    brk.append(f"{str(dlabel).lower()}={b}")
            period = parse_period(period).label
        except ValueProblem as e:
            errs.add(f"value[{pos}]", str(e), "Load the API answer unchanged.")
            continue
        if is_fhi:
            qcode, qname = question or (re.sub(r"\W+", "_", base_measure).strip("_").lower() or "fhi", base_measure)
            mcode = f"{qcode}:{metric[0]}" if metric else qcode
            mname = f"{qname} ({metric[1]})" if metric else qname
            unit = "prosent" if metric and metric[0] in ("MEIS", "RATE") else unit_from_name(mname)
        else:
            mcode, mname = (metric[0], metric[1]) if metric else (table_id or "ssb", label)
            unit = (metric[2].get("base") if metric else "") or unit_from_name(mname)
        if isinstance(v, str):
            # FHI (and some SSB answers) put the symbol itself in the value array ("k", ":", "..")
            text = v.strip()
            try:
                v = parse_number(text) if text else None
            except ValueProblem:
                if len(text) > 3 or any(ch.isdigit() for ch in text):
                    errs.add(
                        f"value[{pos}]", f"'{v}' is neither a number nor a symbol", "Load the API answer unchanged."
                    )
                    continue
                v, sym = None, flag_map.get(text, text)
                symbols = {**symbols, sym: symbols.get(sym, is_fhi or sym == ":")}
            if v is None and not sym:
                continue
        elif v is not None:
            if isinstance(v, bool):
                errs.add(f"value[{pos}]", f"'{v}' is not a number", "Load the API answer unchanged.")
                continue
            try:
                v = float(v)
            except (TypeError, ValueError, OverflowError):
                errs.add(f"value[{pos}]", f"'{v}' is not a number", "Load the API answer unchanged.")
                continue
            if not math.isfinite(v):
                errs.add(
                    f"value[{pos}]",
                    f"{v} is not a finite number (rule: a value is a finite number, or null with a symbol)",
                    "Load the API answer unchanged; download it again if it was edited.",
                )
                continue
        suppressed = sym in symbols and symbols[sym]
        rb.add(
            measure_code=mcode,
            measure_name=mname,
            unit=unit,
            source_area_code=geo[0],
            source_area_name=geo[1] if geo[1] != geo[0] else "",
            period=period,
            breakdown=";".join(brk),
            value=v,
            suppressed=bool(suppressed) or (v is None and sym == ":"),
            symbol=sym,
            line=pos,
            **fields,
        )
    errs.check()
    df = rb.frame()
    if is_fhi:
        df = _attach_denominators(df)
    return Extract(FORMAT + (" (FHI)" if is_fhi else " (SSB)"), source, df, title=label)


def _once_per_text(parse):
    """``parse`` remembered for text arguments (it is pure); anything else is parsed each time."""
    seen: dict = {}

    def cached(*args):
        if not all(type(a) is str for a in args):
            return parse(*args)
        if args not in seen:
            seen[args] = parse(*args)
        return seen[args]

    return cached


def _attach_denominators(df):
    """FHI's NEVNER (denominator) is the n of the other measure types of the same cell."""
    parts = df["measure_code"].str.rsplit(":", n=1)
    base, mtype = parts.str[0], parts.str[-1].str.upper()
    is_n = mtype.isin(["NEVNER", "SUMNEVNER"])
    if not is_n.any():
        return df
    keys = ["_base", "source_area_code", "period", "gender", "grade", "breakdown"]
    df = df.assign(_base=base)
    n = df[is_n][keys + ["value"]].rename(columns={"value": "_n"})
    out = df[~is_n].merge(n, on=keys, how="left")
    out["n"] = out["n"].fillna(out.pop("_n"))
    return out.drop(columns="_base")
