"""Every notebook in _toc.yml is a complete, cleanly executed chapter.

Strict nbval (in .ci/test) re-runs the notebooks and compares outputs; these
checks catch what nbval cannot: a notebook that was never executed (it passes
nbval trivially), a partial or out-of-order run, stderr noise, broken tab
pairs, over-broad ``nbval-ignore-output`` tags, missing chapter sections,
volatile timing metadata, widget outputs whose state was not saved (a notebook
re-run and saved in JupyterLab), and notebooks too heavy for the page.  They
also keep the notebooks readable in JupyterLab with jupyterlab-myst: only the
MyST roles and directives that tests/test_jupyterlab.py sees rendered there,
every reference resolved inside its own notebook, and a useful first view of
every slider in an untrusted notebook.
Markdown pages in the table of contents (``book/notation.md``...) are not
chapters: they only have to exist.
"""
import functools
import re

import nbformat
import pytest

from toc import ROOT, toc_files

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Largest notebook file (frames of the sliders are stored inside it, and again in the page).
MAX_NOTEBOOK_BYTES = 1_500_000
TIMING = re.compile(r"\btime\b|perf_counter|process_time|timeit|throughput|sec/epoch|[Tt]imer\b")
HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)

#: MyST roles and directives the notebooks may use: tests/test_jupyterlab.py opens a notebook
#: that uses all of them and checks that jupyterlab-myst renders each.
LAB_ROLES = frozenset({"eq", "doc", "ref"})
LAB_DIRECTIVES = frozenset({"exercise", "solution"})
ROLE = re.compile(r"\{([a-z][\w:-]*)\}`([^`]*)`")
DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{([a-z][\w:-]*)\}", re.MULTILINE)
EQUATION_LABEL = re.compile(r"\$\$\s*\(([\w:-]+)\)")
TARGET = re.compile(r"^:label:\s*(\S+)|^\(([\w:-]+)\)=\s*$", re.MULTILINE)
#: The note (a markdown cell tagged remove-cell, so the web page leaves it out) that tells a
#: JupyterLab reader, before the first slider, that sliders appear once the cell runs.
LAB_NOTE = "JupyterLab"
FIRST_VIEW_MIME = "image/png"
#: A {doc} role with link text: ``{doc}`title <target>```.
DOC_WITH_TEXT = re.compile(r"(.+?)\s*<([^<>]+)>")


@functools.lru_cache(maxsize=None)
def page_title(name):
    """The title (first level-1 heading) of the page ``book/name`` (a notebook or .md), or None."""
    for path in (ROOT / "book" / f"{name}.ipynb", ROOT / "book" / f"{name}.md"):
        if path.exists():
            text = (path.read_text(encoding="utf-8") if path.suffix == ".md" else
                    nbformat.read(path, as_version=4).cells[0].source)
            found = re.search(r"^#\s+(.+?)\s*$", text, re.MULTILINE)
            return found.group(1) if found else None
    return None


def myst_constructs(markdown):
    """The MyST roles and directives used in ``markdown``, as ("role"|"directive", name) pairs."""
    return ({("role", name) for name, _ in ROLE.findall(markdown)}
            | {("directive", name) for name in DIRECTIVE.findall(markdown)})


def _selected_image(model_id, state):
    """The base64 PNG a stored widget shows first: follow VBox children and Stack selections."""
    model = state.get(model_id)
    if model is None:
        return None
    name, s = model["model_name"], model["state"]
    if name == "ImageModel":
        buffers = model.get("buffers", [])
        return buffers[0]["data"] if buffers else None
    children = [c.removeprefix("IPY_MODEL_") for c in s.get("children", [])]
    if name == "StackModel":
        index = s.get("selected_index")
        return None if index is None else _selected_image(children[index], state)
    for child in children:     # a box: the first child that shows an image
        shown = _selected_image(child, state)
        if shown is not None:
            return shown
    return None


