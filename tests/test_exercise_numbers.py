"""_ext/exercise_numbers.py: sphinx-exercise's exercises numbered 6.N.M from their labels,
titled the Chinese way ("练习 6.1.3：图像边界怎么办", "解答：练习 6.1.3：图像边界怎么办").

The helpers are tested directly; a tiny Sphinx project (MyST, sphinx-exercise, the
extension, language zh_CN) is built to HTML and to LaTeX to test what a reader gets: the
numbers, the titles (no space before "：", none leading the solution's link text), one
id per exercise body, and in LaTeX the label that the links to an exercise use. An exercise labelled otherwise is a warning (an error under -W).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from docutils import nodes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))

import exercise_numbers as ex  # noqa: E402

pytest.importorskip("sphinx_exercise")


def test_exercise_number_from_label():
    assert ex.exercise_number("ex-6-1-3") == (6, 1, 3)
    assert ex.exercise_number("ex-6-4-12") == (6, 4, 12)
    for label in ("ex-6-1", "ex-6-1-3-solution", "exercise-1", "notebooks/6_7_exercises-exercise-0", "", None):
        assert ex.exercise_number(label) is None, label


def test_latex_label():
    assert ex.latex_label("notebooks/6_7_exercises", "ex-6-1-3") == \
        "\\phantomsection\\label{\\detokenize{notebooks/6_7_exercises:ex-6-1-3}}%\n"


def test_split_title():
    head, sub = ex._split_title([nodes.Text("练习 1"), nodes.Text(" ("), nodes.Text("a"),
                                 nodes.math("", "x"), nodes.Text(")")])
    assert [str(h) for h in head] == ["练习 1"] and [c.astext() for c in sub] == ["a", "x"]
    head, sub = ex._split_title([nodes.Text(" 练习 6.1.3 ("), nodes.Text("t"), nodes.Text(")")])
    assert [str(h) for h in head] == [" 练习 6.1.3"] and [c.astext() for c in sub] == ["t"]
    head, sub = ex._split_title([nodes.Text("练习 1")])
    assert sub is None and [str(h) for h in head] == ["练习 1"]


class _Env:
    def __init__(self, numbers):
        self.toc_fignumbers = numbers


def test_renumber_sets_6_n_m_from_the_label():
    env = _Env({"notebooks/6_7_exercises": {"exercise": {"ex-6-1-3": (1,), "ex-6-2-1": (2,)},
                                             "figure": {"fig-a": (1,)}},
                "intro": {"figure": {"fig-b": (1,)}}})
    assert ex._renumber(None, env) == ["notebooks/6_7_exercises"]
    numbers = env.toc_fignumbers["notebooks/6_7_exercises"]
    assert numbers["exercise"] == {"ex-6-1-3": (6, 1, 3), "ex-6-2-1": (6, 2, 1)}
    assert numbers["figure"] == {"fig-a": (1,)}                      # figures left alone


# ---------------------------------------------------------------- a tiny Sphinx project

PAGE = """# 6.7 练习

```{toctree}
:hidden:
other
```

## 6.1 节

```{exercise} 图像边界怎么办
:label: ex-6-1-3

边界怎么办？见[练习 6.2.1](#ex-6-2-1)。
```

```{solution-start} ex-6-1-3
:label: ex-6-1-3-solution
:class: dropdown
```

解答的文字。

```python
print("code")
```

```{figure} dot.png
:name: fig-in-solution

一幅在解答里的图。
```

```{solution-end}
```

## 6.2 节

```{exercise} 窗口为 $1\\times1$ 时
:label: ex-6-2-1

题目。
```

```{solution-start} ex-6-2-1
:label: ex-6-2-1-solution
:class: dropdown
```

解答。

```{solution-end}
```
"""

# a 1x1 PNG (the figure inside a solution)
DOT_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a0a40000"
                        "000049454e44ae426082")

CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / '_ext')!r})
extensions = ["myst_parser", "sphinx_exercise", "exercise_numbers"]
myst_enable_extensions = ["dollarmath"]
language = "zh_CN"
root_doc = "index"
latex_toplevel_sectioning = "section"
"""


