"""Try otter-grader and nbgrader on the book's stack with two exercises of 6.7 (issue 17).

Usage (the autograder importable through PYTHONPATH, e.g. a `pip install --target` folder):
    PYTHONPATH=/var/tmp/ag17/delta-otter-grader .venv/bin/python design/issue-17-student/autograder_trial.py otter WORKDIR
    PYTHONPATH=/var/tmp/ag17/delta-nbgrader     .venv/bin/python design/issue-17-student/autograder_trial.py nbgrader WORKDIR

Both get the same two questions: 6.1.6 (a function, conv2d_full) and 6.3.1 (values). Each has a
test the student sees (our check, d2lmini.exercise_checks) and a hidden one. Three submissions are
graded: the solution, a wrong answer (kernel not flipped / 1-based rows), and the untouched stub.
Prints the scores and the seconds each step took.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parents[2]

SETUP = "import torch\nfrom torch.nn import functional as F\nfrom d2lmini import exercise_checks as checks\n"
SOL_616 = '''\
def conv2d_full(f, g):
    out = torch.zeros(f.shape[0] + g.shape[0] - 1, f.shape[1] + g.shape[1] - 1, dtype=f.dtype)
    for a in range(f.shape[0]):
        for b in range(f.shape[1]):
            out[a:a + g.shape[0], b:b + g.shape[1]] += f[a, b] * g
    return out
'''
WRONG_616 = SOL_616.replace("+= f[a, b] * g", "+= f[a, b] * g.flip(0, 1)")  # not flipped overall
STUB_616 = "def conv2d_full(f, g):\n    ...\n"
SOL_631 = "shape = (2, 2)\nunread_rows = [6, 7]\nunread_cols = []\n"
WRONG_631 = "shape = (2, 2)\nunread_rows = [7, 8]\nunread_cols = []\n"
STUB_631 = "shape = ...\nunread_rows = ...\nunread_cols = ...\n"
CHECK_616 = "checks.check('ex-6-1-6', conv2d_full=conv2d_full)"
CHECK_631 = "checks.check('ex-6-3-1', shape=shape, unread_rows=unread_rows, unread_cols=unread_cols)"
HIDDEN_616 = ("f, g = torch.randint(-3, 4, (4, 2)), torch.randint(-3, 4, (3, 3))\n"
              "ref = F.conv2d(F.pad(f[None, None].double(), (2, 2, 2, 2)), g.flip(0, 1)[None, None].double())[0, 0]\n"
              "assert torch.equal(conv2d_full(f, g).double(), ref)\n")
HIDDEN_631 = "assert list(unread_rows) == [6, 7] and list(unread_cols) == [] and tuple(shape) == (2, 2)\n"


def run(cmd, cwd, env=None):
    t0 = time.time()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    dt = time.time() - t0
    print(f"$ {' '.join(map(str, cmd))}  -> rc={p.returncode}, {dt:.1f} s")
    if p.returncode:
        print(p.stdout[-3000:], p.stderr[-3000:])
    return p, dt


def submission(kind: str, answers: dict) -> nbf.NotebookNode:
    """A student's notebook: the stub cells replaced by `answers` (what the student typed)."""
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbf.v4.new_code_cell(SETUP)]
    return nb


# ------------------------------------------------------------------------------------ otter

