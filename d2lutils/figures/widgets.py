"""Sliders that work without a kernel: precomputed PNG frames in a Stack.

Each slider value gets one PNG frame; ``jslink`` ties the slider's index to the
``Stack``'s ``selected_index`` on the client side.  The executed notebook stores
the widget state, so the same widget works in JupyterLab, on Binder and on the
static HTML page.

Frames are stored light and steady: each is rendered with a tight bounding box,
padded with white to the size of the largest frame of its slider (so every
frame of one slider has the same pixel size and the page does not jump when a
red "diverges" title is wider), and saved as a palette PNG of
:data:`PALETTE_COLORS` colours (Pillow ``quantize``), about a quarter of the
bytes of a full-colour PNG with no visible loss on these line plots.

Slider values may include 0 (momentum 0 and β₁ = 0 are meaningful settings);
they must be finite, distinct numbers.  Labels are the values printed with
``:g``, with more digits where two values would otherwise print alike.
"""
import base64
import io
import numbers

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from ..optim.rules import resolve, trajectory
from ..figures.plotting import book_style, show_trace, show_trace_2d, use_png_display
from ..validation import check_callable, check_numbers, check_scalar

FRAME_SIZE = (3.5, 2.5)
#: Colours in a frame's palette.
PALETTE_COLORS = 64
_DPI = 100


class FrameSliderBox(widgets.VBox):
    """The sliders and frame stack of one slider figure, with a useful stored first view.

    A notebook opened in JupyterLab is untrusted until the reader trusts it or
    runs the cell, and an untrusted output shows only its safe representations.
    Besides the widget view, this box's output carries the frame the sliders
    start at as ``image/png`` (so that first view is the picture, not
    ``VBox(children=...``) and a Chinese ``text/plain`` line saying how to get
    the sliders.  Where the widget view renders (the static page, a run cell),
    it takes precedence.
    """

    def __init__(self, children, first_frame, descriptions):
        if not isinstance(first_frame, (bytes, memoryview)) or bytes(first_frame[:4]) != b"\x89PNG":
            raise TypeError("first_frame must be the PNG bytes of the frame shown first, got "
                            f"{type(first_frame).__name__}")
        super().__init__(children)
        self._first_frame = bytes(first_frame)
        self._descriptions = tuple(descriptions)

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        names = "、".join(self._descriptions)
        data["text/plain"] = (f"[滑块交互图（{names}）：运行本单元格或信任本笔记本后出现滑块；"
                              f"未运行时只显示初始一帧]")
        data["image/png"] = base64.b64encode(self._first_frame).decode("ascii")
        return data


def _render(fig):
    """An RGB image of a matplotlib figure (tight bounding box); closes the figure."""
    if not isinstance(fig, Figure):
        raise TypeError(f"draw must return a matplotlib Figure, got {type(fig).__name__}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    plt.close(fig)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGBA")
    background = Image.new("RGBA", image.size, "white")   # a transparent figure shows white
    return Image.alpha_composite(background, image).convert("RGB")


def _encode(image, size):
    """Pad ``image`` with white to ``size`` (centred) and save it as a palette PNG."""
    canvas = Image.new("RGB", size, "white")
    canvas.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    out = io.BytesIO()
    canvas.quantize(colors=PALETTE_COLORS).save(out, format="png", optimize=True)
    return out.getvalue()


def png_frames(figures):
    """PNG bytes for a list of figures: one pixel size for all, 64-colour palette; closes them."""
    images = [_render(fig) for fig in figures]
    size = (max(im.width for im in images), max(im.height for im in images))
    return [_encode(im, size) for im in images]


def png_bytes(fig):
    """One figure as a palette PNG (tight bounding box); closes the figure."""
    return png_frames([fig])[0]


def _labels(values):
    """Distinct labels: ``:g`` unless two values print alike, then more digits."""
    for digits in range(6, 18):
        labels = [f"{v:.{digits}g}" for v in values]
        if len(set(labels)) == len(labels):
            return labels
    raise ValueError(f"slider values must be distinct, got {values}")  # pragma: no cover


def check_slider_values(values, name):
    """Slider values: a non-empty sequence of distinct finite numbers (one frame per value)."""
    values = check_numbers(values, name)
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must be distinct (one frame per value), got {values}")
    return values


def _check_index(index, values, name):
    """A valid position in ``values``: an integer in [0, len(values) - 1]."""
    check_scalar(index, name, numbers.Integral, min_val=0, max_val=len(values) - 1)


def check_slider_args(values, index):
    """One slider's ``values`` (:func:`check_slider_values`) and start ``index``; returns values."""
    values = check_slider_values(values, "values")
    _check_index(index, values, "index")
    return values


