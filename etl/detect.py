"""Choose the loader from the file's content (not its name)."""

from __future__ import annotations

import duckdb

from etl.loaders import (
    Extract,
    fhi_csv,
    fravaer_template,
    jsonstat2,
    ssb_pxweb_csv,
    ssb_statbank_web,
    udir_eksport,
    udir_statistikkbank_csv,
    udir_statistikkbank_json,
)
from etl.problems import Collector, InputError
from etl.validate import cell_ref_template, impossible_values
from etl.values import decode_text

# Most specific first.
LOADERS = [
    fravaer_template,
    udir_statistikkbank_csv,
    udir_statistikkbank_json,
    udir_eksport,
    jsonstat2,
    fhi_csv,
    ssb_statbank_web,
    ssb_pxweb_csv,
]


def read_file(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    if not raw.strip(b"\x00 \r\n\t\xef\xbb\xbf\xff\xfe"):
        raise errs.fail(
            "",
            "the file is empty",
            "Download the extract again; an empty file usually means the download was interrupted.",
        )
    try:
        text, _ = decode_text(raw[:200_000] if len(raw) > 200_000 and raw[:2] != b"\xff\xfe" else raw)
    except UnicodeDecodeError as e:
        if "cut off" in e.reason:
            raise errs.fail(
                "",
                "the file is cut off (UTF-16 text with an odd number of bytes)",
                "The download was interrupted: download the file again.",
            ) from None
        text = None
    for loader in LOADERS:
        if loader.sniff(raw, text, name):
            try:
                ex = loader.read(raw, name)
            except InputError:
                raise
            except (
                ValueError,
                TypeError,
                KeyError,
                IndexError,
                AttributeError,
                OverflowError,
                UnicodeError,
                RecursionError,
                duckdb.Error,
            ) as e:
                # A damaged file in a shape no loader rule describes: refuse it cleanly.
                raise errs.fail(
                    "",
                    f"the file is damaged or edited: it looks like {loader.FORMAT} but cannot be "
                    f"read as one ({type(e).__name__}: {str(e)[:160]})",
                    "Download the file again and load it exactly as the publisher delivered it.",
                ) from None
            ex.rows.attrs["cell_ref"] = cell_ref_template(ex.format)
            problems = impossible_values(ex.rows, name, ex.format)
            if problems:
                raise InputError(problems)
            return ex
    if text is None and raw[:2] != b"PK":
        raise errs.fail(
            "",
            "the file is not text in UTF-8, UTF-16 or Windows-1252 (wrong encoding or not a data file)",
            "Load the file exactly as downloaded from SSB, Udir or FHI; do not convert it.",
        )
    first = (text or "").lstrip("\ufeff").split("\n", 1)[0][:120]
    raise errs.fail(
        "line 1",
        f"unrecognised format (starts with {first!r})",
        "Supported: SSB Statistikkbanken download and PxWebApi CSV/json-stat2; Udir statistikkbank "
        "CSV/JSON and Eksport API; FHI csv2/csv3/json-stat2; the fravær template (see README).",
    )
