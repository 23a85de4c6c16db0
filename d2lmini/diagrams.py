"""Figures of the chapter's computations, drawn by code from the tensors the text uses.

Every function returns a matplotlib Figure (made with ``plt.subplots``, so a
Jupyter cell that assigns it shows it once); plot text is ASCII only.

All figures share one primitive, ``_draw_grid``, which draws a matrix as a grid
of numbered cells. Each cell's square and number carry the grid's name as
their ``gid`` (``"input"``, ``"kernel"``, ``"output"``, ...), and the worked
sums under a figure carry ``gid="equation"``, so a figure can be read back.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch.nn import functional as F

from .ops import corr2d, pool2d

__all__ = ["plot_corr2d", "plot_padding", "plot_stride", "plot_receptive_field",
           "plot_corr2d_multi_in", "plot_conv1x1", "plot_pool2d"]

# The book writes cross-correlation as a star (convolution is *); mathtext keeps the source ASCII.
CORR = r"$\star$"

CELL_INCHES = 0.32                    # printed size of one grid cell
HIGHLIGHTS = (("#a6cee3", "#1f78b4"),  # (fill, edge) colours of highlighted windows, in order
              ("#fdbf6f", "#e66101"),
              ("#b2df8a", "#33a02c"))
PAD_FILL = "#e8e8e8"                  # cells added by padding
Cell = tuple[int, int]


@dataclass
class Grid:
    """A matrix to draw: its values, a name (the artists' gid), a title and decorations."""
    values: torch.Tensor
    name: str
    title: str = ""
    fills: dict[Cell, str] = field(default_factory=dict)   # cell -> face colour
    muted: set[Cell] = field(default_factory=set)          # cells whose number is grey
    frames: list[tuple[int, int, int, int, str, str]] = field(default_factory=list)
    # frames: (row, col, height, width, colour, linestyle) drawn around blocks of cells


def _fmt(v: float) -> str:
    """Format a cell value: whole numbers without a decimal point, others with two decimals."""
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e6 else f"{v:.2f}"


def _draw_grid(ax, grid: Grid, left: float, top: float) -> None:
    """Draw one grid with its top-left corner at (left, top); the y axis points down."""
    labels = [[_fmt(v) for v in row] for row in grid.values.tolist()]
    longest = max(len(s) for row in labels for s in row)
    size = 11 if longest <= 2 else 10 if longest <= 3 else 8 if longest <= 4 else 7  # fits a cell
    for i, row in enumerate(labels):
        for j, label in enumerate(row):
            ax.add_patch(Rectangle((left + j, top + i), 1, 1, facecolor=grid.fills.get((i, j), "white"),
                                   edgecolor="black", linewidth=1, gid=grid.name))
            ax.text(left + j + 0.5, top + i + 0.5, label, ha="center", va="center", fontsize=size,
                    color="0.55" if (i, j) in grid.muted else "black", gid=grid.name)
    for i, j, h, w, colour, style in grid.frames:
        ax.add_patch(Rectangle((left + j, top + i), w, h, fill=False, edgecolor=colour,
                               linewidth=2.5, linestyle=style, gid=grid.name + ":frame"))
    if grid.title:
        title = grid.title
        # a title much wider than its grid would run into its neighbours' titles: two lines
        if _text_cells(title, 10) > len(labels[0]) + 2.4:
            title = title.replace(", ", ",\n", 1) if ", " in title else "\n".join(title.rsplit(" ", 1))
        ax.text(left + len(labels[0]) / 2, top - 0.2, title, ha="center", va="bottom",
                fontsize=10, gid=grid.name + ":title")


def _text_cells(text: str, fontsize: float) -> float:
    """Estimated width of a line of text, in grid cells."""
    return len(text) * fontsize * 0.56 / 72 / CELL_INCHES


def _draw_symbol(ax, text: str, x: float, y: float) -> None:
    """Draw an operator such as CORR, '+' or '=' centred at (x, y)."""
    # The mathtext star is drawn small at a given size: enlarge it to match '='.
    ax.text(x, y, text, ha="center", va="center", fontsize=28 if text == CORR else 16,
            gid="operator")


def _draw_row(ax, items: list, left: float, middle: float, column_gap: float = 1.2) -> float:
    """Draw grids, operators (strings) and columns (lists of grids) left to right.

    Everything is centred vertically on ``middle``; a column stacks its grids
    with ``column_gap`` between them. Returns the x coordinate of the right edge.
    """
    x = left
    for item in items:
        if isinstance(item, str):
            _draw_symbol(ax, item, x + 0.6, middle)
            x += 1.2
            continue
        column = item if isinstance(item, list) else [item]
        width = max(g.values.shape[1] for g in column)
        top = middle - (sum(g.values.shape[0] for g in column) + column_gap * (len(column) - 1)) / 2
        for g in column:
            rows, cols = g.values.shape
            _draw_grid(ax, g, x + (width - cols) / 2, top)
            top += rows + column_gap
        x += width
    return x


def _draw_notes(ax, lines: list[tuple[str, str]], x: float, top: float) -> None:
    """Write lines of (text, colour) left-aligned from (x, top) downwards, gid 'equation'."""
    for k, (text, colour) in enumerate(lines):
        ax.text(x, top + 0.75 * k, text, ha="left", va="top", fontsize=10, color=colour, gid="equation")


def _finish(fig: Figure, ax) -> Figure:
    """Fit the axes and the figure's size to everything drawn, hide the axes, return the figure."""
    xs, ys = [], []
    for p in ax.patches:
        x, y = p.get_xy()
        xs += [x, x + p.get_width()]
        ys += [y, y + p.get_height()]
    for t in ax.texts:  # estimated text extents, in cell units
        if not t.get_text():
            continue
        x, y = t.get_position()
        lines = t.get_text().split("\n")
        w = max(_text_cells(line, t.get_fontsize()) for line in lines)
        h = len(lines) * t.get_fontsize() * 1.3 / 72 / CELL_INCHES
        shift_x = {"left": 0, "center": -w / 2, "right": -w}[t.get_horizontalalignment()]
        shift_y = {"top": 0, "center": -h / 2, "baseline": -h, "bottom": -h}[t.get_verticalalignment()]
        xs += [x + shift_x, x + shift_x + w]
        ys += [y + shift_y, y + shift_y + h]
    x0, x1, y0, y1 = min(xs) - 0.2, max(xs) + 0.2, min(ys) - 0.2, max(ys) + 0.2
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)  # y grows downwards, like row indices
    ax.set_aspect("equal")
    ax.axis("off")
    fig.set_size_inches((x1 - x0) * CELL_INCHES, (y1 - y0) * CELL_INCHES)
    fig.subplots_adjust(0, 0, 1, 1)
    return fig


