"""The book's test functions, each with its gradient and Hessian (NumPy only).

One place for every function the chapters optimize by hand, the playground's
fixtures and the tests use.  Points are arrays whose *last* axis holds the
coordinates, so one call evaluates a single point (shape ``(d,)``) or a whole
grid (shape ``(..., d)``, e.g. for contour plots)::

    fn = quadratic(0.1, 2.0)                   # 0.1 x1^2 + 2 x2^2
    fn.value([1.0, 1.0])                       # 2.1
    fn.grad([1.0, 1.0])                        # array([0.2, 4. ])
    fn.hess([1.0, 1.0])                        # array([[0.2, 0. ], [0. , 4. ]])
    x1, x2 = np.meshgrid(...); fn.on_grid(x1, x2)

``value`` / ``grad`` / ``hess`` reject points whose last axis is not ``fn.dim``
long or that are not finite, with a message that says what was expected.
The functions on which the first-order rates are tight (Huber, Nesterov's quadratic)
are built in the convexity chapter and saved to :mod:`d2lutils.analysis.worst_case`.
"""
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..validation import check_scalar


@dataclass(frozen=True)
class TestFunction:
    """A function of ``dim`` variables with its derivatives and known minimizers.

    Attributes: ``name`` (for legends), ``formula`` (LaTeX), ``dim``,
    ``minimizers`` (list of points; empty when the function is unbounded below)
    and ``params`` (the constants it was built with).
    """

    __test__ = False  # not a pytest test class, despite the name

    name: str
    formula: str
    dim: int
    _value: Callable = field(repr=False)
    _grad: Callable = field(repr=False)
    _hess: Callable = field(repr=False)
    minimizers: tuple = ()
    params: dict = field(default_factory=dict)

    def _check(self, x):
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(f"{self.name}: expected points with last axis of length {self.dim}, "
                             f"got an array of shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{self.name}: points must be finite, got {x}")
        return np.moveaxis(x, -1, 0)

    def value(self, x):
        """f(x) for one point (shape ``(dim,)``) or many (shape ``(..., dim)``)."""
        return self._value(*self._check(x))

    def grad(self, x):
        """∇f(x), with the same shape as ``x``."""
        return np.moveaxis(np.asarray(self._grad(*self._check(x)), dtype=float), 0, -1)

    def hess(self, x):
        """∇²f(x): shape ``(dim, dim)`` for one point, ``(..., dim, dim)`` for many."""
        rows = self._hess(*self._check(x))
        return np.moveaxis(np.asarray(rows, dtype=float), (0, 1), (-2, -1))

    def on_grid(self, *coords):
        """f on a mesh given as separate coordinate arrays, e.g. ``on_grid(x1, x2)``."""
        return self.value(np.stack(np.broadcast_arrays(*coords), axis=-1))

    @property
    def minimum(self):
        """The smallest value at the known minimizers (None if there are none)."""
        if not self.minimizers:
            return None
        return min(float(self.value(m)) for m in self.minimizers)


def _positive(name, value):
    return float(check_scalar(value, name, min_val=0, include_boundaries="neither"))


def quadratic(a=0.1, b=2.0):
    """f(x) = a x1² + b x2², a, b > 0: condition number κ = max(a, b) / min(a, b).

    ``quadratic(1, 2)`` is chapter 3's bowl, ``quadratic(0.1, 2)`` the
    ill-conditioned one of chapters 5–9 (κ = 20).
    """
    a, b = _positive("a", a), _positive("b", b)
    zero = 0.0
    return TestFunction(
        name=f"quadratic(a={a:g}, b={b:g})", formula=rf"{a:g}\,x_1^2 + {b:g}\,x_2^2", dim=2,
        _value=lambda x1, x2: a * x1 ** 2 + b * x2 ** 2,
        _grad=lambda x1, x2: [2 * a * x1, 2 * b * x2],
        _hess=lambda x1, x2: [[2 * a + zero * x1, zero * x1], [zero * x1, 2 * b + zero * x1]],
        minimizers=((0.0, 0.0),), params={"a": a, "b": b})


def ill_conditioned(kappa, scale=2.0):
    """The quadratic 0.5 (λ_min x1² + λ_max x2²) with λ_max = ``scale`` and λ_max/λ_min = κ ≥ 1."""
    kappa = float(check_scalar(kappa, "kappa (λ_max / λ_min)", min_val=1))
    scale = _positive("scale", scale)
    return quadratic(0.5 * scale / kappa, 0.5 * scale)


def saddle():
    """f(x) = x1² − x2²: a saddle point at the origin, unbounded below."""
    zero = 0.0
    return TestFunction(
        name="saddle", formula=r"x_1^2 - x_2^2", dim=2,
        _value=lambda x1, x2: x1 ** 2 - x2 ** 2,
        _grad=lambda x1, x2: [2 * x1, -2 * x2],
        _hess=lambda x1, x2: [[2 + zero * x1, zero * x1], [zero * x1, -2 + zero * x1]])


def rosenbrock(a=1.0, b=100.0):
    """Rosenbrock's banana valley (a − x1)² + b (x2 − x1²)², minimum 0 at (a, a²)."""
    a, b = float(a), _positive("b", b)
    return TestFunction(
        name="rosenbrock", formula=rf"({a:g} - x_1)^2 + {b:g}\,(x_2 - x_1^2)^2", dim=2,
        _value=lambda x1, x2: (a - x1) ** 2 + b * (x2 - x1 ** 2) ** 2,
        _grad=lambda x1, x2: [-2 * (a - x1) - 4 * b * x1 * (x2 - x1 ** 2),
                              2 * b * (x2 - x1 ** 2)],
        _hess=lambda x1, x2: [[2 - 4 * b * (x2 - x1 ** 2) + 8 * b * x1 ** 2, -4 * b * x1],
                              [-4 * b * x1, 2 * b + 0.0 * x1]],
        minimizers=((a, a * a),), params={"a": a, "b": b})


