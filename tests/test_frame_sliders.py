"""The static renderer of the notebooks' slider widgets (book/_assets/frame_sliders.py).

Unit tests of how it reads the stored widget state (which frame each slider position shows),
and two tiny Sphinx builds: a notebook whose widget output refers to a model missing from its
stored state must fail a ``-W`` build (issue 23); a good one gets range inputs and frame files.
"""
from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "book" / "_assets"
sys.path.insert(0, str(ASSETS))

import frame_sliders as fsl  # noqa: E402

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def png(color, size=(8, 6)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="png")
    return out.getvalue()


def _image(data):
    return {"model_name": "ImageModel", "state": {"format": "png"},
            "buffers": [{"data": base64.b64encode(data).decode(), "encoding": "base64", "path": ["value"]}]}


def _slider(labels, index, description):
    return {"model_name": "SelectionSliderModel",
            "state": {"_options_labels": labels, "index": index, "description": description}}


def _link(src, dst):
    return {"model_name": "LinkModel", "state": {"source": [f"IPY_MODEL_{src}", "index"],
                                                 "target": [f"IPY_MODEL_{dst}", "selected_index"]}}


def one_slider_state(frames):
    state = {f"img{k}": _image(f) for k, f in enumerate(frames)}
    state["s"] = _slider([f"{0.1 * (k + 1):g}" for k in range(len(frames))], 1, "η")
    state["stack"] = {"model_name": "StackModel", "state": {
        "children": [f"IPY_MODEL_img{k}" for k in range(len(frames))], "selected_index": 1}}
    state["link"] = _link("s", "stack")
    state["box"] = {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_stack"]}}
    return state


def grid_state(frames, n1, n2):
    """Two sliders as d2lutils builds them: outer Stack follows slider 1, its pages slider 2."""
    state = {"s1": _slider([str(i) for i in range(n1)], 0, "η"),
             "s2": _slider([str(j) for j in range(n2)], 0, "γ")}
    pages = []
    for i in range(n1):
        kids = []
        for j in range(n2):
            state[f"img{i}_{j}"] = _image(frames[i * n2 + j])
            kids.append(f"IPY_MODEL_img{i}_{j}")
        state[f"inner{i}"] = {"model_name": "StackModel", "state": {"children": kids, "selected_index": 0}}
        state[f"l2_{i}"] = _link("s2", f"inner{i}")
        pages.append(f"IPY_MODEL_inner{i}")
    state["outer"] = {"model_name": "StackModel", "state": {"children": pages, "selected_index": 0}}
    state["l1"] = _link("s1", "outer")
    state["box"] = {"model_name": "VBoxModel",
                    "state": {"children": ["IPY_MODEL_s1", "IPY_MODEL_s2", "IPY_MODEL_outer"]}}
    return state


COLORS = ["red", "green", "blue", "black", "white", "yellow"]


def test_one_slider_frames_in_order():
    frames = [png(c) for c in COLORS[:3]]
    fs = fsl.frame_slider(one_slider_state(frames), "box")
    assert [s.labels for s in fs.sliders] == [["0.1", "0.2", "0.3"]]
    assert fs.sliders[0].index == 1 and fs.sliders[0].description == "η"
    assert fs.frames == frames


def test_grid_frame_index_follows_the_links_not_the_order():
    """Frame (i, j) is page j of the outer Stack's page i; a transposed reading would fail."""
    frames = [png(c) for c in COLORS]          # 2 x 3 grid
    fs = fsl.frame_slider(grid_state(frames, 2, 3), "box")
    for i in range(2):
        for j in range(3):
            assert fs.frames[fs.frame_index([i, j])] == frames[i * 3 + j]
    # The same figure stored the other way round (outer Stack driven by slider 2, its pages
    # by slider 1): the renderer follows the links, so (i, j) still shows frame i * 3 + j.
    state = {"s1": _slider(["0", "1"], 0, "η"), "s2": _slider(["0", "1", "2"], 0, "γ")}
    pages = []
    for j in range(3):
        kids = []
        for i in range(2):
            state[f"img{i}_{j}"] = _image(frames[i * 3 + j])
            kids.append(f"IPY_MODEL_img{i}_{j}")
        state[f"inner{j}"] = {"model_name": "StackModel", "state": {"children": kids, "selected_index": 0}}
        state[f"l1_{j}"] = _link("s1", f"inner{j}")
        pages.append(f"IPY_MODEL_inner{j}")
    state["outer"] = {"model_name": "StackModel", "state": {"children": pages, "selected_index": 0}}
    state["l2"] = _link("s2", "outer")
    state["box"] = {"model_name": "VBoxModel",
                    "state": {"children": ["IPY_MODEL_s1", "IPY_MODEL_s2", "IPY_MODEL_outer"]}}
    fs = fsl.frame_slider(state, "box")
    for i in range(2):
        for j in range(3):
            assert fs.frames[fs.frame_index([i, j])] == frames[i * 3 + j]


def test_missing_model_is_named():
    assert fsl.missing_models({"a": {}}, ["a", "b"]) == ["b"]
    with pytest.raises(fsl.WidgetStateError, match="not in the notebook's stored widget state"):
        fsl.frame_slider({}, "nope")


def test_render_html_has_sized_first_frame_and_labels():
    frames = [png(c, (40, 30)) for c in COLORS[:3]]
    fs = fsl.frame_slider(one_slider_state(frames), "box")
    html = fsl.render_html(fs, "fs-1", [f"f{k}.png" for k in range(3)])
    assert 'src="f1.png" width="40" height="30"' in html
    assert 'aria-valuetext="η = 0.2"' in html and "disabled" in html
    assert 'alt="交互图：η = 0.2 时的结果"' in html


# --------------------------------------------------------------------------- tiny builds
CONF = f"""
import sys
sys.path.insert(0, {str(ASSETS)!r})
extensions = ["myst_nb", "frame_sliders"]
root_doc = "good"
nb_execution_mode = "off"
nb_ipywidgets_js = {{}}
exclude_patterns = ["_build"]
suppress_warnings = ["toc.not_included"]
"""


def _notebook(state, view_id):
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"widgets": {STATE: {"state": state, "version_major": 2, "version_minor": 0}},
                         "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Sliders"},
                      {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": 1, "source": "box",
                       "outputs": [{"output_type": "display_data", "metadata": {},
                                    "data": {VIEW: {"model_id": view_id, "version_major": 2, "version_minor": 0},
                                             "text/plain": "VBox()"}}]}]}


