"""A linear classifier with the multiclass SVM (hinge) loss, in NumPy.

Scores are ``S = X W`` for a weight matrix ``W`` of shape (features, classes):
column ``j`` of ``W`` holds the weights of class ``j``.  This is the layout of
:mod:`d2lutils.models.mlp` (``W`` (fan_in, fan_out)) and of CS231n's notes, so
one convention holds for every weight matrix of the book: the weights into one
output unit form a *column*.  Append a constant-1 feature with :func:`add_bias`
to give every class a bias (the last row of ``W``).  For one example ``x_i``
with label ``y_i`` and margin ``delta``::

    L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)

and the data loss is the mean over examples (plus ``reg * ||W||^2`` if asked).
``svm_loss`` and ``svm_loss_grad`` also take a stack of matrices ``(k, features,
classes)`` and return one value per matrix; ``svm_loss`` accepts complex ``W``
too (for complex-step derivatives: ``np.maximum`` compares real parts).
"""
import numpy as np


def add_bias(X):
    """Append a column of ones, so that the last row of ``W`` acts as a bias."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (examples, features), got shape {X.shape}")
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def _check(W, X, y):
    W, X, y = np.asarray(W), np.asarray(X), np.asarray(y)
    if X.ndim != 2 or W.ndim not in (2, 3) or W.shape[-2] != X.shape[1]:
        raise ValueError(f"W must have shape ({X.shape[-1]}, classes) or (k, {X.shape[-1]}, "
                         f"classes) for X of shape {X.shape}, got {W.shape}")
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be integer labels of shape ({X.shape[0]},), got {y.dtype} {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= W.shape[-1]):
        raise ValueError(f"labels must lie in 0..{W.shape[-1] - 1} (W has {W.shape[-1]} "
                         f"columns), got labels in {y.min()}..{y.max()}")
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(X))):
        raise ValueError("W and X must be finite (they hold NaN or inf)")
    return W, X, y


def _scores(W, X):
    """Scores of every stacked ``W`` in the layout (n, k, classes), as one matrix product."""
    k, d, c = W.shape
    return (X @ W.transpose(1, 0, 2).reshape(d, k * c)).reshape(X.shape[0], k, c)


def _margins(W, X, y, delta):
    """s_j - s_{y_i} + delta for every example, stacked matrix and class, 0 at j = y_i: (n, k, classes)."""
    rows = np.arange(X.shape[0])
    s = _scores(W, X)
    margins = s - s[rows, :, y][:, :, None] + delta
    margins[rows, :, y] = 0.0
    return margins


def svm_loss(W, X, y, delta=1.0, reg=0.0):
    """Multiclass SVM loss of one ``W`` (d, classes) or of a stack of them (k, d, classes)."""
    W, X, y = _check(W, X, y)
    stack = W if W.ndim == 3 else W[None]
    loss = np.maximum(_margins(stack, X, y, delta), 0.0).sum(axis=(0, 2)) / X.shape[0]
    loss = loss + reg * np.sum(stack * stack, axis=(1, 2))
    return loss if W.ndim == 3 else loss[0]


def svm_loss_grad(W, X, y, delta=1.0, reg=0.0):
    """The loss and its (sub)gradient with respect to ``W`` (d, classes), or to each of a stack.

    Column j != y_i of the gradient of L_i is ``1[margin_j > 0] x_i``; column
    y_i is minus the number of positive margins times ``x_i``.  At a kink
    (margin exactly 0) the indicator is taken as 0, which is one valid subgradient.
    """
    W, X, y = _check(W, X, y)
    stack = W if W.ndim == 3 else W[None]
    (k, d, c), n, rows = stack.shape, X.shape[0], np.arange(X.shape[0])
    margins = _margins(stack, X, y, delta)
    active = (margins > 0).astype(X.dtype)              # 1[margin > 0], (n, k, classes)
    active[rows, :, y] = -active.sum(axis=2)            # the correct class gets minus the count
    loss = np.maximum(margins, 0.0).sum(axis=(0, 2)) / n + reg * np.sum(stack * stack, axis=(1, 2))
    grad = (X.T @ active.reshape(n, k * c)).reshape(d, k, c).transpose(1, 0, 2) / n + 2 * reg * stack
    return (loss, grad) if W.ndim == 3 else (loss[0], grad[0])


def accuracy(W, X, y):
    """Fraction of examples whose highest score is the true class (one ``W``, or one per stacked ``W``)."""
    W, X, y = _check(W, X, y)
    stack = W if W.ndim == 3 else W[None]
    acc = np.mean(np.argmax(_scores(stack, X), axis=2) == y[:, None], axis=0)
    return acc if W.ndim == 3 else float(acc[0])