_BEALE_C = (1.5, 2.25, 2.625)


def beale():
    """Beale's function Σₖ (cₖ − x1 (1 − x2^k))², k = 1, 2, 3: minimum 0 at (3, 0.5)."""
    def terms(x1, x2):
        # r_k = c_k - x1 (1 - x2^k), dr_k/dx1 = -(1 - x2^k), dr_k/dx2 = k x1 x2^(k-1)
        out = []
        for k, c in enumerate(_BEALE_C, start=1):
            r = c - x1 * (1 - x2 ** k)
            d1 = -(1 - x2 ** k)
            d2 = k * x1 * x2 ** (k - 1)
            d22 = k * (k - 1) * x1 * x2 ** (k - 2) if k >= 2 else 0.0 * x1
            d12 = k * x2 ** (k - 1)
            out.append((r, d1, d2, d12, d22))
        return out

    def value(x1, x2):
        return sum(r ** 2 for r, *_ in terms(x1, x2))

    def grad(x1, x2):
        t = terms(x1, x2)
        return [sum(2 * r * d1 for r, d1, *_ in t), sum(2 * r * d2 for r, _, d2, *_ in t)]

    def hess(x1, x2):
        t = terms(x1, x2)
        h11 = sum(2 * d1 * d1 for _, d1, *_ in t)
        h12 = sum(2 * (d1 * d2 + r * d12) for r, d1, d2, d12, _ in t)
        h22 = sum(2 * (d2 * d2 + r * d22) for r, _, d2, _, d22 in t)
        return [[h11, h12], [h12, h22]]

    return TestFunction(name="beale", formula=r"\sum_{k=1}^{3} (c_k - x_1 (1 - x_2^k))^2", dim=2,
                        _value=value, _grad=grad, _hess=hess, minimizers=((3.0, 0.5),))


_HIMMELBLAU_MINIMA = ((3.0, 2.0), (-2.805118086952745, 3.131312518250573),
                      (-3.779310253377747, -3.283185991286170),
                      (3.584428340330492, -1.848126526964404))


def himmelblau():
    """Himmelblau's function (x1² + x2 − 11)² + (x1 + x2² − 7)²: four minima, all 0."""
    def value(x1, x2):
        return (x1 ** 2 + x2 - 11) ** 2 + (x1 + x2 ** 2 - 7) ** 2

    def grad(x1, x2):
        u, v = x1 ** 2 + x2 - 11, x1 + x2 ** 2 - 7
        return [4 * x1 * u + 2 * v, 2 * u + 4 * x2 * v]

    def hess(x1, x2):
        u, v = x1 ** 2 + x2 - 11, x1 + x2 ** 2 - 7
        h12 = 4 * x1 + 4 * x2
        return [[4 * u + 8 * x1 ** 2 + 2, h12], [h12, 2 + 4 * v + 8 * x2 ** 2]]

    return TestFunction(name="himmelblau", formula=r"(x_1^2 + x_2 - 11)^2 + (x_1 + x_2^2 - 7)^2",
                        dim=2, _value=value, _grad=grad, _hess=hess, minimizers=_HIMMELBLAU_MINIMA)


def xcos(c=np.pi):
    """The 1-D function x cos(c x) of chapters 2 and 3 (many local minima)."""
    c = _positive("c", c)
    return TestFunction(
        name=f"x cos({c:g} x)", formula=rf"x \cos({c:g}\,x)", dim=1,
        _value=lambda x: x * np.cos(c * x),
        _grad=lambda x: [np.cos(c * x) - c * x * np.sin(c * x)],
        _hess=lambda x: [[-2 * c * np.sin(c * x) - c * c * x * np.cos(c * x)]],
        params={"c": c})


def square():
    """The 1-D bowl f(x) = x² of chapter 3, minimum 0 at 0."""
    return TestFunction(name="x^2", formula=r"x^2", dim=1, _value=lambda x: x ** 2,
                        _grad=lambda x: [2 * x], _hess=lambda x: [[2.0 + 0.0 * x]],
                        minimizers=((0.0,),))


# ----------------------------------------------------------------------------
# a 1-D function on which pure Newton overshoots (Newton chapter)

def soft_abs():
    """f(x) = √(1 + x²) − 1: convex, minimum 0 at 0, and Newton's step is x ↦ −x³.

    f' = x/√(1+x²), f'' = (1+x²)^(−3/2), so x − f'/f'' = −x³: pure Newton
    converges (cubically) from |x₀| < 1 and diverges from |x₀| > 1.
    """
    return TestFunction(
        name="soft_abs", formula=r"\sqrt{1 + x^2} - 1", dim=1,
        _value=lambda x: x ** 2 / (np.sqrt(1 + x ** 2) + 1),   # = √(1+x²) − 1 without cancellation
        _grad=lambda x: [x / np.sqrt(1 + x ** 2)],
        _hess=lambda x: [[(1 + x ** 2) ** -1.5]],
        minimizers=((0.0,),))


#: Name -> constructor, for the playground's fixtures and the tests.
CATALOG = {
    "quadratic": quadratic,
    "ill_conditioned": ill_conditioned,
    "saddle": saddle,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "xcos": xcos,
    "square": square,
}
