"""A linear classifier with the multiclass SVM (hinge) loss, in NumPy.

Scores are ``S = X W^T`` for a weight matrix ``W`` of shape (classes, features);
append a constant-1 feature with :func:`add_bias` to give every class a bias.
For one example ``x_i`` with label ``y_i`` and margin ``delta``::

    L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)

and the data loss is the mean over examples (plus ``reg * ||W||^2`` if asked).
"""
import numpy as np


def add_bias(X):
    """Append a column of ones, so that the last column of ``W`` acts as a bias."""
    X = np.asarray(X)
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def _check(W, X, y):
    W, X, y = np.asarray(W), np.asarray(X), np.asarray(y)
    if X.ndim != 2 or W.shape[-1] != X.shape[1]:
        raise ValueError(f"W must have shape (..., classes, {X.shape[-1]}) for X of shape "
                         f"{X.shape}, got {W.shape}")
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be integer labels of shape ({X.shape[0]},), got {y.dtype} {y.shape}")
    if y.min() < 0 or y.max() >= W.shape[-2]:
        raise ValueError(f"labels must lie in 0..{W.shape[-2] - 1}")
    return W, X, y


def hinge_from_scores(scores, y, delta=1.0):
    """Mean multiclass hinge loss of ``scores`` (..., n, classes): one value per leading index."""
    n = scores.shape[-2]
    correct = scores[..., np.arange(n), y][..., None]
    margins = np.maximum(0.0, scores - correct + delta)
    # the correct class contributes max(0, delta) = delta to every example: remove it
    return margins.sum(axis=(-2, -1)) / n - delta


def svm_loss(W, X, y, delta=1.0, reg=0.0):
    """Multiclass SVM loss of one ``W`` (classes, d) or of a stack of them (k, classes, d)."""
    W, X, y = _check(W, X, y)
    if W.ndim == 2:
        scores = X @ W.T
    else:  # one matrix product for the whole stack: (n, k * classes) -> (k, n, classes)
        k, c, d = W.shape
        scores = (X @ W.reshape(k * c, d).T).reshape(X.shape[0], k, c).transpose(1, 0, 2)
    loss = hinge_from_scores(scores, y, delta)
    return loss + reg * np.sum(W * W, axis=(-2, -1))


def svm_loss_grad(W, X, y, delta=1.0, reg=0.0):
    """The loss and its (sub)gradient with respect to ``W`` (classes, d).

    Row j != y_i of the gradient of L_i is ``1[margin_j > 0] x_i``; row y_i is
    minus the number of positive margins times ``x_i``.  At a kink (margin
    exactly 0) the indicator is taken as 0, which is one valid subgradient.
    """
    W, X, y = _check(W, X, y)
    if W.ndim != 2:
        raise ValueError(f"W must be one matrix (classes, d), got shape {W.shape}")
    n = X.shape[0]
    scores = X @ W.T
    margins = scores - scores[np.arange(n), y][:, None] + delta
    margins[np.arange(n), y] = 0.0
    active = (margins > 0).astype(X.dtype)              # 1[margin > 0], (n, classes)
    active[np.arange(n), y] = -active.sum(axis=1)       # the correct class gets minus the count
    loss = np.maximum(margins, 0.0).sum() / n + reg * np.sum(W * W)
    grad = active.T @ X / n + 2 * reg * W
    return loss, grad


def accuracy(W, X, y):
    """Fraction of examples whose highest score is the true class."""
    W, X, y = _check(W, X, y)
    return float(np.mean(np.argmax(X @ W.T, axis=1) == y))
