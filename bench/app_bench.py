"""App benchmark on a database (default: the national-scale one from bench/etl_bench.py).

For every page: server time of a first (cold) and a warm run and of a filter change, with
Streamlit's AppTest; then, in headless Chromium, the time until the page has finished
rendering, next to a one-line Streamlit page (bench/floor_app.py) measured the same way in
the same run.

    .venv/bin/python bench/etl_bench.py --keep /tmp/bench      # builds /tmp/bench/national.duckdb
    .venv/bin/python bench/app_bench.py --db /tmp/bench/national.duckdb
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


def browser_times(db: str, repeats: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    done = (
        '[data-testid="stApp"] [data-test-script-state="notRunning"], '
        '[data-testid="stApp"][data-test-script-state="notRunning"]'
    )
    app, app_url = start("app.py", db)
    floor, floor_url = start("bench/floor_app.py", db)
    out = {}
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

            def visible(url: str, selector: str) -> float:
                times = []
                for _ in range(repeats):
                    page = b.new_page(viewport={"width": 1280, "height": 720})
                    t0 = time.perf_counter()
                    page.goto(url)
                    page.wait_for_selector(done, timeout=300_000)
                    page.wait_for_function(NOT_STALE)
                    page.wait_for_selector(selector, timeout=300_000)
                    times.append(time.perf_counter() - t0)
                    page.close()
                return round(statistics.median(times[1:] or times), 3)

            visible(app_url + "/", "h1")  # warm the server's caches once
            out["floor (one-line page)"] = visible(floor_url + "/", '[data-testid="stMarkdown"]')
            for script, url, _ in PAGES:
                sel = ".js-plotly-plot" if "indikator" in url or "omrader" in url else "h1"
                out[script] = visible(f"{app_url}/{url}", sel)
            b.close()
    finally:
        app.terminate()
        floor.terminate()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/bench/national.duckdb")
    args = ap.parse_args()
    if not Path(args.db).exists():
        print(f"{args.db} not found: run bench/etl_bench.py --keep /tmp/bench first", file=sys.stderr)
        return 2
    server = server_times(args.db)
    print("Server time (AppTest), seconds:")
    print(f"{'page':28} {'first':>7} {'warm':>7} {'filter':>7}")
    for page, t in server.items():
        print(
            f"{page:28} {t['first_s']:7.3f} {t['warm_s']:7.3f} {t['filter_change_s']:7.3f}"
            + ("  ERROR" if t["error"] else "")
        )
    browser = browser_times(args.db)
    floor = browser.pop("floor (one-line page)")
    print(f"\nBrowser, until rendered (median of warm loads), seconds; floor = one-line page: {floor:.3f}")
    for page, t in browser.items():
        print(f"{page:28} {t:7.3f}   {t / floor:4.1f}× floor")
    print(json.dumps({"server": server, "browser": browser, "floor": floor}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
