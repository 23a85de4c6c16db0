"""Sphinx extension: a line break inside Chinese text is not a space.

A Markdown paragraph wrapped over several source lines keeps its line breaks as
soft breaks; the browser shows each as a space, so “可执行版本，\\n代码使用”
reads “可执行版本， 代码使用”. (CSS Text 3 says to drop such breaks between
East Asian wide characters; Chromium does not.) After a document is read, each
soft line break between two wide characters (Han, kana, full-width punctuation)
is removed. Breaks next to Latin text, code or math stay spaces, and nothing
inside code, literal blocks, math or raw HTML is touched.
"""
import unicodedata

from docutils import nodes

_SKIP = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.math_block, nodes.raw, nodes.comment)


def _wide(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


def _skipped(node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, _SKIP):
            return True
        parent = parent.parent
    return False


def join_cjk_softbreaks(doctree) -> int:
    """Remove newlines between two wide characters in ``doctree``'s text. Returns how many."""
    texts = list(doctree.findall(nodes.Text))
    # the text as the reader sees it around each node; code and math count as non-wide ("a")
    skipped = [_skipped(t) for t in texts]
    visible = ["a" if skip else str(t) for t, skip in zip(texts, skipped)]
    removed = 0
    for i, text in enumerate(texts):
        value = visible[i]
        if skipped[i] or "\n" not in value:
            continue
        before = next((v[-1] for v in reversed(visible[:i]) if v), "")
        after = next((v[0] for v in visible[i + 1:] if v), "")
        kept = []
        for j, char in enumerate(value):
            if char == "\n":
                prev = value[j - 1] if j > 0 else before
                nxt = value[j + 1] if j + 1 < len(value) else after
                if _wide(prev) and _wide(nxt):
                    removed += 1
                    continue
            kept.append(char)
        new = "".join(kept)
        if new != value:
            visible[i] = new
            text.parent.replace(text, nodes.Text(new))
    return removed


def _on_doctree_read(app, doctree):
    join_cjk_softbreaks(doctree)


def setup(app):
    app.connect("doctree-read", _on_doctree_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
