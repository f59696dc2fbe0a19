"""MXNet (Gluon) code of the book; importing this package imports MXNet.

The same module names as :mod:`d2lutils.tensorflow`, so the two read side by side:

* :mod:`~d2lutils.mxnet.training`: airfoil training loops, from scratch and with a Gluon
  ``Trainer``, and the step-by-step comparisons with the built-in optimizer and with the
  NumPy reference rules (re-exported here: ``from d2lutils import mxnet as d2lmx;
  d2lmx.train_scratch(...)``);
* :mod:`~d2lutils.mxnet.mlp`: the digits MLP built with Gluon;
* :mod:`~d2lutils.mxnet.hvp`: Hessian-vector products by double backpropagation;
* :mod:`~d2lutils.mxnet.multiworker`: one worker (or server) of MXNet's parameter server,
  started as a process by :func:`d2lutils.multiworker.run_cluster`, with
  :mod:`~d2lutils.mxnet.server_optimizer` (what the server runs) and
  ``scheduler.py`` (the scheduler, run as a file through MXNet's C API).
"""
from .training import (check_optimizer_params, check_states, compare_with_builtin,
                       compare_with_reference, linreg, squared_loss, train_concise, train_scratch)

__all__ = ["check_optimizer_params", "check_states", "compare_with_builtin",
           "compare_with_reference", "linreg", "squared_loss", "train_concise", "train_scratch"]
