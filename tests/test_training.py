"""Timer, Accumulator, accuracy, devices, and train_ch6 on a real-data subset."""
import inspect

import pytest
import torch
from torch import nn

import d2lmini as d2l
from d2lmini.data import TensorBatches


def test_accumulator_and_accuracy():
    acc = d2l.Accumulator(2)
    acc.add(1, 2)
    acc.add(torch.tensor(3.0), 4)
    assert acc[0] == 4.0 and acc[1] == 6.0
    acc.reset()
    assert acc.data == [0.0, 0.0]
    y_hat = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert d2l.accuracy(y_hat, torch.tensor([1, 1, 1])) == 2.0
    assert d2l.accuracy(torch.tensor([1, 0, 1]), torch.tensor([1, 1, 1])) == 2.0


def test_timer():
    timer = d2l.Timer()
    for _ in range(3):
        timer.start()
        sum(range(1000))
        timer.stop()
    assert len(timer.times) == 3 and timer.sum() > 0
    assert timer.cumsum()[-1] == pytest.approx(timer.sum())
    assert timer.avg() == pytest.approx(timer.sum() / 3)


def test_devices_fall_back_to_cpu_without_accelerators():
    if torch.cuda.is_available() or torch.backends.mps.is_available():
        pytest.skip("an accelerator is present: the CPU fallback is not reachable here")
    assert d2l.try_gpu() == torch.device("cpu")
    assert d2l.try_gpu(3) == torch.device("cpu")
    assert d2l.try_all_gpus() == [torch.device("cpu")]


def test_d2l_signatures():
    """d2l-style calls keep working: the positional parameters are d2l's."""
    def params(f):
        return list(inspect.signature(f).parameters)

    assert params(d2l.train_ch6)[:6] == ["net", "train_iter", "test_iter", "num_epochs", "lr", "device"]
    assert params(d2l.evaluate_accuracy_gpu) == ["net", "data_iter", "device"]
    assert params(d2l.load_data_fashion_mnist)[:2] == ["batch_size", "resize"]
    assert params(d2l.corr2d) == ["X", "K"]
    assert params(d2l.pool2d) == ["X", "pool_size", "mode"]


def test_spec_names_exported():
    names = ("corr2d pool2d Accumulator Timer accuracy evaluate_accuracy_gpu train_ch6 try_gpu "
             "try_all_gpus load_data_fashion_mnist get_dataloader_workers get_fashion_mnist_labels "
             "show_images use_svg_display set_figsize set_axes plot Animator plt").split()
    missing = [n for n in names if not hasattr(d2l, n) or n not in d2l.__all__]
    assert not missing


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(8 * 14 * 14, 10))


def test_train_ch6_learns_on_real_subset(capsys):
    (train_X, train_y), (test_X, test_y) = d2l.read_fashion_mnist()
    torch.manual_seed(0)
    train_iter = TensorBatches(train_X[:6000], train_y[:6000], 128, shuffle=True)
    test_iter = TensorBatches(test_X[:2000], test_y[:2000], 500)
    result = d2l.train_ch6(small_cnn(), train_iter, test_iter, 1, 0.1, torch.device("cpu"))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "training on cpu"
    assert out[-2].startswith("loss ") and ", train acc " in out[-2] and ", test acc " in out[-2]
    assert out[-1].endswith("examples/sec on cpu")
    assert result.test_acc > 0.5 and result.train_acc > 0.4  # chance is 0.1
    assert len(result.history) == 1 and result.history[0]["epoch"] == 1
    assert result.history[0]["test_acc"] == result.test_acc
    assert result.examples_per_sec > 0 and result.device == "cpu"
    # Accuracy printed and returned agree.
    assert f"test acc {result.test_acc:.3f}" in out[-2]


def test_evaluate_accuracy_matches_manual_count():
    torch.manual_seed(0)
    net = small_cnn()
    _, (test_X, test_y) = d2l.read_fashion_mnist()
    batches = TensorBatches(test_X[:300], test_y[:300], 128)
    X = test_X[:300].unsqueeze(1).float() / 255
    with torch.no_grad():
        manual = (net(X).argmax(1) == test_y[:300]).float().mean().item()
    assert d2l.evaluate_accuracy_gpu(net, batches) == pytest.approx(manual)


def test_train_ch6_rejects_bad_epochs():
    with pytest.raises(ValueError, match="num_epochs must be a positive int"):
        d2l.train_ch6(small_cnn(), [], [], 0, 0.1, torch.device("cpu"))


@pytest.mark.parametrize("lr", [0, -0.1, "0.1", True])
def test_train_ch6_rejects_bad_lr(lr):
    with pytest.raises(ValueError, match="lr must be a positive number"):
        d2l.train_ch6(small_cnn(), [], [], 1, lr, torch.device("cpu"))


def test_train_ch6_takes_another_optimizer(capsys):
    (train_X, train_y), (test_X, test_y) = d2l.read_fashion_mnist()
    torch.manual_seed(0)
    train_iter = TensorBatches(train_X[:2000], train_y[:2000], 128, shuffle=True)
    test_iter = TensorBatches(test_X[:500], test_y[:500], 500)
    result = d2l.train_ch6(small_cnn(), train_iter, test_iter, 1, 1e-3, torch.device("cpu"),
                           optimizer=torch.optim.Adam)
    assert result.test_acc > 0.4


def test_train_ch6_figure_shows_the_whole_first_epoch(capsys, tmp_path):
    (train_X, train_y), (test_X, test_y) = d2l.read_fashion_mnist()
    torch.manual_seed(0)
    train_iter = TensorBatches(train_X[:2000], train_y[:2000], 100, shuffle=True)
    test_iter = TensorBatches(test_X[:500], test_y[:500], 500)
    result = d2l.train_ch6(small_cnn(), train_iter, test_iter, 2, 0.1, torch.device("cpu"))
    result.animator.save(tmp_path / "curve.png")  # draws the figure outside Jupyter too
    ax = result.animator.axes[0]
    assert ax.get_xlim() == (0.0, 2.0)
    first_epoch = [x for x in result.animator.X[0] if x <= 1]
    assert len(first_epoch) == 5 and min(first_epoch) > ax.get_xlim()[0]
    assert tuple(result.animator.fig.get_size_inches()) == (6.0, 3.6)
