"""Lighter code blocks: no <span> around a token drawn in the code block's own colour (a local
Sphinx extension).

Pygments wraps every token of a code block in ``<span class="X">``; names, punctuation and
whitespace (classes ``n``, ``p``, ``w`` ...) are drawn in the same colour as the block itself
(``.highlight { color: ... }``) in both the light and the dark style. On newton.html these
spans were about 120 KB of its 433 KB of HTML, which a phone downloads (uncompressed on a
plain static host) before it can paint any text. After the build, such spans are unwrapped:
their text stays, with the same colour inherited from the block.

Which classes are plain is read from the built ``_static/pygments.css``: a class whose only
rule, in every theme (light and dark), is ``color`` equal to that theme's ``.highlight`` colour.
"""
from __future__ import annotations

import re
from pathlib import Path

_RULE_RE = re.compile(r'html\[data-theme="(\w+)"\] \.highlight(?: \.(\w+))? \{([^}]*)\}')
_BLOCK_RE = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre></div>)', re.S)


def plain_classes(pygments_css):
    """The token classes drawn exactly like the code block around them, in every theme."""
    base, rules = {}, {}
    for theme, cls, body in _RULE_RE.findall(pygments_css):
        decls = {k.strip(): v.strip().lower() for k, _, v in
                 (d.partition(":") for d in body.split(";") if d.strip())}
        if cls:
            rules.setdefault(cls, {})[theme] = decls
        elif "color" in decls:
            base[theme] = decls["color"]
    if not base:
        return set()
    return {cls for cls, by_theme in rules.items()
            if set(by_theme) == set(base)
            and all(d == {"color": base[t]} for t, d in by_theme.items())}


def thin(html, classes):
    """``html`` with the plain-coloured token spans of its code blocks unwrapped."""
    if not classes:
        return html
    span = re.compile(r'<span class="(?:%s)">([^<]*)</span>' % "|".join(sorted(map(re.escape, classes))))
    return _BLOCK_RE.sub(lambda m: m.group(1) + span.sub(r"\1", m.group(2)) + m.group(3), html)


def thin_pages(app, exception):
    """build-finished: every page's code blocks thinned."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    css = out / "_static" / "pygments.css"
    classes = plain_classes(css.read_text(encoding="utf-8")) if css.is_file() else set()
    for page in out.rglob("*.html"):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        new = thin(html, classes)
        if new != html:
            page.write_text(new, encoding="utf-8")


def setup(app):
    # Before css_bundle (priority 900), which purges against the final HTML.
    app.connect("build-finished", thin_pages, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
