"""Helpers for the book 《深度学习中的优化算法》.

Importing this package loads neither MXNet nor TensorFlow: framework code lives
in :mod:`d2lutils.mxnet` and :mod:`d2lutils.tensorflow`, which readers import
only in the cells that need them.

Importing it has two effects, both on purpose and nothing else global:

* on Linux it loads the system libstdc++ into the global symbol scope, so that
  MXNet and TensorFlow can be imported in either order (see below);
* in a notebook (an IPython kernel with the inline backend) it asks the inline
  backend to show figures as PNG (:func:`d2lutils.plotting.use_png_display`).
  matplotlib's ``rcParams`` are not touched: the book's style and size apply
  only to the figures that d2lutils' own functions create.

Modules by concern: :mod:`~d2lutils.data` (airfoil data, minibatches),
:mod:`~d2lutils.optim` (NumPy reference rules, trajectories),
:mod:`~d2lutils.functions` (test functions), :mod:`~d2lutils.training`
(the framework-free training loop), :mod:`~d2lutils.comparison` (hand-written
update vs built-in optimizer), :mod:`~d2lutils.plotting`, :mod:`~d2lutils.widgets`
(kernel-free sliders) and :mod:`~d2lutils.validation` (argument checks).
"""
import ctypes
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

from .data.airfoil import load_airfoil, minibatches  # noqa: E402
from .optim.rules import RULES, train_2d, trajectory  # noqa: E402
from .figures.plotting import (plot, plot_losses, set_figsize, show_runs_2d, show_trace,  # noqa: E402
                       show_trace_2d, use_png_display)

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
