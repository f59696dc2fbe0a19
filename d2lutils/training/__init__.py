"""Framework-free training loops.

* :mod:`~d2lutils.training.airfoil`: the skeleton every airfoil loop shares (NumPy,
  MXNet, TensorFlow): same start, same minibatches, same report;
* :mod:`~d2lutils.training.digits`: the digits MLP — :func:`train_runs` trains a whole
  sweep of learning rates and seeds at once in NumPy; :func:`run_loop` is the loop of the
  framework trainers;
* :mod:`~d2lutils.training.evaluations`: loss against passes over the data (scipy vs minibatch);
* :mod:`~d2lutils.training.data_parallel`: data parallelism's bookkeeping — which worker takes
  which examples, and the single-process reference a cluster is checked against.
"""
from .airfoil import (RECORD_EVERY, PermutedData, TrainResult, check_data, check_loop_args,
                      init_linear_params, run_epochs, state_leaves)
from .digits import NetResult, Runs, batch_orders, run_loop, train_runs

__all__ = ["RECORD_EVERY", "NetResult", "PermutedData", "Runs", "TrainResult", "batch_orders",
           "check_data", "check_loop_args", "init_linear_params", "run_epochs", "run_loop",
           "state_leaves", "train_runs"]
