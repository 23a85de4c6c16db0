"""_ext/latex_print.py, the print edition's transforms, and the LaTeX settings of _config.yml.

Fast: the functions on their own, then a tiny Sphinx project written with the LaTeX
builder (the .tex only, no xelatex run): math in a title -> \\texorpdfstring, the section
counter set at notebooks/6_N_*, the Colab cell dropped, the print wording, the bibliography
in place, and a warning for a web phrase that no longer occurs. The same project's HTML
build is untouched. The PDF itself is tests/test_pdf.py's (marker pdf).
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("latex_print", ROOT / "_ext" / "latex_print.py")
lp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lp)

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
# Words that only make sense on the web page (tests/test_pdf.py checks the PDF for them too).
WEB_ONLY = ["点击", "默认折叠", "本网站", "火箭按钮", "播放器", "折叠起来", "已折叠"]
# ("点开" stays: 6.5 tells how to use CNN Explainer, a web page, which holds in print too)


# ---------------------------------------------------------------- the functions


@pytest.mark.parametrize("tex, text", [
    (r"1\times 1", "1×1"),
    (r"\Delta=0", "Δ = 0"),
    (r"f * g = g * f", "f * g = g * f"),
    (r"\mathbf{Y}_1", "Y_1"),
    (r"k_h\times k_w", "k_h×k_w"),
    (r"x \le y", "x ≤ y"),
    (r"\star", "⋆"),
])
def test_tex_to_text(tex, text):
    assert lp.tex_to_text(tex) == text


def test_texorpdfstring_typesets_in_text_and_writes_text_in_the_outline():
    assert lp.texorpdfstring(r"1\times 1") == r"\texorpdfstring{\protect\(1\times 1\protect\)}{1×1}"


def test_print_wording_replaces_and_reports_what_it_used():
    table = {"点击按钮": "选择", "网页版": "PDF"}
    assert lp.print_wording("请点击按钮。", table) == ("请选择。", {"点击按钮"})
    assert lp.print_wording("没有要换的。", table) == ("没有要换的。", set())


def test_section_number_from_the_notebook_name():
    assert lp.section_number("notebooks/6_3_padding_strides") == 3
    assert lp.section_number("notebooks/6_10_x") == 10
    assert lp.section_number("intro") is None and lp.section_number("glossary") is None


def _book_markdown() -> str:
    parts = []
    for path in [ROOT / "intro.md", ROOT / "glossary.md", ROOT / "references.md",
                 *sorted((ROOT / "notebooks").glob("6_*.ipynb"))]:
        if path.suffix == ".md":
            parts.append(path.read_text(encoding="utf-8"))
        else:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            parts += ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    return "\n".join(parts)


def test_every_web_phrase_of_the_table_is_in_the_book_and_its_print_text_is_not_web_wording():
    """What the build's warning says, checked without a build: no stale phrase."""
    book = _book_markdown()
    stale = [web for web in lp.PRINT_WORDING if web not in book]
    assert not stale, f"PRINT_WORDING phrases no longer in the book (update _ext/latex_print.py): {stale}"
    for web, paper in lp.PRINT_WORDING.items():
        assert not [w for w in WEB_ONLY if w in paper], (web, paper)


def test_web_wording_is_in_the_table_or_in_an_only_html_block():
    """Every web-only word of the book's prose is replaced by the table, sits in an
    ``{only} html`` block of intro.md, or is in code."""
    prose = _book_markdown()
    prose = re.sub(r"^```\{only\} html\n.*?^```", "", prose, flags=re.S | re.M)
    for web in lp.PRINT_WORDING:
        prose = prose.replace(web, "")
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"^```.*?^```", "", prose, flags=re.S | re.M))
    found = {w: prose[max(0, prose.index(w) - 30):prose.index(w) + 30] for w in WEB_ONLY if w in prose}
    assert not found, f"web-only wording that would print: {found}"


# ---------------------------------------------------------------- _config.yml


def test_config_turns_the_extension_and_the_latex_edition_on():
    assert CONFIG["sphinx"]["local_extensions"]["latex_print"] == "_ext/"
    latex = CONFIG["latex"]
    assert latex["latex_engine"] == "xelatex" and latex["use_jupyterbook_latex"] is False
    assert latex["latex_documents"]["targetname"] == "d2l-ch6-cnn.tex"
    config = CONFIG["sphinx"]["config"]
    assert config["latex_toplevel_sectioning"] == "section"
    elements = config["latex_elements"]
    assert elements["papersize"] == "a4paper"
    assert "secnumdepth}{0}" in elements["secnumdepth"]
    assert r"\chapter{卷积神经网络}" in elements["tableofcontents"] and "{chapter}{5}" in elements["tableofcontents"]
    # the cover: no page number (empty page style), no date
    assert r"\thispagestyle{empty}" in elements["maketitle"] and r"\@date" not in elements["maketitle"]
    assert r"\today" not in elements["maketitle"]
    # captions 图 6.N.M：caption
    assert r"\DeclareCaptionLabelSeparator{zhcolon}{：}" in elements["preamble"]
    assert r"\fancyhead[L]{\small\sffamily\rightmark}" in elements["preamble"]


