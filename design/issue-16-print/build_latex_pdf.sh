#!/bin/sh
# Prototype: the LaTeX edition, from the stored outputs. Run in the repository root.
set -e
JB=${JB:-.venv/bin/jupyter-book}
rm -rf _build/latex _build/.doctrees
nice -n 10 $JB build . --builder latex -W -n --keep-going
cd _build/latex
nice -n 10 latexmk -pdfxe -interaction=nonstopmode -halt-on-error d2l-ch6-cnn.tex > latexmk.out 2>&1 || { tail -40 d2l-ch6-cnn.log; exit 1; }
pdfinfo d2l-ch6-cnn.pdf | grep Pages
