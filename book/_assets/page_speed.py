"""Text first: no script in a page's <head> holds up its first paint (a local Sphinx extension).

Sphinx, the theme and its extensions put a dozen small scripts in every page's ``<head>``
(doctools, copy button, toggle button, translations, the theme's own, site.js ...), each
loaded and run before the browser shows any text; on a phone over a slow network every
one costs a round trip. None of them needs to run before the page is parsed: they all wait
for DOMContentLoaded (or check ``document.readyState``). So every external script gets
``defer``: it still runs in the same order, after parsing, before DOMContentLoaded.

Kept synchronous: ``documentation_options.js`` (322 bytes), because inline scripts right
after it (``DOCUMENTATION_OPTIONS.pagename = ...``) use what it defines; after the build its
content is written into each page instead (one request less); and inline scripts (a
``defer`` on them means nothing). The search page's own search scripts are deferred after the
build too. ``tests/test_site.py`` checks that no script over
50 KB blocks rendering on any page.

Scripts that only add interactions (LATE_SCRIPTS: Bootstrap, the theme's script, the copy
button, doctools, the playground ...) are not fetched until the load event (``late.js``,
written into each page): deferred, they still took a phone's bandwidth from the text, the
stylesheet and the first figures.
"""
from __future__ import annotations

import re
from pathlib import Path

from sphinx.builders.html._assets import _JavaScript

KEEP_SYNC = ("documentation_options.js",)


def _deferred(js):
    if not isinstance(js, _JavaScript) or not js.filename:
        return js  # an inline script
    attrs = dict(js.attributes)
    if "async" in attrs or "defer" in attrs or attrs.get("type", "text/javascript") != "text/javascript":
        return js
    if str(js.filename).split("?")[0].endswith(KEEP_SYNC):
        return js
    attrs["defer"] = "defer"
    return _JavaScript(js.filename, priority=js.priority, **attrs)


def defer_scripts(app, pagename, templatename, context, doctree):
    scripts = [_deferred(js) for js in context.get("script_files", [])]
    # sphinx-design's tab script (7.6 KB) on every page; only a page with its tabs needs it.
    if "sd-tab-set" not in context.get("body", ""):
        scripts = [js for js in scripts
                   if str(getattr(js, "filename", "") or "").rsplit("/", 1)[-1] != "design-tabs.js"]
    context["script_files"] = scripts


_SEARCH_SCRIPTS_RE = re.compile(r'<script src="((?:_static/)?(?:searchtools|language_data)\.js|searchindex\.js)"></script>')


_DOC_OPTIONS_RE = re.compile(r'<script src="([./]*)_static/documentation_options\.js\?v=[0-9a-f]+"></script>')


def inline_documentation_options(app, exception):
    """build-finished: documentation_options.js (a few hundred bytes that inline scripts after it
    need, so it cannot be deferred) written into each page instead of fetched: one round trip
    less before the first paint."""
    if exception is not None or app.builder.format != "html":
        return
    source = Path(app.outdir) / "_static" / "documentation_options.js"
    if not source.is_file():
        return
    body = "<script>" + source.read_text(encoding="utf-8").strip() + "</script>"
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        new = _DOC_OPTIONS_RE.sub(lambda m: body, html)
        if new != html:
            page.write_text(new, encoding="utf-8")


_IMG_RE = re.compile(r'<img\b([^>]*?)\s*/?>')
# Figures fetched at once (the rest with loading="lazy", when the reader nears them). None: on a
# 412x823 phone the first figure of every chapter is 1020-2217 px down the page (measured
# 2026-12-07), below the first screen, and an eager one shared the phone's bandwidth with the
# text and stylesheet; a lazy figure on a desktop's first screen is fetched right after layout.
EAGER_IMAGES = 0


