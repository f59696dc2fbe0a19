"""The book's one NumPy network: a multilayer perceptron with softmax cross-entropy.

The parameters are a list ``[W1, b1, ..., WL, bL]`` with ``W_l`` of shape
(fan_in, fan_out), the layout of ``X @ W`` (and of CS231n's notes).  The same
functions serve three views of the network:

* **one network**: ``X`` (B, inputs), ``y`` (B,); the loss is a scalar;
* **stacked runs**: every parameter array carries a leading axis of R independent
  runs (``W`` (R, fan_in, fan_out), ``b`` (R, fan_out)); ``X`` is (B, inputs),
  shared, or (R, B, inputs), one minibatch per run; the loss has shape (R,).
  :func:`d2lutils.training.train_runs` trains a whole sweep of learning rates
  and seeds this way, in one pass of NumPy calls;
* **one flat vector**: :func:`flatten`, :func:`unflatten` and :class:`FlatMLP`,
  for ``scipy.optimize`` and for gradient checks.

Every chapter uses ReLU, with one exception: the quasi-Newton comparison of
深度学习中的二阶方法 trains with ``activation="tanh"``, because BFGS's theory and
its line search assume a twice-differentiable loss, which ReLU's kinks break.
All functions keep the dtype of the parameters (float32 or float64).
"""
import numbers

import numpy as np

from ..validation import check_non_negative_int, check_scalar

#: The digits network of the book: 64 pixels → 32 hidden units → 10 classes.
SIZES = (64, 32, 10)

#: activation name -> (function, derivative written with the activation's output a)
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(a.dtype)),
    "tanh": (np.tanh, lambda a: 1 - a * a),
}

#: name -> the variance of N(0, variance) as a function of (fan_in, fan_out)
_SCALES = {"he": lambda fan_in, fan_out: 2.0 / fan_in,
           "lecun": lambda fan_in, fan_out: 1.0 / fan_in,
           "glorot": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out)}


def check_sizes(sizes):
    """Layer widths ``(inputs, hidden..., outputs)``: at least two positive integers."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2 \
            or any(isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1
                   for n in sizes):
        raise ValueError(f"sizes must be two or more positive integers (inputs, hidden..., "
                         f"outputs), got {sizes!r}")
    return tuple(int(n) for n in sizes)


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    return ACTIVATIONS[activation]


def _weights(rng, scale, fan_in, fan_out):
    """One weight matrix drawn as ``scale`` says (see :func:`init_params`)."""
    if isinstance(scale, tuple) and len(scale) == 2 and scale[0] == "constant":
        return np.full((fan_in, fan_out), check_scalar(scale[1], "scale[1] (the constant)"))
    if isinstance(scale, str) and scale in _SCALES:
        return rng.normal(0.0, np.sqrt(_SCALES[scale](fan_in, fan_out)), (fan_in, fan_out))
    if isinstance(scale, numbers.Real) and not isinstance(scale, bool):
        check_scalar(scale, "scale (the standard deviation)", min_val=0,
                     include_boundaries="neither")
        return rng.normal(0.0, float(scale), (fan_in, fan_out))
    raise ValueError(f"scale must be one of {sorted(_SCALES)}, a positive finite number or "
                     f"('constant', c), got {scale!r}")


def init_params(seed=0, scale="he", sizes=SIZES, dtype=np.float32):
    """Initial ``[W1, b1, ..., WL, bL]`` of one network; weights (fan_in, fan_out), biases 0.

    ``scale``: ``"he"``, W ~ N(0, 2/fan_in) (He et al. 2015, for ReLU);
    ``"lecun"``, W ~ N(0, 1/fan_in) (for tanh); ``"glorot"``, W ~ N(0, 2/(fan_in + fan_out))
    (Glorot & Bengio 2010, the normal form); a positive number σ, W ~ N(0, σ²);
    ``("constant", c)``: every weight equal to c.  The weights are drawn layer
    by layer from ``np.random.default_rng(seed)``.
    """
    check_non_negative_int(seed, "seed")
    sizes = check_sizes(sizes)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params += [_weights(rng, scale, fan_in, fan_out).astype(dtype), np.zeros(fan_out, dtype)]
    return params


def _bias(b):
    """A bias that broadcasts over the batch axis, for one network or stacked runs."""
    return b if b.ndim == 1 else b[:, None, :]


def forward(params, X, activation="relu"):
    """Logits and the hidden activations ``[a1, ..., a_{L-1}]`` of the network on ``X``."""
    act, _ = _check_activation(activation)
    a, hidden = np.asarray(X).astype(params[0].dtype, copy=False), []
    for k in range(0, len(params) - 2, 2):
        a = act(a @ params[k] + _bias(params[k + 1]))
        hidden.append(a)
    return a @ params[-2] + _bias(params[-1]), hidden


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _label_log_prob(log_p, y):
    """log p of each example's label: shape (B,) or (R, B)."""
    y = np.broadcast_to(np.asarray(y), log_p.shape[:-1])
    return np.take_along_axis(log_p, y[..., None], axis=-1)[..., 0]


