"""Sphinx extension: drop <script> tags that a page would include twice.

With Sphinx 7.4, sphinx-thebe 0.3.1 (loaded by Jupyter Book) adds its inline
``const THEBE_JS_URL = ...`` script twice to every page; the second copy throws
"SyntaxError: Identifier 'THEBE_JS_URL' has already been declared" in the
browser console (the copies differ only in filename None vs ''). Script entries
with the same file (or inline body) and attributes are kept once, in their
first place.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, kept = set(), []
    for js in scripts:
        attributes = getattr(js, "attributes", {})
        key = (str(getattr(js, "filename", js) or ""), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)  # after the others have added theirs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
