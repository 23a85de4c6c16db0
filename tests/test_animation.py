"""Tests for d2lmini.animation: the frames' data, their pictures, the HTML, and the 6.3 explorer.

The frames are checked from the animation's data (window, output cell, value,
arithmetic) against corr2d, pool2d, nn.Conv2d and the multi-channel sum; the
pictures are read back through the artists' gids, as in test_diagrams.py; the
HTML is checked as text. The browser test (marker ``browser``) plays every
animation in headless Chromium.
"""
import base64
import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from torch import nn  # noqa: E402

import d2lmini as d2l  # noqa: E402
from d2lmini import animation  # noqa: E402
from d2lmini.diagrams import HIGHLIGHTS, _fmt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 300 * 1024

X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
X2 = torch.stack([X, X + 1])          # 6.4: channels [[0..8]] and [[1..9]]
K2 = torch.stack([K, K + 1])          # 6.4: kernels [[0,1],[2,3]] and [[1,2],[3,4]]


def conv_reference(padding, stride):
    """The output of nn.Conv2d with kernel K, padding (per side) and stride, as a matrix."""
    def reference(X, K):
        conv = nn.Conv2d(1, 1, kernel_size=tuple(K.shape), padding=padding, stride=stride, bias=False)
        with torch.no_grad():
            conv.weight.copy_(K.reshape(conv.weight.shape))
            return conv(X.reshape(1, 1, *X.shape))[0, 0]
    return reference


# name -> (make the animation, the book's numbers, an independent reference, stride, window shape)
CASES = {
    "corr2d": (lambda: d2l.animate_corr2d(X, K), [[19, 25], [37, 43]],
               lambda: d2l.corr2d(X, K), (1, 1), (2, 2)),
    "conv2d": (lambda: d2l.animate_conv2d(X, K, padding=1, stride=(3, 2)), [[0, 8], [6, 8]],
               lambda: conv_reference(1, (3, 2))(X, K), (3, 2), (2, 2)),
    "multi_in": (lambda: d2l.animate_corr2d_multi_in(X2, K2), [[56, 72], [104, 120]],
                 lambda: d2l.corr2d(X2[0], K2[0]) + d2l.corr2d(X2[1], K2[1]), (1, 1), (2, 2)),
    "max": (lambda: d2l.animate_pool2d(X, (2, 2), "max"), [[4, 5], [7, 8]],
            lambda: d2l.pool2d(X, (2, 2), "max"), (1, 1), (2, 2)),
    "avg": (lambda: d2l.animate_pool2d(X, (2, 2), "avg"), [[2, 3], [5, 6]],
            lambda: d2l.pool2d(X, (2, 2), "avg"), (1, 1), (2, 2)),
}


@functools.lru_cache(maxsize=None)
def built(name):
    """Each animation and its HTML, made once for the whole module."""
    anim = CASES[name][0]()
    return anim, anim.to_html()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def evaluate(arithmetic):
    """Evaluate the left-hand side of 'a*b + c*d = v' (ASCII, only numbers, + - * / ( ) and max)."""
    left, right = arithmetic.rsplit(" = ", 1)
    assert re.fullmatch(r"[0-9.+\-*/(), max]+", left), left
    return eval(left, {"__builtins__": {}}, {"max": max}), right


# ---------------------------------------------------------------- frames (data, no pixels)


@pytest.mark.parametrize("name", CASES)
def test_one_frame_per_output_position_then_the_result(name):
    anim, _ = built(name)
    _, expected, reference, (s_h, s_w), (h, w) = CASES[name]
    Y = reference()
    assert torch.equal(Y.float(), torch.tensor(expected, dtype=torch.float32))
    assert torch.allclose(anim.result.float(), Y.float())
    rows, cols = Y.shape
    assert len(anim.frames) == len(anim) == rows * cols + 1
    for k, frame in enumerate(anim.frames[:-1]):
        i, j = divmod(k, cols)                       # row-major order
        assert frame.output == (i, j)
        assert frame.window == (i * s_h, j * s_w, h, w)
        assert frame.value == pytest.approx(float(Y[i, j]))
        value, written = evaluate(frame.arithmetic)
        assert value == pytest.approx(frame.value) and written == _fmt(frame.value)
        assert f"[{i},{j}]" in frame.title
    final = anim.frames[-1]
    assert final.window is None and final.output is None and final.value is None
    assert final.title.startswith("result")


