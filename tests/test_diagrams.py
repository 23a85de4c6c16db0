"""Tests for d2lmini.diagrams: each figure draws the numbers of the tensors it is given.

A figure is read back through its artists: every cell square and cell number
carries its grid's name as gid, and the worked sums carry gid 'equation'.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch.nn import functional as F  # noqa: E402

import d2lmini as d2l  # noqa: E402

X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def cells(fig, name):
    """The grid called name as a list of rows of (text, fill colour), read from the figure."""
    ax = fig.axes[0]
    fills = {}
    for p in ax.patches:
        if p.get_gid() == name:
            x, y = p.get_xy()
            fills[(round(y + 0.5, 3), round(x + 0.5, 3))] = to_hex(p.get_facecolor())
    texts = {}
    for t in ax.texts:
        if t.get_gid() == name:
            x, y = t.get_position()
            texts[(round(y, 3), round(x, 3))] = t.get_text()
    assert texts and set(texts) == set(fills), f"grid {name!r}: every cell needs one square and one number"
    rows = sorted({y for y, _ in texts})
    return [[(texts[(y, x)], fills[(y, x)]) for x in sorted(x for yy, x in texts if yy == y)] for y in rows]


def numbers(fig, name):
    """The grid's numbers as a list of rows of strings."""
    return [[s for s, _ in row] for row in cells(fig, name)]


def highlighted(fig, name):
    """Map fill colour -> sorted numbers of the grid's cells with that colour (white and grey left out)."""
    groups = {}
    for row in cells(fig, name):
        for s, colour in row:
            if colour not in ("#ffffff", to_hex(d2l.diagrams.PAD_FILL)):
                groups.setdefault(colour, []).append(s)
    return {c: sorted(v, key=float) for c, v in groups.items()}


def texts_with_gid(fig, gid):
    """The texts of the artists with this gid; a title wrapped onto two lines reads as one."""
    return [t.get_text().replace(",\n", ", ").replace("\n", " ") for t in fig.axes[0].texts
            if t.get_gid() == gid]


def as_strings(T):
    return [[d2l.diagrams._fmt(v) for v in row] for row in T.tolist()]


