"""The functions a notebook teaches are the very functions d2lmini exports.

For each case (notebook, name) the notebook must define `name` at the top
level of a code cell, and every such definition must be character for
character the source of d2lmini's `name` (docstring included; the
decorator that adds d2lmini's input checks is left out), so a reader
who copies the notebook's code gets d2lmini's behaviour and vice versa.

Cases: the fixed list EXPECTED, plus every top-level def or class in any
notebook whose name d2lmini exports.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

import d2lmini
from d2lmini.validation import taught_source

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

EXPECTED = {
    "corr2d": "6_2_conv_layer",
    "comp_conv2d": "6_3_padding_strides",
    "conv_output_shape": "6_3_padding_strides",
    "pool2d": "6_5_pooling",
    "evaluate_accuracy_gpu": "6_6_lenet",
    "train_ch6": "6_6_lenet",
}
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def top_level_definitions(path: Path) -> list[tuple[str, str]]:
    """(name, exact source) of every top-level def/class in the notebook's code cells, in order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        python = TransformerManager().transform_cell(source)  # turns %magics and !shell into Python
        lines = python.splitlines()
        for node in ast.parse(python).body:
            if isinstance(node, DEFINITIONS):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                found.append((node.name, "\n".join(lines[first - 1:node.end_lineno])))
    return found


def d2lmini_source(name: str) -> str:
    """The taught source of d2lmini's `name`: the function behind its input check, no decorator."""
    return taught_source(getattr(d2lmini, name))


def discovered_cases() -> set[tuple[str, str]]:
    """(notebook stem, name) for each top-level def in a notebook whose name d2lmini exports."""
    exported = set(d2lmini.__all__)
    return {(path.stem, name)
            for path in sorted(NOTEBOOKS.glob("*.ipynb"))
            for name, _ in top_level_definitions(path) if name in exported}


CASES = sorted({(stem, name) for name, stem in EXPECTED.items()} | discovered_cases())


def test_expected_names_are_exported_by_d2lmini():
    assert set(EXPECTED) <= set(d2lmini.__all__)


@pytest.mark.parametrize("stem, name", CASES, ids=[f"{stem}::{name}" for stem, name in CASES])
def test_notebook_defines_the_d2lmini_function(stem, name):
    path = NOTEBOOKS / f"{stem}.ipynb"
    assert path.exists(), f"{path.relative_to(ROOT)} does not exist (it must define {name})"
    sources = [src for n, src in top_level_definitions(path) if n == name]
    assert sources, f"{stem}.ipynb has no top-level definition of {name}"
    expected = d2lmini_source(name)
    for src in sources:
        # Same syntax tree first (clear message for a code change), then the exact text.
        assert ast.dump(ast.parse(src)) == ast.dump(ast.parse(expected)), \
            f"{name} in {stem}.ipynb differs from d2lmini's"
        assert src == expected, f"{name} in {stem}.ipynb has the same code as d2lmini's but not the same text"