def test_the_arithmetic_spells_out_the_book_example():
    assert built("corr2d")[0].frames[0].arithmetic == "0*0 + 1*1 + 3*2 + 4*3 = 19"
    assert built("conv2d")[0].frames[1].arithmetic == "0*0 + 0*1 + 1*2 + 2*3 = 8"
    assert built("conv2d")[0].frames[2].arithmetic == "0*0 + 6*1 + 0*2 + 0*3 = 6"
    assert built("multi_in")[0].frames[0].arithmetic == "(0*0 + 1*1 + 3*2 + 4*3) + (1*1 + 2*2 + 4*3 + 5*4) = 56"
    assert built("max")[0].frames[0].arithmetic == "max(0, 1, 3, 4) = 4"
    assert built("avg")[0].frames[0].arithmetic == "(0 + 1 + 3 + 4) / 4 = 2"


def test_arithmetic_uses_the_window_of_each_frame():
    """The factors on the left of each product are the input window's numbers, in order."""
    anim = d2l.animate_corr2d(torch.arange(20.0).reshape(4, 5) - 7, torch.tensor([[1.0, -2.0, 0.5]]))
    Y = d2l.corr2d(torch.arange(20.0).reshape(4, 5) - 7, torch.tensor([[1.0, -2.0, 0.5]]))
    Xs = torch.arange(20.0).reshape(4, 5) - 7
    assert len(anim.frames) == Y.numel() + 1
    for frame in anim.frames[:-1]:
        r, c, h, w = frame.window
        left = [float(term.split("*")[0]) for term in frame.arithmetic.split(" = ")[0].split(" + ")]
        assert left == Xs[r:r + h, c:c + w].flatten().tolist()
        value, _ = evaluate(frame.arithmetic)
        assert value == pytest.approx(float(Y[frame.output]))


@pytest.mark.parametrize("padding, stride", [(0, 1), (2, 1), ((1, 0), (2, 3)), (1, 2), ((0, 2), 1)])
def test_padded_strided_windows_match_nn_conv2d(padding, stride):
    gen = torch.Generator().manual_seed(1)
    A = torch.randint(-5, 6, (4, 5), generator=gen).float()
    B = torch.randint(-2, 3, (3, 2), generator=gen).float()
    anim = d2l.animate_conv2d(A, B, padding=padding, stride=stride)
    Y = conv_reference(padding, stride)(A, B)
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    assert anim.result.shape == Y.shape and len(anim.frames) == Y.numel() + 1
    for k, frame in enumerate(anim.frames[:-1]):
        i, j = divmod(k, Y.shape[1])
        assert frame.output == (i, j) and frame.window == (i * s_h, j * s_w, 3, 2)
        value, _ = evaluate(frame.arithmetic)
        assert frame.value == pytest.approx(float(Y[i, j])) and value == pytest.approx(frame.value)


@pytest.mark.parametrize("call, message", [
    (lambda: d2l.animate_corr2d(torch.arange(3.0), K), "X must be a non-empty 2-D"),
    (lambda: d2l.animate_corr2d(X, torch.ones(4, 4)), "kernel K .* larger than input X"),
    (lambda: d2l.animate_corr2d(torch.ones(20, 20), K), "at most 64"),
    (lambda: d2l.animate_conv2d(X, K, padding=-1), "padding must be"),
    (lambda: d2l.animate_conv2d(X, K, stride=0), "stride must be"),
    (lambda: d2l.animate_conv2d(X, torch.ones(6, 6), padding=1), "larger than the padded input"),
    (lambda: d2l.animate_corr2d_multi_in(X, K), "X must be a non-empty 3-D"),
    (lambda: d2l.animate_corr2d_multi_in(X2, torch.stack([K, K, K])), "same number of channels"),
    (lambda: d2l.animate_pool2d(X, (4, 4)), "pool_size must be a pair"),
    (lambda: d2l.animate_pool2d(X, 2), "pool_size must be a pair"),
    (lambda: d2l.animate_pool2d(X, (2, 2), "min"), "mode must be 'max' or 'avg'"),
    (lambda: built("corr2d")[0].frame_figure(5), "k must be a frame index"),
])
def test_bad_input_names_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- the pictures


