"""The Colab cell: present and current in every notebook, and it really installs d2lmini.

1. Every notebook's first code cell is the Colab cell (tags colab, skip-execution,
   nbval-skip; no outputs; execution_count null) and its source is exactly what
   tools/sync_colab_cells.py generates from _config.yml.
2. The cell's code, run as plain Python in a fresh virtual environment where
   d2lmini is not importable, pip-installs d2lmini (install source pointed at a
   copy of this checkout through D2LMINI_SOURCE) and then `import d2lmini` works.
   The fresh environment sees the project .venv's packages (torch, numpy,
   matplotlib, pip, setuptools) through a .pth file pointing at a folder of
   symlinks that leaves d2lmini out, so pip has to install d2lmini and nothing else.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("sync_colab_cells", ROOT / "tools" / "sync_colab_cells.py")
sync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync)

EXPECTED_SOURCE = sync.colab_cell_source(ROOT / "_config.yml")


def _first_code_cell(nb: dict) -> dict:
    return next(c for c in nb["cells"] if c["cell_type"] == "code")


# ---------------------------------------------------------------- 1. in the notebooks


def test_generated_cell_uses_repository_from_config():
    url, branch = sync.read_repository(ROOT / "_config.yml")
    assert url.startswith("https://github.com/")
    assert f"git+{url}.git@{branch}" in EXPECTED_SOURCE
    assert "D2LMINI_SOURCE" in EXPECTED_SOURCE
    assert "sys.executable" in EXPECTED_SOURCE
    compile(EXPECTED_SOURCE, "<colab cell>", "exec")  # plain Python, no IPython magics


def test_there_are_notebooks():
    if not NOTEBOOKS:
        pytest.skip("SKIPPED: notebooks/ has no .ipynb yet, nothing to check")
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_code_cell_is_current_colab_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = _first_code_cell(nb)
    tags = cell.get("metadata", {}).get("tags", [])
    for tag in ("colab", "skip-execution", "nbval-skip"):
        assert tag in tags, f"{path.name}: first code cell lacks tag {tag!r} (run `make sync-colab`)"
    assert cell["outputs"] == [], f"{path.name}: the Colab cell has outputs"
    assert cell["execution_count"] is None, f"{path.name}: the Colab cell has an execution count"
    assert "".join(cell["source"]) == EXPECTED_SOURCE, (
        f"{path.name}: Colab cell differs from what _config.yml gives (run `make sync-colab`)"
    )
    colab_cells = [c for c in nb["cells"] if "colab" in c.get("metadata", {}).get("tags", [])]
    assert len(colab_cells) == 1, f"{path.name}: {len(colab_cells)} cells tagged colab"


# ---------------------------------------------------------------- the tool itself


def _sample_notebook() -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": ["# 6.9 标题\n", "介绍"]},
            {"cell_type": "code", "execution_count": 3, "id": "b2", "metadata": {},
             "outputs": [{"name": "stdout", "output_type": "stream", "text": ["1\n"]}],
             "source": ["import torch\n", "print(1)"]},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_tool_inserts_cell_and_touches_nothing_else(tmp_path):
    nb = _sample_notebook()
    path = tmp_path / "x.ipynb"
    path.write_text(sync.dumps(nb), encoding="utf-8")
    assert sync.sync_notebook(path, EXPECTED_SOURCE) is True
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "\n \"cells\": [" in text  # nbformat's layout: indent 1
    assert "标题" in text  # non-ASCII kept as is
    new = json.loads(text)
    assert [c["id"] for c in new["cells"]] == ["a1", "colab-setup", "b2"]
    cell = new["cells"][1]
    assert cell["metadata"]["tags"] == ["colab", "skip-execution", "nbval-skip"]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert "".join(cell["source"]) == EXPECTED_SOURCE
    rest = copy.deepcopy(new)
    del rest["cells"][1]
    assert rest == nb  # every other cell and the metadata unchanged

    mtime = path.stat().st_mtime_ns
    assert sync.sync_notebook(path, EXPECTED_SOURCE) is False  # idempotent: not rewritten
    assert path.stat().st_mtime_ns == mtime


def test_tool_rewrites_stale_cell_in_place(tmp_path):
    nb = _sample_notebook()
    stale = {"cell_type": "code", "execution_count": 1, "id": "old", "metadata": {"tags": ["colab"], "collapsed": True},
             "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}], "source": "!pip install d2l"}
    nb["cells"].append(stale)  # a stale Colab cell after the first code cell
    path = tmp_path / "y.ipynb"
    path.write_text(sync.dumps(nb), encoding="utf-8")
    assert sync.main(["--config", str(ROOT / "_config.yml"), "--notebooks", str(tmp_path), "--check"]) == 1
    assert sync.main(["--config", str(ROOT / "_config.yml"), "--notebooks", str(tmp_path)]) == 0
    assert sync.main(["--config", str(ROOT / "_config.yml"), "--notebooks", str(tmp_path), "--check"]) == 0
    new = json.loads(path.read_text(encoding="utf-8"))
    assert [c["id"] for c in new["cells"]] == ["a1", "old", "b2"]
    cell = new["cells"][1]
    assert cell["metadata"] == {"tags": ["colab", "skip-execution", "nbval-skip"], "collapsed": True}
    assert "".join(cell["source"]) == EXPECTED_SOURCE
    assert new["cells"][2] == nb["cells"][1]


def test_tool_follows_config(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/other-book/\n  branch: release\n")
    source = sync.colab_cell_source(config)
    assert '"d2lmini @ git+https://github.com/someone/other-book.git@release"' in source


# ---------------------------------------------------------------- 2. the cell really installs d2lmini


def _run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


def _dists(site: Path) -> set[str]:
    return {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}


def test_colab_cell_installs_d2lmini_in_fresh_venv(tmp_path):
    project_site = Path(sysconfig.get_paths()["purelib"])
    if not (project_site / "torch").is_dir():
        pytest.skip(f"SKIPPED: torch is not installed in {project_site}; run this under the project .venv")

    # A fresh venv, without pip of its own: pip, setuptools, torch, ... come from the
    # project venv through the shared folder below (no download, no d2lmini).
    venv = tmp_path / "fresh-venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).check_returncode()
    python = venv / "bin" / "python"
    fresh_site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    assert fresh_site.is_dir() and venv in fresh_site.parents

    shared = tmp_path / "project-site-without-d2lmini"
    shared.mkdir()
    for entry in project_site.iterdir():
        name = entry.name.lower()
        if name.startswith(("d2lmini", "__editable__")) or name.endswith(".pth"):
            continue  # leave out d2lmini's editable install and its import hooks
        (shared / entry.name).symlink_to(entry)
    (fresh_site / "project-venv.pth").write_text(f"{shared}\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_BUILD_ISOLATION="0")  # pip's quirk: "0" here means *no* build isolation
    work = tmp_path / "work"  # neither the checkout nor its d2lmini/ folder on sys.path
    work.mkdir()

    probe = "import importlib.util as u; print(u.find_spec('d2lmini') is None, u.find_spec('torch') is not None)"
    assert _run([str(python), "-c", probe], cwd=work, env=env).stdout.split() == ["True", "True"], (
        "before the cell runs, d2lmini must not be importable and torch must be"
    )
    before = _dists(fresh_site)

    # The install source: a copy of this checkout's package files (pip builds in
    # place, which would leave build/ folders in the checkout).
    src = tmp_path / "d2lmini-src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "d2lmini", src / "d2lmini", ignore=shutil.ignore_patterns("__pycache__"))

    cell = tmp_path / "colab_cell.py"
    cell.write_text(EXPECTED_SOURCE, encoding="utf-8")
    result = _run([str(python), str(cell)], cwd=work, env={**env, "D2LMINI_SOURCE": str(src)})
    assert result.returncode == 0, f"the Colab cell failed:\n{result.stdout}\n{result.stderr}"

    installed = _dists(fresh_site) - before
    assert installed == {"d2lmini"}, f"pip installed {sorted(installed)}, expected only d2lmini"

    check = (
        "import d2lmini as d2l, torch; print(d2l.__file__); "
        "X = torch.arange(9.0).reshape(3, 3); K = torch.tensor([[0.0, 1.0], [2.0, 3.0]]); "
        "print(d2l.corr2d(X, K).tolist())"
    )
    result = _run([str(python), "-c", check], cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    file_line, value_line = result.stdout.strip().splitlines()[-2:]
    assert Path(file_line).is_relative_to(fresh_site), f"d2lmini imported from {file_line}, not the fresh venv"
    assert value_line == "[[19.0, 25.0], [37.0, 43.0]]"

    # Now that d2lmini is importable, the cell must do nothing (a bogus source would fail pip).
    result = _run([str(python), str(cell)], cwd=work, env={**env, "D2LMINI_SOURCE": str(tmp_path / "missing")})
    assert result.returncode == 0, f"the cell ran pip although d2lmini is installed:\n{result.stderr}"
    assert _dists(fresh_site) - before == {"d2lmini"}
