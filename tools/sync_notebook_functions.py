#!/usr/bin/env python3
"""Copy d2lmini's source of each function a notebook teaches into that notebook.

A function both taught in a notebook and exported by d2lmini is one function;
after editing it in d2lmini, run this to rewrite the notebook cells that define
it (only the `def` block changes; outputs are untouched).
tests/test_notebook_functions.py checks that the two agree.
"""
import ast
import json
import sys
from pathlib import Path

import d2lmini
from d2lmini.validation import taught_source

ROOT = Path(__file__).resolve().parent.parent


def sync(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics: no d2lmini function in such a cell
            continue
        lines = source.splitlines(keepends=True)
        for node in reversed(tree.body):  # from the bottom, so line numbers stay valid
            if isinstance(node, ast.FunctionDef) and node.name in d2lmini.__all__:
                new = taught_source(getattr(d2lmini, node.name))
                start = node.lineno - 1 - len(node.decorator_list)
                old = "".join(lines[start:node.end_lineno])
                if old.rstrip("\n") != new.rstrip("\n"):
                    tail = "\n" if old.endswith("\n") else ""
                    lines[start:node.end_lineno] = [new.rstrip("\n") + tail]
                    changed.append(node.name)
        cell["source"] = "".join(lines).splitlines(keepends=True)
    if changed:
        path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{path.name}: rewrote {', '.join(changed)}")


if __name__ == "__main__":
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")) if len(sys.argv) < 2 else map(Path, sys.argv[1:]):
        sync(nb_path)