def grid_cells(fig, gid):
    """{(row, col): (text, fill)} of the grid drawn with that gid, from its artists."""
    ax = fig.axes[0]
    squares = [p for p in ax.patches if p.get_gid() == gid]
    texts = [t for t in ax.texts if t.get_gid() == gid]
    assert squares and len(squares) == len(texts)
    x0 = min(p.get_xy()[0] for p in squares)
    y0 = min(p.get_xy()[1] for p in squares)
    cells = {}
    for p, t in zip(squares, texts):
        x, y = p.get_xy()
        cells[(round(y - y0), round(x - x0))] = (t.get_text(), to_hex(p.get_facecolor()))
    return cells


@pytest.mark.parametrize("name", ["corr2d", "conv2d", "max"])
def test_each_picture_highlights_its_window_and_writes_its_cells(name):
    anim, _ = built(name)
    fill = HIGHLIGHTS[0][0]
    cols = anim.result.shape[1]
    for k, frame in enumerate(anim.frames):
        fig = anim.frame_figure(k)
        assert plt.get_fignums() == []                    # never a pyplot figure: no second output
        inputs, outputs = grid_cells(fig, "input"), grid_cells(fig, "output")
        lit = {cell for cell, (_, colour) in inputs.items() if colour == to_hex(fill)}
        if frame.window:
            r, c, h, w = frame.window
            assert lit == {(a, b) for a in range(r, r + h) for b in range(c, c + w)}
        else:
            assert not lit
        for (i, j), (text, colour) in outputs.items():
            position = i * cols + j
            if frame.output is None or position < k:     # written before (or the final frame)
                assert text == _fmt(anim.result[i, j])
            elif position == k:
                assert text == _fmt(frame.value) and colour == to_hex(fill)
            else:
                assert text == ""                         # not computed yet
        equations = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "equation"]
        assert equations == [frame.arithmetic]


@pytest.mark.parametrize("name", CASES)
def test_frames_share_one_size_and_keep_text_inside(name):
    anim, _ = built(name)
    sizes = set()
    for k in range(len(anim.frames)):
        fig = anim.frame_figure(k)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        sizes.add(tuple(fig.canvas.get_width_height()))
        for t in fig.axes[0].texts:
            assert t.get_text().isascii(), t.get_text()
            box = t.get_window_extent(renderer)
            assert fig.bbox.x0 - 1 <= box.x0 and box.x1 <= fig.bbox.x1 + 1, f"{t.get_text()!r} is cut off"
            assert fig.bbox.y0 - 1 <= box.y0 and box.y1 <= fig.bbox.y1 + 1, f"{t.get_text()!r} is cut off"
    assert len(sizes) == 1, sizes


# ---------------------------------------------------------------- the HTML


def embedded_frames(page):
    """The SVGs of matplotlib's player, decoded, in frame order."""
    found = re.findall(r'frames\[(\d+)\] = "data:image/svg\+xml;base64,([A-Za-z0-9+/=\\\n]+)"', page)
    assert [int(i) for i, _ in found] == list(range(len(found)))
    assert "data:image/png" not in page and "data:image/jpeg" not in page
    return [base64.b64decode(data.replace("\\\n", "")) for _, data in found]


def svg_size(svg: bytes) -> tuple[str, str]:
    return re.search(rb'<svg [^>]*width="([\d.]+pt)" height="([\d.]+pt)"', svg).groups()


def svg_content(svg: bytes) -> tuple[list, list]:
    """What an SVG frame shows: its texts (matplotlib writes each as a comment before its glyphs)
    and the fill colour of every cell and shape, in drawing order."""
    text = svg.decode("utf-8")
    return re.findall(r"<!-- (.*?) -->", text), re.findall(r"fill: (#[0-9a-f]{6})", text)