def first_view_problem(output, state):
    """Why the stored first view (image/png) of a slider output is not the frame it starts on, or None."""
    view = output.get("data", {})
    if WIDGET_MIME not in view or FIRST_VIEW_MIME not in view:
        return None
    model = view[WIDGET_MIME].get("model_id")
    shown = _selected_image(model, state)
    if shown is None:
        return None            # no stored state: reported by notebook_problems
    if shown.replace("\n", "") != view[FIRST_VIEW_MIME].replace("\n", ""):
        return ("the stored first view (image/png, what an untrusted JupyterLab shows) is not the "
                "frame the sliders start on; re-execute with `bash .ci/execute`")
    return None


def jupyterlab_problems(cells, stored_state=None):
    """What would read badly in JupyterLab (jupyterlab-myst renders one notebook at a time)."""
    problems = []
    stored_state = stored_state or {}
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for kind, name in sorted(myst_constructs(markdown)):
        known = LAB_ROLES if kind == "role" else LAB_DIRECTIVES
        if name not in known:
            problems.append(f"MyST {kind} {{{name}}} is not one tests/test_jupyterlab.py has seen "
                            "jupyterlab-myst render (add it there first)")
    equations = set(EQUATION_LABEL.findall(markdown))
    targets = {a or b for a, b in TARGET.findall(markdown)}
    for role, label in ROLE.findall(markdown):
        if role == "doc":
            linked = DOC_WITH_TEXT.fullmatch(label)
            if not linked:
                problems.append(f"{{doc}}`{label}` has no link text, so JupyterLab shows the file "
                                f"name: write {{doc}}`{page_title(label)} <{label}>`")
            elif linked.group(1) != page_title(linked.group(2)):
                problems.append(f"{{doc}}`{label}`: the link text is not the page's title "
                                f"{page_title(linked.group(2))!r}")
        if (role == "eq" and label not in equations) or (role == "ref" and label not in targets):
            problems.append(f"{{{role}}}`{label}` points outside this notebook: JupyterLab shows "
                            "it as an unresolved reference; link the chapter with {doc} instead")
    widget_cells = [i for i, c in enumerate(cells) if any(
        WIDGET_MIME in out.get("data", {}) for out in c.get("outputs", []))]
    for i in widget_cells:
        if not all(FIRST_VIEW_MIME in out.get("data", {}) for out in cells[i].outputs
                   if WIDGET_MIME in out.get("data", {})):
            problems.append(f"cell {i}: widget output without a first view ({FIRST_VIEW_MIME}) "
                            "for untrusted notebooks; build it with d2lutils.figures.widgets or "
                            "d2lutils.figures.sliderframes")
    for i in widget_cells:
        for out in cells[i].outputs:
            shown = first_view_problem(out, stored_state)
            if shown:
                problems.append(f"cell {i}: {shown}")
    if widget_cells and not any(c.cell_type == "markdown" and "remove-cell" in tags(c)
                                and LAB_NOTE in c.source for c in cells[:widget_cells[0]]):
        problems.append(f"no note for JupyterLab readers (a remove-cell markdown cell naming "
                        f"{LAB_NOTE}) before the first slider, cell {widget_cells[0]}")
    return problems


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def notebook_problems(nb):
    """Return a list of human-readable problems with the notebook ``nb`` (empty: all good)."""
    problems = []
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec name is not python3")
    cells = nb.cells
    code = [c for c in cells if c.cell_type == "code" and c.source.strip()]
    if not code:
        return problems + ["no code cells"]

    # a clean, complete run: counts 1..n in order, outputs, no errors, no stderr
    counts = [c.get("execution_count") for c in code]
    if any(n is None for n in counts):
        problems.append(f"{counts.count(None)} code cell(s) not executed")
    elif counts != list(range(1, len(code) + 1)):
        problems.append(f"execution counts {counts} are not 1..{len(code)} (not one clean run)")
    if not any(c.get("outputs") for c in code):
        problems.append("no outputs at all (never executed?)")
    for i, c in enumerate(code):
        for out in c.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"code cell {i + 1}: error output {out.get('ename')}")
            if out.output_type == "stream" and out.get("name") == "stderr":
                problems.append(f"code cell {i + 1}: stderr output {out.get('text', '')[:80]!r}")

    if not code[0].source.lstrip().startswith("import d2lutils"):
        problems.append("first code cell does not start with `import d2lutils`")

    # framework tabs: mxnet cell immediately followed by its tensorflow twin
    for i, c in enumerate(cells):
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        prev = cells[i - 1] if i > 0 else None
        if "mxnet" in tags(c) and not (nxt is not None and nxt.cell_type == "code"
                                       and "tensorflow" in tags(nxt)):
            problems.append(f"cell {i}: mxnet cell not immediately followed by a tensorflow cell")
        if "tensorflow" in tags(c) and not (prev is not None and "mxnet" in tags(prev)):
            problems.append(f"cell {i}: tensorflow cell not immediately preceded by an mxnet cell")

    # nbval-ignore-output only where outputs truly vary: widgets and timings
    for i, c in enumerate(cells):
        if "nbval-ignore-output" not in tags(c):
            continue
        widget = any(WIDGET_MIME in out.get("data", {}) for out in c.get("outputs", []))
        if not widget and not TIMING.search(c.source):
            problems.append(f"cell {i}: nbval-ignore-output on a cell that is neither a widget "
                            "nor a timing")

    # a diff of a re-run shows only what changed: no per-cell timing records
    timed = [i for i, c in enumerate(cells) if "execution" in c.get("metadata", {})]
    if timed:
        problems.append(f"{len(timed)} cell(s) carry execution timing metadata (first: cell "
                        f"{timed[0]}); re-execute with `bash .ci/execute` (it strips them)")

    # every widget output points at a model whose state is stored in the notebook
    stored = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for i, c in enumerate(cells):
        for out in c.get("outputs", []):
            model = out.get("data", {}).get(WIDGET_MIME, {}).get("model_id")
            if model is not None and model not in stored:
                problems.append(f"cell {i}: widget output {model} has no stored widget state "
                                "(saved from JupyterLab?); re-execute with `bash .ci/execute`")

    # every figure has an alt text (cell metadata mystnb.image.alt): what a screen reader says
    for i, c in enumerate(cells):
        figure = any(FIRST_VIEW_MIME in out.get("data", {}) and WIDGET_MIME not in out.get("data", {})
                     for out in c.get("outputs", []))
        alt = c.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
        if figure and len(alt.strip()) < 8:
            problems.append(f"cell {i}: a figure without an alt text (cell metadata "
                            '{"mystnb": {"image": {"alt": "…"}}}, in Chinese, saying what it shows)')

    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    headings = HEADING.findall(markdown)
    for title in ("小结", "练习"):
        if not any(title in h for h in headings):
            problems.append(f"no `{title}` heading")
    for directive in ("{exercise}", "{solution}"):
        if directive not in markdown:
            problems.append(f"no {directive} directive")
    return problems + jupyterlab_problems(cells, stored)


