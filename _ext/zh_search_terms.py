"""Sphinx extension: teach jieba this chapter's terms before the search index is built.

Sphinx's Chinese search (language zh_CN) splits the text into words with
jieba.cut_for_search. jieba's own dictionary lacks several terms of this
chapter: it cuts 互相关 into 互相 + 关 and 汇聚层 into 汇聚 + 层, so a reader
who searches for 互相关 would find nothing (the search page looks the query up
as one whole word). The words in jieba_userdict.txt beside this file are added
to jieba's dictionary; cut_for_search then indexes both the whole term and its
parts (互相关, 互相, 相关).

It also keeps TeX out of the search results: Sphinx stores each heading's text for the
result list (searchindex.js "alltitles") as node.astext(), where a formula is its TeX
source, so the heading "6.4.3 $1\\times 1$ 卷积层" was listed as "6.4.3 1\\times 1 卷积层".
The stored titles use a plain-text form of the formula instead ("6.4.3 1×1 卷积层"); the
HTML pages and the LaTeX output are unchanged. (The snippets under each result come from
the pages themselves: _static/search-snippets.js.)
"""
import functools
import re
from pathlib import Path

from docutils import nodes

USERDICT = Path(__file__).with_name("jieba_userdict.txt")


def _load_terms(app):
    if not str(app.config.language or "").startswith("zh"):
        return
    try:
        import jieba
    except ImportError:  # Sphinx then indexes Chinese text poorly; say so
        from sphinx.util import logging

        logging.getLogger(__name__).warning("jieba is not installed: Chinese full-text search will miss words")
        return
    jieba.setLogLevel(60)  # no "Building prefix dict" chatter in the build log
    jieba.load_userdict(str(USERDICT))


# TeX commands of the book's formulas, as text; any other command loses its backslash.
TEX_SYMBOLS = {
    "times": "×", "cdot": "·", "star": "⋆", "ast": "∗", "ldots": "…", "cdots": "⋯", "dots": "…",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "in": "∈", "sum": "∑", "infty": "∞", "to": "→", "rightarrow": "→", "mid": "|",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "partial": "∂", "pm": "±",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ", "phi": "φ",
    "Delta": "Δ", "Sigma": "Σ", "Omega": "Ω",
    "quad": " ", "qquad": " ", ",": " ", ";": " ", "!": "", " ": " ",
    "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "",
}


def tex_to_text(tex: str) -> str:
    """A plain-text form of a short formula: 1\\times 1 -> 1×1, \\mathbf{X} -> X, p_h -> p_h."""
    # a command name ends at a space that TeX drops ("1\\times 1" is 1×1); a command with
    # spaces on both sides keeps them ("k_h \\times k_w" is k_h × k_w)
    def command(m):
        lead, name, trail = m.groups()
        symbol = TEX_SYMBOLS.get(name, name if name[0].isalpha() else "")
        return lead + symbol + (" " if lead and trail else "")

    text = re.sub(r"( ?)\\([A-Za-z]+|[,;! ])( (?=\w))?", command, tex)
    # \mathbf{X}, \mathrm{d} ... left their name: mathbfX -> X
    text = re.sub(r"(?:mathbf|mathrm|mathit|mathsf|mathcal|boldsymbol|operatorname|text)(?=\{)", "", text)
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _title_text(title: nodes.title) -> str:
    return "".join(tex_to_text(n.astext()) if isinstance(n, nodes.math) else n.astext()
                   for n in title.findall(lambda n: isinstance(n, (nodes.Text, nodes.math)))
                   if not (isinstance(n, nodes.Text) and isinstance(n.parent, nodes.math)))


def _plain_titles(feed):
    """Wrap IndexBuilder.feed: the stored heading texts have no TeX."""
    @functools.wraps(feed)
    def wrapper(self, docname, filename, title, doctree):
        feed(self, docname, filename, title, doctree)
        titles = self._all_titles.get(docname)
        if not titles:
            return
        headings = [n for n in doctree.findall(nodes.title)]
        if len(headings) == len(titles):  # the same nodes, in the same (document) order
            self._all_titles[docname] = [(_title_text(node), anchor)
                                         for node, (_, anchor) in zip(headings, titles)]
    wrapper.plain_titles = True
    return wrapper


def setup(app):
    from sphinx.search import IndexBuilder

    if not getattr(IndexBuilder.feed, "plain_titles", False):
        IndexBuilder.feed = _plain_titles(IndexBuilder.feed)
    app.connect("builder-inited", _load_terms)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