@pytest.mark.parametrize("name", CASES)
def test_html_is_self_contained_and_small(name):
    anim, page = built(name)
    assert anim._repr_html_() == page and not hasattr(anim, "_repr_png_")
    assert "0x" not in repr(anim)                          # text/plain beside the HTML: no address
    stored = json.dumps(page.splitlines(True), indent=1)   # as nbformat stores it in the notebook
    assert len(stored.encode()) <= MAX_BYTES, f"{name}: {len(stored) // 1024} KB in the notebook"
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link\b", page)
    assert not re.search(r"https?://|url\(", page), "nothing may come from the network"
    assert "fa-" not in page, "matplotlib's Font Awesome icons must be replaced"
    # the wrapper: the player only (the print form is the bundle's application/pdf strip)
    assert page.startswith('<div class="d2l-anim">')
    assert page.count('<div class="d2l-anim-player">') == 1
    assert "<img" not in page[page.index("</style>"):page.index('<div class="d2l-anim-player">')]
    assert "d2l-anim-strip" not in page
    # the frames shrink to the column, also in Jupyter and Colab (which do not load the book's CSS)
    style = re.search(r"<style>(.*?)</style>", page, flags=re.S).group(1)
    assert re.search(r"\.d2l-anim > div img \{ max-width: 100%; height: auto; \}", style)
    assert "@media print" not in style
    body = page[page.index("</style>"):]
    assert re.findall(r"\n<(div|img) class=\"(d2l-anim-[a-z]+)\"", body) == [("div", "d2l-anim-player")]
    # the player: every frame embedded, distinct, in order; it plays once and stops on the result
    frames = embedded_frames(page)
    assert len(frames) == len(anim.frames) and len(set(frames)) == len(frames)
    assert f"new Array({len(anim.frames)})" in page
    assert re.search(r'value="once" id="[^"]+"\s+checked', page)
    assert len({svg_size(f) for f in frames}) == 1
    # vector frames: shapes and glyph outlines, no bitmap inside, nothing linked
    for svg in frames:
        assert svg.startswith(b"<?xml") and b"<svg " in svg and b"<image" not in svg
        assert not re.search(rb'href="(?!#)', svg)
    assert anim.strip_frames == (0, 1, len(anim.frames) - 1)


# ---------------------------------------------------------------- print: the vector strip


def pdf_size_in(data: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", data)
    return float(box.group(1)) / 72, float(box.group(2)) / 72


@pytest.mark.parametrize("name", CASES)
def test_mime_bundle_keeps_the_player_and_adds_a_vector_strip(name):
    """Jupyter and the web book show text/html (the player); myst-nb's LaTeX builder takes
    application/pdf, the strip, which it prints as the figure."""
    anim, page = built(name)
    bundle = anim._repr_mimebundle_()
    assert list(bundle) == ["text/html", "application/pdf", "text/plain"]
    assert bundle["text/html"] == page and bundle["text/plain"] == repr(anim)
    pdf = base64.b64decode(bundle["application/pdf"])
    assert pdf.startswith(b"%PDF") and pdf == anim.strip_pdf()
    assert pdf == built(name)[0].strip_pdf()          # the same bytes every time (no date)
    assert b"/CreationDate" not in pdf and b"/Subtype /Image" not in pdf  # vector, no bitmap


@pytest.mark.parametrize("name", CASES)
def test_strip_prints_at_the_figures_scale_and_declares_its_frames(name):
    """The strip fits the printed page at 100 % (so one grid cell is CELL_INCHES, as in the
    static figure), shows the final frame always, and labels each frame "frame k of n"."""
    anim, _ = built(name)
    shown, cols, rows = anim.strip_layout()
    assert shown[-1] == len(anim.frames) - 1 and set(shown) <= set(anim.strip_frames)
    assert list(shown) == sorted(shown)
    fig = anim.strip_figure()
    width, height = fig.get_size_inches()
    assert width <= d2l.plotting.PRINT_WIDTH_IN and height <= d2l.plotting.PRINT_HEIGHT_IN
    assert pdf_size_in(anim.strip_pdf()) == pytest.approx((width, height), abs=0.01)
    labels = [t.get_text() for t in fig.texts if t.get_gid() == "strip-label"]
    assert labels == [f"frame {k + 1} of {len(anim.frames)}" for k in shown]
    # every frame at the scale of the static figures: its axes span as many inches as its cells
    x0, x1, _, _ = anim._layout()
    for ax in fig.axes:
        (a, b) = ax.get_xlim()
        assert ax.get_position().width * width == pytest.approx((b - a) * animation.CELL_INCHES, rel=1e-6)
        assert (b - a) == pytest.approx(x1 - x0)
    # each picture is one of the frames: its title is the frame's title
    titles = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "frame-title"]
    assert titles == [anim.frames[k].title for k in shown]
    # a row with fewer frames is centred
    for r in range(len(rows)):
        row = fig.axes[r * cols:(r + 1) * cols]
        left, right = row[0].get_position().x0, row[-1].get_position().x1
        assert left == pytest.approx(1 - right, abs=1e-6)


