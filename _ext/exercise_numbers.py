r"""Sphinx extension: sphinx-exercise's exercises numbered 6.N.M from their labels, with Chinese titles.

In notebooks/6_7_exercises.ipynb every exercise is a sphinx-exercise directive::

    ```{exercise} 图像边界怎么办
    :label: ex-6-1-3
    ...
    ```

followed by its gated solution (``{solution-start} ex-6-1-3`` ... ``{solution-end}``).
sphinx-exercise numbers exercises 1, 2, 3 ... through a document (Sphinx's numfig counter of
the enumerable node type ``exercise``) and writes a title argument as "练习 1 (图像边界怎么办)"
and its solution's title as "解答 练习 1 (图像边界怎么办)". The book numbers an exercise by
the section it belongs to, which its label says, and titles it the Chinese way:

- the exercise labelled ex-6-N-M is 练习 6.N.M (an exercise with another label, or none, is a
  warning, hence an error under -W);
- its title reads "练习 6.1.3：图像边界怎么办" (a full-width colon, no space before it);
- its solution's title reads "解答：练习 6.1.3：图像边界怎么办", the part after "解答：" being
  sphinx-exercise's link back to the exercise (its text has no leading space);
- in LaTeX each exercise also gets the label ``\label{\detokenize{docname:ex-6-N-M}}`` that
  Sphinx's links to it (``[参考解答](6_7_exercises.ipynb#ex-6-N-M)``, ``[练习 6.2.4](#ex-6-2-4)``)
  point at: sphinx-exercise itself only writes ``\label{exercise:ex-6-N-M}``, so in the PDF
  those links went nowhere. (Its PDF bookmark comes from _ext/latex_print.py.)

(A figure inside an exercise or a solution is printed in place, not as a float, by
_ext/latex_print.py: a float cannot sit in sphinx-exercise's framed box.)

Each exercise's and solution's body gets an id of its own (sphinx-exercise gives them all
``exercise-content`` / ``solution-content``).

In HTML, Sphinx writes the number of a numbered admonition as
``<span class="caption-number">练习 6.1.3 </span>`` with a space inside the span; so the
exercise's title is replaced there by an ``exercise_title_zh`` node that writes the same span
without the space.
"""
from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

LABEL = re.compile(r"^ex-(\d+)-(\d+)-(\d+)$")
COLON = "："
HTML_BUILDERS = ("html", "singlehtml", "dirhtml")


def exercise_number(label: str) -> tuple[int, int, int] | None:
    """(6, 1, 3) for the label ex-6-1-3; None for any other label."""
    match = LABEL.match(label or "")
    return tuple(int(g) for g in match.groups()) if match else None


def latex_label(docname: str, label: str) -> str:
    r"""The label Sphinx's LaTeX links to an exercise point at:
    \hyperref[\detokenize{notebooks/6_7_exercises:ex-6-1-3}]{...}."""
    return f"\\phantomsection\\label{{\\detokenize{{{docname}:{label}}}}}%\n"


def _renumber(app, env):
    """After Sphinx has numbered the exercises 1, 2, 3 ... per document: ex-6-N-M is 6.N.M."""
    changed = []
    for docname, numbers in env.toc_fignumbers.items():
        exercises = numbers.get("exercise")
        if not exercises:
            continue
        for ident in list(exercises):
            number = exercise_number(ident)
            if number is None:
                logger.warning(f"an exercise labelled {ident!r}: label every exercise "
                               "ex-6-N-M (it is numbered 6.N.M from its label)",
                               location=docname, type="exercise_numbers")
                continue
            exercises[ident] = number
        changed.append(docname)
    return changed


class exercise_title_zh(nodes.title):
    """An exercise's title in HTML: the number span without Sphinx's trailing space."""


def visit_exercise_title_zh(self, node):
    self.body.append(self.starttag(node, "p", "", CLASS="admonition-title"))


def depart_exercise_title_zh(self, node):
    self.body.append("</p>\n")