def _matrix(T, name: str, dims: int = 2) -> torch.Tensor:
    """Return T as a tensor with ``dims`` axes, or raise a ValueError naming it."""
    T = torch.as_tensor(T)
    if T.dim() != dims or T.numel() == 0:
        raise ValueError(f"{name} must be a non-empty {dims}-D tensor, got shape {tuple(T.shape)}")
    return T


def _pair(v, name: str, minimum: int) -> tuple[int, int]:
    """Turn an int or a pair of ints into a pair, checking both are >= minimum."""
    pair = (v, v) if isinstance(v, int) else tuple(v)
    if len(pair) != 2 or not all(isinstance(a, int) and a >= minimum for a in pair):
        raise ValueError(f"{name} must be an int or a pair of ints >= {minimum}, got {v!r}")
    return pair


def _check_cell(cell, shape, name: str) -> Cell:
    """Check that cell (i, j) lies inside a matrix of the given shape."""
    i, j = cell
    if not (0 <= i < shape[0] and 0 <= j < shape[1]):
        raise ValueError(f"{name} {tuple(cell)} is outside the output of shape {tuple(shape)}")
    return i, j


def _block(i: int, j: int, h: int, w: int, colour: str) -> dict[Cell, str]:
    """Fill colours for the h x w block of cells whose top-left cell is (i, j)."""
    return {(a, b): colour for a in range(i, i + h) for b in range(j, j + w)}


def _times(a: float, b: float) -> str:
    """Spell out a product, e.g. '3*2' or '0.50*(-1)': a negative right factor gets parentheses."""
    right = _fmt(b)
    return f"{_fmt(a)}*({right})" if right.startswith("-") else f"{_fmt(a)}*{right}"


def _products(window: torch.Tensor, K: torch.Tensor) -> str:
    """Spell out the sum of products of a window and a kernel, e.g. '0*0 + 1*1'."""
    return " + ".join(_times(x, k) for x, k in zip(window.flatten().tolist(), K.flatten().tolist()))