FRAMES = [png(c) for c in COLORS[:3]]


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    """One -W --keep-going build of two notebooks: good.ipynb (a stored slider) and bad.ipynb
    (its output refers to a model missing from its stored state: the Ctrl+S-in-JupyterLab case)."""
    tmp = tmp_path_factory.mktemp("tinybook")
    src = tmp / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "good.ipynb").write_text(json.dumps(_notebook(one_slider_state(FRAMES), "box")), encoding="utf-8")
    (src / "bad.ipynb").write_text(json.dumps(_notebook(one_slider_state(FRAMES), "0123456789abcdef")),
                                   encoding="utf-8")
    out = tmp / "out"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           str(src), str(out)], capture_output=True, text=True, timeout=300)
    return proc, out


def test_build_refuses_a_widget_view_missing_from_the_stored_state(tiny_build):
    proc, _ = tiny_build
    assert proc.returncode != 0, "a -W build accepted a widget output whose model is not stored"
    assert "bad.ipynb" in proc.stderr and "not in the notebook's stored widget state" in proc.stderr, \
        proc.stderr[-2000:]
    assert "good.ipynb" not in proc.stderr, proc.stderr[-2000:]


def test_build_writes_frames_as_files(tiny_build):
    _, out = tiny_build
    html = (out / "good.html").read_text(encoding="utf-8")
    assert 'class="frame-slider"' in html and 'type="range"' in html
    assert "widget-state+json" not in html and "base64" not in html
    for f in FRAMES:
        assert (out / fsl.FRAMES_DIR / fsl.frame_name(f)).read_bytes() == f
    assert "frameslider.js" in html
