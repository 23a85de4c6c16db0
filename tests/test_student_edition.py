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


def test_committed_student_folder_is_current():
    """student/ (the edition, its book page, the zip) is what make student writes from 6.7 now."""
    assert make_student.main(["--check"]) == 0, "student/ is stale: run make student and commit it"


def test_zip_holds_every_student_notebook_and_the_book_lists_them():
    import zipfile
    import yaml
    folder = ROOT / make_student.STUDENT_DIR
    notebooks = sorted(p.name for p in folder.glob("*.ipynb"))
    assert notebooks == [SOURCE.name]
    with zipfile.ZipFile(folder / make_student.ZIP_NAME) as archive:
        assert sorted(archive.namelist()) == [f"d2l-ch6-student/{n}" for n in notebooks]
        for name in notebooks:
            assert archive.read(f"d2l-ch6-student/{name}") == (folder / name).read_bytes()
    # the book's page: one Colab link per student notebook, the zip as a download
    index = (folder / make_student.INDEX_NAME).read_text(encoding="utf-8")
    for name in notebooks:
        assert make_student.colab_url(name) in index
        assert make_student.colab_url(name).endswith(f"/blob/main/student/{name}")
    assert f"{{download}}`" in index and f"<{make_student.ZIP_NAME}>`" in index
    # _toc.yml: the page and its notebooks, under 6.7
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    six_seven = next(c for c in toc["chapters"] if c["file"] == "notebooks/6_7_exercises")
    page = six_seven["sections"][0]
    assert page["file"] == "student/index"
    assert [s["file"] for s in page["sections"]] == [f"student/{n[:-6]}" for n in notebooks]


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


# ---------------------------------------------------------------------------------------------
# The grading version (nbgrader): tools/make_student.py --grading

@pytest.fixture(scope="module")
def grading(tmp_path_factory, student):
    folder = tmp_path_factory.mktemp("grading")
    assert make_student.main(["--out", str(student[0].parent), "--grading", str(folder)]) == 0
    path = folder / "source" / make_student.ASSIGNMENT / SOURCE.name
    return folder, json.loads(path.read_text(encoding="utf-8"))


def test_grading_source_marks_solutions_tests_and_manual_answers(grading):
    _, nb = grading
    by_id = {c["id"]: c for c in nb["cells"]}
    auto = manual = 0
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader")
        assert meta and meta["grade_id"] == cell["id"], cell["id"]
        label = re.match(r"(ex-6-\d-\d)-(stub|test|answer)$", cell["id"])
        if not label:
            assert meta["locked"] and not meta["solution"] and not meta["grade"], cell["id"]
            continue
        label, part = label.groups()
        text = text_of(cell)
        if part == "stub":
            assert meta["solution"] and text.startswith(checks.STUBS[label])
            assert "### BEGIN SOLUTION\n" in text and text.endswith("### END SOLUTION\n")
        elif part == "test":
            assert meta["grade"] and meta["locked"] and meta["points"] == len(checks.answer_names(label))
            assert text.startswith("### BEGIN HIDDEN TESTS\n") and text.endswith("### END HIDDEN TESTS\n")
            assert "variant=1" in text
            auto += meta["points"]
        else:
            assert meta["solution"] and meta["grade"] and meta["points"] == 1
            assert checks.CLASSES[label] != "computable"
            manual += 1
    assert {cid[:-5] for cid in by_id if cid.endswith("-test")} == set(checks.CHECKS)
    assert auto == sum(len(checks.answer_names(label)) for label in checks.CHECKS)
    assert manual == sum(kind != "computable" for kind in checks.CLASSES.values())


