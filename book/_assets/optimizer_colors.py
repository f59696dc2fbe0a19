"""One colour per optimizer in the playgrounds too (a local Sphinx extension).

The single source is ``d2lutils/figures/colors.py`` (``OPTIMIZER_COLORS``), which the
matplotlib figures use. The build reads that table from the file (with ``ast``: the build
does not import d2lutils, and so needs neither NumPy nor matplotlib) and puts it into every
page that has a playground as ``window.OPTIM_COLORS``, keyed by optimizer name;
``_static/playground/playground.js`` colours each run by its optimizer's name, never by its
position. ``tests/test_playground.py`` checks that the page's colours equal the table.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

COLORS_FILE = Path(__file__).resolve().parents[2] / "d2lutils" / "figures" / "colors.py"


def optimizer_colors(path=COLORS_FILE):
    """``OPTIMIZER_COLORS`` as written in ``path`` (a literal dict of name -> '#rrggbb')."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "OPTIMIZER_COLORS" for t in targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"{path} defines no OPTIMIZER_COLORS")


def add_colors(app, pagename, templatename, context, doctree):
    if 'class="optim-playground"' in context.get("body", ""):
        app.add_js_file(None, body=f"window.OPTIM_COLORS = {json.dumps(app.env.optim_colors, sort_keys=True)};")


def read_colors(app):
    app.env.optim_colors = optimizer_colors()


def setup(app):
    app.connect("builder-inited", read_colors)
    app.connect("html-page-context", add_colors)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
