"""Checks that answer back: one per computable exercise of 6.7 (issue 17, the student edition).

A student writes an answer (a function, a tensor, a number) in the stub cell of the student
notebook and runs the check cell under it::

    from d2lmini import exercise_checks as checks
    checks.check('ex-6-2-3', kernel_matrix=kernel_matrix, window_matrix=window_matrix)

The check prints (as its displayed value) in Chinese what passed, and for what failed what was
expected and what came: a shape, a value at a test input, a tolerance, and for the usual mistakes
(a kernel not flipped, the padding per side taken for the total, ...) a sentence naming the
mistake. It never shows a traceback and never prints the reference solution; an exception in the
student's code is reported as one line. A part left as the stub (``...``, ``None``,
``NotImplemented``, or a function whose body is ``...`` / ``raise NotImplementedError``) gives
"还没有作答" and does not stop the notebook.

Data kept here, next to the checks, so that the student edition is generated from one place:

- ``CLASSES``: every exercise of 6.7 and how it is answered ('computable', 'mixed' = a
  computable part plus words, 'words').
- ``STUBS``: for each checked exercise, the code a student starts from.
- ``CHECKLISTS``: for the parts answered in words or by a derivation, what a good answer covers.

Every check returns a :class:`Report` (``.status`` is 'passed', 'failed' or 'unanswered';
``.passed`` a bool) so that an autograder's hidden test can ``assert`` it.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["Report", "check", "checklist", "CHECKS", "CLASSES", "STUBS", "CHECKLISTS",
           "UNANSWERED"]

UNANSWERED = "还没有作答"


class _Unanswered(Exception):
    """The student's function is still the stub."""


class _Problem(Exception):
    """A failed part; its message is what the student reads."""


def _is_stub(value) -> bool:
    return value is None or value is Ellipsis or value is NotImplemented


# ---------------------------------------------------------------------------------------------
# Reports

@dataclass
class Part:
    name: str
    status: str               # 'passed' | 'failed' | 'unanswered'
    lines: list = field(default_factory=list)


@dataclass
class Report:
    label: str
    parts: list

    @property
    def status(self) -> str:
        states = {p.status for p in self.parts}
        if states == {"unanswered"}:
            return "unanswered"
        if states == {"passed"}:
            return "passed"
        return "failed"

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        title = "练习 " + self.label.replace("ex-", "").replace("-", ".")
        head = {"passed": "全部通过", "failed": "还有问题", "unanswered": UNANSWERED}[self.status]
        out = [f"{title}：{head}"]
        for p in self.parts:
            mark = {"passed": "✓ 通过", "failed": "✗ 未通过", "unanswered": "… " + UNANSWERED}[p.status]
            out.append(f"  [{p.name}] {mark}")
            out += [f"      {line}" for line in p.lines]
        return "\n".join(out)

    __str__ = text

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.text())


def _part(name: str, answer, test: Callable[[Any], list]) -> Part:
    """Run one part: unanswered stub, a pass, or the problems the test found (no traceback)."""
    if _is_stub(answer):
        return Part(name, "unanswered")
    try:
        notes = test(answer) or []
    except _Unanswered:
        return Part(name, "unanswered")
    except _Problem as problem:
        return Part(name, "failed", str(problem).split("\n"))
    return Part(name, "passed", list(notes))


def _call(fn, *args, **kwargs):
    """Call the student's function; a stub counts as unanswered, an exception becomes one line."""
    if not callable(fn):
        raise _Problem(f"这里应当是一个函数，得到的是 {type(fn).__name__}。")
    try:
        value = fn(*args, **kwargs)
    except NotImplementedError:
        raise _Unanswered()
    except _Problem:
        raise
    except Exception as error:  # the student's code failed: one line, no traceback
        shown = ", ".join([_brief(a) for a in args] + [f"{k}={_brief(v)}" for k, v in kwargs.items()])
        raise _Problem(f"调用 {getattr(fn, '__name__', '函数')}({shown}) 时出错："
                       f"{type(error).__name__}: {error}")
    if _is_stub(value):
        raise _Unanswered()
    return value


def _brief(value) -> str:
    if torch.is_tensor(value):
        return f"<形状为 {tuple(value.shape)} 的张量>"
    if isinstance(value, nn.Module):
        return f"<{type(value).__name__}>"
    return repr(value)


def _as_tensor(name: str, value, dtype=None) -> torch.Tensor:
    if torch.is_tensor(value):
        return value.detach() if dtype is None else value.detach().to(dtype)
    try:
        return torch.as_tensor(value, dtype=dtype if dtype is not None else torch.float64)
    except Exception:
        raise _Problem(f"{name} 应当是张量（或能变成张量的嵌套列表），得到的是 {type(value).__name__}。")


def _as_number(name: str, value) -> float:
    if torch.is_tensor(value):
        if value.numel() != 1:
            raise _Problem(f"{name} 应当是一个数，得到的是形状为 {tuple(value.shape)} 的张量。")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except Exception:
            raise _Problem(f"{name} 应当是一个数，得到的是 {type(value).__name__}。")
    return float(value)


def _fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def _same_tensor(got, expected, atol) -> bool:
    return (got.shape == expected.shape
            and torch.allclose(got.double(), expected.double(), atol=atol, rtol=0))


def _compare(name: str, got, expected: torch.Tensor, *, atol: float = 1e-5,
             hints: dict | None = None, where: str = "") -> None:
    """Raise _Problem naming the shape or the first wrong element; a known mistake is named."""
    got = _as_tensor(name, got)
    hints = hints or {}
    if _same_tensor(got, expected, atol):
        return
    context = f"（{where}）" if where else ""
    for hint, wrong in hints.items():
        if wrong is not None and _same_tensor(got, wrong, atol):
            raise _Problem(f"{name}{context}：{hint}")
    if tuple(got.shape) != tuple(expected.shape):
        raise _Problem(f"{name}{context} 的形状应为 {tuple(expected.shape)}，得到 {tuple(got.shape)}。")
    diff = (got.double() - expected.double()).abs()
    bad = diff > atol
    n_bad = int(bad.sum())
    pos = tuple(int(i) for i in bad.nonzero()[0]) if n_bad else ()
    raise _Problem(f"{name}{context}：{got.numel()} 个元素中有 {n_bad} 个超出容差 {atol:g}，"
                   f"最大误差 {diff.max().item():.3g}；例如下标 {pos} 处应为 "
                   f"{_fmt(expected[pos].item())}，得到 {_fmt(got[pos].item())}。")


def _number(name: str, got, expected: float, *, rel: float = 1e-3, absolute: float | None = None,
            hints: dict | None = None, reveal: bool = False) -> None:
    """A single number: say how far off, name a known mistake, reveal the value only if asked.

    ``absolute``: compare within ± that (for a number a student reads off to a few decimals).
    """
    got = _as_number(name, got)
    tol = dict(rel_tol=0.0, abs_tol=absolute) if absolute is not None else dict(rel_tol=rel, abs_tol=rel * 1e-3)
    told = f"容差 ±{absolute:g}" if absolute is not None else f"相对容差 {rel:g}"
    if math.isclose(got, expected, **tol):
        return
    for hint, wrong in (hints or {}).items():
        if wrong is not None and math.isclose(got, wrong, **tol):
            raise _Problem(f"{name}：{hint}")
    if reveal:
        raise _Problem(f"{name} 应为 {_fmt(expected)}，得到 {_fmt(got)}（{told}）。")
    side = "偏大" if got > expected else "偏小"
    raise _Problem(f"{name} = {_fmt(got)} 不对：{side}（{told}）。")


_VARIANT = 0   # set by check(..., variant=): 0 for the student's checks, 1, 2, ... for hidden tests


def _seed(seed: int) -> int:
    return seed + 100_003 * _VARIANT


def _gen(seed: int) -> torch.Generator:
    """The random inputs of a check; another variant draws other inputs of the same shapes."""
    return torch.Generator().manual_seed(_seed(seed))


# ---------------------------------------------------------------------------------------------
# 6.1

