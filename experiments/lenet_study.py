#!/usr/bin/env python3
"""Train the 6.6 LeNet and its variants over a grid, on the real Fashion-MNIST.

Protocol (held-out validation): 10,000 of the 60,000 training images are held
out once, by d2lmini.train_val_split with split_seed 0 (a fixed random subset,
not stratified, the same for every run and every seed). Every run is one
(configuration, seed): it trains on the other 50,000 images, batch size 256,
shuffled by that seed, torch.manual_seed(seed) before the network is built,
then d2lmini.train_ch6 (Xavier init, cross-entropy) with the validation split in
the place of its test iterator, so val_acc is recorded after every epoch. After
the last epoch, and only then, the run is evaluated once on the 10,000 test
images (test_acc) and once, in evaluation mode, on its 50,000 training images
(train_eval_acc); both columns are empty on the other epochs' rows. train_loss
and train_acc are train_ch6's running averages over the epoch's minibatches.
Choices between configurations are to be made on val_acc; test_acc reports the
chosen ones.

Its rows, one per epoch, are appended to the results CSV in a single write
when the run has finished, so an interrupted study leaves no partial run
behind, and running the script again skips every run already in the file (it
is resumable).

Three groups of configurations:

- baseline: the multilayer perceptron of the earlier chapters, 784-256-10 with
  ReLU, trained exactly like the LeNets (SGD at lr 0.1 and at 0.5, 10 epochs);

- study: activation {sigmoid, relu} x pooling {avg, max} x lr {0.1, 0.9}, plus
  lr 0.2 (sigmoid/avg and relu/max) and Adam at lr 0.001 (sigmoid/avg);
- ablation: from the 6.6 LeNet (sigmoid, avg pooling, lr 0.9, 10 epochs), one
  knob changed at a time (kernel size, channels, fully connected widths,
  epochs; activation, pooling, lr and Adam come from the study group), then all
  of them combined, trained with SGD at lr 0.1 or 0.2, or with Adam at 0.001.

Examples:
  python experiments/lenet_study.py --list
  python experiments/lenet_study.py                      # the whole grid, 3 seeds
  python experiments/lenet_study.py --only study --threads 1 --shard 0/2
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import platform
import sys
import time
from pathlib import Path

import torch
from torch import nn

import d2lmini as d2l

ROOT = Path(__file__).resolve().parent
# Inside the package, so that notebooks read it in Colab too (d2lmini.read_lenet_study).
RESULTS = ROOT.parent / "d2lmini" / "lenet_study.csv"
SEEDS = (0, 1, 2)
BATCH_SIZE = 256
VAL_SIZE = 10000   # held out of the 60,000 training images
SPLIT_SEED = 0     # the split's own seed: the same split for every run

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}
POOLINGS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}
OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


def config(group, activation="sigmoid", pooling="avg", optimizer="sgd", lr=0.9, kernel=5,
           channels=(6, 16), hidden=(120, 84), epochs=10, model="lenet"):
    """One configuration; its name lists what differs from the 6.6 LeNet."""
    return dict(group=group, model=model, activation=activation, pooling=pooling,
                optimizer=optimizer, lr=lr, kernel=kernel, channels=channels, hidden=hidden,
                epochs=epochs)


def mlp_config(lr):
    """The baseline: flatten, 784 -> 256 with ReLU -> 10 (no convolution, no pooling)."""
    return config("baseline", "relu", "none", "sgd", lr, kernel=None, channels=(),
                  hidden=(256,), model="mlp")


def _grid():
    configs = {"mlp-lr0.1": mlp_config(0.1), "mlp-lr0.5": mlp_config(0.5)}
    for act in ACTIVATIONS:
        for pool in POOLINGS:
            for lr in (0.1, 0.9):
                configs[f"{act}-{pool}-lr{lr}"] = config("study", act, pool, lr=lr)
    configs["sigmoid-avg-lr0.2"] = config("study", lr=0.2)
    configs["relu-max-lr0.2"] = config("study", "relu", "max", lr=0.2)
    configs["sigmoid-avg-adam0.001"] = config("study", optimizer="adam", lr=0.001)
    configs["kernel3"] = config("ablation", kernel=3)
    configs["channels16-32"] = config("ablation", channels=(16, 32))
    configs["hidden256-128"] = config("ablation", hidden=(256, 128))
    configs["epochs20"] = config("ablation", epochs=20)
    # Every knob that helped, combined, with three ways to train it.
    for name, optimizer, lr in (("all-sgd0.1", "sgd", 0.1), ("all-sgd0.2", "sgd", 0.2),
                                ("all-adam0.001", "adam", 0.001)):
        configs[name] = config("ablation", "relu", "max", optimizer, lr, kernel=3,
                               channels=(16, 32), hidden=(256, 128))
    return configs


CONFIGS = _grid()
COLUMNS = ["config", "group", "model", "activation", "pooling", "optimizer", "lr", "kernel",
           "channels", "hidden", "epochs", "seed", "epoch", "train_loss", "train_acc", "val_acc",
           "test_acc", "train_eval_acc", "val_size", "split_seed", "seconds", "torch", "device",
           "threads", "cpu"]


def build_net(cfg):
    """The network of a configuration (d2lmini.lenet_variant, or the baseline MLP)."""
    if cfg["model"] == "mlp":
        layers, width = [nn.Flatten()], 28 * 28
        for h in cfg["hidden"]:
            layers += [nn.Linear(width, h), ACTIVATIONS[cfg["activation"]]()]
            width = h
        return nn.Sequential(*layers, nn.Linear(width, 10))
    return d2l.lenet_variant(ACTIVATIONS[cfg["activation"]], POOLINGS[cfg["pooling"]],
                             cfg["kernel"], tuple(cfg["channels"]), tuple(cfg["hidden"]))


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run(name, seed, device, threads):
    """Train one (configuration, seed); return its rows, one per epoch."""
    cfg = CONFIGS[name]
    train_iter, val_iter, test_iter = d2l.load_data_fashion_mnist(
        BATCH_SIZE, seed=seed, val_size=VAL_SIZE, split_seed=SPLIT_SEED)
    torch.manual_seed(seed)
    net = build_net(cfg)
    with contextlib.redirect_stdout(io.StringIO()):  # train_ch6's own lines
        # The validation split stands where train_ch6 takes its test iterator.
        result = d2l.train_ch6(net, train_iter, val_iter, cfg["epochs"], cfg["lr"], device,
                               optimizer=OPTIMIZERS[cfg["optimizer"]])
    test_acc = d2l.evaluate_accuracy_gpu(net, test_iter)         # once, after the last epoch
    train_eval_acc = d2l.evaluate_accuracy_gpu(net, train_iter)  # the same kind of number
    common = {"config": name, **{k: cfg[k] for k in cfg}, "seed": seed,
              "kernel": "" if cfg["kernel"] is None else cfg["kernel"],
              "channels": "-".join(map(str, cfg["channels"])),
              "hidden": "-".join(map(str, cfg["hidden"])),
              "val_size": VAL_SIZE, "split_seed": SPLIT_SEED,
              "torch": torch.__version__, "device": str(device), "threads": threads,
              "cpu": cpu_name()}
    last = len(result.history)
    return [{**common, "epoch": row["epoch"], "train_loss": f"{row['loss']:.6f}",
             "train_acc": f"{row['train_acc']:.6f}", "val_acc": f"{row['test_acc']:.6f}",
             "test_acc": f"{test_acc:.6f}" if row["epoch"] == last else "",
             "train_eval_acc": f"{train_eval_acc:.6f}" if row["epoch"] == last else "",
             "seconds": f"{row['seconds']:.3f}"} for row in result.history]


def read_results(path):
    """The rows already in the results file (none if it does not exist)."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def done_runs(rows):
    """(config, seed) pairs whose every epoch is in rows."""
    epochs = {}
    for r in rows:
        epochs.setdefault((r["config"], int(r["seed"])), set()).add(int(r["epoch"]))
    return {key for key, seen in epochs.items()
            if key[0] in CONFIGS and seen == set(range(1, CONFIGS[key[0]]["epochs"] + 1))}


