"""Kernel-free frame sliders on the static site (a local Sphinx extension, listed in _config.yml).

The notebooks' sliders are stored ipywidgets (``d2lutils.figures.widgets``): one or two
``SelectionSlider`` linked by ``jslink`` to a ``Stack`` (or a Stack of Stacks) of ``Image``
widgets, one PNG frame per slider value. MyST-NB would put the whole widget state, every frame
as base64, into the page and load the ipywidgets HTML manager (3.6 MB, blocking in ``<head>``)
to draw them. This extension renders them at build time instead:

* it reads the widget state MyST-NB collected for the page and replaces each widget view with
  plain HTML: native ``<input type=range>`` controls and the first frame as an ``<img>`` with
  its width and height (no layout shift); ``book/_static/frameslider.js`` (a few KB, added
  only to pages that have a slider) then swaps the image's ``src`` as a slider moves;
* every frame is written once as a PNG file under ``_images/frames/`` (named by its content
  hash), fetched by the browser only when a slider reaches it;
* the widget state and the ipywidgets scripts are dropped from the page;
* a widget view whose model is missing from the notebook's stored state (a notebook saved from
  JupyterLab, which does not store widget state by default) is a build warning, so ``-W``
  refuses to publish a page whose figure would vanish.

Which frame a slider position shows is not assumed from how ``d2lutils`` builds the widget: it
is computed from the stored links and stacks, for every combination of slider positions.
"""
from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import posixpath
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

VIEW_MIME = "application/vnd.jupyter.widget-view+json"
STATE_KEY = "ipywidgets_state"          # MyST-NB's key for the state script of a page
FRAMES_DIR = "_images/frames"           # under the HTML output folder
SCRIPT = "frameslider.js"               # in book/_static
_VIEW_RE = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)
_SLIDERS = {"SelectionSliderModel", "SelectionRangeSliderModel", "IntSliderModel"}
_LINKS = {"LinkModel", "DirectionalLinkModel"}


class WidgetStateError(ValueError):
    """The stored widget state cannot draw a view (missing model, unknown widget layout)."""


@dataclass
class Slider:
    """One slider: its name, the label of every position, and where it starts."""
    model_id: str
    description: str
    labels: list[str]
    index: int


@dataclass
class FrameSlider:
    """A slider figure: its sliders, and ``frames[k]`` (PNG bytes) for every combination of
    positions, k counted row-major over the sliders in their page order (the last one fastest)."""
    sliders: list[Slider]
    frames: list[bytes]

    def frame_index(self, positions):
        k = 0
        for slider, pos in zip(self.sliders, positions):
            k = k * len(slider.labels) + pos
        return k


def _ref(value):
    """``IPY_MODEL_<id>`` -> ``<id>``."""
    if not isinstance(value, str) or not value.startswith("IPY_MODEL_"):
        raise WidgetStateError(f"expected a widget reference 'IPY_MODEL_…', got {value!r}")
    return value[len("IPY_MODEL_"):]


def missing_models(state, view_ids):
    """The view model ids that the stored ``state`` (model id -> model) does not hold."""
    return [v for v in view_ids if v not in state]


def _model(state, model_id):
    try:
        return state[model_id]
    except KeyError:
        raise WidgetStateError(f"widget model {model_id} is not in the notebook's stored widget state") from None


def _image_bytes(model):
    for buf in model.get("buffers", []):
        if buf.get("path") == ["value"]:
            return base64.b64decode(buf["data"])
    value = model["state"].get("value")
    if isinstance(value, str):   # some writers store small images inline
        return base64.b64decode(value)
    raise WidgetStateError("an Image widget without stored PNG bytes")


def _slider(model_id, model):
    st = model["state"]
    if model["model_name"] == "IntSliderModel":
        lo, hi, step = st.get("min", 0), st.get("max", 100), st.get("step", 1)
        labels = [str(v) for v in range(lo, hi + 1, step)]
        index = (st.get("value", lo) - lo) // step
    else:
        labels = list(st["_options_labels"])
        index = st.get("index", 0)
    return Slider(model_id, str(st.get("description", "")), labels, int(index))


def _links(state):
    """(source id, source attribute, target id, target attribute) of every jslink, both ways
    for a two-way link."""
    out = []
    for model in state.values():
        if model.get("model_name") not in _LINKS:
            continue
        (src, src_attr), (dst, dst_attr) = model["state"]["source"], model["state"]["target"]
        out.append((_ref(src), src_attr, _ref(dst), dst_attr))
        if model["model_name"] == "LinkModel":
            out.append((_ref(dst), dst_attr, _ref(src), src_attr))
    return out


def frame_slider(state, view_id):
    """The :class:`FrameSlider` drawn by the widget view ``view_id`` of the stored ``state``.

    The view must be a box of sliders and one Stack (nested Stacks allowed) of Images; the
    frame of each combination of slider positions is found by applying the stored links (a
    slider's ``value``/``index`` to a Stack's ``selected_index``) and walking down the Stacks.
    Raises :class:`WidgetStateError` for a view this static renderer cannot draw.
    """
    root = _model(state, view_id)
    children = [_ref(c) for c in root["state"].get("children", [])]
    sliders = [_slider(c, _model(state, c)) for c in children if _model(state, c)["model_name"] in _SLIDERS]
    stacks = [c for c in children if _model(state, c)["model_name"] == "StackModel"]
    if not sliders or len(stacks) != 1:
        raise WidgetStateError(f"widget {view_id} is not a box of sliders over one Stack of images")
    by_id = {s.model_id: s for s in sliders}
    drives = {}   # stack id -> slider id that sets its selected_index
    for src, src_attr, dst, dst_attr in _links(state):
        if src in by_id and src_attr in ("index", "value") and dst_attr == "selected_index":
            drives[dst] = src
    frames = []
    for positions in itertools.product(*(range(len(s.labels)) for s in sliders)):
        pos_of = {s.model_id: p for s, p in zip(sliders, positions)}
        node = stacks[0]
        for _ in range(16):   # nesting depth guard
            model = _model(state, node)
            if model["model_name"] != "StackModel":
                break
            kids = [_ref(c) for c in model["state"]["children"]]
            chosen = pos_of[drives[node]] if node in drives else model["state"].get("selected_index") or 0
            node = kids[chosen]
        model = _model(state, node)
        if model["model_name"] != "ImageModel":
            raise WidgetStateError(f"widget {view_id}: a Stack page is a {model['model_name']}, not an Image")
        frames.append(_image_bytes(model))
    return FrameSlider(sliders, frames)