def test_strip_leaves_out_middle_frames_first_when_the_page_is_small():
    anim = d2l.animate_corr2d(X, K)
    final = len(anim.frames) - 1
    assert anim.strip_layout()[0] == (0, 1, final)
    assert anim.strip_layout(max_height=2.5)[0] == (0, final)     # one row of two
    assert anim.strip_layout(max_width=3.5, max_height=2.5)[0] == (final,)
    assert anim.strip_layout(max_width=1, max_height=1)[0] == (final,)  # never empty


@pytest.mark.parametrize("mode", ["once", "loop", "reflect"])
def test_player_mode(mode):
    anim = d2l.animate_pool2d(X, (2, 2), "max")
    anim.mode = mode
    checked = re.findall(r'value="(\w+)" id="[^"]+"\s+checked', anim.to_html())
    assert checked == [mode]
    with pytest.raises(ValueError, match="mode must be 'once', 'loop' or 'reflect'"):
        animation.WindowAnimation("x", anim.frames, anim.result, lambda ax, k: None, mode="forever")


@pytest.mark.parametrize("name", CASES)
def test_player_frame_k_is_frame_k(name):
    """The SVG frames in the player are the frames drawn by frame_figure, in order: the same
    size, texts and colours as frame_figure(k) saved as SVG, and each differs from the one before."""
    anim, page = built(name)
    previous = None
    for k, svg in enumerate(embedded_frames(page)):
        drawn = d2l.plotting.vector_bytes(anim.frame_figure(k), "svg")
        assert svg_size(svg) == svg_size(drawn), f"frame {k}"
        assert svg_content(svg) == svg_content(drawn), f"frame {k}"
        texts, _ = svg_content(svg)
        assert anim.frames[k].title in texts
        assert not anim.frames[k].arithmetic or anim.frames[k].arithmetic in texts
        assert svg_content(svg) != previous, f"frame {k} shows what frame {k - 1} shows"
        previous = svg_content(svg)


def test_compact_svg_keeps_the_picture():
    """Compacting drops the metadata and indentation and rounds path coordinates only."""
    svg = d2l.plotting.vector_bytes(d2l.animate_corr2d(X, K).frame_figure(0), "svg").decode()
    small = animation._compact_svg(svg)
    assert len(small) < 0.95 * len(svg) and "<metadata>" not in small
    assert re.findall(r"scale\([^)]*\)", small) == re.findall(r"scale\([^)]*\)", svg)  # glyphs keep their size
    assert re.findall(r"<!-- (.*?) -->", small) == re.findall(r"<!-- (.*?) -->", svg)
    paths = [[float(v) for v in re.findall(r"-?\d+\.?\d*", d)] for d in re.findall(r' d="([^"]*)"', svg)]
    rounded = [[float(v) for v in re.findall(r"-?\d+\.?\d*", d)] for d in re.findall(r' d="([^"]*)"', small)]
    assert len(paths) == len(rounded)
    assert all(len(a) == len(b) and all(abs(x - y) < 0.01 for x, y in zip(a, b)) for a, b in zip(paths, rounded))
    with pytest.raises(RuntimeError, match="no SVG frames"):
        animation._compact_frames('frames[0] = "data:image/png;base64,AAAA"')


