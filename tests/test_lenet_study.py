"""experiments/lenet_study.py: the committed results file, and the script's resumability."""
from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "lenet_study.py"


def load_study():
    spec = importlib.util.spec_from_file_location("lenet_study", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


study = load_study()


@pytest.fixture(scope="module")
def rows():
    assert study.RESULTS.exists(), f"{study.RESULTS} is missing: run experiments/lenet_study.py"
    with open(study.RESULTS, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == study.COLUMNS
        return list(reader)


def test_every_configuration_seed_and_epoch_is_there_once(rows):
    seen = {}
    for r in rows:
        key = (r["config"], int(r["seed"]), int(r["epoch"]))
        assert key not in seen, f"duplicate row {key}"
        seen[key] = r
    expected = {(name, seed, epoch) for name, cfg in study.CONFIGS.items()
                for seed in study.SEEDS for epoch in range(1, cfg["epochs"] + 1)}
    assert set(seen) == expected, (f"missing {sorted(expected - set(seen))[:5]}, "
                                   f"unexpected {sorted(set(seen) - expected)[:5]}")


def test_rows_describe_their_configuration(rows):
    for r in rows:
        cfg = study.CONFIGS[r["config"]]
        assert r["group"] == cfg["group"] and r["activation"] == cfg["activation"]
        assert r["model"] == cfg["model"]
        assert r["pooling"] == cfg["pooling"] and r["optimizer"] == cfg["optimizer"]
        assert float(r["lr"]) == cfg["lr"]
        assert r["kernel"] == ("" if cfg["kernel"] is None else str(cfg["kernel"]))
        assert r["channels"] == "-".join(map(str, cfg["channels"]))
        assert r["hidden"] == "-".join(map(str, cfg["hidden"]))
        assert int(r["epochs"]) == cfg["epochs"]


def test_protocol_validation_every_epoch_test_once_at_the_end(rows):
    """val_acc on every row; test_acc and train_eval_acc on each run's last row only."""
    for r in rows:
        where = f"{r['config']} seed {r['seed']} epoch {r['epoch']}"
        assert int(r["val_size"]) == study.VAL_SIZE == 10000, where
        assert int(r["split_seed"]) == study.SPLIT_SEED == 0, where
        assert r["val_acc"] != "", where
        last = int(r["epoch"]) == int(r["epochs"])
        assert (r["test_acc"] != "") == last and (r["train_eval_acc"] != "") == last, where


def test_the_study_includes_the_mlp_baseline():
    mlps = [name for name, cfg in study.CONFIGS.items() if cfg["model"] == "mlp"]
    assert mlps and all(study.CONFIGS[n]["group"] == "baseline" for n in mlps)
    net = study.build_net(study.CONFIGS[mlps[0]])
    assert [type(m).__name__ for m in net] == ["Flatten", "Linear", "ReLU", "Linear"]
    assert sum(p.numel() for p in net.parameters()) == 784 * 256 + 256 + 256 * 10 + 10


def test_values_are_in_range(rows):
    for r in rows:
        where = f"{r['config']} seed {r['seed']} epoch {r['epoch']}"
        loss = float(r["train_loss"])
        assert math.isfinite(loss) and loss > 0, where
        # ReLU at lr 0.9 may blow up in its first epoch before it collapses (6.6.6)
        assert loss < 10 or (r["config"].startswith("relu-") and r["lr"] == "0.9"), where
        for name in ("train_acc", "val_acc", "test_acc", "train_eval_acc"):
            if r[name] != "":
                assert 0.0 <= float(r[name]) <= 1.0, where
        assert 0 < float(r["seconds"]) < 3600, where
        assert r["torch"] and r["device"] and int(r["threads"]) >= 1 and r["cpu"], where


def test_main_skips_finished_runs_and_shards_share_the_rest(tmp_path, monkeypatch):
    calls = []

    def fake_run(name, seed, device, threads):
        calls.append((name, seed))
        return [{**{c: "" for c in study.COLUMNS}, "config": name, "seed": seed, "epoch": e}
                for e in range(1, study.CONFIGS[name]["epochs"] + 1)]

    monkeypatch.setattr(study, "run", fake_run)
    results = tmp_path / "r.csv"
    args = ["--results", str(results), "--only", "kernel3", "epochs20", "--seeds", "0", "1",
            "--device", "cpu"]
    study.main(args + ["--shard", "0/2"])
    study.main(args + ["--shard", "1/2"])
    assert sorted(calls) == sorted([("kernel3", 0), ("kernel3", 1), ("epochs20", 0),
                                    ("epochs20", 1)])
    assert study.done_runs(study.read_results(results)) == set(calls)
    calls.clear()
    study.main(args)  # everything is done: nothing runs again
    assert calls == []


def test_bad_arguments_are_named():
    with pytest.raises(SystemExit, match="--only: unknown configuration"):
        study.main(["--only", "nonsense", "--list"])
    with pytest.raises(SystemExit, match="--shard must be K/N"):
        study.main(["--shard", "3/2", "--list"])


def test_d2lmini_reads_and_summarizes_the_same_rows(rows):
    import statistics

    import d2lmini as d2l

    typed = d2l.read_lenet_study()
    assert len(typed) == len(rows)
    summary = d2l.summarize_lenet_study(typed)
    assert list(summary) == list(study.CONFIGS)
    for name, cfg in study.CONFIGS.items():
        last = [r for r in sorted(rows, key=lambda r: int(r["seed"]))
                if r["config"] == name and int(r["epoch"]) == cfg["epochs"]]  # by seed
        finals = [float(r["val_acc"]) for r in last]
        assert summary[name]["accs"] == finals
        assert summary[name]["mean"] == pytest.approx(statistics.fmean(finals))
        tests = [float(r["test_acc"]) for r in last]
        assert summary[name]["test"]["accs"] == tests
        assert summary[name]["test"]["mean"] == pytest.approx(statistics.fmean(tests))
        assert summary[name]["train_eval"]["accs"] == [float(r["train_eval_acc"]) for r in last]
        curves = d2l.study_curves(typed, name)
        assert sorted(curves) == list(study.SEEDS)
        assert all(len(c) == cfg["epochs"] and c[-1] in finals for c in curves.values())
    assert all(r["test_acc"] is None for r in typed if r["epoch"] < r["epochs"])
    assert all(r["kernel"] is None for r in typed if r["model"] == "mlp")
    early = d2l.summarize_lenet_study(typed, epoch=1)
    assert all(s["test"] is None for s in early.values())
    with pytest.raises(ValueError, match="no rows for config 'nonsense'"):
        d2l.study_curves(typed, "nonsense")
    fig = d2l.plot_lenet_study(typed, {"a": ["kernel3", "epochs20"], "b": ["all-adam0.001"]})
    assert fig.axes[0].get_ylabel() == "val acc"
    assert [len(ax.get_lines()) for ax in fig.axes] == [2, 1]
    fig = d2l.plot_lenet_study(typed, {"a": ["kernel3"], "b": ["epochs20"], "c": ["mlp-lr0.1"]},
                               ncols=2)
    assert len(fig.axes) == 4 and [ax.get_visible() for ax in fig.axes] == [True] * 3 + [False]
    assert tuple(fig.get_size_inches()) == (6.5, 4.0)  # 2 x 2 panels of study.STUDY_PANEL_IN


def test_one_real_run_follows_the_protocol(monkeypatch):
    """A 2-epoch MLP run: validation after each epoch, test and train evaluation once."""
    import torch

    monkeypatch.setitem(study.CONFIGS, "tiny-mlp", {**study.CONFIGS["mlp-lr0.1"], "epochs": 2})
    torch.set_num_threads(1)
    rows = study.run("tiny-mlp", 0, torch.device("cpu"), 1)
    assert [r["epoch"] for r in rows] == [1, 2]
    assert all(r["val_acc"] and r["val_size"] == 10000 and r["split_seed"] == 0 for r in rows)
    assert rows[0]["test_acc"] == rows[0]["train_eval_acc"] == ""
    assert 0.5 < float(rows[1]["test_acc"]) < 1 and 0.5 < float(rows[1]["train_eval_acc"]) < 1
    assert rows[0]["kernel"] == "" and rows[0]["model"] == "mlp" and rows[0]["hidden"] == "256"
    assert set(rows[0]) == set(study.COLUMNS)


def test_slice_spread_file_reads_and_names_a_bad_row(tmp_path):
    """The spread behind 6.6's slice tolerances: 12 runs of 2 epochs, typed; a bad row is named."""
    import d2lmini as d2l

    spread = d2l.read_slice_spread()
    assert sorted({r["run"] for r in spread}) == list(range(12))
    assert all(sorted(r["epoch"] for r in spread if r["run"] == k) == [1, 2] for k in range(12))
    assert all(isinstance(r[key], float) and 0 < r[key] < 3
               for r in spread for key in ("train_loss", "train_acc", "val_acc"))
    bad = tmp_path / "spread.csv"
    bad.write_text("run,epoch,train_loss,train_acc,val_acc,threads,torch,cpu\n"
                   "0,1,1.07,0.60,oops,1,2.14.1,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"malformed row \(run 0, epoch 1\): could not convert"):
        d2l.read_slice_spread(bad)
    with pytest.raises(FileNotFoundError, match="lenet_slice_spread.py"):
        d2l.read_slice_spread(tmp_path / "missing.csv")
