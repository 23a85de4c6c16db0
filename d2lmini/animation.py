"""Animations of the chapter's sliding windows, and the 6.3 explorer of output shapes.

Each ``animate_*`` function computes its result from the tensors it is given
(with the same operations as the text: corr2d, pool2d, the padded and strided
cross-correlation) and returns a ``WindowAnimation``. Its ``frames`` say, without
any pixels, what each picture shows: one frame per output position in row-major
order (the input window, the output cell, the value written there and the
arithmetic that gives it), then a final frame with the whole result.

A notebook cell that ends with the animation shows it as HTML: matplotlib's
JavaScript player (``to_jshtml``, every frame embedded as an SVG, nothing loaded
from the network) inside ``<div class="d2l-anim-player">``. Its mime bundle also
holds ``application/pdf``, the print form: a vector strip of a few frames and the
final frame (``strip_figure``), which the LaTeX edition prints as the figure.
The pictures reuse the grids of ``diagrams``; plot text is ASCII only.

``explore_conv_shape(n, k, padding, stride)`` draws the padded, strided figure
and states the output shape; ``conv_shape_explorer()`` wires it to ipywidgets
sliders (imported only when called, so d2lmini works without ipywidgets).
"""
from __future__ import annotations

import base64
import dataclasses
import html
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Callable, Optional

import matplotlib
import torch
from matplotlib.animation import FuncAnimation, HTMLWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .diagrams import (CELL_INCHES, CORR, HIGHLIGHTS, Grid, _block, _draw_notes, _draw_row, _finish,
                       _fmt, _matrix, _pair, _padded_input, _products)
from .ops import _check_corr2d, _check_pool2d, conv_output_shape, corr2d, pool2d
from .plotting import PRINT_HEIGHT_IN, PRINT_WIDTH_IN, VECTOR_RC, vector_bytes

__all__ = ["Frame", "WindowAnimation", "animate_corr2d", "animate_conv2d", "animate_corr2d_multi_in",
           "animate_pool2d", "ConvShapeView", "explore_conv_shape", "conv_shape_explorer"]

MAX_FRAMES = 64          # output positions one animation may show
FRAME_DPI = 100          # the player's frame size in pixels (even counts); frames are SVG
STRIP_LABEL_IN = 0.2     # the "frame k of n" line above each frame of the vector strip (inches)
STRIP_GAP_IN = 0.08      # between the frames of the vector strip (inches)
INTERVAL_MS = 1500       # time each frame stays on screen while playing
WRITTEN_FILL = "#f2f2f2"  # output cells already written

# matplotlib's player draws its buttons with Font Awesome from a CDN; these characters replace
# the icons so the player needs nothing from the network (U+FE0E: text, not emoji, style).
_T = "\ufe0e"
_BUTTONS = {
    "fa-minus": "\u2212", "fa-fast-backward": f"|\u25c0{_T}\u25c0{_T}", "fa-step-backward": f"|\u25c0{_T}",
    "fa-play fa-flip-horizontal": f"\u25c0{_T}", "fa-pause": "\u275a\u275a", "fa-play": f"\u25b6{_T}",
    "fa-step-forward": f"\u25b6{_T}|", "fa-fast-forward": f"\u25b6{_T}\u25b6{_T}|", "fa-plus": "+",
}
_LABELS = {"Once": "播放一次", "Loop": "循环", "Reflect": "往返"}

# Frames and the slider shrink to narrow screens (also where _static/animation.css is not
# loaded, as in Jupyter and Colab). The rules name the player by position (> div), so that its
# class name occurs once per animation in the HTML.
_STYLE = """<style>
.d2l-anim > div .animation { max-width: 100%; }
.d2l-anim > div img { max-width: 100%; height: auto; }
.d2l-anim > div input[type=range] { max-width: 100%; }
</style>"""


@dataclass(frozen=True)
class Frame:
    """What one picture of an animation shows.

    window: (row, col, height, width) of the highlighted input window, in the input as
    drawn (the padded input for a padded convolution); None on the final frame.
    output: (i, j), the output cell written in this frame; None on the final frame.
    value: the number written there; arithmetic: how it is computed, ending in "= value".
    """
    title: str
    window: Optional[tuple[int, int, int, int]]
    output: Optional[tuple[int, int]]
    value: Optional[float]
    arithmetic: str


