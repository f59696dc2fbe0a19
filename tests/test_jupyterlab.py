"""The notebooks as a JupyterLab (or Binder) reader first sees them.

A real JupyterLab server, the one requirements.txt pins with jupyterlab-myst, serves
``book/`` on 127.0.0.1, and headless Chromium opens :data:`LAB_NOTEBOOK` as a reader who
has neither run nor trusted it.  That chapter uses every MyST role and directive the
notebooks may use (``LAB_ROLES``/``LAB_DIRECTIVES`` in tests/test_notebooks.py, which keeps
every notebook to them and every reference inside its own notebook), so what renders here
renders in all of them.  Checked: no raw MyST markup, every reference resolved and every
equation reference a number, exercises numbered with their solutions folded, and each
slider's stored first view a picture rather than ``VBox(children=...``.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import nbformat
import pytest

from site_support import ROOT, _free_port, chromium_driver, require_browser, stop, wait_until
from test_notebooks import (DIRECTIVE, LAB_DIRECTIVES, LAB_NOTE, LAB_ROLES, WIDGET_MIME,
                            myst_constructs)
from toc import toc_files

#: The chapter opened in JupyterLab: it uses every role and directive of LAB_ROLES/LAB_DIRECTIVES.
LAB_NOTEBOOK = "ch05_momentum"
#: MyST source that must not survive rendering.
RAW_MARKERS = ["{eq}", "{doc}", "{ref}", "{exercise}", "{solution}", ":label:", ":class:", "$$"]
#: Notebook settings for the test server: render every cell (no windowing, so all of them are
#: in the page), and no news or update checks (the machine has no internet).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}

MARKDOWN_JS = "document.querySelectorAll('.jp-Notebook .jp-MarkdownCell .myst')"
FACTS_JS = """
const md = [...%s];
md.forEach(e => e.querySelectorAll('.katex-mathml').forEach(m => m.remove()));  // MathML copy
const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
return {
  markdown: md.map(e => e.innerText).join('\\n'),
  unresolved: [...document.querySelectorAll('.jp-MarkdownCell [title*="Not Found"]')]
                .map(e => e.title + ': ' + e.innerText),
  eqRefs: [...document.querySelectorAll('.jp-MarkdownCell a.hover-link[href^="#eq-"]')]
                .map(e => e.textContent),   // also those inside folded solutions
  exercises: [...document.querySelectorAll('.jp-MarkdownCell aside.myst-exercise')]
                .map(e => e.querySelector('.myst-exercise-title').innerText),
  solutions: [...document.querySelectorAll('.jp-MarkdownCell details.myst-exercise')]
                .map(e => ({open: e.open, title: e.querySelector('summary').innerText})),
  outputs: cells.map(c => [...c.querySelectorAll('.jp-OutputArea-output')].map(o => ({
                image: o.querySelector('img') !== null, text: o.innerText.slice(0, 80)}))),
};
""" % MARKDOWN_JS


def _require_jupyterlab():
    for module in ("jupyterlab", "jupyterlab_myst"):
        try:
            __import__(module)
        except ImportError:
            pytest.skip(f"the JupyterLab tests need {module} (requirements.txt): run .ci/setup")


@pytest.fixture(scope="module")
def lab_url():
    """Base URL of a JupyterLab server over book/ with throwaway settings and workspaces."""
    _require_jupyterlab()
    home = tempfile.mkdtemp(prefix="lab-test-")
    for name, value in LAB_SETTINGS.items():
        path = os.path.join(home, "settings", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(value, f)
    port = _free_port()
    log = open(os.path.join(home, "server.log"), "w+")
    # A fresh user config, runtime and data folder: the reader's own trust database
    # (``jupyter trust``) and settings do not leak in, so the notebook opens untrusted.
    env = {**os.environ, "JUPYTER_CONFIG_DIR": os.path.join(home, "config"),
           "JUPYTER_RUNTIME_DIR": os.path.join(home, "runtime"),
           "JUPYTER_DATA_DIR": os.path.join(home, "data")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.allow_root=True",
         f"--ServerApp.root_dir={ROOT / 'book'}",
         f"--LabApp.user_settings_dir={os.path.join(home, 'settings')}",
         f"--LabApp.workspaces_dir={os.path.join(home, 'workspaces')}"],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}/"
    try:
        def up():
            try:
                return urllib.request.urlopen(base + "lab/api/settings", timeout=2).status == 200
            except OSError:
                if server.poll() is not None:
                    log.seek(0)
                    raise AssertionError("the JupyterLab server exited at start:\n"
                                         + log.read()[-1500:])
                return False
        wait_until(up, timeout=60, interval=0.2, message="the JupyterLab server")
        yield base
    finally:
        stop(server)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def lab_page(lab_url):
    """What JupyterLab shows of LAB_NOTEBOOK, untrusted and not run, once every cell rendered."""
    chromium, chromedriver = require_browser()
    nb = nbformat.read(ROOT / "book" / f"{LAB_NOTEBOOK}.ipynb", as_version=4)
    markdown_cells = sum(c.cell_type == "markdown" for c in nb.cells)
    with chromium_driver(chromium, chromedriver, 1280, 1000) as driver:
        driver.get(f"{lab_url}lab/tree/{LAB_NOTEBOOK}.ipynb?reset")
        count = f"return {MARKDOWN_JS}.length"
        wait_until(lambda: driver.execute_script(count) >= markdown_cells, timeout=90,
                   interval=0.25, message=f"{markdown_cells} rendered markdown cells")
        time.sleep(1.0)   # math and reference numbering finish after the cells appear
        facts = driver.execute_script(FACTS_JS)
    facts["notebook"] = nb
    return facts


def test_jupyterlab_myst_is_enabled_and_compatible():
    """The pinned JupyterLab accepts the pinned jupyterlab-myst (or it silently renders nothing)."""
    _require_jupyterlab()
    listed = subprocess.run([sys.executable, "-m", "jupyterlab.labextensions", "list"],
                            capture_output=True, text=True, timeout=120)
    lines = [line for line in (listed.stdout + listed.stderr).splitlines()
             if "jupyterlab-myst" in line and " v" in line]
    assert lines, "jupyterlab-myst is not installed as a JupyterLab extension"
    assert "enabled" in lines[0] and "OK" in lines[0], (
        f"jupyterlab-myst is not usable with this JupyterLab: {lines[0].strip()}\n"
        + listed.stderr[-500:])


def test_lab_notebook_uses_every_construct_the_notebooks_may_use():
    """LAB_NOTEBOOK uses every allowed role and directive, so checking it checks them all."""
    markdown = "\n".join(c.source for c in nbformat.read(
        ROOT / "book" / f"{LAB_NOTEBOOK}.ipynb", as_version=4).cells if c.cell_type == "markdown")
    allowed = {("role", r) for r in LAB_ROLES} | {("directive", d) for d in LAB_DIRECTIVES}
    assert myst_constructs(markdown) == allowed
    used = set()
    for name in toc_files()[1:]:
        path = ROOT / "book" / f"{name}.ipynb"
        if path.exists():
            used |= myst_constructs("\n".join(
                c.source for c in nbformat.read(path, as_version=4).cells
                if c.cell_type == "markdown"))
    assert used <= allowed, f"constructs JupyterLab was not checked with: {used - allowed}"


def test_no_raw_myst_markup(lab_page):
    """Roles, directives, their options and display-math fences are rendered, not shown as text."""
    text = lab_page["markdown"]
    assert len(text) > 5000, "the notebook's markdown did not render"
    raw = {m: text.count(m) for m in RAW_MARKERS if m in text}
    assert not raw, f"raw MyST markup in JupyterLab: {raw}"


def test_every_reference_resolves_and_equations_are_numbered(lab_page):
    """No reference is left unresolved; each {eq} reference reads as a number like (3)."""
    assert lab_page["unresolved"] == []
    source = "\n".join(c.source for c in lab_page["notebook"].cells if c.cell_type == "markdown")
    assert len(lab_page["eqRefs"]) == source.count("{eq}`")
    assert all(re.fullmatch(r"\(\d+\)", ref) for ref in lab_page["eqRefs"]), lab_page["eqRefs"]


def test_exercises_numbered_and_solutions_folded(lab_page):
    """Every exercise is shown with its number; every solution is there but folded."""
    source = "\n".join(c.source for c in lab_page["notebook"].cells if c.cell_type == "markdown")
    directives = DIRECTIVE.findall(source)
    n = directives.count("exercise")
    assert lab_page["exercises"] == [f"Exercise {i}" for i in range(1, n + 1)]
    assert len(lab_page["solutions"]) == directives.count("solution") == n
    assert not any(s["open"] for s in lab_page["solutions"]), "a solution is unfolded"


def test_sliders_show_their_first_frame_before_the_cell_runs(lab_page):
    """In an untrusted, unrun notebook each slider output is a picture, after a note saying so."""
    cells = lab_page["notebook"].cells
    widget_cells = [i for i, c in enumerate(cells) if c.cell_type == "code" and any(
        WIDGET_MIME in out.get("data", {}) for out in c.outputs)]
    assert widget_cells, f"{LAB_NOTEBOOK} has no slider to check"
    for i in widget_cells:
        shown = lab_page["outputs"][i]
        assert shown and all(o["image"] for o in shown), f"cell {i} shows {shown}"
        assert not any(o["text"].startswith("VBox(") for o in shown)
    assert LAB_NOTE in lab_page["markdown"], "the note for JupyterLab readers is not shown"
