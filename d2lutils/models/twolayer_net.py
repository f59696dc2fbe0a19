"""A two-layer ReLU network with softmax cross-entropy, in NumPy (forward and backprop).

The parameters are a list ``[W1, b1, W2, b2]`` with ``W1`` (hidden, inputs) and
``W2`` (classes, hidden): one row per output unit, the layout in which each row
is a "filter" for :mod:`d2lutils.landscape`.  Every function keeps the dtype of
the parameters, so the same code runs in float32 and float64::

    params = init_mlp(64, 16, 10, seed=0)
    loss, grads = mlp_loss_grad(params, X, y)
"""
import numpy as np


def init_mlp(num_inputs, num_hidden, num_outputs, seed=0, dtype=np.float64):
    """He-initialized weights (N(0, 2/fan_in)) and zero biases."""
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0.0, np.sqrt(2.0 / num_inputs), size=(num_hidden, num_inputs))
    W2 = rng.normal(0.0, np.sqrt(2.0 / num_hidden), size=(num_outputs, num_hidden))
    return [p.astype(dtype) for p in (W1, np.zeros(num_hidden), W2, np.zeros(num_outputs))]


def mlp_scores(params, X):
    """Class scores ``relu(X W1^T + b1) W2^T + b2`` of shape (n, classes)."""
    W1, b1, W2, b2 = params
    return np.maximum(X.astype(W1.dtype) @ W1.T + b1, 0) @ W2.T + b2


def cross_entropy(scores, y):
    """Mean softmax cross-entropy ``mean_i(logsumexp(s_i) - s_{i, y_i})`` (stable)."""
    shifted = scores - scores.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1))
    return np.mean(log_norm - shifted[np.arange(len(y)), y])


def mlp_loss(params, X, y):
    """Mean cross-entropy of the network on (X, y), in the parameters' dtype."""
    return cross_entropy(mlp_scores(params, X), y)


def mlp_loss_grad(params, X, y):
    """The loss and the gradients ``[dW1, db1, dW2, db2]`` by backpropagation."""
    W1, b1, W2, b2 = params
    X = X.astype(W1.dtype)
    n = X.shape[0]
    pre = X @ W1.T + b1
    hidden = np.maximum(pre, 0)
    scores = hidden @ W2.T + b2
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    loss = np.mean(-np.log(probs[np.arange(n), y]))
    d_scores = probs
    d_scores[np.arange(n), y] -= 1
    d_scores /= n
    d_hidden = (d_scores @ W2) * (pre > 0)
    return loss, [d_hidden.T @ X, d_hidden.sum(0), d_scores.T @ hidden, d_scores.sum(0)]


def flatten(arrays):
    """Concatenate a list of arrays into one vector."""
    return np.concatenate([np.ravel(a) for a in arrays])


def unflatten(vector, like):
    """Split ``vector`` into arrays shaped like the list ``like`` (views, no copies)."""
    out, start = [], 0
    for a in like:
        out.append(vector[start:start + a.size].reshape(a.shape))
        start += a.size
    if start != vector.size:
        raise ValueError(f"vector has {vector.size} entries, the arrays need {start}")
    return out


def train_mlp(params, X, y, lr=0.1, num_epochs=20, batch_size=32, seed=0):
    """Minibatch SGD on the cross-entropy; updates ``params`` in place, returns epoch losses."""
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(num_epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            _, grads = mlp_loss_grad(params, X[idx], y[idx])
            for p, g in zip(params, grads):
                p -= lr * g
        losses.append(float(mlp_loss(params, X, y)))
    return losses