def _build(tmp_path, builder, page=PAGE):
    """Build the tiny project in a fresh process (a second Sphinx app in one process warns
    about every node registered twice); return the output folder and the warnings."""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "index.md").write_text(page, encoding="utf-8")
    (src / "dot.png").write_bytes(DOT_PNG)
    # another page links to an exercise, as 6.1-6.6 do
    (src / "other.md").write_text("# 6.1\n\n见{ref}`参考解答 <ex-6-1-3>`。\n", encoding="utf-8")
    out = tmp_path / builder
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-q", "-E", "-n",
                             "--no-color", str(src), str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # (jieba, the Chinese search's word splitter, also talks on stderr)
    return out, "".join(line for line in result.stderr.splitlines(keepends=True)
                        if "WARNING" in line or "ERROR" in line)


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    out, warnings = _build(tmp_path_factory.mktemp("html"), "html")
    return (out / "index.html").read_text(encoding="utf-8"), warnings


def test_html_builds_without_warnings(html):
    assert html[1] == "", html[1]


def test_html_exercise_titles(html):
    page = html[0]
    assert '<p class="admonition-title"><span class="caption-number">练习 6.1.3</span>：图像边界怎么办</p>' in page
    assert re.search(r'<span class="caption-number">练习 6\.2\.1</span>：窗口为 <span class="math[^"]*">', page)
    assert " </span>：" not in page and "练习 1" not in page and "练习 2" not in page


def test_html_solution_titles_link_to_the_exercise(html):
    page = html[0]
    assert '解答：<a class="reference internal" href="#ex-6-1-3">练习 6.1.3：图像边界怎么办</a>' in page
    assert re.search(r'解答：<a class="reference internal" href="#ex-6-2-1">练习 6\.2\.1：窗口为 ', page)
    assert "> 练习" not in page and "(" not in re.sub(r"\\\(|\\\)", "", " ".join(
        re.findall(r'<p class="admonition-title">(.*?)</p>', page)))


def test_html_ids_are_unique_and_links_resolve(html):
    page = html[0]
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for wanted in ("ex-6-1-3", "ex-6-1-3-solution", "ex-6-1-3-content", "ex-6-1-3-solution-content"):
        assert wanted in ids
    assert 'href="#ex-6-2-1"' in page            # [练习 6.2.1](#ex-6-2-1) inside the task


def test_html_solution_holds_its_code(html):
    page = html[0]
    block = page[page.index('id="ex-6-1-3-solution"'):page.index('id="ex-6-2-1"')]
    assert "解答的文字" in block and 'print</span>' in block and "dropdown" in page[
        page.rindex("<div", 0, page.index('id="ex-6-1-3-solution"')):page.index('id="ex-6-1-3-solution"')]


@pytest.fixture(scope="module")
def latex(tmp_path_factory):
    out, warnings = _build(tmp_path_factory.mktemp("latex"), "latex")
    tex = next(out.glob("*.tex")).read_text(encoding="utf-8")
    return tex, warnings


def test_latex_builds_without_warnings(latex):
    assert latex[1] == "", latex[1]


def test_latex_titles_and_labels(latex):
    tex = latex[0]
    assert r"\begin{sphinxadmonition}{note}{练习 6.1.3：图像边界怎么办}" in tex
    assert r"\begin{sphinxadmonition}{note}{解答：练习 6.1.3：图像边界怎么办}" in tex
    assert r"\begin{sphinxadmonition}{note}{练习 6.2.1：窗口为 \protect\(1\times1\protect\) 时}" in tex
    # every link points at a label that exists: the link from the other page
    # (\hyperref[\detokenize{index:ex-6-1-3}], Sphinx's form) and [练习 6.2.1](#ex-6-2-1) on
    # the same page (\hyperref[exercise:ex-6-2-1], sphinx-exercise's form)
    links = re.findall(r"\\hyperref\[(\\detokenize\{[^}]*\}|[^\]]*)\]", tex)
    assert r"\detokenize{index:ex-6-1-3}" in links and "exercise:ex-6-2-1" in links
    for target in links:
        assert rf"\label{{{target}}}" in tex, target
    assert "exercise-content" not in tex and "solution-content" not in tex


def test_an_exercise_without_an_ex_label_warns(tmp_path):
    page = "# 6.7\n\n```{exercise} 无标签\n\n题目。\n```\n\n```{exercise} 坏标签\n:label: ex-six\n\n题目。\n```\n"
    _, warnings = _build(tmp_path, "html", page)
    assert "an exercise labelled 'index-exercise-0'" in warnings
    assert "an exercise labelled 'ex-six'" in warnings
