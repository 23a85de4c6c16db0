"""d2lmini: the chapter-6 (convolutional networks) part of ``from d2l import torch as d2l``.

Use it as ``import d2lmini as d2l``. The public API is re-exported here from
small modules by concern:

- ``ops``: corr2d, pool2d, comp_conv2d, conv_output_shape
- ``data``: the real Fashion-MNIST (load_data_fashion_mnist, ...)
- ``training``: try_gpu, Timer, Accumulator, accuracy, evaluate_accuracy_gpu, train_ch6
- ``plotting``: plt, set_figsize, set_axes, plot, show_images, Animator
- ``diagrams``: figures of the chapter's computations, drawn from tensors
- ``architecture``: LeNet, its variants, and figures of network architectures
- ``study``: the committed results of the 6.6 LeNet study (experiments/lenet_study.py)
- ``animation``: animations of the sliding windows, and the 6.3 output-shape explorer
"""
from . import animation, architecture, data, diagrams, ops, plotting, training
from .animation import *  # noqa: F401,F403
from .architecture import *  # noqa: F401,F403
from .data import *  # noqa: F401,F403
from .diagrams import *  # noqa: F401,F403
from .ops import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .study import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403

# Inside a Jupyter kernel (Jupyter, Colab, the book's execution) every figure is stored as SVG
# and PDF from now on; in plain Python (no kernel) nothing happens.
if plotting._in_jupyter_kernel():
    plotting.use_vector_display()


def _version() -> str:
    """The version, written once: pyproject.toml's, as installed (or read from a checkout never installed)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("d2lmini")
    except PackageNotFoundError:
        import re
        from pathlib import Path
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        found = pyproject.is_file() and re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"),
                                                  re.M)
        return found.group(1) if found else "unknown"


__version__ = _version()
__all__ = (ops.__all__ + data.__all__ + training.__all__ + plotting.__all__ + diagrams.__all__
           + architecture.__all__ + study.__all__ + animation.__all__)
