"""Tests of d2lmini.architecture: LeNet's layer shapes and its data-flow figure."""
import matplotlib

matplotlib.use('Agg')

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from torch import nn  # noqa: E402

import d2lmini as d2l  # noqa: E402
from d2lmini import architecture  # noqa: E402

# The spec's layer-by-layer output shapes of LeNet on a (1, 1, 28, 28) input.
LENET_SHAPES = [(1, 6, 28, 28), (1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10),
                (1, 16, 10, 10), (1, 16, 5, 5), (1, 400), (1, 120), (1, 120),
                (1, 84), (1, 84), (1, 10)]


def relu_maxpool_lenet():
    return d2l.lenet(nn.ReLU, nn.MaxPool2d)


@pytest.fixture
def lenet_fig():
    fig = d2l.plot_lenet()
    yield fig
    plt.close(fig)


def texts_top_to_bottom(fig):
    """Every text of the figure's axes, sorted from the top of the figure down, then left to right."""
    ax = fig.axes[0]
    items = [(t.get_position()[1], t.get_position()[0], t.get_text()) for t in ax.texts]
    return [text for _, _, text in sorted(items, key=lambda item: (-item[0], item[1]))]


def box_labels(fig):
    """The label inside each layer box, top to bottom (the text centred on the box)."""
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    labels = []
    for box in sorted(boxes, key=lambda b: -b.get_y()):
        cx, cy = box.get_x() + box.get_width() / 2, box.get_y() + box.get_height() / 2
        inside = [t.get_text() for t in ax.texts if t.get_position() == pytest.approx((cx, cy))]
        assert len(inside) == 1, f"box at y={box.get_y()} has texts {inside}"
        labels.append(inside[0])
    return labels


def test_exported_names():
    for name in architecture.__all__:
        assert name in d2l.__all__
        assert getattr(d2l, name) is getattr(architecture, name)


def test_layer_shapes_of_lenet_match_the_spec():
    shapes = d2l.layer_shapes(d2l.lenet())
    assert [shape for _, shape in shapes] == LENET_SHAPES
    assert [type(layer).__name__ for layer, _ in shapes][:3] == ['Conv2d', 'Sigmoid', 'AvgPool2d']


def test_layer_shapes_other_input_and_errors():
    net = nn.Sequential(nn.Conv2d(3, 4, kernel_size=3), nn.Flatten())
    shapes = d2l.layer_shapes(net, (2, 3, 8, 8))
    assert [s for _, s in shapes] == [(2, 4, 6, 6), (2, 144)]
    with pytest.raises(TypeError, match="nn.Sequential"):
        d2l.layer_shapes(nn.Conv2d(1, 1, 3))


def test_layer_shapes_does_not_record_gradients():
    net = d2l.lenet()
    d2l.layer_shapes(net)
    assert all(p.grad is None for p in net.parameters())


def test_describe_layer():
    assert d2l.describe_layer(nn.Conv2d(1, 6, kernel_size=5, padding=2)) == "Conv2d 1->6, 5x5, padding=2"
    assert d2l.describe_layer(nn.Conv2d(6, 16, kernel_size=5)) == "Conv2d 6->16, 5x5"
    assert (d2l.describe_layer(nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)))
            == "Conv2d 1->1, 3x5, padding=(0, 1), stride 3x4")
    assert d2l.describe_layer(nn.AvgPool2d(kernel_size=2, stride=2)) == "AvgPool2d 2x2, stride 2"
    assert d2l.describe_layer(nn.MaxPool2d(3, padding=1, stride=2)) == "MaxPool2d 3x3, stride 2, padding=1"
    assert d2l.describe_layer(nn.Linear(400, 120)) == "Linear 400->120"
    assert d2l.describe_layer(nn.Flatten()) == "Flatten"


def test_plot_lenet_returns_a_figure(lenet_fig):
    assert isinstance(lenet_fig, Figure)
    assert len(lenet_fig.axes) == 1


def test_plot_lenet_boxes_and_labels(lenet_fig):
    assert box_labels(lenet_fig) == [
        "Input image",
        "Conv2d 1->6, 5x5, padding=2 + Sigmoid",
        "AvgPool2d 2x2, stride 2",
        "Conv2d 6->16, 5x5 + Sigmoid",
        "AvgPool2d 2x2, stride 2",
        "Flatten",
        "Linear 400->120 + Sigmoid",
        "Linear 120->84 + Sigmoid",
        "Linear 84->10",
    ]


