"""Sliders that work without a kernel: precomputed PNG frames in a Stack.

Each slider value gets one PNG frame; ``jslink`` ties the slider's index to the
``Stack``'s ``selected_index`` on the client side.  The executed notebook stores
the widget state, so the same widget works in JupyterLab, on Binder and on the
static HTML page.
"""
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from .optim import trajectory
from .plot import _use_png_display, show_trace, show_trace_2d

FRAME_SIZE = (3.5, 2.5)


def png_bytes(fig):
    """Render a matplotlib figure to PNG bytes and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _check_values(values, name):
    values = list(values)
    if not values:
        raise ValueError(f"{name} must hold at least one value")
    if any(not np.isfinite(v) or v <= 0 for v in values):
        raise ValueError(f"{name} must all be positive finite numbers, got {values}")
    return values


def _label(value):
    return f"{value:g}"


def frame_slider(values, draw, description="η", index=0):
    """A slider over ``values`` showing the frame ``draw(value)`` for each.

    ``draw(value)`` returns a matplotlib figure.  Returns an ``ipywidgets.VBox``
    holding the ``SelectionSlider`` and the ``Stack`` of images.
    """
    values = _check_values(values, "values")
    _use_png_display()
    frames = [widgets.Image(value=png_bytes(draw(v)), format="png") for v in values]
    stack = widgets.Stack(frames, selected_index=index)
    slider = widgets.SelectionSlider(options=[_label(v) for v in values], index=index,
                                     description=description, continuous_update=True)
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return widgets.VBox([slider, stack])


def frame_slider_2(values1, values2, draw, descriptions=("η", "γ"), index=(0, 0)):
    """Two sliders over the grid ``values1 x values2``, frame ``draw(v1, v2)``.

    The outer ``Stack`` follows the first slider; each of its pages is a
    ``Stack`` following the second slider, so no kernel is needed.
    """
    values1 = _check_values(values1, "values1")
    values2 = _check_values(values2, "values2")
    _use_png_display()
    slider1 = widgets.SelectionSlider(options=[_label(v) for v in values1], index=index[0],
                                      description=descriptions[0])
    slider2 = widgets.SelectionSlider(options=[_label(v) for v in values2], index=index[1],
                                      description=descriptions[1])
    pages = []
    for v1 in values1:
        frames = [widgets.Image(value=png_bytes(draw(v1, v2)), format="png") for v2 in values2]
        inner = widgets.Stack(frames, selected_index=index[1])
        widgets.jslink((slider2, "index"), (inner, "selected_index"))
        pages.append(inner)
    outer = widgets.Stack(pages, selected_index=index[0])
    widgets.jslink((slider1, "index"), (outer, "selected_index"))
    return widgets.VBox([slider1, slider2, outer])


def trace_slider_1d(f, grad, lrs, x0, steps=10, rule="sgd", xlim=None, **hyper):
    """Learning-rate slider over 1-D traces of ``rule`` on ``f`` from ``x0``.

    ``grad`` is the derivative of ``f``; extra keyword arguments are fixed
    hyperparameters of ``rule``.  A diverging run is drawn up to where it left
    the window and titled as diverging.
    """
    lrs = _check_values(lrs, "lrs")

    def draw(lr):
        run = trajectory(rule, grad, x0, steps, lr=lr, **hyper)
        fig, ax = plt.subplots(figsize=FRAME_SIZE)
        limits = xlim if xlim is not None else _window_1d(x0)
        show_trace(run.points, f, xlim=limits, axes=ax, title=f"eta = {lr:g}",
                   diverged=run.diverged or _left(run.points, limits))
        return fig

    return frame_slider(lrs, draw, description="η")


def trace_slider_2d(f, grad, values, x0, steps=20, rule="sgd", param="lr",
                    xlim=(-5.5, 1.0), ylim=(-3.0, 1.0), **hyper):
    """Slider over one hyperparameter ``param`` for 2-D traces on ``f(x1, x2)``.

    ``grad(x)`` takes a point ``x = [x1, x2]`` and returns the gradient.
    """
    values = _check_values(values, "values")

    def draw(value):
        run = trajectory(rule, grad, x0, steps, **{**hyper, param: value})
        fig, ax = plt.subplots(figsize=FRAME_SIZE)
        show_trace_2d(f, run.points, xlim=xlim, ylim=ylim, axes=ax,
                      title=f"{_SYMBOL.get(param, param)} = {value:g}",
                      diverged=run.diverged or _left(run.points, xlim, ylim))
        return fig

    return frame_slider(values, draw, description=_SLIDER_NAME.get(param, param))


def trace_slider_2d_grid(f, grad, param1, values1, param2, values2, x0, steps=20,
                         rule="sgd", xlim=(-5.5, 1.0), ylim=(-3.0, 1.0), **hyper):
    """Two sliders (``param1``, ``param2``) over 2-D traces on ``f(x1, x2)``."""

    def draw(v1, v2):
        run = trajectory(rule, grad, x0, steps, **{**hyper, param1: v1, param2: v2})
        fig, ax = plt.subplots(figsize=FRAME_SIZE)
        title = f"{_SYMBOL.get(param1, param1)} = {v1:g}, {_SYMBOL.get(param2, param2)} = {v2:g}"
        show_trace_2d(f, run.points, xlim=xlim, ylim=ylim, axes=ax, title=title,
                      diverged=run.diverged or _left(run.points, xlim, ylim))
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
    """True if the path's last point lies outside the plotted window."""
    last = np.asarray(points)[-1]
    outside = not xlim[0] <= last[0] <= xlim[1]
    if ylim is not None:
        outside = outside or not ylim[0] <= last[1] <= ylim[1]
    return outside
