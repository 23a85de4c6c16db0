"""Write the student edition of the exercises notebook (issue 17).

    python tools/make_student.py                 # writes student/ (make student)
    python tools/make_student.py --out DIR       # somewhere else
    python tools/make_student.py --check         # exit 1 if a written file is stale
    python tools/make_student.py --grading DIR   # also the nbgrader course folder (teacher's)

student/ holds, all generated and committed (Colab opens notebooks from GitHub; the book's student
pages are built from them): 6_7_exercises.ipynb (the student edition), index.md (the book's page
that links it: a Colab link per student notebook and the download of all of them) and
d2l-ch6-student.zip (every student notebook, written byte for byte reproducibly).

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
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "6_7_exercises.ipynb"
DEFAULT_OUT = ROOT / "student"
STUDENT_DIR = "student"              # where the committed edition lives (its Colab links point there)
ZIP_NAME = "d2l-ch6-student.zip"
INDEX_NAME = "index.md"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from d2lmini import exercise_checks as checks  # noqa: E402
from sync_colab_cells import read_repository  # noqa: E402  (the one place for the repository URL)

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


def colab_url(name: str) -> str:
    """Colab's link to the committed student notebook ``name`` on GitHub (_config.yml's repository)."""
    import yaml
    url, branch = read_repository(ROOT / "_config.yml")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    book = str((config.get("repository") or {}).get("path_to_book") or "").strip("/")
    path = "/".join(p for p in (book, STUDENT_DIR, name) if p)
    return f"https://colab.research.google.com/github/{url.split('github.com/', 1)[1]}/blob/{branch}/{path}"


def index_page(names: list[str]) -> str:
    """The book's page for the student edition (student/index.md)."""
    n_checked = len(checks.CHECKS)
    n_lists = len(checks.CHECKLISTS)
    rows = "\n".join(
        f"| {number} 练习（学生版） | [在 Colab 中打开]({colab_url(name)}) | [在本书中阅读]({name}) |"
        for name in names for number in [name[0] + "." + name[2]])
    return f"""\
% 此页由 tools/make_student.py 生成（make student），请勿手工修改。

# 练习的学生版：先做，再对答案

[6.7 节](../notebooks/6_7_exercises.ipynb)收集了全书的 {len(checks.CLASSES)} 道练习和它们的参考解答。学生版是同一份笔记本去掉了全部参考解答，供想先自己动手的读者和布置作业的老师使用：

- 能算出答案的题（{n_checked} 道）各有一个“你的解答”格子和一个检查格子：把 `...` 换成你的答案（一个值、一个形状或一个函数），再运行检查。检查用中文说出哪些部分通过了；没通过的部分，它说期望的是什么、得到的是什么（形状、数值、容差），常见的错误会直接点出来，但不给出答案。还没作答的格子显示“还没有作答”，笔记本照常往下运行。
- 要用文字或推导回答的部分（{n_lists} 道题）各有一个“你的回答”格子，和一份“好的回答应当讲到”的清单，写完之后再展开对照。

检查和清单都在 d2lmini 里，不需要另装别的包。

## 打开学生版

| 笔记本 | Colab | 网页 |
|---|---|---|
{rows}

在 Colab 中打开后，从上往下依次运行各个格子：第一个代码格子会安装 d2lmini。Colab 里的改动要保存，请用“文件 → 在云端硬盘中保存一份副本”。

{{download}}`下载全部学生版笔记本（{ZIP_NAME}）<{ZIP_NAME}>`：解压后用本地的 Jupyter 打开；没有安装 d2lmini 时，第一个代码格子会从本书的代码仓库安装它。

## 给老师

同一个命令 `make student` 还写出一个 nbgrader 的课程文件夹：学生拿到的正是这份学生版，评分用学生看不到的测试（每道题换一组随机输入再检查一遍），文字题留给老师批阅。怎样分发、收集和一条命令评分，见代码仓库 README 的“布置作业和评分（教师）”一节。
"""


def zip_bytes(files: dict[str, str]) -> bytes:
    """Every student notebook in one zip, the same bytes on every machine (stored, fixed dates)."""
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"d2l-ch6-student/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3                 # Unix, whatever the machine
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


def edition(sources: list[Path], out_dir: Path) -> dict[str, bytes]:
    """Every file of the student folder: name -> content."""
    notebooks = {src.name: render(make_student(json.loads(src.read_text(encoding="utf-8")), out_dir))
                 for src in sources}
    files = {name: text.encode("utf-8") for name, text in notebooks.items()}
    files[INDEX_NAME] = index_page(list(notebooks)).encode("utf-8")
    files[ZIP_NAME] = zip_bytes(notebooks)
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write into")
    parser.add_argument("--check", action="store_true", help="exit 1 if a written file is stale")
    parser.add_argument("--grading", type=Path, help="also write the nbgrader course folder here")
    args = parser.parse_args(argv)
    out_dir = args.out.resolve()
    files = edition([args.source], out_dir)
    show = lambda p: p.relative_to(ROOT) if p.is_relative_to(ROOT) else p
    if args.check:
        stale = [name for name, data in files.items()
                 if not (out_dir / name).is_file() or (out_dir / name).read_bytes() != data]
        for name in stale:
            print(f"{show(out_dir / name)} is stale: run make student (python tools/make_student.py)",
                  file=sys.stderr)
        return 1 if stale else 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = out_dir / name
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        print(f"wrote {show(target)}")
    if args.grading:
        nb = json.loads(args.source.read_text(encoding="utf-8"))
        print(f"wrote {show(write_grading(nb, args.grading.resolve(), args.source.name))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
