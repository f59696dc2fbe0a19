"""Helpers for the book 《深度学习中的优化算法》.

Importing this package loads neither MXNet nor TensorFlow: framework code lives
in :mod:`d2lutils.mxnet` and :mod:`d2lutils.tensorflow`, which readers import
only in the cells that need them.
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

from .data import load_airfoil, minibatches  # noqa: E402
from .optim import RULES, train_2d, trajectory  # noqa: E402
from .plot import plot, plot_losses, set_figsize, show_runs_2d, show_trace, show_trace_2d  # noqa: E402

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