def check_grid_args(values1, values2, index, descriptions):
    """Two sliders' values, start ``index`` (i, j) and two ``descriptions``; returns the values."""
    values1 = check_slider_values(values1, "values1")
    values2 = check_slider_values(values2, "values2")
    if len(index) != 2 or len(descriptions) != 2:
        raise ValueError(f"index and descriptions must have two entries, got {index!r} and "
                         f"{descriptions!r}")
    _check_index(index[0], values1, "index[0]")
    _check_index(index[1], values2, "index[1]")
    return values1, values2


def _draw_frames(values, draw):
    """Render ``draw(*v)`` for every v, in order, in the book's style."""
    figures = []
    for v in values:
        with book_style():
            figures.append(draw(*v))
    return png_frames(figures)


def _stack(frames, index):
    images = [widgets.Image(value=frame, format="png") for frame in frames]
    return widgets.Stack(images, selected_index=index)


def slider_over_frames(values, frames, description="η", index=0):
    """A slider over ``values`` selecting ``frames[i]`` (PNG bytes) for ``values[i]``.

    The slider's index and a ``Stack`` of images are tied with ``jslink`` on the
    client side, so no kernel is needed.  Returns a :class:`FrameSliderBox`.
    """
    values = check_slider_args(values, index)
    if len(frames) != len(values):
        raise ValueError(f"need one frame per value: {len(values)} values, {len(frames)} frames")
    stack = _stack(frames, index)
    slider = widgets.SelectionSlider(options=_labels(values), index=index,
                                     description=description, continuous_update=True)
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return FrameSliderBox([slider, stack], frames[index], [description])


def sliders_over_frame_grid(values1, values2, frames, descriptions=("η", "γ"), index=(0, 0)):
    """Two sliders over ``values1 x values2``; ``frames[i * len(values2) + j]`` is (i, j).

    The outer ``Stack`` follows the first slider; its page ``i`` is a ``Stack``
    following the second slider.  Returns a :class:`FrameSliderBox`.
    """
    values1, values2 = check_grid_args(values1, values2, index, descriptions)
    if len(frames) != len(values1) * len(values2):
        raise ValueError(f"need {len(values1)} x {len(values2)} frames, got {len(frames)}")
    slider1 = widgets.SelectionSlider(options=_labels(values1), index=index[0],
                                      description=descriptions[0])
    slider2 = widgets.SelectionSlider(options=_labels(values2), index=index[1],
                                      description=descriptions[1])
    pages = []
    for i in range(len(values1)):
        inner = _stack(frames[i * len(values2):(i + 1) * len(values2)], index[1])
        widgets.jslink((slider2, "index"), (inner, "selected_index"))
        pages.append(inner)
    outer = widgets.Stack(pages, selected_index=index[0])
    widgets.jslink((slider1, "index"), (outer, "selected_index"))
    first = frames[index[0] * len(values2) + index[1]]
    return FrameSliderBox([slider1, slider2, outer], first, descriptions)


def frame_slider(values, draw, description="η", index=0):
    """A slider over ``values`` showing the frame ``draw(value)`` for each.

    ``draw(value)`` returns a matplotlib figure; frame ``i`` is the picture of
    ``values[i]``.  ``index`` (checked before any frame is drawn) is the value
    shown first.  Returns a :class:`FrameSliderBox` (an ``ipywidgets.VBox``)
    holding the ``SelectionSlider`` and the ``Stack`` of images.
    """
    values = check_slider_args(values, index)
    check_callable(draw, "draw", "draw(value) returning a matplotlib Figure")
    use_png_display()
    return slider_over_frames(values, _draw_frames([(v,) for v in values], draw),
                              description, index)


def frame_slider_2(values1, values2, draw, descriptions=("η", "γ"), index=(0, 0)):
    """Two sliders over the grid ``values1 x values2``, frame ``draw(v1, v2)``.

    The arguments are checked before any frame is drawn; see
    :func:`sliders_over_frame_grid` for the widget.
    """
    values1, values2 = check_grid_args(values1, values2, index, descriptions)
    check_callable(draw, "draw", "draw(value1, value2) returning a matplotlib Figure")
    use_png_display()
    frames = _draw_frames([(v1, v2) for v1 in values1 for v2 in values2], draw)
    return sliders_over_frame_grid(values1, values2, frames, descriptions, index)


def _check_slider_params(rule, hyper, params, values):
    """The slider's own parameters must not also be fixed, and must be the rule's."""
    for param in params:
        if param in hyper:
            raise ValueError(f"{param!r} is the slider's parameter, so its values come from the "
                             f"slider's list; do not also pass {param}={hyper[param]!r}")
    # checks the rule, the fixed hyperparameters and the first slider values before drawing
    resolve(rule, {**hyper, **dict(zip(params, values))})


