"""Write the student edition of the exercises notebook (issue 17).

    python tools/make_student.py                 # writes student/6_7_exercises.ipynb
    python tools/make_student.py --out DIR       # somewhere else
    python tools/make_student.py --check         # exit 1 if the written file is stale

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

Nothing is kept by hand: stubs, checks and checklists live in d2lmini/exercise_checks.py.
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

INTRO = """\
# 6.7 练习（学生版）

本笔记本收集了 6.1–6.6 各节末尾的全部练习，但没有参考解答：先自己做，再让检查告诉你做得怎样。

- **能算出答案的题**（一个值、一个形状、一个你写的函数）：在“你的解答”格子里把 `...` 换成你的答案，再运行它下面的检查格子。检查会用中文说出哪些部分通过了；没通过的部分，它会说期望的是什么、得到的是什么（形状、数值、容差），常见的错误（核没有翻转、把每侧的填充当成总填充……）会直接点出来，但不会给出答案。还没动过的格子会显示“还没有作答”，不会让笔记本停下来。
- **用文字或推导回答的题**：把回答写在“你的回答”格子里；写完之后，可以点开“好的回答应当讲到”，对照自己漏了什么。

从上往下依次运行各个格子：后面的题会用到前面定义的函数（例如 6.4 节的几个辅助函数）。
"""


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def new_cell(kind: str, text: str, cell_id: str, tags=None) -> dict:
    cell = {"cell_type": kind, "id": cell_id, "metadata": {"tags": list(tags)} if tags else {},
            "source": text.splitlines(keepends=True)}
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


def replacement(label: str) -> list[dict]:
    """What stands where the solution of ``label`` was."""
    kind = checks.CLASSES[label]
    cells = []
    if label in checks.STUBS:
        cells.append(new_cell("markdown", "**你的解答**（把 `...` 换成你的答案，再运行下面的检查）：\n",
                              f"{label}-stub-text"))
        cells.append(new_cell("code", checks.STUBS[label], f"{label}-stub"))
        cells.append(new_cell("code", check_call(label), f"{label}-check"))
    if kind != "computable":
        prompt = ("**你的回答**（双击这个格子，把推导或论证写在这里）：\n" if kind == "words" else
                  "**你的回答**（题目中要用文字或推导回答的部分，写在这里）：\n")
        cells.append(new_cell("markdown", prompt, f"{label}-answer"))
        cells.append(new_cell("markdown", checklist_cell(label), f"{label}-checklist"))
    return cells


def make_student(nb: dict, out_dir: Path) -> dict:
    out = {"cells": [], "metadata": copy.deepcopy(nb["metadata"]), "nbformat": nb["nbformat"],
           "nbformat_minor": nb["nbformat_minor"]}
    out["metadata"].pop("mystnb", None)
    out["cells"].append(new_cell("markdown", INTRO, "student-intro"))
    inside, seen = None, []
    for cell in nb["cells"]:
        text = source(cell)
        cid = cell.get("id")
        start = re.match(r"```\{solution-start\}\s*(ex-6-\d-\d)", text)
        if start:
            if inside:
                raise ValueError(f"{start[1]}: a solution starts inside the solution of {inside}")
            inside = start[1]
            continue
        if text.startswith("```{solution-end}"):
            if not inside:
                raise ValueError(f"cell {cid}: solution-end without solution-start")
            out["cells"] += replacement(inside)
            inside = None
            continue
        if inside:
            continue                      # the solution's text and code: removed
        if text.lstrip().startswith("```{exercise}"):
            label, heading = exercise_heading(text)
            seen.append(label)
            out["cells"].append(new_cell("markdown", relink(heading, out_dir), label))
            continue
        if cid in DROP_OUTSIDE:
            continue
        if cid not in KEEP_OUTSIDE:
            raise ValueError(f"cell {cid!r} is outside every exercise and solution: decide in "
                             f"tools/make_student.py whether the student edition keeps it")
        kept = new_cell(cell["cell_type"], relink(text, out_dir), cid,
                        [t for t in cell["metadata"].get("tags", []) if t in ("colab", "skip-execution")])
        out["cells"].append(kept)
        if cid == "intro-code-2":
            out["cells"].append(new_cell("code", "from d2lmini import exercise_checks as checks\n",
                                         "student-checks-import"))
    if inside:
        raise ValueError(f"the solution of {inside} has no solution-end")
    if sorted(seen) != sorted(checks.CLASSES):
        missing = sorted(set(checks.CLASSES) ^ set(seen))
        raise ValueError(f"exercises of 6.7 and d2lmini.exercise_checks.CLASSES differ: {missing}")
    return out


def render(nb: dict) -> str:
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write into")
    parser.add_argument("--check", action="store_true", help="exit 1 if the written file is stale")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
