"""The chapters' own update functions and hyperparameters, as the benchmark runs them.

The from-scratch rules are not rewritten here: they are read from the notebooks.
For every optimizer the chapter's ``mxnet`` and ``tensorflow`` cells define an
update function (and, except for SGD, an ``init_*_states`` function); only those
``def`` statements are taken from the cells (with :mod:`ast`, so nothing else in
the cell runs) and executed in a namespace that binds ``nd`` (MXNet) or ``tf``.
The d2l comparison binds ``nd`` to ``mxnet.np`` instead, the array module of
d2l's MXNet code, so d2l's ``train_ch11`` runs the very same arithmetic.

This module imports no framework.
"""
import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam")

#: optimizer -> (notebook, {framework: (init function or None, update function)})
SOURCES = {
    "sgd": ("book/ch04_minibatch_sgd.ipynb",
            {"mxnet": (None, "sgd"), "tensorflow": (None, "sgd_tf")}),
    "momentum": ("book/ch05_momentum.ipynb",
                 {"mxnet": ("init_momentum_states", "sgd_momentum"),
                  "tensorflow": ("init_momentum_states_tf", "sgd_momentum_tf")}),
    "adagrad": ("book/ch06_adagrad.ipynb",
                {"mxnet": ("init_adagrad_states", "adagrad"),
                 "tensorflow": ("init_adagrad_states_tf", "adagrad_tf")}),
    "rmsprop": ("book/ch07_rmsprop.ipynb",
                {"mxnet": ("init_rmsprop_states", "rmsprop"),
                 "tensorflow": ("init_rmsprop_states_tf", "rmsprop_tf")}),
    "adadelta": ("book/ch08_adadelta.ipynb",
                 {"mxnet": ("init_adadelta_states", "adadelta"),
                  "tensorflow": ("init_adadelta_states_tf", "adadelta_tf")}),
    "adam": ("book/ch09_adam.ipynb",
             {"mxnet": ("init_adam_states", "adam"),
              "tensorflow": ("init_adam_states_tf", "adam_tf")}),
}

#: The hyperparameters of each chapter's last from-scratch airfoil run.
HYPERPARAMS = {
    "sgd": {"lr": 0.05},
    "momentum": {"lr": 0.004, "momentum": 0.9},
    "adagrad": {"lr": 0.1, "eps": 1e-6},
    "rmsprop": {"lr": 0.01, "gamma": 0.9, "eps": 1e-6},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-5},
    "adam": {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}

#: The chapters' concise runs: Gluon (optimizer name, parameters).
MXNET_BUILTIN = {
    "sgd": ("sgd", {"learning_rate": 0.05}),
    "momentum": ("sgd", {"learning_rate": 0.004, "momentum": 0.9}),
    "adagrad": ("adagrad", {"learning_rate": 0.1, "eps": 1e-6}),
    "rmsprop": ("rmsprop", {"learning_rate": 0.01, "gamma1": 0.9, "epsilon": 1e-6}),
    "adadelta": ("adadelta", {"rho": 0.9, "epsilon": 1e-5}),
    "adam": ("adam", {"learning_rate": 0.01}),
}
#: The chapters' concise runs: Keras (optimizer class name, keyword arguments).
KERAS_BUILTIN = {
    "sgd": ("SGD", {"learning_rate": 0.05}),
    "momentum": ("SGD", {"learning_rate": 0.004, "momentum": 0.9}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.0,
                            "epsilon": 1e-6}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01, "rho": 0.9, "epsilon": 1e-6}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-5}),
    "adam": ("Adam", {"learning_rate": 0.01}),
}


def function_defs(notebook, tag, names):
    """The ``def`` statements named ``names`` in the code cells tagged ``tag``.

    Returns ``{name: ast.FunctionDef}``.  Raises ``ValueError`` if a name is
    defined in none of those cells, or in more than one place (which definition
    the chapter trains with would then be ambiguous).
    """
    cells = json.loads((ROOT / notebook).read_text(encoding="utf-8"))["cells"]
    found = {}
    for cell in cells:
        if cell["cell_type"] != "code" or tag not in cell.get("metadata", {}).get("tags", []):
            continue
        for node in ast.parse("".join(cell["source"])).body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                if node.name in found:
                    raise ValueError(f"{notebook}: {node.name}() is defined twice in "
                                     f"'{tag}' cells")
                found[node.name] = node
    missing = sorted(set(names) - set(found))
    if missing:
        raise ValueError(f"{notebook}: no '{tag}' cell defines {', '.join(missing)}")
    return found


def load_rules(framework, namespace):
    """``{optimizer: (init_states(feature_dim), update)}`` from the chapters.

    ``framework`` is ``"mxnet"`` or ``"tensorflow"``; ``namespace`` holds the
    names the functions use (``{"nd": mxnet.nd}`` or ``{"tf": tensorflow}``).
    For SGD, which has no state, ``init_states`` returns ``None``.
    """
    rules = {}
    for name in OPTIMIZERS:
        notebook, per_framework = SOURCES[name]
        init_name, update_name = per_framework[framework]
        names = [n for n in (init_name, update_name) if n]
        defs = function_defs(notebook, framework, names)
        module = ast.Module(body=[defs[n] for n in names], type_ignores=[])
        scope = dict(namespace)
        exec(compile(module, f"<{notebook}>", "exec"), scope)  # noqa: S102 (our own notebooks)
        init = scope[init_name] if init_name else (lambda feature_dim: None)
        rules[name] = (init, scope[update_name])
    return rules
