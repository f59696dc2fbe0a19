"""The book's data sets, both shipped with the repository or a pinned package (no downloads).

* :mod:`~d2lutils.data.airfoil`: NASA's airfoil self-noise regression (1,503 rows, in
  ``datasets/``) and :func:`minibatches`, the epoch-order minibatch indices;
* :mod:`~d2lutils.data.digits`: the 8×8 handwritten digits of scikit-learn with a fixed,
  stratified train/test split.
"""
from .airfoil import load_airfoil, minibatches
from .digits import Digits, check_digits, load_digits

__all__ = ["Digits", "check_digits", "load_airfoil", "load_digits", "minibatches"]
