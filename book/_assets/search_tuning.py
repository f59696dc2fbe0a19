"""Search (a local Sphinx extension).

* Ranking: book/_assets/search_scorer.js is put into search.html as an inline script ahead
  of Sphinx's searchtools.js, which then uses that Scorer instead of its default (a chapter
  whose title holds the query ranks first).
* Marking the terms on the page a result opens is site.js's job (in the article only, not
  inside formulas, with a bar that counts and clears them). Sphinx's sphinx_highlight.js
  would mark them everywhere first (and take them out of localStorage) on every page that
  has no searchtools.js, which is now every page but the search page: it stays only there,
  where searchtools.js needs it.
"""
from __future__ import annotations

from pathlib import Path

SCORER = Path(__file__).resolve().parent / "search_scorer.js"


def add_scorer(app, pagename, templatename, context, doctree):
    if pagename == "search":
        app.add_js_file(None, body=SCORER.read_text(encoding="utf-8"))


def drop_sphinx_highlight(app, pagename, templatename, context, doctree):
    if pagename != "search":
        context["script_files"] = [js for js in context.get("script_files", [])
                                   if not str(getattr(js, "filename", "") or "").endswith("sphinx_highlight.js")]


def setup(app):
    app.connect("html-page-context", add_scorer)
    # After page_speed (900), which rebuilds the list.
    app.connect("html-page-context", drop_sphinx_highlight, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
