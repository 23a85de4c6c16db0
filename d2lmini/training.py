"""Training helpers: devices, timing, accuracy, and the chapter-6 training loop."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch import nn

from .plotting import Animator
from .validation import checked_by

__all__ = ["try_gpu", "try_all_gpus", "Timer", "Accumulator", "accuracy",
           "evaluate_accuracy_gpu", "train_ch6", "TrainResult"]


def try_gpu(i=0):
    """Return cuda:i if it exists, else Apple's mps if available, else the CPU."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    mps = getattr(torch.backends, 'mps', None)
    if mps is not None and mps.is_available():
        return torch.device('mps')
    return torch.device('cpu')


def try_all_gpus():
    """Return every CUDA device, or [try_gpu()] when there is none."""
    devices = [torch.device(f'cuda:{i}') for i in range(torch.cuda.device_count())]
    return devices if devices else [try_gpu()]


class Timer:
    """Record several running times."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start the timer."""
        self.tik = time.perf_counter()

    def stop(self):
        """Stop the timer, record the time in a list and return it."""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self):
        """Return the average time."""
        return sum(self.times) / len(self.times)

    def sum(self):
        """Return the sum of the recorded times."""
        return sum(self.times)

    def cumsum(self):
        """Return the running totals of the recorded times."""
        totals, running = [], 0.0
        for t in self.times:
            running += t
            totals.append(running)
        return totals


class Accumulator:
    """Keep n running sums."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        """Add one value to each of the n sums."""
        self.data = [total + float(value) for total, value in zip(self.data, args)]

    def reset(self):
        """Set every sum back to zero."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def accuracy(y_hat, y):
    """Return the number of correct predictions (a float)."""
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).sum())


def evaluate_accuracy_gpu(net, data_iter, device=None):
    """在 device 上计算模型 net 在数据集 data_iter 上的准确率。"""
    if isinstance(net, nn.Module):
        net.eval()  # 评估模式：关掉暂退法等只在训练时起作用的层
        if device is None:
            device = next(iter(net.parameters())).device
    metric = Accumulator(2)  # 预测正确的样本数，样本总数
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


@dataclass
class TrainResult:
    """What train_ch6 returns: the final figures and one history row per epoch."""

    loss: float
    train_acc: float
    test_acc: float
    examples_per_sec: float
    device: str
    history: list = field(default_factory=list)
    animator: Animator = field(default=None, repr=False)


def _check_train_ch6(net, train_iter, test_iter, num_epochs, lr, device,
                     optimizer=torch.optim.SGD):
    if type(num_epochs) is not int or num_epochs < 1:  # bool is not a count
        raise ValueError(f"train_ch6: num_epochs must be a positive int, got {num_epochs!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"train_ch6: lr must be a positive number, got {lr!r}")
    if not isinstance(net, nn.Module):
        raise ValueError(f"train_ch6: net must be an nn.Module, got {type(net).__name__}")


@checked_by(_check_train_ch6)
def train_ch6(net, train_iter, test_iter, num_epochs, lr, device,
              optimizer=torch.optim.SGD):
    """用 device（有 GPU 时用 GPU）训练 net，返回 TrainResult。"""
    def init_weights(m):
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)

    net.apply(init_weights)
    net.to(device)
    print('training on', device)
    optimizer = optimizer(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    # 横轴从 0 开始，第 1 轮里的 5 个点都能看到
    animator = Animator(xlabel='epoch', xlim=[0, num_epochs], figsize=(6, 3.6),
                        legend=['train loss', 'train acc', 'test acc'])
    timer, num_batches = Timer(), len(train_iter)
    history = []
    for epoch in range(num_epochs):
        metric = Accumulator(3)  # 损失之和，预测正确的样本数，样本数
        net.train()
        timer.start()
        for i, (X, y) in enumerate(train_iter):
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
            train_l, train_acc = metric[0] / metric[2], metric[1] / metric[2]
            if (i + 1) % max(num_batches // 5, 1) == 0 or i == num_batches - 1:
                animator.add(epoch + (i + 1) / num_batches, (train_l, train_acc, None))
        seconds = timer.stop()  # 只计训练，不计下面的评估
        test_acc = evaluate_accuracy_gpu(net, test_iter)
        animator.add(epoch + 1, (None, None, test_acc))
        history.append({'epoch': epoch + 1, 'loss': train_l, 'train_acc': train_acc,
                        'test_acc': test_acc, 'seconds': seconds})
    speed = metric[2] * num_epochs / timer.sum()
    print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')
    print(f'{speed:.1f} examples/sec on {device}')
    return TrainResult(train_l, train_acc, test_acc, speed, str(device), history, animator)
