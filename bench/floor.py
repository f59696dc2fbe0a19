"""The NumPy floor: the trainers' loop with a hand-written gradient, no framework.

Same initial weights, minibatches, data handling (examples gathered into epoch
order once per epoch, batches sliced) and loss-recording schedule as
``d2lutils.mxnet.train_scratch`` and ``d2lutils.tensorflow.train_scratch``; the gradient
of the half squared loss is ``d2lutils.models.linreg.gradients`` and the update is the
in-place NumPy rule of ``d2lutils.optim.rules.RULES`` for the same algorithm.  What is
left is what the Python loop itself costs, so ``loop time / floor time`` says
how much a framework adds per step.
"""
import numpy as np

from d2lutils.models.linreg import gradients, half_mse
from d2lutils.optim.rules import resolve
from d2lutils.training import PermutedData, check_data, init_linear_params, run_epochs


def train_floor(rule, hyperparams, features, labels, batch_size=10, num_epochs=2, seed=0):
    """Train airfoil linear regression with NumPy rule ``rule``; returns a ``TrainResult``.

    ``rule`` is a name in ``d2lutils.optim.rules.RULES`` and ``hyperparams`` uses the
    chapters' names (``lr``, ``momentum``, ``gamma``, ``rho``, ``beta1``...).
    """
    rule, hp = resolve(rule, hyperparams)
    features, labels = check_data(features, labels)
    X_all, y_all = features.astype(np.float64), labels.astype(np.float64)
    w0, b0 = init_linear_params(features.shape[1], seed)
    w, b = w0[:, 0].astype(np.float64), b0.astype(np.float64)   # b: shape (1,), updated in place
    states = [rule.init(w.shape), rule.init(b.shape)]
    data = PermutedData(lambda order: (X_all[order], y_all[order]))

    def step(indices):
        X, y = data.next_batch(len(indices))
        grad_w, grad_b = gradients(X, y, w, b)
        rule.update(w, grad_w, states[0], hp)
        rule.update(b, np.array([grad_b]), states[1], hp)

    def evaluate():
        return half_mse(X_all, y_all, w, b)

    return run_epochs(step, evaluate, len(y_all), batch_size, num_epochs, seed,
                      on_epoch=data.start_epoch)
