"""Structure of notebooks/6_7_exercises.ipynb, the worked exercises of sections 6.1-6.6.

- Every exercise of the spec's list has a MyST target ``(ex-6-N-M)=`` right before
  its heading, in order, inside the subsection ``## 6.N``; every link
  ``6_7_exercises.ipynb#ex-6-N-M`` in the section notebooks points at one of them.
- Every exercise has a solution, and the solution is collapsed in the HTML: prose
  in a ``{admonition}`` with ``:class: dropdown``, code cells tagged ``hide-cell``.
- Outputs that depend on the machine are in cells tagged ``nbval-ignore-output``, each
  followed by a code cell that asserts; skipped cells carry both skip tags and no
  outputs; the stored outputs were made top to bottom in one fresh kernel and hold
  no errors, stderr, memory addresses, local paths or SVG.

The book's notation and terms (a pooling window is never p_h x p_w, 准确率 not 精度, ...)
are checked over every notebook, this one included, by tests/test_prose.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "6_7_exercises.ipynb"
SECTION_NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("6_[1-6]_*.ipynb"))

# Number of exercises per section, as listed in the spec's section "6.7 练习与参考解答".
EXERCISES = {1: 6, 2: 4, 3: 4, 4: 6, 5: 6, 6: 4}
EXPECTED_LABELS = [f"ex-6-{n}-{m}" for n, count in EXERCISES.items() for m in range(1, count + 1)]

LABEL = re.compile(r"^\((ex-6-\d+-\d+)\)=\s*$", re.M)
LINK = re.compile(r"6_7_exercises\.ipynb#(ex-[\w-]+)")


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _joined(text) -> str:
    """Notebook JSON stores multi-line text either as one string or as a list of lines."""
    return "".join(text) if isinstance(text, list) else str(text)


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


@pytest.fixture(scope="module")
def cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _labels_with_index(cells):
    return [(i, label) for i, cell in enumerate(cells) if cell["cell_type"] == "markdown"
            for label in LABEL.findall(_source(cell))]


def test_title_goals_and_first_code_cells(cells):
    assert _source(cells[0]).startswith("# 6.7 练习与参考解答\n")
    assert any("## 本节目标" in _source(c) for c in cells if c["cell_type"] == "markdown")
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "colab" in _tags(code[0])                       # its content: tests/test_colab_cell.py
    assert "import d2lmini as d2l" in _source(code[1]) and not _tags(code[1])


def test_every_exercise_has_its_label_in_order(cells):
    labels = [label for _, label in _labels_with_index(cells)]
    assert labels == EXPECTED_LABELS


def test_labels_sit_in_their_section_before_a_heading(cells):
    section = None
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = _source(cell)
        heading = re.match(r"^## 6\.(\d) ", text)
        if heading:
            section = int(heading.group(1))
        for label in LABEL.findall(text):
            n, m = map(int, label.split("-")[2:])
            assert n == section, f"{label} is under section 6.{section}"
            after = text.split(f"({label})=", 1)[1].lstrip("\n")
            assert after.startswith(f"### 练习 6.{n}.{m}："), f"{label} is not followed by its heading"
    assert section == 6


def test_every_exercise_has_a_collapsed_solution(cells):
    starts = _labels_with_index(cells)
    ends = [i for i, _ in starts[1:]] + [len(cells)]
    for (start, label), end in zip(starts, ends):
        body = cells[start + 1:end]
        prose = [c for c in body if c["cell_type"] == "markdown" and "{admonition}" in _source(c)]
        assert prose, f"{label}: no written solution"
        for c in prose:
            assert ":class: dropdown" in _source(c), f"{label}: solution prose is not collapsed"
        for c in body:
            if c["cell_type"] == "code":
                assert "hide-cell" in _tags(c), f"{label}: a solution code cell is not collapsed"


def test_section_notebooks_link_to_existing_targets(cells):
    labels = {label for _, label in _labels_with_index(cells)}
    for path in SECTION_NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for target in LINK.findall(_source(cell)):
                assert target in labels, f"{path.name} links to #{target}, which 6.7 does not define"


def test_ignored_outputs_are_followed_by_asserts(cells):
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "nbval-ignore-output" in _tags(cell):
            following = next(c for c in cells[i + 1:] if c["cell_type"] == "code")
            assert "assert " in _source(following), f"cell {i}: no assert after an ignored output"


def test_skipped_cells_have_both_tags_and_no_outputs(cells):
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and ({"skip-execution", "nbval-skip"} & set(_tags(cell))):
            assert {"skip-execution", "nbval-skip"} <= set(_tags(cell)), f"cell {i}"
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"cell {i}"


def test_stored_outputs_are_clean_and_from_one_fresh_run(cells):
    counts = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or "skip-execution" in _tags(cell):
            continue
        counts.append(cell["execution_count"])
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"cell {i} raised"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), f"cell {i}: stderr"
            data = out.get("data", {})
            assert "image/svg+xml" not in data, f"cell {i}: SVG figure (use PNG)"
            text = _joined(out.get("text", "")) + "".join(
                _joined(v) for key, v in data.items() if not key.startswith("image/"))
            assert not re.search(r"0x[0-9a-f]{6,}", text), f"cell {i}: memory address in the output"
            assert not re.search(r"(/home/|/tmp/|/work/|/root/|[A-Z]:\\\\)", text), f"cell {i}: local path"
    assert counts == list(range(1, len(counts) + 1)), "execute top to bottom in a fresh kernel"