def check_notebook(path):
    problems = notebook_problems(nbformat.read(path, as_version=4))
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        problems.append(f"the notebook is {size / 1e6:.2f} MB, over the "
                        f"{MAX_NOTEBOOK_BYTES / 1e6:.1f} MB budget (lighter slider frames?)")
    return problems


# ----------------------------------------------------------------------------
# the book's notebooks

ENTRIES = toc_files()[1:]
#: Markdown pages of the toc (an appendix, the playground): not chapters, not checked as notebooks.
PAGES = [name for name in ENTRIES
         if (ROOT / f"{name}.md").exists() and not (ROOT / f"{name}.ipynb").exists()]
CHAPTERS = [name for name in ENTRIES if name not in PAGES]


def test_toc_root_exists():
    """The root page of the table of contents exists."""
    root = toc_files()[0]
    assert (ROOT / f"{root}.md").exists() or (ROOT / f"{root}.ipynb").exists()


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_notebook(name):
    """The chapter is a notebook, executed cleanly, with paired tabs, 小结 and 练习 with solutions."""
    path = ROOT / f"{name}.ipynb"
    assert path.exists(), f"{name}.ipynb (or .md) listed in _toc.yml does not exist"
    assert check_notebook(path) == []


@pytest.mark.parametrize("name", PAGES or [pytest.param(None, marks=pytest.mark.skip(
    reason="no Markdown pages in the toc"))])
