#!/usr/bin/env python3
"""Write the whole book as one typeset A4 PDF (`make pdf`; the Pages workflow runs it too).

Sphinx's LaTeX builder with XeLaTeX and xeCJK, from the stored notebook outputs:
``jupyter-book build . --builder pdflatex -W -n --keep-going`` (Sphinx warnings are errors),
in a build folder of its own (``_build/pdf/_build``: its own doctrees, so a `make book`
alongside does not disturb it), then latexmk. The typesetting is configured in _config.yml
(``latex:``, ``latex_elements``) and ``_ext/latex_print.py``; the system packages it needs
are the "pdf" part of tools/system_packages.py.

The PDF is written to ``_build/pdf/d2l-ch6-cnn.pdf`` (and copied where --copy-to says);
the LaTeX sources, log and aux file stay in ``_build/pdf/_build/latex`` (tests/test_pdf.py
reads the log and the aux file).

Not printed: the student edition (``student/``, issue 17: a stub and a check per exercise, for
Jupyter and Colab). The build reads a print toc, ``_build/pdf/_toc_print.yml``: _toc.yml without
the entries under ``student/`` (passed with ``--toc``; only_build_toc_files leaves the pages out).

Usage:
    python tools/build_pdf.py                       # writes _build/pdf/d2l-ch6-cnn.pdf
    python tools/build_pdf.py --copy-to _build/html # and puts a copy next to the web book
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDF_NAME = "d2l-ch6-cnn.pdf"  # the landing page (intro.md) links to this name
WORK = ROOT / "_build" / "pdf"
DEFAULT_OUTPUT = WORK / PDF_NAME
LATEX = WORK / "_build" / "latex"   # the .tex, .log and .aux of the last build
LOG = LATEX / "d2l-ch6-cnn.log"
AUX = LATEX / "d2l-ch6-cnn.aux"
TOC = ROOT / "_toc.yml"
PRINT_TOC = WORK / "_toc_print.yml"
# pages of the web book that the PDF leaves out (a prefix of the toc's file entries)
NOT_PRINTED = ("student/",)

# Used by tests/test_book_browser.py (the web book in Chromium), not by the PDF build: it can
# move into that test.
# Waits until the page has loaded and MathJax has typeset every formula.
WAIT_FOR_MATH = """
const done = arguments[arguments.length - 1];
const t0 = Date.now();
(function wait() {
  if (document.readyState === "complete") {
    if (!document.querySelector(".math")) return done("ok");
    if (window.MathJax && MathJax.startup && MathJax.startup.promise)
      return MathJax.startup.promise.then(() => done("ok"), (e) => done("MathJax failed: " + e));
  }
  if (Date.now() - t0 > 90000)
    return done("timeout: readyState=" + document.readyState + ", MathJax=" + typeof window.MathJax);
  setTimeout(wait, 100);
})();
"""


def jupyter_book() -> str:
    """The jupyter-book of the Python running this script (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("jupyter-book")
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if not found:
        raise SystemExit("jupyter-book not found: run `make pdf` (it installs requirements.txt into .venv)")
    return found


def print_toc(toc: dict, not_printed: tuple[str, ...] = NOT_PRINTED) -> dict:
    """The toc without the entries whose file starts with one of ``not_printed`` (and their
    sections); the other entries as they are."""
    def keep(entries):
        kept = []
        for entry in entries:
            if isinstance(entry, dict) and str(entry.get("file", "")).startswith(not_printed):
                continue
            if isinstance(entry, dict):
                entry = dict(entry)
                for key in ("sections", "chapters", "parts"):
                    if key in entry:
                        entry[key] = keep(entry[key])
                        if not entry[key]:
                            del entry[key]
            kept.append(entry)
        return kept

    out = dict(toc)
    for key in ("chapters", "parts", "sections"):
        if key in out:
            out[key] = keep(out[key])
    return out


def write_print_toc(path: Path = PRINT_TOC) -> Path:
    import yaml
    toc = yaml.safe_load(TOC.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# written by tools/build_pdf.py from _toc.yml: the pages the PDF prints\n"
                    + yaml.safe_dump(print_toc(toc), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@contextlib.contextmanager
def _exclusive():
    """One build at a time in _build/pdf: a second `make pdf` in the same checkout waits
    (two builds wiped each other's _build/pdf/_build: "image file not readable")."""
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK / ".lock", "w") as lock:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    """A clean LaTeX build of the book; returns the PDF."""
    with _exclusive():
        return _build(output)


def _build(output: Path) -> Path:
    if (WORK / "_build").exists():
        shutil.rmtree(WORK / "_build")
    toc = write_print_toc()
    cmd = [jupyter_book(), "build", str(ROOT), "--builder", "pdflatex", "-W", "-n", "--keep-going",
           "--path-output", str(WORK), "--toc", str(toc)]
    print("+ " + " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=ROOT)
    pdf = LATEX / PDF_NAME
    if result.returncode != 0 or not pdf.is_file():
        raise SystemExit(f"the LaTeX build failed (exit {result.returncode}); its log: {LOG}")
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.resolve() != pdf.resolve():
        shutil.copyfile(pdf, output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--copy-to", type=Path, action="append", default=[],
                        help="a folder to copy the PDF into (repeatable); skipped when it does not exist")
    args = parser.parse_args(argv)
    pdf = build(args.output)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    count = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
    print(f"Wrote {pdf} ({count} pages, {pdf.stat().st_size / 1e6:.1f} MB)")
    for folder in args.copy_to:
        if folder.is_dir():
            shutil.copyfile(pdf, folder / PDF_NAME)
            print(f"Copied it to {folder / PDF_NAME}")
        else:
            print(f"Not copied to {folder}: no such folder (build the web book first)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