def test_making_an_animation_opens_no_pyplot_figure():
    before = plt.get_fignums()
    d2l.animate_pool2d(X, (2, 2), "avg").to_html()
    assert plt.get_fignums() == before


def test_nbval_sanitizers_remove_exactly_what_varies():
    """Two renderings differ only in matplotlib's random ids (and the frames' bytes), which
    tests/nbval_sanitize.cfg replaces; the structure of the HTML is still compared."""
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8"))

    def sanitize(text):
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    first, second = d2l.animate_corr2d(X, K).to_html(), d2l.animate_corr2d(X, K).to_html()
    assert first != second                                 # random ids
    assert sanitize(first) == sanitize(second)
    clean = sanitize(first)
    assert not re.search(r"[0-9a-f]{32}", clean)
    assert clean.count("data:image/svg+xml;base64,<svg>") == len(built("corr2d")[0].frames)
    assert 'class="d2l-anim-player"' in clean and "new Array(5)" in clean


def test_book_loads_the_animation_css():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "animation.css" in config["sphinx"]["config"]["html_css_files"]
    css = (ROOT / "_static" / "animation.css").read_text(encoding="utf-8")
    assert re.search(r"\.d2l-anim \.d2l-anim-player img", css)


# ---------------------------------------------------------------- the 6.3 explorer


def test_explorer_shapes_match_nn_conv2d():
    checked = failed = 0
    with torch.no_grad():
        for n in range(1, 9):
            for k in range(1, 6):
                for padding in range(0, 4):
                    for s in range(1, 5):
                        view = d2l.explore_conv_shape(n, k, padding, s)
                        if k > n + 2 * padding:
                            assert view.size is None and view.figure is None
                            assert view.error == (f"conv_output_shape: kernel k={k} is larger than the "
                                                  f"padded input n + p = {n + 2 * padding}")
                            assert view.error in view.text and "Traceback" not in view.text
                            failed += 1
                            continue
                        conv = nn.Conv2d(1, 1, kernel_size=k, padding=padding, stride=s)
                        expected = conv(torch.zeros(1, 1, n, n)).shape[-2:]
                        assert (view.size, view.size) == tuple(expected), (n, k, padding, s)
                        assert view.error is None
                        assert f"p = 2×padding = {2 * padding}" in view.text
                        assert (f"⌊({n}−{k}+{2 * padding}+{s})/{s}⌋ = {view.size}，"
                                f"即 {view.size}×{view.size}") in view.text
                        checked += 1
    assert checked > 400 and failed > 20


@pytest.mark.parametrize("n, k, padding, s", [(8, 3, 1, 2), (3, 2, 1, 1), (5, 5, 0, 1), (4, 1, 3, 4), (1, 3, 1, 3)])
def test_explorer_figure_draws_the_padded_input_and_the_output(n, k, padding, s):
    view = d2l.explore_conv_shape(n, k, padding, s)
    fig = view.figure
    assert fig is view.figure and plt.get_fignums() == []
    inputs, outputs = grid_cells(fig, "input"), grid_cells(fig, "output")
    side = n + 2 * padding
    assert set(inputs) == {(a, b) for a in range(side) for b in range(side)}
    assert set(outputs) == {(a, b) for a in range(view.size) for b in range(view.size)}
    assert [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "equation"] == [
        f"floor((n - k + p + s) / s) = floor(({n} - {k} + {2 * padding} + {s}) / {s}) = {view.size}"]
    assert all(t.get_text().isascii() for t in fig.axes[0].texts)


