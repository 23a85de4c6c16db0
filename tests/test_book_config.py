"""The book's configuration (_config.yml, _toc.yml) and its local Sphinx extensions (_ext/).

Fast checks of the settings the HTML book relies on, unit tests of the small
extensions, and one build of a tiny throwaway book in a temporary folder that
uses the real _ext/ to show that exercise links of the form
[参考解答](6_7_exercises.ipynb#ex-6-N-M) resolve under -W -n (and that a link to
a missing label still fails the build).
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from docutils import nodes

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
NOTEBOOKS = ["6_1_why_conv", "6_2_conv_layer", "6_3_padding_strides", "6_4_channels",
             "6_5_pooling", "6_6_lenet", "6_7_exercises"]


def _load_ext(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- config


def test_toc_lists_the_seven_notebooks_in_order_then_the_back_matter():
    assert TOC["format"] == "jb-book" and TOC["root"] == "intro"
    assert [c["file"] for c in TOC["chapters"]] == (
        [f"notebooks/{n}" for n in NOTEBOOKS] + ["references", "glossary"])


def test_build_settings():
    assert CONFIG["execute"]["execute_notebooks"] == "off"  # the string, not YAML false
    assert CONFIG["only_build_toc_files"] is True
    sphinx = CONFIG["sphinx"]
    assert sphinx["recursive_update"] is True  # else html_theme_options drops the launch buttons
    assert sphinx["config"]["language"] == "zh_CN"
    assert "intersphinx_mapping" not in sphinx["config"]  # would need the network under -W
    for name in sphinx["local_extensions"]:
        assert (ROOT / sphinx["local_extensions"][name] / f"{name}.py").is_file()


def test_repository_and_launch_buttons():
    repo = CONFIG["repository"]
    assert repo["url"].startswith("https://github.com/") and repo["url"].count("/") == 4
    assert repo["branch"] and "path_to_book" in repo
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert CONFIG["html"]["use_repository_button"] is True


def test_mathjax_is_local_and_installed():
    path = CONFIG["sphinx"]["config"]["mathjax_path"]
    assert not path.startswith(("http:", "https:", "//")), "MathJax must be served from _static"
    assert "sphinx-mathjax-offline" in CONFIG["sphinx"]["extra_extensions"]
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    assert spec is not None, "sphinx-mathjax-offline is not installed (pip install -r requirements.txt)"
    shipped = Path(spec.origin).parent / "static" / "mathjax"
    assert (shipped / path.removeprefix("mathjax/")).is_file(), f"{path} is not in {shipped}"
    assert "sphinx-mathjax-offline" in (ROOT / "requirements.txt").read_text()


# ---------------------------------------------------------------- Chinese search terms


def test_jieba_user_dictionary_splits_chapter_terms():
    jieba = pytest.importorskip("jieba", reason="SKIPPED: jieba is not installed")
    dictionary = (ROOT / "_ext" / "jieba_userdict.txt").read_text(encoding="utf-8").split("\n")
    words = [line.split()[0] for line in dictionary if line.strip()]
    assert {"互相关", "汇聚层", "感受野"} <= set(words)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(ROOT / "_ext" / "jieba_userdict.txt"))
    assert "互相关" in tokenizer.cut_for_search("二维互相关运算")
    assert {"汇聚", "汇聚层"} <= set(tokenizer.cut_for_search("最大汇聚层"))


# ---------------------------------------------------------------- CJK soft breaks


def test_cjk_softbreaks_removed_only_between_chinese_characters():
    ext = _load_ext("cjk_softbreaks")
    para = nodes.paragraph()
    para += nodes.Text("第一行，")
    para += nodes.Text("\n")  # MyST's soft break is a Text node of its own
    para += nodes.Text("第二行 Latin\n中文 and ")
    para += nodes.literal("代码\n代码", "代码\n代码")
    para += nodes.Text("\n中文，")
    para += nodes.math("x", "x")
    para += nodes.Text("\n中文。\n结束")
    block = nodes.literal_block("中文\n中文", "中文\n中文")
    doc = nodes.document(None, None)
    doc += [para, block]
    assert ext.join_cjk_softbreaks(doc) == 2
    assert para.astext() == "第一行，第二行 Latin\n中文 and 代码\n代码\n中文，x\n中文。结束"
    assert block.astext() == "中文\n中文"


# ---------------------------------------------------------------- captions and search titles


def test_caption_number_ends_with_a_full_width_colon():
    ext = _load_ext("figure_numbers")
    body = ('<figcaption><p><span class="caption-number">图 6.4.3 </span><span class="caption-text">'
            '1 × 1 卷积</span></p></figcaption> 如<a class="reference internal" href="#fig-x">'
            '<span class="std std-numref">图 6.4.3</span></a> 所示')
    context = {"body": body}
    ext._caption_separator(None, "notebooks/6_4_channels", "page.html", context, None)
    assert '<span class="caption-number">图 6.4.3：</span><span class="caption-text">1 × 1 卷积' in context["body"]
    assert '<span class="std std-numref">图 6.4.3</span>' in context["body"]  # references unchanged
    context = {}  # pages without a body (the search page) are left alone
    ext._caption_separator(None, "search", "search.html", context, None)
    assert context == {}


@pytest.mark.parametrize("tex, text", [
    (r"1\times 1", "1×1"), (r"1\times1", "1×1"), (r"\Delta = 0", "Δ = 0"), (r"f * g = g * f", "f * g = g * f"),
    (r"\mathbf{X} \star \mathbf{K}", "X ⋆ K"), (r"\max(a, b)", "max(a, b)"), (r"k_h \times k_w", "k_h × k_w"),
])
def test_search_titles_keep_formulas_as_text(tex, text):
    ext = _load_ext("zh_search_terms")
    assert ext.tex_to_text(tex) == text
    title = nodes.title()
    title += [nodes.Text("6.4.3 "), nodes.math(tex, tex), nodes.Text(" 卷积层")]
    assert ext._title_text(title) == f"6.4.3 {text} 卷积层"


def test_search_snippets_load_the_books_mathjax():
    sphinx = CONFIG["sphinx"]["config"]
    assert {"cjk-math.js", "search-snippets.js"} <= set(sphinx["html_js_files"])
    script = (ROOT / "_static" / "search-snippets.js").read_text(encoding="utf-8")
    assert f'const MATHJAX = "_static/{sphinx["mathjax_path"]}";' in script


# ---------------------------------------------------------------- a tiny book with the real _ext


def _nb(cells):
    return {"cells": [dict(c, id=f"c{i}") for i, c in enumerate(cells)],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


# a 1 x 1 PNG
TINY_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def _build_tiny_book(tmp_path, link_target):
    book = tmp_path / "book"
    (book / "notebooks").mkdir(parents=True)
    sphinx = CONFIG["sphinx"]
    config = {
        "title": "tiny", "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "sphinx": {"recursive_update": True,
                   "local_extensions": {name: str(ROOT / "_ext") for name in sphinx["local_extensions"]},
                   "config": {"language": "zh_CN"}},
    }
    (book / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "  - file: notebooks/6_1_why_conv\n  - file: notebooks/6_7_exercises\n")
    (book / "intro.md").write_text("# 首页\n\n文字。\n", encoding="utf-8")
    figure = {"cell_type": "code", "execution_count": 1, "source": "plot()",
              "metadata": {"mystnb": {"figure": {"name": "fig-dot", "caption": "6.1.2 节的点"}}},
              "outputs": [{"output_type": "display_data", "metadata": {},
                           "data": {"image/png": TINY_PNG, "text/plain": "<Figure>"}}]}
    section = _nb([_md("# 6.1 节\n\n## 6.1.1 $1\\times 1$ 卷积\n\n如[图](#fig-dot)所示。"), figure,
                   _md(f"## 练习\n\n1. 第一题。[参考解答](6_7_exercises.ipynb#{link_target})")])
    exercises = _nb([_md("# 6.7 练习与参考解答\n\n(ex-6-1-1)=\n## 练习 6.1.1\n\n题目。\n")])
    for name, nb in (("6_1_why_conv", section), ("6_7_exercises", exercises)):
        (book / "notebooks" / f"{name}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    jb = Path(sys.executable).parent / "jupyter-book"
    if not jb.exists():
        pytest.skip(f"SKIPPED: {jb} not found; the tiny book build needs jupyter-book in this environment")
    result = subprocess.run([str(jb), "build", str(book), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, timeout=300)
    return book / "_build" / "html", result


def test_exercise_link_to_label_resolves_and_missing_label_fails(tmp_path):
    html, result = _build_tiny_book(tmp_path / "ok", "ex-6-1-1")
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"tiny book with a valid exercise link failed:\n{log[-3000:]}"
    page = (html / "notebooks" / "6_1_why_conv.html").read_text(encoding="utf-8")
    assert 'href="6_7_exercises.html#ex-6-1-1"' in page
    assert 'id="ex-6-1-1"' in (html / "notebooks" / "6_7_exercises.html").read_text(encoding="utf-8")
    assert page.count("const THEBE_JS_URL") <= 1, "dedupe_scripts did not remove the duplicate script"
    # figure_numbers: 图 6.1.1 with a colon in its caption, without one in the reference
    assert '<span class="caption-number">图 6.1.1：</span><span class="caption-text">6.1.2 节的点' in page
    assert re.search(r'如<a class="reference internal" href="#fig-dot"><span class="std std-numref">图 6\.1\.1</span></a>\s*所示', page)
    # zh_search_terms: the heading's formula is text in the search index, no TeX
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    titles = json.loads(index[index.index("(") + 1:index.rindex(")")])["alltitles"]
    assert "6.1.1 1×1 卷积" in titles and not any("\\" in t for t in titles), titles

    html, result = _build_tiny_book(tmp_path / "missing", "ex-6-1-9")
    log = result.stdout + result.stderr
    assert result.returncode != 0, "a link to a label that does not exist must fail the -W build"
    assert "ex-6-1-9" in log