def test_the_fonts_the_preamble_names_are_installed_by_the_one_list():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import system_packages as sp
    finally:
        sys.path.remove(str(ROOT / "tools"))
    named = re.findall(r"\\set(?:CJK)?(?:main|sans|mono)font\{([^}]+)\}",
                       CONFIG["sphinx"]["config"]["latex_elements"]["fontpkg"])
    listed = {f for p in sp.packages_for("pdf") for f in p.fonts}
    assert len(named) == 6 and set(named) <= listed, (named, listed)


# ---------------------------------------------------------------- a tiny Sphinx project


CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["latex_print"]
language = "zh_CN"
latex_engine = "xelatex"
latex_toplevel_sectioning = "section"
latex_documents = [("index", "tiny.tex", "Tiny", "me", "manual")]
"""

INDEX = """
本书
====

{phrase}

.. only:: html

   web-only-link-marker :doc:`student/index`

.. toctree::

   notebooks/6_3_padding
   references
   glossary
"""

REFERENCES = """
参考文献
========

条目按作者排序。

.. [LBBH98] LeCun, Bottou, Bengio, Haffner. 1998.
"""

GLOSSARY = """
术语表
======

=====  =====
term   English
=====  =====
xcorr  cross
=====  =====

.. note::

   =====  =====
   a      b
   =====  =====
   boxed  table
   =====  =====
"""

SECTION = r"""
6.3 填充和步幅
==============

.. container:: tag_colab

   colab-install-cell-marker

6.3.1 :math:`1\times 1` 卷积
----------------------------

正文，引用 [LBBH98]_。

.. figure:: pic.png

   一幅图
"""


def _project(tmp_path, phrase):
    src = tmp_path / "src"
    (src / "notebooks").mkdir(parents=True)
    (src / "conf.py").write_text(CONF.format(ext=str(ROOT / "_ext")), encoding="utf-8")
    (src / "index.rst").write_text(INDEX.format(phrase=phrase), encoding="utf-8")
    (src / "notebooks" / "6_3_padding.rst").write_text(SECTION, encoding="utf-8")
    (src / "references.rst").write_text(REFERENCES, encoding="utf-8")
    (src / "glossary.rst").write_text(GLOSSARY, encoding="utf-8")
    # a 1x1 PNG for the figure
    (src / "notebooks" / "pic.png").write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"))
    return src


def _build(src, out, builder):
    from sphinx.application import Sphinx
    warnings = StringIO()
    app = Sphinx(str(src), str(src), str(out), str(out / ".doctrees"), builder,
                 status=None, warning=warnings, freshenv=True)
    app.build()
    return warnings.getvalue()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("latex_print")
    web, paper = next(iter(lp.PRINT_WORDING.items()))
    src = _project(tmp, f"前言：{web}结束。")
    warnings = _build(src, tmp / "latex", "latex")
    return (tmp / "latex" / "tiny.tex").read_text(encoding="utf-8"), warnings, src, tmp


def test_math_in_a_title_keeps_its_text_in_the_outline(tiny):
    tex = tiny[0]
    assert r"\subsection{6.3.1 \texorpdfstring{\protect\(1\times 1\protect\)}{1×1} 卷积}" in tex


def test_the_section_counter_is_set_at_each_notebook(tiny):
    tex = tiny[0]
    assert re.search(r"\\clearpage\\setcounter\{section\}\{3\}\\setcounter\{figure\}\{0\}"
                     r"\\setcounter\{equation\}\{0\}\s*(\\sphinxstepscope\s*)?\\section\{6\.3 填充和步幅\}", tex), tex


def test_pages_after_the_sections_start_on_a_new_page(tiny):
    """参考文献 and 术语表 after 6.3: 6.3's floating figures are printed before them."""
    tex = tiny[0]
    spacing = r"(\\titlespacing\*[^\n]*\n\s*)?"
    assert re.search(r"\\clearpage\s*" + spacing + r"(\\sphinxstepscope\s*)?\\section\{参考文献\}", tex)
    assert re.search(r"\\clearpage\s*(\\needspace\S*\s*)?(\\sphinxstepscope\s*)?\\section\{术语表\}", tex)


def test_subsection_headings_are_tighter_from_the_exercises_or_back_matter_on(tiny):
    """Less space around subsection headings once, where the exercises (or, without them, the
    back matter) start: a heading over a framed box or a table then fits at a page's foot."""
    tex = tiny[0]
    assert tex.count(lp.TIGHT_HEADINGS.strip()) == 1
    assert tex.index(r"\section{6.3 填充和步幅}") < tex.index(lp.TIGHT_HEADINGS.strip()) < tex.index(r"\section{参考文献}")