def png_size(data):
    """(width, height) from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise WidgetStateError("a slider frame is not a PNG")
    return struct.unpack(">II", data[16:24])


def frame_name(data):
    """The file name of a frame: its content hash, so equal frames are one file."""
    return hashlib.sha1(data).hexdigest()[:20] + ".png"


def _value_text(slider, pos):
    return f"{slider.description} = {slider.labels[pos]}" if slider.description else slider.labels[pos]


def alt_text(fs, positions):
    """The figure's alt text for the given slider positions (frameslider.js writes the same)."""
    return "交互图：" + "，".join(_value_text(s, p) for s, p in zip(fs.sliders, positions)) + " 时的结果"


def render_html(fs, uid, frame_urls):
    """The static HTML of a frame slider: controls, then the first frame as an image.

    ``frame_urls[k]`` is the URL of frame k (:meth:`FrameSlider.frame_index`). The controls are
    disabled until frameslider.js enables them (without JavaScript a slider would do nothing).
    """
    start = [s.index for s in fs.sliders]
    first = fs.frames[fs.frame_index(start)]
    width, height = png_size(first)
    rows = []
    for n, (s, pos) in enumerate(zip(fs.sliders, start)):
        sid = f"{uid}-s{n}"
        rows.append(
            f'<div class="frame-slider__row"><label class="frame-slider__label" for="{sid}">'
            f'{html.escape(s.description or "参数")}</label>'
            f'<input type="range" class="frame-slider__input" id="{sid}" min="0" max="{len(s.labels) - 1}" '
            f'step="1" value="{pos}" disabled aria-valuetext="{html.escape(_value_text(s, pos))}" '
            f"data-labels='{html.escape(json.dumps(s.labels), quote=True)}'>"
            f'<output class="frame-slider__value" for="{sid}">{html.escape(s.labels[pos])}</output></div>')
    urls = html.escape(json.dumps(frame_urls), quote=True)
    shape = ",".join(str(len(s.labels)) for s in fs.sliders)
    return (f'<div class="frame-slider" id="{uid}" data-shape="{shape}" data-frames=\'{urls}\'>'
            f'<div class="frame-slider__controls">{"".join(rows)}</div>'
            f'<img class="frame-slider__image" src="{frame_urls[fs.frame_index(start)]}" width="{width}" '
            f'height="{height}" alt="{html.escape(alt_text(fs, start))}" decoding="async"></div>')


def _page_state(env, docname):
    """The stored widget state of a page (model id -> model) from MyST-NB's page metadata,
    removing that state script and the ipywidgets runtime scripts from the page."""
    from myst_nb.sphinx_ import NbMetadataCollector

    js_files = NbMetadataCollector.get_js_files(env, docname)
    entry = js_files.pop(STATE_KEY, None)
    for key in [k for k in js_files if k.startswith("ipywidgets_")]:
        del js_files[key]
    if entry is None:
        return {}
    # MyST-NB wrote "<\/script>" for "</script>": JSON reads "\/" back as "/".
    return json.loads(entry[1]["body"])["state"]


def _write_frame(outdir, data):
    path = Path(outdir) / FRAMES_DIR / frame_name(data)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def render_doc(app, doctree):
    """doctree-read: replace every widget view of the page with a static frame slider."""
    env = app.env
    docname = env.docname
    views = [n for n in doctree.findall(nodes.raw) if VIEW_MIME in n.astext()]
    state = _page_state(env, docname)
    if not views:
        return
    rel = posixpath.relpath(FRAMES_DIR, posixpath.dirname(docname) or ".")
    for n, node in enumerate(views):
        match = _VIEW_RE.search(node.astext())
        view_id = json.loads(match.group(1))["model_id"] if match else None
        if view_id not in state:
            logger.warning(f"widget output refers to model {view_id}, which is not in the notebook's "
                           "stored widget state (saved from JupyterLab?): re-execute it with .ci/execute",
                           location=node, type="optim", subtype="widget_state")
            node.replace_self(nodes.raw("", '<p class="frame-slider--missing">（此处的滑块图缺失）</p>', format="html"))
            continue
        try:
            fs = frame_slider(state, view_id)
        except WidgetStateError as exc:
            logger.warning(f"cannot draw widget output {view_id} statically: {exc}", location=node,
                           type="optim", subtype="widget_state")
            continue
        urls = []
        for data in fs.frames:
            _write_frame(app.outdir, data)
            urls.append(f"{rel}/{frame_name(data)}")
        uid = f"frame-slider-{n + 1}"
        node.replace_self(nodes.raw("", render_html(fs, uid, urls), format="html"))


def add_script(app, pagename, templatename, context, doctree):
    """html-page-context: the slider script, only on pages that have a frame slider."""
    if 'class="frame-slider"' in context.get("body", ""):
        app.add_js_file(SCRIPT, loading_method="defer")


def setup(app):
    app.connect("doctree-read", render_doc)
    app.connect("html-page-context", add_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
