"""corr2d, pool2d and the shape helpers: the spec's exact values, properties, bad input."""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

import d2lmini as d2l

X3 = torch.arange(9.0).reshape(3, 3)
K2 = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


def test_corr2d_spec_example():
    assert torch.equal(d2l.corr2d(X3, K2), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))


def test_corr2d_integer_input_gives_float():
    Y = d2l.corr2d(torch.arange(9).reshape(3, 3), torch.tensor([[0, 1], [2, 3]]))
    assert Y.dtype == torch.float32
    assert Y.tolist() == [[19.0, 25.0], [37.0, 43.0]]


def test_corr2d_edge_detection():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    Y = d2l.corr2d(X, K)
    expected = torch.zeros(6, 7)
    expected[:, 1], expected[:, 5] = 1, -1
    assert torch.equal(Y, expected)
    assert torch.equal(d2l.corr2d(X.t(), K), torch.zeros(8, 5))


def corr2d_multi_in(X, K):
    return sum(d2l.corr2d(x, k) for x, k in zip(X, K))


def test_multichannel_spec_values():
    X = torch.stack([X3, X3 + 1])
    K = torch.stack([K2, K2 + 1])
    assert corr2d_multi_in(X, K).tolist() == [[56, 72], [104, 120]]
    K3 = torch.stack((K, K + 1, K + 2))
    assert K3.shape == torch.Size([3, 2, 2, 2])
    Y = torch.stack([corr2d_multi_in(X, k) for k in K3])
    assert Y.tolist() == [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]]
    # The same numbers from PyTorch's own layer.
    assert torch.equal(F.conv2d(X.unsqueeze(0), K3)[0], Y)


def test_pool2d_spec_values():
    assert d2l.pool2d(X3, (2, 2)).tolist() == [[4, 5], [7, 8]]
    assert d2l.pool2d(X3, (2, 2), 'avg').tolist() == [[2, 3], [5, 6]]


def test_builtin_pooling_spec_values():
    X = torch.arange(16, dtype=torch.float32).reshape(1, 1, 4, 4)
    assert nn.MaxPool2d(3)(X).tolist() == [[[[10.0]]]]
    assert nn.MaxPool2d(3, padding=1, stride=2)(X).tolist() == [[[[5, 7], [13, 15]]]]
    assert nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))(X).tolist() == [[[[5, 7], [13, 15]]]]
    assert nn.MaxPool2d((2, 4), padding=(1, 2), stride=(2, 3))(X).tolist() == [[[[1, 3], [9, 11], [13, 15]]]]
    X2 = torch.cat((X, X + 1), 1)
    assert nn.MaxPool2d(3, padding=1, stride=2)(X2).tolist() == [[[[5, 7], [13, 15]], [[6, 8], [14, 16]]]]


@pytest.mark.parametrize("kernel, padding, stride, shape", [
    (3, 1, 1, (8, 8)), ((5, 3), (2, 1), 1, (8, 8)), (3, 1, 2, (4, 4)), ((3, 5), (0, 1), (3, 4), (2, 2))])
def test_comp_conv2d_spec_shapes(kernel, padding, stride, shape):
    conv = nn.Conv2d(1, 1, kernel_size=kernel, padding=padding, stride=stride)
    assert d2l.comp_conv2d(conv, torch.rand(8, 8)).shape == torch.Size(shape)


@given(n=st.integers(1, 12), k=st.integers(1, 7), p=st.integers(0, 3), s=st.integers(1, 4))
@settings(max_examples=80, deadline=None)
def test_conv_output_shape_matches_conv2d(n, k, p, s):
    if k > n + 2 * p:
        with pytest.raises(ValueError, match="kernel"):
            d2l.conv_output_shape(n, k, 2 * p, s)
        return
    conv = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
    out = conv(torch.zeros(1, 1, n, n))
    assert out.shape[-1] == d2l.conv_output_shape(n, k, 2 * p, s)  # p per side, 2p in all


@st.composite
def input_and_window(draw):
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    seed = draw(st.integers(0, 2**31 - 1))
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(h, w, generator=gen, dtype=torch.float64)
    K = torch.randn(kh, kw, generator=gen, dtype=torch.float64)
    return X, K


