#!/usr/bin/env python3
"""How far the 6.6 re-run slice can drift on another CPU, measured.

Section 6.6 re-trains one cheap slice of the LeNet study (ReLU, max pooling,
lr 0.1, seed 0, 2 epochs on the held-out split) and compares it with the
study's file. On the machine that wrote the file the numbers agree to the last
digit; on another CPU the floating-point rounding differs slightly and training
amplifies it. This script measures that amplification here: it repeats the
slice with every bias multiplied by (1 + 1e-6 * N(0, 1)), noise of the size of
float32 rounding (train_ch6 re-draws the weights with Xavier, so the biases are
what carries the perturbation), and prints per epoch the range of each metric
and its largest distance from the file's seed-0 row. For scale it prints how
far the file's seeds 1 and 2 are from seed 0: a tolerance must admit the
rounding spread and still tell those apart.

The per-run rows are written to d2lmini/lenet_slice_spread.csv (or --out),
which 6.6 reads with d2l.read_slice_spread() to print the spread it quotes.

Example:
  python experiments/lenet_slice_spread.py --runs 12
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
from pathlib import Path

import torch
from torch import nn

import d2lmini as d2l
from lenet_study import cpu_name  # the study's record of the machine, the same here

CONFIG = "relu-max-lr0.1"
METRICS = (("loss", "train_loss"), ("train_acc", "train_acc"), ("test_acc", "val_acc"))


def rerun(k, saved):
    train_iter, val_iter, _ = d2l.load_data_fashion_mnist(
        256, seed=0, val_size=saved[1]["val_size"], split_seed=saved[1]["split_seed"])
    torch.manual_seed(0)
    net = d2l.lenet(nn.ReLU, nn.MaxPool2d)
    noise = torch.Generator().manual_seed(100 + k)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith("bias"):
                p.mul_(1 + 1e-6 * torch.randn(p.shape, generator=noise))
    with contextlib.redirect_stdout(io.StringIO()):
        return d2l.train_ch6(net, train_iter, val_iter, 2, 0.1, torch.device("cpu")).history


def write_rows(path, runs, threads):
    """One row per (run, epoch); written to a temporary file first, so an
    interrupted run leaves the old file intact."""
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["run", "epoch", "train_loss", "train_acc", "val_acc", "threads",
                      "torch", "cpu"])
        machine = (threads, torch.__version__, cpu_name())
        for k, history in enumerate(runs):
            for h in history:
                out.writerow([k, h["epoch"], f"{h['loss']:.6f}", f"{h['train_acc']:.6f}",
                              f"{h['test_acc']:.6f}", *machine])
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--out", type=Path, default=d2l.LENET_SLICE_SPREAD_CSV,
                        help="CSV of the per-run rows (default: %(default)s)")
    args = parser.parse_args()
    rows = d2l.read_lenet_study()
    by_seed = {s: {r["epoch"]: r for r in rows if r["config"] == CONFIG and r["seed"] == s}
               for s in (0, 1, 2)}
    saved = by_seed[0]
    torch.set_num_threads(saved[1]["threads"])
    print(f"{torch.__version__}, {torch.get_num_threads()} thread(s)")
    runs = []
    for k in range(args.runs):
        history = rerun(k, saved)
        runs.append(history)
        print(f"run {k}: " + "  ".join(
            f"epoch {h['epoch']} " + " ".join(f"{h[m]:.4f}" for m, _ in METRICS)
            for h in history), flush=True)
    write_rows(args.out, runs, torch.get_num_threads())
    print(f"wrote {args.out}")
    for epoch in (1, 2):
        print(f"epoch {epoch}:")
        for metric, column in METRICS:
            values = [h[metric] for run in runs for h in run if h["epoch"] == epoch]
            file_value = saved[epoch][column]
            drift = max(abs(v - file_value) for v in values)
            seeds = "  ".join(f"seed {s} {abs(by_seed[s][epoch][column] - file_value):.4f}"
                              for s in (1, 2))
            print(f"  {column:10s} file {file_value:.4f}  runs {min(values):.4f}-{max(values):.4f}"
                  f"  max |run - file| {drift:.4f}  |seed - seed 0|: {seeds}")


if __name__ == "__main__":
    main()