def test_markdown_page(name):
    """A Markdown page of the toc exists and is not empty."""
    assert (ROOT / f"{name}.md").read_text(encoding="utf-8").strip()


# ----------------------------------------------------------------------------
# the checker itself, on a small hand-made notebook

def good_notebook():
    v4 = nbformat.v4
    text = lambda s: v4.new_output("stream", name="stdout", text=s)  # noqa: E731
    cells = [
        v4.new_markdown_cell("# 动量法\n\n引言\n\n$$ f(x) = x^2 $$ (eq-f)\n\n见 {eq}`eq-f` 与 "
                             "{ref}`ex1`，符号见 {doc}`符号与参数名对照 <notation>`。"),
        v4.new_code_cell("import d2lutils\nimport numpy as np", execution_count=1),
        v4.new_code_cell("print(1 + 1)", execution_count=2, outputs=[text("2\n")]),
        v4.new_code_cell("", execution_count=None),  # empty cells are never run
        v4.new_code_cell("from d2lutils import mxnet as d2l\nprint('mx')", execution_count=3,
                         outputs=[text("mx\n")], metadata={"tags": ["mxnet"]}),
        v4.new_code_cell("from d2lutils import tensorflow as d2l\nprint('tf')", execution_count=4,
                         outputs=[text("tf\n")], metadata={"tags": ["tensorflow"]}),
        v4.new_markdown_cell("> 在 JupyterLab 中运行下面的单元格后才出现滑块。",
                             metadata={"tags": ["remove-cell"]}),
        v4.new_code_cell("d2lutils.figures.widgets.frame_slider([0.1], draw)", execution_count=5,
                         outputs=[v4.new_output("display_data", data={
                             WIDGET_MIME: {"model_id": "abc", "version_major": 2,
                                           "version_minor": 0},
                             FIRST_VIEW_MIME: "iVBORw0KGgo=", "text/plain": "[滑块]"})],
                         metadata={"tags": ["nbval-ignore-output"]}),
        v4.new_code_cell("%timeit np.ones(3)", execution_count=6, outputs=[text("1.2 µs\n")],
                         metadata={"tags": ["nbval-ignore-output"]}),
        v4.new_markdown_cell("## 小结\n\n* 要点。"),
        v4.new_markdown_cell("## 练习\n\n```{exercise}\n:label: ex1\n问题。\n```\n\n"
                             "```{solution} ex1\n:class: dropdown\n答案。\n```"),
        v4.new_code_cell("d2lutils.plot([0, 1], [1, 0])", execution_count=7, outputs=[
            v4.new_output("display_data", data={FIRST_VIEW_MIME: "iVBORw0KGgo=",
                                                "text/plain": "<Figure>"})],
            metadata={"mystnb": {"image": {"alt": "一条从 1 降到 0 的直线"}}}),
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    controls = {"model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0"}
    image = lambda png: {"model_name": "ImageModel", **controls,  # noqa: E731
                         "state": {"format": "png"}, "buffers": [{"data": png, "path": ["value"]}]}
    nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
        "abc": {"model_name": "VBoxModel", **controls,
                "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_stack"]}},
        "s": {"model_name": "SelectionSliderModel", **controls, "state": {"index": 1}},
        "stack": {"model_name": "StackModel", **controls,
                  "state": {"children": ["IPY_MODEL_f0", "IPY_MODEL_f1"], "selected_index": 1}},
        "f0": image("iVBORw0KGgoA"), "f1": image("iVBORw0KGgo=")}}}
    return nb


def test_checker_accepts_a_complete_notebook(tmp_path):
    """A properly written, executed notebook (written to disk and read back) has no problems."""
    path = tmp_path / "good.ipynb"
    nbformat.write(good_notebook(), path)
    assert check_notebook(path) == []


def _set(nb, index, **changes):
    for key, value in changes.items():
        if key == "tags":
            nb.cells[index].metadata["tags"] = value
        else:
            nb.cells[index][key] = value