def trace_slider_1d(f, grad, lrs, x0, steps=10, rule="sgd", xlim=None, **hyper):
    """Learning-rate slider over 1-D traces of ``rule`` on ``f`` from ``x0``.

    ``grad`` is the derivative of ``f``; extra keyword arguments are fixed
    hyperparameters of ``rule``.  A diverging run is drawn up to where it left
    the window and titled as diverging.
    """
    lrs = check_slider_values(lrs, "lrs")
    check_callable(f, "f", "f(x)")
    _check_slider_params(rule, hyper, ["lr"], [lrs[0]])

    def draw(lr):
        run = trajectory(rule, grad, x0, steps, lr=lr, **hyper)
        fig, ax = plt.subplots(figsize=FRAME_SIZE)
        limits = xlim if xlim is not None else _window_1d(x0)
        show_trace(run.points, f, xlim=limits, axes=ax, title=f"eta = {lr:g}",
                   diverged=run.diverged or _left(run.points, limits), color=rule)
        return fig

    return frame_slider(lrs, draw, description="η")


def trace_slider_2d(f, grad, values, x0, steps=20, rule="sgd", param="lr",
                    xlim=(-5.5, 1.0), ylim=(-3.0, 1.0), **hyper):
    """Slider over one hyperparameter ``param`` for 2-D traces on ``f(x1, x2)``.

    ``grad(x)`` takes a point ``x = [x1, x2]`` and returns the gradient.  Extra
    keyword arguments are fixed hyperparameters; ``param`` itself must not be
    among them (its values are ``values``).
    """
    values = check_slider_values(values, "values")
    check_callable(f, "f", "f(x1, x2)")
    _check_slider_params(rule, hyper, [param], [values[0]])

    def draw(value):
        run = trajectory(rule, grad, x0, steps, **{**hyper, param: value})
        fig, ax = plt.subplots(figsize=FRAME_SIZE)
        show_trace_2d(f, run.points, xlim=xlim, ylim=ylim, axes=ax,
                      title=f"{_SYMBOL.get(param, param)} = {value:g}",
                      diverged=run.diverged or _left(run.points, xlim, ylim), color=rule)
        return fig

    return frame_slider(values, draw, description=_SLIDER_NAME.get(param, param))


def trace_slider_2d_grid(f, grad, param1, values1, param2, values2, x0, steps=20,
                         rule="sgd", xlim=(-5.5, 1.0), ylim=(-3.0, 1.0), **hyper):
    """Two sliders (``param1``, ``param2``) over 2-D traces on ``f(x1, x2)``."""
    values1 = check_slider_values(values1, "values1")
    values2 = check_slider_values(values2, "values2")
    check_callable(f, "f", "f(x1, x2)")
    if param1 == param2:
        raise ValueError(f"the two sliders need different parameters, got {param1!r} twice")
    _check_slider_params(rule, hyper, [param1, param2], [values1[0], values2[0]])

    def draw(v1, v2):
        run = trajectory(rule, grad, x0, steps, **{**hyper, param1: v1, param2: v2})
        fig, ax = plt.subplots(figsize=FRAME_SIZE)
        title = f"{_SYMBOL.get(param1, param1)} = {v1:g}, {_SYMBOL.get(param2, param2)} = {v2:g}"
        show_trace_2d(f, run.points, xlim=xlim, ylim=ylim, axes=ax, title=title,
                      diverged=run.diverged or _left(run.points, xlim, ylim), color=rule)
        return fig

    return frame_slider_2(values1, values2, draw,
                          descriptions=(_SLIDER_NAME.get(param1, param1),
                                        _SLIDER_NAME.get(param2, param2)))


_SYMBOL = {"lr": "eta", "momentum": "gamma", "gamma": "gamma", "rho": "rho",
           "beta1": "beta1", "beta2": "beta2", "eps": "eps"}
_SLIDER_NAME = {"lr": "η", "momentum": "γ", "gamma": "γ", "rho": "ρ",
                "beta1": "β₁", "beta2": "β₂", "eps": "ε"}


def _window_1d(x0):
    reach = 1.2 * max(1.0, abs(float(np.ravel(x0)[0])))
    return (-reach, reach)


def _left(points, xlim, ylim=None):
    """True if the path's last point lies outside the plotted window (NaN counts as outside)."""
    last = np.asarray(points)[-1]
    outside = not xlim[0] <= last[0] <= xlim[1]
    if ylim is not None:
        outside = outside or not ylim[0] <= last[1] <= ylim[1]
    return outside
