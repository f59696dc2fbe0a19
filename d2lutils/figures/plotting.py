"""Plotting helpers: every figure in the book goes through these functions.

No hidden global side effects: importing :mod:`d2lutils` changes no matplotlib
``rcParams``.  The only thing it switches is the format in which the notebook's
*inline* backend shows figures: PNG (see :func:`use_png_display`), because
nbval does not compare PNG bytes and the pages stay light.  The book's figure
style (dpi 100, font size 10, a light grid) is applied only to the figures these
functions create, through ``matplotlib.rc_context``; the default size of those
figures is :data:`FIGSIZE` unless the reader chose another with
:func:`set_figsize`.  Labels use English or math notation, so no CJK font is
needed.
"""
import contextlib

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from ..validation import check_bool, check_figsize, check_scalar
from .colors import OPTIMIZER_COLORS

#: The book's default size of one figure, in inches.
FIGSIZE = (3.5, 2.5)
#: Contour lines and function curves: a neutral grey (3.5:1 on white), so the paths, in
#: their optimizer's colour, stand out.
CONTOUR_COLOR = "#7a8794"
#: The book's figure style, applied only inside :func:`book_style`.
STYLE = {"figure.dpi": 100, "savefig.dpi": 100, "font.size": 10,
         "axes.grid": True, "grid.alpha": 0.3}
_figsize = None   # set by set_figsize(); None: the book's FIGSIZE