class WindowAnimation:
    """A sliding-window computation as frames, a player in HTML and a strip of pictures.

    ``frames`` lists the frames (see ``Frame``); ``result`` is the whole output.
    ``frame_figure(k)`` draws frame k as a matplotlib Figure, ``to_jshtml()`` returns the
    player alone and ``to_html()`` the player wrapped as the book shows it; ``strip_figure()``
    is the printed strip. A cell that ends with the animation displays its mime bundle:
    ``to_html()`` for Jupyter, Colab and the web book, the strip as PDF for the LaTeX book.
    ``mode`` is what playing does at the last frame: 'once' (stop on the result, the
    default), 'loop' or 'reflect'; the reader can change it under the player.
    """

    def __init__(self, kind: str, frames: list[Frame], result: torch.Tensor,
                 draw: Callable[[object, int], None], *, interval: int = INTERVAL_MS,
                 strip: Optional[tuple[int, ...]] = None, mode: str = "once"):
        if mode not in ("once", "loop", "reflect"):
            raise ValueError(f"mode must be 'once', 'loop' or 'reflect', got {mode!r}")
        self.kind = kind
        self.mode = mode  # what playing does at the last frame: stop there, start again, go back
        self.frames = frames
        self.result = result
        self.interval = interval
        steps = len(frames) - 1
        # the strip: the first two steps and the final frame
        self.strip_frames = strip if strip is not None else tuple(sorted({0, min(1, steps - 1), steps}))
        self._draw = draw
        self._limits = None
        self._boxes = None  # each frame's own extent (cells): x0, x1, y0, y1
        self._html = {}  # mode -> HTML

    def __repr__(self) -> str:  # shown as text/plain beside the HTML: no memory address
        return f"<{type(self).__name__} {self.kind}: {len(self.frames)} frames>"

    def __len__(self) -> int:
        return len(self.frames)

    # ------------------------------------------------------------ drawing

    def _layout(self):
        """The union of every frame's extent, so that all frames share one size."""
        if self._limits is None:
            boxes = []
            for k in range(len(self.frames)):
                fig = Figure()
                ax = fig.add_subplot()
                self._draw_frame(ax, k)
                _finish(fig, ax)
                (x0, x1), (y1, y0) = ax.get_xlim(), ax.get_ylim()
                boxes.append((x0, x1, y0, y1))
            self._boxes = boxes
            self._limits = (min(b[0] for b in boxes), max(b[1] for b in boxes),
                            min(b[2] for b in boxes), max(b[3] for b in boxes))
        return self._limits

    def _draw_frame(self, ax, k: int) -> None:
        """Frame k's grids and notes, and its title above them."""
        self._draw(ax, k)
        top = min(p.get_xy()[1] for p in ax.patches)
        ax.text(0, top - 0.9, self.frames[k].title, ha="left", va="bottom", fontsize=11,
                fontweight="bold", gid="frame-title")

    def _paint(self, fig: Figure, ax, k: int, bottom: Optional[float] = None) -> None:
        """Draw frame k in the frames' common box (bottom: a lower edge of its own, in the strip)."""
        ax.clear()
        self._draw_frame(ax, k)
        x0, x1, y0, y1 = self._layout()
        ax.set_xlim(x0, x1)
        ax.set_ylim(y1 if bottom is None else bottom, y0)
        ax.set_aspect("equal")
        ax.axis("off")

    def _new_figure(self, dpi: float) -> tuple[Figure, object]:
        x0, x1, y0, y1 = self._layout()
        # even pixel counts: matplotlib's player would otherwise resize the figure (for video codecs)
        width, height = (2 * math.ceil(length * CELL_INCHES * dpi / 2) for length in (x1 - x0, y1 - y0))
        fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        return fig, ax

    def frame_figure(self, k: int, dpi: float = FRAME_DPI) -> Figure:
        """Frame k drawn as a Figure (not managed by pyplot, so a cell does not show it twice)."""
        if not 0 <= k < len(self.frames):
            raise ValueError(f"k must be a frame index in 0..{len(self.frames) - 1}, got {k}")
        fig, ax = self._new_figure(dpi)
        self._paint(fig, ax, k)
        return fig

    # ------------------------------------------------------------ print: the vector strip

    def strip_layout(self, max_width: float = PRINT_WIDTH_IN, max_height: float = PRINT_HEIGHT_IN):
        """Which frames the printed strip shows, and in how many columns, at the figures' scale.

        Every frame is drawn at its natural size (one grid cell is CELL_INCHES, as in the static
        figures), so the strip is never scaled down in print: the strip must fit ``max_width`` x
        ``max_height`` inches. It shows ``strip_frames`` in rows of as many frames as fit side by
        side; when they do not fit, it leaves out frames from the middle of ``strip_frames``
        (first the second step, then the first), never the final frame. Returns
        (frames, columns, row heights in inches).
        """
        x0, x1, y0, _ = self._layout()
        width = (x1 - x0) * CELL_INCHES
        heights = {k: (self._boxes[k][3] - y0) * CELL_INCHES + STRIP_LABEL_IN for k in self.strip_frames}
        cols = max(1, min(len(self.strip_frames), int((max_width + STRIP_GAP_IN) // (width + STRIP_GAP_IN))))
        shown = list(self.strip_frames)
        while True:
            for c in range(min(cols, len(shown)), 0, -1):
                rows = [shown[i:i + c] for i in range(0, len(shown), c)]
                row_heights = [max(heights[k] for k in row) for row in rows]
                if sum(row_heights) + STRIP_GAP_IN * (len(rows) - 1) <= max_height or len(shown) == 1:
                    return tuple(shown), c, row_heights
            del shown[-2 if len(shown) > 2 else 0]  # the middle frames go first, the final frame stays

    def strip_figure(self) -> Figure:
        """The print form of the animation: the frames of ``strip_layout()`` in a vector Figure.

        Each frame is labelled "frame k of n" (so that frames left out are declared); rows with
        fewer frames are centred, as a figure is on its page.
        """
        x0, x1, y0, _ = self._layout()
        shown, cols, row_heights = self.strip_layout()
        width = (x1 - x0) * CELL_INCHES
        fig_w = cols * width + (cols - 1) * STRIP_GAP_IN
        fig_h = sum(row_heights) + STRIP_GAP_IN * (len(row_heights) - 1)
        fig = Figure(figsize=(fig_w, fig_h))
        FigureCanvasAgg(fig)
        top = fig_h
        for r, h in enumerate(row_heights):
            row = shown[r * cols:(r + 1) * cols]
            left = (fig_w - len(row) * width - (len(row) - 1) * STRIP_GAP_IN) / 2
            for c, k in enumerate(row):
                bottom = self._boxes[k][3]
                frame_h = (bottom - y0) * CELL_INCHES
                x = left + c * (width + STRIP_GAP_IN)
                fig.text((x + width / 2) / fig_w, (top - STRIP_LABEL_IN / 2) / fig_h,
                         f"frame {k + 1} of {len(self.frames)}", ha="center", va="center", fontsize=9,
                         color="0.35", gid="strip-label")
                ax = fig.add_axes(((x) / fig_w, (top - STRIP_LABEL_IN - frame_h) / fig_h,
                                   width / fig_w, frame_h / fig_h))
                self._paint(fig, ax, k, bottom=bottom)
            top -= h + STRIP_GAP_IN
        return fig

    def strip_pdf(self) -> bytes:
        """The strip as PDF bytes (vector, text as TrueType), the same on every run."""
        return vector_bytes(self.strip_figure(), "pdf")

    def _repr_mimebundle_(self, include=None, exclude=None):
        # text/html: the player (web, Jupyter, Colab); application/pdf: the vector strip, which
        # myst-nb's LaTeX builder takes (its HTML builder prefers text/html, Jupyter shows the HTML)
        return {"text/html": self.to_html(),
                "application/pdf": base64.b64encode(self.strip_pdf()).decode("ascii"),
                "text/plain": repr(self)}

    # ------------------------------------------------------------ HTML

    def to_jshtml(self) -> str:
        """matplotlib's player with every frame embedded as SVG, its icons replaced by plain characters."""
        fig, ax = self._new_figure(FRAME_DPI)
        player = FuncAnimation(fig, lambda k: self._paint(fig, ax, k), frames=len(self.frames),
                               interval=self.interval, repeat=False)
        writer = HTMLWriter(fps=1000 / self.interval, embed_frames=True, default_mode=self.mode)
        writer.frame_format = "svg"  # vector frames, as the book's figures
        # no date and fixed ids: a frame is the same on every run
        with TemporaryDirectory() as folder, matplotlib.rc_context(VECTOR_RC):
            path = Path(folder, "player.html")
            player.save(str(path), writer=writer, savefig_kwargs={"metadata": {"Date": None}})
            text = _compact_frames(path.read_text(encoding="utf-8"))
        text = re.sub(r"<link[^>]*font-awesome[^>]*>\s*", "", text)
        text = re.sub(r'<i class="fa (fa-[\w -]+?)"></i>', lambda m: _BUTTONS[m.group(1)], text)
        text = re.sub(r"(<label [^>]*>)(Once|Loop|Reflect)</label>",
                      lambda m: m.group(1) + _LABELS[m.group(2)] + "</label>", text)
        return text

    def to_html(self) -> str:
        """The player in ``<div class="d2l-anim">`` (computed once per mode). The print form is
        not in the HTML: it is the bundle's application/pdf (``strip_pdf``)."""
        if self.mode not in self._html:
            self._html[self.mode] = (f'<div class="d2l-anim">\n{_STYLE}\n'
                                     f'<div class="d2l-anim-player">\n{self.to_jshtml()}\n</div>\n'
                                     f'</div>\n')
        return self._html[self.mode]

    def _repr_html_(self) -> str:
        return self.to_html()


def _compact_svg(svg: str) -> str:
    """The same picture in fewer bytes: no metadata, path coordinates to 0.01, no indentation.

    Only paths are rounded (their coordinates are points, or font units for the glyphs); a
    transform's scale keeps every digit, or the text would shrink.
    """
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r' d="[^"]*"', lambda m: re.sub(r"(\.\d\d)\d+", r"\1", m.group(0)), svg)
    svg = re.sub(r">\s+<", "><", svg)
    return re.sub(r"\s*\n\s*", " ", svg)


def _compact_frames(player: str) -> str:
    """Replace every SVG frame matplotlib embedded in the player by its compact form (same order)."""
    def compact(match):
        svg = _compact_svg(base64.b64decode(match.group(2).replace("\\\n", "")).decode("utf-8"))
        # one line per frame: matplotlib's 76-character continuation lines cost about 13 % more
        # in the notebook, where every line is its own JSON string
        return f'{match.group(1)}{base64.b64encode(svg.encode("utf-8")).decode("ascii")}"'
    frames = r'(frames\[\d+\] = "data:image/svg\+xml;base64,)([A-Za-z0-9+/=\\\n]+)"'
    text, count = re.subn(frames, compact, player)
    if count == 0:
        raise RuntimeError("matplotlib's player embedded no SVG frames")
    return text


# ---------------------------------------------------------------- the animations


def _limit(shape, name: str) -> None:
    if shape[0] * shape[1] > MAX_FRAMES:
        raise ValueError(f"{name} gives a {shape[0]}x{shape[1]} output: an animation shows at most "
                         f"{MAX_FRAMES} output positions, use smaller inputs")


def _output_grid(Y, k: int, title: str, fill: str, edge: str) -> Grid:
    """The output as it stands in frame k: cells 0..k-1 written, cell k being written, the rest empty.

    k = Y.numel() (the final frame) shows every cell.
    """
    cols = Y.shape[1]
    fills = {(c // cols, c % cols): WRITTEN_FILL for c in range(min(k, Y.numel()))}
    frames = []
    if k < Y.numel():
        fills[(k // cols, k % cols)] = fill
        frames.append((k // cols, k % cols, 1, 1, edge, "-"))
    return Grid(Y, "output", title, fills=fills, frames=frames)


def _lit(values, name: str, title: str, block, fill: str, edge: str, base: Optional[Grid] = None) -> Grid:
    """A grid with the block (row, col, height, width) filled and framed; block None: no highlight.

    base: a grid to start from (the padded input, with its grey border), copied, not changed.
    """
    grid = base if base is not None else Grid(values, name, title)
    grid = dataclasses.replace(grid, fills=dict(grid.fills), frames=list(grid.frames))
    if block is not None:
        r, c, h, w = block
        grid.fills.update(_block(r, c, h, w, fill))
        grid.frames.append((r, c, h, w, edge, "-"))
    return grid


def _write_output(ax, Y, k: int, arithmetic: str, edge: str) -> None:
    """Empty the output cells not yet written in frame k (row-major), write the arithmetic below."""
    numbers = [t for t in ax.texts if t.get_gid() == "output"]
    for c, t in enumerate(numbers):
        if c > k:
            t.set_text("")
    bottom = max(p.get_xy()[1] + p.get_height() for p in ax.patches)
    _draw_notes(ax, [(arithmetic, edge)], 0, bottom + 0.5)


def _frames(Y, windows, arithmetic, name: str) -> list[Frame]:
    """One frame per output position (row-major), then the final frame."""
    rows, cols = Y.shape
    frames = []
    for c in range(Y.numel()):
        i, j = divmod(c, cols)
        frames.append(Frame(f"step {c + 1} of {Y.numel()}: {name}[{i},{j}]", windows(i, j), (i, j),
                            float(Y[i, j]), arithmetic(i, j)))
    frames.append(Frame(f"result: all {Y.numel()} outputs of {name} ({rows}x{cols})",
                        None, None, None, ""))
    return frames


def animate_corr2d(X, K) -> WindowAnimation:
    """Animate Y = corr2d(X, K): the window slides over X, one output element per frame."""
    X, K = _matrix(X, "X"), _matrix(K, "K")
    _check_corr2d(X, K)
    Y = corr2d(X, K)
    _limit(Y.shape, "corr2d(X, K)")
    h, w = K.shape
    frames = _frames(Y, lambda i, j: (i, j, h, w),
                     lambda i, j: f"{_products(X[i:i + h, j:j + w], K)} = {_fmt(Y[i, j])}", "Y")
    fill, edge = HIGHLIGHTS[0]

    def draw(ax, k):
        window = frames[k].window
        _draw_row(ax, [_lit(X, "input", "input X", window, fill, edge), CORR,
                       _lit(K, "kernel", "kernel K", window and (0, 0, h, w), fill, edge), "=",
                       _output_grid(Y, k, "output Y", fill, edge)], 0, X.shape[0] / 2)
        _write_output(ax, Y, k, frames[k].arithmetic, edge)

    return WindowAnimation("corr2d", frames, Y, draw)


def animate_conv2d(X, K, padding=0, stride=1) -> WindowAnimation:
    """Animate the cross-correlation of X, padded with zeros, with K at a stride.

    padding: zeros added on each side (PyTorch's ``padding=``), an int or (p_h, p_w);
    stride: an int or (s_h, s_w). The window jumps s_w columns, then s_h rows.
    """
    Xp, Y, padded, _ = _padded_input(X, K, padding, stride, [])  # checks X, K, padding, stride
    K = _matrix(K, "K")
    (p_h, p_w), (s_h, s_w) = _pair(padding, "padding", 0), _pair(stride, "stride", 1)
    _limit(Y.shape, "this padding and stride")
    h, w = K.shape

    def arithmetic(i, j):
        return f"{_products(Xp[i * s_h:i * s_h + h, j * s_w:j * s_w + w], K)} = {_fmt(Y[i, j])}"

    frames = _frames(Y, lambda i, j: (i * s_h, j * s_w, h, w), arithmetic, "Y")
    fill, edge = HIGHLIGHTS[0]
    title = f"output, stride ({s_h}, {s_w})"

    def draw(ax, k):
        window = frames[k].window
        _draw_row(ax, [_lit(Xp, "input", "", window, fill, edge, base=padded), CORR,
                       _lit(K, "kernel", "kernel K", window and (0, 0, h, w), fill, edge), "=",
                       _output_grid(Y, k, title, fill, edge)], 0, Xp.shape[0] / 2)
        _write_output(ax, Y, k, frames[k].arithmetic, edge)

    return WindowAnimation(f"conv2d padding ({p_h}, {p_w}) stride ({s_h}, {s_w})", frames, Y, draw)


def animate_corr2d_multi_in(X, K) -> WindowAnimation:
    """Animate a cross-correlation with several input channels, summed into one output.

    X has shape (c_i, n_h, n_w) and K has shape (c_i, k_h, k_w): every frame shows the
    same window in each channel, and the sum of the channels' products.
    """
    X, K = _matrix(X, "X", 3), _matrix(K, "K", 3)
    if X.shape[0] != K.shape[0]:
        raise ValueError(f"X and K need the same number of channels, got X.shape={tuple(X.shape)}, "
                         f"K.shape={tuple(K.shape)}")
    _check_corr2d(X[0], K[0])
    Y = sum(corr2d(x, k) for x, k in zip(X, K))
    _limit(Y.shape, "corr2d_multi_in(X, K)")
    c_i, (h, w) = X.shape[0], K.shape[1:]

    def sums(i, j):
        parts = " + ".join(f"({_products(X[c, i:i + h, j:j + w], K[c])})" for c in range(c_i))
        return f"{parts} = {_fmt(Y[i, j])}"

    frames = _frames(Y, lambda i, j: (i, j, h, w), sums, "Y")
    fill, edge = HIGHLIGHTS[0]
    row_h = max(X.shape[1], h) + 1.6  # one row plus room for the '+' and the titles

    def draw(ax, k):
        window = frames[k].window
        right = 0
        for c in range(c_i):
            middle = c * row_h + X.shape[1] / 2
            right = _draw_row(ax, [_lit(X[c], f"input{c}", f"X[{c}]", window, fill, edge), CORR,
                                   _lit(K[c], f"kernel{c}", f"K[{c}]", window and (0, 0, h, w), fill, edge)],
                              0, middle)
            if c > 0:
                ax.text(right / 2, middle - row_h / 2, "+", ha="center", va="center", fontsize=16,
                        gid="operator")
        middle = ((c_i - 1) * row_h + X.shape[1]) / 2
        _draw_row(ax, ["=", _output_grid(Y, k, "output Y", fill, edge)], right, middle)
        _write_output(ax, Y, k, frames[k].arithmetic, edge)

    return WindowAnimation(f"corr2d_multi_in, {c_i} input channels", frames, Y, draw)


def _pool_arithmetic(values: list[float], mode: str, result: float) -> str:
    """'max(0, 1, 3, 4) = 4' or '(0 + 1 + 3 + 4) / 4 = 2'."""
    terms = [_fmt(v) for v in values]
    if mode == "max":
        return f"max({', '.join(terms)}) = {_fmt(result)}"
    added = " + ".join(f"({t})" if t.startswith("-") else t for t in terms)
    return f"({added}) / {len(terms)} = {_fmt(result)}"


def animate_pool2d(X, pool_size=(2, 2), mode: str = "max") -> WindowAnimation:
    """Animate pool2d(X, pool_size, mode) (stride 1, no padding), mode 'max' or 'avg'.

    pool_size is the window's shape (k_h, k_w), a pair as for pool2d.
    """
    X = _matrix(X, "X")
    _check_pool2d(X.float(), pool_size, mode)
    k_h, k_w = pool_size
    Y = pool2d(X.float(), (k_h, k_w), mode)
    _limit(Y.shape, "pool2d(X, pool_size)")

    def arithmetic(i, j):
        return _pool_arithmetic(X[i:i + k_h, j:j + k_w].flatten().tolist(), mode, float(Y[i, j]))

    frames = _frames(Y, lambda i, j: (i, j, k_h, k_w), arithmetic, "Y")
    fill, edge = HIGHLIGHTS[0] if mode == "max" else HIGHLIGHTS[2]
    title = f"{k_h}x{k_w} {'max' if mode == 'max' else 'average'} pooling"

    def draw(ax, k):
        _draw_row(ax, [_lit(X, "input", "input X", frames[k].window, fill, edge), r"$\rightarrow$",
                       _output_grid(Y, k, title, fill, edge)], 0, X.shape[0] / 2)
        _write_output(ax, Y, k, frames[k].arithmetic, edge)

    return WindowAnimation(f"pool2d {mode} {k_h}x{k_w}", frames, Y, draw)


# ---------------------------------------------------------------- the 6.3 explorer


class ConvShapeView:
    """What the explorer shows for one setting of its sliders.

    text: the output shape with the formula and its value, or the error message;
    size: the output length along each side, or None; error: the message, or None;
    figure: the padded, strided figure (None when the setting has no output), drawn
    when first asked for, so that checking many settings stays fast.
    """

    def __init__(self, n: int, k: int, padding: int, stride: int):
        self.n, self.k, self.padding, self.stride = n, k, padding, stride
        p, s = 2 * padding, stride
        setting = f"n = {n}, k = {k}, padding = {padding}（p = 2×padding = {p}），s = {s}"
        try:
            self.size = conv_output_shape(n, k, p, s)
        except ValueError as err:
            self.size, self.error = None, str(err)
            self.text = f"{setting}：没有输出。ValueError: {err}"
        else:
            self.error = None
            self.text = (f"{setting}：输出形状 ⌊(n−k+p+s)/s⌋ = ⌊({n}−{k}+{p}+{s})/{s}⌋ "
                         f"= {self.size}，即 {self.size}×{self.size}")
        self._figure = None

    def __repr__(self) -> str:
        return f"ConvShapeView({self.text!r})"

    @property
    def figure(self) -> Optional[Figure]:
        if self.size is None:
            return None
        if self._figure is None:
            self._figure = self._draw()
        return self._figure

    def _draw(self) -> Figure:
        n, k, padding, s, size = self.n, self.k, self.padding, self.stride, self.size
        p = 2 * padding
        X = torch.arange(n * n, dtype=torch.float32).reshape(n, n)
        K = torch.ones(k, k)
        windows = [c for c in ((0, 0), (0, 1), (1, 0)) if c[0] < size and c[1] < size]
        _, Y, grid, _ = _padded_input(X, K, padding, s, windows)
        fills = {c: HIGHLIGHTS[m][0] for m, c in enumerate(windows)}
        fig = Figure(dpi=72)  # not managed by pyplot: shown only where the explorer displays it
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        _draw_row(ax, [grid, CORR, Grid(K, "kernel", "kernel K"), "=",
                       Grid(Y, "output", f"output, stride ({s}, {s})", fills=fills)], 0, (n + p) / 2)
        bottom = max(p.get_xy()[1] + p.get_height() for p in ax.patches)
        formula = f"floor((n - k + p + s) / s) = floor(({n} - {k} + {p} + {s}) / {s}) = {size}"
        _draw_notes(ax, [(formula, "black")], 0, bottom + 0.5)
        return _finish(fig, ax)


def explore_conv_shape(n: int, k: int, padding: int = 0, stride: int = 1) -> ConvShapeView:
    """The explorer's update: an n x n input, a k x k kernel of ones, ``padding`` zeros on
    each side (PyTorch's ``padding=``, so the total is p = 2 * padding) and stride s.

    Returns a ConvShapeView (its figure and text). Never raises for a bad combination:
    the view then carries conv_output_shape's message and no figure.
    """
    return ConvShapeView(n, k, padding, stride)


def conv_shape_explorer(n: int = 8, k: int = 3, padding: int = 1, stride: int = 2):
    """Sliders for n, k, padding (per side) and stride that redraw ``explore_conv_shape``.

    Needs ipywidgets (Jupyter, Colab); returns the widget, which a cell shows when it ends with it.
    """
    try:
        import ipywidgets as widgets
        from IPython.display import HTML, Image, display
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("conv_shape_explorer needs ipywidgets: pip install ipywidgets") from err

    style = {"description_width": "initial"}

    def slider(value, low, high, description):
        return widgets.IntSlider(value=value, min=low, max=high, step=1, description=description,
                                 continuous_update=False, style=style)

    sliders = {"n": slider(n, 1, 8, "input size n"), "k": slider(k, 1, 5, "kernel size k"),
               "padding": slider(padding, 0, 3, "padding (per side)"),
               "stride": slider(stride, 1, 4, "stride s")}
    total = widgets.Label()

    def show_total(change=None):
        total.value = f"p = 2 × padding = {2 * sliders['padding'].value}"

    sliders["padding"].observe(show_total, names="value")
    show_total()

    def update(n, k, padding, stride):
        view = explore_conv_shape(n, k, padding, stride)
        if view.figure is not None:  # PNG bytes: shown alike whatever matplotlib backend is active
            buffer = io.BytesIO()
            view.figure.savefig(buffer, format="png")
            display(Image(data=buffer.getvalue(), format="png"))
        colour = "#b00020" if view.error else "inherit"
        display(HTML(f'<p style="color: {colour}">{html.escape(view.text)}</p>'))

    out = widgets.interactive_output(update, sliders)
    return widgets.VBox([widgets.HBox([sliders["n"], sliders["k"]]),
                         widgets.HBox([sliders["padding"], total]), sliders["stride"], out])