BREAKAGES = {
    "kernel": (lambda nb: nb.metadata.kernelspec.update(name="ir"), "kernelspec"),
    "unexecuted": (lambda nb: _set(nb, 2, execution_count=None), "not executed"),
    "reordered": (lambda nb: _set(nb, 2, execution_count=7), "not 1..7"),
    "no-outputs": (lambda nb: [c.update(outputs=[]) for c in nb.cells if c.cell_type == "code"],
                   "no outputs"),
    "error": (lambda nb: nb.cells[2].outputs.append(nbformat.v4.new_output(
        "error", ename="ValueError", evalue="x", traceback=[])), "error output ValueError"),
    "stderr": (lambda nb: nb.cells[2].outputs.append(nbformat.v4.new_output(
        "stream", name="stderr", text="W0000 warning\n")), "stderr output"),
    "first-import": (lambda nb: _set(nb, 1, source="import numpy as np\nimport d2lutils"),
                     "import d2lutils"),
    "lone-mxnet": (lambda nb: _set(nb, 5, tags=[]), "mxnet cell not immediately followed"),
    "lone-tensorflow": (lambda nb: _set(nb, 4, tags=[]), "tensorflow cell not immediately preceded"),
    "ignore-tag": (lambda nb: _set(nb, 2, tags=["nbval-ignore-output"]), "neither a widget"),
    "no-summary": (lambda nb: _set(nb, 9, source="## 总结"), "no `小结` heading"),
    "no-exercises": (lambda nb: _set(nb, 10, source="## 练习\n\n1. 问题。"), "{exercise}"),
    "no-solution": (lambda nb: _set(nb, 10, source="## 练习\n\n```{exercise}\n问题。\n```"),
                    "{solution}"),
    "timing-metadata": (lambda nb: nb.cells[2].metadata.update(execution={
        "iopub.execute_input": "2026-01-01T00:00:00.000000Z"}), "execution timing metadata"),
    "widget-state-lost": (lambda nb: nb.metadata.pop("widgets"),
                          "widget output abc has no stored widget state"),
    "equation-of-another-chapter": (
        lambda nb: _set(nb, 9, source="## 小结\n\n* 见 {eq}`eq-ch07-rmsprop`。"),
        "{eq}`eq-ch07-rmsprop` points outside this notebook"),
    "label-of-another-chapter": (lambda nb: _set(nb, 9, source="## 小结\n\n* 见 {ref}`ex-ch05-x2`。"),
                                 "{ref}`ex-ch05-x2` points outside this notebook"),
    "role-unseen-in-jupyterlab": (lambda nb: _set(nb, 9, source="## 小结\n\n* 见 {numref}`fig-x`。"),
                                  "MyST role {numref} is not one"),
    "directive-unseen-in-jupyterlab": (
        lambda nb: _set(nb, 9, source="## 小结\n\n```{figure} a.png\n图。\n```"),
        "MyST directive {figure} is not one"),
    "slider-without-first-view": (lambda nb: nb.cells[7].outputs[0].data.pop(FIRST_VIEW_MIME),
                                  "cell 7: widget output without a first view"),
    "no-jupyterlab-note": (lambda nb: _set(nb, 6, tags=[]), "no note for JupyterLab readers"),
    "figure-without-alt": (lambda nb: nb.cells[11].metadata.pop("mystnb"),
                           "cell 11: a figure without an alt text"),
    "first-view-not-the-start-frame": (
        lambda nb: nb.metadata.widgets[WIDGET_STATE]["state"]["stack"]["state"].update(
            selected_index=0), "cell 7: the stored first view"),
    "doc-link-without-text": (lambda nb: _set(nb, 9, source="## 小结\n\n* 见 {doc}`notation`。"),
                              "{doc}`notation` has no link text"),
    "doc-link-text-stale": (lambda nb: _set(nb, 9, source="## 小结\n\n* 见 {doc}`符号 <notation>`。"),
                            "the link text is not the page's title '符号与参数名对照'"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_checker_reports_each_problem(breakage):
    """Each kind of breakage is reported, with a message that says what is wrong."""
    nb = good_notebook()
    mutate, expected = BREAKAGES[breakage]
    mutate(nb)
    problems = notebook_problems(nb)
    assert any(expected in p for p in problems), problems


def test_checker_reports_a_heavy_notebook(tmp_path):
    """A notebook over 1.5 MB (say, full-colour slider frames) is reported with its size."""
    nb = good_notebook()
    nb.cells[2].outputs.append(nbformat.v4.new_output(
        "display_data", data={"image/png": "A" * 1_600_000, "text/plain": "<Figure>"}))
    path = tmp_path / "heavy.ipynb"
    nbformat.write(nb, path)
    assert any("over the 1.5 MB budget" in p for p in check_notebook(path))


def test_checker_reports_draft_notebook():
    """A draft (a single markdown cell) is reported as having no code."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 草稿")])
    nb.metadata["kernelspec"] = {"name": "python3"}
    assert notebook_problems(nb) == ["no code cells"]


# ----------------------------------------------------------------------------
# .ci/execute: inline figures whatever MPLBACKEND says, and no volatile metadata

def test_ci_execute_unsets_mplbackend_and_stores_no_timing(tmp_path):
    """With MPLBACKEND=Agg set, .ci/execute still runs the inline backend and saves no timing records."""
    import os
    import subprocess
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import matplotlib\nprint(matplotlib.get_backend())")])
    nb.cells[0].metadata["execution"] = {"iopub.status.idle": "2020-01-01T00:00:00Z"}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    proc = subprocess.run(["bash", str(ROOT / ".ci" / "execute"), str(path)], cwd=ROOT,
                          env={**os.environ, "MPLBACKEND": "Agg"}, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cell = nbformat.read(path, as_version=4).cells[0]
    assert "inline" in cell.outputs[0]["text"], cell.outputs
    assert "execution" not in cell.metadata


def test_ci_execute_leaves_no_temporary_files_behind(tmp_path):
    """A kernel that leaves a file in the temporary folder (as TensorFlow's autograph does: the kernel
    is killed, so its exit hooks never run) leaves it in .ci/execute's own folder, which is removed
    when the run ends (.ci/own-tmpdir, sourced by .ci/test and .ci/portability too)."""
    import os
    import subprocess
    from pathlib import Path
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import tempfile\nf = tempfile.NamedTemporaryFile(suffix='.leak', delete=False)\nprint(f.name)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    outside = tmp_path / "tmp"
    outside.mkdir()
    proc = subprocess.run(["bash", str(ROOT / ".ci" / "execute"), str(path)], cwd=ROOT,
                          env={**os.environ, "TMPDIR": str(outside)}, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    leaked = Path(nbformat.read(path, as_version=4).cells[0].outputs[0]["text"].strip())
    assert leaked.name.endswith(".leak") and outside in leaked.parents, leaked
    assert not leaked.exists(), f"{leaked} was left behind"
    assert list(outside.iterdir()) == [], "the run's own temporary folder was left behind"


def test_toc_entries_may_carry_an_extension():
    """`book/notation.md` and `book/notation` name the same toc page."""
    import toc
    assert toc._stem("book/notation.md") == toc._stem("book/notation") == "book/notation"
    assert toc._stem("book/ch05_momentum.ipynb") == "book/ch05_momentum"


def test_ci_execute_clean_only_strips_timing_without_running(tmp_path):
    """`.ci/execute --clean-only` removes timing records and keeps the outputs as they were."""
    import subprocess
    cell = nbformat.v4.new_code_cell("1 / 0", execution_count=1,
                                     outputs=[nbformat.v4.new_output("stream", name="stdout",
                                                                     text="kept\n")])
    cell.metadata["execution"] = {"iopub.status.idle": "2020-01-01T00:00:00Z"}
    cell.metadata["tags"] = ["mxnet"]
    path = tmp_path / "stale.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    proc = subprocess.run(["bash", str(ROOT / ".ci" / "execute"), "--clean-only", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    saved = nbformat.read(path, as_version=4).cells[0]
    assert saved.metadata == {"tags": ["mxnet"]}
    assert saved.outputs[0]["text"] == "kept\n"