def use_png_display():
    """Show figures as PNG in a notebook's inline backend; a no-op outside IPython.

    This is the one thing ``import d2lutils`` does to matplotlib.  It changes
    only the inline backend's output format (what a reader of the notebook
    sees), never ``rcParams``, and does not create an IPython shell when there
    is none (plain Python, pytest, scripts).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    from IPython.core.pylabtools import select_figure_formats
    select_figure_formats(shell, {"png"})


_use_png_display = use_png_display   # the name older helper modules import


@contextlib.contextmanager
def book_style():
    """A context manager applying the book's figure style (:data:`STYLE`) to figures made inside it.

    ``rc_context`` restores every rcParam on exit, ``interactive`` included.  If
    the first figure of a notebook is made here, pyplot resolves the inline
    backend inside the block and that switches interactive mode on; restoring
    the old ``False`` would silently stop every later ``plt.subplots`` figure
    from being shown.  So the interactive mode reached inside the block is kept.
    """
    with plt.rc_context(STYLE):
        try:
            yield
        finally:
            interactive = matplotlib.is_interactive()
    matplotlib.interactive(interactive)


def default_figsize():
    """The size of a new figure: the one given to :func:`set_figsize`, else :data:`FIGSIZE`."""
    return _figsize if _figsize is not None else FIGSIZE


def set_figsize(figsize=FIGSIZE):
    """Choose the default figure size in inches (two positive finite numbers).

    An explicit choice of the reader: it sets the size of the figures made by
    d2lutils *and* matplotlib's ``rcParams["figure.figsize"]`` (as d2l's
    ``set_figsize`` does).  Nothing in d2lutils calls it behind the reader's back.
    """
    global _figsize
    _figsize = check_figsize(figsize)
    plt.rcParams["figure.figsize"] = _figsize


def _new_axes(figsize):
    with book_style():
        fig = plt.figure(figsize=figsize if figsize is not None else default_figsize())
        axes = fig.gca()
    _grid(axes)
    return axes


def _grid(axes):
    # stored on the axes, so ticks created later (at draw time, outside the style) keep it
    axes.grid(True, alpha=STYLE["grid.alpha"])


def plot(x, ys, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"),
         figsize=None, axes=None, title=None, colors=None):
    """Plot one or several series ``ys`` against ``x`` (or a list of x's).

    ``ys`` may be a single sequence or a list of sequences; ``x`` is shared or
    given per series.  ``colors`` (one per series) overrides the colours of
    ``fmts`` and keeps their line styles: pass optimizer names (``"adam"``) or
    colours; an optimizer name gets its colour from
    :data:`d2lutils.figures.colors.OPTIMIZER_COLORS`, the same in every figure.
    Returns the matplotlib axes.
    """
    if figsize is not None:
        check_figsize(figsize)
    if len(ys) == 0:
        raise ValueError("ys must hold at least one value or one series, got an empty sequence")
    ys = [ys] if np.ndim(ys[0]) == 0 else list(ys)
    if any(len(y) == 0 for y in ys):
        raise ValueError("every y series must hold at least one value, got an empty one")
    xs = x if (len(x) and np.ndim(x[0]) > 0) else [x] * len(ys)
    if len(xs) != len(ys):
        raise ValueError(f"got {len(xs)} x series for {len(ys)} y series")
    if legend is not None and len(legend) != len(ys):
        raise ValueError(f"legend has {len(legend)} entries for {len(ys)} series")
    if colors is not None and len(colors) != len(ys):
        raise ValueError(f"colors has {len(colors)} entries for {len(ys)} series")
    if axes is None:
        axes = _new_axes(figsize)
    for i, (xi, yi) in enumerate(zip(xs, ys)):
        if len(xi) != len(yi):
            raise ValueError(f"series {i}: {len(xi)} x values but {len(yi)} y values")
        fmt = fmts[i % len(fmts)]
        if colors is None:
            axes.plot(xi, yi, fmt)
        else:
            axes.plot(xi, yi, fmt.strip("bgrcmykw") or "-", color=resolve_color(colors[i]))
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    if xlim is not None:
        axes.set_xlim(xlim)
    if ylim is not None:
        axes.set_ylim(ylim)
    if xlabel:
        axes.set_xlabel(xlabel)
    if ylabel:
        axes.set_ylabel(ylabel)
    if legend:
        axes.legend(legend)
    if title:
        axes.set_title(title)
    return axes


def resolve_color(color):
    """An optimizer name's colour (:data:`~d2lutils.figures.colors.OPTIMIZER_COLORS`), or ``color`` itself."""
    return OPTIMIZER_COLORS.get(color, color) if isinstance(color, str) else color


def show_trace(points, f, xlim=None, axes=None, title=None, diverged=False, color="sgd"):
    """Draw the 1-D function ``f`` and the iterates ``points`` on it.

    ``xlim`` defaults to a window around all points.  Iterates outside the
    window are not drawn; when ``diverged`` is True the title says so.
    ``color``: the optimizer (name) or colour of the iterates.
    """
    points = np.asarray(points, dtype=float).ravel()
    if points.size == 0:
        raise ValueError("points must hold at least one iterate, got an empty sequence")
    check_bool(diverged, "diverged")
    if xlim is None:
        reach = max(1.0, float(np.max(np.abs(points))))
        xlim = (-1.1 * reach, 1.1 * reach)
    _check_limits(xlim, "xlim")
    grid = np.linspace(xlim[0], xlim[1], 200)
    if axes is None:
        axes = _new_axes(None)
    axes.plot(grid, f(grid), "-", color=CONTOUR_COLOR)
    inside = (points >= xlim[0]) & (points <= xlim[1])
    axes.plot(points[inside], f(points[inside]), "-o", color=resolve_color(color), markersize=4)
    axes.set_xlim(xlim)
    axes.set_xlabel("x")
    axes.set_ylabel("f(x)")
    _set_title(axes, title, diverged)
    return axes


def show_trace_2d(f, points, xlim=(-5.5, 1.0), ylim=(-3.0, 1.0), axes=None,
                  title=None, diverged=False, color="sgd"):
    """Draw the contours of ``f(x1, x2)`` and the path ``points`` (k x 2).

    ``color``: the optimizer (name) or colour of the path.
    """
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"points must have shape (k, 2) with k >= 1, got {points.shape}")
    _check_limits(xlim, "xlim")
    _check_limits(ylim, "ylim")
    check_bool(diverged, "diverged")
    if axes is None:
        axes = _new_axes(None)
    x1, x2 = np.meshgrid(np.linspace(*xlim, 120), np.linspace(*ylim, 120))
    axes.contour(x1, x2, f(x1, x2), levels=12, colors=CONTOUR_COLOR, linewidths=0.8)
    axes.plot(points[:, 0], points[:, 1], "-o", color=resolve_color(color), markersize=3)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    _set_title(axes, title, diverged)
    return axes


