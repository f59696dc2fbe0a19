"""Slider frames drawn at their figure's exact size, and equal-aspect contour panels.

:mod:`d2lutils.figures.widgets` draws each frame with a tight bounding box and pads
every frame of a slider to the largest one.  Here a frame is saved at exactly
the figure's size instead (so a chapter chooses the layout, e.g. with
``subplots_adjust``, and every frame of one slider has the same pixels), then
reduced to a palette of ``colors`` colours with Pillow, which keeps contour
plots visually unchanged at about a quarter of the bytes.  The widget itself
(sliders, Stack, client-side links, first view) is the one of
:mod:`d2lutils.figures.widgets`, so the sliders work without a kernel.
"""
import io

import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from ..validation import check_scalar
from .plotting import CONTOUR_COLOR, _use_png_display, resolve_color
from .widgets import check_grid_args, check_slider_args, slider_over_frames, sliders_over_frame_grid


def png_palette(fig, colors=64, dpi=100):
    """PNG bytes of ``fig`` at exactly its figure size, quantized to ``colors`` colours; closes ``fig``."""
    if not isinstance(fig, Figure):
        raise TypeError(f"draw must return a matplotlib Figure, got {type(fig).__name__} "
                        "(did the draw function forget `return fig`?)")
    check_scalar(colors, "colors (palette size)", numbers.Integral, min_val=2, max_val=256)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=int(colors)).save(out, format="png", optimize=True)
    return out.getvalue()


def slider(values, draw, description="η", index=0, colors=64):
    """One slider over ``values``; frame ``draw(value)`` (a figure at its exact size).

    Returns a :class:`d2lutils.widgets.FrameSliderBox`; the widget is
    :func:`d2lutils.widgets.slider_over_frames`, only the frames differ.
    """
    values = check_slider_args(values, index)
    _use_png_display()
    frames = [png_palette(draw(v), colors) for v in values]
    return slider_over_frames(values, frames, description, index)


def slider_2(values1, values2, draw, descriptions=("η", "γ"), index=(0, 0), colors=64):
    """Two sliders over the grid ``values1 x values2``; frame ``draw(v1, v2)``.

    Returns a :class:`d2lutils.widgets.FrameSliderBox` built by
    :func:`d2lutils.widgets.sliders_over_frame_grid`.
    """
    values1, values2 = check_grid_args(values1, values2, index, descriptions)
    _use_png_display()
    frames = [png_palette(draw(v1, v2), colors) for v1 in values1 for v2 in values2]
    return sliders_over_frame_grid(values1, values2, frames, descriptions, index)


def contour_panel(ax, f, points, xlim, ylim, title=None, levels=12, color="sgd"):
    """Contours of ``f(x1, x2)`` with the path ``points`` on ``ax``, equal aspect, math labels.

    ``color`` is the path's colour: an optimizer name (its colour in every figure
    of the book, :data:`~d2lutils.figures.colors.OPTIMIZER_COLORS`) or any
    matplotlib colour.  The title turns red and says "diverges" when the path
    blew up or ends outside the window.  Returns ``ax``.
    """
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"points must have shape (k, 2) with k >= 1 (the start at least), "
                         f"got {points.shape}")
    x1, x2 = np.meshgrid(np.linspace(*xlim, 160), np.linspace(*ylim, 120))
    ax.contour(x1, x2, f(x1, x2), levels=levels, colors=CONTOUR_COLOR, linewidths=0.7)
    inside = (np.all(np.isfinite(points), axis=1)
              & (points[:, 0] >= xlim[0]) & (points[:, 0] <= xlim[1])
              & (points[:, 1] >= ylim[0]) & (points[:, 1] <= ylim[1]))
    ax.plot(points[:, 0], points[:, 1], "-o", color=resolve_color(color), markersize=2.5,
            linewidth=1)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    diverged = not inside[-1]
    if title is not None or diverged:
        text = f"{title}: diverges" if (title and diverged) else (title or "diverges")
        ax.set_title(text, color="tab:red" if diverged else "black", fontsize=9)
    return ax
