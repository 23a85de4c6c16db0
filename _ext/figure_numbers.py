"""Sphinx extension: book figure numbers 6.N.M, and ``[图](#fig-...)`` links that show them.

A figure is a code cell whose metadata holds
``{"mystnb": {"figure": {"name": "fig-corr2d", "caption": "..."}}}``. Sphinx
numbers such figures through the whole book (图 1, 图 2, ...); this renumbers
them per section, so the M-th figure of ``notebooks/6_N_*.ipynb`` is 图 6.N.M.

In the Markdown, the text refers to a figure as ``如[图](#fig-corr2d)所示`` (or
``[图](6_2_conv_layer.ipynb#fig-corr2d)`` from another notebook). In
Jupyter and Colab that reads "如图所示"; in the book the link becomes a numbered
reference, "如图 6.2.1 所示". No figure number is typed by hand anywhere.

In the HTML, a caption reads "图 6.4.3：1 × 1 卷积": a full-width colon separates the
number from the caption text (Sphinx writes "图 6.4.3 " and the caption would run on, as in
"图 6.6.4 6.6.5 节…"). References to a figure keep the bare number ("如图 6.4.3 所示").
"""
import re

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

CHAPTER = 6
SECTION = re.compile(r"(?:^|/)6_(\d+)_[^/]*$")
FIGURE_LINK_TEXT = "图"


def _renumber_figures(app, env):
    """After Sphinx has numbered the figures, number them 6.N.M within each section."""
    changed = []
    for docname, numbers in env.toc_fignumbers.items():
        match = SECTION.search(docname)
        figures = numbers.get("figure")
        if not match or not figures:
            continue
        section = int(match.group(1))
        for m, figure_id in enumerate(sorted(figures, key=figures.get), start=1):
            figures[figure_id] = (CHAPTER, section, m)
        changed.append(docname)
    return changed


class FigureLinks(SphinxTransform):
    """Turn ``[图](#fig-...)`` into a numbered reference to that figure."""

    default_priority = 200  # before the references are resolved

    def apply(self):
        for ref in list(self.document.findall(lambda n: isinstance(n, (nodes.reference,
                                                                     addnodes.pending_xref)))):
            # [图](#fig-x) in the same notebook, or [图](6_2_conv_layer.ipynb#fig-x) in another
            if isinstance(ref, nodes.reference) and ref.get("id_link"):
                label = ref.get("refuri", "").lstrip("#")
            elif isinstance(ref, addnodes.pending_xref) and ref.get("reftype") == "myst":
                label = ref.get("reftargetid") or ""
            else:
                continue
            if not label.startswith("fig-"):
                continue
            if ref.astext() != FIGURE_LINK_TEXT:
                raise ValueError(f"{self.env.docname}: a link to figure {label} must read "
                                 f"[{FIGURE_LINK_TEXT}](...#{label}), not [{ref.astext()}]")
            xref = addnodes.pending_xref(
                "", nodes.inline("", FIGURE_LINK_TEXT + " %s"),
                refdomain="std", reftype="numref", reftarget=label,
                refexplicit=True, refwarn=True, refdoc=self.env.docname)
            xref.source, xref.line = ref.source, ref.line
            ref.replace_self(xref)
            # Chinese typography puts a space after the number before the next character.
            sibling = xref.next_node(descend=False, siblings=True, ascend=False)
            if isinstance(sibling, nodes.Text) and sibling.astext()[:1] not in ("", " ", "，", "。", "、", "）", "；", "："):
                sibling.parent.replace(sibling, nodes.Text(" " + sibling.astext()))


# Sphinx's HTML writer: <span class="caption-number">图 6.4.3 </span><span class="caption-text">
CAPTION_NUMBER = re.compile(r'(<span class="caption-number">[^<]*?\S) </span>')
CAPTION_SEPARATOR = "："


def _caption_separator(app, pagename, templatename, context, doctree):
    """In each HTML page, end every caption number with "：" instead of a space."""
    if "body" in context:
        context["body"] = CAPTION_NUMBER.sub(r"\1" + CAPTION_SEPARATOR + "</span>", context["body"])


def setup(app):
    app.add_transform(FigureLinks)
    # After sphinx's own collector has assigned the numbers (priority 500).
    app.connect("env-get-updated", _renumber_figures, priority=900)
    app.connect("html-page-context", _caption_separator)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
