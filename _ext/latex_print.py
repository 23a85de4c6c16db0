"""Sphinx extension: the print edition (Sphinx's LaTeX builder, `make pdf`). HTML builds are untouched.

Post-transforms, run only by the LaTeX builder:

1. ``MathInTitles``: math in a heading becomes
   ``\\texorpdfstring{\\(1\\times 1\\)}{1×1}``: typeset in the text, the contents and the
   running head, plain Unicode in the PDF outline (hyperref drops math from bookmarks).
2. ``SectionNumbers``: at the start of ``notebooks/6_N_*`` the LaTeX section counter is set
   to N and the figure and equation counters to 0. The headings carry their own numbers
   (secnumdepth 0, so ``\\section`` does not step the counter); with this the figures are
   图 6.N.M, the numbers ``_ext/figure_numbers.py`` gives them on the web. Each section,
   and each page after them (参考文献, 术语表), starts on a new page, so that a section's
   floating figures are printed before the next section begins.
3. ``DropColabCell``: the Colab install cell (tag ``colab``) means nothing on paper.
   ``BreakableTables``: top-level tables (the glossary's) break across pages.
4. ``PrintWording``: each (web, print) pair of PRINT_WORDING is replaced in the text. A web
   phrase that no longer occurs anywhere in the book is a warning (an error with ``-W``),
   so the table cannot go stale while the prose changes. intro.md, plain MyST, uses
   ``{only} html`` / ``{only} latex`` blocks instead; a notebook cannot (Jupyter would show
   the fences).
5. ``BibliographyInPlace``: Sphinx's LaTeX writer gathers the citations at the end of the
   document under a chapter of its own ("Bibliography", after the glossary); they are put
   back where references.md lists them, under its heading (the preamble drops the
   environment's own heading).
6. ``ExerciseBookmarks``: each sphinx-exercise exercise gets a PDF outline entry one level
   below its heading ("练习 6.1.3：图像边界怎么办"), as the exercises had when they were
   headings.
7. ``OnlyBeforeReferences``: ``{only} html`` blocks are dropped before the references are
   resolved (Sphinx drops them after, at priority 50), so a web-only link to a page the PDF
   leaves out (intro.md's link to the student edition, student/index) is not a missing
   reference (an error with ``-W -n``).
"""
from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

CHAPTER = 6
SECTION = re.compile(r"(?:^|/)6_(\d+)_[^/]*$")

# web text -> print text. Each web phrase must occur in the book (a warning otherwise).
PRINT_WORDING = {
    # intro: the 6.7 line of the overview
    "（默认折叠，先自己想一想）": "（先自己想一想，再看解答）",
    # 6.2: the PDF prints the strip, the next sentence says so
    "播放器下方的按钮可以逐帧前进、后退，也可以连续播放。": "",
    # 6.6: hide-cell code is printed open
    "下面一次只看一个因素；每一条结论都由后面（折叠起来的）断言单元":
        "下面一次只看一个因素；每一条结论都由后面的断言单元",
    "（数字见下面的输出，代码已折叠）": "（数字见下面的输出）",
    "下面（展开可以看到代码）重新训练": "下面重新训练",
    # 6.7: the solutions are printed open
    "网页版里每份解答都默认折叠：先自己动手做一遍，再点开对照。": "先自己动手做一遍，再对照解答。",
    # glossary: its first-occurrence links are links in the PDF too
    "（点击可打开那一节）": "（链接到那一节）",
}

# TeX -> text for the outline (what this book's titles use; anything else is kept as written).
_TEX_TEXT = {r"\times": "×", r"\Delta": "Δ", r"\star": "⋆", r"\cdot": "·", r"\leq": "≤",
             r"\geq": "≥", r"\le": "≤", r"\ge": "≥", r"\ast": "∗", r"\,": " ", r"\ ": " ",
             r"\;": " ", r"\quad": " "}