def loss(params, X, y, activation="relu"):
    """Mean softmax cross-entropy (a scalar, or one per stacked run)."""
    logits, _ = forward(params, X, activation)
    return -_label_log_prob(_log_softmax(logits), y).mean(axis=-1)


def loss_and_grads(params, X, y, activation="relu"):
    """The mean cross-entropy and its gradients ``[dW1, db1, ...]`` by backpropagation."""
    _, derivative = _check_activation(activation)
    logits, hidden = forward(params, X, activation)
    log_softmax = _log_softmax(logits)
    log_p = _label_log_prob(log_softmax, y)
    d_logits = np.exp(log_softmax)                             # softmax ...
    y = np.broadcast_to(np.asarray(y), logits.shape[:-1])
    np.put_along_axis(d_logits, y[..., None],
                      np.take_along_axis(d_logits, y[..., None], -1) - 1, -1)   # ... minus one-hot
    d_logits /= logits.shape[-2]                              # the mean over the batch
    inputs = [np.asarray(X).astype(params[0].dtype, copy=False)] + hidden
    grads, delta = [], d_logits
    for k in range(len(params) // 2 - 1, -1, -1):
        grads[:0] = [np.swapaxes(inputs[k], -1, -2) @ delta, delta.sum(axis=-2)]
        if k > 0:
            delta = (delta @ np.swapaxes(params[2 * k], -1, -2)) * derivative(inputs[k])
    return -log_p.mean(axis=-1), grads


def evaluate(params, X, y, activation="relu"):
    """Mean cross-entropy and accuracy on one data set (scalars, or one per stacked run)."""
    logits, _ = forward(params, X, activation)
    log_p = _log_softmax(logits)
    return -_label_log_prob(log_p, y).mean(axis=-1), (logits.argmax(axis=-1) == y).mean(axis=-1)


def shapes(sizes=SIZES):
    """The shapes of ``[W1, b1, ..., WL, bL]`` for layer widths ``sizes``."""
    sizes = check_sizes(sizes)
    return [s for a, b in zip(sizes[:-1], sizes[1:]) for s in ((a, b), (b,))]


def flatten(arrays):
    """Concatenate a list of arrays into one vector."""
    return np.concatenate([np.ravel(a) for a in arrays])


def unflatten(vector, like):
    """Split ``vector`` into arrays shaped like ``like``: a list of arrays or of shapes (views, no copies)."""
    vector = np.asarray(vector)
    out, start = [], 0
    for a in like:
        shape = tuple(a) if isinstance(a, tuple) else np.shape(a)
        size = int(np.prod(shape))
        out.append(vector[start:start + size].reshape(shape))
        start += size
    if vector.ndim != 1 or start != vector.size:
        raise ValueError(f"vector must be 1-D with {start} entries (the arrays' sizes), "
                         f"got shape {vector.shape}")
    return out


class FlatMLP:
    """The network seen as a function of one flat parameter vector θ (for ``scipy.optimize``).

    ``FlatMLP(sizes=(64, 32, 10), activation="tanh")``; :meth:`init` draws θ₀
    (:func:`init_params` with ``scale="lecun"``, float64); :meth:`loss_grad`
    returns the mean loss and its gradient, the pair
    ``scipy.optimize.minimize(..., jac=True)`` expects.
    """

    def __init__(self, sizes=SIZES, activation="tanh"):
        self.sizes = check_sizes(sizes)
        self.activation = activation
        _check_activation(activation)
        self.shapes = shapes(self.sizes)
        self.size = sum(int(np.prod(s)) for s in self.shapes)

    def unpack(self, theta):
        """θ as the list ``[W1, b1, ...]`` (views)."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.size,):
            raise ValueError(f"theta must have shape ({self.size},), got {theta.shape}")
        return unflatten(theta, self.shapes)

    def init(self, seed=0, scale="lecun"):
        """Seeded initial θ (float64)."""
        return flatten(init_params(seed, scale, self.sizes, np.float64))

    def _check_labels(self, X, y):
        X, y = np.asarray(X, dtype=float), np.asarray(y)
        if X.ndim != 2 or X.shape[1] != self.sizes[0] or y.shape != (len(X),):
            raise ValueError(f"expected X of shape (n, {self.sizes[0]}) and labels y of shape "
                             f"(n,), got {X.shape} and {y.shape}")
        if y.dtype.kind not in "iu" or (y.size and (y.min() < 0 or y.max() >= self.sizes[-1])):
            raise ValueError(f"labels must be integers in [0, {self.sizes[-1]}), got "
                             f"{y.dtype} values in [{y.min() if y.size else '-'}, "
                             f"{y.max() if y.size else '-'}]")
        return X, y

    def loss_grad(self, theta, X, y):
        """Mean cross-entropy over (X, y) and its gradient with respect to θ."""
        X, y = self._check_labels(X, y)
        value, grads = loss_and_grads(self.unpack(theta), X, y, self.activation)
        return float(value), flatten(grads)

    def accuracy(self, theta, X, y):
        """Fraction of (X, y) classified correctly."""
        X, y = self._check_labels(X, y)
        return float(evaluate(self.unpack(theta), X, y, self.activation)[1])