def test_plot_lenet_shapes_in_order(lenet_fig):
    texts = texts_top_to_bottom(lenet_fig)
    shapes = [t for t in texts if t and t[0].isdigit() and (' x ' in t or t in ('400', '120', '84', '10'))]
    assert shapes == ["1 x 28 x 28", "6 x 28 x 28", "6 x 14 x 14", "16 x 10 x 10", "16 x 5 x 5",
                      "400", "120", "84", "10"]


def test_plot_lenet_parameter_counts(lenet_fig):
    counts = [t for t in texts_top_to_bottom(lenet_fig) if t.replace(',', '').isdigit()
              and (',' in t or t in ('0', '156', '850'))]
    assert counts == ['156', '0', '2,416', '0', '0', '48,120', '10,164', '850']
    net = d2l.lenet()
    assert sum(p.numel() for p in net.parameters()) == 61706
    assert lenet_fig.axes[0].get_title() == "LeNet-5: data flow for one 1 x 28 x 28 input (61,706 parameters)"


def test_plot_lenet_text_is_ascii(lenet_fig):
    texts = [t.get_text() for t in lenet_fig.axes[0].texts] + [lenet_fig.axes[0].get_title()]
    assert texts and all(t.isascii() for t in texts)


def test_plot_lenet_arrows_join_consecutive_boxes(lenet_fig):
    ax = lenet_fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if not isinstance(p, FancyBboxPatch)]
    assert len(arrows) == len(boxes) - 1 == 8


def test_plot_other_net_relu_maxpool():
    fig = d2l.plot_lenet(relu_maxpool_lenet(), name="LeNet-5 (ReLU, max)")
    try:
        labels = box_labels(fig)
        assert labels[1] == "Conv2d 1->6, 5x5, padding=2 + ReLU"
        assert labels[2] == "MaxPool2d 2x2, stride 2"
        assert not any('Sigmoid' in label for label in labels)
        assert fig.axes[0].get_title().startswith("LeNet-5 (ReLU, max): data flow")
    finally:
        plt.close(fig)


def test_plot_lenet_leaves_net_unchanged():
    torch.manual_seed(0)
    net = relu_maxpool_lenet()
    before = [p.clone() for p in net.parameters()]
    fig = d2l.plot_lenet(net, title="custom title")
    try:
        assert fig.axes[0].get_title() == "custom title"
    finally:
        plt.close(fig)
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_lenet_variant_defaults_are_lenet_with_the_same_initial_parameters():
    for act, pool in [(nn.Sigmoid, nn.AvgPool2d), (nn.ReLU, nn.MaxPool2d)]:
        torch.manual_seed(3)
        a = d2l.lenet(act, pool)
        torch.manual_seed(3)
        b = d2l.lenet_variant(act, pool)
        assert [type(m) for m in a] == [type(m) for m in b]
        sa, sb = a.state_dict(), b.state_dict()
        assert list(sa) == list(sb) and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.mark.parametrize("k, channels, hidden", [(3, (16, 32), (256, 128)), (7, (6, 16), (120,)),
                                                 (5, (8, 8), ()), (1, (2, 3), (5, 5, 5))])
def test_lenet_variant_shapes(k, channels, hidden):
    net = d2l.lenet_variant(nn.ReLU, nn.MaxPool2d, k, channels, hidden)
    shapes = [s for _, s in d2l.layer_shapes(net)]
    side = (14 - k + 1) // 2
    assert shapes[0] == (1, channels[0], 28, 28)
    assert (1, channels[1], side, side) in shapes
    assert shapes[-1] == (1, 10)
    assert sum(isinstance(m, nn.Linear) for m in net) == len(hidden) + 1


@pytest.mark.parametrize("kwargs, match", [({"kernel_size": 4}, "kernel_size"),
                                           ({"channels": (6,)}, "channels"),
                                           ({"hidden": (0,)}, "hidden")])
def test_lenet_variant_rejects_bad_knobs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        d2l.lenet_variant(**kwargs)
