"""Tools to look at a problem rather than to train on it.

* :mod:`~d2lutils.analysis.functions`: the test functions (value, gradient, Hessian);
* :mod:`~d2lutils.analysis.worst_case`: the functions on which first-order rates are tight
  (saved from the convexity chapter);
* :mod:`~d2lutils.analysis.gradcheck`: numerical gradients and the gradient check;
* :mod:`~d2lutils.analysis.landscape`: slices of a loss landscape;
* :mod:`~d2lutils.analysis.randmat`: random symmetric matrices (how often is a critical
  point a minimum?).
"""