def test_explorer_widget_wires_the_sliders(monkeypatch):
    widgets = pytest.importorskip("ipywidgets")
    calls = []
    real = animation.explore_conv_shape

    def spy(n, k, padding, stride):
        calls.append((n, k, padding, stride))
        return real(n, k, padding, stride)

    monkeypatch.setattr(animation, "explore_conv_shape", spy)
    monkeypatch.setattr(animation.ConvShapeView, "figure", property(lambda self: None))  # no drawing
    box = d2l.conv_shape_explorer()
    assert isinstance(box, widgets.VBox)
    found = {}

    def walk(w):
        found.setdefault(type(w).__name__, []).append(w)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(box)
    sliders = {s.description: s for s in found["IntSlider"]}
    assert set(sliders) == {"input size n", "kernel size k", "padding (per side)", "stride s"}
    assert [(s.value, s.min, s.max) for s in sliders.values()] == [(8, 1, 8), (3, 1, 5), (1, 0, 3), (2, 1, 4)]
    assert all(not s.continuous_update for s in sliders.values())
    assert len(found["Output"]) == 1
    label, = found["Label"]
    assert label.value == "p = 2 × padding = 2"
    assert calls[0] == (8, 3, 1, 2)                                # drawn once at start
    sliders["padding (per side)"].value = 3
    assert label.value == "p = 2 × padding = 6" and calls[-1] == (8, 3, 3, 2)
    sliders["input size n"].value = 1
    sliders["kernel size k"].value = 5
    assert calls[-1] == (1, 5, 3, 2)


def test_d2lmini_imports_without_ipywidgets():
    """ipywidgets is imported only inside conv_shape_explorer."""
    source = Path(animation.__file__).read_text(encoding="utf-8")
    top_level = [line for line in source.splitlines() if re.match(r"(import|from) ", line)]
    assert not any("ipywidgets" in line or "IPython" in line for line in top_level)


# ---------------------------------------------------------------- in the notebooks

NOTEBOOK_DIR = ROOT / "notebooks"
# figure name -> (notebook, the values its frames write, in order)
BOOK_ANIMATIONS = {
    "fig-corr2d-animation": ("6_2_conv_layer", [19, 25, 37, 43]),
    "fig-padding-stride-animation": ("6_3_padding_strides", [0, 8, 6, 8]),
    "fig-multi-in-animation": ("6_4_channels", [56, 72, 104, 120]),
    "fig-max-pool-animation": ("6_5_pooling", [4, 5, 7, 8]),
    "fig-avg-pool-animation": ("6_5_pooling", [2, 3, 5, 6]),
}


def notebook(stem):
    return json.loads((NOTEBOOK_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))


