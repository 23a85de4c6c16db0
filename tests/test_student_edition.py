"""tools/make_student.py: the student edition of 6.7 (issue 17).

The edition keeps every statement, keeps no line of any solution (checked against the solutions'
own lines in notebooks/6_7_exercises.ipynb), puts a stub and a check where each computable
solution was and a checklist behind a toggle where a word answer was, and runs top to bottom in
a fresh kernel with every check saying 还没有作答.
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from d2lmini import exercise_checks as checks

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "6_7_exercises.ipynb"

spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_student)


def text_of(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture(scope="module")
def source_nb():
    return json.loads(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def student(tmp_path_factory, source_nb):
    out = tmp_path_factory.mktemp("student")
    assert make_student.main(["--out", str(out)]) == 0
    path = out / SOURCE.name
    return path, json.loads(path.read_text(encoding="utf-8"))


def solution_lines(nb):
    """Every line of every solution (text and code between solution-start and solution-end)."""
    lines, inside = {}, None
    for cell in nb["cells"]:
        text = text_of(cell)
        m = re.match(r"```\{solution-start\}\s*(ex-6-\d-\d)", text)
        if m:
            inside = m[1]
            body = text.split("```", 2)[2]           # the text after the directive's own lines
        elif text.startswith("```{solution-end}"):
            inside = None
            continue
        elif inside:
            body = text
        else:
            continue
        for line in body.splitlines():
            lines.setdefault(line.strip(), inside)
    return lines


# Lines a solution shares with the student edition on purpose: a stub shows the signature of the
# function to write (issue 17: "a stub that shows what to write (a function signature, `...`)").
def shared_by_design(line: str) -> bool:
    m = re.match(r"def (\w+)\(", line)
    return bool(m) and any(re.search(rf"^def {m[1]}\(", stub, re.M) for stub in checks.STUBS.values())


# Data a statement gives, which a stub writes out as code (the statement's own words in brackets).
GIVEN_BY_STATEMENT = {
    "K = torch.tensor([[1.0, -1.0]])": "ex-6-2-1: 6.2 节的边缘检测核 `K = [[1, -1]]`",
}


def given_lines(nb):
    """Lines outside every solution: the statements and the shared cells the edition keeps."""
    lines, inside = set(), False
    for cell in nb["cells"]:
        text = text_of(cell)
        if text.startswith("```{solution-start}"):
            inside = True
        elif text.startswith("```{solution-end}"):
            inside = False
        elif not inside:
            lines |= {line.strip() for line in text.splitlines()}
    return lines


def test_no_solution_line_survives(source_nb, student):
    _, nb = student
    kept = {line.strip() for cell in nb["cells"] for line in text_of(cell).splitlines()}
    given = given_lines(source_nb)
    leaks = {}
    for line, label in solution_lines(source_nb).items():
        if len(line) < 12 or shared_by_design(line) or line in given or line in GIVEN_BY_STATEMENT:
            continue              # blank, '```', 'return out', a signature, the exercise's own data
        if line in kept:
            leaks.setdefault(label, []).append(line)
    assert not leaks, f"solution lines in the student edition: {json.dumps(leaks, ensure_ascii=False, indent=1)}"
    # and the measure is not empty: the solutions have about a thousand such lines
    assert sum(len(s) >= 12 for s in solution_lines(source_nb)) > 500


def test_statements_kept_and_answer_cells_in_place(source_nb, student):
    _, nb = student
    by_id = {c["id"]: c for c in nb["cells"]}
    ids = [c["id"] for c in nb["cells"]]
    for cell in source_nb["cells"]:
        text = text_of(cell)
        if not text.startswith("```{exercise}"):
            continue
        label, heading = make_student.exercise_heading(text)
        body = make_student.EXERCISE.match(text.strip())["body"].strip()
        # the statement, word for word (links to other sections re-pointed)
        unlink = lambda t: re.sub(r"\]\([^)]*/(6_\d_)", r"](\1", t)
        assert unlink(body) in unlink(text_of(by_id[label])), label
        after = ids[ids.index(label) + 1:]
        nxt = next((i for i, cid in enumerate(after) if cid in checks.CLASSES), len(after))
        mine = after[:nxt]
        if label in checks.CHECKS:
            assert mine[:3] == [f"{label}-stub-text", f"{label}-stub", f"{label}-check"], (label, mine)
            assert text_of(by_id[f"{label}-stub"]) == checks.STUBS[label]
            assert text_of(by_id[f"{label}-check"]).startswith(f"checks.check({label!r}")
        if checks.CLASSES[label] != "computable":
            assert f"{label}-answer" in mine and f"{label}-checklist" in mine, (label, mine)
            toggle = text_of(by_id[f"{label}-checklist"])
            assert toggle.startswith("<details>") and "</details>" in toggle
            assert all(item in toggle for item in checks.CHECKLISTS[label])
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    text = json.dumps(nb, ensure_ascii=False)
    for word in ("solution-start", "solution-end", "{exercise}", "练习与参考解答", "hide-cell"):
        assert word not in text, word


def test_links_point_at_the_section_notebooks(student):
    path, nb = student
    for cell in nb["cells"]:
        for target in re.findall(r"\]\(([^)#]+\.ipynb)", text_of(cell)):
            assert (path.parent / target).resolve().is_file(), target


def test_check_mode_detects_a_stale_edition(tmp_path):
    assert make_student.main(["--out", str(tmp_path)]) == 0
    assert make_student.main(["--out", str(tmp_path), "--check"]) == 0
    written = tmp_path / SOURCE.name
    written.write_text(written.read_text(encoding="utf-8").replace("还没有", "没有"), encoding="utf-8")
    assert make_student.main(["--out", str(tmp_path), "--check"]) == 1


def test_stubs_run_top_to_bottom_and_every_check_is_unanswered(student):
    """A fresh kernel (cwd = the edition's folder) runs every cell; each check says 还没有作答."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path, _ = student
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    outputs = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (cell.id, errors[0].ename, errors[0].evalue)
        outputs[cell.id] = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "")
                                   for o in cell.outputs)
    for label in checks.CHECKS:
        shown = outputs[f"{label}-check"]
        assert shown.splitlines()[0].endswith(checks.UNANSWERED), (label, shown)
        assert "Traceback" not in shown
