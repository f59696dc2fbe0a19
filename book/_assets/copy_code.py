"""A copy button on every code block, built after the page has loaded (a local Sphinx extension).

It takes the place of sphinx-copybutton (dropped from ``extensions`` in _config.yml). That
extension's scripts (copybutton.js and clipboard.min.js, 17 KB) ran after the load event and
parsed one SVG icon per code block. ``_static/copycode.js`` adds an empty
``<button class="copybtn">`` after each ``div.highlight > pre`` (site.css draws its icon and
tooltip) and copies with the browser's clipboard. Main-thread time of the tasks that run the copy
scripts, 5 fresh loads at 412 px (bench/README.md, seventh pass): ch09_adam 18.3 -> 4.0 ms,
convexity 16.3 -> 3.8 ms, ch05_momentum 20.0 -> 3.2 ms (medians); Lighthouse multiplies these by 4.

The buttons are not written into the HTML at build time: on ch09 (78 code blocks) that would add
bytes every reader downloads before the first paint, for a button only some readers press.
"""
from __future__ import annotations

SCRIPT = "copycode.js"
CODE_BLOCK = '<div class="highlight">'


def add_script(app, pagename, templatename, context, doctree):
    """html-page-context: copycode.js on the pages that have a code block."""
    if CODE_BLOCK in context.get("body", ""):
        app.add_js_file(SCRIPT, loading_method="defer")


def setup(app):
    app.connect("html-page-context", add_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
