"""Structure of notebooks/6_7_exercises.ipynb, the worked exercises of sections 6.1-6.6.

The exercises and solutions are sphinx-exercise directives (issue 16, "form B"):

- Every exercise of the spec's list is one markdown cell ``{exercise} <title>`` with
  ``:label: ex-6-N-M`` (no heading; _ext/exercise_numbers.py numbers it 练习 6.N.M from its
  label), in order, under its section heading ``## 6.N``; every link
  ``6_7_exercises.ipynb#ex-6-N-M`` in the section notebooks points at one of them.
- Every exercise has exactly one solution, right after it: a markdown cell
  ``{solution-start} ex-6-N-M`` with ``:label: ex-6-N-M-solution`` and ``:class: dropdown``
  followed by the solution's text, then the solution's code cells (and any markdown between
  them), then a markdown cell ``{solution-end}``. On the web that is ONE collapsed block
  holding text, code and outputs; in print it is open. No code cell of a solution lies
  outside its block; the only code cells outside solutions are the set-up cells at the top
  and of sections 6.4 and 6.6.
- Nothing of the hand-made form is left: no ``{admonition} 参考解答``, no ``hide-cell`` tag,
  no ``(ex-...)=`` target, no ``### 练习`` heading.
- Outputs that depend on the machine are in cells tagged ``nbval-ignore-output``, each
  followed by a code cell that asserts; skipped cells carry both skip tags and no
  outputs; the stored outputs were made top to bottom in one fresh kernel and hold
  no errors, stderr, memory addresses, local paths or SVG.

The book's notation and terms (a pooling window is never p_h x p_w, 准确率 not 精度, ...)
are checked over every notebook, this one included, by tests/test_prose.py. The built page
is checked in a browser by tests/test_book_exercises_browser.py.
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

# ```{exercise} <title>\n:label: ex-6-N-M\n\n<task>\n```
EXERCISE = re.compile(r"\A```\{exercise\} (?P<title>\S[^\n]*)\n:label: (?P<label>ex-6-\d+-\d+)\n\n"
                      r"(?P<task>\S.*?)\n```\s*\Z", re.S)
# ```{solution-start} ex-6-N-M\n:label: ex-6-N-M-solution\n:class: dropdown\n```\n\n<text>
SOLUTION_START = re.compile(r"\A```\{solution-start\} (?P<target>ex-6-\d+-\d+)\n"
                            r":label: (?P<label>\S+)\n:class: dropdown\n```\n\n(?P<text>\S.*)\Z", re.S)
SOLUTION_END = re.compile(r"\A```\{solution-end\}\n```\s*\Z")
DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{(exercise|solution-start|solution-end|solution|exercise-start|"
                       r"exercise-end)\}", re.M)
SECTION = re.compile(r"\A## 6\.(\d) ")
LINK = re.compile(r"6_7_exercises\.ipynb#(ex-[\w-]+)")
# code cells outside any solution: the imports, and the set-up cells of 6.4 and 6.6
SETUP_CODE = {"intro-code-2", "sec-6-4-code-1", "sec-6-6-code-1"}


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _joined(text) -> str:
    """Notebook JSON stores multi-line text either as one string or as a list of lines."""
    return "".join(text) if isinstance(text, list) else str(text)


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


@pytest.fixture(scope="module")
def nb():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cells(nb):
    return nb["cells"]


def _exercises(cells):
    """(cell index, label, title) of every exercise cell."""
    found = []
    for i, cell in enumerate(cells):
        m = EXERCISE.match(_source(cell)) if cell["cell_type"] == "markdown" else None
        if m:
            found.append((i, m["label"], m["title"]))
    return found


def _solution_blocks(cells):
    """label -> (start index, end index) of its {solution-start} ... {solution-end} cells."""
    blocks, open_at, target = {}, None, None
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        text = _source(cell)
        start, end = SOLUTION_START.match(text), SOLUTION_END.match(text)
        if start:
            assert open_at is None, f"cell {i}: a solution starts inside the solution of {target}"
            assert start["target"] not in blocks, f"cell {i}: a second solution to {start['target']}"
            open_at, target = i, start["target"]
        elif end:
            assert open_at is not None, f"cell {i}: solution-end without a solution-start"
            blocks[target] = (open_at, i)
            open_at = None
        else:
            assert open_at is None or not DIRECTIVE.search(text), \
                f"cell {i}: an exercise directive inside the solution of {target}"
    assert open_at is None, f"the solution of {target} has no solution-end"
    return blocks


def test_every_exercise_has_its_label_in_order(cells):
    labels = [label for _, label, _ in _exercises(cells)]
    assert labels == EXPECTED_LABELS


def test_every_directive_cell_is_well_formed(cells):
    """A cell that opens with an exercise directive matches one of the three forms exactly
    (a typo in the label option or a missing dropdown class would otherwise go unnoticed)."""
    for i, cell in enumerate(cells):
        text = _source(cell)
        if cell["cell_type"] == "markdown" and DIRECTIVE.search(text):
            assert EXERCISE.match(text) or SOLUTION_START.match(text) or SOLUTION_END.match(text), \
                f"cell {i} ({cell.get('id')}): not an exercise, solution-start or solution-end cell"


def test_exercises_sit_in_their_section_with_a_title(cells):
    section, seen = None, []
    for i, cell in enumerate(cells):
        text = _source(cell)
        heading = SECTION.match(text) if cell["cell_type"] == "markdown" else None
        if heading:
            section = int(heading.group(1))
        m = EXERCISE.match(text) if cell["cell_type"] == "markdown" else None
        if m:
            n, _ = map(int, m["label"].split("-")[2:])
            assert n == section, f"{m['label']} is under section 6.{section}"
            title = m["title"]
            assert not re.match(r"练习|\d", title), f"{m['label']}: the number comes from the label: {title!r}"
            assert title == title.strip() and not title.startswith(("：", ":")), m["label"]
            seen.append(n)
    assert section == 6 and sorted(set(seen)) == list(EXERCISES)


def test_every_exercise_has_exactly_one_solution_right_after_it(cells):
    blocks = _solution_blocks(cells)
    exercises = _exercises(cells)
    assert sorted(blocks) == sorted(label for _, label, _ in exercises)
    nexts = [i for i, _, _ in exercises[1:]] + [len(cells)]
    for (i, label, _), following in zip(exercises, nexts):
        start, end = blocks[label]
        assert start == i + 1, f"{label}: its solution-start is not the cell after the exercise"
        assert end < following, f"{label}: its solution ends after the next exercise"
        start_cell = SOLUTION_START.match(_source(cells[start]))
        assert start_cell["label"] == f"{label}-solution", f"{label}: solution label {start_cell['label']}"
        assert len(start_cell["text"].strip()) > 20, f"{label}: no written solution"


def test_no_code_cell_of_a_solution_lies_outside_its_block(cells):
    """Between an exercise and the next exercise (or section heading), every code cell is
    inside the solution block; the set-up cells of 6.4 and 6.6 come after a section heading."""
    blocks = _solution_blocks(cells)
    inside = {j for start, end in blocks.values() for j in range(start + 1, end)}
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or i in inside:
            continue
        assert cell.get("id") in SETUP_CODE or "colab" in _tags(cell), \
            f"cell {i} ({cell.get('id')}): a code cell outside every solution block"
    for label, (start, end) in blocks.items():
        code = [c for c in cells[start + 1:end] if c["cell_type"] == "code"]
        assert code, f"{label}: its solution has no code cell"
        for c in cells[start + 1:end]:
            assert c["cell_type"] == "code" or not (SECTION.match(_source(c)) or _source(c).startswith("#")), \
                f"{label}: a heading inside the solution"


def test_nothing_of_the_hand_made_form_is_left(nb, cells):
    for i, cell in enumerate(cells):
        text = _source(cell)
        assert "hide-cell" not in _tags(cell), f"cell {i} ({cell.get('id')}): hide-cell tag"
        if cell["cell_type"] == "markdown":
            assert "{admonition}" not in text, f"cell {i}: an admonition (solutions are {{solution-start}})"
            assert not re.search(r"^\(ex-[\w-]+\)=", text, re.M), f"cell {i}: a MyST target (ex-...)="
            assert not re.search(r"^#+ 练习", text, re.M), f"cell {i}: an exercise heading"
    assert "code_prompt_show" not in json.dumps(nb["metadata"]), "the hide-cell toggle labels are left"


def test_cell_ids_are_unique(cells):
    ids = [c.get("id") for c in cells]
    assert None not in ids and len(ids) == len(set(ids))


def test_section_notebooks_link_to_existing_targets(cells):
    labels = {label for _, label, _ in _exercises(cells)}
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
            # figures are vector (issue 16): SVG for the web, PDF for the LaTeX book, no bitmap
            assert "image/png" not in data, f"cell {i}: PNG figure (d2lmini stores SVG and PDF)"
            assert ("image/svg+xml" in data) == ("application/pdf" in data) or "text/html" in data, \
                f"cell {i}: a figure needs both SVG and PDF"
            text = _joined(out.get("text", "")) + "".join(
                _joined(v) for key, v in data.items() if not key.startswith(("image/", "application/pdf")))
            assert not re.search(r"0x[0-9a-f]{6,}", text), f"cell {i}: memory address in the output"
            assert not re.search(r"(/home/|/tmp/|/work/|/root/|[A-Z]:\\\\)", text), f"cell {i}: local path"
    assert counts == list(range(1, len(counts) + 1)), "execute top to bottom in a fresh kernel"

