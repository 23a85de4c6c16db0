"""Tensor operations taught in chapter 6: cross-correlation, pooling, shapes.

Each function here is the one its notebook shows, line for line (the loop
versions favour clarity over speed); `tests/test_notebook_functions.py` checks
that. The input checks, which the notebooks leave out, run first through
`checked_by` and raise a ValueError naming the parameter and the expected form.
"""
from __future__ import annotations

import torch

from .validation import checked_by

__all__ = ["corr2d", "pool2d", "comp_conv2d", "conv_output_shape"]


def _check_corr2d(X, K):
    if not (torch.is_tensor(X) and torch.is_tensor(K)) or X.dim() != 2 or K.dim() != 2:
        raise ValueError(f"corr2d: X and K must be 2-D tensors, got "
                         f"X.shape={tuple(getattr(X, 'shape', ()))}, "
                         f"K.shape={tuple(getattr(K, 'shape', ()))}")
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"corr2d: kernel K of shape {tuple(K.shape)} is larger than "
                         f"input X of shape {tuple(X.shape)}")


@checked_by(_check_corr2d)
def corr2d(X, K):
    """计算二维互相关运算。"""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def _check_pool2d(X, pool_size, mode='max'):
    if mode not in ('max', 'avg'):
        raise ValueError(f"pool2d: mode must be 'max' or 'avg', got {mode!r}")
    if not torch.is_tensor(X) or X.dim() != 2:
        raise ValueError(f"pool2d: X must be a 2-D tensor, got shape "
                         f"{tuple(getattr(X, 'shape', ()))}")
    if (not isinstance(pool_size, (tuple, list)) or len(pool_size) != 2
            or not all(isinstance(k, int) and k > 0 for k in pool_size)
            or pool_size[0] > X.shape[0] or pool_size[1] > X.shape[1]):
        raise ValueError(f"pool2d: pool_size must be a pair (k_h, k_w) of positive ints "
                         f"no larger than X of shape {tuple(X.shape)}, got {pool_size!r}")
    if mode == 'avg' and not X.is_floating_point():
        raise ValueError(f"pool2d: mode 'avg' needs a floating-point X, got {X.dtype} "
                         f"(use X.float())")


@checked_by(_check_pool2d)
def pool2d(X, pool_size, mode='max'):
    """二维最大汇聚或平均汇聚（步幅为 1，无填充）。"""
    k_h, k_w = pool_size  # 汇聚窗口的高和宽
    Y = torch.zeros((X.shape[0] - k_h + 1, X.shape[1] - k_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i, j] = X[i:i + k_h, j:j + k_w].max()
            elif mode == 'avg':
                Y[i, j] = X[i:i + k_h, j:j + k_w].mean()
    return Y


def comp_conv2d(conv2d, X):
    """对二维的 X 做一次单通道卷积，返回二维的输出。"""
    # 卷积层的输入通常是 (批量大小, 通道, 高, 宽)：先加上这两个维度，算完再去掉
    X = X.reshape((1, 1) + X.shape)
    Y = conv2d(X)
    return Y.reshape(Y.shape[2:])


def _check_conv_output_shape(n, k, p=0, s=1):
    if min(n, k, s) < 1 or p < 0:
        raise ValueError(f"conv_output_shape: need n, k, s >= 1 and p >= 0, "
                         f"got n={n}, k={k}, p={p}, s={s}")
    if k > n + p:
        raise ValueError(f"conv_output_shape: kernel k={k} is larger than "
                         f"the padded input n + p = {n + p}")


@checked_by(_check_conv_output_shape)
def conv_output_shape(n, k, p=0, s=1):
    """输出沿一个方向的长度：输入长 n，核长 k，总填充 p（两侧之和），步幅 s。"""
    return (n - k + p + s) // s
