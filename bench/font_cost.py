"""What the book's fonts cost Chromium's layout on this machine: the fixed part of every page's
main-thread time (bench/README.md, "2026-12-07, sixth pass").

Not a test. Usage, after `bash .ci/build` (the pages link the built site's stylesheet bundle, so
they use the book's own font stacks, from book/_static/site.css):

    .venv/bin/python bench/font_cost.py [--runs 5] [--site _build/html]

Writes a few short pages that differ only in which fonts they need (Latin text only; Chinese
text; Chinese text and a bold line; and a code block as well). Each holds five paragraphs, so the
difference between two rows is mostly what opening the extra fonts costs. Each page is loaded in a
fresh headless Chromium at a phone's width (a font is opened once per browser, so every load starts
cold), and Chromium's own count of the time spent in layout is printed (`Performance.getMetrics`,
LayoutDuration): median and range over the runs. Lighthouse's mobile preset counts a task with
layout at 2x its length (Lantern's layoutTaskMultiplier is 0.5 of the 4x slowdown).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "book" / "_assets"))

import site_support as ss  # noqa: E402
from css_bundle import built_bundles  # noqa: E402

LATIN = "Optimization algorithms decide how the parameters move along the gradient. "
CHINESE = "优化算法（optimization algorithm）决定参数如何沿梯度更新，学习率过大则发散。"
CODE = "for epoch in range(10):\n    w -= lr * grad(w)  # 沿负梯度方向走一步"

# name -> body markup; every page has four paragraphs and one line more, of similar length.
VARIANTS = {
    "latin": "".join(f"<p>{LATIN * 2}</p>" for _ in range(4)) + f"<p>{LATIN}</p>",
    "chinese": "".join(f"<p>{CHINESE * 2}</p>" for _ in range(4)) + f"<p>{CHINESE}</p>",
    "chinese+bold": "".join(f"<p>{CHINESE * 2}</p>" for _ in range(4)) + f"<p><strong>{CHINESE}</strong></p>",
    "chinese+bold+code": ("".join(f"<p>{CHINESE * 2}</p>" for _ in range(4))
                          + f"<p><strong>{CHINESE}</strong></p><pre><code>{CODE}</code></pre>"),
}


def bundle_of(site: Path) -> Path:
    """The built site's stylesheet bundle (css_bundle.py names it by a hash of its content)."""
    found = built_bundles(site)
    if len(found) != 1:
        sys.exit(f"bench/font_cost.py: expected one stylesheet bundle under {site}, found "
                 f"{len(found)}; build the site first (bash .ci/build)")
    return found[0]


def write_pages(folder: Path, css: Path) -> list[str]:
    """One page per variant in `folder`, each linking a copy of `css`; returns the file names."""
    shutil.copy(css, folder / "book.css")
    names = []
    for name, body in VARIANTS.items():
        file = name.replace("+", "_") + ".html"
        (folder / file).write_text(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{name}</title><link rel="stylesheet" href="book.css"></head>'
            f'<body><main class="bd-article">{body}</main></body></html>', encoding="utf-8")
        names.append(file)
    return names


def layout_ms(browser: tuple[str, str], base_url: str, page: str) -> float:
    """Milliseconds Chromium spent in layout while loading `page` in a fresh browser
    (`browser`: the Chromium and chromedriver paths)."""
    with ss.chromium_driver(*browser) as driver:
        ss.emulate_phone(driver, 412, 823)
        driver.execute_cdp_cmd("Performance.enable", {})
        driver.get(base_url + page)
        time.sleep(1.0)
        metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return 1000 * next(m["value"] for m in metrics if m["name"] == "LayoutDuration")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error(f"--runs must be at least 1, got {args.runs}")
    css = bundle_of(args.site)
    browser = ss.require_browser()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = write_pages(folder, css)
        times = {page: [] for page in pages}
        with ss.serve(folder, ready=pages[0]) as base:
            for _ in range(args.runs):          # interleaved, so a busy moment hits every page
                for page in pages:
                    times[page].append(layout_ms(browser, base, page))
    print(f"layout time per page load, {args.runs} fresh browsers each, 412 px ({css.name}):")
    for (name, _), page in zip(VARIANTS.items(), pages):
        t = times[page]
        print(f"  {name:<20} median {statistics.median(t):5.0f} ms   range {min(t):.0f}-{max(t):.0f} ms")


if __name__ == "__main__":
    main()