def _check_6_1_1(delta0_layer=None, n_params=None) -> Report:
    def layer(fn):
        g = _gen(6110)
        for c_i, c_o, h, w in [(3, 4, 5, 6), (1, 2, 3, 3), (5, 1, 2, 7)]:
            X = torch.randn(c_i, h, w, generator=g)
            V = torch.randn(c_o, c_i, generator=g)
            u = torch.randn(c_o, generator=g)
            expected = F.conv2d(X.unsqueeze(0), V.reshape(c_o, c_i, 1, 1), u)[0]
            where = f"c_i={c_i}, c_o={c_o}, 图像 {h}x{w}"
            hints = {"结果的通道放在了最后，本书的约定是通道在前：形状 (c_o, h, w)。":
                     expected.permute(1, 2, 0),
                     "少了偏置 u。": expected - u.reshape(-1, 1, 1)}
            if c_i == c_o:
                hints["用成了 V 的转置：[V]_{d,c} 中 d 是输出通道（行），c 是输入通道（列）。"] = (
                    F.conv2d(X.unsqueeze(0), V.T.reshape(c_o, c_i, 1, 1), u)[0])
            _compare("H", _call(fn, X, V, u), expected, atol=1e-5, hints=hints, where=where)
        return ["3 组形状上都与 1x1 卷积逐像素相同（容差 1e-5）。"]

    def count(fn):
        for c_i, c_o in [(3, 4), (1, 1), (16, 8)]:
            expected = c_i * c_o + c_o
            got = _call(fn, c_i, c_o)
            _number(f"n_params({c_i}, {c_o})", got, expected, rel=1e-12, hints={
                "少了偏置的个数 c_o。": c_i * c_o,
                "这是 3x3 卷积的参数个数；Δ = 0 时窗口只有 1 个像素。": 9 * c_i * c_o + c_o})
        return ["参数个数的公式在 3 组 (c_i, c_o) 上正确。"]

    return Report("ex-6-1-1", [_part("delta0_layer：Δ = 0 的层", delta0_layer, layer),
                               _part("n_params：参数个数", n_params, count)])


def _check_6_1_3(window_counts=None) -> Report:
    def test(fn):
        for n, k in [(6, 3), (5, 2), (7, 7), (4, 1), (9, 4)]:
            per_axis = torch.tensor([min(i, n - k) - max(0, i - k + 1) + 1 for i in range(n)],
                                    dtype=torch.float64)
            expected = torch.outer(per_axis, per_axis)
            hints = {"把每个像素都算成了 k*k 个窗口：边界附近的像素被读到的次数更少。":
                     torch.full((n, n), float(k * k)),
                     "这是一维的次数；二维是两个方向的次数之积。": None}
            got = _call(fn, n, k)
            g = _as_tensor("window_counts", got, torch.float64)
            if g.shape == (n,) and torch.equal(g, per_axis):
                raise _Problem(f"window_counts({n}, {k})：这是一维的次数，二维时应是两个方向次数的乘积，"
                               f"形状 ({n}, {n})。")
            _compare(f"window_counts({n}, {k})", g, expected, atol=1e-9, hints=hints)
        return ["5 组 (n, k) 上，每个像素被 valid 窗口读到的次数都正确。"]

    return Report("ex-6-1-3", [_part("window_counts：每个像素被几个窗口读到", window_counts, test)])


def _check_6_1_4(audio_conv=None) -> Report:
    def test(fn):
        g = _gen(6140)
        for T, c_i, c_o, Delta in [(50, 2, 3, 2), (9, 1, 1, 1), (12, 3, 2, 0), (20, 1, 2, 3)]:
            X = torch.randn(c_i, T, generator=g)
            V = torch.randn(c_o, c_i, 2 * Delta + 1, generator=g)
            u = torch.randn(c_o, generator=g)
            expected = F.conv1d(X.unsqueeze(0), V, u, padding=Delta)[0]
            hints = {"两端没有补零：输出应与输入一样长（T 个时刻），两端各补 Δ 个 0。":
                     F.conv1d(X.unsqueeze(0), V, u)[0],
                     "少了偏置 u。": expected - u.reshape(-1, 1)}
            if Delta > 0:
                hints["核被翻转了（算成了卷积）：公式中是 X[c, t + a]，不翻转核。"] = (
                    F.conv1d(X.unsqueeze(0), V.flip(2), u, padding=Delta)[0])
            _compare("H", _call(fn, X, V, u), expected, atol=1e-4, hints=hints,
                     where=f"T={T}, c_i={c_i}, c_o={c_o}, Δ={Delta}")
        return ["4 组形状上与逐项公式一致（两端补零，容差 1e-4）。"]

    return Report("ex-6-1-4", [_part("audio_conv：一维卷积层", audio_conv, test)])


def _full_conv_reference(f, g):
    return F.conv2d(F.pad(f.double(), (g.shape[1] - 1,) * 2 + (g.shape[0] - 1,) * 2).reshape(
        1, 1, f.shape[0] + 2 * g.shape[0] - 2, f.shape[1] + 2 * g.shape[1] - 2),
        g.double().flip(0, 1).reshape(1, 1, *g.shape))[0, 0]


def _check_6_1_6(conv2d_full=None) -> Report:
    def test(fn):
        gen = _gen(6160)
        for sf, sg in [((3, 4), (2, 5)), ((2, 2), (3, 1)), ((1, 1), (2, 3))]:
            f = torch.randint(-5, 6, sf, generator=gen)
            g = torch.randint(-5, 6, sg, generator=gen)
            expected = _full_conv_reference(f, g)
            flipped = _full_conv_reference(f, g.flip(0, 1))
            hints = {}
            if not torch.equal(expected, flipped):
                hints["核没有翻转：这是完整的互相关 f ⋆ g，卷积是 sum f[a, b] g[i - a, j - b]。"] = flipped
            _compare("conv2d_full(f, g)", _call(fn, f, g), expected, atol=1e-6, hints=hints,
                     where=f"f {tuple(sf)}，g {tuple(sg)}")
        return ["3 组形状上是完整卷积，形状 (f_h + g_h - 1, f_w + g_w - 1)。"]

    return Report("ex-6-1-6", [_part("conv2d_full：完整的二维卷积", conv2d_full, test)])


# ---------------------------------------------------------------------------------------------
# 6.2

def _corr2d(X, K):
    return F.conv2d(X.double().reshape(1, 1, *X.shape), K.double().reshape(1, 1, *K.shape))[0, 0]


def _check_6_2_1(Y1=None, Y2=None, Y3=None) -> Report:
    X = torch.tril(torch.ones(8, 8))
    K = torch.tensor([[1.0, -1.0]])
    E = {"Y1": _corr2d(X, K), "Y2": _corr2d(X.T, K), "Y3": _corr2d(X, K.T)}
    names = {"Y1": "(1) X ⋆ K", "Y2": "(2) X^T ⋆ K", "Y3": "(3) X ⋆ K^T"}

    def test_for(key):
        def test(value):
            hints = {"符号反了：K = [1, -1] 算的是左减右（上减下），不是右减左。": -E[key]}
            for other in E:
                if other != key and E[other].shape == E[key].shape and not torch.equal(E[other], E[key]):
                    hints[f"这是 {names[other]} 的结果，不是 {names[key]} 的。"] = E[other]
            if key == "Y3":
                hints["这是 (1) 的结果的转置；转置的是核，不是输出。"] = E["Y1"].T
            _compare(key, value, E[key], atol=1e-6, hints=hints,
                     where="X = torch.tril(torch.ones(8, 8))")
            return []
        return test

    return Report("ex-6-2-1", [_part(names[k], v, test_for(k))
                               for k, v in (("Y1", Y1), ("Y2", Y2), ("Y3", Y3))])


def _edge_design(bias: bool) -> torch.Tensor:
    X = torch.ones(6, 8, dtype=torch.float64)
    X[:, 2:6] = 0
    columns = [X[:, :-1].reshape(-1), X[:, 1:].reshape(-1)]
    if bias:
        columns.append(torch.ones(42, dtype=torch.float64))
    return torch.stack(columns, dim=1)


def _check_6_2_2(lam_no_bias=None, lam_bias=None, max_stable_lr=None) -> Report:
    lam = {b: torch.linalg.eigvalsh(2 * _edge_design(b).T @ _edge_design(b)).max().item()
           for b in (False, True)}

    def lam_test(bias):
        def test(value):
            other = lam[not bias]
            _number("λ_max" + ("（有偏置）" if bias else "（无偏置）"), value, lam[bias], rel=1e-2, hints={
                "少了因子 2：平方误差之和的黑塞矩阵是 2 AᵀA，不是 AᵀA。": lam[bias] / 2,
                "用的是均值损失的曲率；6.2 节对 42 个输出的平方误差求和。": lam[bias] / 42,
                "用的是均值损失且少了因子 2。": lam[bias] / 84,
                ("这是无偏置时的值；加上偏置，A 多一列全 1。" if bias
                 else "这是有偏置时的值；无偏置时 A 只有两列。"): other})
            return []
        return test

    def lr_test(value):
        _number("max_stable_lr（有偏置时能收敛的最大学习率）", value, 2 / lam[True], rel=1e-2, hints={
            "这是无偏置时的界；题目问的是加上偏置之后。": 2 / lam[False],
            "收敛条件是 学习率 × λ_max < 2，不是 < 1。": 1 / lam[True]})
        return ["学习率 3e-2 大于这个界，所以有偏置时训练发散。"]

    return Report("ex-6-2-2", [_part("lam_no_bias：无偏置时黑塞矩阵的最大特征值", lam_no_bias, lam_test(False)),
                               _part("lam_bias：有偏置时的最大特征值", lam_bias, lam_test(True)),
                               _part("max_stable_lr：稳定的学习率上界", max_stable_lr, lr_test)])


