"""Plotting helpers with d2l's names, and the Animator for training curves.

Figures are vector. Imported in a Jupyter kernel (Jupyter, Colab, the book's
execution), d2lmini calls ``use_vector_display()``: every inline figure is stored
as SVG (the web book, Jupyter, Colab) and as PDF (the LaTeX book), byte-identical
from run to run. Raster stays only where the content is raster (imshow of an
image is embedded in the SVG/PDF as a bitmap).

Print sizes: the PDF's text is ``PRINT_WIDTH_IN`` wide and an image may be at most
``PRINT_HEIGHT_IN`` tall; a larger figure is scaled down, and its text with it.
The helpers here and in ``diagrams``/``architecture``/``study`` make figures that
fit both at their natural size, with text of at least ``MIN_TEXT_PT``, so that
every figure prints at 100 % and figures of one kind share one scale.
"""
from __future__ import annotations

import base64
import io
import math
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

__all__ = ["plt", "use_svg_display", "use_vector_display", "set_figsize", "set_axes", "plot", "show_images", "Animator",
           "plot_confusion_matrix"]


PRINT_WIDTH_IN = 6.5    # the LaTeX text width (166 mm): a wider figure is scaled down in print
PRINT_HEIGHT_IN = 4.0   # under the PDF's cap on images (0.42 of the text height, 4.1 in)
MIN_TEXT_PT = 7         # the smallest plot text at the printed size
CONFUSION_CELL_IN = 0.26  # one cell of a confusion matrix

# Deterministic vector output: fixed SVG element ids (hash salt) and PDF text as TrueType
# (pdftotext finds the plot labels). The dates come from SOURCE_DATE_EPOCH (set below for
# figures shown by IPython) or are left out (metadata=None, figures saved by d2lmini itself).
VECTOR_RC = {"svg.hashsalt": "d2lmini", "pdf.fonttype": 42}
_NO_DATE = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}


def _set_formats(*formats):
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - an IPython without matplotlib-inline
        from IPython.display import set_matplotlib_formats
    set_matplotlib_formats(*formats)


def use_svg_display():
    """Show inline figures as SVG only in Jupyter (d2l's function; d2lmini shows SVG and PDF)."""
    _set_formats('svg')


def use_vector_display():
    """Store every inline figure twice, as SVG and as PDF, both byte-identical from run to run.

    myst-nb's HTML builder shows image/svg+xml, its LaTeX builder application/pdf; Jupyter
    and Colab show the SVG. d2lmini calls this on import inside a Jupyter kernel.
    """
    # The SVG <dc:date> and the PDF CreationDate. No metadata= here: set_matplotlib_formats
    # passes its keywords to every format, and a key of one format makes the other warn.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    plt.rcParams.update(VECTOR_RC)
    _set_formats('svg', 'pdf')


def vector_bytes(fig, fmt: str, **kwargs) -> bytes:
    """``fig`` saved as 'svg' or 'pdf' bytes, the same on every run (no date, fixed ids)."""
    buffer = io.BytesIO()
    with plt.rc_context(VECTOR_RC):
        fig.savefig(buffer, format=fmt, metadata=_NO_DATE[fmt], **kwargs)
    return buffer.getvalue()


def vector_bundle(fig, **kwargs) -> dict:
    """The mime bundle of a figure as IPython shows it after use_vector_display():
    SVG text and base64 PDF (as stored in a notebook)."""
    return {"image/svg+xml": vector_bytes(fig, "svg", **kwargs).decode("utf-8"),
            "application/pdf": base64.b64encode(vector_bytes(fig, "pdf", **kwargs)).decode("ascii")}


def set_figsize(figsize=(3.5, 2.5)):
    """Set the default matplotlib figure size (inches)."""
    plt.rcParams['figure.figsize'] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Apply labels, limits, scales, a legend and a grid to a matplotlib Axes."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def _as_list_of_series(values):
    """Turn one series or a list of series into a list of series."""
    if hasattr(values, 'ndim'):
        return [values] if values.ndim == 1 else list(values)
    if isinstance(values, (list, tuple)) and values and not hasattr(values[0], '__len__'):
        return [values]
    return list(values)


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale='linear', yscale='linear', fmts=('-', 'm--', 'g-.', 'r:'),
         figsize=(3.5, 2.5), axes=None):
    """Plot one or several series; returns the Axes."""
    if legend is None:
        legend = []
    set_figsize(figsize)
    axes = axes if axes is not None else plt.gca()
    X = _as_list_of_series(X)
    if Y is None:  # only values were given: plot them against their index
        X, Y = [list(range(len(x))) for x in X], X
    else:
        Y = _as_list_of_series(Y)
    if len(X) != len(Y):
        X = X * len(Y)
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts * len(Y)):
        axes.plot(x, y, fmt) if len(x) else axes.plot(y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """Show a grid of images (tensors or arrays); returns the array of Axes."""
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize)
    axes = axes.flatten() if hasattr(axes, 'flatten') else [axes]
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        if torch.is_tensor(img):
            img = img.detach().cpu().numpy()
        ax.imshow(img, cmap='gray' if img.ndim == 2 else None)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return axes