def append_rows(path, rows):
    """Append one finished run in a single write (a new file gets the header first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    with open(path, "a", newline="", encoding="utf-8") as f:
        if f.tell() == 0:
            writer.writeheader()
        writer.writerows(rows)
        f.write(buffer.getvalue())


def progress(done, total, started, label):
    width = 30
    filled = int(width * done / total) if total else width
    elapsed = time.perf_counter() - started
    eta = elapsed / done * (total - done) if done else float("nan")
    bar = "#" * filled + "-" * (width - filled)
    sys.stdout.write(f"\r[{bar}] {done}/{total} runs, {elapsed / 60:5.1f} min, "
                     f"ETA {eta / 60:5.1f} min  {label:<36}")
    sys.stdout.flush()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="the CSV the rows are appended to and read from "
                             f"(default: {RESULTS.relative_to(ROOT.parent)})")
    parser.add_argument("--only", nargs="+", metavar="NAME", default=None,
                        help="run only these configurations, or the groups 'baseline' / 'study' / "
                             "'ablation'")
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS),
                        help="seeds to run for every configuration (default: 0 1 2)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads for this process (default: torch's choice)")
    parser.add_argument("--shard", default="0/1", metavar="K/N",
                        help="run only every N-th pending run, starting at the K-th, so N "
                             "processes can share the grid and one results file (default: 0/1)")
    parser.add_argument("--reverse", action="store_true",
                        help="take this process's runs last to first (a helper process started "
                             "late can work from the end of the grid towards the others)")
    parser.add_argument("--device", default=None,
                        help="torch device, e.g. cpu or cuda:0 (default: d2lmini.try_gpu())")
    parser.add_argument("--list", action="store_true",
                        help="print the configurations and which runs are done, then exit")
    return parser.parse_args(argv)


def selected(only):
    if not only:
        return list(CONFIGS)
    names = []
    for item in only:
        if item in ("baseline", "study", "ablation"):
            names += [n for n, c in CONFIGS.items() if c["group"] == item]
        elif item in CONFIGS:
            names.append(item)
        else:
            raise SystemExit(f"--only: unknown configuration or group {item!r}; "
                             f"choose from baseline, study, ablation, {', '.join(CONFIGS)}")
    return list(dict.fromkeys(names))


def main(argv=None):
    args = parse_args(argv)
    try:
        k, n = (int(x) for x in args.shard.split("/"))
        assert n >= 1 and 0 <= k < n
    except (ValueError, AssertionError):
        raise SystemExit(f"--shard must be K/N with 0 <= K < N, got {args.shard!r}")
    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    device = torch.device(args.device) if args.device else d2l.try_gpu()
    names = selected(args.only)
    done = done_runs(read_results(args.results))
    runs = [(name, seed) for name in names for seed in args.seeds]
    pending = [r for r in runs if r not in done]
    if args.list:
        for name in names:
            cfg = CONFIGS[name]
            marks = " ".join(f"{s}:{'done' if (name, s) in done else '-'}" for s in args.seeds)
            print(f"{name:<24} {cfg['group']:<9} {cfg['activation']:<8}{cfg['pooling']:<5}"
                  f"{cfg['optimizer']:<5} lr {cfg['lr']:<6} k {cfg['kernel']} "
                  f"ch {cfg['channels']} fc {cfg['hidden']} {cfg['epochs']} epochs  {marks}")
        print(f"{len(pending)} runs pending")
        return 0
    # Shards split the whole list, not what is pending now, so they never overlap
    # however their starts are staggered.
    mine = [r for r in runs[k::n] if r not in done]
    if args.reverse:
        mine.reverse()
    print(f"{len(done)} runs done, {len(pending)} pending, this process runs {len(mine)} "
          f"(shard {k}/{n}) on {device} with {threads} threads; results: {args.results}")
    started = time.perf_counter()
    for i, (name, seed) in enumerate(mine):
        progress(i, len(mine), started, f"{name} seed {seed}")
        if (name, seed) in done_runs(read_results(args.results)):  # another shard did it
            continue
        rows = run(name, seed, device, threads)
        append_rows(args.results, rows)
    progress(len(mine), len(mine), started, "finished")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