def test_a_top_level_table_breaks_across_pages_a_boxed_one_does_not(tiny):
    tex = tiny[0]
    glossary = tex[tex.index(r"\section{术语表}"):]
    assert glossary.count(r"\begin{longtable}") == 1
    assert glossary.index(r"\begin{longtable}") < glossary.index("cross")
    assert r"\begin{tabulary}" in glossary or r"\begin{tabular}" in glossary


def test_the_colab_cell_is_not_printed(tiny):
    assert "colab-install-cell-marker" not in tiny[0]


def test_print_wording_replaces_the_web_phrase(tiny):
    tex = tiny[0]
    web, paper = next(iter(lp.PRINT_WORDING.items()))
    assert web not in tex and f"前言：{paper}结束。" in tex


def test_a_stale_web_phrase_is_a_warning(tiny):
    warnings = tiny[1]
    stale = [web for web in list(lp.PRINT_WORDING)[1:]]
    assert all(repr(web) in warnings for web in stale), warnings
    assert repr(next(iter(lp.PRINT_WORDING))) not in warnings


def test_the_bibliography_prints_under_its_heading_not_after_the_book(tiny):
    """A citation in 6.3, its entry under 参考文献 (as sphinxcontrib-bibtex writes references.md's
    list), before the glossary, not after it."""
    tex = tiny[0]
    assert tex.count(r"\begin{sphinxthebibliography}") == 1
    assert (tex.index(r"\section{参考文献}") < tex.index(r"\begin{sphinxthebibliography}")
            < tex.index(r"\section{术语表}"))


def test_html_is_untouched(tiny):
    _, _, src, tmp = tiny
    warnings = _build(src, tmp / "html", "html")
    page = (tmp / "html" / "notebooks" / "6_3_padding.html").read_text(encoding="utf-8")
    assert "colab-install-cell-marker" in page and "texorpdfstring" not in page
    assert "setcounter" not in page and "PRINT_WORDING" not in warnings
    index = (tmp / "html" / "index.html").read_text(encoding="utf-8")
    assert next(iter(lp.PRINT_WORDING)) in index


def test_a_web_only_link_to_a_page_not_printed_is_no_missing_reference(tiny):
    """intro.md's ``{only} html`` link to the student edition (not in the PDF's toc): the LaTeX
    build drops the block before resolving references, so -W -n does not fail on it."""
    tex, warnings = tiny[0], tiny[1]
    assert "web-only-link-marker" not in tex
    assert "student/index" not in warnings, warnings


def test_the_print_toc_leaves_out_the_student_edition_and_keeps_the_rest():
    """tools/build_pdf.py builds the PDF from _toc.yml without the student/ pages (issue 17)."""
    spec = importlib.util.spec_from_file_location("build_pdf", ROOT / "tools" / "build_pdf.py")
    build_pdf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_pdf)

    def files(entries):
        out = []
        for e in entries:
            out += [e["file"]] + files(e.get("sections", []))
        return out

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    printed = build_pdf.print_toc(toc)
    assert printed["root"] == toc["root"] and printed["format"] == toc["format"]
    assert files(printed["chapters"]) == [f for f in files(toc["chapters"]) if not f.startswith("student/")]
    assert not any(f.startswith("student/") for f in files(printed["chapters"]))
    nested = {"root": "intro", "chapters": [{"file": "a", "sections": [{"file": "student/x"}]}, {"file": "b"}]}
    assert build_pdf.print_toc(nested)["chapters"] == [{"file": "a"}, {"file": "b"}]
    assert nested["chapters"][0]["sections"] == [{"file": "student/x"}]  # the input is left as it was


def test_bookmark_text_of_a_title_with_math():
    from docutils import nodes
    title = nodes.title("", "", nodes.Text("练习 6.1.1：窗口半径 "),
                        nodes.raw("", lp.texorpdfstring(r"\Delta = 0"), format="latex"), nodes.Text(" 的卷积层"))
    assert lp.bookmark_text(title) == "练习 6.1.1：窗口半径 Δ = 0 的卷积层"
    title = nodes.title("", "", nodes.Text("核 "), nodes.math("", r"1\times 1"))
    assert lp.bookmark_text(title) == "核 1×1"


def test_a_heading_over_a_breakable_table_asks_for_room(tiny):
    tex = tiny[0]
    # the glossary's table comes right after its heading: room for the heading and some rows
    need = re.escape(lp.NEEDSPACE_OVER_TABLE.strip())
    assert re.search(need + r"\s*(\\sphinxstepscope\s*)?\\section\{术语表\}", tex), tex
    # 6.3's heading is followed by text, not a table: nothing asked
    assert not re.search(need + r"\s*\\section\{6\.3", tex)