def plot_confusion_matrix(matrix, labels, title=None):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with its counts.

    matrix: a square tensor or array of counts; labels: one ASCII name per class.
    Returns the matplotlib Figure.
    """
    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(labels):
        raise ValueError(f"plot_confusion_matrix: matrix must be square with one row per "
                         f"label ({len(labels)}), got shape {counts.shape}")
    n = counts.shape[0]
    # Row-normalized colours, so each true class is judged by its own errors.
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    # square cells of CONFUSION_CELL_IN: ten classes and their names fit PRINT_HEIGHT_IN
    cell = CONFUSION_CELL_IN
    fig, ax = plt.subplots(figsize=(cell * n + 1.4, cell * n + 1.3))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{counts[i, j]:d}", ha="center", va="center", fontsize=7,
                    color="white" if shares[i, j] > 0.5 else "black")
    # vertical, not slanted: pdftotext (and a reader's copy) gets whole words, not letter fragments
    ax.set_xticks(range(n), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    ax.set_xlabel("predicted class", fontsize=9)
    ax.set_ylabel("true class", fontsize=9)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def _in_jupyter_kernel():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, 'kernel', None) is not None


class Animator:
    """Plot data points as they arrive, e.g. a training curve.

    In a Jupyter kernel the figure is shown once and then updated in place
    (one display with a display id, no clear_output), so a headless run
    (nbval, nbconvert, the book build) keeps exactly one final figure. In a
    plain script it prints one line per whole x value (one per epoch), and
    ``save(path)`` writes the figure to a file in either place.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale='linear', yscale='linear', fmts=('-', 'm--', 'g-.', 'r:'),
                 nrows=1, ncols=1, figsize=(3.5, 2.5)):
        # A Figure outside pyplot: Jupyter's inline backend never shows it a second time.
        self.fig = Figure(figsize=figsize)
        axes = self.fig.subplots(nrows, ncols, squeeze=False).flatten()
        self.axes = axes if len(axes) > 1 else [axes[0]]
        self.legend = list(legend) if legend else []
        self.config_axes = lambda: self._set_axes(xlabel, ylabel, xlim, ylim, xscale, yscale)
        self.fmts = fmts
        self.X, self.Y = None, None
        self.in_jupyter = _in_jupyter_kernel()
        self._display = None
        self._printed_x = None

    def add(self, x, y):
        """Add one point per series: x a number (or one per series), y one value per series.

        A value of None skips that series at this x.
        """
        if not hasattr(y, '__len__'):
            y = [y]
        n = len(y)
        if not hasattr(x, '__len__'):
            x = [x] * n
        if self.X is None:
            self.X, self.Y = [[] for _ in range(n)], [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(float(b))
        if self.in_jupyter:
            self._show()
        else:
            self._print_whole_x()

    def _set_axes(self, xlabel, ylabel, xlim, ylim, xscale, yscale):
        ax = self.axes[0]
        set_axes(ax, xlabel, ylabel, xlim, ylim, xscale, yscale, None)
        if self.legend:
            # One row above the axes: inside, 'best' can still cover a curve (loss and
            # accuracy share the same [0, 1] range at the end of training).
            ax.legend(self.legend, loc='lower center', bbox_to_anchor=(0.5, 1.0),
                      ncol=len(self.legend), frameon=False, fontsize='small',
                      handlelength=1.5, columnspacing=1.0)

    def _draw(self):
        ax = self.axes[0]
        ax.cla()
        for xs, ys, fmt in zip(self.X, self.Y, self.fmts * len(self.X)):
            ax.plot(xs, ys, fmt)
        self.config_axes()

    def _png(self, dpi=144):
        buf = io.BytesIO()
        self.fig.savefig(buf, format='png', dpi=dpi, bbox_inches='tight')
        return buf.getvalue()

    def _bundle(self):
        """The figure as SVG and PDF (vector_bundle): what every d2lmini figure stores."""
        return vector_bundle(self.fig, bbox_inches='tight')

    def _show(self):
        from IPython.display import display
        self._draw()
        # SVG (web, Jupyter, Colab) and PDF (the LaTeX book), no "<Figure ...>" text.
        bundle = self._bundle()
        if self._display is None:
            self._display = display(bundle, raw=True, display_id=True)
        else:
            self._display.update(bundle, raw=True)

    def _print_whole_x(self):
        """Print the latest values once every series has a point at the same whole x."""
        lasts = [(xs[-1], ys[-1]) if xs else (None, None) for xs, ys in zip(self.X, self.Y)]
        x = lasts[0][0]
        if x is None or any(lx != x for lx, _ in lasts) or x == self._printed_x:
            return
        if not math.isclose(x, round(x), abs_tol=1e-9):
            return
        self._printed_x = x
        names = self.legend or [f"y{i}" for i in range(len(lasts))]
        print(f"epoch {round(x)}: " + ", ".join(f"{name} {v:.3f}" for name, (_, v) in zip(names, lasts)),
              flush=True)

    def save(self, path, dpi=144):
        """Draw the current curves and write the figure to path (format from its suffix)."""
        self._draw()
        self.fig.savefig(path, dpi=dpi, bbox_inches='tight')
        return path
