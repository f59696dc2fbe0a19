"""Speed of the browser playground: recompute + redraw time per input (issue 12).

Not a test (nothing here is timed by pytest). Usage, after a build that contains
book/playground.html:

    .venv/bin/python bench/playground.py [--site _build/html] [--inputs 200]

Adds a playground with 4 optimizers x 500 steps (GD, momentum, RMSProp, Adam on the
κ = 20 quadratic) to the page in headless Chromium, then sends `inputs` input events to
its learning-rate slider, alternating between two values. For each it records
  * sync:   the input handler (4 trajectories of 500 steps, loss curves, redraw of both
            canvases, legend) measured around dispatchEvent;
  * raster: the same plus getImageData on both canvases, which forces Chromium to
            rasterize the canvases (an upper bound for what reaches the screen).
Prints median / p90 / max in ms against the 16 ms frame budget, and the added page
weight (playground.js + playground.css, raw and gzip).
"""
from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

MEASURE_JS = """
const n = arguments[0];
const d = document.createElement('div');
d.className = 'optim-playground';
Object.assign(d.dataset, {fn: 'quadratic', fnParams: '{"b": 2, "kappa": 20}', rules: 'sgd,momentum,rmsprop,adam',
  steps: '500', controls: 'lr,steps', start: '-5,-2'});
document.querySelector('article').prepend(d);
OptimPlayground.initAll(true);
const pg = d.optimPlayground, slider = d.querySelector('input[id$="-sgd-lr"]');
const canvases = d.querySelectorAll('canvas');
const sync = [], raster = [], base = +slider.value;
for (let k = 0; k < n; k++) {
  slider.value = base - (k % 2);   // two neighbouring stops of the η slider
  const t0 = performance.now();
  slider.dispatchEvent(new Event('input'));
  const t1 = performance.now();
  for (const c of canvases) c.getContext('2d').getImageData(0, 0, 1, 1);
  const t2 = performance.now();
  sync.push(t1 - t0); raster.push(t2 - t0);
}
return {sync, raster, points: pg.runs.map(r => r.points.length), width: pg.W, height: pg.H,
        dpr: window.devicePixelRatio};
"""


def summary(name, xs):
    xs = sorted(xs)
    p90 = xs[int(0.9 * (len(xs) - 1))]
    return (f"{name:7s} median {statistics.median(xs):6.2f} ms   p90 {p90:6.2f} ms   "
            f"max {xs[-1]:6.2f} ms   ({'PASS' if statistics.median(xs) < 16 else 'FAIL'}: goal < 16 ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", default=os.environ.get("SITE_DIR", str(ROOT / "_build" / "html")))
    parser.add_argument("--inputs", type=int, default=200)
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    os.environ["SITE_DIR"] = args.site
    import site_support as ss

    site = Path(args.site)
    if not (site / "book" / "playground.html").is_file():
        sys.exit(f"{site} has no book/playground.html: build the book with the playground page first")
    chromium, driver = ss.require_browser()
    with ss.serve(site) as base, ss.chromium_driver(chromium, driver, width=args.width) as drv:
        drv.get(base + "book/playground.html")
        ss.settle(drv)
        drv.set_script_timeout(120)
        res = drv.execute_script(MEASURE_JS, args.inputs)
    print(f"playground: 4 optimizers x 500 steps ({res['points']} points), canvas "
          f"{res['width']}x{res['height']} css px, dpr {res['dpr']}, {args.inputs} inputs, "
          f"load {os.getloadavg()[0]:.2f}")
    print(summary("sync", res["sync"]))
    print(summary("raster", res["raster"]))
    static = ROOT / "book" / "_static" / "playground"
    raw = sum(p.stat().st_size for p in static.iterdir())
    gz = sum(len(gzip.compress(p.read_bytes(), 9)) for p in static.iterdir())
    print(f"page weight added: {raw / 1024:.1f} KB raw, {gz / 1024:.1f} KB gzip "
          f"({', '.join(p.name for p in sorted(static.iterdir()))}; goal < 50 KB)")


if __name__ == "__main__":
    main()
