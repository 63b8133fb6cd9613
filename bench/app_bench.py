"""App benchmark on a database (default: the national-scale one from bench/etl_bench.py).

For every page: server time of a first (cold) and a warm run and of a filter change, with
Streamlit's AppTest; then, in headless Chromium, the time until the page has finished
rendering, next to a one-line Streamlit page (bench/floor_app.py) measured the same way in
the same run, alternating page and floor load by load (the machine is shared, so both see the
same noise); median of ``--repeats`` warm loads (default 7, at least 5) each, and the ratio.
Last, the app server's resident memory (RSS) after every page has been visited.

"Finished rendering" is: Streamlit's script state is ``notRunning``, nothing is stale, no
skeleton is left (Streamlit shows one while it loads an element's JavaScript, e.g. for
``st.dataframe``, ``st.table`` or a Plotly chart, which can come after ``notRunning``), every
``st.dataframe`` has drawn its canvas, and the page's own content (the heading, the chart)
is there. Each load is a fresh browser context (no browser cache), as for a first visitor.

    .venv/bin/python bench/etl_bench.py --keep /tmp/bench      # builds /tmp/bench/national.duckdb
    .venv/bin/python bench/app_bench.py --db /tmp/bench/national.duckdb [--repeats 7] [--browser-only]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [  # (script, url path with query, widget to change: (kind, index, new value))
    ("pages/malekart.py", "malekart?omrade=4601", ("selectbox", 0, "3201")),
    ("pages/indikator.py", "indikator?omrade=4601&indikator=ung_depr", ("selectbox", 1, "460103")),
    ("pages/omrader.py", "omrader?omrade=4601&indikator=eu_mobbing_10", ("selectbox", 0, "ung_trygg")),
    ("pages/omradeprofil.py", "omradeprofil?omrade=460103", ("selectbox", 0, "460108")),
    ("pages/resultatavtaler.py", "resultatavtaler?omrade=4601", ("selectbox", 1, "3201")),
    ("pages/datagrunnlag.py", "datagrunnlag?omrade=4601", ("selectbox", 0, "3201")),
]
NOT_STALE = """document.querySelectorAll('[data-stale="true"]').length === 0"""
RENDERED = """() => document.querySelectorAll('[data-stale="true"]').length === 0
  && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
  && [...document.querySelectorAll('[data-testid="stDataFrame"]')].every(d => d.querySelector('canvas'))"""
DONE = (
    '[data-testid="stApp"] [data-test-script-state="notRunning"], '
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def server_times(db: str) -> dict:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["OPPVEKST_DB"] = db
    out = {}
    for script, url, (kind, idx, value) in PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        query = dict(kv.split("=") for kv in url.split("?")[1].split("&"))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        for k, v in query.items():
            at.query_params[k] = v
        at.switch_page(script)
        t0 = time.perf_counter()
        at.run()
        first = time.perf_counter() - t0
        warm = []
        for _ in range(3):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        getattr(at, kind)[idx].set_value(value).run()
        change = time.perf_counter() - t0
        out[script] = {
            "first_s": round(first, 3),
            "warm_s": round(statistics.median(warm), 3),
            "filter_change_s": round(change, 3),
            "error": bool(at.exception),
        }
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(script: str, db: str, log=None) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run script`` on a free port as the Makefile does (no file watcher,
    viewer toolbar); the server's stderr goes to ``log`` (an open file) when given."""
    port = free_port()
    env = dict(os.environ, OPPVEKST_DB=db)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--client.toolbarMode",
            "viewer",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(480):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(script)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def browser_times(db: str, repeats: int = 7) -> dict:
    """Per page: the median of ``repeats`` warm loads, and the floor's median over the loads
    made alternately with that page's; then the app server's RSS."""
    from playwright.sync_api import sync_playwright

    app, app_url = start("app.py", db)
    floor, floor_url = start("bench/floor_app.py", db)
    out: dict = {"pages": {}}
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

            def load(url: str, selector: str) -> float:
                page = b.new_page(viewport={"width": 1280, "height": 720})
                t0 = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(DONE, state="attached", timeout=300_000)
                page.wait_for_function(RENDERED, timeout=300_000)
                page.wait_for_selector(selector, state="attached", timeout=300_000)
                took = time.perf_counter() - t0
                errors = page.locator('[data-testid="stException"]').count()
                page.close()
                if errors:
                    raise RuntimeError(f"{url}: the page shows an exception")
                return took

            floor_sel = '[data-testid="stMarkdown"]'
            load(floor_url + "/", floor_sel)  # start both servers' sessions once
            for _script, url, _ in PAGES:
                load(f"{app_url}/{url}", "h1")  # warm the server's caches for this page
            all_floor = []
            for script, url, _ in PAGES:
                sel = ".oppvekst-chart svg" if "indikator" in url or "omrader" in url else "h1"
                page_t, floor_t = [], []
                for _ in range(repeats):
                    floor_t.append(load(floor_url + "/", floor_sel))
                    page_t.append(load(f"{app_url}/{url}", sel))
                all_floor += floor_t
                page_m, floor_m = statistics.median(page_t), statistics.median(floor_t)
                out["pages"][script] = {
                    "browser_s": round(page_m, 3),
                    "floor_s": round(floor_m, 3),
                    "ratio": round(page_m / floor_m, 2),
                }
            out["floor_s"] = round(statistics.median(all_floor), 3)
            out["app_rss_mb"] = rss_mb(app.pid)
            b.close()
    finally:
        app.terminate()
        floor.terminate()
        app.wait(timeout=30)
        floor.wait(timeout=30)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/bench/national.duckdb")
    ap.add_argument("--repeats", type=int, default=7, help="warm browser loads per page (at least 5)")
    ap.add_argument("--browser-only", action="store_true", help="skip the AppTest server times")
    args = ap.parse_args()
    if not Path(args.db).exists():
        print(f"{args.db} not found: run bench/etl_bench.py --keep /tmp/bench first", file=sys.stderr)
        return 2
    if args.repeats < 5:
        ap.error("--repeats must be at least 5")
    server = {}
    if not args.browser_only:
        server = server_times(args.db)
        print("Server time (AppTest), seconds:")
        print(f"{'page':28} {'first':>7} {'warm':>7} {'filter':>7}")
        for page, t in server.items():
            print(
                f"{page:28} {t['first_s']:7.3f} {t['warm_s']:7.3f} {t['filter_change_s']:7.3f}"
                + ("  ERROR" if t["error"] else "")
            )
    browser = browser_times(args.db, args.repeats)
    print(
        f"\nBrowser, until rendered: median of {args.repeats} warm loads, each page alternating with the "
        "one-line floor page; seconds"
    )
    print(f"{'page':28} {'page':>7} {'floor':>7} {'ratio':>7}")
    for page, t in browser["pages"].items():
        print(f"{page:28} {t['browser_s']:7.3f} {t['floor_s']:7.3f} {t['ratio']:6.2f}×")
    print(f"floor over all loads: {browser['floor_s']:.3f} s")
    print(f"app server RSS after visiting every page: {browser['app_rss_mb']:.0f} MB")
    print(json.dumps({"server": server, "browser": browser}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
