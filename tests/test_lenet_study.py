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
        assert r["pooling"] == cfg["pooling"] and r["optimizer"] == cfg["optimizer"]
        assert float(r["lr"]) == cfg["lr"] and int(r["kernel"]) == cfg["kernel"]
        assert r["channels"] == "-".join(map(str, cfg["channels"]))
        assert r["hidden"] == "-".join(map(str, cfg["hidden"]))
        assert int(r["epochs"]) == cfg["epochs"]


def test_values_are_in_range(rows):
    for r in rows:
        where = f"{r['config']} seed {r['seed']} epoch {r['epoch']}"
        loss = float(r["train_loss"])
        assert math.isfinite(loss) and 0 < loss < 10, where
        for name in ("train_acc", "test_acc"):
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
        finals = [float(r["test_acc"]) for r in sorted(rows, key=lambda r: int(r["seed"]))
                  if r["config"] == name and int(r["epoch"]) == cfg["epochs"]]  # by seed
        assert summary[name]["accs"] == finals
        assert summary[name]["mean"] == pytest.approx(statistics.fmean(finals))
        curves = d2l.study_curves(typed, name)
        assert sorted(curves) == list(study.SEEDS)
        assert all(len(c) == cfg["epochs"] and c[-1] in finals for c in curves.values())
    with pytest.raises(ValueError, match="no rows for config 'nonsense'"):
        d2l.study_curves(typed, "nonsense")
    fig = d2l.plot_lenet_study(typed, {"a": ["kernel3", "epochs20"], "b": ["all-adam0.001"]})
    assert [len(ax.get_lines()) for ax in fig.axes] == [2, 1]
