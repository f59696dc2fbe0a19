"""One colour per optimizer, the same in every figure and in the playground.

A reader who has seen momentum drawn in vermillion in one chapter finds it in vermillion
everywhere: matplotlib figures take their colours from :data:`OPTIMIZER_COLORS` (through
:func:`color_of`), and the site build writes the same table into the playground's script.
The first eight are the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies); every colour has a contrast of at least 3:1 against white.
"""

#: Optimizer name (as in :data:`d2lutils.optim.RULES`, plus the second-order methods) -> colour.
OPTIMIZER_COLORS = {
    "sgd": "#0072B2",        # blue: gradient descent and SGD
    "momentum": "#D55E00",   # vermillion
    "nesterov": "#B8860B",   # dark goldenrod
    "adagrad": "#009E73",    # bluish green
    "rmsprop": "#CC79A7",    # reddish purple
    "adadelta": "#3A8FC4",   # sky blue, darkened for contrast
    "adam": "#000000",       # black
    "amsgrad": "#7F3C8D",    # purple
    "adamw": "#8C6D31",      # brown
    "nadam": "#6B6B00",      # olive
    "yogi": "#117733",       # dark green
    "adamax": "#5E5E5E",     # grey
    "lars": "#882255",       # wine
    "lamb": "#2A7F73",       # teal
    "newton": "#332288",     # indigo
    "lbfgs": "#AA4499",      # magenta
    "bfgs": "#D62F6B",       # raspberry
    "cg": "#4477AA",         # steel blue
    "kfac": "#B15928",       # rust
}


def color_of(name):
    """The colour of optimizer ``name`` (a key of :data:`OPTIMIZER_COLORS`).

    Raises ``ValueError`` for an unknown name, listing the known ones, so a typo never
    silently falls back to matplotlib's colour cycle.
    """
    if name not in OPTIMIZER_COLORS:
        raise ValueError(f"no colour for optimizer {name!r}; known: {sorted(OPTIMIZER_COLORS)}")
    return OPTIMIZER_COLORS[name]
