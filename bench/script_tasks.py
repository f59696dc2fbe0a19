"""How long the browser's main thread spends in the tasks that run given scripts, per page load
(bench/README.md, "2026-12-07, seventh pass": the copy buttons).

Not a test. Usage, after `bash .ci/build` (one site, or two to compare, loaded alternately):

    .venv/bin/python bench/script_tasks.py --pages book/ch09_adam.html,book/convexity.html \
        --scripts copybutton.js,clipboard.min.js,copycode.js [--sites _build/html,/tmp/old] [--runs 5]

Each load is a fresh headless Chromium at a phone's width (412 x 823) that records a trace of its
main thread (chromedriver's performance log with the devtools.timeline category). Once late.js has
run every script it fetches after the load event, and the page has been quiet for a moment, the
tasks in which one of `--scripts` was evaluated are summed: the script's own run plus whatever
style and layout it forced inside the same task. Prints the median and every run per site and page.
Lighthouse's mobile preset would count each such task at 4x (its CPU slowdown).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import site_support as ss  # noqa: E402

TRACE_CATEGORIES = "devtools.timeline,disabled-by-default-devtools.timeline"
SETTLE_S = 1.5   # after the late scripts: what they schedule (timers, frames) runs too


def script_task_ms(events: list[dict], scripts: list[str]) -> float:
    """Milliseconds of the main-thread tasks (``RunTask``) inside which a script whose URL ends in
    one of `scripts` (query string aside) was evaluated; a task that evaluates two counts once."""
    if not scripts:
        raise ValueError("script_task_ms: name at least one script, e.g. ['copycode.js']")
    complete = [e for e in events if e.get("ph") == "X"]
    tasks = [e for e in complete if e.get("name") == "RunTask"]
    counted = {}
    for e in complete:
        if e.get("name") != "EvaluateScript":
            continue
        url = (e.get("args", {}).get("data", {}).get("url") or "").split("?")[0]
        if not any(url.endswith("/" + name) or url == name for name in scripts):
            continue
        for t in tasks:
            same_thread = (t.get("pid"), t.get("tid")) == (e.get("pid"), e.get("tid"))
            if same_thread and t["ts"] <= e["ts"] <= t["ts"] + t.get("dur", 0):
                counted[(t["pid"], t["tid"], t["ts"])] = t.get("dur", 0) / 1000
    return sum(counted.values())


def traced_load(browser: tuple[str, str], url: str) -> list[dict]:
    """The trace events of one load of `url` in a fresh phone-sized Chromium (`browser`: the
    chromium and chromedriver paths), taken once the late scripts have run."""
    with ss.chromium_driver(*browser, trace_categories=TRACE_CATEGORIES) as driver:
        ss.emulate_phone(driver, 412, 823)
        driver.get(url)
        ss.wait_for_late_scripts(driver, url, timeout=30)
        time.sleep(SETTLE_S)
        messages = [json.loads(m["message"])["message"] for m in driver.get_log("performance")]
    return [m["params"] for m in messages if m.get("method") == "Tracing.dataCollected"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", default=str(ROOT / "_build" / "html"),
                        help="built site folders, comma-separated (loaded alternately)")
    parser.add_argument("--pages", required=True, help="pages under the site root, comma-separated")
    parser.add_argument("--scripts", required=True, help="script file names, comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sites = [Path(s) for s in args.sites.split(",")]
    scripts = args.scripts.split(",")
    for site in sites:
        if not (site / "index.html").is_file():
            sys.exit(f"bench/script_tasks.py: {site} holds no built site (bash .ci/build first)")
    browser = ss.require_browser()
    times = {(s, p): [] for s in sites for p in args.pages.split(",")}
    with ExitStack() as stack:
        bases = {s: stack.enter_context(ss.serve(s)) for s in sites}
        for _ in range(args.runs):
            for site, page in times:
                times[site, page].append(script_task_ms(traced_load(browser, bases[site] + page), scripts))
    for (site, page), ms in times.items():
        print(f"{page:36s} {str(site):28s} median {statistics.median(ms):6.1f} ms   "
              + " ".join(f"{m:.1f}" for m in ms))


if __name__ == "__main__":
    main()
