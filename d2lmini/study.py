"""The committed results of the 6.6 LeNet study (experiments/lenet_study.py).

The CSV ships inside the package, so a notebook reads the same numbers on a
local clone and in Colab. Each row is one epoch of one (configuration, seed) run.
Protocol: every run trains on 50,000 of the 60,000 training images; the other
10,000 (one fixed split, d2lmini.train_val_split with the file's split_seed)
give val_acc after every epoch. test_acc (the 10,000 test images) and
train_eval_acc (the run's training images, evaluation mode) are measured once,
after the last epoch, and are None on the other rows. Choose on val_acc;
report test_acc for what was chosen.
"""
from __future__ import annotations

import csv
import statistics
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt

__all__ = ["LENET_STUDY_CSV", "LENET_SLICE_SPREAD_CSV", "read_lenet_study",
           "read_slice_spread", "summarize_lenet_study", "study_curves", "plot_lenet_study"]

STUDY_PANEL_IN = (3.25, 2.0)  # one panel of plot_lenet_study (inches): 2 x 2 panels are 6.5 x 4.0

LENET_STUDY_CSV = Path(str(resources.files(__package__) / "lenet_study.csv"))
# experiments/lenet_slice_spread.py: the 6.6 slice repeated with rounding-sized noise
LENET_SLICE_SPREAD_CSV = Path(str(resources.files(__package__) / "lenet_slice_spread.csv"))

_INTS = ("kernel", "epochs", "seed", "epoch", "threads", "val_size", "split_seed")
_FLOATS = ("lr", "train_loss", "train_acc", "val_acc", "test_acc", "train_eval_acc", "seconds")
_OPTIONAL = ("kernel", "test_acc", "train_eval_acc")  # may be empty: None


def _csv_rows(path, default, reader, script):
    """(path, rows as dicts of strings) of a results CSV; a missing file names its script."""
    path = Path(path) if path is not None else default
    if not path.exists():
        raise FileNotFoundError(f"{reader}: no results file at {path}; run "
                                f"experiments/{script} to create it")
    with open(path, newline="", encoding="utf-8") as f:
        return path, list(csv.DictReader(f))


def read_lenet_study(path=None):
    """Return the study's rows as dicts, numbers converted (ints and floats).

    Empty optional cells (kernel of the MLP; test_acc and train_eval_acc before
    a run's last epoch) become None.
    """
    path, rows = _csv_rows(path, LENET_STUDY_CSV, "read_lenet_study", "lenet_study.py")
    for row in rows:
        try:
            for keys, kind in ((_INTS, int), (_FLOATS, float)):
                for key in keys:
                    if row[key] == "" and key in _OPTIONAL:
                        row[key] = None
                    else:
                        row[key] = kind(row[key])
        except (KeyError, ValueError) as err:
            raise ValueError(f"read_lenet_study: {path} has a malformed row "
                             f"{row.get('config')!r} seed {row.get('seed')!r}: {err}") from None
    return rows


def read_slice_spread(path=None):
    """Rows of experiments/lenet_slice_spread.py: one per (run, epoch), with
    train_loss, train_acc and val_acc as floats, run, epoch and threads as ints."""
    path, rows = _csv_rows(path, LENET_SLICE_SPREAD_CSV, "read_slice_spread",
                           "lenet_slice_spread.py")
    for row in rows:
        try:
            for key in ("run", "epoch", "threads"):
                row[key] = int(row[key])
            for key in ("train_loss", "train_acc", "val_acc"):
                row[key] = float(row[key])
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"read_slice_spread: {path} has a malformed row "
                             f"(run {row.get('run')!r}, epoch {row.get('epoch')!r}): {err}") from None
    return rows


def _stats(values):
    return {"mean": statistics.fmean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values)}


def summarize_lenet_study(rows, epoch=None, key="val_acc"):
    """Each configuration's accuracy after its last epoch, over its seeds.

    Returns {config: {'mean', 'std', 'min', 'max', 'accs', 'test', 'train_eval',
    'seconds'}}, in the order the configurations first appear: mean ... accs are
    of ``key`` (validation accuracy by default, the number to choose by), in seed
    order; 'test' and 'train_eval' are the same statistics of test_acc and
    train_eval_acc (measured once per run, after the last epoch), or None when
    ``epoch`` picks another epoch than the last; 'seconds' is the mean training
    time per epoch.
    """
    finals, last, seconds = {}, {}, {}
    for row in rows:
        seconds.setdefault(row["config"], []).append(row["seconds"])
        if row["epoch"] == (epoch or row["epochs"]):
            finals.setdefault(row["config"], {})[row["seed"]] = row
    summary = {}
    for config, by_seed in finals.items():
        chosen = [by_seed[s] for s in sorted(by_seed)]
        accs = [r[key] for r in chosen]
        entry = {**_stats(accs), "accs": accs, "seconds": statistics.fmean(seconds[config])}
        for name, column in (("test", "test_acc"), ("train_eval", "train_eval_acc")):
            values = [r[column] for r in chosen]
            entry[name] = ({**_stats(values), "accs": values}
                           if all(v is not None for v in values) else None)
        summary[config] = entry
    return summary


def study_curves(rows, config, key="val_acc"):
    """{seed: [value after epoch 1, 2, ...]} for one configuration."""
    curves = {}
    for row in sorted((r for r in rows if r["config"] == config),
                      key=lambda r: (r["seed"], r["epoch"])):
        curves.setdefault(row["seed"], []).append(row[key])
    if not curves:
        raise ValueError(f"study_curves: no rows for config {config!r}")
    return curves


def plot_lenet_study(rows, panels, key="val_acc", ncols=None):
    """One panel per {title: [config, ...]}: each config's mean over seeds, min-max shaded.

    The panels fill rows of ``ncols`` (default: 2, or fewer panels). Returns the
    matplotlib Figure. Titles and config names must be ASCII. Every panel has one size
    (STUDY_PANEL_IN), so that two rows of two fit the printed page at 100 %.
    """
    ncols = ncols or min(len(panels), 2)
    nrows = -(-len(panels) // ncols)
    width, height = STUDY_PANEL_IN
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), sharey=True,
                             squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (title, configs) in zip(axes.flat, panels.items()):
        for config in configs:
            curves = list(study_curves(rows, config, key).values())
            epochs = range(1, len(curves[0]) + 1)
            columns = list(zip(*curves))
            mean = [statistics.fmean(c) for c in columns]
            line, = ax.plot(epochs, mean, marker="o", markersize=3, label=config)
            ax.fill_between(epochs, [min(c) for c in columns], [max(c) for c in columns],
                            color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_title(title, fontsize=9, pad=3)
        ax.set_xlabel("epoch", fontsize=8, labelpad=1)
        ax.tick_params(labelsize=7.5)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best", handlelength=1.5, labelspacing=0.25,
                  borderpad=0.3, framealpha=0.85)
    for row in axes:
        row[0].set_ylabel(key.replace("_", " "), fontsize=8)
    fig.tight_layout()
    return fig
