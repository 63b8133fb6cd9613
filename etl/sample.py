"""``python -m etl sample``: build the database from ``data/sample/`` through the same load path
users use: first every extract in one call, then the later revisions in ``revisjon/``."""
from __future__ import annotations

from pathlib import Path

from etl.cli import marts_hook
from etl.store import load
from oppvekst.db import db_path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
EXTS = {".csv", ".json", ".xlsx"}


def sample_batches(folder: Path = SAMPLE_DIR) -> list[list[Path]]:
    base = sorted(p for p in folder.iterdir() if p.suffix in EXTS)
    rev = sorted(p for p in (folder / "revisjon").iterdir() if p.suffix in EXTS) if (folder / "revisjon").exists() else []
    return [b for b in (base, rev) if b]


def build_sample(db=None, folder: Path = SAMPLE_DIR) -> str:
    target = db_path(db)
    if target.exists():
        target.unlink()
    out = []
    batches = sample_batches(folder)
    for i, batch in enumerate(batches):
        post = marts_hook()
        if i == 0:  # the app labels this database as synthetic sample data
            post = _with_sample_flag(post)
        out.append(load(batch, target, post_build=post).summary())
    return "\n".join(out)


def _with_sample_flag(post):
    def run(con):
        con.execute("CREATE OR REPLACE TABLE database_info (key VARCHAR, value VARCHAR)")
        con.execute("INSERT INTO database_info VALUES ('dataset', 'sample')")
        if post:
            post(con)
    return run
