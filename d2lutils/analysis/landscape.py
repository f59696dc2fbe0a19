"""Slices of a loss landscape: along a ray and on a plane through the parameters (NumPy only).

The parameters are one array or a list of arrays (one per layer).  A direction
has the same structure.  The slices evaluate::

    ray:    L(W + a D1)           for each a in alphas
    plane:  L(W + a D1 + b D2)    for each (a, b) on a grid

With :func:`filter_normalize` the directions are rescaled filter by filter
(Li et al., 2018, "Visualizing the Loss Landscape of Neural Nets"): each filter
(a row of a weight matrix, i.e. the weights into one output unit) of the
direction gets the norm of the same filter of the weights, so slices of
networks whose weights differ only in scale become comparable.
"""
import numpy as np


def _as_list(params):
    return (list(params), True) if isinstance(params, (list, tuple)) else ([params], False)


def _combine(params, dirs, coeffs):
    """params + sum_k coeffs[k] * dirs[k], with the structure of ``params``."""
    ps, is_list = _as_list(params)
    out = [np.array(p, dtype=np.result_type(p, np.float32), copy=True) for p in ps]
    for c, d in zip(coeffs, dirs):
        ds, _ = _as_list(d)
        for o, di in zip(out, ds):
            o += c * di
    return out if is_list else out[0]


def _check_like(params, direction, name):
    ps, _ = _as_list(params)
    ds, _ = _as_list(direction)
    if len(ps) != len(ds) or any(np.shape(p) != np.shape(d) for p, d in zip(ps, ds)):
        raise ValueError(f"{name} must have the structure of the parameters "
                         f"{[np.shape(p) for p in ps]}, got {[np.shape(d) for d in ds]}")


def _num_filters(p):
    """Number of filters of an array: its first axis, or 1 for a vector."""
    return p.shape[0] if np.ndim(p) > 1 else 1


def random_direction(params, seed=0):
    """A direction with i.i.d. N(0, 1) entries and the structure of ``params``."""
    rng = np.random.default_rng(seed)
    ps, is_list = _as_list(params)
    ds = [rng.standard_normal(np.shape(p)).astype(np.result_type(p, np.float32)) for p in ps]
    return ds if is_list else ds[0]


def filter_normalize(direction, params, ignore_1d=True):
    """Rescale ``direction`` filter by filter to the norms of the filters of ``params``.

    For an array with two or more axes, each slice along axis 0 (a row of a
    weight matrix, an output channel of a convolution) is a filter:
    ``d_i <- d_i / ||d_i|| * ||w_i||``.  One-dimensional arrays (biases) get a
    zero direction when ``ignore_1d`` is True, as in Li et al. (2018); otherwise
    they are rescaled as a whole.  Returns new arrays.
    """
    _check_like(params, direction, "direction")
    ps, is_list = _as_list(params)
    ds, _ = _as_list(direction)
    out = []
    for p, d in zip(ps, ds):
        p, d = np.asarray(p), np.asarray(d, dtype=np.result_type(d, np.float32))
        if p.ndim <= 1 and ignore_1d:
            out.append(np.zeros_like(d))
            continue
        p2, d2 = p.reshape(_num_filters(p), -1), d.reshape(_num_filters(p), -1)
        w_norm = np.linalg.norm(p2.astype(np.float64), axis=1, keepdims=True)
        d_norm = np.linalg.norm(d2.astype(np.float64), axis=1, keepdims=True)
        scale = np.divide(w_norm, d_norm, out=np.zeros_like(w_norm), where=d_norm > 0)
        out.append((d2 * scale).astype(d.dtype).reshape(d.shape))
    return out if is_list else out[0]


def _evaluate(loss, params, dirs, coeff_rows, batch_size):
    """Loss at params + sum_k c_k dirs[k] for every row of coefficients."""
    coeff_rows = np.asarray(coeff_rows, dtype=float)
    if batch_size is None:
        return np.array([float(loss(_combine(params, dirs, c))) for c in coeff_rows])
    if isinstance(params, (list, tuple)):
        raise ValueError("batch_size needs the parameters as one array")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    p = np.asarray(params)
    out = []
    for start in range(0, len(coeff_rows), batch_size):
        c = coeff_rows[start:start + batch_size]
        stack = p + sum(c[:, k].reshape((-1,) + (1,) * p.ndim) * np.asarray(d)
                        for k, d in enumerate(dirs))
        out.append(np.asarray(loss(stack), dtype=float).reshape(len(c)))
    return np.concatenate(out)


def ray(loss, params, d1, alphas, batch_size=None):
    """``[L(params + a d1) for a in alphas]`` as an array of shape (len(alphas),).

    With ``batch_size`` (parameters given as one array), ``loss`` receives a
    stack of up to that many parameter arrays at once and must return one value
    per array: far fewer Python calls for a vectorized loss.
    """
    _check_like(params, d1, "d1")
    alphas = np.asarray(alphas, dtype=float)
    if alphas.ndim != 1:
        raise ValueError(f"alphas must be one-dimensional, got shape {alphas.shape}")
    return _evaluate(loss, params, [d1], alphas[:, None], batch_size)


def plane(loss, params, d1, d2, alphas, betas, batch_size=None):
    """``L(params + a d1 + b d2)`` on the grid: shape (len(betas), len(alphas)).

    Rows follow ``betas`` and columns ``alphas``, the layout ``plt.contour(alphas,
    betas, values)`` expects.  ``batch_size`` as in :func:`ray`.
    """
    _check_like(params, d1, "d1")
    _check_like(params, d2, "d2")
    alphas, betas = np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float)
    if alphas.ndim != 1 or betas.ndim != 1:
        raise ValueError("alphas and betas must be one-dimensional")
    A, B = np.meshgrid(alphas, betas)
    values = _evaluate(loss, params, [d1, d2], np.stack([A.ravel(), B.ravel()], axis=1),
                       batch_size)
    return values.reshape(len(betas), len(alphas))


def negative_curvature(values, rtol=1e-9):
    """Fraction of second differences along the rows and columns of a plane slice that are negative.

    A convex function restricted to any line is convex, so on a grid slice of a
    convex loss every second difference ``v[k-1] - 2 v[k] + v[k+1]`` is >= 0;
    differences below ``-rtol * max|values|`` count as negative (round-off is
    not).  Returns a number in [0, 1]: 0 for a convex slice.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or min(v.shape) < 3:
        raise ValueError(f"values must be a 2-D grid of at least 3 x 3, got shape {v.shape}")
    tol = rtol * np.max(np.abs(v))
    rows = v[:, :-2] - 2 * v[:, 1:-1] + v[:, 2:]
    cols = v[:-2, :] - 2 * v[1:-1, :] + v[2:, :]
    second = np.concatenate([rows.ravel(), cols.ravel()])
    return float(np.mean(second < -tol))
