"""The committed results of the 6.6 LeNet study (experiments/lenet_study.py).

The CSV ships inside the package, so a notebook reads the same numbers on a
local clone and in Colab. Each row is one epoch of one (configuration, seed) run.
"""
from __future__ import annotations

import csv
import statistics
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt

__all__ = ["LENET_STUDY_CSV", "read_lenet_study", "summarize_lenet_study", "study_curves",
           "plot_lenet_study"]

LENET_STUDY_CSV = Path(str(resources.files(__package__) / "lenet_study.csv"))

_INTS = ("kernel", "epochs", "seed", "epoch", "threads")
_FLOATS = ("lr", "train_loss", "train_acc", "test_acc", "seconds")


def read_lenet_study(path=None):
    """Return the study's rows as dicts, numbers converted (ints and floats)."""
    path = Path(path) if path is not None else LENET_STUDY_CSV
    if not path.exists():
        raise FileNotFoundError(f"read_lenet_study: no results file at {path}; run "
                                f"experiments/lenet_study.py to create it")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        try:
            for key in _INTS:
                row[key] = int(row[key])
            for key in _FLOATS:
                row[key] = float(row[key])
        except (KeyError, ValueError) as err:
            raise ValueError(f"read_lenet_study: {path} has a malformed row "
                             f"{row.get('config')!r} seed {row.get('seed')!r}: {err}") from None
    return rows


def summarize_lenet_study(rows, epoch=None):
    """Final test accuracy of each configuration over its seeds.

    Returns {config: {'mean', 'std', 'min', 'max', 'accs', 'seconds'}}, in the
    order the configurations first appear. ``epoch`` picks another epoch than
    each configuration's last; 'seconds' is the mean training time per epoch.
    """
    finals, seconds = {}, {}
    for row in rows:
        seconds.setdefault(row["config"], []).append(row["seconds"])
        if row["epoch"] == (epoch or row["epochs"]):
            finals.setdefault(row["config"], {})[row["seed"]] = row["test_acc"]
    summary = {}
    for config, by_seed in finals.items():
        accs = [by_seed[s] for s in sorted(by_seed)]
        summary[config] = {"mean": statistics.fmean(accs),
                           "std": statistics.stdev(accs) if len(accs) > 1 else 0.0,
                           "min": min(accs), "max": max(accs), "accs": accs,
                           "seconds": statistics.fmean(seconds[config])}
    return summary


def study_curves(rows, config, key="test_acc"):
    """{seed: [value after epoch 1, 2, ...]} for one configuration."""
    curves = {}
    for row in sorted((r for r in rows if r["config"] == config),
                      key=lambda r: (r["seed"], r["epoch"])):
        curves.setdefault(row["seed"], []).append(row[key])
    if not curves:
        raise ValueError(f"study_curves: no rows for config {config!r}")
    return curves


def plot_lenet_study(rows, panels, key="test_acc"):
    """One panel per {title: [config, ...]}: each config's mean over seeds, min-max shaded.

    Returns the matplotlib Figure. Titles and config names must be ASCII.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), sharey=True,
                             squeeze=False)
    for ax, (title, configs) in zip(axes[0], panels.items()):
        for config in configs:
            curves = list(study_curves(rows, config, key).values())
            epochs = range(1, len(curves[0]) + 1)
            columns = list(zip(*curves))
            mean = [statistics.fmean(c) for c in columns]
            line, = ax.plot(epochs, mean, marker="o", markersize=3, label=config)
            ax.fill_between(epochs, [min(c) for c in columns], [max(c) for c in columns],
                            color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    axes[0][0].set_ylabel(key.replace("_", " "))
    fig.tight_layout()
    return fig
