"""Helpers for the book 《深度学习中的优化算法》.

The package reads like the book's table of contents, one folder per concern:

* :mod:`~d2lutils.data` — the data sets (airfoil, digits) and minibatches;
* :mod:`~d2lutils.optim` — the one registry of update rules (:data:`RULES`), schedules,
  Newton and conjugate gradient, first-order rates, LARS/LAMB, stale gradients;
* :mod:`~d2lutils.models` — linear regression, the one MLP, the linear classifier;
* :mod:`~d2lutils.training` — the framework-free training loops;
* :mod:`~d2lutils.analysis` — test functions, gradient checks, landscapes, random matrices;
* :mod:`~d2lutils.figures` — plots, colours, kernel-free sliders;
* :mod:`~d2lutils.mxnet`, :mod:`~d2lutils.tensorflow` — the framework code, with the same
  module names in both, imported only where a cell needs them;
* :mod:`~d2lutils.comparison`, :mod:`~d2lutils.multiworker`, :mod:`~d2lutils.validation` —
  hand-written vs built-in comparisons, local multi-process jobs, argument checks.

Code a chapter teaches is written in that chapter's cells and saved here by
``.ci/export.py`` (cells marked ``#@save``); such modules say so in their first line.

Importing this package loads neither MXNet nor TensorFlow.  It has three effects,
all on purpose and nothing else global:

* on Linux it loads the system libstdc++ into the global symbol scope, so that
  MXNet and TensorFlow can be imported in either order (see below);
* it sets ``TF_CPP_MIN_LOG_LEVEL=2`` unless already set, so TensorFlow's C++
  runtime, when a later cell imports it, does not print its start-up notes and
  warnings into the reader's notebook (errors still show);
* in a notebook (an IPython kernel with the inline backend) it asks the inline
  backend to show figures as PNG (:func:`d2lutils.figures.plotting.use_png_display`).
  matplotlib's ``rcParams`` are not touched.
"""
import ctypes
import os
import sys


def _promote_libstdcxx():
    """Load the system libstdc++ into the global symbol scope (Linux only).

    TensorFlow's ``libtensorflow_framework.so`` is loaded with RTLD_GLOBAL and
    exports its own copy of ``std::random_device`` internals.  If TensorFlow is
    imported before MXNet, ``libmxnet.so`` binds to those symbols and crashes
    (segfault in ``random_device::_M_getval``).  Loading the system libstdc++
    globally first makes every later library bind to the real implementation,
    so both frameworks can be imported in either order in one kernel.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libstdc++.so.6", mode=ctypes.RTLD_GLOBAL)
    except OSError:  # no system libstdc++: nothing to promote
        pass


_promote_libstdcxx()
# Before any cell imports TensorFlow: its C++ log lines would land in the notebook's outputs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .data.airfoil import load_airfoil, minibatches  # noqa: E402
from .optim.rules import RULES, train_2d, trajectory  # noqa: E402

#: Plotting names at the top level, loaded from :mod:`d2lutils.figures.plotting` on first use, so
#: a process that never plots (a cluster's worker or server, a test subprocess) never pays for
#: importing matplotlib.
_PLOTTING = ("plot", "plot_losses", "set_figsize", "show_runs_2d", "show_trace", "show_trace_2d",
             "use_png_display")


def __getattr__(name):
    if name in _PLOTTING:
        from .figures import plotting
        return getattr(plotting, name)
    raise AttributeError(f"module 'd2lutils' has no attribute {name!r}")


if "ipykernel" in sys.modules:      # a notebook: figures as PNG from the first cell on
    from .figures.plotting import use_png_display  # noqa: E402
    use_png_display()

__all__ = [
    "RULES",
    "load_airfoil",
    "minibatches",
    "plot",
    "plot_losses",
    "set_figsize",
    "show_runs_2d",
    "show_trace",
    "show_trace_2d",
    "train_2d",
    "trajectory",
]
