"""Worked answers fetched after the page has loaded (a local Sphinx extension).

Every exercise's worked answer is folded (sphinx-togglebutton) until the reader opens it, yet
its HTML came with the page: 10-24 KB on the algorithm chapters (ch09_adam 24 KB of 259 KB),
which a phone downloads, uncompressed from a plain static host, before its first paint. So,
after the build (and after css_bundle.py has read every page for the selectors it keeps), the
content of each answer (``<section id="...-solution-N-content">``) moves into
``PAGE.answers.json``, a list in page order; its place keeps the empty section, marked
``data-answer="k"``, with a ``<noscript>`` note. ``_static/answers.js``, one of the scripts
fetched on the load event (page_speed.LATE_SCRIPTS), puts each answer back and tells
mathlazy.js about the formulas in them; if the file cannot be fetched, the folded answers say
so. A reader without JavaScript is pointed to the chapter's notebook, which has every answer
(without JavaScript the answers used to show unfolded).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

SCRIPT = "answers.js"
_ANSWER_RE = re.compile(r'(<section id="[^"]*-solution-\d+-content")>(.*?)</section>', re.S)
NOSCRIPT = "<noscript><p>解答在页面加载后显示，需要 JavaScript；本章的 notebook（页首的下载按钮）中有全部解答。</p></noscript>"


def add_script(app, pagename, templatename, context, doctree):
    """html-page-context: answers.js on the pages that have worked answers."""
    if _ANSWER_RE.search(context.get("body", "")):
        app.add_js_file(SCRIPT, loading_method="defer")


def split_page(html):
    """``(html without the answers' content, [the content of each answer])``. An answer whose
    content holds a section of its own stays where it is (the pattern would cut it short)."""
    answers = []

    def move(m):
        if "<section" in m.group(2):
            return m.group(0)
        answers.append(m.group(2))
        return f'{m.group(1)} data-answer="{len(answers) - 1}">{NOSCRIPT}</section>'

    return _ANSWER_RE.sub(move, html), answers


def move_answers(app, exception):
    """build-finished (after css_bundle): each page's answers into PAGE.answers.json."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        new, answers = split_page(html)
        if answers:
            page.with_suffix(".answers.json").write_text(
                json.dumps(answers, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            page.write_text(new, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", add_script)
    # After css_bundle (900): PurgeCSS must see the answers' markup in the pages.
    app.connect("build-finished", move_answers, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
