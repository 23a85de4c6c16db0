"""Write the student edition of the exercises notebook (issue 17).

    python tools/make_student.py                 # writes student/6_7_exercises.ipynb
    python tools/make_student.py --out DIR       # somewhere else
    python tools/make_student.py --check         # exit 1 if the written file is stale
    python tools/make_student.py --grading DIR   # also the nbgrader course folder (teacher's)

From notebooks/6_7_exercises.ipynb (sphinx-exercise form: a ```{exercise} cell, then
```{solution-start} ... the solution's text and code cells ... ```{solution-end}):

- every exercise statement is kept, as a plain heading "### 练习 6.N.M：title" and its text (MyST
  directives show raw in Jupyter and Colab, where the student edition is used);
- each solution (its text, its code cells, everything up to {solution-end}) is removed; in its
  place, for an exercise with a computable part, the stub of d2lmini.exercise_checks.STUBS and a
  cell that runs its check; for a part answered in words, a markdown cell to write the answer in
  and the checklist of what a good answer covers behind a <details> toggle;
- the cells outside solutions that the exercises rely on are kept (the Colab cell, the imports,
  the 6.4 helpers, the 6.6 study table); the page's introduction and summary, which state the
  results, are replaced by a short student introduction, and the summary is dropped;
- outputs, execution counts and book-only metadata are removed; links to the other sections
  are rewritten relative to the output folder.

With ``--grading DIR`` it also writes an nbgrader course folder, DIR/nbgrader_config.py and
DIR/source/ex67/6_7_exercises.ipynb: the same notebook, where each stub cell also holds, between
``### BEGIN SOLUTION`` and ``### END SOLUTION``, the solution's own code cells from 6.7 and a few
lines of glue (INSTRUCTOR_GLUE) that give the stub's names their values; after each check cell a
graded cell whose tests are all hidden (the check, and the check on other random inputs); each
answer cell in words holds the solution's text and is graded by hand. ``nbgrader
generate_assignment ex67`` then writes the student's notebook, ``nbgrader autograde ex67`` grades.

Nothing is kept by hand: stubs, checks and checklists live in d2lmini/exercise_checks.py; the
solutions are 6.7's.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "6_7_exercises.ipynb"
DEFAULT_OUT = ROOT / "student"
sys.path.insert(0, str(ROOT))

from d2lmini import exercise_checks as checks  # noqa: E402

EXERCISE = re.compile(r"^```\{exercise\}\s*(?P<title>.*?)\n:label:\s*(?P<label>ex-6-\d-\d)\s*\n(?P<body>.*)\n```\s*$",
                      re.S)
KEEP_OUTSIDE = {"colab-setup", "intro-code-2", "sec-6-1", "sec-6-2", "sec-6-3", "sec-6-4",
                "sec-6-4-code-1", "sec-6-5", "sec-6-6", "sec-6-6-code-1"}
DROP_OUTSIDE = {"intro-text-1", "summary"}

ANSWER_PROMPT = "**你的回答**（题目中要用文字或推导回答的部分，双击这个格子写在这里）：\n"
ASSIGNMENT = "ex67"
# Solutions whose code the grading version does not run: 6.6.3 downloads MNIST, 6.6.4 trains two
# networks for minutes (its check needs neither: it builds its own LeNets).
NOT_RUN_IN_GRADING = {"ex-6-6-3", "ex-6-6-4"}
# After an exercise's solution cells have run (in notebook order), these lines give the names the
# stub asks for their values, from what the solution defined. Glue only: no solution of its own
# beyond the solution's lines it quotes.
INSTRUCTOR_GLUE = {
    "ex-6-1-1": (
        "def delta0_layer(X, V, u):\n"
        "    linear = nn.Linear(V.shape[1], V.shape[0])\n"
        "    with torch.no_grad():\n"
        "        linear.weight.copy_(V)\n"
        "        linear.bias.copy_(u)\n"
        "        return linear(X.unsqueeze(0).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)[0]\n\n\n"
        "def n_params(c_i, c_o):\n"
        "    return sum(p.numel() for p in nn.Conv2d(c_i, c_o, kernel_size=1).parameters())\n"),
    "ex-6-1-3": (
        "def window_counts(n, k):\n"
        "    X = torch.ones(1, 1, n, n, requires_grad=True)\n"
        "    F.conv2d(X, torch.ones(1, 1, k, k)).sum().backward()\n"
        "    return X.grad[0, 0]\n"),
    "ex-6-2-2": "lam_no_bias, lam_bias = curvature(False), curvature(True)\nmax_stable_lr = 2 / lam_bias\n",
    "ex-6-2-4": (
        "second_derivative_kernel = second\n\n\n"
        "def prefix_sum(f):\n"
        "    return corr1d(F.pad(f, (f.numel() - 1, 0)), torch.ones(f.numel(), dtype=f.dtype))\n\n\n"
        "def derivative_kernel(d):\n"
        "    return torch.tensor([(-1) ** (d - j) * math.comb(d, j) for j in range(d + 1)],\n"
        "                        dtype=torch.float64)\n"),
    "ex-6-3-1": "shape = shape_formula\n",
    "ex-6-3-2": "unread_pixels = unread_pixels_by_enumeration\n",
    "ex-6-3-3": (
        "def apparent_frequency(f, fs):\n"
        "    t = torch.arange(fs // 10, dtype=torch.float64) / fs\n"
        "    tone = torch.cos(2 * math.pi * f * t).reshape(1, 1, -1)\n"
        "    return peak(F.conv1d(tone, torch.ones(1, 1, 1, dtype=torch.float64), stride=2), fs // 2)[0]\n"),
    "ex-6-4-3": (
        "channels_ratio = doubled / base\n\n\n"
        "def padding_ratio(h, k, p):\n"
        "    return forward_flops(1, 1, h, h, k, 2 * p) / forward_flops(1, 1, h, h, k, p)\n"),
    "ex-6-4-4": (
        "def flops_1x1(c_i, c_o, n_h, n_w):\n"
        "    return conv_flops(nn.Conv2d(c_i, c_o, kernel_size=1, bias=False), torch.randn(1, c_i, n_h, n_w))\n"),
    "ex-6-5-1": (
        "def avg_pool_kernel(c, k_h, k_w):\n"
        "    full = torch.zeros(c, c, k_h, k_w)\n"
        "    full[range(c), range(c)] = 1.0 / (k_h * k_w)\n"
        "    return full\n"),
    "ex-6-5-5": (
        "def min_pool2d(X, size, stride, padding):\n"
        "    return -F.max_pool2d(-X, size, stride, padding)\n"),
    "ex-6-6-1": "val_diff = summary['sigmoid-max-lr0.9']['mean'] - summary['sigmoid-avg-lr0.9']['mean']\n",
    "ex-6-6-2": ("make_net = better_net\nval_acc = summary['all-adam0.001']['mean']\n"
                 "test_acc = summary['all-adam0.001']['test']['mean']\n"),
    "ex-6-6-4": (
        "def activations(net, X):\n"
        "    first = net[:2](X)\n"
        "    return first, net[2:5](first)\n"),
}

INTRO = """\
# 6.7 练习（学生版）

