"""Figures of network architectures (LeNet's data flow), drawn by code.

Every function returns a matplotlib Figure; plot text is ASCII only.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

__all__ = ["lenet", "lenet_variant", "layer_shapes", "describe_layer", "plot_lenet"]

# Layers that act on each element and keep the shape: drawn inside the box before them.
_ELEMENTWISE = (nn.Sigmoid, nn.ReLU, nn.Tanh, nn.LeakyReLU, nn.GELU, nn.ELU, nn.SiLU,
                nn.Dropout)

LENET_ROW_IN = 0.34  # height of one layer's row in plot_lenet (inches)

_COLORS = {'input': '#f0f0f0', 'conv': '#9ecae1', 'pool': '#a1d99b', 'flatten': '#f0f0f0',
           'linear': '#fdae6b', 'other': '#dadaeb'}


def lenet(activation=nn.Sigmoid, pooling=nn.AvgPool2d):
    """LeNet-5（去掉了原论文最后的高斯层）；activation、pooling 是激活函数和汇聚层的类。"""
    return nn.Sequential(
        # 卷积块 1：1 -> 6 个通道，5x5 核，每侧填充 2，28x28 保持不变；汇聚后 14x14
        nn.Conv2d(1, 6, kernel_size=5, padding=2), activation(),
        pooling(kernel_size=2, stride=2),
        # 卷积块 2：6 -> 16 个通道，5x5 核不填充，14x14 变成 10x10；汇聚后 5x5
        nn.Conv2d(6, 16, kernel_size=5), activation(),
        pooling(kernel_size=2, stride=2),
        # 全连接部分：每个样本展平成 16*5*5 = 400 维，经过 120、84 个单元到 10 个类别
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), activation(),
        nn.Linear(120, 84), activation(),
        nn.Linear(84, 10))


def lenet_variant(activation=nn.Sigmoid, pooling=nn.AvgPool2d, kernel_size=5,
                  channels=(6, 16), hidden=(120, 84)):
    """LeNet with some of its knobs changed: the networks of the 6.6 study and 6.7 ablation.

    kernel_size: an odd k for both convolutions; the first pads (k - 1) // 2 on each
    side so 28x28 stays 28x28, the second does not pad. channels: the two
    convolutions' output channels. hidden: the widths of the fully connected
    layers before the 10 outputs. With the defaults it builds the same layers, in
    the same order, as lenet(activation, pooling), so the same seed gives the same
    initial parameters.
    """
    if not (isinstance(kernel_size, int) and kernel_size % 2 == 1 and 1 <= kernel_size <= 13):
        raise ValueError(f"lenet_variant: kernel_size must be an odd int from 1 to 13, "
                         f"got {kernel_size!r}")
    if len(channels) != 2 or not all(isinstance(c, int) and c > 0 for c in channels):
        raise ValueError(f"lenet_variant: channels must be two positive ints, got {channels!r}")
    if not all(isinstance(h, int) and h > 0 for h in hidden):
        raise ValueError(f"lenet_variant: hidden must be positive ints, got {hidden!r}")
    k, (c1, c2) = kernel_size, channels
    side = (28 // 2 - k + 1) // 2  # after the unpadded second convolution and pooling
    layers = [nn.Conv2d(1, c1, kernel_size=k, padding=(k - 1) // 2), activation(),
              pooling(kernel_size=2, stride=2),
              nn.Conv2d(c1, c2, kernel_size=k), activation(),
              pooling(kernel_size=2, stride=2),
              nn.Flatten()]
    width = c2 * side * side
    for h in hidden:
        layers += [nn.Linear(width, h), activation()]
        width = h
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)

def layer_shapes(net, input_shape=(1, 1, 28, 28)):
    """Run a zero tensor of input_shape through the layers of an nn.Sequential.

    Returns a list of (layer, output shape as a tuple), one entry per layer, in order.
    """
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"layer_shapes: net must be an nn.Sequential, got {type(net).__name__}")
    param = next(iter(net.parameters()), None)
    device = param.device if param is not None else torch.device('cpu')
    X = torch.zeros(input_shape, device=device)
    shapes = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            shapes.append((layer, tuple(X.shape)))
    return shapes


def _size_text(value):
    """'5x5' for 5 or (5, 5); '2x3' for (2, 3)."""
    h, w = (value, value) if isinstance(value, int) else tuple(value)
    return f"{h}x{w}"


def _short_text(value):
    """'2' for 2 or (2, 2); '2x1' for (2, 1)."""
    h, w = (value, value) if isinstance(value, int) else tuple(value)
    return f"{h}" if h == w else f"{h}x{w}"


def _per_side(padding):
    """PyTorch's padding= as written in code (per side; the book's p is twice it): '2', '(0, 1)'."""
    h, w = (padding, padding) if isinstance(padding, int) else tuple(padding)
    return f"{h}" if h == w else f"({h}, {w})"


def _is_zero(value):
    return value == 0 or (not isinstance(value, int) and all(v == 0 for v in value))


def describe_layer(layer):
    """A short ASCII description of one layer, e.g. 'Conv2d 1->6, 5x5, padding=2'."""
    name = type(layer).__name__
    if isinstance(layer, nn.Conv2d):
        text = f"{name} {layer.in_channels}->{layer.out_channels}, {_size_text(layer.kernel_size)}"
        if isinstance(layer.padding, str):
            text += f", padding={layer.padding}"
        elif not _is_zero(layer.padding):
            text += f", padding={_per_side(layer.padding)}"
        if _short_text(layer.stride) != '1':
            text += f", stride {_short_text(layer.stride)}"
        return text
    if isinstance(layer, (nn.AvgPool2d, nn.MaxPool2d)):
        text = f"{name} {_size_text(layer.kernel_size)}, stride {_short_text(layer.stride)}"
        if not _is_zero(layer.padding):
            text += f", padding={_per_side(layer.padding)}"
        return text
    if isinstance(layer, nn.Linear):
        return f"{name} {layer.in_features}->{layer.out_features}"
    return name


def _kind(layer):
    if isinstance(layer, nn.Conv2d):
        return 'conv'
    if isinstance(layer, (nn.AvgPool2d, nn.MaxPool2d)):
        return 'pool'
    if isinstance(layer, nn.Linear):
        return 'linear'
    if isinstance(layer, nn.Flatten):
        return 'flatten'
    return 'other'


def _shape_text(shape):
    """Shape without the batch axis: (1, 6, 28, 28) -> '6 x 28 x 28'."""
    return " x ".join(str(d) for d in shape[1:])


def _boxes(net, input_shape):
    """One box per layer that changes the data; elementwise layers join the box before them."""
    boxes = [{'label': 'Input image', 'shape': _shape_text(input_shape), 'params': 0,
              'kind': 'input'}]
    for layer, shape in layer_shapes(net, input_shape):
        n_params = sum(p.numel() for p in layer.parameters())
        if isinstance(layer, _ELEMENTWISE) and n_params == 0:
            boxes[-1]['label'] += f" + {type(layer).__name__}"
            continue
        boxes.append({'label': describe_layer(layer), 'shape': _shape_text(shape),
                      'params': n_params, 'kind': _kind(layer)})
    return boxes


def plot_lenet(net=None, input_shape=(1, 1, 28, 28), name='LeNet-5', title=None):
    """Draw the data flow of a sequential CNN (LeNet-5 by default) and return the Figure.

    Top to bottom, one box per layer with its parameter count on the left and
    the shape of its output (batch axis dropped) on the right. Elementwise
    layers such as Sigmoid or ReLU keep the shape and are written inside the
    box of the layer before them. The shapes come from running a zero tensor
    of ``input_shape`` through ``net``. The default title starts with ``name``
    and gives the total parameter count.
    """
    if net is None:
        net = lenet()
    boxes = _boxes(net, input_shape)
    total = sum(box['params'] for box in boxes)
    if title is None:
        title = f"{name}: data flow for one {_shape_text(input_shape)} input ({total:,} parameters)"
    n = len(boxes)
    # LENET_ROW_IN per layer: LeNet's 9 boxes fit the printed page (plotting.PRINT_HEIGHT_IN)
    fig, ax = plt.subplots(figsize=(6.4, LENET_ROW_IN * (n + 1) + 0.35))
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.1, n + 0.6)
    ax.axis('off')
    x0, width, height = 1.9, 5.0, 0.66
    ax.text(x0 - 0.2, n + 0.15, 'parameters', ha='right', va='center', fontsize=8,
            color='0.35', style='italic')
    ax.text(x0 + width / 2, n + 0.15, 'layer', ha='center', va='center', fontsize=8,
            color='0.35', style='italic')
    ax.text(x0 + width + 0.25, n + 0.15, 'output shape', ha='left', va='center', fontsize=8,
            color='0.35', style='italic')
    for i, box in enumerate(boxes):
        y = n - 1 - i  # bottom edge of box i; the input sits at the top
        patch = FancyBboxPatch((x0, y + (1 - height) / 2), width, height,
                               boxstyle='round,pad=0,rounding_size=0.12',
                               facecolor=_COLORS[box['kind']], edgecolor='0.3', linewidth=0.8)
        patch.set_gid(f"layer-box-{i}")
        ax.add_patch(patch)
        ax.text(x0 + width / 2, y + 0.5, box['label'], ha='center', va='center', fontsize=9)
        ax.text(x0 + width + 0.25, y + 0.5, box['shape'], ha='left', va='center', fontsize=9,
                family='monospace')
        if box['kind'] != 'input':
            ax.text(x0 - 0.2, y + 0.5, f"{box['params']:,}", ha='right', va='center',
                    fontsize=8, color='0.35')
        if i > 0:  # arrow from the box above into this one
            ax.add_patch(FancyArrowPatch((x0 + width / 2, y + 1 + (1 - height) / 2),
                                         (x0 + width / 2, y + 1 - (1 - height) / 2),
                                         arrowstyle='-|>', mutation_scale=7, color='0.3',
                                         linewidth=0.8))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
