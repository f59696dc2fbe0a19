"""Curves over several seeds drawn as a median line with a min–max band (framework-free)."""
import warnings

import matplotlib.pyplot as plt
import numpy as np

from .colors import OPTIMIZER_COLORS
from .plotting import resolve_color, use_png_display


def plot_bands(x, curves, xlabel="epoch", ylabel=None, yscale="linear", axes=None,
               legend="outside", ylim=None, colors=None):
    """Draw, for each label, the median over seeds and a shaded band from min to max.

    ``curves`` maps a label to an array of shape (seeds, len(x)); NaN entries
    (a run that diverged) are ignored.  The median, not the mean, so one stalled
    seed shows as the edge of the band instead of dragging the line.  Colours:
    ``colors`` maps a label to an optimizer name or a colour; without it, a label
    that is an optimizer name (``"adam"``) gets that optimizer's colour and the
    others matplotlib's cycle.  ``legend`` is ``"outside"`` (right of the axes, so
    it never covers a curve), ``None``, or a matplotlib location.  Returns the axes.
    """
    x = np.asarray(x, dtype=float)
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict label -> array (seeds, len(x))")
    use_png_display()
    if axes is None:
        axes = plt.figure().gca()
    for i, (label, values) in enumerate(curves.items()):
        values = np.atleast_2d(np.asarray(values, dtype=float))
        if values.shape[-1] != len(x):
            raise ValueError(f"{label}: {values.shape[-1]} points per curve for {len(x)} x values")
        finite = np.where(np.isfinite(values), values, np.nan)
        with warnings.catch_warnings():   # a column where every seed diverged stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            middle = np.nanmedian(finite, axis=0)
            low, high = np.nanmin(finite, axis=0), np.nanmax(finite, axis=0)
        if colors is not None and label in colors:
            color = resolve_color(colors[label])
        else:
            color = OPTIMIZER_COLORS.get(label, f"C{i % 10}")
        style = "-" if i < 10 else "--"
        axes.plot(x, middle, style, color=color, label=label, linewidth=1.3)
        if len(values) > 1:
            axes.fill_between(x, low, high,
                              color=color, alpha=0.2, linewidth=0)
    axes.set_yscale(yscale)
    axes.set_xlabel(xlabel)
    if ylabel:
        axes.set_ylabel(ylabel)
    if ylim is not None:
        axes.set_ylim(ylim)
    if legend == "outside":
        axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    elif legend is not None:
        axes.legend(loc=legend, fontsize=8)
    return axes
