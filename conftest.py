"""Root of the pytest run (`pytest` or `pytest --nbval book/` from the repository root).

nbval starts the notebook kernels with this process's environment: an MPLBACKEND
variable (Agg, say) would leak into them and the figures, which are outputs, would
silently be missing.  TensorFlow's start-up chatter is silenced the way .ci/test does.
"""
import os

os.environ.pop("MPLBACKEND", None)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