def tex_to_text(tex: str) -> str:
    """Plain text for a PDF bookmark: ``1\\times 1`` -> ``1×1``, ``\\mathbf{X}`` -> ``X``."""
    text = tex
    for macro, char in _TEX_TEXT.items():
        text = re.sub(re.escape(macro) + (r"(?![A-Za-z])" if macro[-1].isalpha() else ""), char, text)
    text = re.sub(r"\\(?:math(?:bf|rm|it|sf|tt)|text(?:rm|bf|it)?|operatorname)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"[{}]", "", text)
    text = re.sub(r"\s*([×=≤≥·])\s*", r" \1 ", text).replace(" × ", "×")
    return re.sub(r"\s+", " ", text).strip()


def texorpdfstring(tex: str) -> str:
    r"""The LaTeX of a formula in a title: math in print, its text in the bookmark."""
    return r"\texorpdfstring{\protect\(%s\protect\)}{%s}" % (tex, tex_to_text(tex))


def print_wording(text: str, table: dict[str, str] = PRINT_WORDING) -> tuple[str, set[str]]:
    """The text with every web phrase of the table replaced, and the phrases found."""
    used = set()
    for web, paper in table.items():
        if web in text:
            text = text.replace(web, paper)
            used.add(web)
    return text, used


def section_number(docname: str) -> int | None:
    match = SECTION.search(docname)
    return int(match.group(1)) if match else None


class OnlyBeforeReferences(SphinxPostTransform):
    default_priority = 5  # before MyST's (9) and Sphinx's (10) reference resolvers
    builders = ("latex",)

    def run(self, **kwargs):
        from sphinx.util.nodes import process_only_nodes
        process_only_nodes(self.document, self.app.builder.tags)


class MathInTitles(SphinxPostTransform):
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        for title in self.document.findall(nodes.title):
            for math in list(title.findall(nodes.math)):
                math.replace_self(nodes.raw("", texorpdfstring(math.astext()), format="latex"))


# From the exercises (6.7) on, and in the back matter: less space around subsection headings
# (Sphinx's 3.25ex/1.5ex). There a heading is followed by a framed exercise box or a table that
# must start with a few lines; with the full space, 6.7's "6.5 汇聚层" and the glossary's
# "6.5 节" table went to the next page and left 15-29 % of a page empty (measured).
TIGHT_HEADINGS = "\\titlespacing*{\\subsection}{0pt}{2ex plus .5ex minus .2ex}{0.8ex}\n"


def _has_exercises(node) -> bool:
    return any(type(n).__name__ in ("exercise_node", "exercise_enumerable_node")
               for n in node.findall(nodes.Element))


class SectionNumbers(SphinxPostTransform):
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        seen_section = tight = False
        for start in self.document.findall(addnodes.start_of_file):
            n = section_number(start.get("docname", ""))
            spacing = ""
            if not tight and (_has_exercises(start) or (n is None and seen_section)):
                tight, spacing = True, TIGHT_HEADINGS
            if n is not None:
                seen_section = True
                start.insert(0, nodes.raw("", "\\clearpage\\setcounter{section}{%d}"
                                          "\\setcounter{figure}{0}\\setcounter{equation}{0}\n" % n + spacing,
                                          format="latex"))
            elif seen_section:
                start.insert(0, nodes.raw("", "\\clearpage\n" + spacing, format="latex"))


NEEDSPACE_OVER_TABLE = "\\needspace{7\\baselineskip}\n"


class BreakableTables(SphinxPostTransform):
    """A table at the top level of a page (the glossary's, one per section) may break across
    pages (longtable) instead of leaving the rest of a page empty; a heading right above it
    needs room for some rows below it. Tables inside a box
    (an admonition, an exercise or solution) stay tabulars: longtable cannot nest there."""
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        for table in self.document.findall(nodes.table):
            parent, boxed = table.parent, False
            while parent is not None:
                if not isinstance(parent, (nodes.section, nodes.document, addnodes.start_of_file)):
                    boxed = True
                    break
                parent = parent.parent
            if not boxed and "longtable" not in table["classes"]:
                table["classes"].append("longtable")
                section = table.parent
                if isinstance(section, nodes.section) and section.index(table) <= 2 and section.parent:
                    # a heading right above a longtable would stay alone at a page's foot
                    # (longtable may break before its first row): room for the heading, the
                    # table's head, one row and its 续下页 foot. Not more: a \\needspace that
                    # breaks the page right after the previous longtable, ending at the foot,
                    # printed that table's 接上页 head with no rows on the next page (measured
                    # with 10 and 8 lines; 7 and 6 did not; 12 left 15 %)
                    section.parent.insert(section.parent.index(section),
                                          nodes.raw("", NEEDSPACE_OVER_TABLE, format="latex"))


class DropColabCell(SphinxPostTransform):
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        for node in list(self.document.findall(nodes.container)):
            if {"tag_colab", "tag-colab"} & set(node.get("classes", [])):  # myst-nb's, docutils' spelling
                node.parent.remove(node)


class PrintWording(SphinxPostTransform):
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        used = self.env.latex_print_wording_used
        for text in list(self.document.findall(nodes.Text)):
            if isinstance(text.parent, (nodes.literal, nodes.literal_block, nodes.raw)):
                continue
            new, found = print_wording(str(text))
            if found:
                used.update(found)
                text.parent.replace(text, nodes.Text(new))


class ExerciseBookmarks(SphinxPostTransform):
    """``\\pdfbookmark`` before each sphinx-exercise exercise, titled as the exercise prints."""
    default_priority = 950  # after sphinx-exercise has numbered and titled its nodes
    builders = ("latex",)

    def run(self, **kwargs):
        for node in list(self.document.findall(nodes.Element)):
            if type(node).__name__ not in ("exercise_node", "exercise_enumerable_node"):
                continue
            title = next(iter(node.findall(nodes.title)), None)
            label = (node.get("ids") or [node.get("label", "")])[0]
            if title is None or not label:
                continue
            text = re.sub(r"\s+", " ", bookmark_text(title)).strip()
            # inside the box: the bookmark lands where the box starts, also when the box
            # moves to the next page; \nobreak: its whatsits are no breakpoint under the title row
            after = next((i for i, child in enumerate(node.children)
                          if not isinstance(child, (nodes.title, nodes.subtitle))), len(node.children))
            node.insert(after, nodes.raw("", "\\pdfbookmark[3]{%s}{bm-%s}\\nobreak\n" % (_escape_bookmark(text), label),
                                         format="latex"))


class _MarkBibliography(SphinxPostTransform):
    """Before Sphinx moves the citations (its BibliographyTransform, priority 750): mark the place."""
    default_priority = 740
    builders = ("latex",)

    def run(self, **kwargs):
        first = next(iter(self.document.findall(nodes.citation)), None)
        if first is not None:
            first.parent.insert(first.parent.index(first), nodes.comment("", "", latex_print_bibliography=True))


class BibliographyInPlace(SphinxPostTransform):
    default_priority = 760
    builders = ("latex",)

    def run(self, **kwargs):
        from sphinx.builders.latex.nodes import thebibliography
        marks = [n for n in self.document.findall(nodes.comment) if n.get("latex_print_bibliography")]
        bibliography = next(iter(self.document.findall(thebibliography)), None)
        if marks and bibliography is not None:
            bibliography.parent.remove(bibliography)
            marks[0].replace_self(bibliography)


def bookmark_text(title: nodes.Node) -> str:
    """A title's text for the outline: math as text (also math MathInTitles already turned into
    \\texorpdfstring: its second argument)."""
    parts = []
    for n in title.findall(lambda n: isinstance(n, (nodes.Text, nodes.math, nodes.raw))):
        if isinstance(n.parent, (nodes.math, nodes.raw)):
            continue
        if isinstance(n, nodes.math):
            parts.append(tex_to_text(n.astext()))
        elif isinstance(n, nodes.raw):
            pdf = re.search(r"\\texorpdfstring\{.*\}\{(.*)\}$", n.astext(), re.S)
            parts.append(pdf.group(1) if pdf else "")
        else:
            parts.append(n.astext())
    return "".join(parts)


def _escape_bookmark(text: str) -> str:
    return re.sub(r"([#$%&_{}\\])", r"\\\1", text)


def _init(app):
    app.env.latex_print_wording_used = set()
    if app.builder.name == "latex":
        _no_floats_in_exercise_boxes(app)


BOXED = ("exercise_node", "exercise_enumerable_node", "solution_node")


def _no_floats_in_exercise_boxes(app):
    """A figure inside a sphinx-exercise box is printed where it stands ([H]), as Sphinx does
    inside its own admonitions: a float there is a LaTeX error ("Not in outer par mode")."""
    handlers = app.registry.translation_handlers.get("latex", {})
    for name in BOXED:
        if name not in handlers:
            continue
        visit, depart = handlers[name]

        def counted_visit(self, node, _visit=visit):
            self.no_latex_floats += 1
            _visit(self, node)

        def counted_depart(self, node, _depart=depart):
            _depart(self, node)
            self.no_latex_floats -= 1

        handlers[name] = (counted_visit, counted_depart)


def _check_wording(app, exception):
    if exception is None and app.builder.name == "latex":
        for web in sorted(set(PRINT_WORDING) - app.env.latex_print_wording_used):
            logger.warning("latex_print: the web phrase %r of PRINT_WORDING no longer occurs in the "
                           "book: update the table in _ext/latex_print.py", web)


def setup(app):
    for transform in (OnlyBeforeReferences, MathInTitles, SectionNumbers, BreakableTables, DropColabCell, PrintWording, _MarkBibliography,
                      BibliographyInPlace, ExerciseBookmarks):
        app.add_post_transform(transform)
    app.connect("builder-inited", _init)
    app.connect("build-finished", _check_wording)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
