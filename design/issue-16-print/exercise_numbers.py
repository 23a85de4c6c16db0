"""PROTOTYPE (issue 16): sphinx-exercise's exercises numbered 6.N.M from their labels (ex-6-N-M),
and titled the Chinese way: "练习 6.1.3：图像边界怎么办", "解答：练习 6.1.3".

sphinx-exercise numbers exercises 1, 2, 3 ... through a document (Sphinx's numfig counter for the
enumerable node type "exercise"); the book's exercises are numbered by the section they belong
to, which their labels already say. After Sphinx has numbered them, each exercise whose label
is ex-6-N-M gets the number (6, N, M); a labelled exercise with any other label is an error.
sphinx-exercise writes a title argument as " (title)"; the post-transform turns that into "：title".
"""
import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

LABEL = re.compile(r"^ex-(\d+)-(\d+)-(\d+)$")


def _renumber(app, env):
    changed = []
    for docname, numbers in env.toc_fignumbers.items():
        exercises = numbers.get("exercise")
        if not exercises:
            continue
        for ident in list(exercises):
            match = LABEL.match(ident)
            if match:
                exercises[ident] = tuple(int(g) for g in match.groups())
        changed.append(docname)
    return changed


class ChineseExerciseTitles(SphinxPostTransform):
    default_priority = 30  # after sphinx-exercise's title resolution (20, 21)

    def run(self, **kwargs):
        for title in self.document.findall(nodes.title):
            parent = title.parent
            classes = parent.get("classes", []) if parent is not None else []
            if not ({"exercise", "solution"} & set(classes)):
                continue
            for text in list(title.findall(nodes.Text)):
                value = str(text)
                new = value.replace(" (", "：") if value.endswith(" (") else value
                new = "" if new == ")" else new
                if "solution" in classes and new == "解答":
                    new = "解答："
                if new != value:
                    text.parent.replace(text, nodes.Text(new))


def setup(app):
    app.connect("env-get-updated", _renumber, priority=900)
    app.add_post_transform(ChineseExerciseTitles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
