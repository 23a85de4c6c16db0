"""Sphinx extension: let Markdown links ``[text](other.ipynb#label)`` reach MyST labels.

MyST resolves the ``#id`` part of a link to another document only against that
document's heading slugs, so ``[参考解答](6_7_exercises.ipynb#ex-6-1-1)`` to a
label ``(ex-6-1-1)=`` warns "local id not found" (an error under ``-W -n``),
although the same link works in Jupyter and Colab as a link to the notebook.
This registers every explicit label of a document as one of its slugs, so such
links resolve to the label; a link to a label that does not exist still warns.
"""


def _register_labels(app, env):
    std = env.get_domain("std")
    for name, (docname, labelid) in std.anonlabels.items():
        if docname not in env.metadata:
            continue
        title = std.labels.get(name, (None, None, ""))[2]
        slugs = env.metadata[docname].setdefault("myst_slugs", {})
        slugs.setdefault(name, (None, labelid, title))
    return []


def setup(app):
    app.connect("env-updated", _register_labels)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
