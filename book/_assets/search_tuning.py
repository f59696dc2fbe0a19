"""The search page's ranking (a local Sphinx extension): book/_assets/search_scorer.js is
put into search.html as an inline script ahead of Sphinx's searchtools.js, which then uses
that Scorer instead of its default (a chapter whose title holds the query ranks first)."""
from __future__ import annotations

from pathlib import Path

SCORER = Path(__file__).resolve().parent / "search_scorer.js"


def add_scorer(app, pagename, templatename, context, doctree):
    if pagename == "search":
        app.add_js_file(None, body=SCORER.read_text(encoding="utf-8"))


def setup(app):
    app.connect("html-page-context", add_scorer)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