def _split_title(children):
    """sphinx-exercise's title children [prefix..., ' (', subtitle..., ')'] -> (prefix, subtitle).

    subtitle is None when the exercise has no title argument."""
    for i, child in enumerate(children):
        if isinstance(child, nodes.Text) and str(child).endswith(" (") and \
                isinstance(children[-1], nodes.Text) and str(children[-1]) == ")":
            head = list(children[:i])
            rest = str(child)[:-2]
            if rest:
                head.append(nodes.Text(rest))
            return head, list(children[i + 1:-1])
    return list(children), None


class ChineseExerciseTitles(SphinxPostTransform):
    """练习 6.1.3：title and 解答：练习 6.1.3：title (after sphinx-exercise's titles, 20-22)."""

    default_priority = 30

    def run(self, **kwargs):
        from sphinx_exercise.nodes import exercise_enumerable_node, solution_node

        numbers = self.env.toc_fignumbers.get(self.env.docname, {}).get("exercise", {})
        for node in list(self.document.findall(exercise_enumerable_node)):
            self._exercise(node, numbers)
            self._unique_content_id(node)
        for node in list(self.document.findall(solution_node)):
            self._solution(node)
            self._unique_content_id(node)

    @staticmethod
    def _unique_content_id(node):
        """sphinx-exercise gives every exercise's body the id exercise-content and every
        solution's solution-content: the same id 30 times on a page (and a LaTeX label
        defined 30 times). Each gets its own: ex-6-1-3-content, ex-6-1-3-solution-content."""
        label = node.get("label", "")
        for child in node.children:
            if isinstance(child, nodes.section) and \
                    child["ids"] in (["exercise-content"], ["solution-content"]):
                child["ids"] = [f"{label}-content"]

    def _exercise(self, node, numbers):
        title = node.children[0]
        if not isinstance(title, nodes.title):
            return
        label = node.get("label", "")
        number = ".".join(map(str, numbers.get(label, exercise_number(label) or ())))
        _, subtitle = _split_title(title.children)
        new = (exercise_title_zh if self.app.builder.name in HTML_BUILDERS else nodes.title)()
        if self.app.builder.name in HTML_BUILDERS:
            new += nodes.inline("", self.config.numfig_format["exercise"] % number,
                                classes=["caption-number"])
        else:                      # LaTeX: sphinx-exercise wrote the number as text already
            new += nodes.Text(self.config.numfig_format["exercise"] % number)
        if subtitle:
            new += nodes.Text(COLON)
            new.extend(child.deepcopy() for child in subtitle)
        new["title"] = title.get("title", "")
        title.replace_self(new)
        if self.app.builder.format == "latex":
            node.parent.insert(node.parent.index(node), nodes.raw(
                "", latex_label(node.get("docname", self.env.docname), label), format="latex"))

    def _solution(self, node):
        title = node.children[0]
        if not isinstance(title, nodes.title):
            return
        first = title.children[0] if title.children else None
        if isinstance(first, nodes.Text) and not str(first).endswith(COLON):
            title.replace(first, nodes.Text(str(first).rstrip() + COLON))
        reference = next(iter(title.findall(nodes.reference)), None)
        if reference is None:
            return
        head, subtitle = _split_title(reference.children)
        children = head + ([nodes.Text(COLON)] + subtitle if subtitle else [])
        if children and isinstance(children[0], nodes.Text):
            children[0] = nodes.Text(str(children[0]).lstrip())
        reference[:] = children


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_node(exercise_title_zh,
                 html=(visit_exercise_title_zh, depart_exercise_title_zh),
                 singlehtml=(visit_exercise_title_zh, depart_exercise_title_zh),
                 dirhtml=(visit_exercise_title_zh, depart_exercise_title_zh))
    # after sphinx's own collector has assigned the numbers (priority 500)
    app.connect("env-get-updated", _renumber, priority=900)
    app.add_post_transform(ChineseExerciseTitles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
