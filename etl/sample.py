"""``python -m etl sample``: build the database from ``data/sample/`` through the same load path
users use: first every extract in one call, then the later revisions in ``revisjon/``."""

from __future__ import annotations

from pathlib import Path

from etl.store import SAMPLE_DIR, load_and_build
from oppvekst.db import db_path

EXTS = {".csv", ".json", ".xlsx"}


def sample_batches(folder: Path = SAMPLE_DIR) -> list[list[Path]]:
    base = sorted(p for p in folder.iterdir() if p.suffix in EXTS)
    rev = (
        sorted(p for p in (folder / "revisjon").iterdir() if p.suffix in EXTS) if (folder / "revisjon").exists() else []
    )
    return [b for b in (base, rev) if b]


def build_sample(db=None, folder: Path = SAMPLE_DIR) -> str:
    target = db_path(db)
    if target.exists():
        target.unlink()
    out = []
    batches = sample_batches(folder)
    for batch in batches:  # the rows are labelled as sample data by their files' sha256 (etl.store)
        out.append(load_and_build(batch, target).summary())
    return "\n".join(out)
