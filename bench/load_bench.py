"""Many people at once: N browser contexts open the three busiest pages at the same moment.

For N = 1, 10, 30 (default): every context opens one of Målekart, Indikator and Områder for
its own area (and indicator), all requests sent before any page is awaited. Per round: median,
p95 and max time until the page has finished rendering, how many pages showed an exception
box, and how many showed the wrong content (another area, or «Ingen indikatorer har data»).
Then a soak: 10 contexts reload their page 20 times each (200 reloads). The server's RSS and
open file handles are read from /proc before and after each round.

    .venv/bin/python bench/load_bench.py                       # sample database, built in a temp dir
    .venv/bin/python bench/load_bench.py --db /tmp/oppvekst-bench/national.duckdb
    .venv/bin/python bench/load_bench.py --users 1 10 30 --soak 200

Prints a table and one JSON line. Not a test: it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.app_bench import ARGS as APP_BENCH_ARGS
from bench.app_bench import start

# The project's Chromium flags, plus: every context renders as if it were in front (a headless
# browser otherwise throttles timers and rendering in the windows "behind", which measures
# the browser's scheduling, not the app).
ARGS = [
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    *APP_BENCH_ARGS,
]
DONE = (
    '[data-testid="stApp"] [data-test-script-state="notRunning"], '
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
)
HEADINGS = {"malekart": "Målekart", "indikator": "Indikator", "omrader": "Områder"}
INDICATORS = ["ung_depr", "eu_mobbing_10", "ung_trygg", "eu_trivsel_10", "fravaer_bekymring_10", "ung_ensomhet"]


def server_state(pid: int) -> dict:
    with open(f"/proc/{pid}/status") as fh:
        rss = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    fds = os.listdir(f"/proc/{pid}/fd")
    kinds: dict[str, int] = {}
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        kind = (
            link.split(":")[0]
            if ":" in link and not link.startswith("/")
            else ("database" if ".duckdb" in link else "file")
        )
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"rss_mb": round(rss / 1024, 1), "fds": len(fds), "fd_kinds": kinds}


def areas(db: Path) -> dict[str, str]:
    from oppvekst import queries
    from oppvekst.db import connect_readonly

    con = connect_readonly(db)
    try:
        rows = queries.areas_with_data(con)
    finally:
        con.close()
    return dict(zip(rows["area_code"], rows["area_name"]))


def cases(n: int, names: dict[str, str]) -> list[tuple[str, str, str]]:
    """(url path, page, area code) for n users: the three pages in turn, each for another area."""
    codes = list(names)
    out = []
    for i in range(n):
        page = ["malekart", "indikator", "omrader"][i % 3]
        area = codes[(i * 7) % len(codes)]
        ind = INDICATORS[i % len(INDICATORS)]
        path = {
            "malekart": f"/malekart?omrade={area}",
            "indikator": f"/indikator?indikator={ind}&omrade={area}",
            "omrader": f"/omrader?indikator={ind}&omrade={area}",
        }[page]
        out.append((path, page, area))
    return out


OUT = ROOT / "bench" / "out"


def check(page, kind: str, area_name: str) -> tuple[bool, str]:
    """(exception shown, what is wrong with the content or '') for a rendered page."""
    exc = page.locator('[data-testid="stException"]').count() > 0
    try:
        page.wait_for_function(
            """name => [...document.querySelectorAll('[data-testid="stSelectbox"] input')]
            .some(i => i.value.startsWith(name + ' (') || i.value.startsWith('– ' + name + ' ('))""",
            arg=area_name,
            timeout=60_000,  # under load the widget can lag behind the content it controls
        )
        right_area = True
    except Exception:
        right_area = False
    heading = page.get_by_role("heading", name=HEADINGS[kind], exact=True).count() > 0
    empty = page.get_by_text("Ingen indikatorer har data ennå").count() > 0
    wrong = ", ".join(
        w
        for w, bad in (
            ("not the chosen area", not right_area),
            ("no heading", not heading),
            ("«Ingen indikatorer har data»", empty),
        )
        if bad
    )
    if exc or wrong:
        OUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT / f"wrong_{kind}_{int(time.time() * 1000)}.png"), full_page=True)
    return exc, wrong


def wait_rendered(page, timeout_ms: int = 300_000) -> None:
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=timeout_ms)


def burst(browser, url: str, n: int, names: dict[str, str]) -> dict:
    todo = cases(n, names)
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720}) for _ in todo]
    pages = [c.new_page() for c in contexts]
    times, exceptions, wrong, reasons = [], 0, 0, []
    try:
        t0 = time.perf_counter()
        for p, (path, _, _) in zip(pages, todo):
            p.goto(url + path, wait_until="commit")
        for p, (_, kind, area) in zip(pages, todo):
            wait_rendered(p)
            times.append(time.perf_counter() - t0)  # all started together: time since the burst began
            exc, bad = check(p, kind, names[area])
            exceptions += exc
            wrong += bool(bad)
            if bad:
                reasons.append(f"{kind} {area}: {bad}")
    finally:
        for c in contexts:
            c.close()
    times.sort()
    return {
        "users": n,
        "median_s": round(statistics.median(times), 2),
        "p95_s": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 2),
        "max_s": round(times[-1], 2),
        "exceptions": exceptions,
        "wrong_pages": wrong,
        "wrong_reasons": reasons[:10],
    }


def soak(browser, url: str, reloads: int, names: dict[str, str], users: int = 10) -> dict:
    todo = cases(users, names)
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720}) for _ in todo]
    pages = [c.new_page() for c in contexts]
    exceptions = wrong = done = 0
    reasons = []
    times = []
    try:
        for p, (path, _, _) in zip(pages, todo):
            p.goto(url + path, wait_until="commit")
        while done < reloads:
            batch = min(users, reloads - done)
            t0 = time.perf_counter()
            for p in pages[:batch]:
                p.reload(wait_until="commit")
            for p, (_, kind, area) in zip(pages[:batch], todo):
                wait_rendered(p)
                exc, bad = check(p, kind, names[area])
                exceptions += exc
                wrong += bool(bad)
                if bad:
                    reasons.append(f"{kind} {area}: {bad}")
            times.append(time.perf_counter() - t0)
            done += batch
    finally:
        for c in contexts:
            c.close()
    return {
        "reloads": done,
        "users": users,
        "median_batch_s": round(statistics.median(times), 2),
        "exceptions": exceptions,
        "wrong_pages": wrong,
        "wrong_reasons": reasons[:10],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="database (default: the sample, built in a temporary folder)")
    ap.add_argument("--users", type=int, nargs="+", default=[1, 10, 30])
    ap.add_argument("--soak", type=int, default=200, help="reloads in the soak (0: none)")
    args = ap.parse_args()
    if args.db:
        db = Path(args.db)
    else:
        from etl.sample import build_sample

        db = Path(tempfile.mkdtemp(prefix="oppvekst-load-")) / "oppvekst.duckdb"
        print(f"building the sample database in {db} …", file=sys.stderr)
        build_sample(db)
    names = areas(db)
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - the server writes to it until the end
    proc, url = start("app.py", str(db), log)
    results = {"db": str(db), "rounds": [], "soak": None}
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            burst(browser, url, 3, names)  # Python imports and first queries, not measured
            for n in args.users:
                before = server_state(proc.pid)
                r = burst(browser, url, n, names)
                r.update(before=before, after=server_state(proc.pid))
                results["rounds"].append(r)
                print(
                    f"N={n:3}: median {r['median_s']:.2f} s, p95 {r['p95_s']:.2f} s, max {r['max_s']:.2f} s, "
                    f"exceptions {r['exceptions']}, wrong pages {r['wrong_pages']}; RSS {before['rss_mb']} → "
                    f"{r['after']['rss_mb']} MB, open fds {before['fds']} → {r['after']['fds']}",
                    flush=True,
                )
                for why in r["wrong_reasons"]:
                    print(f"    wrong: {why}", flush=True)
            if args.soak:
                before = server_state(proc.pid)
                r = soak(browser, url, args.soak, names)
                time.sleep(2)
                r.update(before=before, after=server_state(proc.pid))
                results["soak"] = r
                print(
                    f"soak: {r['reloads']} reloads by {r['users']} users, median batch {r['median_batch_s']:.2f} s, "
                    f"exceptions {r['exceptions']}, wrong pages {r['wrong_pages']}; RSS {before['rss_mb']} → "
                    f"{r['after']['rss_mb']} MB, open fds {before['fds']} → {r['after']['fds']} "
                    f"({before['fd_kinds']} → {r['after']['fd_kinds']})",
                    flush=True,
                )
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.seek(0)
    errors = [line for line in log.read().splitlines() if "Error" in line or "Traceback" in line]
    results["server_log_errors"] = errors[:20]
    print(f"server log: {len(errors)} error lines" + (f", first: {errors[0]}" if errors else ""))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