def _png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def size_images(app, exception):
    """build-finished: every output figure gets its width and height (the browser reserves its
    box before the file arrives: no layout shift, no re-layout per image) and, after the first
    EAGER_IMAGES of a page, loading="lazy" (a figure further down is fetched when the reader
    nears it, not on the first visit)."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        if "_static" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        count = [0]

        def fix(m, page=page):
            attrs = m.group(1)
            src = re.search(r'\bsrc="([^"]+)"', attrs)
            if not src or "_images/" not in src.group(1) or "frame-slider__image" in attrs:
                return m.group(0)
            count[0] += 1
            extra = ""
            if " width=" not in attrs and " height=" not in attrs:
                target = (page.parent / src.group(1)).resolve()
                size = _png_size(target) if target.is_file() else None
                if size:
                    extra += f' width="{size[0]}" height="{size[1]}"'
            if count[0] > EAGER_IMAGES and "loading=" not in attrs:
                extra += ' loading="lazy"'
            if "decoding=" not in attrs:
                extra += ' decoding="async"'
            return f"<img{attrs}{extra} />"
        new = _IMG_RE.sub(fix, html)
        if new != html:
            page.write_text(new, encoding="utf-8")


def defer_search_page(app, exception):
    """build-finished: the search page's own scripts (searchtools.js, language_data.js and the
    index, which the theme's template writes into its <head>) deferred too: searchtools.js
    needs doctools.js, which is deferred now, and runs its search on DOMContentLoaded."""
    if exception is not None or app.builder.format != "html":
        return
    page = Path(app.outdir) / "search.html"
    if page.is_file():
        html = page.read_text(encoding="utf-8")
        page.write_text(_SEARCH_SCRIPTS_RE.sub(r'<script defer="defer" src="\1"></script>', html), encoding="utf-8")


def reserve_switch_slot(app, pagename, templatename, context, doctree):
    """html-page-context: on a page with MXNet/TensorFlow cells, an empty slot right after the
    title where site.js puts the framework switch on a phone: the switch (built after the first
    paint, now that scripts are deferred) no longer pushes the text down (layout shift)."""
    body = context.get("body", "")
    if ("tag_mxnet" in body or "tag_tensorflow" in body) and "</h1>" in body:
        context["body"] = body.replace("</h1>", '</h1>\n<div class="fw-switch-slot"></div>', 1)


# Scripts that only add interactions (menus, tooltips, the theme switch, copy buttons, the
# playground's controls) and cope with running after the load event (they check
# document.readyState). Not sphinx-togglebutton (it hides the exercises' answers), site.js,
# mathlazy.js or frameslider.js (they lay the page out), nor design-tabs.js (it waits for
# DOMContentLoaded only).
LATE_SCRIPTS = ("doctools.js", "copycode.js", "sphinx-book-theme.js",
                "translations.js", "bootstrap.js", "pydata-sphinx-theme.js", "playground.js",
                "answers.js")
LATE_TYPE = "text/x-optim-late"
_SCRIPT_RE = re.compile(r'<script\b([^>]*)></script>')
_SRC_RE = re.compile(r'\bsrc="([^"?]+)(?:\?[^"]*)?"')


def _late(m):
    attrs = m.group(1)
    src = _SRC_RE.search(attrs)
    if not src or not re.search(r'\bdefer\b', attrs) or src.group(1).rsplit("/", 1)[-1] not in LATE_SCRIPTS:
        return m.group(0)
    attrs = re.sub(r'\s*\bdefer(?:="defer")?', "", attrs)
    return f'<script type="{LATE_TYPE}"{attrs}></script>'


def late_scripts(app, exception):
    """build-finished: on every page but the search page (its search needs doctools.js at
    once), the deferred scripts of LATE_SCRIPTS are fetched after the load event by
    _static/late.js, written into the page's <head>: on a phone's network the text, the
    stylesheet and the first figures no longer share the bandwidth with 0.1-0.25 MB of
    scripts (Lighthouse counted them before the largest paint)."""
    if exception is not None or app.builder.format != "html":
        return
    loader = (Path(app.outdir) / "_static" / "late.js").read_text(encoding="utf-8")
    body = "<script>" + re.sub(r"/\*.*?\*/\s*", "", loader, flags=re.S).strip() + "</script>\n"
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts or page.name == "search.html":
            continue
        html = page.read_text(encoding="utf-8")
        new = _SCRIPT_RE.sub(_late, html)
        if new != html:
            page.write_text(new.replace("</head>", body + "</head>", 1), encoding="utf-8")


def setup(app):
    app.connect("html-page-context", reserve_switch_slot)
    # Late (priority 900): after the handlers that add per-page scripts (MyST-NB, frame_sliders).
    app.connect("html-page-context", defer_scripts, priority=900)
    app.connect("build-finished", defer_search_page)
    app.connect("build-finished", inline_documentation_options)
    app.connect("build-finished", size_images)
    app.connect("build-finished", late_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
