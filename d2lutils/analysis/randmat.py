"""Random symmetric matrices for the chapter on saddle points.

A random Hessian is modelled by the Gaussian orthogonal ensemble (GOE):
``H = (G + G^T) / sqrt(2)`` with standard normal ``G``, so the off-diagonal
entries are N(0, 1), the diagonal entries N(0, 2), and the density of ``H`` is
proportional to ``exp(-tr(H^2) / 4)``.  :func:`goe` draws such matrices;
:func:`prob_all_positive` computes exactly the probability that all eigenvalues
of an ``n x n`` GOE matrix are positive, far beyond the reach of sampling.
"""
import math
from decimal import Decimal, getcontext, localcontext

import numpy as np

from ..validation import check_positive_int, check_rng

#: Largest n for which :func:`prob_all_positive` is offered (the probability
#: is about 10^-198 there; a few n later it would underflow a float).
MAX_EXACT_N = 40


def goe(n, size, rng):
    """Draw ``size`` random ``n x n`` GOE matrices; returns an array ``(size, n, n)``.

    Each matrix is ``(G + G^T) / sqrt(2)`` for a matrix ``G`` of independent
    standard normal entries drawn from ``rng`` (a ``numpy.random.Generator``):
    symmetric, off-diagonal entries N(0, 1), diagonal entries N(0, 2).
    """
    check_positive_int(n, "n")
    check_positive_int(size, "size")
    check_rng(rng)
    g = rng.normal(size=(size, n, n))
    return (g + np.swapaxes(g, 1, 2)) / np.sqrt(2.0)


def prob_all_positive(n):
    """Exact probability that an ``n x n`` GOE matrix has only positive eigenvalues.

    The eigenvalues of a GOE matrix have the joint density
    ``p(l) = prod_{i<j} |l_i - l_j| * prod_i exp(-l_i^2 / 4) / Z_n``.
    The integral of the numerator over ``0 < l_1 < ... < l_n`` equals, by de
    Bruijn's formula, the Pfaffian of the antisymmetric matrix

        A_jk = int_0^inf int_0^inf sign(y - x) x^j y^k exp(-(x^2 + y^2) / 4) dx dy,
        j, k = 0, ..., n - 1,

    bordered for odd ``n`` by the moments ``m_j = int_0^inf x^j exp(-x^2 / 4) dx``.
    In polar coordinates ``A_jk = 2^(j+k+1) Gamma((j+k)/2 + 1) (I(k, j) - I(j, k))``
    with ``I(p, q) = int_0^(pi/4) cos^p(t) sin^q(t) dt``.  ``Z_n`` follows from
    Mehta's integral.  The Pfaffian cancels many digits, so everything is done in
    ``decimal`` arithmetic with ``60 + 4 n`` significant digits; the result is
    returned as a float.  ``n`` must be an integer from 1 to :data:`MAX_EXACT_N`.
    """
    check_positive_int(n, "n")
    if n > MAX_EXACT_N:
        raise ValueError(f"n must be at most {MAX_EXACT_N}, got {n}")
    n = int(n)
    with localcontext() as ctx:
        ctx.prec = 60 + 4 * n
        pi = _pi()
        size = n + n % 2
        a = [[Decimal(0)] * size for _ in range(size)]
        angle = _angular_integrals(n, pi)
        for j in range(n):
            for k in range(n):
                a[j][k] = _two_pow(j + k + 1) * _gamma_half(j + k + 2, pi) * (angle[k, j] - angle[j, k])
        if n % 2:
            for j in range(n):
                moment = _two_pow(j) * _gamma_half(j + 1, pi)
                a[j][n], a[n][j] = moment, -moment
        numerator = _pfaffian(a) * math.factorial(n)
        # Mehta: int_{R^n} prod|l_i - l_j| prod exp(-l_i^2/2) dl = (2 pi)^(n/2) prod_j Gamma(1 + j/2) / Gamma(3/2);
        # the weight exp(-l^2/4) rescales l by sqrt(2): a factor 2^((n + n(n-1)/2) / 2).
        denominator = (2 * pi).sqrt() ** n * Decimal(2).sqrt() ** (n + n * (n - 1) // 2)
        for j in range(1, n + 1):
            denominator *= _gamma_half(j + 2, pi) / _gamma_half(3, pi)
        return float(numerator / denominator)


def _pi():
    """pi to the current decimal precision (Machin: 16 atan(1/5) - 4 atan(1/239))."""
    tiny = Decimal(10) ** -(getcontext().prec + 5)

    def atan_inv(m):
        total, term, k, m2 = Decimal(0), Decimal(1) / m, 0, m * m
        while term > tiny:
            total += term / (2 * k + 1) if k % 2 == 0 else -term / (2 * k + 1)
            term /= m2
            k += 1
        return total
    return 16 * atan_inv(5) - 4 * atan_inv(239)


def _two_pow(m):
    return Decimal(2) ** m


def _gamma_half(m, pi):
    """Gamma(m / 2) for a positive integer m."""
    if m % 2 == 0:
        return Decimal(math.factorial(m // 2 - 1))
    k = (m - 1) // 2  # Gamma(k + 1/2) = (2k)! / (4^k k!) sqrt(pi)
    return Decimal(math.factorial(2 * k)) / (Decimal(4) ** k * math.factorial(k)) * pi.sqrt()


def _angular_integrals(top, pi):
    """I(p, q) = int_0^(pi/4) cos^p sin^q for p, q < top, by the reduction formulas."""
    c = 1 / Decimal(2).sqrt()  # cos(pi/4) = sin(pi/4)
    table = {(0, 0): pi / 4, (1, 0): c, (0, 1): 1 - c, (1, 1): Decimal(1) / 4}
    for total in range(2, 2 * top):
        for p in range(max(0, total - top + 1), min(total, top - 1) + 1):
            q = total - p
            if q >= 2:    # I(p,q) = (-c^(p+q) + (q-1) I(p, q-2)) / (p+q)
                table[p, q] = (-c ** total + (q - 1) * table[p, q - 2]) / total
            elif p >= 2:  # I(p,q) = (c^(p+q) + (p-1) I(p-2, q)) / (p+q)
                table[p, q] = (c ** total + (p - 1) * table[p - 2, q]) / total
    return table


def _pfaffian(a):
    """Pfaffian of an antisymmetric matrix (list of lists of Decimal), with pivoting."""
    a = [row[:] for row in a]
    size, result = len(a), Decimal(1)
    for k in range(0, size - 1, 2):
        pivot = max(range(k + 1, size), key=lambda i: abs(a[k][i]))
        if pivot != k + 1:  # swap rows and columns k+1 and pivot: the Pfaffian changes sign
            a[k + 1], a[pivot] = a[pivot], a[k + 1]
            for row in a:
                row[k + 1], row[pivot] = row[pivot], row[k + 1]
            result = -result
        p = a[k][k + 1]
        if p == 0:
            return Decimal(0)
        result *= p
        for i in range(k + 2, size):  # clear a[k][i] by a congruence (row and column i -= f * k+1)
            f = a[k][i] / p
            if f == 0:
                continue
            for j in range(size):
                a[i][j] -= f * a[k + 1][j]
            for j in range(size):
                a[j][i] -= f * a[j][k + 1]
    return result