@given(input_and_window())
@settings(max_examples=60, deadline=None)
def test_corr2d_matches_conv2d(case):
    X, K = case
    expected = F.conv2d(X[None, None], K[None, None])[0, 0]
    Y = d2l.corr2d(X, K)
    # Like d2l's, the output is float32 whatever the input's dtype.
    assert Y.shape == expected.shape and Y.dtype == torch.float32
    torch.testing.assert_close(Y, expected.float(), rtol=1e-5, atol=1e-5)


@given(input_and_window())
@settings(max_examples=60, deadline=None)
def test_pool2d_matches_builtin_pooling(case):
    X, K = case
    size = tuple(K.shape)
    torch.testing.assert_close(d2l.pool2d(X, size, 'max'),
                               F.max_pool2d(X[None, None], size, stride=1)[0, 0].float())
    torch.testing.assert_close(d2l.pool2d(X, size, 'avg'),
                               F.avg_pool2d(X[None, None], size, stride=1)[0, 0].float())


@pytest.mark.parametrize("X, K, match", [
    (torch.ones(2, 2), torch.ones(3, 1), "kernel K of shape"),
    (torch.ones(2, 2), torch.ones(1, 3), "larger than input X"),
    (torch.ones(1, 3, 3), torch.ones(2, 2), "X and K must be 2-D"),
    (torch.ones(3, 3), torch.ones(2), "X and K must be 2-D"),
])
def test_corr2d_bad_input(X, K, match):
    with pytest.raises(ValueError, match=match):
        d2l.corr2d(X, K)


@pytest.mark.parametrize("pool_size, mode, match", [
    ((2, 2), 'min', "mode must be 'max' or 'avg'"),
    ((2, 2), 'MAX', "mode must be 'max' or 'avg'"),
    ((0, 2), 'max', "pool_size"),
    ((4, 1), 'max', "pool_size"),
    ((2,), 'avg', "pool_size"),
    ((2.0, 2.0), 'avg', "pool_size"),
    (-1, 'max', "pool_size"),
    (2, 'max', "pool_size must be a pair"),
])
def test_pool2d_bad_input(pool_size, mode, match):
    with pytest.raises(ValueError, match=match):
        d2l.pool2d(X3, pool_size, mode)


def test_pool2d_avg_rejects_integer_input():
    with pytest.raises(ValueError, match="mode 'avg' needs a floating-point X"):
        d2l.pool2d(torch.arange(9).reshape(3, 3), (2, 2), 'avg')


def test_checks_run_before_the_taught_code():
    # The exported function is the taught one behind its check.
    assert d2l.corr2d.__wrapped__(X3, K2).tolist() == [[19, 25], [37, 43]]
    with pytest.raises(ValueError):
        d2l.corr2d(X3, torch.ones(4, 4))


def test_pool2d_rejects_non_2d():
    with pytest.raises(ValueError, match="X must be a 2-D tensor"):
        d2l.pool2d(torch.ones(1, 3, 3), (2, 2))


def test_conv_output_shape_bad_input():
    with pytest.raises(ValueError, match="s >= 1"):
        d2l.conv_output_shape(8, 3, 0, 0)


def test_what_6_2_and_6_3_say_about_the_unchecked_code():
    # 6.2: the taught corr2d quietly returns an empty float32 tensor; d2l.corr2d says why it fails.
    empty = d2l.corr2d.__wrapped__(torch.ones(2, 2), torch.ones(3, 3))
    assert empty.shape == (0, 0) and empty.dtype == torch.float32
    with pytest.raises(ValueError, match=r"kernel K of shape \(3, 3\) is larger than input X"):
        d2l.corr2d(torch.ones(2, 2), torch.ones(3, 3))
    # 6.3: the bare formula gives 0 or less when the kernel does not fit; d2l's version raises.
    assert d2l.conv_output_shape.__wrapped__(3, 5) == -1
    assert d2l.conv_output_shape.__wrapped__(3, 4, 0, 2) == 0
    with pytest.raises(ValueError, match="larger than the padded input n \\+ p = 3"):
        d2l.conv_output_shape(3, 5)
    # p is the total padding: padding=1 per side is p = 2.
    assert d2l.conv_output_shape(8, 3, 2, 1) == 8
