"""Update rules and everything that drives them, in plain NumPy.

* :mod:`~d2lutils.optim.rules`: the one registry :data:`RULES` of the book's update rules
  (the NumPy references the framework code is tested against) and :func:`trajectory`;
* :mod:`~d2lutils.optim.schedules`: learning-rate schedules and the range test;
* :mod:`~d2lutils.optim.first_order`: gradient descent (also the (stochastic) subgradient
  method), Nesterov's accelerated gradient, projections and projected gradient descent, the
  gradient mapping (saved from the convexity chapter);
* :mod:`~d2lutils.optim.second_order` (generated from 牛顿法与二阶方法): Newton's method,
  Armijo backtracking, (preconditioned) conjugate gradient, BFGS and SR1 updates, trust region;
* :mod:`~d2lutils.optim.curvature` (generated from 深度学习中的二阶方法): K-FAC;
* :mod:`~d2lutils.optim.large_batch`: LARS and LAMB and the digits trainer of the
  large-batch chapter;
* :mod:`~d2lutils.optim.async_sgd`: gradient descent with stale gradients.
"""
from .rules import RULES, Rule, resolve, train_2d, trajectory

__all__ = ["RULES", "Rule", "resolve", "train_2d", "trajectory"]
