"""``python -m samplegen [--out DIR] [--scale sample|half|national]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from samplegen import __doc__ as DOC
from samplegen import digest, generate


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samplegen", description=DOC.split("\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "data" / "sample"))
    ap.add_argument("--scale", choices=["sample", "half", "national"], default="sample")
    args = ap.parse_args(argv)
    paths = generate(Path(args.out), args.scale)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {size / 1e6:.1f} MB, to {args.out} (sha256 {digest(paths)[:12]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