def check_layout(fig):
    """Every text is ASCII, lies inside the figure, and every cell number fits inside its cell."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    fig_box = fig.bbox
    squares = [(p.get_gid(), p.get_window_extent(renderer)) for p in ax.patches if ":" not in (p.get_gid() or ":")]
    for t in ax.texts:
        assert t.get_text().isascii(), t.get_text()
        box = t.get_window_extent(renderer)
        assert fig_box.x0 - 1 <= box.x0 and box.x1 <= fig_box.x1 + 1, f"{t.get_text()!r} is cut off"
        assert fig_box.y0 - 1 <= box.y0 and box.y1 <= fig_box.y1 + 1, f"{t.get_text()!r} is cut off"
        if t.get_gid() in {gid for gid, _ in squares}:
            cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
            home = [sq for gid, sq in squares if gid == t.get_gid() and sq.contains(cx, cy)]
            assert len(home) == 1 and home[0].x0 < box.x0 and box.x1 < home[0].x1, \
                f"number {t.get_text()!r} of grid {t.get_gid()!r} does not fit in its cell"


def test_corr2d_draws_the_window_that_gives_19():
    fig = d2l.plot_corr2d(X, K)
    assert isinstance(fig, Figure) and fig.number in plt.get_fignums()
    assert numbers(fig, "input") == as_strings(X)
    assert numbers(fig, "kernel") == as_strings(K)
    assert numbers(fig, "output") == as_strings(d2l.corr2d(X, K)) == [["19", "25"], ["37", "43"]]
    assert list(highlighted(fig, "input").values()) == [["0", "1", "3", "4"]]
    assert list(highlighted(fig, "output").values()) == [["19"]]
    # The window and its output cell share one colour.
    assert highlighted(fig, "input").keys() == highlighted(fig, "output").keys()
    assert texts_with_gid(fig, "equation") == ["0*0 + 1*1 + 3*2 + 4*3 = 19"]
    # The book writes cross-correlation as a star; * is convolution.
    assert texts_with_gid(fig, "operator") == [d2l.diagrams.CORR, "="]
    check_layout(fig)


def test_corr2d_other_window_and_integer_input():
    fig = d2l.plot_corr2d(torch.arange(9).reshape(3, 3), K.long(), window=(1, 1))
    assert list(highlighted(fig, "input").values()) == [["4", "5", "7", "8"]]
    assert list(highlighted(fig, "output").values()) == [["43"]]
    assert texts_with_gid(fig, "equation") == ["4*0 + 5*1 + 7*2 + 8*3 = 43"]


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2), st.integers(0, 2), st.integers(0, 10 ** 6))
def test_corr2d_output_matches_corr2d(kh, kw, extra_h, extra_w, seed):
    gen = torch.Generator().manual_seed(seed)
    A = torch.randint(-9, 10, (kh + extra_h, kw + extra_w), generator=gen).float()
    B = torch.randint(-3, 4, (kh, kw), generator=gen).float()
    fig = d2l.plot_corr2d(A, B, window=(extra_h, extra_w))
    assert numbers(fig, "output") == as_strings(d2l.corr2d(A, B))
    equation, = texts_with_gid(fig, "equation")
    assert equation.endswith(f"= {d2l.diagrams._fmt(d2l.corr2d(A, B)[extra_h, extra_w])}")
    plt.close(fig)


@pytest.mark.parametrize("args, message", [
    ((torch.arange(3.0), K), "2-D"),
    ((X, torch.ones(4, 4)), "larger"),
    ((X, K, (2, 0)), "outside"),
])
def test_corr2d_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        d2l.plot_corr2d(*args)


def test_padding_shows_the_zero_border():
    fig = d2l.plot_padding(X, K, padding=1)
    grid = cells(fig, "input")
    assert len(grid) == 5 and all(len(row) == 5 for row in grid)
    assert numbers(fig, "input") == as_strings(F.pad(X, (1, 1, 1, 1)))
    grey = [t for t in fig.axes[0].texts if t.get_gid() == "input" and t.get_color() != "black"]
    assert len(grey) == 16 and {t.get_text() for t in grey} == {"0"}
    assert numbers(fig, "output") == as_strings(d2l.corr2d(F.pad(X, (1, 1, 1, 1)), K))
    assert len(numbers(fig, "output")) == 4  # n - k + 2p + 1 = 3 - 2 + 2 + 1
    assert list(highlighted(fig, "input").values()) == [["0", "0", "0", "0"]]
    # The shaded window covers X[0, 0] (inside the dashed frame), not only padding.
    frame_cells = [t for t in fig.axes[0].texts if t.get_gid() == "input" and t.get_color() == "black"]
    assert len(frame_cells) == 9
    # padding= is per side, as in PyTorch; the book's p (the total) would be 2.
    assert texts_with_gid(fig, "input:title") == ["input X, padding=1 per side"]
    assert texts_with_gid(fig, "operator") == [d2l.diagrams.CORR, "="]
    check_layout(fig)


def test_padding_per_axis():
    fig = d2l.plot_padding(X, K, padding=(2, 0), window=(1, 0))
    assert numbers(fig, "input") == as_strings(F.pad(X, (0, 0, 2, 2)))
    assert list(highlighted(fig, "input").values()) == [["0", "0", "0", "1"]]
    assert texts_with_gid(fig, "input:title") == ["input X, padding=(2, 0) per side"]
    with pytest.raises(ValueError, match="padding"):
        d2l.plot_padding(X, K, padding=-1)


def test_stride_gives_8_and_6():
    fig = d2l.plot_stride(X, K, padding=1, stride=(3, 2))
    conv = torch.nn.Conv2d(1, 1, 2, padding=1, stride=(3, 2), bias=False)
    conv.weight.data = K.reshape(1, 1, 2, 2)
    assert numbers(fig, "output") == as_strings(conv(X.reshape(1, 1, 3, 3))[0, 0].detach())
    assert numbers(fig, "output") == [["0", "8"], ["6", "8"]]
    windows, outputs = highlighted(fig, "input"), highlighted(fig, "output")
    assert len(windows) == 2 and windows.keys() == outputs.keys()
    by_output = {outputs[c][0]: windows[c] for c in windows}
    assert by_output == {"8": ["0", "0", "1", "2"], "6": ["0", "0", "0", "6"]}
    assert texts_with_gid(fig, "equation") == ["0*0 + 0*1 + 1*2 + 2*3 = 8", "0*0 + 6*1 + 0*2 + 0*3 = 6"]
    assert texts_with_gid(fig, "input:title") == ["input X, padding=1 per side"]
    assert texts_with_gid(fig, "output:title") == ["output, stride (3, 2)"]
    check_layout(fig)


def test_stride_rejects_bad_input():
    with pytest.raises(ValueError, match="stride"):
        d2l.plot_stride(X, K, stride=0)
    with pytest.raises(ValueError, match="outside"):
        d2l.plot_stride(X, K, windows=[(2, 0)])
    with pytest.raises(ValueError, match="larger"):
        d2l.plot_stride(X, torch.ones(6, 6), padding=1)


def test_receptive_field_of_one_and_two_layers():
    fig = d2l.plot_receptive_field(X, K)
    Y = d2l.corr2d(X, K)
    Z = d2l.corr2d(Y, K)
    assert numbers(fig, "output") == as_strings(Y)
    assert numbers(fig, "output2") == as_strings(Z) == [["228"]]
    assert list(highlighted(fig, "input").values()) == [["0", "1", "3", "4"]]
    assert list(highlighted(fig, "output").values()) == [["19"]]
    assert [len(v) for v in highlighted(fig, "input2").values()] == [9]
    assert [len(v) for v in highlighted(fig, "hidden2").values()] == [4]
    first, second = texts_with_gid(fig, "caption")
    assert "= 19 sees 4 inputs" in first and "= 228 sees 4 cells of Y and 9 inputs" in second
    # Top row X star K = Y; bottom row X star K -> Y, then Y star K = Z (never "X star K = Y star K").
    star = d2l.diagrams.CORR
    assert texts_with_gid(fig, "operator") == [star, "=", star, "->", star, "="]
    check_layout(fig)


def test_receptive_field_rejects_a_second_kernel_that_does_not_fit():
    with pytest.raises(ValueError):
        d2l.plot_receptive_field(X, K, torch.ones(3, 3))


def test_multi_in_gives_56():
    Xm, Km = torch.stack((X, X + 1)), torch.stack((K, K + 1))
    fig = d2l.plot_corr2d_multi_in(Xm, Km)
    assert numbers(fig, "output") == [["56", "72"], ["104", "120"]]
    assert numbers(fig, "input1") == as_strings(X + 1) and numbers(fig, "kernel1") == as_strings(K + 1)
    assert list(highlighted(fig, "input0").values()) == [["0", "1", "3", "4"]]
    assert list(highlighted(fig, "input1").values()) == [["1", "2", "4", "5"]]
    assert texts_with_gid(fig, "equation") == ["(0*0 + 1*1 + 3*2 + 4*3) + (1*1 + 2*2 + 4*3 + 5*4) = 56"]
    assert texts_with_gid(fig, "operator").count("+") == 1
    # Cross-correlation is drawn as the star, as in the text; '*' means convolution.
    assert texts_with_gid(fig, "operator").count(d2l.diagrams.CORR) == 2
    assert "*" not in texts_with_gid(fig, "operator")
    check_layout(fig)


def test_multi_in_rejects_bad_input():
    with pytest.raises(ValueError, match="channels"):
        d2l.plot_corr2d_multi_in(torch.stack((X, X)), K.unsqueeze(0))
    with pytest.raises(ValueError, match="3-D"):
        d2l.plot_corr2d_multi_in(X, K)


def test_conv1x1_mixes_channels_per_pixel():
    torch.manual_seed(0)
    Xc, Kc = torch.randn(3, 3, 3), torch.randn(2, 3, 1, 1)
    fig = d2l.plot_conv1x1(Xc, Kc, pixel=(1, 2))
    Y = F.conv2d(Xc.unsqueeze(0).double(), Kc.double())[0]
    for o in range(2):
        assert numbers(fig, f"output{o}") == as_strings(Y[o])
        assert list(highlighted(fig, f"output{o}").values()) == [[as_strings(Y[o])[1][2]]]
    for c in range(3):
        assert numbers(fig, f"input{c}") == as_strings(Xc[c])
        assert list(highlighted(fig, f"input{c}").values()) == [[as_strings(Xc[c])[1][2]]]
    assert numbers(fig, "kernel") == as_strings(Kc[:, :, 0, 0])
    assert texts_with_gid(fig, "kernel:title") == ["W = K[:,:,0,0]"]  # the W of the text
    assert texts_with_gid(fig, "operator") == [d2l.diagrams.CORR, "="]
    equations = texts_with_gid(fig, "equation")
    assert len(equations) == 2 and equations[1].startswith("Y[1,1,2] = ")
    assert equations[1].endswith(f"= {as_strings(Y[1])[1][2]}")
    check_layout(fig)


def test_conv1x1_rejects_bad_kernel():
    with pytest.raises(ValueError, match="c_o, c_i, 1, 1"):
        d2l.plot_conv1x1(torch.ones(3, 2, 2), torch.ones(2, 3, 2, 2))
    with pytest.raises(ValueError, match="c_o, c_i, 1, 1"):
        d2l.plot_conv1x1(torch.ones(3, 2, 2), torch.ones(2, 4, 1, 1))


def test_pool2d_max_and_avg():
    fig = d2l.plot_pool2d(X, (2, 2))
    assert numbers(fig, "output") == as_strings(d2l.pool2d(X, (2, 2))) == [["4", "5"], ["7", "8"]]
    assert list(highlighted(fig, "input").values()) == [["0", "1", "3", "4"]]
    assert texts_with_gid(fig, "equation") == ["max(0, 1, 3, 4) = 4"]
    # The window is k_h x k_w (the letter p is only padding in the book).
    assert texts_with_gid(fig, "output:title") == ["2x2 max pooling"]
    check_layout(fig)
    fig = d2l.plot_pool2d(torch.arange(9).reshape(3, 3), (2, 2), mode="avg", window=(1, 0))
    assert numbers(fig, "output") == [["2", "3"], ["5", "6"]]
    assert list(highlighted(fig, "input").values()) == [["3", "4", "6", "7"]]
    assert texts_with_gid(fig, "equation") == ["mean(3, 4, 6, 7) = 5"]
    assert texts_with_gid(fig, "output:title") == ["2x2 average pooling"]
    check_layout(fig)


def test_pool2d_window_of_another_shape():
    fig = d2l.plot_pool2d(X, (1, 3), window=(2, 0))
    assert numbers(fig, "output") == [["2"], ["5"], ["8"]]
    assert list(highlighted(fig, "input").values()) == [["6", "7", "8"]]
    assert texts_with_gid(fig, "output:title") == ["1x3 max pooling"]


def test_pool2d_rejects_bad_input():
    with pytest.raises(ValueError, match="mode"):
        d2l.plot_pool2d(X, (2, 2), mode="min")
    with pytest.raises(ValueError, match="outside"):
        d2l.plot_pool2d(X, (2, 2), window=(0, 2))
    with pytest.raises(ValueError, match="pool_size must be a pair"):  # like pool2d, no bare int
        d2l.plot_pool2d(X, 2)


def test_all_public_names_are_exported():
    for name in d2l.diagrams.__all__:
        assert getattr(d2l, name) is getattr(d2l.diagrams, name)
