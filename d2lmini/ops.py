"""Tensor operations taught in chapter 6: cross-correlation, pooling, shapes.

The loop versions here are the ones the notebooks show; they favour clarity
over speed. `tests/test_notebook_functions.py` checks that each notebook
defines them with exactly this code.
"""
from __future__ import annotations

import torch

__all__ = ["corr2d", "pool2d", "comp_conv2d", "conv_output_shape"]


def corr2d(X, K):
    """Return the 2-D cross-correlation of input X with kernel K (loop version)."""
    if X.dim() != 2 or K.dim() != 2:
        raise ValueError(f"corr2d: X and K must be 2-D tensors, got "
                         f"X.shape={tuple(X.shape)}, K.shape={tuple(K.shape)}")
    h, w = K.shape
    if h > X.shape[0] or w > X.shape[1]:
        raise ValueError(f"corr2d: kernel K of shape {tuple(K.shape)} is larger than "
                         f"input X of shape {tuple(X.shape)}")
    # Integer inputs give a float32 result; float64 inputs keep their precision.
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1),
                    dtype=torch.promote_types(X.dtype, torch.float32))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def pool2d(X, pool_size, mode='max'):
    """Return the 2-D max or average pooling of X with stride 1 (loop version)."""
    if mode not in ('max', 'avg'):
        raise ValueError(f"pool2d: mode must be 'max' or 'avg', got {mode!r}")
    if X.dim() != 2:
        raise ValueError(f"pool2d: X must be a 2-D tensor, got shape {tuple(X.shape)}")
    if isinstance(pool_size, int):
        pool_size = (pool_size, pool_size)
    if (len(pool_size) != 2
            or not all(isinstance(p, int) and p > 0 for p in pool_size)
            or pool_size[0] > X.shape[0] or pool_size[1] > X.shape[1]):
        raise ValueError(f"pool2d: pool_size must be a positive int or (p_h, p_w) no "
                         f"larger than X of shape {tuple(X.shape)}, got {pool_size!r}")
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1),
                    dtype=torch.promote_types(X.dtype, torch.float32))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            Y[i, j] = window.max() if mode == 'max' else window.to(Y.dtype).mean()
    return Y


def comp_conv2d(conv2d, X):
    """Apply a one-channel conv2d layer to a 2-D X; return the 2-D output."""
    # The layer expects (batch, channel, height, width): add both axes, then drop them.
    X = X.reshape((1, 1) + X.shape)
    Y = conv2d(X)
    return Y.reshape(Y.shape[2:])


def conv_output_shape(n, k, p=0, s=1):
    """Output length of a convolution along one axis.

    n: input length, k: kernel length, p: total padding (both sides together),
    s: stride. Returns floor((n - k + p + s) / s).
    """
    if min(n, k, s) < 1 or p < 0:
        raise ValueError(f"conv_output_shape: need n, k, s >= 1 and p >= 0, "
                         f"got n={n}, k={k}, p={p}, s={s}")
    if k > n + p:
        raise ValueError(f"conv_output_shape: kernel k={k} is larger than "
                         f"the padded input n + p = {n + p}")
    return (n - k + p + s) // s
