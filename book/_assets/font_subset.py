"""Web fonts cut down to the glyphs the site shows: Font Awesome's icon fonts (used by
css_bundle.py on the bundled stylesheet) and MathJax's TeX fonts (used by static_math.py).

The theme draws its icons (☰, search, sun/moon, arrows ...) with Font Awesome's web fonts, and
the first of them on screen makes the browser fetch the whole font: fa-solid-900.woff2 is
156 KB, more than the stylesheet, for about twenty glyphs, on every first visit. The bundled
stylesheet, already purged of unused rules, names every icon it can draw, as a code point in
Unicode's private use area (``content:"\\f0c9"``, or the character itself in ``--pst-icon-*``);
so each Font Awesome font is subset (fontTools, already installed with matplotlib) to the
private-use code points found in that stylesheet, the site's pages and its scripts, and the
@font-face rule points to the subset (WOFF, named by the hash of its content) instead.
"""
from __future__ import annotations

import hashlib
import json
import logging
import posixpath
import re
from pathlib import Path

from fontTools import subset

logging.getLogger("fontTools").setLevel(logging.WARNING)   # no per-table chatter in the build log
_FACE_RE = re.compile(r"@font-face\s*\{[^}]*\}")
_SRC_RE = re.compile(r"src:\s*url\(([^)]+?\.woff2)\)[^;}]*")
_ESCAPE_RE = re.compile(r"\\(f[0-9a-fA-F]{3}|e[0-9a-fA-F]{3})(?![0-9a-fA-F])")
_PUA = re.compile("[\ue000-\uf8ff]")


def icon_code_points(texts):
    """Private-use code points (U+E000-U+F8FF) named in ``texts``, escaped or literal."""
    points = set()
    for text in texts:
        points.update(int(h, 16) for h in _ESCAPE_RE.findall(text))
        points.update(ord(c) for c in _PUA.findall(text))
    return points


def subset_font(source, points, folder):
    """A WOFF of ``source`` with only ``points``, written to ``folder``; its file name."""
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.drop_tables += ["FFTM"]   # FontForge's timestamps: nothing a browser reads
    font = subset.load_font(str(source), options)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(points))
    sub.subset(font)
    tmp = Path(folder) / (source.stem + ".subset.woff")
    subset.save_font(font, str(tmp), options)
    name = f"{source.stem}.{hashlib.sha1(tmp.read_bytes()).hexdigest()[:12]}.woff"
    tmp.replace(Path(folder) / name)
    return name


def subset_icon_fonts(css_path, outdir):
    """Rewrite ``css_path`` so that its Font Awesome @font-face rules load subsets; returns the
    number of fonts subset."""
    css_path, outdir = Path(css_path), Path(outdir)
    css = css_path.read_text(encoding="utf-8")
    texts = [css] + [p.read_text(encoding="utf-8", errors="ignore") for p in outdir.rglob("*.html")
                     if "_sources" not in p.parts]
    texts += [p.read_text(encoding="utf-8", errors="ignore") for p in (outdir / "_static").rglob("*.js")]
    points = icon_code_points(texts)
    done = [0]

    def face(m):
        rule = m.group(0)
        src = _SRC_RE.search(rule)
        if not src or "fontawesome" not in src.group(1):
            return rule
        woff2 = (css_path.parent / src.group(1).strip("'\"")).resolve()
        ttf = woff2.with_suffix(".ttf")
        if not ttf.is_file():
            return rule
        name = subset_font(ttf, points, ttf.parent)
        done[0] += 1
        href = posixpath.join(posixpath.dirname(src.group(1).strip("'\"")), name)
        return rule.replace(src.group(0), f'src:url({href}) format("woff")')

    css_path.write_text(_FACE_RE.sub(face, css), encoding="utf-8")
    return done[0]


# MathJax's CHTML output draws each character as ``mjx-c.mjx-cXXXX::before { content: "x" }`` in
# one of its TeX fonts (MathJax_Main-Regular.woff 34 KB, MathJax_AMS-Regular.woff 41 KB ...); a
# page fetches each font its formulas use. The glyph rules of every page are in its
# <style id="MJX-CHTML-styles"> (those of the formulas in the page) and in the "css" of its
# PAGE.math.json (those only the formulas swapped in later need; mathrender.js), so the union
# of their characters over the site is every glyph a reader can meet.
_MJX_STYLE_RE = re.compile(r'(<style id="MJX-CHTML-styles">)(.*?)(</style>)', re.S)
_CONTENT_RE = re.compile(r'content:\s*"((?:[^"\\]|\\.)*)"')
_MJX_SRC_RE = re.compile(r'url\(("?)([^")]*?mathjax/output/chtml/fonts/woff-v2/)(MathJax_[A-Za-z0-9_-]+)\.woff\1\)')


def _css_string(text):
    """The characters of a CSS string's contents (escapes such as \\2225 decoded)."""
    return re.sub(r"\\([0-9a-fA-F]{1,6}) ?|\\(.)",
                  lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), text)


def math_characters(styles):
    """Every character drawn by the MathJax glyph rules in ``styles``."""
    chars = set()
    for css in styles:
        for text in _CONTENT_RE.findall(css):
            chars.update(_css_string(text))
    return chars


TINY = 4096   # bytes: a font this small (MathJax_Zero, the Vector arrows) is kept whole


def _lazy_math(page):
    """PAGE.math.json beside ``page`` (a path), or None."""
    path = Path(page).with_suffix(".math.json")
    return path if path.is_file() else None


def subset_math_fonts(outdir, pages):
    """Point every page's MathJax @font-face rules (in the page and in its PAGE.math.json) at
    subsets of the fonts holding only the characters any page draws (written next to the
    fonts); returns the number of fonts subset."""
    outdir = Path(outdir)
    fonts = outdir / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    htmls = {p: Path(p).read_text(encoding="utf-8") for p in pages}
    lazies = {path: json.loads(path.read_text(encoding="utf-8"))
              for path in filter(None, map(_lazy_math, pages))}
    styles = [m.group(2) for h in htmls.values() for m in _MJX_STYLE_RE.finditer(h)]
    styles += [data["css"] for data in lazies.values()]
    points = {ord(c) for c in math_characters(styles)}
    if not points or not fonts.is_dir():
        return 0
    names = {}

    def src(m):
        stem = m.group(3)
        full = fonts / f"{stem}.woff"
        if stem not in names and full.is_file() and full.stat().st_size > TINY:
            names[stem] = subset_font(full, points, fonts)
        return f'url("{m.group(2)}{names.get(stem, stem + ".woff")}")'

    for path, html in htmls.items():
        new = _MJX_STYLE_RE.sub(lambda m: m.group(1) + _MJX_SRC_RE.sub(src, m.group(2)) + m.group(3), html)
        if new != html:
            Path(path).write_text(new, encoding="utf-8")
    for path, data in lazies.items():
        css = _MJX_SRC_RE.sub(src, data["css"])
        if css != data["css"]:
            path.write_text(json.dumps(dict(data, css=css), ensure_ascii=False, separators=(",", ":")),
                            encoding="utf-8")
    return len(names)
