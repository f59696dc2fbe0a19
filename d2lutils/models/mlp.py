"""A small multilayer perceptron on the digits, trained in plain NumPy.

The network is 64 → 32 (ReLU) → 10 with softmax cross-entropy, the same one
that :mod:`d2lutils.mlp_mxnet` and :mod:`d2lutils.mlp_tensorflow` build with
the frameworks.  Everything here is framework-free:

* :func:`init_params` draws the initial weights with NumPy, so all three
  implementations start from the same point;
* :func:`batch_orders` fixes the minibatches of a run from its seed;
* :func:`train_runs` trains many networks at once — every (learning rate, seed)
  pair of a sweep is one slice of stacked weight arrays, and the update rules
  of :data:`ALL_RULES` (the book's :data:`d2lutils.optim.RULES` plus AdamW and
  Nadam) work on the stacked arrays unchanged, because they are elementwise.
"""
import time
from dataclasses import dataclass, field

import numpy as np

from ..optim.rules import RULES, Rule

SIZES = (64, 32, 10)


# ---------------------------------------------------------------------------
# the two rules the book's RULES lack, in the form Keras 3 implements them

def _adamw_init(shape):
    return {"v": np.zeros(shape), "s": np.zeros(shape), "t": np.zeros(())}


def _adamw(p, g, state, hp):
    """AdamW (Loshchilov & Hutter 2019) as Keras ``AdamW``: decay first, then Adam.

    w <- w - η·λ·w (decoupled weight decay, λ = ``weight_decay``), then an Adam
    step with ε added to sqrt(s) (Keras's form).
    """
    p -= hp["lr"] * hp["weight_decay"] * p
    RULES["adam"].update(p, g, state, {**hp, "eps_form": "framework"})


def _nadam_init(shape):
    return {"m": np.zeros(shape), "s": np.zeros(shape), "t": np.zeros(()),
            "u_product": np.ones(())}


def _nadam(p, g, state, hp):
    """Nadam (Dozat 2016) as Keras ``Nadam``: Nesterov-style Adam with the momentum cache.

    μ_t = β1(1 − 0.5·0.96^t); the first moment is corrected with the running
    product of the μ's, and the current gradient enters with weight 1 − μ_t.
    """
    m, s, t, u_prod = state["m"], state["s"], state["t"], state["u_product"]
    b1, b2 = hp["beta1"], hp["beta2"]
    t += 1
    u_t = b1 * (1 - 0.5 * 0.96 ** t)
    u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
    u_prod *= u_t
    m *= b1
    m += (1 - b1) * g
    s *= b2
    s += (1 - b2) * g * g
    m_hat = u_next * m / (1 - u_prod * u_next) + (1 - u_t) * g / (1 - u_prod)
    s_hat = s / (1 - b2 ** t)
    p -= hp["lr"] * m_hat / (np.sqrt(s_hat) + hp["eps"])


_ADAM_DEFAULTS = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}
#: The book's reference rules plus AdamW and Nadam (both as Keras implements them).
ALL_RULES = {
    **RULES,
    "adamw": Rule(_adamw_init, _adamw, {**_ADAM_DEFAULTS, "weight_decay": 0.004}),
    "nadam": Rule(_nadam_init, _nadam, dict(_ADAM_DEFAULTS)),
}


# ---------------------------------------------------------------------------
# initialization and data order

def init_params(seed=0, scale="he", sizes=SIZES):
    """Initial ``[W1, b1, W2, b2]`` (float32), weights stored as (fan_in, fan_out).

    ``scale="he"``: W ~ N(0, 2/fan_in) (He et al. 2015); a positive number σ:
    W ~ N(0, σ²); ``("constant", c)``: every weight equal to c.  Biases are 0.
    """
    if len(sizes) != 3 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer))
                              or n < 1 for n in sizes):
        raise ValueError(f"sizes must be three positive integers (in, hidden, out), got {sizes!r}")
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if isinstance(scale, tuple) and len(scale) == 2 and scale[0] == "constant":
            W = np.full((fan_in, fan_out), float(scale[1]))
        elif scale == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))
        elif isinstance(scale, (int, float)) and not isinstance(scale, bool) and scale > 0:
            W = rng.normal(0.0, float(scale), (fan_in, fan_out))
        else:
            raise ValueError("scale must be 'he', a positive number or ('constant', c), "
                             f"got {scale!r}")
        params += [W.astype(np.float32), np.zeros(fan_out, np.float32)]
    return params


