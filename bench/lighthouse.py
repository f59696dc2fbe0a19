"""Lighthouse figures of every page of the built site, as a phone reader meets it (GUIDE §13).

Not a test (nothing in pytest times anything). Usage, after `bash .ci/build`:

    npm install --prefix /work/tools lighthouse@12.8.2      # once, outside the repository
    apt-get install fonts-noto-cjk                           # once: a Chinese font (checked)
    .venv/bin/python bench/lighthouse.py [--site _build/html] [--runs 3] [--pages ch05_momentum,index]
                                         [--lighthouse /work/tools/node_modules/.bin/lighthouse] [--desktop]
                                         [--gzip] [--cpu N] [--throttling devtools]

Serves the site with `python -m http.server` on 127.0.0.1 (no compression, as a worst case; with
`--gzip`, tests/gzip_http.py sends text gzip-encoded, as a web host does), runs
Lighthouse (mobile preset unless --desktop: simulated slow 4G and 4x CPU slowdown) `--runs` times per
page with a fresh headless Chromium each time, and prints the median of each figure per page:
performance, accessibility, best practices and SEO scores, first contentful paint, total blocking time,
cumulative layout shift, bytes transferred on the first visit (empty cache) and off-site requests.
The 1-minute load average before and after is printed too: the machine is shared, so timings vary.
Raw reports go to bench/results/lighthouse/ (git-ignored); the table to bench/results/lighthouse.md.

The mobile preset slows this machine's CPU down 4x, which makes a mid-tier phone of a host whose
Lighthouse benchmark index (BI) is about 1500. Lighthouse's throttling guide says to calibrate the
multiplier on any other host. So each mobile run is also audited a second time from the same load
(Lighthouse's audit mode, `-A`, on the saved trace), with the multiplier Lighthouse's CPU-throttling
calculator gives for the BI that run measured (`calibrated_multiplier`); the table shows both. The
network (1.6 Mbit/s, 150 ms) is the same in both, so FCP moves little; TBT is what changes.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from site_support import serve  # noqa: E402
from toc import toc_files  # noqa: E402

TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 95,
           "fcp_ms": 2000, "tbt_ms": 200, "cls": 0.1, "bytes": 2_000_000, "offsite": 0}


# Headless Chromium draws a frame only when something asks for the next one: in 3 of 4 runs of
# ch04 (2026-12-07) the first frame, painted at ~0.4 s, was not presented until Lighthouse itself
# scrolled at ~1.2 s, and Lantern then counted every font and task before 1.2 s into the first
# paint (FCP 2.7-3.0 s instead of 2.0-2.4 s). With frames drawn as soon as they are ready, 4 of 4
# runs presented it at 0.4-0.56 s, as a phone's screen would.
PRESENT_FRAMES = "--disable-frame-rate-limit"


def require_chinese_font():
    """Exit with a message unless fontconfig has a Chinese font. Without one, Chromium finds every
    Chinese character through font fallback and draws boxes: measured 2026-12-07 on the home page,
    a layout shift of 0.137 (0 with fonts-noto-cjk) and slower layouts; the figures would measure
    the machine's missing font, not the page (a reader's phone has a Chinese system font)."""
    fc_list = shutil.which("fc-list")
    found = ""
    if fc_list:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True).stdout.strip()
    if not found:
        sys.exit("bench/lighthouse.py: no Chinese font on this machine (fc-list :lang=zh is empty). "
                 "Install one first, e.g. `apt-get install fonts-noto-cjk`.")


def pages():
    """Every page of the table of contents, by its path under the site root."""
    return [f"{name}.html" for name in toc_files()]


def calibrated_multiplier(benchmark_index: float) -> float:
    """The CPU slowdown that turns a host of this Lighthouse benchmark index into the mid-tier phone
    the mobile preset aims at: the piecewise-linear map of Lighthouse's CPU-throttling calculator
    (linked from its docs/throttling.md). Anchors: BI 150 -> 1x, 800 -> 2x, 1300 -> 3x, and one more
    x for every 233 above 1300 (so ~1533 -> 4x, the preset's fixed value). Below 150 the host is too
    slow to stand for that phone, and this raises ValueError."""
    bi = float(benchmark_index)
    if not bi >= 150:   # also catches NaN
        raise ValueError(f"benchmark index {benchmark_index!r}: expected at least 150; a slower host "
                         "cannot emulate Lighthouse's mid-tier phone")
    if bi < 800:
        return 1 + (bi - 150) / 650
    if bi < 1300:
        return 2 + (bi - 800) / 500
    return 3 + (bi - 1300) / 233


def _lighthouse(cmd, url):
    """Run one Lighthouse command; True if it succeeded (3 tries)."""
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    for attempt in range(3):   # on a loaded machine Lighthouse sometimes times out talking to Chromium
        try:
            subprocess.run(cmd, check=True, env=env, timeout=300, stdout=subprocess.DEVNULL)
            return True
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            if attempt == 2:
                print(f"  Lighthouse failed 3 times on {url}: {exc}", flush=True)
    return False


def summarize(report, url):
    """The figures of one Lighthouse report that the table shows."""
    audits = report["audits"]
    host = urlsplit(url).netloc
    offsite = [r["url"] for r in audits["network-requests"]["details"]["items"]
               if urlsplit(r["url"]).scheme in ("http", "https") and urlsplit(r["url"]).netloc != host]
    failed = {k: a.get("title") for k, a in audits.items()
              if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"}
    return {
        **{c: round(100 * report["categories"][c]["score"]) for c in
           ("performance", "accessibility", "best-practices", "seo")},
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        # When Chromium presented its first frame in the fast, unthrottled load that Lighthouse
        # simulates from (0.2-0.6 s with PRESENT_FRAMES; ~1.2 s in most runs without it).
        "observed_fcp_ms": audits["metrics"]["details"]["items"][0].get("observedFirstContentfulPaint", 0),
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "offsite": len(offsite),
        # Lighthouse's measure of this machine's speed at the time (a quiet desktop: ~1000-2000);
        # the simulated phone is this machine slowed down by the CPU multiplier.
        "benchmark_index": report["environment"].get("benchmarkIndex", 0),
        "failed_audits": failed,
    }


def reaudit_calibrated(lighthouse, url, artifacts, out):
    """Audit the load saved in `artifacts` again, with the CPU multiplier calibrated to the benchmark
    index that load measured. Lighthouse refuses an audit whose settings differ from the gathering's,
    so the saved settings get the new multiplier first (in simulate mode the load itself was not
    throttled: the multiplier only enters the simulation). Returns (multiplier, report) or None."""
    saved = artifacts / "artifacts.json"
    data = json.loads(saved.read_text(encoding="utf-8"))
    multiplier = round(calibrated_multiplier(data["BenchmarkIndex"]), 2)
    data["settings"]["throttling"]["cpuSlowdownMultiplier"] = multiplier
    saved.write_text(json.dumps(data), encoding="utf-8")
    cmd = [lighthouse, url, "--quiet", "--output=json", f"--output-path={out}", f"-A={artifacts}",
           "--only-categories=performance,accessibility,best-practices,seo",
           f"--throttling.cpuSlowdownMultiplier={multiplier}"]
    if not _lighthouse(cmd, url):
        return None
    return multiplier, json.loads(Path(out).read_text(encoding="utf-8"))


def run_once(lighthouse, url, out, desktop, cpu=None, throttling="simulate"):
    """One Lighthouse run of `url`: the figures of its report, and for a mobile run with the preset's
    CPU multiplier also those of the calibrated re-audit (keys ending in "_cal", and "cpu_cal")."""
    profile = tempfile.mkdtemp(prefix="lh-chromium-")
    calibrate = not desktop and cpu is None and throttling == "simulate"
    artifacts = Path(tempfile.mkdtemp(prefix="lh-artifacts-")) if calibrate else None
    cmd = [lighthouse, url, "--quiet", "--output=json", f"--output-path={out}",
           "--only-categories=performance,accessibility,best-practices,seo",
           f"--chrome-flags=--headless=new --no-sandbox --disable-gpu {PRESENT_FRAMES} --user-data-dir={profile}"]
    if calibrate:
        cmd.append(f"-GA={artifacts}")
    if desktop:
        cmd.append("--preset=desktop")
    if cpu is not None:
        cmd.append(f"--throttling.cpuSlowdownMultiplier={cpu}")
    if throttling != "simulate":
        cmd.append(f"--throttling-method={throttling}")
    try:
        if not _lighthouse(cmd, url):
            return None
        row = summarize(json.loads(Path(out).read_text(encoding="utf-8")), url)
        if calibrate:
            try:
                cal = reaudit_calibrated(lighthouse, url, artifacts, out.with_name(out.stem + "-cal.json"))
            except ValueError as exc:   # a host too slow to calibrate: the 4x figures still stand
                print(f"  {url}: no calibrated audit: {exc}", flush=True)
                cal = None
            if cal is not None:
                row["cpu_cal"] = cal[0]
                row.update({f"{k}_cal": v for k, v in summarize(cal[1], url).items()
                            if k in ("performance", "fcp_ms", "lcp_ms", "tbt_ms")})
        return row
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        if artifacts:
            shutil.rmtree(artifacts, ignore_errors=True)


SCORES = ("performance", "accessibility", "best-practices", "seo")   # higher is better; the rest lower


def missed_targets(rows, keys, suffix=""):
    """"page: figure value" for each of `keys` (names in TARGETS) that misses its target, read from
    each row's key + `suffix` (rows without it are skipped)."""
    return [f"{Path(p).stem}: {k} {m[k + suffix]:.4g}" for p, m in rows.items() for k in keys
            if k + suffix in m and (m[k + suffix] < TARGETS[k] if k in SCORES else m[k + suffix] > TARGETS[k])]


def loadavg():
    return os.getloadavg()[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pages", default="", help="comma-separated page names (default: every toc page)")
    ap.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE", "/work/tools/node_modules/.bin/lighthouse"))
    ap.add_argument("--desktop", action="store_true")
    ap.add_argument("--cpu", type=float, default=None,
                    help="CPU slowdown multiplier instead of the preset's 4 (for a machine that is "
                         "itself slow or loaded: see the benchmark index printed per page)")
    ap.add_argument("--gzip", action="store_true",
                    help="serve text files gzip-encoded, as a web host does (the targets are measured "
                         "without compression, the worst case)")
    ap.add_argument("--throttling", choices=["simulate", "devtools"], default="simulate",
                    help="simulate (Lighthouse's default, what the targets use): one fast load, the "
                         "slow network and CPU computed from its trace, each request counted whole; "
                         "devtools: the load itself throttled in Chromium (562.5 ms round trips, "
                         "1.4 Mbit/s), so a page is painted as its HTML streams in, as a reader sees it")
    args = ap.parse_args(argv)
    require_chinese_font()
    chosen = pages()
    if args.pages:
        wanted = args.pages.split(",")
        chosen = [p for p in chosen if any(Path(p).stem == w for w in wanted)]
    outdir = ROOT / "bench" / "results" / "lighthouse"
    outdir.mkdir(parents=True, exist_ok=True)
    print(f"load average (1 min) at start: {loadavg():.2f}", flush=True)
    rows = {}
    with serve(args.site, gzip=args.gzip) as base:
        for page in chosen:
            runs = [run_once(args.lighthouse, base + page, outdir / f"{Path(page).stem}-{k}.json", args.desktop,
                             args.cpu, args.throttling)
                    for k in range(args.runs)]
            runs = [r for r in runs if r is not None]
            if not runs:
                continue
            keys = dict.fromkeys(k for r in runs for k in r if k != "failed_audits")
            # a key only some runs have (a calibrated re-audit that failed): the median of those that do
            med = {key: statistics.median(r[key] for r in runs if key in r) for key in keys}
            med["failed_audits"] = sorted({t for r in runs for t in r["failed_audits"].values()})
            med["runs"] = len(runs)
            rows[page] = med
            print(f"{page}: " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                                          for k, v in med.items()), flush=True)
    print(f"load average (1 min) at end: {loadavg():.2f}")
    missing = [Path(p).stem for p in chosen if p not in rows]
    if missing:
        print("not measured (Lighthouse failed): " + ", ".join(missing))
    lines = ["| page | perf | a11y | best pr. | SEO | FCP s | LCP s | TBT ms | CLS | first visit MB | off-site | BI "
             "| observed FCP s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for page, m in rows.items():
        lines.append(f"| {Path(page).stem} | {m['performance']:.0f} | {m['accessibility']:.0f} | "
                     f"{m['best-practices']:.0f} | {m['seo']:.0f} | {m['fcp_ms'] / 1000:.2f} | "
                     f"{m['lcp_ms'] / 1000:.2f} | {m['tbt_ms']:.0f} | {m['cls']:.3f} | {m['bytes'] / 1e6:.2f} | "
                     f"{m['offsite']:.0f} | {m.get('benchmark_index', 0):.0f} | "
                     f"{m.get('observed_fcp_ms', 0) / 1000:.2f} |")
    if any("cpu_cal" in m for m in rows.values()):
        lines += ["", "Calibrated to the benchmark index each run measured (same loads, re-audited):", "",
                  "| page | CPU × | perf | FCP s | LCP s | TBT ms |", "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {Path(page).stem} | {m['cpu_cal']:.2f} | {m['performance_cal']:.0f} | "
                  f"{m['fcp_ms_cal'] / 1000:.2f} | {m['lcp_ms_cal'] / 1000:.2f} | {m['tbt_ms_cal']:.0f} |"
                  for page, m in rows.items() if "cpu_cal" in m]
    table = "\n".join(lines)
    print(table)
    (ROOT / "bench" / "results" / "lighthouse.md").write_text(table + "\n", encoding="utf-8")
    (ROOT / "bench" / "results" / "lighthouse.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    misses = missed_targets(rows, TARGETS)
    print("targets missed: " + (", ".join(misses) if misses else "none"))
    if any("cpu_cal" in m for m in rows.values()):
        cal_misses = missed_targets(rows, ("performance", "fcp_ms", "tbt_ms"), suffix="_cal")
        print("targets missed, calibrated: " + (", ".join(cal_misses) if cal_misses else "none"))


if __name__ == "__main__":
    main()