def figure_cell(stem, name):
    found = [c for c in notebook(stem)["cells"]
             if c.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name") == name]
    assert len(found) == 1, f"{stem}.ipynb: {len(found)} cells declare figure {name}"
    return found[0]


@pytest.mark.parametrize("name", BOOK_ANIMATIONS)
def test_each_animation_is_a_book_figure_of_at_most_300_kb(name):
    stem, values = BOOK_ANIMATIONS[name]
    cell = figure_cell(stem, name)
    assert cell["outputs"], f"{stem}.ipynb, {name}: not executed"
    output, = cell["outputs"]
    page = "".join(output["data"]["text/html"])
    assert page.startswith('<div class="d2l-anim">')
    stored = json.dumps(output, ensure_ascii=False, indent=1)   # as it weighs in the .ipynb
    assert len(stored.encode()) <= MAX_BYTES, f"{name}: {len(stored.encode()) // 1024} KB in {stem}.ipynb"
    # one frame per output position, then the result; the cell asserts the values in order
    assert len(embedded_frames(page)) == len(values) + 1
    source = "".join(cell["source"])
    assert str(values) in source and "assert" in source


def test_no_notebook_stores_widget_state():
    """Widget state in a notebook makes myst-nb load require.js and the widget manager from
    a CDN; the 6.3 explorer is never executed for the book (and _config.yml empties the list)."""
    import yaml

    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert "widgets" not in nb.get("metadata", {}), f"{path.name}: metadata.widgets is stored"
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                assert not any("jupyter.widget" in key for key in output.get("data", {})), \
                    f"{path.name}, cell {cell.get('id')}: a widget output is stored"
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"]["nb_ipywidgets_js"] == {}


def test_the_explorer_cell_runs_only_in_jupyter_and_colab():
    cells = [c for c in notebook("6_3_padding_strides")["cells"]
             if "conv_shape_explorer(" in "".join(c["source"])]
    assert len(cells) == 1
    explorer = cells[0]
    assert {"skip-execution", "nbval-skip"} <= set(explorer["metadata"].get("tags", []))
    assert explorer["outputs"] == [] and explorer["execution_count"] is None
    # the cell after it shows what the explorer computes, for a good and a bad setting
    following = notebook("6_3_padding_strides")["cells"]
    after = following[following.index(explorer) + 1:]
    check = next(c for c in after if c["cell_type"] == "code")
    printed = "".join("".join(o.get("text", "")) for o in check["outputs"])
    assert "输出形状" in printed and "= 4，即 4×4" in printed
    assert "larger than the padded input" in printed and "Traceback" not in printed


# ---------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def player_page(tmp_path_factory):
    """A page with every animation and the book's animation.css, served over HTTP."""
    root = tmp_path_factory.mktemp("animations")
    (root / "animation.css").write_text((ROOT / "_static" / "animation.css").read_text(encoding="utf-8"))
    body = "\n".join(f'<section id="{name}">{built(name)[1]}</section>' for name in CASES)
    (root / "index.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="animation.css">'
        f"</head><body>{body}</body></html>", encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    httpd.shutdown()
    httpd.server_close()


def player_state(driver, section):
    """The src of the player's picture and the slider's value, in a section of the page."""
    return driver.execute_script(
        "const s = document.getElementById(arguments[0]);"
        "return [s.querySelector('.d2l-anim-player img').src, s.querySelector('input[type=range]').value];",
        section)


def click(driver, section, title):
    driver.execute_script(
        "document.getElementById(arguments[0]).querySelector(`button[title='${arguments[1]}']`).click();",
        section, title)


@pytest.mark.browser
def test_players_step_through_their_frames_in_chromium(player_page, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    chromedriver = shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.skip("SKIPPED: needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1000,900", f"--user-data-dir={tmp_path}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    shots = ROOT / "_build" / "screenshots" / "animations"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        driver.get(player_page)
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "(function wait() { if ([...document.querySelectorAll('.d2l-anim-player img')]"
            ".every((i) => i.src && i.complete && i.naturalWidth > 0)) return done();"
            " setTimeout(wait, 50); })();")
        for name in CASES:
            anim, page = built(name)
            frames = embedded_frames(page)
            first_src, slider = player_state(driver, name)
            assert slider == "0" and base64.b64decode(first_src.split(",", 1)[1]) == frames[0]
            element = driver.find_element("css selector", f"#{name} .d2l-anim-player")
            driver.execute_script("arguments[0].scrollIntoView()", element)
            element.screenshot(str(shots / f"{name}-frame1.png"))
            click(driver, name, "Next frame")
            second_src, slider = player_state(driver, name)
            assert slider == "1" and second_src != first_src
            assert base64.b64decode(second_src.split(",", 1)[1]) == frames[1]
            element.screenshot(str(shots / f"{name}-frame2.png"))
            click(driver, name, "Last frame")
            last_src, slider = player_state(driver, name)
            assert slider == str(len(frames) - 1)
            assert base64.b64decode(last_src.split(",", 1)[1]) == frames[-1]
            element.screenshot(str(shots / f"{name}-final.png"))
        # playing runs to the final frame and stops there ('once')
        click(driver, "max", "First frame")
        driver.execute_script("document.querySelector('#max button[title=\"Increase speed\"]').click();" * 6)
        click(driver, "max", "Play")
        final = driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; const t0 = Date.now();"
            "(function wait() { const v = document.querySelector('#max input[type=range]').value;"
            " if (v === '4' || Date.now() - t0 > 10000) return done(v); setTimeout(wait, 50); })();")
        assert final == "4"
        # on a phone the frames and the slider shrink to the column: no sideways scrolling
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": True})
        driver.get(player_page)
        assert driver.execute_script("return document.documentElement.clientWidth") == 360
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"at 360 px the page scrolls sideways by {overflow} px"
        element = driver.find_element("css selector", "#conv2d .d2l-anim-player")
        driver.execute_script("arguments[0].scrollIntoView()", element)
        element.screenshot(str(shots / "conv2d-phone.png"))
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        resources = driver.execute_script("return performance.getEntriesByType('resource').map((r) => r.name)")
        assert all(r.startswith(player_page.rsplit("/", 1)[0]) or r.startswith("data:") for r in resources), resources
    finally:
        driver.quit()
