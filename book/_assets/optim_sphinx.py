"""Build-time fixes for the book's HTML (a local Sphinx extension, listed in _config.yml).

sphinx-exercise gives the body of every exercise and solution the same id,
``exercise-content`` / ``solution-content``, so a chapter with four exercises has
eight duplicate ids (invalid HTML; a fragment link or an ``aria-*`` reference to
them is ambiguous). Each such section gets the id of its exercise or solution
plus ``-content`` instead, which is unique because labels are.
"""
from __future__ import annotations

from docutils import nodes

_SHARED_IDS = {"exercise-content", "solution-content"}


def _unique_body_ids(app, doctree, docname):
    for section in doctree.findall(nodes.section):
        ids = section.get("ids", [])
        if len(ids) != 1 or ids[0] not in _SHARED_IDS:
            continue
        owner = section.parent
        owner_ids = owner.get("ids", []) if owner is not None else []
        if owner_ids:
            section["ids"] = [f"{owner_ids[0]}-content"]
        else:  # an unlabelled exercise: number it within the page
            section["ids"] = [f"{ids[0]}-{id(section):x}"]


def setup(app):
    app.connect("doctree-resolved", _unique_body_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