def test_instructor_notebook_passes_every_check_and_hidden_test(grading):
    """Without nbgrader: the grading source (the instructor's solutions in each stub cell), run top to
    bottom in a fresh kernel, passes every check cell (全部通过) and every hidden-test cell (no
    AssertionError). What nbgrader's autograde scores is exactly these cells; this runs where
    nbgrader is not installed (students' and readers' installs, requirements.txt)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    folder, _ = grading
    path = folder / "source" / make_student.ASSIGNMENT / SOURCE.name
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors, checked, tested = {}, 0, 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "error":
                errors[cell.id] = f"{out.ename}: {out.evalue}"[:300]
        shown = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        if cell.id.endswith("-check"):
            checked += 1
            assert shown.splitlines()[0].endswith("全部通过"), (cell.id, shown)
        if cell.id.endswith("-test"):
            tested += 1
    assert not errors, errors
    assert checked == tested == len(checks.CHECKS)


def released_by_nbgrader_rules(nb: dict) -> list[str]:
    """What nbgrader generate_assignment leaves (with this course's nbgrader_config): the lines from
    BEGIN SOLUTION to END SOLUTION and from BEGIN HIDDEN TESTS to END HIDDEN TESTS removed (the code
    stub is empty), a markdown answer cell replaced by the text stub; empty cells dropped."""
    out = []
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        text = text_of(cell)
        if cell["cell_type"] == "markdown" and meta.get("solution"):
            text = make_student.ANSWER_PROMPT
        for begin, end in (("### BEGIN SOLUTION", "### END SOLUTION"),
                           ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")):
            text = re.sub(rf"^{begin}\n.*?^{end}\n?", "", text, flags=re.S | re.M)
        if text.strip():
            out.append(text)
    return out


def test_release_is_the_student_edition_by_nbgrader_rules(grading, student):
    """Without nbgrader: the grading source with its solution and hidden-test regions cleared is
    the student edition cell for cell (the nbgrader test below checks the same with nbgrader)."""
    _, source_nb = grading
    unlink = lambda t: re.sub(r"\]\([^)]*/(6_\d_)", r"](\1", t).rstrip("\n")
    got = [unlink(t) for t in released_by_nbgrader_rules(source_nb)]
    assert got == [unlink(text_of(c)) for c in student[1]["cells"]]
    assert not any("SOLUTION" in t or "HIDDEN TESTS" in t or "variant=" in t for t in got)


def test_nbgrader_releases_the_student_edition_and_grades_it(grading, student):
    """generate_assignment gives the student edition; autograde: full marks to the instructor's
    notebook, 0 to the stubs (about 2 minutes; skipped where nbgrader is not installed)."""
    pytest.importorskip("nbgrader")
    import csv
    import os
    import shutil
    import subprocess
    folder, source_nb = grading
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))

    def nbgrader(*args):
        done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]

    nbgrader("generate_assignment", make_student.ASSIGNMENT, "--force")
    released = json.loads((folder / "release" / make_student.ASSIGNMENT / SOURCE.name).read_text(encoding="utf-8"))
    unlink = lambda t: re.sub(r"\]\([^)]*/(6_\d_)", r"](\1", t).rstrip("\n")
    got = [unlink(text_of(c)) for c in released["cells"] if text_of(c).strip()]
    assert got == [unlink(text_of(c)) for c in student[1]["cells"]], "the release is not the student edition"

    for who, path in (("instructor", folder / "source"), ("stub", folder / "release")):
        target = folder / "submitted" / who / make_student.ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copy(path / make_student.ASSIGNMENT / SOURCE.name, target)
    nbgrader("autograde", make_student.ASSIGNMENT, "--create", "--force")
    nbgrader("export")
    rows = {r["student_id"]: r for r in csv.DictReader((folder / "grades.csv").open(encoding="utf-8"))}
    auto = sum(len(checks.answer_names(label)) for label in checks.CHECKS)
    manual = sum(kind != "computable" for kind in checks.CLASSES.values())
    assert float(rows["instructor"]["max_score"]) == auto + manual
    assert float(rows["instructor"]["raw_score"]) == auto      # the word answers wait for a teacher
    assert float(rows["stub"]["raw_score"]) == 0
