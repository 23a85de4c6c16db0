#!/usr/bin/env python3
"""(Re)write the Colab cell of every notebook in notebooks/ from _config.yml.

The Colab cell is the first code cell of a notebook, tagged ``colab``,
``skip-execution`` and ``nbval-skip``, with no outputs. When d2lmini is not
importable (as in a fresh Colab runtime) it pip-installs d2lmini from the
repository that ``_config.yml`` names (``repository.url`` and
``repository.branch``), the one place that URL is written. The environment
variable D2LMINI_SOURCE overrides what pip installs (tests point it at a local
copy of the package).

The tool touches only that cell: it rewrites its source, tags, outputs and
execution count, moves it to the front of the code cells if it is elsewhere,
or inserts it before the first code cell if the notebook has none. Everything
else in the notebook JSON stays as it is, written back as nbformat writes it
(indent 1, non-ASCII kept, trailing newline). A notebook whose Colab cell is
already up to date is not rewritten.

Usage:
    python tools/sync_colab_cells.py            # rewrite notebooks/*.ipynb
    python tools/sync_colab_cells.py --check    # only report; exit 1 if any is out of date
"""
from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COLAB_TAGS = ["colab", "skip-execution", "nbval-skip"]
COLAB_CELL_ID = "colab-setup"

TEMPLATE = '''\
# 在 Colab 等还没有安装 d2lmini 的环境中，先从本书的代码仓库安装它；
# 本地已经安装了 d2lmini 时，这一格什么也不做。
# （此单元由 tools/sync_colab_cells.py 根据 _config.yml 生成，请勿手工修改。）
import importlib, importlib.util, os, subprocess, sys

if importlib.util.find_spec("d2lmini") is None:
    source = os.environ.get("D2LMINI_SOURCE", "{requirement}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source], check=True)
    importlib.invalidate_caches()'''


def read_repository(config_path: Path) -> tuple[str, str]:
    """Return (url, branch) of ``repository`` in the Jupyter Book config."""
    config = yaml.safe_load(Path(config_path).read_text(encoding="utf-8")) or {}
    repo = config.get("repository") or {}
    url = str(repo.get("url") or "").strip()
    if not url.startswith("https://"):
        raise SystemExit(f"{config_path}: repository.url must be an https:// URL, got {url!r}")
    url = url.rstrip("/")
    if url.endswith(".git"):
        url = url[: -len(".git")]
    branch = str(repo.get("branch") or "main").strip()
    return url, branch


def install_requirement(url: str, branch: str) -> str:
    """What pip installs by default: the package at ``branch`` of the repository."""
    return f"d2lmini @ git+{url}.git@{branch}"


def colab_cell_source(config_path: Path = ROOT / "_config.yml") -> str:
    """The source of the Colab cell, as generated from ``config_path``."""
    url, branch = read_repository(config_path)
    return TEMPLATE.format(requirement=install_requirement(url, branch))


def _split_lines(text: str) -> list[str]:
    """A cell source as nbformat stores it: a list of lines, each but the last ending in \\n."""
    return text.splitlines(keepends=True)


def _joined(source) -> str:
    return "".join(source) if isinstance(source, list) else (source or "")


def _is_colab_cell(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and "colab" in cell.get("metadata", {}).get("tags", [])


def _new_cell_id(nb: dict) -> str:
    taken = {cell.get("id") for cell in nb.get("cells", [])}
    if COLAB_CELL_ID not in taken:
        return COLAB_CELL_ID
    while True:
        candidate = uuid.uuid4().hex[:8]
        if candidate not in taken:
            return candidate


def sync_notebook_dict(nb: dict, source: str) -> bool:
    """Make ``nb``'s first code cell the Colab cell with ``source``. Return True if nb changed."""
    cells = nb.setdefault("cells", [])
    changed = False

    index = next((i for i, c in enumerate(cells) if _is_colab_cell(c)), None)
    first_code = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"), None)

    if index is None:
        cell = {"cell_type": "code", "execution_count": None}
        if nb.get("nbformat", 4) > 4 or nb.get("nbformat_minor", 0) >= 5:
            cell["id"] = _new_cell_id(nb)
        cell.update({"metadata": {"tags": list(COLAB_TAGS)}, "outputs": [], "source": _split_lines(source)})
        cells.insert(len(cells) if first_code is None else first_code, cell)
        return True

    if index != first_code:  # a Colab cell exists but some code cell comes before it
        cell = cells.pop(index)
        cells.insert(first_code, cell)
        changed = True
    cell = cells[first_code]

    if _joined(cell.get("source")) != source:
        cell["source"] = _split_lines(source)
        changed = True
    metadata = cell.setdefault("metadata", {})
    tags = metadata.setdefault("tags", [])
    for tag in COLAB_TAGS:
        if tag not in tags:
            tags.append(tag)
            changed = True
    if cell.get("outputs") != []:
        cell["outputs"] = []
        changed = True
    if cell.get("execution_count") is not None:
        cell["execution_count"] = None
        changed = True
    return changed


def dumps(nb: dict) -> str:
    """Serialize like nbformat: indent 1, non-ASCII kept, trailing newline."""
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def sync_notebook(path: Path, source: str, write: bool = True) -> bool:
    """Sync one notebook file. Return True if its Colab cell was (or would be) changed."""
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        nb = json.load(f)
    changed = sync_notebook_dict(nb, source)
    if changed and write:
        with path.open("w", encoding="utf-8", newline="\n") as f:
            f.write(dumps(nb))
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "_config.yml")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--check", action="store_true", help="report out-of-date notebooks, write nothing")
    args = parser.parse_args(argv)

    source = colab_cell_source(args.config)
    paths = sorted(args.notebooks.glob("*.ipynb"))
    if not paths:
        print(f"No notebooks in {args.notebooks}")
        return 0
    stale = []
    for path in paths:
        if sync_notebook(path, source, write=not args.check):
            stale.append(path)
            print(("out of date: " if args.check else "updated: ") + str(path.relative_to(args.notebooks.parent)))
    if not stale:
        print(f"All {len(paths)} notebooks have the current Colab cell.")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