def plot_corr2d(X, K, window: Cell = (0, 0)) -> Figure:
    """Draw X, K and corr2d(X, K), highlighting the input window of output cell ``window``."""
    X, K = _matrix(X, "X"), _matrix(K, "K")
    Y = corr2d(X, K)
    i, j = _check_cell(window, Y.shape, "window")
    h, w = K.shape
    fill, edge = HIGHLIGHTS[0]
    fig, ax = plt.subplots()
    _draw_row(ax, [Grid(X, "input", "input X", fills=_block(i, j, h, w, fill),
                                frames=[(i, j, h, w, edge, "-")]), CORR,
                           Grid(K, "kernel", "kernel K"), "=",
                           Grid(Y, "output", "output Y", fills={(i, j): fill})], 0, X.shape[0] / 2)
    _draw_notes(ax, [(f"{_products(X[i:i + h, j:j + w], K)} = {_fmt(Y[i, j])}", edge)],
                0, X.shape[0] + 0.5)
    return _finish(fig, ax)


def _padded_input(X, K, padding, stride, windows) -> tuple[torch.Tensor, torch.Tensor, Grid, list]:
    """Shared part of plot_padding and plot_stride: pad X, cross-correlate, build the input grid.

    padding is per side, like PyTorch's padding=; the book's total padding is twice it.
    """
    X, K = _matrix(X, "X"), _matrix(K, "K")
    top, left = _pair(padding, "padding", 0)  # zeros added on each side
    s_h, s_w = _pair(stride, "stride", 1)
    h, w = K.shape
    Xp = F.pad(X, (left, left, top, top))
    if h > Xp.shape[0] or w > Xp.shape[1]:
        raise ValueError(f"kernel K of shape {tuple(K.shape)} is larger than the padded input "
                         f"of shape {tuple(Xp.shape)}")
    Y = F.conv2d(Xp[None, None].double(), K[None, None].double(), stride=(s_h, s_w))[0, 0]
    border = {(a, b) for a in range(Xp.shape[0]) for b in range(Xp.shape[1])
              if not (top <= a < top + X.shape[0] and left <= b < left + X.shape[1])}
    per_side = top if top == left else (top, left)
    grid = Grid(Xp, "input", f"input X, padding={per_side} per side",
                fills={c: PAD_FILL for c in border}, muted=border,
                frames=[(top, left, X.shape[0], X.shape[1], "0.3", "--")])
    notes = []
    for k, cell in enumerate(windows):
        i, j = _check_cell(cell, Y.shape, "window")
        fill, edge = HIGHLIGHTS[k % len(HIGHLIGHTS)]
        grid.fills.update(_block(i * s_h, j * s_w, h, w, fill))
        grid.frames.append((i * s_h, j * s_w, h, w, edge, "-"))
        window = Xp[i * s_h:i * s_h + h, j * s_w:j * s_w + w]
        notes.append((f"{_products(window, K)} = {_fmt(Y[i, j])}", edge))
    return Xp, Y, grid, notes


def plot_padding(X, K, padding=1, window: Cell = (0, 0)) -> Figure:
    """Draw X padded with zeros (border greyed), K and the output, highlighting one window.

    padding: zeros added on each side, an int or a pair (rows, columns), as PyTorch's padding=
    (the book's total padding p_h, p_w is twice it).
    """
    Xp, Y, grid, notes = _padded_input(X, K, padding, 1, [window])
    fill = HIGHLIGHTS[0][0]
    fig, ax = plt.subplots()
    _draw_row(ax, [grid, CORR, Grid(torch.as_tensor(K), "kernel", "kernel K"), "=",
                   Grid(Y, "output", "output Y", fills={tuple(window): fill})], 0, Xp.shape[0] / 2)
    _draw_notes(ax, notes, 0, Xp.shape[0] + 0.5)
    return _finish(fig, ax)