def _check_6_2_3(kernel_matrix=None, window_matrix=None) -> Report:
    shapes = [((3, 3), (2, 2)), ((5, 7), (2, 3)), ((4, 9), (4, 1)), ((2, 5), (1, 5))]

    def test_W(fn):
        gen = _gen(6230)
        for sx, sk in shapes:
            X, K = torch.randn(sx, generator=gen), torch.randn(sk, generator=gen)
            o_h, o_w = sx[0] - sk[0] + 1, sx[1] - sk[1] + 1
            W = _as_tensor("W", _call(fn, K, sx), torch.float64)
            where = f"输入 {sx}，核 {sk}"
            if tuple(W.shape) == (sx[0] * sx[1], o_h * o_w) and W.shape[0] != W.shape[1]:
                raise _Problem(f"W（{where}）的形状是 {tuple(W.shape)}，行列颠倒了：应有 o_h*o_w = {o_h * o_w} 行"
                               f"（每个输出一行）、n_h*n_w = {sx[0] * sx[1]} 列。")
            if tuple(W.shape) != (o_h * o_w, sx[0] * sx[1]):
                raise _Problem(f"W（{where}）的形状应为 {(o_h * o_w, sx[0] * sx[1])}，得到 {tuple(W.shape)}。")
            expected = _corr2d(X, K).reshape(-1)
            got = W @ X.double().reshape(-1)
            _compare("W @ vec(X)", got, expected, atol=1e-5, where=where, hints={
                "核被翻转了：互相关的每一行直接放 K，不翻转。":
                    _corr2d(X, K.flip(0, 1)).reshape(-1)})
        return ["4 组形状上 W @ vec(X) 等于互相关（容差 1e-5）。"]

    def test_P(fn):
        gen = _gen(6231)
        for sx, sk in shapes:
            X, K = torch.randn(sx, generator=gen), torch.randn(sk, generator=gen)
            o_h, o_w = sx[0] - sk[0] + 1, sx[1] - sk[1] + 1
            P = _as_tensor("P", _call(fn, X, sk), torch.float64)
            where = f"输入 {sx}，核 {sk}"
            if tuple(P.shape) != (o_h * o_w, sk[0] * sk[1]):
                raise _Problem(f"P（{where}）的形状应为 {(o_h * o_w, sk[0] * sk[1])}（每个窗口一行），"
                               f"得到 {tuple(P.shape)}。")
            _compare("P @ vec(K)", P @ K.double().reshape(-1), _corr2d(X, K).reshape(-1),
                     atol=1e-5, where=where)
        return ["4 组形状上 P @ vec(K) 等于互相关。"]

    return Report("ex-6-2-3", [_part("kernel_matrix：把核展开成矩阵 W", kernel_matrix, test_W),
                               _part("window_matrix：把输入展开成窗口矩阵 P", window_matrix, test_P)])


def _corr1d(x, w):
    return F.conv1d(x.reshape(1, 1, -1), w.reshape(1, 1, -1)).reshape(-1)


def _check_6_2_4(second_derivative_kernel=None, prefix_sum=None, derivative_kernel=None) -> Report:
    x = torch.arange(12, dtype=torch.float64)

    def exact_for(w, d):
        """Does kernel w give the d-th derivative exactly on x^0 .. x^d?"""
        for r in range(d + 1):
            want = math.factorial(d) if r == d else 0.0
            if w.numel() > x.numel() or not torch.allclose(_corr1d(x ** r, w), torch.full(
                    (x.numel() - w.numel() + 1,), float(want), dtype=torch.float64), atol=1e-6):
                return False
        return True

    def test_second(value):
        w = _as_tensor("second_derivative_kernel", value, torch.float64).reshape(-1)
        if exact_for(-w, 2):
            raise _Problem("符号反了：核作用在 x² 上应得到 +2。")
        if not exact_for(w, 2):
            got = _corr1d(x ** 2, w)[:3].tolist() if w.numel() <= x.numel() else "（核太长）"
            raise _Problem(f"作用在 f(x) = x² 上应处处得到 f'' = 2，前几个输出是 {got}；"
                           "作用在常数和 x 上应得到 0。")
        if w.numel() != 3:
            raise _Problem(f"结果正确，但核长 {w.numel()}：二阶导数用 3 个元素的核就够了。")
        return ["对 1、x、x² 都精确。"]

    def test_prefix(fn):
        gen = _gen(6240)
        for n in (10, 1, 5):
            f = torch.randn(n, dtype=torch.float64, generator=gen)
            got = _call(fn, f)
            _compare(f"prefix_sum（长 {n} 的信号）", got, torch.cumsum(f, 0), atol=1e-6, hints={
                "零补在了右边：这样得到的是后缀和，前缀和要在左边补 n - 1 个 0。":
                    torch.flip(torch.cumsum(torch.flip(f, (0,)), 0), (0,)),
                "没有补零：只得到一个窗口的和。": f.sum().reshape(1) if n > 1 else None})
        return ["3 个信号上等于 cumsum（容差 1e-6）。"]

    def test_deriv(fn):
        for d in range(1, 6):
            w = _as_tensor(f"derivative_kernel({d})", _call(fn, d), torch.float64).reshape(-1)
            if exact_for(w, d):
                if w.numel() != d + 1:
                    raise _Problem(f"derivative_kernel({d}) 给出的 {d} 阶导数正确，但核长 {w.numel()}，不是最短的。")
                continue
            if exact_for(-w, d):
                raise _Problem(f"derivative_kernel({d}) 的符号反了（作用在 x^{d} 上应得到 +{d}! = "
                               f"{math.factorial(d)}）：后向差分与前向差分在奇数阶差一个负号。")
            if w.numel() < d + 1:
                raise _Problem(f"derivative_kernel({d}) 只有 {w.numel()} 个元素：这样短的核对次数不超过 {d} 的"
                               f"多项式不可能都给出精确的 {d} 阶导数。")
            raise _Problem(f"derivative_kernel({d}) 不对：作用在 x^r（r = 0..{d}）上，r < {d} 时应得到 0，"
                           f"r = {d} 时应得到 {d}! = {math.factorial(d)}。")
        return ["d = 1..5：长 d + 1 的核对次数不超过 d 的多项式都精确。"]

    return Report("ex-6-2-4", [_part("(1) second_derivative_kernel：二阶导数的核", second_derivative_kernel, test_second),
                               _part("(2) prefix_sum：用补零和互相关求积分（前缀和）", prefix_sum, test_prefix),
                               _part("(3) derivative_kernel：d 阶导数的最短核", derivative_kernel, test_deriv)])


# ---------------------------------------------------------------------------------------------
# 6.3

def _check_6_3_1(shape=None, unread_rows=None, unread_cols=None) -> Report:
    def test_shape(value):
        try:
            got = tuple(int(v) for v in value)
        except Exception:
            raise _Problem(f"shape 应当是两个整数 (高, 宽)，得到 {value!r}。")
        if got == (2, 2):
            return ["与 nn.Conv2d 的输出一致。"]
        if got == (2, 1):
            raise _Problem("宽不对：PyTorch 的 padding=(0, 1) 是每侧的量，总填充 p_w = 2。")
        raise _Problem(f"输出形状 {got} 不对：按公式 ⌊(n - k + p + s)/s⌋ 逐个方向算，p 是两侧合计的填充。")

    def test_list(kind, expected):
        def test(value):
            try:
                got = sorted(int(v) for v in value)
            except Exception:
                raise _Problem(f"应当是下标的列表，得到 {value!r}。")
            if got == expected:
                return []
            if got == [v + 1 for v in expected]:
                raise _Problem("下标从 0 开始：你给出的每个都多了 1。")
            if kind == "行" and got == expected[1:]:
                raise _Problem("少了一行：最后一个窗口结束于行下标 (o_h - 1) s_h + k_h - 1，它之后的行都没读到。")
            if kind == "列" and got:
                raise _Problem(f"列 {got} 其实被读到了：左右各补 1 列之后，窗口覆盖了原输入的全部列。")
            raise _Problem(f"没有被读到的{kind}不对：得到 {got}（共 {len(got)} 个）。")
        return test

    return Report("ex-6-3-1", [_part("shape：输出形状", shape, test_shape),
                               _part("unread_rows：没有被读到的行", unread_rows, test_list("行", [6, 7])),
                               _part("unread_cols：没有被读到的列", unread_cols, test_list("列", []))])