def otter(work: Path):
    py = sys.executable
    master = nbf.v4.new_notebook()
    master.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    raw = nbf.v4.new_raw_cell
    code = nbf.v4.new_code_cell
    md = nbf.v4.new_markdown_cell
    master.cells = [
        raw("# ASSIGNMENT CONFIG\ninit_cell: false\ncheck_all_cell: false\nexport_cell: false\n"
            "generate: true\nrun_tests: true\n"),
        code(SETUP),
        md("### 练习 6.1.6\n写出完整的二维卷积 `conv2d_full(f, g)`。"),
        raw("# BEGIN QUESTION\nname: ex-6-1-6\npoints: 2\ncheck_cell: false"),
        raw("# BEGIN SOLUTION"),
        code("def conv2d_full(f, g):\n    # BEGIN SOLUTION\n" + "\n".join(SOL_616.splitlines()[1:])
             + "\n    # END SOLUTION\n"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code(f"assert {CHECK_616}.passed"),
        code("# HIDDEN\n" + HIDDEN_616),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        code(CHECK_616),
        md("### 练习 6.3.1\n输出形状和没有被读到的行、列。"),
        raw("# BEGIN QUESTION\nname: ex-6-3-1\npoints: 1\ncheck_cell: false"),
        raw("# BEGIN SOLUTION"),
        code("".join(line.replace(" = ", " = ", 1) + "  # SOLUTION\n" for line in SOL_631.splitlines())),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code(f"assert {CHECK_631}.passed"),
        code("# HIDDEN\n" + HIDDEN_631),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        code(CHECK_631),
    ]
    (work / "master").mkdir(parents=True)
    nbf.write(master, work / "master" / "ex67.ipynb")
    (work / "master" / "requirements.txt").write_text("")
    p, t_assign = run([py, "-m", "otter", "assign", "--no-pdfs", "master/ex67.ipynb", "dist"], work)
    if p.returncode:
        return
    student = nbf.read(work / "dist" / "student" / "ex67.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    for c in student.cells:
        print("   student cell:", c.cell_type, repr(c.source[:120]))
    print("student notebook keeps no solution line:", "out[a:a + g.shape[0]" not in text and "[6, 7]" not in text)
    print("student notebook keeps no hidden test:", "F.pad(f[None, None]" not in text)
    zips = sorted((work / "dist" / "autograder").glob("*.zip"))
    print("autograder zip:", [z.name for z in zips])
    subs = work / "submissions"
    subs.mkdir()
    for kind, (a, b) in {"right": (SOL_616, SOL_631), "wrong": (WRONG_616, WRONG_631),
                         "stub": (STUB_616, STUB_631)}.items():
        nb = nbf.read(work / "dist" / "student" / "ex67.ipynb", as_version=4)
        for c in nb.cells:
            if c.cell_type == "code" and c.source.lstrip().startswith("def conv2d_full"):
                c.source = a
            elif c.cell_type == "code" and "checks.check" not in c.source and "unread_rows" in c.source:
                c.source = b
        nbf.write(nb, subs / f"{kind}.ipynb")
    results = {}
    total = 0.0
    for kind in ("right", "wrong", "stub"):
        out = work / "results" / kind
        out.mkdir(parents=True)
        p, dt = run([py, "-m", "otter", "run", "-a", str(zips[0]), "-o", str(out), "--no-logo",
                     str(subs / f"{kind}.ipynb")], work)
        total += dt
        if (out / "results.json").exists():
            r = json.loads((out / "results.json").read_text())
            results[kind] = {t["name"]: (t.get("score"), t.get("max_score"), t.get("status"))
                             for t in r["tests"]}
            print(f"  {kind}: " + " | ".join(t.get("output", "").replace("\n", " ")[:300] for t in r["tests"]))
    print("otter scores:", json.dumps(results, ensure_ascii=False))
    print(f"otter assign {t_assign:.1f} s; otter run, 3 submissions: {total:.1f} s")


# --------------------------------------------------------------------------------- nbgrader

def nbgrader(work: Path):
    py = sys.executable
    course = work / "course"
    (course / "source" / "ex67").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'd2l-ch6'\n"
        "c.CourseDirectory.root = %r\nc.ExecutePreprocessor.timeout = 120\n" % str(course))
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}

    def meta(grade_id, *, solution=False, grade=False, points=0, locked=False):
        m = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked,
             "schema_version": 3}
        if grade:
            m["points"] = points
        return {"nbgrader": m}

    code = nbf.v4.new_code_cell
    md = nbf.v4.new_markdown_cell
    nb.cells = [
        code(SETUP, metadata=meta("setup", locked=True)),
        md("### 练习 6.1.6\n写出完整的二维卷积 `conv2d_full(f, g)`。", metadata=meta("q616-text", locked=True)),
        code("def conv2d_full(f, g):\n    ### BEGIN SOLUTION\n" + "\n".join(
            "    " + line for line in SOL_616.splitlines()[1:]) + "\n    ### END SOLUTION\n",
             metadata=meta("ex-6-1-6-answer", solution=True)),
        code(CHECK_616 + "\n", metadata=meta("ex-6-1-6-check", locked=True)),
        code(f"assert {CHECK_616}.passed\n### BEGIN HIDDEN TESTS\n{HIDDEN_616}### END HIDDEN TESTS\n",
             metadata=meta("ex-6-1-6-test", grade=True, points=2, locked=True)),
        md("### 练习 6.3.1\n输出形状和没有被读到的行、列。", metadata=meta("q631-text", locked=True)),
        code("### BEGIN SOLUTION\n" + SOL_631 + "### END SOLUTION\n", metadata=meta("ex-6-3-1-answer", solution=True)),
        code(CHECK_631 + "\n", metadata=meta("ex-6-3-1-check", locked=True)),
        code(f"assert {CHECK_631}.passed\n### BEGIN HIDDEN TESTS\n{HIDDEN_631}### END HIDDEN TESTS\n",
             metadata=meta("ex-6-3-1-test", grade=True, points=1, locked=True)),
    ]
    nbf.write(nb, course / "source" / "ex67" / "ex67.ipynb")
    p, t_gen = run([py, "-m", "nbgrader", "generate_assignment", "ex67", "--force"], course)
    if p.returncode:
        return
    rel = nbf.read(course / "release" / "ex67" / "ex67.ipynb", as_version=4)
    text = "\n".join(c.source for c in rel.cells)
    print("student notebook keeps no solution line:", "out[a:a + g.shape[0]" not in text and "[6, 7]" not in text)
    print("student notebook keeps no hidden test:", "F.pad(f[None, None]" not in text)
    for kind, (a, b) in {"right": (SOL_616, SOL_631), "wrong": (WRONG_616, WRONG_631),
                         "stub": (STUB_616, STUB_631)}.items():
        sub = nbf.read(course / "release" / "ex67" / "ex67.ipynb", as_version=4)
        for c in sub.cells:
            gid = c.metadata.get("nbgrader", {}).get("grade_id")
            if gid == "ex-6-1-6-answer":
                c.source = a
            elif gid == "ex-6-3-1-answer":
                c.source = b
        d = course / "submitted" / kind / "ex67"
        d.mkdir(parents=True)
        nbf.write(sub, d / "ex67.ipynb")
    p, t_grade = run([py, "-m", "nbgrader", "autograde", "ex67", "--create", "--force"], course)
    p, t_export = run([py, "-m", "nbgrader", "export"], course)
    if (course / "grades.csv").exists():
        print((course / "grades.csv").read_text())
    print(f"nbgrader generate_assignment {t_gen:.1f} s; autograde, 3 submissions: {t_grade:.1f} s; "
          f"export {t_export:.1f} s")


if __name__ == "__main__":
    which, work = sys.argv[1], Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ.setdefault("PYTHONPATH", "")
    {"otter": otter, "nbgrader": nbgrader}[which](work)