def plot_stride(X, K, padding=1, stride=(3, 2), windows: Sequence[Cell] = ((0, 1), (1, 0))) -> Figure:
    """Draw a strided cross-correlation of zero-padded X with K, one colour per highlighted window.

    padding: zeros added on each side, an int or a pair (rows, columns), as PyTorch's padding=
    (the book's total padding is twice it); stride: an int or (s_h, s_w);
    windows: output cells whose input windows are highlighted.
    """
    Xp, Y, grid, notes = _padded_input(X, K, padding, stride, list(windows))
    s_h, s_w = _pair(stride, "stride", 1)
    fills = {tuple(c): HIGHLIGHTS[k % len(HIGHLIGHTS)][0] for k, c in enumerate(windows)}
    fig, ax = plt.subplots()
    _draw_row(ax, [grid, CORR, Grid(torch.as_tensor(K), "kernel", "kernel K"), "=",
                   Grid(Y, "output", f"output, stride ({s_h}, {s_w})", fills=fills)], 0, Xp.shape[0] / 2)
    _draw_notes(ax, notes, 0, Xp.shape[0] + 0.5)
    return _finish(fig, ax)


def plot_receptive_field(X, K, K2=None) -> Figure:
    """Draw two stacked cross-correlations and the receptive fields of their first outputs.

    Top row: Y = corr2d(X, K); Y[0, 0] and the inputs it depends on.
    Bottom row: Z = corr2d(Y, K2) (K2 defaults to K); Z[0, 0] and everything it depends on.
    """
    X, K = _matrix(X, "X"), _matrix(K, "K")
    second_title = "K" if K2 is None else "K2"
    K2 = K if K2 is None else _matrix(K2, "K2")
    Y = corr2d(X, K)
    Z = corr2d(Y, K2)  # raises when K2 does not fit on Y
    (h, w), (h2, w2) = K.shape, K2.shape
    (f1, e1), (f2, e2) = HIGHLIGHTS[0], HIGHLIGHTS[1]
    n = X.shape[0]
    fig, ax = plt.subplots()
    top2 = n + 2.4
    ax.text(0, -1.0, f"one layer: Y[0,0] = {_fmt(Y[0, 0])} sees {h * w} inputs of X",
            ha="left", va="bottom", fontsize=10, color=e1, gid="caption")
    _draw_row(ax, [Grid(X, "input", "X", fills=_block(0, 0, h, w, f1)), CORR, Grid(K, "kernel", "K"), "=",
                   Grid(Y, "output", "Y", fills={(0, 0): f1})], 0, n / 2)
    rh, rw = h + h2 - 1, w + w2 - 1  # the receptive field of Z[0, 0] in X
    ax.text(0, top2 - 1.0, f"two layers: Z[0,0] = {_fmt(Z[0, 0])} sees {h2 * w2} cells of Y "
            f"and {rh * rw} inputs of X", ha="left", va="bottom", fontsize=10, color=e2, gid="caption")
    # '->' rather than '=': the row reads "X star K gives Y, and Y star K2 = Z", not X star K = Y star K2.
    _draw_row(ax, [Grid(X, "input2", "X", fills=_block(0, 0, rh, rw, f2)), CORR, Grid(K, "kernel2", "K"), "->",
                   Grid(Y, "hidden2", "Y", fills=_block(0, 0, h2, w2, f2)), CORR,
                   Grid(K2, "kernel3", second_title), "=", Grid(Z, "output2", "Z", fills={(0, 0): f2})],
              0, top2 + n / 2)
    return _finish(fig, ax)


def plot_corr2d_multi_in(X, K, window: Cell = (0, 0)) -> Figure:
    """Draw a multi-input-channel cross-correlation: one row X[c] star K[c] per channel, summed.

    X has shape (c_i, n_h, n_w) and K has shape (c_i, k_h, k_w).
    """
    X, K = _matrix(X, "X", 3), _matrix(K, "K", 3)
    if X.shape[0] != K.shape[0]:
        raise ValueError(f"X and K need the same number of channels, got X.shape={tuple(X.shape)}, "
                         f"K.shape={tuple(K.shape)}")
    Y = sum(corr2d(x, k) for x, k in zip(X, K))
    i, j = _check_cell(window, Y.shape, "window")
    c_i, (h, w) = X.shape[0], K.shape[1:]
    fill, edge = HIGHLIGHTS[0]
    row_h = max(X.shape[1], h) + 1.6  # one row plus room for the '+' and the titles
    fig, ax = plt.subplots()
    for c in range(c_i):
        middle = c * row_h + X.shape[1] / 2
        right = _draw_row(ax, [Grid(X[c], f"input{c}", f"X[{c}]", fills=_block(i, j, h, w, fill),
                                    frames=[(i, j, h, w, edge, "-")]), CORR,
                               Grid(K[c], f"kernel{c}", f"K[{c}]")], 0, middle)
        if c > 0:
            _draw_symbol(ax, "+", right / 2, middle - row_h / 2)
    middle = ((c_i - 1) * row_h + X.shape[1]) / 2
    _draw_row(ax, ["=", Grid(Y, "output", "output Y", fills={(i, j): fill})], right, middle)
    sums = " + ".join(f"({_products(X[c, i:i + h, j:j + w], K[c])})" for c in range(c_i))
    _draw_notes(ax, [(f"{sums} = {_fmt(Y[i, j])}", edge)], 0, (c_i - 1) * row_h + X.shape[1] + 0.5)
    return _finish(fig, ax)


