"""Sphinx extension for the LaTeX (print) edition; does nothing in HTML builds.

1. Math in a heading keeps its math in the PDF outline and in the running head:
   ``$1\\times 1$`` in a title becomes ``\\texorpdfstring{\\(1\\times 1\\)}{1×1}``
   (typeset in the text, the contents and the head; plain Unicode in the bookmark).
2. Web wording becomes print wording: each (web, print) pair in PRINT_WORDING is
   replaced in the text of the LaTeX build; a pair whose web text no longer occurs
   anywhere in the book is an error, so the table cannot silently rot.
"""
import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

# TeX -> text for PDF bookmarks (only what this book's titles use; anything else stays as written).
_TEX_TEXT = {r"\times": "×", r"\Delta": "Δ", r"\star": "⋆", r"\cdot": "·", r"\le": "≤", r"\ge": "≥",
             r"\,": " ", r"\ ": " ", r"\;": " "}

PRINT_WORDING = {
    # web text: print text (prototype: two of the phrases the issue lists)
    "你可以直接阅读本网站，也可以": "你可以阅读这份 PDF，也可以",
    "（默认折叠，先自己想一想）": "（先自己想一想，再看解答）",
}


def tex_to_text(tex: str) -> str:
    text = tex
    for macro, char in _TEX_TEXT.items():
        text = re.sub(re.escape(macro) + r"(?![A-Za-z])", char, text)
    text = re.sub(r"\\math(?:bf|rm|it|sf)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"[{}]", "", text)
    text = re.sub(r"\s*×\s*", "×", text)
    return re.sub(r"\s+", " ", text).strip()


class MathInTitles(SphinxPostTransform):
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        for title in self.document.findall(nodes.title):
            for math in list(title.findall(nodes.math)):
                tex = math.astext()
                raw = nodes.raw("", r"\texorpdfstring{\protect\(%s\protect\)}{%s}" % (tex, tex_to_text(tex)),
                                format="latex")
                math.replace_self(raw)


class SectionNumbers(SphinxPostTransform):
    """Section counter N at notebooks/6_N_* (secnumdepth 0: \\section does not step it), so
    that its figures are 6.N.M as on the web; each notebook starts a new page."""
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        from sphinx import addnodes
        for start in self.document.findall(addnodes.start_of_file):
            match = re.search(r"(?:^|/)6_(\d+)_", start.get("docname", ""))
            if match:
                start.insert(0, nodes.raw("", "\\clearpage\\setcounter{section}{%d}\\setcounter{figure}{0}\\setcounter{equation}{0}\n"
                                          % int(match.group(1)),
                                          format="latex"))


class DropNotebookOnly(SphinxPostTransform):
    """The Colab install cell (tag ``colab``) means nothing on paper."""
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        for node in list(self.document.findall(nodes.container)):
            if "tag_colab" in node.get("classes", []):
                node.parent.remove(node)


class PrintWording(SphinxPostTransform):
    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs):
        for text in list(self.document.findall(nodes.Text)):
            value = str(text)
            new = value
            for web, paper in PRINT_WORDING.items():
                if web in new:
                    new = new.replace(web, paper)
                    self.app.env.print_wording_used.add(web)
            if new != value:
                text.parent.replace(text, nodes.Text(new))


def _init(app):
    app.env.print_wording_used = set()


def _check(app, exception):
    if exception is None and app.builder.name == "latex":
        for web in sorted(set(PRINT_WORDING) - app.env.print_wording_used):
            logger.warning("print wording: %r no longer occurs in the book", web)


def setup(app):
    app.add_post_transform(MathInTitles)
    app.add_post_transform(PrintWording)
    app.add_post_transform(SectionNumbers)
    app.add_post_transform(DropNotebookOnly)
    app.connect("builder-inited", _init)
    app.connect("build-finished", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