本笔记本收集了 6.1–6.6 各节末尾的全部练习，但没有参考解答：先自己做，再让检查告诉你做得怎样。

- **能算出答案的题**（一个值、一个形状、一个你写的函数）：在“你的解答”格子里把 `...` 换成你的答案，再运行它下面的检查格子。检查会用中文说出哪些部分通过了；没通过的部分，它会说期望的是什么、得到的是什么（形状、数值、容差），常见的错误（核没有翻转、把每侧的填充当成总填充……）会直接点出来，但不会给出答案。还没动过的格子会显示“还没有作答”，不会让笔记本停下来。
- **用文字或推导回答的题**：把回答写在“你的回答”格子里；写完之后，可以点开“好的回答应当讲到”，对照自己漏了什么。

从上往下依次运行各个格子：后面的题会用到前面定义的函数（例如 6.4 节的几个辅助函数）。
"""


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def new_cell(kind: str, text: str, cell_id: str, tags=None, nbgrader=None) -> dict:
    cell = {"cell_type": kind, "id": cell_id, "metadata": {"tags": list(tags)} if tags else {},
            "source": text.splitlines(keepends=True)}
    if nbgrader is not None:
        cell["metadata"]["nbgrader"] = {"grade_id": cell_id, "schema_version": 3, "solution": False,
                                        "grade": False, "locked": False, "task": False, **nbgrader}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def relink(text: str, out_dir: Path) -> str:
    """Links to the section notebooks, relative to where the student notebook is written."""
    rel = os.path.relpath(ROOT / "notebooks", out_dir).replace(os.sep, "/")
    if rel == ".":
        return text
    return re.sub(r"\]\((6_\d_[a-z_]+\.ipynb)", lambda m: f"]({rel}/{m.group(1)}", text)


def exercise_heading(cell_text: str) -> tuple[str, str]:
    m = EXERCISE.match(cell_text.strip())
    if not m:
        raise ValueError(f"not an exercise cell in form B: {cell_text[:80]!r}")
    label, title, body = m["label"], m["title"].strip(), m["body"].strip()
    number = label.replace("ex-", "").replace("-", ".")
    return label, f"### 练习 {number}：{title}\n\n{body}\n"


def check_call(label: str) -> str:
    names = checks.answer_names(label)
    args = ", ".join(f"{n}={n}" for n in names)
    return f"checks.check({label!r}, {args})\n"


def checklist_cell(label: str) -> str:
    items = "\n".join(f"<li>{item}</li>" for item in checks.CHECKLISTS[label])
    return ("<details>\n<summary>好的回答应当讲到（写完之后再点开）</summary>\n\n"
            f"<ul>\n{items}\n</ul>\n</details>\n")


def replacement(label: str, grading: dict | None = None) -> list[dict]:
    """What stands where the solution of ``label`` was.

    ``grading``: None for the student edition; for the grading version, {'code': the solution
    code to run in this exercise's stub cell, 'text': the solution's text}.
    """
    kind = checks.CLASSES[label]
    g = grading is not None
    locked = {"locked": True} if g else None
    cells = []
    if label in checks.STUBS:
        cells.append(new_cell("markdown", "**你的解答**（把 `...` 换成你的答案，再运行下面的检查）：\n",
                              f"{label}-stub-text", nbgrader=locked))
        stub = checks.STUBS[label]
        if g:
            stub += ("### BEGIN SOLUTION\n" + grading["code"] + INSTRUCTOR_GLUE.get(label, "")
                     + "### END SOLUTION\n")
        cells.append(new_cell("code", stub, f"{label}-stub", nbgrader={"solution": True} if g else None))
        cells.append(new_cell("code", check_call(label), f"{label}-check", nbgrader=locked))
        if g:
            call = check_call(label).strip()
            variant = call.replace(f"checks.check({label!r}, ", f"checks.check({label!r}, variant=1, ")
            # (a name of its own: 6.6's solutions use `report` for their table)
            tests = (f"### BEGIN HIDDEN TESTS\n_graded = {call}\nassert _graded.passed, _graded.text()\n"
                     f"_graded = {variant}\nassert _graded.passed, _graded.text()\n### END HIDDEN TESTS\n")
            cells.append(new_cell("code", tests, f"{label}-test",
                                  nbgrader={"grade": True, "locked": True,
                                            "points": len(checks.answer_names(label))}))
    if kind != "computable":
        if g:
            cells.append(new_cell("markdown", grading["text"] or ANSWER_PROMPT, f"{label}-answer",
                                  nbgrader={"solution": True, "grade": True, "points": 1}))
        else:
            cells.append(new_cell("markdown", ANSWER_PROMPT, f"{label}-answer"))
        cells.append(new_cell("markdown", checklist_cell(label), f"{label}-checklist", nbgrader=locked))
    return cells


def make_student(nb: dict, out_dir: Path, grading: bool = False) -> dict:
    out = {"cells": [], "metadata": copy.deepcopy(nb["metadata"]), "nbformat": nb["nbformat"],
           "nbformat_minor": nb["nbformat_minor"]}
    out["metadata"].pop("mystnb", None)
    locked = {"locked": True} if grading else None
    out["cells"].append(new_cell("markdown", INTRO, "student-intro", nbgrader=locked))
    inside, seen = None, []
    pending, text_parts = [], []       # solution code not run yet (grading), this solution's text
    for cell in nb["cells"]:
        text = source(cell)
        cid = cell.get("id")
        start = re.match(r"```\{solution-start\}\s*(ex-6-\d-\d)", text)
        if start:
            if inside:
                raise ValueError(f"{start[1]}: a solution starts inside the solution of {inside}")
            inside = start[1]
            text_parts = [text.split("```", 2)[2].strip()]
            continue
        if text.startswith("```{solution-end}"):
            if not inside:
                raise ValueError(f"cell {cid}: solution-end without solution-start")
            info = None
            if grading:
                info = {"code": "", "text": "\n\n".join(t for t in text_parts if t) + "\n"}
                if inside in checks.STUBS:
                    info["code"], pending = "".join(pending), []
            out["cells"] += replacement(inside, info)
            inside = None
            continue
        if inside:                        # the solution's text and code: removed
            if cell["cell_type"] == "markdown":
                text_parts.append(text.strip())
            elif (grading and inside not in NOT_RUN_IN_GRADING
                  and "skip-execution" not in cell["metadata"].get("tags", [])):
                pending.append(text.rstrip("\n") + "\n\n")
            continue
        if text.lstrip().startswith("```{exercise}"):
            label, heading = exercise_heading(text)
            seen.append(label)
            out["cells"].append(new_cell("markdown", relink(heading, out_dir), label, nbgrader=locked))
            continue
        if cid in DROP_OUTSIDE:
            continue
        if cid not in KEEP_OUTSIDE:
            raise ValueError(f"cell {cid!r} is outside every exercise and solution: decide in "
                             f"tools/make_student.py whether the student edition keeps it")
        kept = new_cell(cell["cell_type"], relink(text, out_dir), cid,
                        [t for t in cell["metadata"].get("tags", []) if t in ("colab", "skip-execution")],
                        nbgrader=locked)
        out["cells"].append(kept)
        if cid == "intro-code-2":
            out["cells"].append(new_cell("code", "from d2lmini import exercise_checks as checks\n",
                                         "student-checks-import", nbgrader=locked))
    if inside:
        raise ValueError(f"the solution of {inside} has no solution-end")
    if pending:
        raise ValueError("solution code after the last checked exercise would never run in the grading version")
    if sorted(seen) != sorted(checks.CLASSES):
        missing = sorted(set(checks.CLASSES) ^ set(seen))
        raise ValueError(f"exercises of 6.7 and d2lmini.exercise_checks.CLASSES differ: {missing}")
    return out


NBGRADER_CONFIG = """\
# Written by tools/make_student.py --grading: the course folder of the 6.7 exercises.
c = get_config()
c.CourseDirectory.course_id = "d2l-ch6"
# the student keeps the stub above a removed solution, and the prompt in a removed answer text
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = %r
c.ExecutePreprocessor.timeout = 300
"""


def write_grading(nb: dict, folder: Path, name: str) -> Path:
    source_dir = folder / "source" / ASSIGNMENT
    source_dir.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(NBGRADER_CONFIG % ANSWER_PROMPT, encoding="utf-8")
    target = source_dir / name
    target.write_text(render(make_student(nb, source_dir, grading=True)), encoding="utf-8")
    return target


def render(nb: dict) -> str:
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write into")
    parser.add_argument("--check", action="store_true", help="exit 1 if the written file is stale")
    parser.add_argument("--grading", type=Path, help="also write the nbgrader course folder here")
    args = parser.parse_args(argv)
    out_dir = args.out.resolve()
    nb = json.loads(args.source.read_text(encoding="utf-8"))
    text = render(make_student(nb, out_dir))
    target = out_dir / args.source.name
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            print(f"{target} is stale: run python tools/make_student.py", file=sys.stderr)
            return 1
        return 0
    out_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    if args.grading:
        print(f"wrote {write_grading(nb, args.grading.resolve(), args.source.name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
