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
The other tokens are drawn in a handful of colours under many names (``s1``, ``s2``, ``si``,
``sa`` and ``o`` are one green): each is renamed to the shortest class of the same colours, and
neighbouring spans that end up with the same class (only white space between them) become one.

Operators (``o``: ``.``, ``=``, ``+``, ``**`` ...) are drawn in the block's colour too, a choice
of this book: the theme gives them the strings' green, so ``np.random.default_rng(seed)`` showed
two green dots between black names, and their 960 spans were 22 KB of ch09_adam.html. Word
operators (``ow``: ``in``, ``and``, ``not``) keep the keywords' colour.
"""
from __future__ import annotations

import re
from pathlib import Path

_RULE_RE = re.compile(r'html\[data-theme="(\w+)"\] \.highlight(?: \.(\w+))? \{([^}]*)\}')
_BLOCK_RE = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre></div>)', re.S)


def _theme_rules(pygments_css):
    """``({theme: the block's colour}, {class: {theme: {property: value}}})`` of pygments.css."""
    base, rules = {}, {}
    for theme, cls, body in _RULE_RE.findall(pygments_css):
        decls = {k.strip(): v.strip().lower() for k, _, v in
                 (d.partition(":") for d in body.split(";") if d.strip())}
        if cls:
            rules.setdefault(cls, {})[theme] = decls
        elif "color" in decls:
            base[theme] = decls["color"]
    return base, rules


def plain_classes(pygments_css):
    """The token classes drawn exactly like the code block around them, in every theme."""
    base, rules = _theme_rules(pygments_css)
    if not base:
        return set()
    return {cls for cls, by_theme in rules.items()
            if set(by_theme) == set(base)
            and all(d == {"color": base[t]} for t, d in by_theme.items())}


def colour_classes(pygments_css):
    """{class: the shortest class drawn in exactly the same colours in every theme}, for the
    classes whose rules set nothing but ``color``."""
    _, rules = _theme_rules(pygments_css)
    groups = {}
    for cls, by_theme in rules.items():
        if all(set(d) == {"color"} for d in by_theme.values()):
            colours = tuple(sorted((theme, d["color"]) for theme, d in by_theme.items()))
            groups.setdefault(colours, []).append(cls)
    return {cls: min(members, key=lambda c: (len(c), c)) for members in groups.values() for cls in members}


_TOKEN_RE = re.compile(r'<span(?: class="([\w-]+)")?>([^<]*)</span>|([^<]+)')
PLAIN_BY_CHOICE = {"o"}   # Pygments' Operator (see above)


def _merge(code, plain, canon):
    """One code block's markup: plain spans unwrapped, colours renamed, neighbours merged; the
    block unchanged if it holds anything but flat token spans and text."""
    tokens, pos = [], 0
    for m in _TOKEN_RE.finditer(code):
        if m.start() != pos:
            return code
        pos = m.end()
        cls, text = (m.group(1) or "", m.group(2)) if m.group(3) is None else (None, m.group(3))
        if cls in plain or cls in PLAIN_BY_CHOICE:
            cls = None
        tokens.append([canon.get(cls, cls), text])
    if pos != len(code):
        return code
    out = []
    for cls, text in tokens:
        if out and out[-1][0] == cls:
            out[-1][1] += text
        elif (cls and len(out) > 1 and out[-1][0] is None and not out[-1][1].strip()
              and out[-2][0] == cls):
            space = out.pop()[1]
            out[-1][1] += space + text
        else:
            out.append([cls, text])
    return "".join(t if c is None else f'<span class="{c}">{t}</span>' if c else f"<span>{t}</span>"
                   for c, t in out)


def thin(html, classes, canon=None):
    """``html`` with its code blocks' plain-coloured token spans unwrapped and, given ``canon``
    (colour_classes), the others renamed and merged."""
    if not classes and not canon:
        return html
    return _BLOCK_RE.sub(lambda m: m.group(1) + _merge(m.group(2), classes, canon or {}) + m.group(3), html)


def thin_pages(app, exception):
    """build-finished: every page's code blocks thinned."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    css = out / "_static" / "pygments.css"
    text = css.read_text(encoding="utf-8") if css.is_file() else ""
    classes, canon = plain_classes(text), colour_classes(text)
    for page in out.rglob("*.html"):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        new = thin(html, classes, canon)
        if new != html:
            page.write_text(new, encoding="utf-8")


def setup(app):
    # Before css_bundle (priority 900), which purges against the final HTML.
    app.connect("build-finished", thin_pages, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
