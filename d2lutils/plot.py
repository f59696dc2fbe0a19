"""Plotting helpers: every figure in the book goes through these functions.

Figures are rendered as PNG (nbval does not compare PNG bytes, and the pages
stay light).  Labels use English or math notation, so no CJK font is needed.
"""
import matplotlib.pyplot as plt
import numpy as np

_PNG_SET = False
_STYLE = {"figure.dpi": 100, "savefig.dpi": 100, "font.size": 10,
          "axes.grid": True, "grid.alpha": 0.3}
# The book's figure style applies to every figure, including plain plt.subplots().
plt.rcParams.update(_STYLE)


def _use_png_display():
    """Ask the notebook inline backend for crisp PNG figures (no-op elsewhere)."""
    global _PNG_SET
    if _PNG_SET:
        return
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats("png")
    except ImportError:  # pragma: no cover - matplotlib-inline ships with ipykernel
        pass
    plt.rcParams.update(_STYLE)
    _PNG_SET = True


def set_figsize(figsize=(3.5, 2.5)):
    """Set the default figure size in inches (and switch to PNG output)."""
    if len(figsize) != 2 or min(figsize) <= 0:
        raise ValueError(f"figsize must be two positive numbers, got {figsize!r}")
    _use_png_display()
    plt.rcParams["figure.figsize"] = figsize


def plot(x, ys, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"),
         figsize=None, axes=None, title=None):
    """Plot one or several series ``ys`` against ``x`` (or a list of x's).

    ``ys`` may be a single sequence or a list of sequences; ``x`` is shared or
    given per series.  Returns the matplotlib axes.
    """
    ys = [ys] if np.ndim(ys[0]) == 0 else list(ys)
    xs = x if (len(x) and np.ndim(x[0]) > 0) else [x] * len(ys)
    if len(xs) != len(ys):
        raise ValueError(f"got {len(xs)} x series for {len(ys)} y series")
    if legend is not None and len(legend) != len(ys):
        raise ValueError(f"legend has {len(legend)} entries for {len(ys)} series")
    _use_png_display()
    if axes is None:
        axes = plt.figure(figsize=figsize).gca()
    for i, (xi, yi) in enumerate(zip(xs, ys)):
        if len(xi) != len(yi):
            raise ValueError(f"series {i}: {len(xi)} x values but {len(yi)} y values")
        axes.plot(xi, yi, fmts[i % len(fmts)])
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


def show_trace(points, f, xlim=None, axes=None, title=None, diverged=False):
    """Draw the 1-D function ``f`` and the iterates ``points`` on it.

    ``xlim`` defaults to a window around all points.  Iterates outside the
    window are not drawn; when ``diverged`` is True the title says so.
    """
    points = np.asarray(points, dtype=float).ravel()
    if xlim is None:
        reach = max(1.0, float(np.max(np.abs(points))))
        xlim = (-1.1 * reach, 1.1 * reach)
    grid = np.linspace(xlim[0], xlim[1], 200)
    _use_png_display()
    if axes is None:
        axes = plt.figure().gca()
    axes.plot(grid, f(grid), "-", color="tab:blue")
    inside = (points >= xlim[0]) & (points <= xlim[1])
    axes.plot(points[inside], f(points[inside]), "-o", color="tab:orange", markersize=4)
    axes.set_xlim(xlim)
    axes.set_xlabel("x")
    axes.set_ylabel("f(x)")
    _set_title(axes, title, diverged)
    return axes


def show_trace_2d(f, points, xlim=(-5.5, 1.0), ylim=(-3.0, 1.0), axes=None,
                  title=None, diverged=False):
    """Draw the contours of ``f(x1, x2)`` and the path ``points`` (k x 2)."""
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (k, 2), got {points.shape}")
    _use_png_display()
    if axes is None:
        axes = plt.figure().gca()
    x1, x2 = np.meshgrid(np.linspace(*xlim, 120), np.linspace(*ylim, 120))
    axes.contour(x1, x2, f(x1, x2), levels=12, colors="#1f77b4", linewidths=0.8)
    axes.plot(points[:, 0], points[:, 1], "-o", color="#ff7f0e", markersize=3)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    _set_title(axes, title, diverged)
    return axes


def show_runs_2d(f, runs, titles, xlim=(-5.5, 1.0), ylim=(-3.0, 1.0), width=3.4, height=2.6):
    """Draw several :class:`~d2lutils.optim.Trajectory` runs side by side on the contours of ``f``.

    A run that diverged, or whose last point lies outside the window, is titled
    as diverging.  Returns the figure.
    """
    runs, titles = list(runs), list(titles)
    if not runs or len(runs) != len(titles):
        raise ValueError(f"need one title per run, got {len(runs)} runs and {len(titles)} titles")
    _use_png_display()
    fig, axes = plt.subplots(1, len(runs), squeeze=False, figsize=(width * len(runs), height))
    for ax, run, title in zip(axes[0], runs, titles):
        x, y = run.points[-1]
        outside = not (xlim[0] <= x <= xlim[1] and ylim[0] <= y <= ylim[1])
        show_trace_2d(f, run.points, xlim, ylim, axes=ax, title=title,
                      diverged=run.diverged or outside)
    fig.tight_layout()
    return fig


def _set_title(axes, title, diverged):
    if diverged:
        title = f"{title}: diverges" if title else "diverges"
        axes.set_title(title, color="tab:red")
    elif title:
        axes.set_title(title)


def plot_losses(results, labels=None, xlabel="epoch", ylabel="loss", figsize=None,
                against="epochs", xscale="linear"):
    """Plot the loss curves of one or several :class:`~d2lutils.training.TrainResult`.

    ``against`` picks the x axis: ``"epochs"`` or ``"times"`` (training seconds);
    with ``xscale="log"`` the points at x = 0 (the initial loss) are left out.
    """
    if against not in ("epochs", "times"):
        raise ValueError(f"against must be 'epochs' or 'times', got {against!r}")
    results = [results] if hasattr(results, "losses") else list(results)
    xs = [np.asarray(getattr(r, against), dtype=float) for r in results]
    ys = [np.asarray(r.losses, dtype=float) for r in results]
    if xscale == "log":  # the record at x = 0 has no place on a log axis
        ys = [y[x > 0] for x, y in zip(xs, ys)]
        xs = [x[x > 0] for x in xs]
    return plot(xs, ys, xlabel=xlabel, ylabel=ylabel, legend=labels, figsize=figsize,
                xscale=xscale)