def batch_orders(num_examples, batch_size, num_epochs, seed=0):
    """The minibatches of a run: a list (one per epoch) of index arrays.

    Examples are shuffled each epoch with ``np.random.default_rng(seed)``; the
    last batch of an epoch is smaller when ``batch_size`` does not divide
    ``num_examples``.  All three trainers use it, so they see the same batches.
    """
    for name, value in (("num_examples", num_examples), ("batch_size", batch_size),
                        ("num_epochs", num_epochs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if batch_size > num_examples:
        raise ValueError(f"batch_size must be at most {num_examples}, got {batch_size}")
    rng = np.random.default_rng(seed)
    epochs = []
    for _ in range(num_epochs):
        order = rng.permutation(num_examples)
        epochs.append([order[i:i + batch_size] for i in range(0, num_examples, batch_size)])
    return epochs


def check_digits(data):
    """Validate a :class:`d2lutils.digits.Digits`-like tuple and return it as float32/int64."""
    try:
        X_train, y_train, X_test, y_test = data
    except (TypeError, ValueError):
        raise ValueError("data must be (X_train, y_train, X_test, y_test), "
                         "e.g. d2lutils.digits.load_digits()") from None
    out = []
    for X, y in ((X_train, y_train), (X_test, y_test)):
        X, y = np.asarray(X, np.float32), np.asarray(y)
        if X.ndim != 2 or X.shape[1] != SIZES[0] or y.shape != (len(X),):
            raise ValueError(f"expected features (n, {SIZES[0]}) and labels (n,), "
                             f"got {X.shape} and {y.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("features must be finite")
        if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= SIZES[-1]:
            raise ValueError(f"labels must be integers in [0, {SIZES[-1]})")
        out += [X, y.astype(np.int64)]
    return tuple(out)


# ---------------------------------------------------------------------------
# the network, stacked over runs: arrays carry a leading axis of length R

def forward(params, X):
    """Logits of stacked networks: X (R, B, 64) or (B, 64) -> (R, B, 10), and the hidden activations."""
    W1, b1, W2, b2 = params
    H = np.maximum(X @ W1 + b1[:, None, :], 0.0)
    return H @ W2 + b2[:, None, :], H


def loss_and_grads(params, X, y):
    """Mean cross-entropy of each run (R,) and its gradients (stacked like ``params``)."""
    W1, b1, W2, b2 = params
    Z, H = forward(params, X)
    Z = Z - Z.max(axis=-1, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=-1, keepdims=True)
    rows = np.arange(X.shape[1])
    loss = -np.log(np.take_along_axis(P, y[..., None], -1)[..., 0] + 1e-30).mean(axis=-1)
    dZ = P
    dZ[np.arange(len(y))[:, None], rows[None, :], y] -= 1.0   # softmax minus one-hot
    dZ /= X.shape[1]
    dH = (dZ @ W2.transpose(0, 2, 1)) * (H > 0)
    grads = [X.transpose(0, 2, 1) @ dH, dH.sum(axis=1), H.transpose(0, 2, 1) @ dZ, dZ.sum(axis=1)]
    return loss, grads


def evaluate(params, X, y):
    """Mean cross-entropy (R,) and accuracy (R,) of stacked networks on one data set."""
    Z, _ = forward(params, X)   # X (N, 64) broadcasts against the stacked weights
    Z = Z - Z.max(axis=-1, keepdims=True)
    log_p = Z - np.log(np.exp(Z).sum(axis=-1, keepdims=True))
    loss = -log_p[:, np.arange(len(y)), y].mean(axis=-1)
    return loss, (Z.argmax(axis=-1) == y).mean(axis=-1)


@dataclass
class Runs:
    """Curves of a sweep: arrays of shape (len(lrs), len(seeds), num_epochs + 1).

    Index 0 along the last axis is before training.  ``train_loss`` is the mean
    cross-entropy on the whole training set, ``test_acc`` the test accuracy;
    a diverged run (non-finite loss) has ``nan`` from then on.
    """

    lrs: np.ndarray
    seeds: tuple
    train_loss: np.ndarray
    test_acc: np.ndarray
    seconds: float = 0.0
    final_params: list = field(default_factory=list, repr=False)

    def final(self):
        """Final training loss and test accuracy, (len(lrs), len(seeds)) each."""
        return self.train_loss[..., -1], self.test_acc[..., -1]

    def best_lr_index(self):
        """The learning rate with the lowest final training loss averaged over seeds (nan = inf)."""
        loss = np.where(np.isfinite(self.train_loss[..., -1]), self.train_loss[..., -1], np.inf)
        return int(np.argmin(loss.mean(axis=1)))


@dataclass
class NetResult:
    """One framework training run: curves of length ``num_epochs + 1`` (index 0: before training).

    ``params`` are the final ``[W1, b1, W2, b2]`` as NumPy arrays in the layout
    of :func:`init_params`; ``sec_per_epoch`` times the update loop only.
    """

    train_loss: np.ndarray
    test_acc: np.ndarray
    sec_per_epoch: float
    params: list = field(default_factory=list, repr=False)

    def summary(self):
        """One line: final training loss, test accuracy and speed."""
        return (f"train loss {self.train_loss[-1]:.3f}, test acc {self.test_acc[-1]:.3f}, "
                f"{self.sec_per_epoch:.3f} sec/epoch")


def run_loop(step, evaluate, get_params, data, seed, num_epochs, batch_size, steps):
    """The loop both framework trainers share: same batches as :func:`train_runs`.

    ``step(X, y)`` makes one update on a minibatch of NumPy arrays;
    ``evaluate()`` returns (training loss, test accuracy); ``get_params()``
    returns the NumPy parameters.  With ``steps`` it stops after that many
    updates and returns the parameters instead of a :class:`NetResult`.
    """
    X_train, y_train, _, _ = data
    orders = batch_orders(len(y_train), batch_size, num_epochs, seed)
    losses, accs = [], []
    if steps is None:           # a step-by-step comparison needs no curves
        loss, acc = evaluate()
        losses.append(loss)
        accs.append(acc)
    t, train_time = 0, 0.0
    for epoch in orders:
        start = time.perf_counter()
        for idx in epoch:
            step(X_train[idx], y_train[idx])
            t += 1
            if steps is not None and t == steps:
                return get_params()
        train_time += time.perf_counter() - start
        loss, acc = evaluate()
        losses.append(loss)
        accs.append(acc)
    return NetResult(np.array(losses), np.array(accs), train_time / num_epochs, get_params())


def train_runs(rule, data, lrs=(0.1,), seeds=(0,), num_epochs=10, batch_size=64,
               scale="he", schedule=None, steps=None, **hp):
    """Train one network per (learning rate, seed) pair, all at once, with a NumPy rule.

    ``rule`` is a name from :data:`ALL_RULES`; ``hp`` overrides its other
    hyperparameters.  Run (i, j) starts from ``init_params(seeds[j], scale)``
    and sees the minibatches of ``batch_orders(..., seed=seeds[j])``.  With
    ``schedule`` (a function of the update count t = 0, 1, ...) the rate at
    update t is ``lr · schedule(t)``.  ``steps`` stops after that many updates
    (for step-by-step comparisons) and returns the stacked parameters.
    Returns :class:`Runs`.
    """
    if rule not in ALL_RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of {sorted(ALL_RULES)}")
    X_train, y_train, X_test, y_test = check_digits(data)
    lrs = np.atleast_1d(np.asarray(lrs, dtype=float))
    if lrs.ndim != 1 or not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError(f"lrs must be finite numbers > 0, got {lrs!r}")
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    unknown = set(hp) - set(ALL_RULES[rule].defaults) - {"eps_form"}
    if unknown:
        raise ValueError(f"unknown hyperparameter(s) {sorted(unknown)} for {rule!r}")
    spec = ALL_RULES[rule]
    base = {**spec.defaults, **hp}
    L, S = len(lrs), len(seeds)
    R = L * S
    starts = [init_params(s, scale) for s in seeds]
    params = [np.stack([starts[j][k] for _ in range(L) for j in range(S)])
              for k in range(4)]
    params = [p.astype(np.float32) for p in params]
    orders = [batch_orders(len(y_train), batch_size, num_epochs, s) for s in seeds]
    lr_runs = np.repeat(lrs, S)
    states = [spec.init(p.shape) for p in params]
    shapes = [(R,) + (1,) * (p.ndim - 1) for p in params]
    train_loss = np.full((R, num_epochs + 1), np.nan)
    test_acc = np.full((R, num_epochs + 1), np.nan)
    alive = np.ones(R, bool)

    def record(epoch):
        loss, _ = evaluate(params, X_train, y_train)
        _, acc = evaluate(params, X_test, y_test)
        alive[:] &= np.isfinite(loss)
        train_loss[alive, epoch], test_acc[alive, epoch] = loss[alive], acc[alive]

    start = time.perf_counter()
    with np.errstate(all="ignore"):
        record(0)
        t = 0
        for epoch in range(num_epochs):
            for b in range(len(orders[0][epoch])):
                idx = np.stack([orders[j][epoch][b] for _ in range(L) for j in range(S)])
                _, grads = loss_and_grads(params, X_train[idx], y_train[idx])
                factor = 1.0 if schedule is None else float(schedule(t))
                for p, g, st, shape in zip(params, grads, states, shapes):
                    spec.update(p, g, st, {**base, "lr": (lr_runs * factor).reshape(shape)})
                t += 1
                if steps is not None and t == steps:
                    return params
            record(epoch + 1)
    seconds = time.perf_counter() - start
    return Runs(lrs, seeds, train_loss.reshape(L, S, -1), test_acc.reshape(L, S, -1),
                seconds, params)
