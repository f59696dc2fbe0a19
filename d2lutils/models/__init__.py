"""The models the chapters train, in plain NumPy (forward pass, loss and gradients).

* :mod:`~d2lutils.models.linreg`: linear regression with the half squared loss (airfoil);
* :mod:`~d2lutils.models.mlp`: the multilayer perceptron on the digits;
* :mod:`~d2lutils.models.linear_classifier`: the multiclass SVM of the gradient-check chapter.
"""
