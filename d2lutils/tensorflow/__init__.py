"""TensorFlow (Keras 3) code of the book; importing this package imports TensorFlow.

The same module names as :mod:`d2lutils.mxnet`, so the two read side by side:

* :mod:`~d2lutils.tensorflow.training`: airfoil training loops, from scratch and with a
  Keras optimizer, and the step-by-step comparisons with the built-in optimizer and with
  the NumPy reference rules (re-exported here: ``from d2lutils import tensorflow as d2ltf;
  d2ltf.train_scratch(...)``);
* :mod:`~d2lutils.tensorflow.mlp`: the digits MLP built with Keras;
* :mod:`~d2lutils.tensorflow.hvp`: Hessian-vector products (forward-over-backward);
* :mod:`~d2lutils.tensorflow.multiworker`: one worker of ``MultiWorkerMirroredStrategy``,
  started as a process by :func:`d2lutils.multiworker.run_workers`.
"""
import os

# Set before TensorFlow is first imported (by .training): no C++ start-up chatter in a
# reader's notebook, and reproducible float sums on the CPU.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from .training import (check_states, compare_with_builtin, compare_with_reference,  # noqa: E402
                       linreg, squared_loss, train_concise, train_scratch)

__all__ = ["check_states", "compare_with_builtin", "compare_with_reference", "linreg",
           "squared_loss", "train_concise", "train_scratch"]