def _unread_by_gradient(n, k, p, s):
    X = torch.rand(1, 1, n, n, requires_grad=True)
    F.conv2d(F.pad(X, (p // 2, p - p // 2, p // 2, p - p // 2)), torch.ones(1, 1, k, k),
             stride=s).sum().backward()
    return int((X.grad == 0).sum())


def _check_6_3_2(unread_pixels=None) -> Report:
    configs = [(8, 3, 2, 1), (8, 3, 0, 3), (8, 2, 0, 3), (8, 1, 0, 2), (8, 4, 2, 3), (8, 7, 6, 4),
               (9, 3, 0, 2), (10, 2, 2, 4)]

    def test(fn):
        for n, k, p, s in configs:
            expected = _unread_by_gradient(n, k, p, s)
            got = _call(fn, n, k, p, s)
            per_side = _unread_by_gradient(n, k, 2 * p, s)
            _number(f"unread_pixels(n={n}, k={k}, p={p}, s={s})", got, expected, rel=1e-12, reveal=True,
                    hints={"把 p 当成了每侧的填充；本书的 p 是两侧合计（每侧 p/2）。":
                           per_side if per_side != expected else None})
        return [f"{len(configs)} 组 (n, k, p, s) 上与逐个窗口数出的结果一致。"]

    return Report("ex-6-3-2", [_part("unread_pixels：从未被读到的像素个数", unread_pixels, test)])


def _check_6_3_3(apparent_frequency=None) -> Report:
    def test(fn):
        fs = 16000
        for f in (1000, 3000, 5000, 6000, 7500):
            expected = f if f < fs / 4 else fs / 2 - f
            _number(f"apparent_frequency({f}, {fs})", _call(fn, f, fs), expected, rel=1e-6, reveal=True,
                    hints={"步幅 2 之后采样率变成 fs/2，能表示的最高频率是 fs/4，不是 fs/2。":
                           (fs - f) if f >= fs / 4 else None,
                           "高于 fs/4 的成分不会原样保留：它会折叠（混叠）到低频。":
                           f if f >= fs / 4 else None})
        return ["低于 fs/4 的频率不变，fs/4 到 fs/2 之间的折叠到 fs/2 - f。"]

    return Report("ex-6-3-3", [_part("apparent_frequency：步幅 2 之后看到的频率", apparent_frequency, test)])


# ---------------------------------------------------------------------------------------------
# 6.4

def _compose_reference(K1, K2):
    c_m, c_i, k1_h, k1_w = K1.shape
    c_o, _, k2_h, k2_w = K2.shape
    K = torch.zeros(c_o, c_i, k1_h + k2_h - 1, k1_w + k2_w - 1, dtype=K1.dtype)
    for a in range(k2_h):
        for b in range(k2_w):
            K[:, :, a:a + k1_h, b:b + k1_w] += torch.einsum('om,mchw->ochw', K2[:, :, a, b], K1)
    return K


def _check_6_4_1(compose_kernels=None) -> Report:
    def test(fn):
        gen = _gen(6410)
        for c_i, c_m, c_o, k1, k2 in [(2, 3, 4, 3, 2), (1, 1, 1, 3, 3), (3, 2, 2, 1, 4), (2, 2, 3, 2, 2)]:
            K1 = torch.randn(c_m, c_i, k1, k1, generator=gen, dtype=torch.float64)
            K2 = torch.randn(c_o, c_m, k2, k2, generator=gen, dtype=torch.float64)
            X = torch.randn(1, c_i, 9, 9, generator=gen, dtype=torch.float64)
            where = f"c_i={c_i}, c_m={c_m}, c_o={c_o}, k1={k1}, k2={k2}"
            K = _as_tensor("K", _call(fn, K1, K2), torch.float64)
            size = k1 + k2 - 1
            if tuple(K.shape) != (c_o, c_i, size, size):
                extra = "等效核每边长 k1 + k2 - 1，不是 k1 + k2。" if K.dim() == 4 and K.shape[2] == k1 + k2 else ""
                raise _Problem(f"K（{where}）的形状应为 {(c_o, c_i, size, size)}，得到 {tuple(K.shape)}。{extra}")
            two_layers = F.conv2d(F.conv2d(X, K1), K2)
            hints = {"K2 被翻转了：两层的等效核是两个核的完整卷积，[K]_{u} = Σ K2[a'] K1[u - a']。":
                     F.conv2d(X, _compose_reference(K1, K2.flip(2, 3)))} if k2 > 1 else {}
            _compare("X ⋆ K", F.conv2d(X, K), two_layers, atol=1e-8, where=where, hints=hints)
        return ["4 组通道数和核大小上，X ⋆ K 等于两层 (X ⋆ K1) ⋆ K2（容差 1e-8）。"]

    return Report("ex-6-4-1", [_part("compose_kernels：两层的等效核", compose_kernels, test)])


def _flops(fn):
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def _check_6_4_2(conv_cost=None) -> Report:
    configs = [(3, 32, 32, 8, 3, 3, (1, 1), (1, 1)), (4, 28, 20, 6, 5, 3, (2, 0), (2, 3)),
               (8, 15, 17, 16, 1, 1, (0, 0), (1, 1)), (2, 9, 11, 3, 4, 2, (1, 1), (3, 2))]

    def test(fn):
        torch.manual_seed(_seed(6420))
        for c_i, n_h, n_w, c_o, k_h, k_w, pad, stride in configs:
            conv = nn.Conv2d(c_i, c_o, (k_h, k_w), padding=pad, stride=stride)
            X = torch.randn(1, c_i, n_h, n_w, requires_grad=True)
            fwd = _flops(lambda: conv(X))
            Y = conv(X)
            bwd = _flops(lambda: Y.backward(torch.ones_like(Y)))
            args = (c_i, n_h, n_w, c_o, k_h, k_w, 2 * pad[0], 2 * pad[1], *stride)
            where = f"conv_cost{args}"
            cost = _call(fn, *args)
            if not isinstance(cost, dict):
                raise _Problem(f"conv_cost 应返回一个字典，得到 {type(cost).__name__}。")
            missing = [k for k in ("output_shape", "forward_flops", "backward_flops") if k not in cost]
            if missing:
                raise _Problem(f"返回的字典缺少键 {missing}。")
            shape = tuple(int(v) for v in cost["output_shape"])
            if shape != tuple(Y.shape[1:]):
                hint = ""
                if shape[0] == c_o and any(pad):
                    hint = "（p_h、p_w 是两侧合计的填充，每侧只有一半。）"
                raise _Problem(f"{where} 的 output_shape 应为 {tuple(Y.shape[1:])}，得到 {shape}。{hint}")
            _number(f"{where} 的 forward_flops", cost["forward_flops"], fwd, rel=1e-9, reveal=True, hints={
                "一次乘加应记作 2 次浮点运算（乘法和加法各一次）。": fwd / 2})
            _number(f"{where} 的 backward_flops", cost["backward_flops"], bwd, rel=1e-9, reveal=True, hints={
                "反向要算两种梯度：对权重和对输入，各与前向的乘加一样多。": fwd,
                "一次乘加应记作 2 次浮点运算。": bwd / 2})
            params = c_o * c_i * k_h * k_w + c_o
            memory = c_i * n_h * n_w + params + c_o * shape[1] * shape[2]
            if "forward_memory" in cost:
                _number(f"{where} 的 forward_memory（元素个数：输入 + 参数 + 输出）", cost["forward_memory"],
                        memory, rel=1e-9, reveal=True, hints={"少了偏置的 c_o 个参数。": memory - c_o})
            if "backward_memory" in cost:
                _number(f"{where} 的 backward_memory（前向的张量加上与它们一样大的梯度）",
                        cost["backward_memory"], 2 * memory, rel=1e-9, reveal=True,
                        hints={"只算了梯度，没有算前向为反向保存的张量。": memory})
        return [f"{len(configs)} 组设置上输出形状和 FlopCounterMode 数出的前向、反向浮点运算次数一致。"]

    return Report("ex-6-4-2", [_part("conv_cost：计算量和内存", conv_cost, test)])


def _check_6_4_3(channels_ratio=None, padding_ratio=None) -> Report:
    def test_channels(value):
        _number("channels_ratio", value, 4.0, rel=1e-9, hints={
            "计算量与 c_i 和 c_o 的乘积成正比，两者都加倍，不只是加倍一个。": 2.0})
        return []

    def test_padding(fn):
        for h, k, p in [(224, 3, 2), (28, 3, 2), (8, 5, 4), (10, 1, 0)]:
            expected = ((h - k + 2 * p + 1) / (h - k + p + 1)) ** 2
            got = _call(fn, h, k, p)
            _number(f"padding_ratio(h={h}, k={k}, p={p})", got, expected, rel=1e-9, reveal=True, hints={
                "只算了一个方向：高和宽都变了，比值要平方。": expected ** 0.5,
                "把 p 当成了每侧的填充；p 是两侧合计。":
                    ((h - k + 4 * p + 1) / (h - k + 2 * p + 1)) ** 2 if p else None})
        return ["4 组 (h, k, p) 上等于实际输出元素个数之比。"]

    return Report("ex-6-4-3", [_part("channels_ratio：两种通道数都加倍", channels_ratio, test_channels),
                               _part("padding_ratio：总填充加倍", padding_ratio, test_padding)])


def _check_6_4_4(flops_1x1=None) -> Report:
    def test(fn):
        for c_i, c_o, n_h, n_w in [(64, 32, 28, 28), (3, 5, 7, 2), (1, 1, 1, 1)]:
            conv = nn.Conv2d(c_i, c_o, kernel_size=1, bias=False)
            X = torch.randn(1, c_i, n_h, n_w)
            expected = _flops(lambda: conv(X))
            _number(f"flops_1x1({c_i}, {c_o}, {n_h}, {n_w})", _call(fn, c_i, c_o, n_h, n_w), expected,
                    rel=1e-9, reveal=True, hints={"这是乘加的次数；一次乘加算作 2 次浮点运算。": expected / 2})
        return ["3 组设置上等于 FlopCounterMode 数出的次数。"]

    return Report("ex-6-4-4", [_part("flops_1x1：1x1 卷积的浮点运算次数", flops_1x1, test)])


def _check_6_4_6(im2col=None, corr2d_multi_in_out_matmul=None) -> Report:
    def test_cols(fn):
        gen = _gen(6460)
        for c_i, n_h, n_w, k_h, k_w in [(3, 9, 11, 3, 4), (2, 3, 3, 2, 2), (1, 5, 4, 1, 1)]:
            X = torch.randn(c_i, n_h, n_w, generator=gen)
            expected = F.unfold(X.unsqueeze(0), (k_h, k_w))[0]
            _compare("im2col", _call(fn, X, k_h, k_w), expected, atol=1e-6,
                     where=f"X {(c_i, n_h, n_w)}，窗口 {k_h}x{k_w}",
                     hints={"转置了：每个输出位置的窗口应是一列，不是一行。": expected.T})
        return ["3 组形状上与 F.unfold 相同。"]

    def test_mm(fn):
        gen = _gen(6461)
        for c_i, c_o, n_h, n_w, k_h, k_w in [(3, 5, 9, 11, 3, 4), (2, 3, 3, 3, 2, 2), (1, 2, 4, 6, 1, 3)]:
            X = torch.randn(c_i, n_h, n_w, generator=gen)
            K = torch.randn(c_o, c_i, k_h, k_w, generator=gen)
            expected = F.conv2d(X.unsqueeze(0), K)[0]
            _compare("Y", _call(fn, X, K), expected, atol=1e-4,
                     where=f"X {(c_i, n_h, n_w)}，K {(c_o, c_i, k_h, k_w)}",
                     hints={"核被翻转了：互相关不翻转核。": F.conv2d(X.unsqueeze(0), K.flip(2, 3))[0]})
        return ["3 组形状上与 F.conv2d 相同（容差 1e-4）。"]

    return Report("ex-6-4-6", [_part("im2col：窗口矩阵", im2col, test_cols),
                               _part("corr2d_multi_in_out_matmul：一次矩阵乘法的多通道互相关",
                                     corr2d_multi_in_out_matmul, test_mm)])


# ---------------------------------------------------------------------------------------------
# 6.5

def _check_6_5_1(avg_pool_kernel=None) -> Report:
    def test(fn):
        gen = _gen(6510)
        for c, size, stride, pad in [(3, 2, 2, 0), (3, 3, 1, 0), (2, 3, 2, 1), (1, 2, 1, 1)]:
            K = _as_tensor("K", _call(fn, c, size, size), torch.float32)
            where = f"c={c}，窗口 {size}x{size}"
            if tuple(K.shape) != (c, c, size, size):
                raise _Problem(f"K（{where}）的形状应为 {(c, c, size, size)}（普通卷积：输出通道 x 输入通道 x 窗口），"
                               f"得到 {tuple(K.shape)}。")
            X = torch.randn(2, c, 6, 8, generator=gen)
            expected = nn.AvgPool2d(size, stride=stride, padding=pad)(X)
            mixed = torch.full((c, c, size, size), 1.0 / size ** 2)
            _compare("F.conv2d(X, K)", F.conv2d(X, K, stride=stride, padding=pad), expected, atol=1e-5,
                     where=f"{where}，步幅 {stride}，每侧填充 {pad}", hints={
                         "核混合了通道：汇聚对每个通道单独处理，o ≠ c 时 K[o, c] 应为 0。":
                             F.conv2d(X, mixed, stride=stride, padding=pad) if c > 1 else None,
                         "核的元素应是 1/(k_h k_w)，不是 1/k。":
                             F.conv2d(X, torch.eye(c).reshape(c, c, 1, 1).expand(c, c, size, size) / size,
                                      stride=stride, padding=pad)})
        return ["4 组通道数、窗口、步幅和填充上与 nn.AvgPool2d 相同。"]

    return Report("ex-6-5-1", [_part("avg_pool_kernel：平均汇聚的卷积核", avg_pool_kernel, test)])


def _check_6_5_2(max_pool_2x2_by_conv=None) -> Report:
    allowed = (nn.Conv2d, nn.ReLU, nn.Sequential, nn.Identity)

    def test(fn):
        for c in (3, 1):
            net = _call(fn, c)
            if not isinstance(net, nn.Module):
                raise _Problem(f"max_pool_2x2_by_conv({c}) 应返回一个 nn.Module，得到 {type(net).__name__}。")
            others = sorted({type(m).__name__ for m in net.modules() if not isinstance(m, allowed)})
            if others:
                raise _Problem(f"网络里只能有 nn.Conv2d、nn.ReLU（用 nn.Sequential 串起来），发现了 {others}。")
            gen = _gen(6520 + c)
            with torch.no_grad():
                X = torch.randn(2, c, 8, 10, generator=gen)
                _compare("net(X)", _call(net, X), nn.MaxPool2d(2)(X), atol=1e-5,
                         where=f"{c} 个通道的随机输入")
                X_int = torch.randint(-50, 51, (2, c, 8, 10), generator=gen).float()
                _compare("net(X)", _call(net, X_int), nn.MaxPool2d(2)(X_int), atol=1e-5,
                         where=f"{c} 个通道的整数输入")
        return ["只用卷积和 ReLU，在随机浮点数和整数输入上都与 nn.MaxPool2d(2) 一致。"]

    return Report("ex-6-5-2", [_part("max_pool_2x2_by_conv：卷积加 ReLU 搭出最大汇聚",
                                     max_pool_2x2_by_conv, test)])


def _check_6_5_3(pool_cost=None) -> Report:
    settings = [((2, 2), (2, 2), (2, 2)), ((3, 3), (2, 2), (2, 2)), ((2, 4), (2, 4), (2, 3)),
                ((3, 3), (0, 0), (1, 1))]

    def test(fn):
        c_i, n_h, n_w = 8, 28, 28
        for (k_h, k_w), (p_h, p_w), (s_h, s_w) in settings:
            X = torch.randn(1, c_i, n_h, n_w)
            pool = nn.MaxPool2d((k_h, k_w), (s_h, s_w), (p_h // 2, p_w // 2))
            shape = tuple(pool(X).shape[1:])
            reads = F.unfold(X, (k_h, k_w), padding=(p_h // 2, p_w // 2), stride=(s_h, s_w)).numel()
            args = (c_i, n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w)
            got = _call(fn, *args)
            try:
                got_shape, got_reads = got
                got_shape = tuple(int(v) for v in got_shape)
            except Exception:
                raise _Problem(f"pool_cost 应返回 (输出形状, 读取的元素个数)，得到 {got!r}。")
            if got_shape != shape:
                hint = "汇聚不改变通道数。" if got_shape[1:] == shape[1:] else ""
                raise _Problem(f"pool_cost{args} 的输出形状应为 {shape}，得到 {got_shape}。{hint}")
            _number(f"pool_cost{args} 读取的元素个数", got_reads, reads, rel=1e-9, reveal=True, hints={
                "少了通道数 c_i：每个通道都要汇聚一次。": reads / c_i})
        return ["4 组设置上输出形状与 nn.MaxPool2d 一致，读取的元素个数与 F.unfold 取出的窗口一致。"]

    return Report("ex-6-5-3", [_part("pool_cost：汇聚层的输出形状和计算量", pool_cost, test)])


def _min_pool_reference(X, size, stride, pad):
    padded = F.pad(X, (pad,) * 4, value=float("inf"))
    return padded.unfold(2, size, stride).unfold(3, size, stride).amin(dim=(-2, -1))


def _check_6_5_5(min_pool2d=None) -> Report:
    def test(fn):
        gen = _gen(6550)
        X = torch.randn(2, 3, 7, 9, generator=gen)
        for size, stride, pad in [(2, 2, 0), (3, 2, 1), (3, 1, 1)]:
            expected = _min_pool_reference(X, size, stride, pad)
            zero_padded = _min_pool_reference(F.pad(X, (pad,) * 4), size, stride, 0) if pad else None
            _compare("min_pool2d(X)", _call(fn, X, size, stride, pad), expected, atol=0.0,
                     where=f"窗口 {size}x{size}，步幅 {stride}，每侧填充 {pad}", hints={
                         "这是 -maxpool(X)：要先对 X 取负，再最大汇聚，再取负。":
                             -F.max_pool2d(X, size, stride, pad),
                         "这是最大汇聚，不是最小汇聚。": F.max_pool2d(X, size, stride, pad),
                         "填充处补了 0：0 可能被选为最小值；最小汇聚的填充应当永远不被选中。": zero_padded})
        return ["3 组窗口、步幅和填充上与逐窗口直接求最小值逐位相同。"]

    return Report("ex-6-5-5", [_part("min_pool2d：用最大汇聚实现最小汇聚", min_pool2d, test)])


def _softmax_pool_reference(X, size, tau):
    n, c, h, w = X.shape
    windows = F.unfold(X, size, stride=size).reshape(n, c, size * size, -1)
    weights = torch.softmax(windows / tau, dim=2)
    return (weights * windows).sum(dim=2).reshape(n, c, h // size, w // size)


def _check_6_5_6(softmax_pool2d=None) -> Report:
    def test(fn):
        gen = _gen(6560)
        X = torch.randn(2, 2, 8, 6, dtype=torch.float64, generator=gen)
        for tau in (0.5, 1.0, 10.0):
            expected = _softmax_pool_reference(X, 2, tau)
            wrong_dim = None
            _compare("softmax_pool2d(X)", _call(fn, X, 2, tau), expected, atol=1e-6,
                     where=f"2x2 窗口，τ = {tau}", hints={
                         "温度用反了：权重是 softmax(x / τ)，τ 越小越接近最大值。":
                             _softmax_pool_reference(X, 2, 1 / tau) if tau != 1.0 else None,
                         "这是最大汇聚：τ > 0 时结果应在平均值和最大值之间。": F.max_pool2d(X, 2),
                         "这是平均汇聚：权重应是 softmax(x / τ)，不是相等的权重。": F.avg_pool2d(X, 2),
                         "窗口内的权重没有归一化。": wrong_dim})
        Y = _call(fn, X * 1000, 2, 1.0)
        Y = _as_tensor("softmax_pool2d(1000 X)", Y)
        if not torch.isfinite(Y).all():
            raise _Problem("输入很大时（1000 X，τ = 1）结果出现了 inf 或 nan：先减去每个窗口的最大值再取指数。")
        return ["3 个温度上与定义一致（容差 1e-6），大输入时没有溢出。"]

    return Report("ex-6-5-6", [_part("softmax_pool2d：softmax 汇聚", softmax_pool2d, test)])


# ---------------------------------------------------------------------------------------------
# 6.6

def _check_6_6_1(val_diff=None) -> Report:
    def test(value):
        from .study import read_lenet_study, summarize_lenet_study
        rows = read_lenet_study()
        val = summarize_lenet_study(rows)
        a, m = val["sigmoid-avg-lr0.9"], val["sigmoid-max-lr0.9"]
        expected = m["mean"] - a["mean"]
        _number("val_diff（最大汇聚减平均汇聚，3 个种子验证准确率的平均）", value, expected, absolute=1e-3, hints={
            "符号反了：要的是最大汇聚的网络减平均汇聚的网络。": -expected,
            "这是测试准确率之差；比较和挑选只看验证准确率。": m["test"]["mean"] - a["test"]["mean"],
            "这是学习率 0.1 的那一对；题目保持 6.6 节的学习率 0.9。":
                val["sigmoid-max-lr0.1"]["mean"] - val["sigmoid-avg-lr0.1"]["mean"]})
        return ["与 d2l.read_lenet_study() 中的结果一致（容差 ±0.001）。"]

    return Report("ex-6-6-1", [_part("val_diff：换成最大汇聚后验证准确率的变化", val_diff, test)])


def _check_6_6_2(make_net=None, val_acc=None, test_acc=None) -> Report:
    def test_net(fn):
        torch.manual_seed(0)
        net = _call(fn)
        if not isinstance(net, nn.Module):
            raise _Problem(f"make_net() 应返回一个 nn.Module，得到 {type(net).__name__}。")
        with torch.no_grad():
            Y = _call(net.eval(), torch.zeros(2, 1, 28, 28))
        if tuple(_as_tensor("net(X)", Y).shape) != (2, 10):
            raise _Problem(f"输入形状 (2, 1, 28, 28) 时输出形状应为 (2, 10)（每类一个分数），得到 {tuple(Y.shape)}。")
        n = sum(p.numel() for p in net.parameters())
        return [f"输入 (批量, 1, 28, 28)，输出 (批量, 10)；{n:,} 个参数。"]

    def acc_test(kind, low):
        def test(value):
            acc = _as_number(kind, value)
            if acc > 1:
                raise _Problem(f"{kind} = {acc}：准确率是 0 到 1 之间的比例，不是百分数。")
            if acc < low:
                raise _Problem(f"{kind} = {acc:.3f}，还没有达到 {low}。")
            return []
        return test

    return Report("ex-6-6-2", [_part("make_net：改进的网络", make_net, test_net),
                               _part("val_acc：选定设置的验证准确率", val_acc, acc_test("val_acc", 0.0)),
                               _part("test_acc：只报告一次的测试准确率（至少 0.88）", test_acc,
                                     acc_test("test_acc", 0.88))])


def _check_6_6_4(activations=None) -> Report:
    def test(fn):
        from .architecture import lenet
        for activation, seed in ((nn.Sigmoid, 6640), (nn.ReLU, 6641)):
            torch.manual_seed(_seed(seed))
            net = lenet(activation, nn.MaxPool2d if activation is nn.ReLU else nn.AvgPool2d).eval()
            X = torch.rand(2, 1, 28, 28, generator=_gen(seed))
            with torch.no_grad():
                first = net[:2](X)
                second = net[2:5](first)
                got = _call(fn, net, X)
            try:
                g1, g2 = got
            except Exception:
                raise _Problem("activations 应返回两个张量 (第一层的激活, 第二层的激活)。")
            name = activation.__name__
            _compare("第一层的激活", g1, first, atol=1e-5, where=f"{name} LeNet", hints={
                "这是汇聚之后的输出；题目要的是激活函数之后、汇聚之前。": net[:3](X),
                "这是激活函数之前的卷积输出。": net[:1](X)})
            _compare("第二层的激活", g2, second, atol=1e-5, where=f"{name} LeNet", hints={
                "这是汇聚之后的输出；题目要的是激活函数之后、汇聚之前。": net[2:6](first),
                "这是激活函数之前的卷积输出。": net[2:4](first)})
        return ["sigmoid LeNet 和 ReLU LeNet 上都取到了两个卷积层激活之后、汇聚之前的输出。"]

    return Report("ex-6-6-4", [_part("activations：前两层的激活", activations, test)])


# ---------------------------------------------------------------------------------------------
# Registry

CHECKS: dict[str, Callable[..., Report]] = {
    "ex-6-1-1": _check_6_1_1, "ex-6-1-3": _check_6_1_3, "ex-6-1-4": _check_6_1_4,
    "ex-6-1-6": _check_6_1_6, "ex-6-2-1": _check_6_2_1, "ex-6-2-2": _check_6_2_2,
    "ex-6-2-3": _check_6_2_3, "ex-6-2-4": _check_6_2_4, "ex-6-3-1": _check_6_3_1,
    "ex-6-3-2": _check_6_3_2, "ex-6-3-3": _check_6_3_3, "ex-6-4-1": _check_6_4_1,
    "ex-6-4-2": _check_6_4_2, "ex-6-4-3": _check_6_4_3, "ex-6-4-4": _check_6_4_4,
    "ex-6-4-6": _check_6_4_6, "ex-6-5-1": _check_6_5_1, "ex-6-5-2": _check_6_5_2,
    "ex-6-5-3": _check_6_5_3, "ex-6-5-5": _check_6_5_5, "ex-6-5-6": _check_6_5_6,
    "ex-6-6-1": _check_6_6_1, "ex-6-6-2": _check_6_6_2, "ex-6-6-4": _check_6_6_4,
}


def answer_names(label: str) -> list[str]:
    """The keyword names the check of ``label`` takes (what the stub defines)."""
    return list(inspect.signature(CHECKS[label]).parameters)


def check(label: str, *, variant: int = 0, **answers) -> Report:
    """Check the student's answers to exercise ``label`` (e.g. 'ex-6-2-3'); never raises for them.

    ``variant``: 0 (the default) is what the student runs; 1, 2, ... run the same tests on other
    random inputs of the same shapes, for the hidden tests of the grading version.
    """
    global _VARIANT
    if label not in CHECKS:
        raise KeyError(f"没有这道题的检查：{label!r}（有检查的题：{', '.join(CHECKS)}）")
    unknown = set(answers) - set(answer_names(label))
    if unknown:
        raise TypeError(f"{label} 的检查不认识 {sorted(unknown)}；它要的是 {answer_names(label)}")
    _VARIANT = int(variant)
    try:
        return CHECKS[label](**answers)
    finally:
        _VARIANT = 0


class Checklist:
    def __init__(self, label: str, items: list[str]):
        self.label, self.items = label, items

    def text(self) -> str:
        title = "练习 " + self.label.replace("ex-", "").replace("-", ".")
        return "\n".join([f"{title}：好的回答应当讲到"] + [f"  - {item}" for item in self.items])

    __str__ = __repr__ = text

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.text())


def checklist(label: str) -> Checklist:
    """What a good answer in words to ``label`` covers (shown on request)."""
    return Checklist(label, CHECKLISTS[label])


# ---------------------------------------------------------------------------------------------
# Data for the student edition: how each exercise is answered, the stubs, the checklists.

#: every exercise of 6.7: 'computable' (a value, a shape, a function), 'mixed' (a computable
#: part with a check, and a part in words with a checklist), 'words' (words or a derivation).
CLASSES: dict[str, str] = {
    "ex-6-1-1": "mixed", "ex-6-1-2": "words", "ex-6-1-3": "mixed", "ex-6-1-4": "mixed",
    "ex-6-1-5": "words", "ex-6-1-6": "mixed",
    "ex-6-2-1": "computable", "ex-6-2-2": "mixed", "ex-6-2-3": "computable", "ex-6-2-4": "mixed",
    "ex-6-3-1": "computable", "ex-6-3-2": "mixed", "ex-6-3-3": "mixed", "ex-6-3-4": "words",
    "ex-6-4-1": "mixed", "ex-6-4-2": "computable", "ex-6-4-3": "computable", "ex-6-4-4": "computable",
    "ex-6-4-5": "words", "ex-6-4-6": "computable",
    "ex-6-5-1": "computable", "ex-6-5-2": "mixed", "ex-6-5-3": "computable", "ex-6-5-4": "words",
    "ex-6-5-5": "computable", "ex-6-5-6": "mixed",
    "ex-6-6-1": "mixed", "ex-6-6-2": "computable", "ex-6-6-3": "words", "ex-6-6-4": "mixed",
}

#: the code a student starts from: it runs as it is (every answer still ``...``), and the check
#: under it then says 还没有作答.
STUBS: dict[str, str] = {
    "ex-6-1-1": '''\
def delta0_layer(X, V, u):
    """Δ = 0 的卷积层。X: (c_i, h, w)；V: (c_o, c_i)，V[d, c] 就是 [V]_{d,c,0,0}；u: (c_o,) 是偏置。
    返回 H: (c_o, h, w)。"""
    ...


def n_params(c_i, c_o):
    """这一层的参数个数。"""
    ...
''',
    "ex-6-1-3": '''\
def window_counts(n, k):
    """n x n 的输入、k x k 的核做 valid 互相关（不填充、步幅 1）时，每个输入像素被几个窗口读到。
    返回形状为 (n, n) 的张量。"""
    ...
''',
    "ex-6-1-4": '''\
def audio_conv(X, V, u):
    """H[d, t] = u[d] + sum_c sum_a V[d, c, a + Delta] X[c, t + a]，a 从 -Delta 到 Delta，两端补零。
    X: (c_i, T)；V: (c_o, c_i, 2 Delta + 1)；u: (c_o,)。返回 H: (c_o, T)。"""
    ...
''',
    "ex-6-1-6": '''\
def conv2d_full(f, g):
    """完整的二维卷积 f * g：[i, j] 处为 sum_{a,b} f[a, b] g[i - a, j - b]（所有有重叠的位置）。
    f: (f_h, f_w)，g: (g_h, g_w)，都是整数张量也可以。"""
    ...
''',
    "ex-6-2-1": '''\
X = torch.tril(torch.ones(8, 8))     # j <= i 时 X[i, j] = 1：一条对角线边缘
K = torch.tensor([[1.0, -1.0]])
# 先推导，再写出（或用 d2l.corr2d 算出）三个结果：
Y1 = ...   # (1) X ⋆ K
Y2 = ...   # (2) X 转置后再与 K 做互相关
Y3 = ...   # (3) X 与转置后的 K 做互相关
''',
    "ex-6-2-2": '''\
# 6.2 节的数据：X_edge 是 6x8 的输入（中间一条竖直的黑带），目标是核 [1, -1] 的输出（6x7）。
# 损失是平方误差之和。写出（或算出）黑塞矩阵的最大特征值，以及有偏置时能收敛的最大学习率。
lam_no_bias = ...    # 没有偏置（参数是核的 2 个元素）
lam_bias = ...       # 有一个标量偏置（参数是核的 2 个元素和偏置）
max_stable_lr = ...  # 有偏置时，梯度下降收敛的学习率上界
''',
    "ex-6-2-3": '''\
def kernel_matrix(K, input_shape):
    """矩阵 W：W @ X.reshape(-1) 等于 corr2d(X, K).reshape(-1)。input_shape = (n_h, n_w)。"""
    ...


def window_matrix(X, kernel_shape):
    """矩阵 P：每一行是 X 的一个展平的窗口，P @ K.reshape(-1) 等于 corr2d(X, K).reshape(-1)。"""
    ...
''',
    "ex-6-2-4": '''\
second_derivative_kernel = ...   # (1) 一维互相关核，作用在 f 的采样上得到二阶导数


def prefix_sum(f):
    """(2) 用补零和一次一维互相关（例如 F.conv1d）算出前缀和 F[i] = f[0] + ... + f[i]。f: 一维张量。"""
    ...


def derivative_kernel(d):
    """(3) d 阶导数的最短一维互相关核（一维张量）：作用在次数不超过 d 的多项式上给出精确的 d 阶导数。"""
    ...
''',
    "ex-6-3-1": '''\
# 8x8 的输入，3x5 的核，padding=(0, 1)（每侧的量），步幅 (3, 4)
shape = ...        # 输出的 (高, 宽)
unread_rows = ...  # 没有被任何窗口读到的输入行的下标（列表）
unread_cols = ...  # 没有被任何窗口读到的输入列的下标（列表）
''',
    "ex-6-3-2": '''\
def unread_pixels(n, k, p, s):
    """n x n 的输入、k x k 的核、总填充 p（每侧 p // 2）、步幅 s：有多少个输入像素从未被任何窗口读到。"""
    ...
''',
    "ex-6-3-3": '''\
def apparent_frequency(f, fs):
    """采样率 fs 下频率为 f（0 < f < fs / 2）的纯音，经过步幅 2（核 [1]）之后，在新的序列里看起来是多少 Hz。"""
    ...
''',
    "ex-6-4-1": '''\
def compose_kernels(K1, K2):
    """两个不填充、步幅 1 的卷积层之间没有非线性：(X ⋆ K1) ⋆ K2 = X ⋆ K，返回等效核 K。
    K1: (c_m, c_i, k1_h, k1_w)，K2: (c_o, c_m, k2_h, k2_w)。"""
    ...
''',
    "ex-6-4-2": '''\
def conv_cost(c_i, n_h, n_w, c_o, k_h, k_w, p_h=0, p_w=0, s_h=1, s_w=1):
    """一个卷积层（有偏置）的代价；p_h、p_w 是两侧合计的填充。返回字典：
    'output_shape': (c_o, o_h, o_w)；'forward_flops'、'backward_flops'：浮点运算次数（一次乘加记作 2，
    反向对输入和权重都求梯度）；可选 'forward_memory'（输入 + 参数 + 输出的元素个数）、
    'backward_memory'（再加上与它们一样大的梯度）。"""
    ...
''',
    "ex-6-4-3": '''\
channels_ratio = ...   # 输入、输出通道数都加倍，前向计算量变为原来的几倍


def padding_ratio(h, k, p):
    """h x h 的输入、k x k 的核、步幅 1：总填充从 p 加倍到 2p，前向计算量变为原来的几倍。"""
    ...
''',
    "ex-6-4-4": '''\
def flops_1x1(c_i, c_o, n_h, n_w):
    """没有偏置、不填充、步幅 1 的 1x1 卷积做一次前向传播的浮点运算次数（一次乘加记作 2）。"""
    ...
''',
    "ex-6-4-6": '''\
def im2col(X, k_h, k_w):
    """(c_i, n_h, n_w) -> (c_i * k_h * k_w, o_h * o_w)：每个输出位置的窗口展平成一列。"""
    ...


def corr2d_multi_in_out_matmul(X, K):
    """多输入多输出通道的互相关，写成一次矩阵乘法。X: (c_i, n_h, n_w)，K: (c_o, c_i, k_h, k_w)。"""
    ...
''',
    "ex-6-5-1": '''\
def avg_pool_kernel(c, k_h, k_w):
    """卷积核 K，形状 (c, c, k_h, k_w)：F.conv2d(X, K, stride=s, padding=p) 等于
    nn.AvgPool2d((k_h, k_w), stride=s, padding=p)(X)。"""
    ...
''',
    "ex-6-5-2": '''\
def max_pool_2x2_by_conv(channels):
    """只用 nn.Conv2d 和 nn.ReLU（用 nn.Sequential 串起来）搭出的网络，效果等于 nn.MaxPool2d(2)。"""
    ...
''',
    "ex-6-5-3": '''\
def pool_cost(c_i, n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):
    """汇聚层的 (输出形状 (c, o_h, o_w), 读取的元素个数)；p_h、p_w 是两侧合计的填充。"""
    ...
''',
    "ex-6-5-5": '''\
def min_pool2d(X, size, stride, padding):
    """最小汇聚，只用 F.max_pool2d 和取负实现。X: (批量, 通道, 高, 宽)；padding 是每侧的量。"""
    ...
''',
    "ex-6-5-6": '''\
def softmax_pool2d(X, size, tau):
    """不重叠的 size x size 窗口，每个窗口输出 sum(softmax(x / tau) * x)。X: (批量, 通道, 高, 宽)。"""
    ...
''',
    "ex-6-6-1": '''\
rows = d2l.read_lenet_study()
summary = d2l.summarize_lenet_study(rows)   # 按验证准确率
# sigmoid 激活、学习率 0.9：最大汇聚（'sigmoid-max-lr0.9'）减平均汇聚（'sigmoid-avg-lr0.9'），
# 3 个种子最后一轮验证准确率的平均之差
val_diff = ...
''',
    "ex-6-6-2": '''\
def make_net():
    """改进后的网络：输入 (批量, 1, 28, 28)，输出 (批量, 10)。"""
    ...


val_acc = ...    # 在留出的验证集上挑选设置时，选中设置的验证准确率
test_acc = ...   # 只为选中的网络报告一次的测试准确率
''',
    "ex-6-6-4": '''\
def activations(net, X):
    """LeNet（d2l.lenet 的层次）两个卷积层的激活：经过激活函数之后、汇聚之前的输出。
    返回 (第一层的激活, 第二层的激活)。"""
    ...
''',
}

#: what a good answer covers, for the parts answered in words or by a derivation.
CHECKLISTS: dict[str, list[str]] = {
    "ex-6-1-1": ["Δ = 0 时求和只剩 a = b = 0 一项，写出化简后的公式；",
                 "每个像素上是同一个作用在通道向量上的全连接层（共享权重和偏置），像素之间不交换信息；",
                 "参数个数与图像大小无关；它就是 1x1 卷积。"],
    "ex-6-1-2": ["平移不变性的含义：同一个图案在哪里出现都一样处理；",
                 "位置本身有含义的例子（对齐的人脸、医学影像、棋盘、版面）；",
                 "答案就是位置的任务（在左边还是右边）：严格平移不变的网络做不到；",
                 "实际网络只是近似平移不变（填充、展平后的全连接层泄露位置），以及需要位置时的办法（如坐标通道）。"],
    "ex-6-1-3": ["至少三种做法：只算完全在图像内的窗口（valid）、各种填充（补零、复制、镜像、循环）、越界部分当缺失并重新归一化；",
                 "每种做法的代价：输出变小、边界像素被读得少；补零造出假边缘并泄露位置；循环填充拼接不相邻的内容；",
                 "与平移不变性的关系。"],
    "ex-6-1-4": ["输入按通道在前写成 [X]_{c,t}，写出一维卷积的公式（含偏置）；",
                 "平移不变性：权重不随时间 t 变化；局部性：只看 t 附近一小段；",
                 "参数量与录音长短无关；采样率高时要配合步幅或先变成语谱图（频率轴上位置有含义）。"],
    "ex-6-1-5": ["词元表示成向量，句子是通道数为 d 的一维序列，沿序列做一维卷积；",
                 "卷积核是 k 元语法检测器，平移不变性在文本中说得通；全局最大汇聚得到定长特征（textCNN）；",
                 "局限：感受野小、远距离依赖要堆很多层，全局汇聚丢掉顺序，句子要填充到同样长；",
                 "今天更多用循环网络和注意力机制。"],
    "ex-6-1-6": ["连续情形：变量代换 z' = x - z，雅可比行列式的绝对值为 1；",
                 "离散情形：(a, b) -> (i - a, j - b) 是双射，只是重排求和（需要绝对收敛）；",
                 "互相关不满足交换律：交换后结果上下、左右翻转，(f ⋆ g)(i) = (g ⋆ f)(-i)。"],
    "ex-6-2-2": ["能求导：对切片的原地写入被自动微分记录，梯度传回核和偏置；",
                 "损失是参数的二次函数，梯度下降收敛当且仅当 学习率 × λ_max < 2；",
                 "偏置与所有 42 个输出相连，损失又是求和，偏置方向的曲率大，λ_max 变大，原来的学习率越过了界；",
                 "解决办法：减小学习率，或者用均值代替求和。"],
    "ex-6-2-4": ["二阶差分核的泰勒展开：对几次多项式精确、误差的阶；二维的拉普拉斯核；",
                 "积分是求和：全 1 的核，前缀和需要和信号一样长的核并在一侧补零；二维是积分图；",
                 "d 阶导数至少要 d + 1 个元素：够用（前向差分），不能更少（范德蒙德矩阵可逆）。"],
    "ex-6-3-2": ["s = 1、p = k - 1 时形状不变；",
                 "k = 3、p = 2、s = 2 把偶数边长减半；",
                 "步幅大于核宽时有像素永远读不到；向下取整会丢掉边缘的行和列。"],
    "ex-6-3-3": ["步幅 2 等于先滤波再每两个点保留一个：采样率减半；",
                 "能表示的最高频率降到 fs/4，更高的成分混叠到低频（f -> fs/2 - f）；",
                 "学出来的核不一定是低通滤波器，所以混叠不一定被消除。"],
    "ex-6-3-4": ["每个输出元素的计算量与步幅无关，输出元素个数约减少为 1/(s_h s_w)，所以乘加和内存约缩小 s_h s_w 倍；",
                 "后面各层处理的特征映射都变小，节省一路传下去；感受野增长更快；",
                 "比“步幅 1 算完再隔点取样”省去了要丢掉的输出；代价是信息损失（读不到的像素、混叠）。"],
    "ex-6-4-1": ["推导：两层互相关合成一次互相关，等效核是两个核的完整卷积；",
                 "等效核的大小是 (k1 + k2 - 1) x (k1 + k2 - 1)；多通道时对中间通道求和，偏置也合并；",
                 "反过来一般不成立：自由度不够（2 (k1 - 1)(k2 - 1)），一维反例 [1, 0, 1]（1 + z² 没有实根）；",
                 "中间通道足够多时又成立。"],
    "ex-6-4-5": ["数学上相等，浮点数下不保证逐位相同；",
                 "两种实现的求和顺序不同（逐通道相加，BLAS 分块、并行、融合乘加），浮点加法不满足结合律；",
                 "两者都满足浮点求和的误差界；小整数时每个部分和都精确，逐位相同。"],
    "ex-6-5-2": ["单个卷积层不行：卷积是线性的，最大值不是（给出反例），偏置也帮不上忙；",
                 "卷积加 ReLU 可以：max(a, b) = a + ReLU(b - a)，a = ReLU(a) - ReLU(-a)；",
                 "2x2 的窗口分两步（先水平、再竖直）；更大的窗口排成一棵树。"],
    "ex-6-5-4": ["线性与否：平均汇聚是模糊加下采样，最大汇聚只保留最强响应；",
                 "稀疏特征：最大汇聚原样保留，平均汇聚把它稀释；",
                 "噪声：平均降低方差，最大值使均值上偏；",
                 "梯度：平均汇聚平分梯度，最大汇聚只给最大值的位置。"],
    "ex-6-5-6": ["softmax 加权的和，温度 τ 控制它在平均（τ 很大）与最大（τ 很小）之间；",
                 "它总夹在平均值与最大值之间（对 1/τ 单调）；",
                 "不常用的原因：指数运算贵、多一个超参数、数值上要先减最大值、好处不明确。"],
    "ex-6-6-1": ["比较用验证准确率，多个种子，同一种子的成对比较；",
                 "学习率 0.9 的 sigmoid 网络上最大汇聚更好，但种子间的波动与差别相当；",
                 "条件不同时（学习率 0.1）差别可能消失；解释只是假说，实验没有检验它；",
                 "测试准确率只为选定的配置报告一次。"],
    "ex-6-6-3": ["MNIST 与 Fashion-MNIST 格式相同，网络和训练函数不用改，只换数据来源；",
                 "说明数据从哪里来（在线下载或离线放好 IDX 文件）；",
                 "报告测试准确率，并与 Fashion-MNIST 上的比较：手写数字更容易。"],
    "ex-6-6-4": ["说明“激活”取的是哪一层的什么（激活函数之后、汇聚之前）；",
                 "第一层的激活仍像原图，各通道像不同的滤镜；",
                 "sigmoid 的激活没有 0，ReLU 的激活稀疏；",
                 "第二层组合了多个通道，更难认出形状；只比较两张图时结论的范围有限。"],
}
