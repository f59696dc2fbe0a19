"""One purged stylesheet per page instead of twelve (a local Sphinx extension; the work is
book/_assets/cssbundle.js, PurgeCSS from npm).

A page's first paint waits for every stylesheet linked in its <head>. The theme and the
extensions link twelve (0.55 MB, mostly Bootstrap and Font Awesome rules the book never
uses), each a round trip on a phone's network. After the build, the stylesheets that every
page links are purged of unused rules and concatenated into ``_static/styles/bundle.css``
(named with a hash of its content, so a browser never keeps a stale one), and each page
links that one file in their place. Stylesheets only some pages link stay as they are.
The bundle's icon fonts are cut down to the icons it can show first (font_subset.py).
"""
from __future__ import annotations

import hashlib
import posixpath
import re
import subprocess
from pathlib import Path

from sphinx.util import logging

from font_subset import subset_icon_fonts

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
BUNDLE_DIR = "_static/styles"
_LINK_RE = re.compile(r'[ \t]*<link (?=[^>]*rel="stylesheet")[^>]*href="([^"?]+)(?:\?[^"]*)?"[^>]*/?>\n?')


def built_bundles(outdir) -> list[Path]:
    """The stylesheet bundles in a built site (one after a build; named by a hash of the content)."""
    return sorted((Path(outdir) / BUNDLE_DIR).glob("bundle-*.css"))


def _pages(outdir):
    return sorted(p for p in outdir.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def _site_path(page, href, outdir):
    """A link's target as a path under the site root (posix), or None if it leaves the site."""
    if re.match(r"^[a-z]+:|^/", href):
        return None
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(page.relative_to(outdir).as_posix()), href))
    return None if rel.startswith("..") else rel


def bundle(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    pages = _pages(outdir)
    lists = {p: [_site_path(p, m.group(1), outdir) for m in _LINK_RE.finditer(p.read_text(encoding="utf-8"))]
             for p in pages}
    styled = [lst for lst in lists.values() if lst]   # the root redirect page links none
    if not styled:
        return
    common = [css for css in styled[0] if css and all(css in lst for lst in styled)]
    if not common:
        # Every page would keep its dozen render-blocking stylesheets; a stray page in the output
        # folder (one that links other stylesheets) is enough to cause it.
        odd = [p.relative_to(outdir).as_posix() for p, lst in lists.items() if lst and set(lst) != set(styled[0])]
        logger.warning(f"css_bundle: no stylesheet is linked by every page, nothing bundled "
                       f"(pages whose links differ from the first one's: {odd[:5]})", type="optim", subtype="css")
        return
    for old in built_bundles(outdir):   # an earlier build's bundle
        old.unlink()
    tmp = f"{BUNDLE_DIR}/bundle.css"
    proc = subprocess.run(["node", str(HERE / "cssbundle.js"), str(outdir), tmp, *common],
                          capture_output=True, text=True, cwd=HERE)
    if proc.returncode != 0:
        logger.warning(f"cssbundle.js failed: {proc.stderr[-2000:]}", type="optim", subtype="css")
        return
    logger.info(proc.stdout.strip())
    logger.info(f"css_bundle: {subset_icon_fonts(outdir / tmp, outdir)} icon fonts subset")
    data = (outdir / tmp).read_bytes()
    name = f"{BUNDLE_DIR}/bundle-{hashlib.sha1(data).hexdigest()[:12]}.css"
    (outdir / tmp).rename(outdir / name)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        href = posixpath.relpath(name, posixpath.dirname(page.relative_to(outdir).as_posix()) or ".")
        first = [True]

        def replace(m, page=page):
            if _site_path(page, m.group(1), outdir) not in common:
                return m.group(0)
            if first[0]:
                first[0] = False
                return f'    <link rel="stylesheet" href="{href}" />\n'
            return ""
        page.write_text(_LINK_RE.sub(replace, html), encoding="utf-8")


def setup(app):
    # After static_math (which adds the formulas whose classes PurgeCSS must see).
    app.connect("build-finished", bundle, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
