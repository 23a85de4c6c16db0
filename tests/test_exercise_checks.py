"""d2lmini.exercise_checks: the checks of the student edition (issue 17).

For every checked exercise of 6.7: the instructor solution passes (taken from the solution's own
code cells in notebooks/6_7_exercises.ipynb, executed here: they are small and fast), the stub
gives 还没有作答, and plausible wrong answers are rejected with a message naming the mistake.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import d2lmini as d2l
from d2lmini import exercise_checks as checks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "6_7_exercises.ipynb"

# The solution cells whose code the instructor answers come from (by cell id; ids are kept when
# the notebook is edited). The 6.6.4 training cell and the MNIST cell are not run: minutes.
SOLUTION_CELLS = [
    "intro-code-2", "ex-6-1-1-code-1", "ex-6-1-3-code-1", "ex-6-1-4-code-1", "ex-6-1-6-code-1",
    "ex-6-2-1-code-1", "ex-6-2-2-code-1", "ex-6-2-2-code-2", "ex-6-2-3-code-1", "ex-6-2-4-code-1",
    "ex-6-3-1-code-1", "ex-6-3-2-code-1", "ex-6-3-3-code-1", "ex-6-3-4-code-1", "sec-6-4-code-1",
    "ex-6-4-1-code-1", "ex-6-4-2-code-1", "ex-6-4-3-code-1", "ex-6-4-6-code-1",
    "ex-6-5-1-code-1", "ex-6-5-2-code-1", "ex-6-5-3-code-1", "ex-6-5-5-code-1", "ex-6-5-6-code-1",
    "sec-6-6-code-1", "ex-6-6-2-code-3",
]


def code_cells():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return {c["id"]: "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"}


@pytest.fixture(scope="module")
def sol():
    """The namespace after running the solution cells (kernel cwd = notebooks/, as in the book)."""
    cells = code_cells()
    missing = [cid for cid in SOLUTION_CELLS if cid not in cells]
    assert not missing, f"6.7 has lost the solution cells {missing}"
    ns: dict = {}
    here = os.getcwd()
    os.chdir(ROOT / "notebooks")       # contextlib.chdir is Python 3.11+; the book supports 3.10
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for cid in SOLUTION_CELLS:
                exec(compile(cells[cid], f"6.7:{cid}", "exec"), ns)
    finally:
        os.chdir(here)
    return ns


@pytest.fixture(scope="module")
def instructor(sol):
    """The instructor's answer to each check, built from the solution's own code."""
    def delta0_layer(X, V, u):
        # the solution of 6.1.1: nn.Linear with the 1x1 kernel's parameters, on channels-last pixels
        c_o, c_i = V.shape
        linear = nn.Linear(c_i, c_o)
        with torch.no_grad():
            linear.weight.copy_(V)
            linear.bias.copy_(u)
            return linear(X.unsqueeze(0).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)[0]

    def window_counts(n, k):
        # 6.1.3 (a): the gradient of the sum of a valid all-ones convolution counts the windows
        X = torch.ones(1, 1, n, n, requires_grad=True)
        F.conv2d(X, torch.ones(1, 1, k, k)).sum().backward()
        return X.grad[0, 0]

    def prefix_sum(f):
        n = f.numel()
        return sol["corr1d"](F.pad(f, (n - 1, 0)), torch.ones(n, dtype=f.dtype))

    def derivative_kernel(d):
        return torch.tensor([(-1) ** (d - j) * math.comb(d, j) for j in range(d + 1)],
                            dtype=torch.float64)

    def activations(net, X):
        first = net[:2](X)          # 卷积 1 + 激活（the 6.6.4 solution's slicing）
        return first, net[2:5](first)

    conv_flops = sol["conv_flops"]

    def padding_ratio(h, k, p):
        return sol["forward_flops"](1, 1, h, h, k, 2 * p) / sol["forward_flops"](1, 1, h, h, k, p)

    def flops_1x1(c_i, c_o, n_h, n_w):
        conv = nn.Conv2d(c_i, c_o, kernel_size=1, bias=False)
        return conv_flops(conv, torch.randn(1, c_i, n_h, n_w))

    def apparent_frequency(f, fs):
        # the 6.3.3 solution's measurement: the peak of the spectrum after stride 2
        N = fs // 10
        t = torch.arange(N, dtype=torch.float64) / fs
        tone = torch.cos(2 * math.pi * f * t).reshape(1, 1, -1)
        strided = F.conv1d(tone, torch.ones(1, 1, 1, dtype=torch.float64), stride=2)
        return sol["peak"](strided, fs // 2)[0]

    def avg_pool_kernel(c, k_h, k_w):
        full = torch.zeros(c, c, k_h, k_w)
        full[range(c), range(c)] = 1.0 / (k_h * k_w)     # 通道上是单位矩阵（the 6.5.1 solution）
        return full

    def min_pool2d(X, size, stride, padding):
        return -F.max_pool2d(-X, size, stride, padding)

    summary = sol["summary"]
    lam = {bias: sol["curvature"](bias) for bias in (False, True)}
    runs = sol["runs_622"]
    assert lam[True] == runs[True, 3e-2][0]
    return {
        "ex-6-1-1": dict(delta0_layer=delta0_layer,
                         n_params=lambda c_i, c_o: sum(p.numel() for p in nn.Conv2d(c_i, c_o, 1).parameters())),
        "ex-6-1-3": dict(window_counts=window_counts),
        "ex-6-1-4": dict(audio_conv=sol["audio_conv"]),
        "ex-6-1-6": dict(conv2d_full=sol["conv2d_full"]),
        "ex-6-2-1": dict(Y1=sol["Y1"], Y2=sol["Y2"], Y3=sol["Y3"]),
        "ex-6-2-2": dict(lam_no_bias=lam[False], lam_bias=lam[True], max_stable_lr=2 / lam[True]),
        "ex-6-2-3": dict(kernel_matrix=sol["kernel_matrix"], window_matrix=sol["window_matrix"]),
        "ex-6-2-4": dict(second_derivative_kernel=sol["second"], prefix_sum=prefix_sum,
                         derivative_kernel=derivative_kernel),
        "ex-6-3-1": dict(shape=sol["shape_formula"], unread_rows=sol["unread_rows"],
                         unread_cols=sol["unread_cols"]),
        "ex-6-3-2": dict(unread_pixels=sol["unread_pixels_by_enumeration"]),
        "ex-6-3-3": dict(apparent_frequency=apparent_frequency),
        "ex-6-4-1": dict(compose_kernels=sol["compose_kernels"]),
        "ex-6-4-2": dict(conv_cost=sol["conv_cost"]),
        "ex-6-4-3": dict(channels_ratio=sol["doubled"] / sol["base"], padding_ratio=padding_ratio),
        "ex-6-4-4": dict(flops_1x1=flops_1x1),
        "ex-6-4-6": dict(im2col=sol["im2col"], corr2d_multi_in_out_matmul=sol["corr2d_multi_in_out_matmul"]),
        "ex-6-5-1": dict(avg_pool_kernel=avg_pool_kernel),
        "ex-6-5-2": dict(max_pool_2x2_by_conv=sol["max_pool_2x2_by_conv"]),
        "ex-6-5-3": dict(pool_cost=sol["pool_cost"]),
        "ex-6-5-5": dict(min_pool2d=min_pool2d),
        "ex-6-5-6": dict(softmax_pool2d=sol["softmax_pool2d"]),
        "ex-6-6-1": dict(val_diff=summary["sigmoid-max-lr0.9"]["mean"] - summary["sigmoid-avg-lr0.9"]["mean"]),
        # 6.6.2: the chosen network; its accuracies are the study's (training it takes minutes)
        "ex-6-6-2": dict(make_net=sol["better_net"], val_acc=summary["all-adam0.001"]["mean"],
                         test_acc=summary["all-adam0.001"]["test"]["mean"]),
        "ex-6-6-4": dict(activations=activations),
    }


def test_every_exercise_is_classified_and_every_checked_one_has_a_stub():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    labels = []
    for c in cells:
        if c["cell_type"] == "markdown":
            text = "".join(c["source"])
            labels += re.findall(r"^\((ex-6-\d-\d)\)=", text, re.M)
            labels += re.findall(r":label:\s*(ex-6-\d-\d)\s*$", text, re.M)
    assert sorted(set(labels)) == sorted(checks.CLASSES), "CLASSES must list exactly 6.7's exercises"
    for label, kind in checks.CLASSES.items():
        assert kind in ("computable", "mixed", "words")
        assert (label in checks.CHECKS) == (kind != "words"), label
        assert (label in checks.STUBS) == (label in checks.CHECKS), label
        # a checklist exactly where a part is answered in words (the student edition shows it)
        assert bool(checks.CHECKLISTS.get(label)) == (kind != "computable"), label
        if label in checks.CHECKLISTS:
            assert "好的回答应当讲到" in checks.checklist(label).text()


def test_instructor_solutions_pass(instructor):
    assert sorted(instructor) == sorted(checks.CHECKS)
    for label, answers in instructor.items():
        report = checks.check(label, **answers)
        assert report.status == "passed", report.text()
        assert "全部通过" in report.text()
        # the hidden tests' variant: other random inputs, the same verdict
        assert checks.check(label, variant=1, **answers).passed, label


def test_a_variant_draws_other_inputs_and_catches_the_same_mistakes(sol, instructor):
    seen = []
    def spy(f, g):
        seen.append(f.clone())
        return sol["conv2d_full"](f, g)
    checks.check("ex-6-1-6", conv2d_full=spy)
    checks.check("ex-6-1-6", variant=1, conv2d_full=spy)
    assert len(seen) == 6 and not torch.equal(seen[0], seen[3])
    assert "核没有翻转" in checks.check("ex-6-1-6", variant=2, conv2d_full=sol["corr2d_full"]).text()
    assert checks.check("ex-6-1-6", conv2d_full=spy).passed     # the variant was reset


def stub_answers(label):
    ns = dict(torch=torch, nn=nn, F=F, d2l=d2l)
    exec(checks.STUBS[label], ns)
    return {name: ns[name] for name in checks.answer_names(label)}


@pytest.mark.parametrize("label", sorted(checks.CHECKS))
def test_stub_says_unanswered(label):
    report = checks.check(label, **stub_answers(label))
    assert report.status == "unanswered" and not report.passed
    assert report.text().splitlines()[0].endswith(checks.UNANSWERED)
    # each answer left as Ellipsis / None / NotImplemented, or a function raising NotImplementedError
    for stub in (Ellipsis, None, NotImplemented):
        assert checks.check(label, **{k: stub for k in checks.answer_names(label)}).status == "unanswered"


def test_a_function_raising_not_implemented_is_unanswered():
    def conv2d_full(f, g):
        raise NotImplementedError
    assert checks.check("ex-6-1-6", conv2d_full=conv2d_full).status == "unanswered"


def test_student_error_is_one_line_without_traceback():
    def conv2d_full(f, g):
        return f @ g     # wrong shapes: RuntimeError inside the student's code
    report = checks.check("ex-6-1-6", conv2d_full=conv2d_full)
    assert report.status == "failed"
    assert "出错" in report.text() and "RuntimeError" in report.text()
    assert "Traceback" not in report.text() and "File " not in report.text()


def test_partly_answered_is_failed_and_says_which_part(instructor):
    answers = dict(instructor["ex-6-2-3"], window_matrix=...)
    report = checks.check("ex-6-2-3", **answers)
    assert report.status == "failed"
    assert "✓ 通过" in report.text() and checks.UNANSWERED in report.text()


def rejected(label, instructor, **wrong):
    """The check of ``label`` with the instructor answers, some replaced by wrong ones: its text."""
    report = checks.check(label, **dict(instructor[label], **wrong))
    assert report.status == "failed", report.text()
    assert "Traceback" not in report.text()
    return report.text()


def test_6_1_1_wrong(instructor):
    def channels_last(X, V, u):
        return instructor["ex-6-1-1"]["delta0_layer"](X, V, u).permute(1, 2, 0)

    def no_bias(X, V, u):
        return torch.einsum("dc,chw->dhw", V, X)

    assert "通道在前" in rejected("ex-6-1-1", instructor, delta0_layer=channels_last)
    assert "少了偏置" in rejected("ex-6-1-1", instructor, delta0_layer=no_bias)
    assert "少了偏置的个数" in rejected("ex-6-1-1", instructor, n_params=lambda c_i, c_o: c_i * c_o)


def test_6_1_3_wrong(instructor):
    full = rejected("ex-6-1-3", instructor, window_counts=lambda n, k: torch.full((n, n), float(k * k)))
    assert "边界附近的像素" in full
    one_d = rejected("ex-6-1-3", instructor, window_counts=lambda n, k: instructor["ex-6-1-3"]["window_counts"](n, k)[0]
                     / instructor["ex-6-1-3"]["window_counts"](n, k)[0, 0])
    assert "一维" in one_d


def test_6_1_4_wrong(instructor):
    def no_padding(X, V, u):
        return F.conv1d(X.unsqueeze(0), V, u)[0]

    def flipped(X, V, u):
        return instructor["ex-6-1-4"]["audio_conv"](X, V.flip(2), u)

    assert "补零" in rejected("ex-6-1-4", instructor, audio_conv=no_padding)
    assert "翻转" in rejected("ex-6-1-4", instructor, audio_conv=flipped)


def test_6_1_6_wrong(instructor, sol):
    assert "核没有翻转" in rejected("ex-6-1-6", instructor, conv2d_full=sol["corr2d_full"])

    def valid_only(f, g):   # only the positions where g lies inside f: an off-by-shape answer
        return sol["conv2d_full"](f, g)[g.shape[0] - 1:f.shape[0], g.shape[1] - 1:f.shape[1]]
    assert "形状应为" in rejected("ex-6-1-6", instructor, conv2d_full=valid_only)


def test_6_2_1_wrong(instructor, sol):
    assert "符号反了" in rejected("ex-6-2-1", instructor, Y1=-sol["Y1"])
    assert "这是 (2) X^T ⋆ K 的结果" in rejected("ex-6-2-1", instructor, Y1=sol["Y2"])
    assert "转置的是核" in rejected("ex-6-2-1", instructor, Y3=sol["Y1"].T)
    text = rejected("ex-6-2-1", instructor, Y3=sol["Y3"][:, :-1])
    assert "形状应为 (7, 8)，得到 (7, 7)" in text


def test_6_2_2_wrong(instructor):
    lam = instructor["ex-6-2-2"]["lam_bias"]
    assert "少了因子 2" in rejected("ex-6-2-2", instructor, lam_bias=lam / 2)
    assert "均值" in rejected("ex-6-2-2", instructor, lam_bias=lam / 42)
    assert "< 2，不是 < 1" in rejected("ex-6-2-2", instructor, max_stable_lr=1 / lam)
    assert checks.check("ex-6-2-2", lam_no_bias=60, lam_bias=124.3, max_stable_lr=0.016).passed  # as read off
    text = rejected("ex-6-2-2", instructor, lam_bias=100.0)
    assert "偏小" in text and "124" not in text      # a number is not revealed


def test_6_2_3_wrong(instructor, sol):
    transposed = lambda K, shape: sol["kernel_matrix"](K, shape).T
    assert "行列颠倒" in rejected("ex-6-2-3", instructor, kernel_matrix=transposed)
    flipped = lambda K, shape: sol["kernel_matrix"](K.flip(0, 1), shape)
    assert "核被翻转" in rejected("ex-6-2-3", instructor, kernel_matrix=flipped)
    columns = lambda X, shape: sol["window_matrix"](X, shape).T
    assert "每个窗口一行" in rejected("ex-6-2-3", instructor, window_matrix=columns)


def test_6_2_4_wrong(instructor):
    assert "符号反了" in rejected("ex-6-2-4", instructor,
                               second_derivative_kernel=torch.tensor([-1.0, 2.0, -1.0]))
    assert "处处得到" in rejected("ex-6-2-4", instructor, second_derivative_kernel=torch.tensor([1.0, -1.0]))
    right_pad = lambda f: F.conv1d(F.pad(f, (0, f.numel() - 1)).reshape(1, 1, -1),
                                   torch.ones(1, 1, f.numel(), dtype=f.dtype)).reshape(-1)
    assert "零补在了右边" in rejected("ex-6-2-4", instructor, prefix_sum=right_pad)
    backward = lambda d: torch.tensor([(-1) ** j * math.comb(d, j) for j in range(d + 1)], dtype=torch.float64)
    assert "符号反了" in rejected("ex-6-2-4", instructor, derivative_kernel=backward)
    too_long = lambda d: torch.cat([instructor["ex-6-2-4"]["derivative_kernel"](d), torch.zeros(1, dtype=torch.float64)])
    assert "不是最短的" in rejected("ex-6-2-4", instructor, derivative_kernel=too_long)
    too_short = lambda d: torch.ones(d, dtype=torch.float64)
    assert "这样短的核" in rejected("ex-6-2-4", instructor, derivative_kernel=too_short)


def test_6_3_1_wrong(instructor):
    assert "每侧的量" in rejected("ex-6-3-1", instructor, shape=(2, 1))
    text = rejected("ex-6-3-1", instructor, unread_rows=[7, 8])
    assert "下标从 0 开始" in text and "[6, 7]" not in text
    assert "少了一行" in rejected("ex-6-3-1", instructor, unread_rows=[7])
    assert "被读到了" in rejected("ex-6-3-1", instructor, unread_cols=[0, 7])


def test_6_3_2_wrong(sol, instructor):
    per_side = lambda n, k, p, s: sol["unread_pixels_by_enumeration"](n, k, 2 * p, s)
    assert "每侧的填充" in rejected("ex-6-3-2", instructor, unread_pixels=per_side)
    assert "应为" in rejected("ex-6-3-2", instructor, unread_pixels=lambda n, k, p, s: 0)


def test_6_3_3_wrong(instructor):
    assert "fs/4" in rejected("ex-6-3-3", instructor, apparent_frequency=lambda f, fs: f if f < fs / 4 else fs - f)
    assert "混叠" in rejected("ex-6-3-3", instructor, apparent_frequency=lambda f, fs: f)


def test_6_4_1_wrong(sol, instructor):
    def too_big(K1, K2):
        K = sol["compose_kernels"](K1, K2)
        return F.pad(K, (0, 1, 0, 1))
    assert "k1 + k2 - 1" in rejected("ex-6-4-1", instructor, compose_kernels=too_big)
    flipped = lambda K1, K2: sol["compose_kernels"](K1, K2.flip(2, 3))
    assert "K2 被翻转" in rejected("ex-6-4-1", instructor, compose_kernels=flipped)


def test_6_4_2_wrong(sol, instructor):
    def per_side(c_i, n_h, n_w, c_o, k_h, k_w, p_h=0, p_w=0, s_h=1, s_w=1):
        return sol["conv_cost"](c_i, n_h, n_w, c_o, k_h, k_w, 2 * p_h, 2 * p_w, s_h, s_w)
    assert "两侧合计" in rejected("ex-6-4-2", instructor, conv_cost=per_side)

    def macs(*args):
        cost = dict(sol["conv_cost"](*args))
        cost["forward_flops"] //= 2
        return cost
    assert "一次乘加应记作 2 次" in rejected("ex-6-4-2", instructor, conv_cost=macs)

    def backward_as_forward(*args):
        cost = dict(sol["conv_cost"](*args))
        cost["backward_flops"] = cost["forward_flops"]
        return cost
    assert "两种梯度" in rejected("ex-6-4-2", instructor, conv_cost=backward_as_forward)


def test_6_4_3_wrong(instructor):
    assert "两者都加倍" in rejected("ex-6-4-3", instructor, channels_ratio=2)
    one_way = lambda h, k, p: (h - k + 2 * p + 1) / (h - k + p + 1)
    assert "只算了一个方向" in rejected("ex-6-4-3", instructor, padding_ratio=one_way)


def test_6_4_4_wrong(instructor):
    assert "乘加的次数" in rejected("ex-6-4-4", instructor, flops_1x1=lambda c_i, c_o, n_h, n_w: c_i * c_o * n_h * n_w)


def test_6_4_6_wrong(sol, instructor):
    assert "转置了" in rejected("ex-6-4-6", instructor, im2col=lambda X, k_h, k_w: sol["im2col"](X, k_h, k_w).T)
    flipped = lambda X, K: sol["corr2d_multi_in_out_matmul"](X, K.flip(2, 3))
    assert "核被翻转" in rejected("ex-6-4-6", instructor, corr2d_multi_in_out_matmul=flipped)


def test_6_5_1_wrong(instructor):
    mixes = lambda c, k_h, k_w: torch.full((c, c, k_h, k_w), 1.0 / (k_h * k_w))
    assert "混合了通道" in rejected("ex-6-5-1", instructor, avg_pool_kernel=mixes)
    one_over_k = lambda c, k_h, k_w: instructor["ex-6-5-1"]["avg_pool_kernel"](c, k_h, k_w) * k_w
    assert "1/(k_h k_w)" in rejected("ex-6-5-1", instructor, avg_pool_kernel=one_over_k)
    depthwise = lambda c, k_h, k_w: torch.full((c, 1, k_h, k_w), 1.0 / (k_h * k_w))
    assert "形状应为" in rejected("ex-6-5-1", instructor, avg_pool_kernel=depthwise)


def test_6_5_2_wrong(instructor, sol):
    assert "MaxPool2d" in rejected("ex-6-5-2", instructor, max_pool_2x2_by_conv=lambda c: nn.MaxPool2d(2))
    one_stage = lambda c: sol["pairwise_max_stage"](c, (1, 2), (1, 2))   # only the rows: wrong shape
    assert "形状应为" in rejected("ex-6-5-2", instructor, max_pool_2x2_by_conv=one_stage)


def test_6_5_3_wrong(sol, instructor):
    def per_side(c_i, n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):
        return sol["pool_cost"](c_i, n_h, n_w, k_h, k_w, 2 * p_h, 2 * p_w, s_h, s_w)
    assert "输出形状应为" in rejected("ex-6-5-3", instructor, pool_cost=per_side)

    def no_channels(*args):
        shape, reads = sol["pool_cost"](*args)
        return shape, reads // args[0]
    assert "少了通道数" in rejected("ex-6-5-3", instructor, pool_cost=no_channels)


def test_6_5_5_wrong(instructor):
    assert "先对 X 取负" in rejected("ex-6-5-5", instructor, min_pool2d=lambda X, size, stride, padding:
                                     -F.max_pool2d(X, size, stride, padding))

    def zero_pad(X, size, stride, padding):
        return -F.max_pool2d(-F.pad(X, (padding,) * 4), size, stride)
    assert "补了 0" in rejected("ex-6-5-5", instructor, min_pool2d=zero_pad)


def test_6_5_6_wrong(sol, instructor):
    inverse = lambda X, size, tau: sol["softmax_pool2d"](X, size, 1 / tau)
    assert "温度用反了" in rejected("ex-6-5-6", instructor, softmax_pool2d=inverse)
    assert "平均汇聚" in rejected("ex-6-5-6", instructor, softmax_pool2d=lambda X, size, tau: F.avg_pool2d(X, size))

    def overflow(X, size, tau):
        n, c, h, w = X.shape
        windows = F.unfold(X, size, stride=size).reshape(n, c, size * size, -1)
        weights = torch.exp(windows / tau) / torch.exp(windows / tau).sum(2, keepdim=True)
        return (weights * windows).sum(2).reshape(n, c, h // size, w // size)
    assert "先减去每个窗口的最大值" in rejected("ex-6-5-6", instructor, softmax_pool2d=overflow)


def test_6_6_1_wrong(instructor, sol):
    s = sol["summary"]
    diff = instructor["ex-6-6-1"]["val_diff"]
    assert "符号反了" in rejected("ex-6-6-1", instructor, val_diff=-diff)
    test_diff = s["sigmoid-max-lr0.9"]["test"]["mean"] - s["sigmoid-avg-lr0.9"]["test"]["mean"]
    assert "偏小" in rejected("ex-6-6-1", instructor, val_diff=diff - 0.002)
    assert checks.check("ex-6-6-1", val_diff=round(diff, 3)).passed      # read off to 3 decimals
    if abs(test_diff - diff) > 1e-3:
        assert "测试准确率" in rejected("ex-6-6-1", instructor, val_diff=test_diff)


def test_6_6_2_wrong(instructor):
    no_head = lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 9))      # 9 classes: off by one
    assert "(2, 10)" in rejected("ex-6-6-2", instructor, make_net=no_head)
    assert "百分数" in rejected("ex-6-6-2", instructor, test_acc=90.1)
    assert "还没有达到 0.88" in rejected("ex-6-6-2", instructor, test_acc=0.85)


def test_6_6_4_wrong(instructor):
    after_pool = lambda net, X: (net[:3](X), net[3:6](net[:3](X)))
    assert "汇聚之后" in rejected("ex-6-6-4", instructor, activations=after_pool)
    pre_activation = lambda net, X: (net[:1](X), net[2:4](net[:2](X)))
    assert "激活函数之前" in rejected("ex-6-6-4", instructor, activations=pre_activation)


def test_check_refuses_unknown_names():
    with pytest.raises(TypeError):
        checks.check("ex-6-1-6", conv2d=lambda f, g: f)
    with pytest.raises(KeyError):
        checks.check("ex-6-1-2")
