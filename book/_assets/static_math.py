"""Formulas typeset at build time (a local Sphinx extension; the work is book/_assets/mathrender.js).

MathJax in the browser typeset ~400 formulas on a chapter like ch05 in ~1.8 s of main thread
(much more on a phone) after downloading 1.2 MB of script, and every formula it typeset moved
the text around it. Measured with Lighthouse (bench/lighthouse.py, bench/README.md), so:

* no page loads MathJax (its script and inline configuration are taken out of every page);
* after the HTML is written, ``node mathrender.js`` (MathJax 3 from npm, offline) typesets
  every formula to CHTML with hidden MathML for screen readers: those near the top of a page
  go into the page itself, the rest into ``PAGE.math.json``, which ``_static/mathlazy.js``
  (added here to every page with math) swaps in as they come near the viewport;
* the TeX fonts the pages link are cut down to the characters the formulas draw
  (font_subset.py);
* a TeX error is a build warning, so ``-W`` fails the build.
"""
from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

from sphinx.util import logging

from font_subset import subset_math_fonts

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
SCRIPT = "mathlazy.js"


def drop_mathjax(app, pagename, templatename, context, doctree):
    """html-page-context: no MathJax script or configuration; the lazy swapper where math is."""
    if 'class="math notranslate' in context.get("body", ""):
        app.add_js_file(SCRIPT, loading_method="defer")
    files = []
    for js in context.get("script_files", []):
        name = str(getattr(js, "filename", "") or "")
        body = str(getattr(js, "attributes", {}).get("body", ""))
        if "mathjax" in name.lower() or body.startswith("window.MathJax"):
            continue
        files.append(js)
    context["script_files"] = files


def typeset(app, exception):
    """build-finished: run mathrender.js over every HTML page of the output."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    pages = sorted(str(p) for p in out.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)
    proc = subprocess.run(["node", str(HERE / "mathrender.js"), "--root", str(out), *pages],
                          capture_output=True, text=True, cwd=HERE)
    for line in proc.stderr.splitlines():
        if line.startswith("mathrender:"):
            logger.warning(line, type="optim", subtype="math")
    if proc.returncode not in (0, 3):
        logger.warning(f"mathrender.js failed (exit {proc.returncode}): {proc.stderr[-2000:]}",
                       type="optim", subtype="math")
    else:
        logger.info(proc.stdout.strip())
    logger.info(f"static_math: {subset_math_fonts(out, pages)} TeX fonts subset")
    compress(out)   # after the subsetting, which rewrites the font URLs in PAGE.math.json


def compress(out):
    """PAGE.math.json.gz beside each PAGE.math.json: mathlazy.js fetches it where the browser
    has DecompressionStream (about a seventh of the bytes; a static host need not gzip)."""
    for path in Path(out).rglob("*.math.json"):
        packed = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
        path.with_name(path.name + ".gz").write_bytes(packed)


def setup(app):
    app.connect("html-page-context", drop_mathjax, priority=800)
    app.connect("build-finished", typeset)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