def show_runs_2d(f, runs, titles, xlim=(-5.5, 1.0), ylim=(-3.0, 1.0), width=3.4, height=2.6,
                 colors=None):
    """Draw several :class:`~d2lutils.optim.Trajectory` runs side by side on the contours of ``f``.

    A run that diverged, or whose last point lies outside the window, is titled
    as diverging.  ``colors``: one optimizer name or colour per run (default:
    gradient descent's colour for all).  Returns the figure.
    """
    runs, titles = list(runs), list(titles)
    if not runs or len(runs) != len(titles):
        raise ValueError(f"need one title per run, got {len(runs)} runs and {len(titles)} titles")
    colors = ["sgd"] * len(runs) if colors is None else list(colors)
    if len(colors) != len(runs):
        raise ValueError(f"need one colour per run, got {len(colors)} for {len(runs)} runs")
    check_scalar(width, "width", min_val=0, include_boundaries="neither")
    check_scalar(height, "height", min_val=0, include_boundaries="neither")
    with book_style():
        fig, axes = plt.subplots(1, len(runs), squeeze=False,
                                 figsize=(width * len(runs), height))
    for ax in axes[0]:
        _grid(ax)
    for ax, run, title, color in zip(axes[0], runs, titles, colors):
        x, y = run.points[-1]
        outside = not (xlim[0] <= x <= xlim[1] and ylim[0] <= y <= ylim[1])   # NaN: outside
        show_trace_2d(f, run.points, xlim, ylim, axes=ax, title=title,
                      diverged=run.diverged or outside, color=color)
    fig.tight_layout()
    return fig


def _check_limits(limits, name):
    if (isinstance(limits, (str, bytes)) or not hasattr(limits, "__len__") or len(limits) != 2):
        raise ValueError(f"{name} must be two numbers (low, high), got {limits!r}")
    for v in limits:
        check_scalar(v, name)
    if not limits[0] < limits[1]:
        raise ValueError(f"{name} must be (low, high) with low < high, got {limits!r}")


def _set_title(axes, title, diverged):
    if diverged:
        title = f"{title}: diverges" if title else "diverges"
        axes.set_title(title, color="tab:red")
    elif title:
        axes.set_title(title)


def plot_losses(results, labels=None, xlabel="epoch", ylabel="loss", figsize=None,
                against="epochs", xscale="linear", colors=None):
    """Plot the loss curves of one or several :class:`~d2lutils.training.TrainResult`.

    ``against`` picks the x axis: ``"epochs"`` or ``"times"`` (training seconds);
    with ``xscale="log"`` the points at x = 0 (the initial loss) are left out.
    ``colors`` (one per curve: optimizer names or colours) is passed to :func:`plot`.
    """
    if against not in ("epochs", "times"):
        raise ValueError(f"against must be 'epochs' or 'times', got {against!r}")
    results = [results] if hasattr(results, "losses") else list(results)
    if not results:
        raise ValueError("results must hold at least one TrainResult, got an empty sequence")
    if any(not hasattr(r, "losses") or not hasattr(r, against) for r in results):
        raise TypeError("results must be a TrainResult or a list of them (with .losses, "
                        f".epochs and .times), got {results!r}")
    xs = [np.asarray(getattr(r, against), dtype=float) for r in results]
    ys = [np.asarray(r.losses, dtype=float) for r in results]
    if xscale == "log":  # the record at x = 0 has no place on a log axis
        ys = [y[x > 0] for x, y in zip(xs, ys)]
        xs = [x[x > 0] for x in xs]
    return plot(xs, ys, xlabel=xlabel, ylabel=ylabel, legend=labels, figsize=figsize,
                xscale=xscale, colors=colors)