def plot_conv1x1(X, K, pixel: Cell = (0, 0)) -> Figure:
    """Draw a 1x1 convolution: input channels, the c_o x c_i matrix W, output channels.

    X has shape (c_i, n_h, n_w) and K has shape (c_o, c_i, 1, 1); W = K[:, :, 0, 0]
    (row o holds the weights of output channel o). The same pixel is highlighted
    in every channel: each output pixel mixes only the input channels at that pixel.
    """
    X, K = _matrix(X, "X", 3), _matrix(K, "K", 4)
    if K.shape[2:] != (1, 1) or K.shape[1] != X.shape[0]:
        raise ValueError(f"K must have shape (c_o, c_i, 1, 1) with c_i = X.shape[0] = {X.shape[0]}, "
                         f"got {tuple(K.shape)}")
    W = K[:, :, 0, 0]
    Y = torch.einsum("oc,chw->ohw", W.double(), X.double())
    i, j = _check_cell(pixel, X.shape[1:], "pixel")
    fill, edge = HIGHLIGHTS[0]
    mark = {"fills": {(i, j): fill}, "frames": [(i, j, 1, 1, edge, "-")]}
    inputs = [Grid(x, f"input{c}", f"X[{c}]", **mark) for c, x in enumerate(X)]
    outputs = [Grid(y, f"output{o}", f"Y[{o}]", **mark) for o, y in enumerate(Y)]
    gap = 0.8  # between the stacked channels: room for the next channel's title
    height = len(inputs) * (X.shape[1] + gap) - gap
    fig, ax = plt.subplots()
    _draw_row(ax, [inputs, CORR, Grid(W, "kernel", "W = K[:,:,0,0]"), "=", outputs], 0, height / 2,
              column_gap=gap)
    notes = [(f"Y[{o},{i},{j}] = " + " + ".join(_times(W[o, c], X[c, i, j]) for c in range(X.shape[0]))
              + f" = {_fmt(Y[o, i, j])}", edge) for o in range(Y.shape[0])]
    # the sums go under the output channels, right of the input column (the input column is the
    # taller one): the figure stays as tall as the input channels, within the printed page
    outputs_bottom = (height + len(outputs) * (X.shape[1] + gap) - gap) / 2
    _draw_notes(ax, notes, X.shape[2] + 0.3, max(outputs_bottom, (height + W.shape[0]) / 2) + 0.6)
    return _finish(fig, ax)


def plot_pool2d(X, pool_size=(2, 2), mode: str = "max", window: Cell = (0, 0)) -> Figure:
    """Draw X and pool2d(X, pool_size, mode) (stride 1), highlighting one pooling window.

    pool_size is the window's shape (k_h, k_w), a pair as for pool2d.
    """
    X = _matrix(X, "X")
    Y = pool2d(X.float(), pool_size, mode)  # checks mode and the pair pool_size = (k_h, k_w)
    k_h, k_w = pool_size
    i, j = _check_cell(window, Y.shape, "window")
    fill, edge = HIGHLIGHTS[0]
    fig, ax = plt.subplots()
    _draw_row(ax, [Grid(X, "input", "input X", fills=_block(i, j, k_h, k_w, fill),
                        frames=[(i, j, k_h, k_w, edge, "-")]), r"$\rightarrow$",
                   Grid(Y, "output", f"{k_h}x{k_w} {'max' if mode == 'max' else 'average'} pooling",
                        fills={(i, j): fill})], 0, X.shape[0] / 2)
    name = "max" if mode == "max" else "mean"
    values = ", ".join(_fmt(v) for v in X[i:i + k_h, j:j + k_w].flatten().tolist())
    _draw_notes(ax, [(f"{name}({values}) = {_fmt(Y[i, j])}", edge)], 0, X.shape[0] + 0.5)
    return _finish(fig, ax)
