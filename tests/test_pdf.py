"""The PDF edition (`make pdf`: Sphinx's LaTeX builder, XeLaTeX + xeCJK; tools/build_pdf.py),
read back with pypdf and poppler-utils.

- structure: the outline has the book's levels (第 6 章 0, 6.N and the opener's sections 1,
  6.N.M 2, exercises 3) and its titles, none doubled, math kept as text; every link of the
  contents lands on the page that holds its heading, and the printed page numbers are
  those pages' labels; every body page has a running head (the section title and the page
  number), the cover none, no page number and no date; figure numbers 图 6.N.M as on the
  web, captions "图 6.N.M：caption".
- layout: no page but a section's last (or the front matter) is more than 15 % blank
  (pages rendered with pdftoppm; blank = inkless runs of 8 mm or more inside the text
  band); no exercise or solution title row ends a page; the LaTeX log has no Overfull
  \\hbox (LINE_OVERFULL_TOLERANCE_PT).
- figures: every plot or diagram is vector (application/pdf in the notebook), drawn at
  100 %, and its text is extractable and at least 7 pt high as printed; animations print
  their strip, never their Python repr; at least one drawn figure per notebook figure.
- text (pdftotext): every title of the book in _toc.yml order, the key terms, every
  solution and hide-cell code cell printed open, the code and its printed outputs, no raw
  TeX, no U+FFFD, no web-only wording; no link to a local server.
- fonts: every font embedded, a CJK font among them, no character that no font covers.
- pages: A4, the page count in PAGE_RANGE, no empty page.
- The landing page of the web book links the PDF, and the file there is this one.

`make pdf-test` builds the web book and the PDF first; here a missing PDF is a failure.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.pdf

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_pdf = _load("build_pdf", ROOT / "tools" / "build_pdf.py")
latex_print = _load("latex_print", ROOT / "_ext" / "latex_print.py")

PDF = build_pdf.DEFAULT_OUTPUT
HTML = ROOT / "_build" / "html"
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))

# The book prints to about 100 A4 pages (cover, contents, opener, 6.1-6.6 about 60, the
# exercises with their solutions about 40). Far fewer means something was left out
# (solutions still collapsed, a section missing); far more means a layout gone wrong.
PAGE_RANGE = (80, 140)
A4_POINTS = (595.28, 841.89)
KEY_TERMS = ["互相关", "汇聚层", "卷积核", "填充", "步幅", "感受野", "特征映射", "LeNet"]
BLANK_LIMIT = 0.15          # the issue: no page but a section's last more than 15 % empty
MIN_PLOT_TEXT_PT = 7.0      # the issue: plot text at least 7 pt as printed (font size x printed scale)
# Overfull \hbox: a line that sticks out into the margin. Anything above this (in pt) fails;
# below it the excess is invisible (TeX reports even 0.1 pt).
LINE_OVERFULL_TOLERANCE_PT = 1.0
WEB_ONLY = ["点击", "默认折叠", "本网站", "火箭按钮", "播放器", "折叠起来", "已折叠", "下载 PDF"]


# ---------------------------------------------------------------- sources


def _docs() -> list[Path]:
    names = [TOC["root"]] + [entry["file"] for entry in TOC["chapters"]]
    paths = []
    for name in names:
        for ext in (".md", ".ipynb"):
            if (ROOT / (name + ext)).exists():
                paths.append(ROOT / (name + ext))
                break
        else:
            raise FileNotFoundError(name)
    return paths


DOCS = _docs()
NOTEBOOKS = [p for p in DOCS if p.suffix == ".ipynb"]


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else (source or "")


@lru_cache(maxsize=None)
def _notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _markdown(path: Path, medium: str = "latex") -> str:
    """The Markdown of a page as the PDF prints it: ``{only} html`` blocks left out."""
    if path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
    else:
        text = "\n\n".join(_text(c["source"]) for c in _notebook(path)["cells"] if c["cell_type"] == "markdown")
    other = "html" if medium == "latex" else "latex"
    return re.sub(r"^(`{3,})\{only\} " + other + r"\n.*?^\1[ \t]*$", "", text, flags=re.S | re.M)


def _shown_code_cells(path: Path) -> list[dict]:
    """Code cells the book shows (the Colab cell and removed cells are not printed)."""
    hidden = {"colab", "remove-cell", "remove-input"}
    return [c for c in _notebook(path)["cells"]
            if c["cell_type"] == "code" and not hidden & set(c.get("metadata", {}).get("tags", []))]


def _shown_outputs(cell: dict) -> list[dict]:
    """The outputs the book shows for a cell (none for a cell tagged remove-output)."""
    return [] if "remove-output" in cell.get("metadata", {}).get("tags", []) else cell.get("outputs", [])


def _squash(text: str) -> str:
    """No whitespace: a line broken by the layout still matches (also a long code line that
    LaTeX wrapped: its visible-space ␣ and continuation ,→ marks go too)."""
    return re.sub(r"\s+", "", text).replace("␣,→", "").replace(",→", "")


FENCE = re.compile(r"^(`{3,}|~{3,})(.*?)^\1", re.S | re.M)


def _prose(markdown: str) -> str:
    """Markdown without fenced blocks."""
    return FENCE.sub("", markdown)


def _clean(heading: str) -> str:
    """A heading's text: links, code and emphasis marks removed (math kept, in $...$)."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # [text](link) -> text
    pieces = re.split(r"(\$[^$]+\$)", heading)
    return "".join(p if p.startswith("$") else p.replace("`", "").replace("**", "").replace("*", "")
                   for p in pieces)


def _headings(path: Path) -> list[tuple[int, str]]:
    """(Markdown level, title) of every heading of a page outside fenced blocks, and of every
    sphinx-exercise exercise (level 4, "练习 6.N.M：title" from its label ex-6-N-M), in order."""
    found, fence, exercise = [], None, None
    for line in _markdown(path).splitlines():
        if exercise is not None:  # the exercise's options: its label
            label = re.match(r":label: *ex-6-(\d+)-(\d+)", line)
            if label:
                found.append((4, f"练习 6.{label.group(1)}.{label.group(2)}：{exercise}"))
            if not line.startswith(":") or label:
                exercise = None
        opener = re.match(r"^(`{3,}|~{3,}|:{3,})(.*)$", line)
        if fence is None and opener:
            fence = opener.group(1)
            directive = re.match(r"\{exercise\} *(.*)$", opener.group(2))
            if directive:
                exercise = _clean(directive.group(1).strip())
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            heading = re.match(r"^(#{1,3}) +(.+?) *$", line)
            if heading:
                found.append((len(heading.group(1)), _clean(heading.group(2))))
    return found


def _titles(path: Path) -> list[str]:
    """The headings as the reader sees them, with their math left out: the text pieces
    between formulas, joined by " … "."""
    titles = []
    for _, heading in _headings(path):
        pieces = [p.strip() for p in re.split(r"\$[^$]+\$", heading)]
        titles.append(" … ".join(p for p in pieces if p))
    return titles


def _outline_title(heading: str) -> str:
    """A heading as the PDF outline writes it: math as text (latex_print.tex_to_text)."""
    return re.sub(r"\$([^$]+)\$", lambda m: latex_print.tex_to_text(m.group(1)), heading)


def expected_outline() -> list[tuple[int, str]]:
    """(outline level, title) of the whole book: the chapter (0); the landing page's sections
    and each page's title (1) (the landing page's own title gives way to the chapter's); then
    one level per Markdown level; exercises one below their heading."""
    entries = [(0, "卷积神经网络")]
    for path in DOCS:
        for level, heading in _headings(path):
            if path == DOCS[0]:
                if level == 1:
                    continue
                level -= 1
            entries.append((min(level, 3), _outline_title(heading)))
    return entries


def _code_context() -> str:
    """Everything the book shows as code: code cells, their text outputs, inline code
    and fenced blocks in the Markdown."""
    parts = []
    for path in DOCS:
        markdown = _markdown(path)
        parts += [m.group(0) for m in FENCE.finditer(markdown)]
        parts += re.findall(r"`[^`\n]+`", _prose(markdown))
        if path.suffix != ".ipynb":
            continue
        for cell in _shown_code_cells(path):
            parts.append(_text(cell["source"]))
            for out in _shown_outputs(cell):
                parts.append(_text(out.get("text")))
                for mime in ("text/plain", "text/html"):
                    parts.append(_text(out.get("data", {}).get(mime)))
    return "\n".join(parts)


def _math_commands() -> set[str]:
    commands = set()
    for path in DOCS:
        prose = re.sub(r"`[^`\n]+`", "", _prose(_markdown(path)))
        for formula in re.findall(r"\$\$(.+?)\$\$|\$([^$\n]+)\$", prose, flags=re.S):
            commands.update(re.findall(r"\\[A-Za-z]+", "".join(formula)))
    return commands


def _image_outputs() -> list[tuple[str, dict, dict]]:
    """(where, cell, output) of every figure the notebooks show: an image output, or an
    animation (its player is HTML; the PDF prints the strip it carries as application/pdf)."""
    found = []
    for path in NOTEBOOKS:
        for k, cell in enumerate(_shown_code_cells(path)):
            for out in _shown_outputs(cell):
                data = out.get("data", {})
                if any(m.startswith("image/") or m == "application/pdf" for m in data) or \
                        re.match(r"<\w*Animation\b", _text(data.get("text/plain"))):
                    name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
                    found.append((f"{path.stem} code cell {k + 1}" + (f" ({name})" if name else ""), cell, out))
    return found


def _figure_cells() -> list[tuple[str, str, str]]:
    """(label, 6.N.M, caption) of every figure cell, numbered as _ext/figure_numbers.py does."""
    figures = []
    for path in NOTEBOOKS:
        n = latex_print.section_number("notebooks/" + path.stem)
        m = 0
        for cell in _notebook(path)["cells"]:
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if cell["cell_type"] == "code" and figure and figure.get("name"):
                m += 1
                figures.append((f"notebooks/{path.stem}:{figure['name']}", f"6.{n}.{m}", figure.get("caption", "")))
    return figures


# ---------------------------------------------------------------- the PDF, read back


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing: install poppler-utils (Debian: apt-get install poppler-utils; "
                    "`python3 tools/system_packages.py install` does it)")
    return path


def _poppler(name: str, *args: str) -> str:
    result = subprocess.run([_tool(name), *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{name} {' '.join(args)} failed: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not PDF.is_file():
        pytest.fail(f"no PDF at {PDF}: run `make pdf` (`make pdf-test` builds it first)")
    return PDF


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return _poppler("pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-")  # columns of outputs kept in rows


@pytest.fixture(scope="module")
def pages(text) -> list[str]:
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.fixture(scope="module")
def squashed(text) -> str:
    return _squash(text)


@pytest.fixture(scope="module")
def reader(pdf):
    pypdf = pytest.importorskip("pypdf", reason="pypdf is in requirements.txt: run `make pdf-test`")
    return pypdf.PdfReader(str(pdf))


@pytest.fixture(scope="module")
def outline(reader) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every outline entry, in order."""
    flat = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                flat.append((level, item.title, reader.get_destination_page_number(item) + 1))
    walk(reader.outline, 0)
    return flat


@pytest.fixture(scope="module")
def labels(reader) -> list[str]:
    return list(reader.page_labels)


def _front_pages(outline) -> int:
    """Pages before the chapter opener: the cover and the contents."""
    return min(page for _, _, page in outline) - 1


# ---------------------------------------------------------------- outline, contents, heads


def test_outline_levels_and_titles_match_the_book(outline):
    expected = expected_outline()
    assert len(expected) > 90, f"only {len(expected)} headings found in the sources"
    got = [(level, _squash(title)) for level, title, _ in outline]
    want = [(level, _squash(title)) for level, title in expected]
    assert got == want, ("outline differs from the book's headings; first difference: "
                         + next((f"#{i}: PDF {g} / book {w}" for i, (g, w) in enumerate(zip(got, want)) if g != w),
                                f"lengths {len(got)} / {len(want)}"))


def test_outline_has_no_doubled_title_and_keeps_math(outline):
    doubled = [t for _, t, _ in outline if re.fullmatch(r"(.+)\1", _squash(t))]
    assert not doubled, f"doubled outline titles: {doubled}"
    assert any("1×1" in t for _, t, _ in outline), "the outline lost the math of 6.4.3 (1×1 卷积层)"
    assert not [t for _, t, _ in outline if "\\" in t or "$" in t], "raw TeX in outline titles"
    # levels: the chapter, then 6.N, 6.N.M
    by_title = {}
    for level, t, _ in outline:
        by_title.setdefault(_squash(t), level)  # 6.7 repeats "6.1 从全连接层到卷积" one level down
    assert by_title["卷积神经网络"] == 0
    assert all(by_title[_squash(_titles(p)[0])] == 1 for p in NOTEBOOKS)


def test_outline_entries_land_on_their_heading(outline, pages):
    missing = []
    for level, title, page in outline:
        key = _squash(title)[:10].replace("×", "")
        if key not in _squash(pages[page - 1]).replace("×", ""):
            missing.append((title, page))
    assert not missing, f"outline entries whose page does not show their title: {missing[:8]}"


def _link_targets(reader, page_index: int) -> list[int]:
    """1-based target pages of the internal links on one page, in order."""
    targets = []
    for annot in reader.pages[page_index].get("/Annots", []) or []:
        annot = annot.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        dest, action = annot.get("/Dest"), annot.get("/A")
        if dest is None and action is not None and action.get("/S") == "/GoTo":
            dest = action.get("/D")
        if dest is None:
            continue
        if isinstance(dest, list):
            targets.append(reader.get_page_number(dest[0]) + 1)
        else:
            named = reader.named_destinations.get(str(dest))
            targets.append(reader.get_destination_page_number(named) + 1 if named is not None else -1)
    return targets


def test_contents_links_land_on_their_headings_and_page_numbers_match(reader, outline, labels, pages):
    front = _front_pages(outline)
    contents = [n for n in range(front) if "目录" in pages[n] or n > 0 and re.search(r"\.\s\.\s\.", pages[n])]
    assert contents, "no contents page (目录) before the chapter opener"
    targets = [t for n in contents for t in _link_targets(reader, n)]
    entries = [(title, page) for level, title, page in outline if level <= 2]  # tocdepth 2
    assert len(targets) == len(entries), f"{len(targets)} contents links for {len(entries)} headings of level <= 2"
    wrong = [(title, page, t) for (title, page), t in zip(entries, targets) if t != page]
    assert not wrong, f"contents links that miss their heading's page (title, heading page, link page): {wrong[:6]}"
    printed = []
    for n in contents:
        for line in pages[n].splitlines():
            m = re.search(r"\S\s*(?:\.\s*)*\s(\d+|[ivxlc]+)\s*$", line)
            if m and not re.fullmatch(r"\s*(\d+|[ivxlc]+)\s*", line):
                printed.append(m.group(1))
    assert printed == [labels[t - 1] for t in targets], "the contents' printed page numbers are not the pages' labels"


def test_running_heads_on_body_pages_and_none_on_the_cover(outline, labels, pages):
    front = _front_pages(outline)
    sections = [(page, title) for level, title, page in outline if level == 1]
    openers = {page for level, _, page in outline if level == 0}
    wrong = []
    for n in range(front + 1, len(pages) + 1):
        if n in openers:
            continue
        # the head names the section at the top of the page, or the first one starting on it
        before = [title for page, title in sections if page < n]
        here = [title for page, title in sections if page == n]
        allowed = {_squash(t) for t in before[-1:] + here}
        lines = [line for line in pages[n - 1].splitlines() if line.strip()]
        head = lines[0].strip() if lines else ""
        if not (head.endswith(labels[n - 1]) and _squash(head[:-len(labels[n - 1])]) in allowed):
            wrong.append((n, head[:60], sorted(allowed)))
    assert not wrong, f"body pages without the running head (page, first line, section): {wrong[:6]}"
    cover = pages[0]
    assert not re.search(r"^\s*(\d+|[ivxlc]+)\s*$", cover, re.M), "the cover has a page number"
    assert not re.search(r"\d{4}\s*年|\b20\d\d\b|January|December|\d+\s*月\s*\d+\s*日", cover), "the cover has a date"


def test_cover_page(pages):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    cover = _squash(pages[0])
    assert _squash(config["title"]) in cover and _squash(config["author"]) in cover
    assert "目录" not in cover and "本章概览" not in cover, "the cover is not a page of its own"


def test_chapter_opener(outline, pages):
    opener = pages[_front_pages(outline)]
    assert re.search(r"第\s*6\s*章", opener) and "卷积神经网络" in opener


def _aux_labels() -> dict[str, str]:
    aux = build_pdf.AUX
    assert aux.is_file(), f"no {aux}: run `make pdf`"
    labels = {}
    for name, number in re.findall(r"\\newlabel\{(.+?)\}\{\{([^{}]*)\}", aux.read_text(encoding="utf-8")):
        labels[name.replace("\\detokenize ", "").strip()] = number
    return labels


def test_figure_numbers_as_on_the_web_and_captions_with_a_colon(squashed):
    figures = _figure_cells()
    assert len(figures) >= 10, f"only {len(figures)} figure cells in the notebooks"
    aux = _aux_labels()
    wrong = [(label, number, aux.get(label)) for label, number, _ in figures if aux.get(label) != number]
    assert not wrong, f"figure numbers in the PDF differ from the web's (label, web, PDF): {wrong[:6]}"
    missing = []
    for label, number, caption in figures:
        words = re.split(r"\$[^$]+\$", caption)[0][:8]
        if _squash(f"图 {number}：{words}") not in squashed:
            missing.append((number, words))
    assert not missing, f"captions not printed as 图 6.N.M：caption: {missing[:6]}"


# ---------------------------------------------------------------- layout


def _blank_fractions(pdf: Path, dpi: int = 40, gap_mm: float = 8.0, box_gap_mm: float = 14.0) -> list[float]:
    """Per page: the empty runs inside the text band, over the band's height (the band runs
    from the median first to the median last ink row over all pages).

    A row is ink where it has a pixel darker than 245 between 12 % and 88 % of the page width
    (the text block is 10.5-89.5 %: the side rules of a framed box, which run the whole height
    of the box, would hide a hole in it). An empty run counts when it is at least gap_mm long
    (line and paragraph spacing is shorter); a run inside a code box (its grey background,
    no white row) counts from box_gap_mm, so that a code cell's blank lines are not a hole."""
    import tempfile

    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        _poppler("pdftoppm", "-gray", "-r", str(dpi), "-png", str(pdf), f"{tmp}/p")
        files = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        inks, whites = [], []
        for f in files:
            grey = np.asarray(Image.open(f).convert("L"))
            middle = grey[:, int(0.12 * grey.shape[1]):int(0.88 * grey.shape[1])]
            inks.append((middle < 245).any(axis=1))
            whites.append((middle >= 250).all(axis=1))
    inked = [r for r in inks if r.any()]
    top = int(np.median([np.argmax(r) for r in inked]))
    bottom = int(np.median([len(r) - 1 - np.argmax(r[::-1]) for r in inked]))
    band = bottom - top + 1
    gap, box_gap = gap_mm / 25.4 * dpi, box_gap_mm / 25.4 * dpi
    fractions = []
    for rows, white in zip(inks, whites):
        blank = run = 0
        any_white = False
        for ink, w in list(zip(rows[top:bottom + 1], white[top:bottom + 1])) + [(True, False)]:
            if ink:
                blank += run if run >= (gap if any_white else box_gap) else 0
                run, any_white = 0, False
            else:
                run += 1
                any_white |= bool(w)
        fractions.append(blank / band)
    return fractions


def test_no_page_but_a_sections_last_is_more_than_15_percent_blank(pdf, outline):
    fractions = _blank_fractions(pdf)
    front = _front_pages(outline)
    last = {page - 1 for level, _, page in outline if level <= 1} | {len(fractions)} | set(range(1, front + 1))
    over = [(n, round(f, 2)) for n, f in enumerate(fractions, start=1) if f > BLANK_LIMIT and n not in last]
    assert not over, f"pages more than {BLANK_LIMIT:.0%} blank that do not end a section (page, fraction): {over}"


def test_no_continued_table_without_rows(pages):
    """A table continued on a page (接上页 and its head) has at least one row there: a page
    break right after a longtable that ended at a page's foot printed its head alone on the
    next page (p102, before latex_print's \\needspace over a glossary heading was 7 lines)."""
    empty = []
    for n, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        for i, line in enumerate(lines):
            if line == "接上页":
                rest = lines[i + 2:i + 3]  # the line after the repeated head row
                if not rest or re.match(r"^6\.\d+ 节：", rest[0]) or rest[0].isdigit():
                    empty.append(n)
    assert not empty, f"pages that continue a table with no row of it: {empty}"


def test_latex_log_has_no_overfull_lines():
    log = build_pdf.LOG
    assert log.is_file(), f"no {log}: run `make pdf`"
    text = log.read_text(encoding="utf-8", errors="replace")
    overfull = [(float(pt), line) for pt, line in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\) (.*)", text)]
    bad = [(pt, line) for pt, line in overfull if pt > LINE_OVERFULL_TOLERANCE_PT]
    assert not bad, f"{len(bad)} lines stick out into the margin (pt, where): {bad[:6]}"
    assert "Missing character" not in text, "a character no font of the preamble has: " + \
        re.search(r"Missing character.*", text).group(0)
    assert not re.search(r"^! ", text, re.M), "LaTeX errors in the log"


# ---------------------------------------------------------------- figures


def _forms_drawn(reader) -> dict[str, list[tuple[int, float]]]:
    """sha256 of each Form XObject's content (an included PDF figure) -> [(page, vertical scale)]."""
    import pypdf

    def mul(m, n):
        a, b, c, d, e, f = m
        A, B, C, D, E, F = n
        return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]

    drawn = {}
    for number, page in enumerate(reader.pages, start=1):
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        if not xobjects:
            continue
        ctm, stack = [1, 0, 0, 1, 0, 0], []
        for operands, op in pypdf.generic.ContentStream(page.get_contents(), reader).operations:
            if op == b"q":
                stack.append(ctm)
            elif op == b"Q":
                ctm = stack.pop()
            elif op == b"cm":
                ctm = mul([float(x) for x in operands], ctm)
            elif op == b"Do" and operands[0] in xobjects:
                xobject = xobjects[operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    full = mul([float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])], ctm)
                    digest = hashlib.sha256(xobject.get_data()).hexdigest()
                    drawn.setdefault(digest, []).append((number, (full[2] ** 2 + full[3] ** 2) ** 0.5))
    return drawn


def _text_runs(pdf_path: Path) -> list[tuple[str, float]]:
    """(text, font size in pt) of every text run on a PDF's first page: the size from the font
    size and the text and graphics matrices (pypdf), so rotated text (a y-axis label) and
    one-letter words are measured like the rest."""
    import pypdf

    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            _, _, c, d, _, _ = pypdf.mult(tm, cm)
            runs.append((text.strip(), size * (c * c + d * d) ** 0.5))

    pypdf.PdfReader(str(pdf_path)).pages[0].extract_text(visitor_text=visit)
    return runs


def test_plot_text_is_vector_extractable_and_at_least_7pt(reader, pages):
    """Every figure output carries application/pdf (myst-nb prints it; a PNG would be a
    bitmap); its text is extractable from the book's page and its smallest text, scaled as
    printed, has a font size of at least MIN_PLOT_TEXT_PT (the word box is a little taller). Plot labels such as `epoch` and `test acc`
    are among the words."""
    import pypdf

    outputs = _image_outputs()
    assert len(outputs) >= 15, f"only {len(outputs)} figures found in the notebooks"
    drawn = _forms_drawn(reader)
    raster, unplaced, small, unreadable, words_seen = [], [], [], [], set()
    for where, cell, out in outputs:
        data = out.get("data", {})
        if "application/pdf" not in data:
            raster.append(where)
            continue
        raw = base64.b64decode(_text(data["application/pdf"]))
        figure = build_pdf.LATEX / (hashlib.sha256(raw).hexdigest() + ".pdf")
        if not figure.is_file():
            unplaced.append(where)
            continue
        content = pypdf.PdfReader(str(figure)).pages[0].get_contents().get_data()
        places = drawn.get(hashlib.sha256(content).hexdigest())
        if not places:
            unplaced.append(where)
            continue
        runs = [(t, size) for t, size in _text_runs(figure) if re.search(r"[A-Za-z0-9]", t)]
        words = {w for t, _ in runs for w in t.split()}
        words_seen.update(words)
        for page, scale in places:
            text = _squash(pages[page - 1])
            if runs and min(size * scale for _, size in runs) < MIN_PLOT_TEXT_PT:
                t, size = min(runs, key=lambda x: x[1])
                small.append(f"{where}: {t!r} {size * scale:.1f} pt (scaled to {scale:.0%}) on page {page}")
            lost = sorted(w for w in words if _squash(w) not in text)
            if lost:
                unreadable.append(f"{where}: {lost[:4]} not extractable on page {page}")
    problems = ([f"{len(raster)} figures are bitmaps (no application/pdf): {raster}"] if raster else []) + \
        ([f"figures not found in the PDF: {unplaced}"] if unplaced else []) + small + unreadable
    assert {"epoch", "test", "acc"} <= words_seen, "the training plot's labels (epoch, test acc) were not found"
    assert not problems, "\n".join(problems)


def test_every_vector_figure_prints_at_its_own_size(reader):
    """One scale for every figure: each is drawn at 100 % of the size it was made at (a figure
    taller than the float cap would be shrunk, its text with it, and stand apart from the rest)."""
    drawn = _forms_drawn(reader)
    assert len(drawn) >= 15, f"only {len(drawn)} vector figures drawn in the PDF"
    scaled = sorted((page, f"{scale:.1%}") for places in drawn.values() for page, scale in places
                    if abs(scale - 1) > 0.005)
    assert not scaled, f"figures not printed at 100 % (page, scale): {scaled}"


def test_no_exercise_or_solution_title_ends_a_page(pages):
    """The title row of an exercise or solution box stays with the first line under it."""
    title = re.compile(r"(解答：)?练习 6\.\d\.\d+：")
    alone = []
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if lines and title.match(lines[-1]):
            alone.append((number, lines[-1]))
    titles = sum(1 for page in pages for line in page.splitlines() if title.match(line.strip()))
    assert titles >= 2 * 20, f"only {titles} exercise and solution titles found in the PDF"
    assert not alone, f"a box's title row ends the page (page, title): {alone}"


def test_animations_print_their_strip_not_their_repr(squashed):
    reprs = [_text(out["data"]["text/plain"]) for _, _, out in _image_outputs()
             if re.match(r"<\w*Animation\b", _text(out.get("data", {}).get("text/plain")))]
    assert len(reprs) >= 4, f"only {len(reprs)} animations found in the notebooks"
    printed = [r for r in reprs if _squash(r) in squashed]
    assert not printed, f"animations printed as their Python repr, not as their strip: {printed}"


def test_at_least_one_drawn_figure_per_notebook_figure(reader):
    drawn = 0
    for page in reader.pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        drawn += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") in ("/Form", "/Image"))
    expected = len(_image_outputs())
    assert drawn >= expected, f"the PDF draws {drawn} figures, the notebooks have {expected}"


# ---------------------------------------------------------------- text


def test_every_title_in_toc_order(squashed):
    position = 0
    missing, out_of_order = [], []
    for path in DOCS:
        # the landing page's own title (本书简介) gives way to the chapter opener's
        for title in _titles(path)[1 if path == DOCS[0] else 0:]:
            pieces = [_squash(p) for p in title.split(" … ")]
            found = squashed.find(pieces[0], position)
            if found < 0:
                (out_of_order if squashed.find(pieces[0]) >= 0 else missing).append(f"{path.name}: {title}")
                continue
            position = found + len(pieces[0])
            for piece in pieces[1:]:  # the text after a formula follows it
                found = squashed.find(piece, position)
                if found < 0:
                    missing.append(f"{path.name}: {title}")
                    break
                position = found + len(piece)
    assert not missing, f"titles missing from the PDF: {missing}"
    assert not out_of_order, f"titles out of _toc.yml order: {out_of_order}"


def test_the_book_has_its_section_titles():
    """Guard against a vacuous title test: the notebooks do have 6.1 ... 6.7 titles, and
    6.7 its exercises (as headings or as {exercise} directives)."""
    firsts = [_titles(path)[0] for path in NOTEBOOKS]
    assert [t.split()[0] for t in firsts] == [f"6.{n}" for n in range(1, len(NOTEBOOKS) + 1)]
    exercises = [t for t in _titles(NOTEBOOKS[-1]) if t.startswith("练习 6.")]
    assert len(exercises) >= 25, f"only {len(exercises)} exercises found in {NOTEBOOKS[-1].name}"


def test_key_terms(text):
    for term in KEY_TERMS:
        assert term in text, f"{term!r} is not in the PDF text"
    assert text.count("互相关") >= 20 and text.count("汇聚层") >= 10


def test_exercise_solutions_are_expanded(squashed):
    """The first sentence of every solution (an {admonition} dropdown, or a sphinx-exercise
    {solution-start} ... {solution-end} block) and the first line of every hide-cell code cell
    are in the PDF: on the web all of them are collapsed."""
    solutions, hidden_code = [], []
    for path in DOCS:
        markdown = _markdown(path)
        for block in re.finditer(r"^(`{3,}|:{3,})\{admonition\}[^\n]*\n((?::[^\n]*\n)*)(.*?)^\1",
                                 markdown, flags=re.S | re.M):
            words = re.findall(r"[\u4e00-\u9fff，、]{8,}", block.group(3))
            if "dropdown" in block.group(2) and words:
                solutions.append(words[0])
        # sphinx-exercise: the text after {solution-start}'s fence, up to {solution-end}
        for block in re.finditer(r"^(`{3,}|:{3,})\{solution-start\}[^\n]*\n(?::[^\n]*\n)*\1[ \t]*\n(.*?)(?=\{solution-end\}|\Z)",
                                 markdown, flags=re.S | re.M):
            words = re.findall(r"[\u4e00-\u9fff，、]{8,}", _prose(block.group(2)))
            if words:
                solutions.append(words[0])
        if path.suffix == ".ipynb":
            for cell in _shown_code_cells(path):
                if "hide-cell" in cell.get("metadata", {}).get("tags", []):
                    lines = [line for line in _text(cell["source"]).splitlines() if line.strip()]
                    hidden_code.append(lines[0])
    assert len(solutions) >= 25, f"only {len(solutions)} collapsed solutions found in the sources"
    # (6.7's solution code is inside its solution since sphinx-exercise: hide-cell may be gone)
    missing = [s for s in solutions if _squash(s) not in squashed]
    assert not missing, f"collapsed solutions not printed: {missing[:5]}"
    missing = [line for line in hidden_code if _squash(line) not in squashed]
    assert not missing, f"hide-cell code not printed: {missing[:5]}"


def test_code_and_its_outputs(squashed):
    """The first line of every code cell and of every printed output is in the PDF."""
    missing, count = [], 0
    for path in NOTEBOOKS:
        for cell in _shown_code_cells(path):
            texts = [_text(cell["source"])] + [_text(out.get("text")) for out in _shown_outputs(cell)
                                               if out.get("output_type") == "stream"]
            for chunk in texts:
                lines = [line for line in chunk.splitlines() if line.strip()]
                if not lines:
                    continue
                count += 1
                if _squash(lines[0]) not in squashed:
                    missing.append(f"{path.name}: {lines[0]!r}")
    assert count > 100
    assert not missing, f"{len(missing)} code or output lines not in the PDF: {missing[:5]}"


def test_the_colab_cell_is_not_printed(squashed):
    colab = [_text(c["source"]) for p in NOTEBOOKS for c in _notebook(p)["cells"]
             if "colab" in c.get("metadata", {}).get("tags", [])]
    assert len(colab) == len(NOTEBOOKS), "every notebook has one Colab cell (tag colab)"
    line = next(line for line in colab[0].splitlines() if "pip" in line)
    assert _squash(line) not in squashed, f"the Colab cell is printed: {line}"


def test_no_web_only_wording(text, squashed):
    found = {w: text[max(0, text.find(w) - 30):text.find(w) + 30].replace("\n", " ")
             for w in WEB_ONLY if w in text}
    code = _squash(_code_context())
    found = {w: ctx for w, ctx in found.items() if _squash(w) not in code or _squash(ctx) not in code}
    assert not found, f"web-only wording in the PDF: {found}"
    for web, paper in latex_print.PRINT_WORDING.items():
        assert _squash(web) not in squashed, f"the web phrase {web!r} was printed"


def test_no_raw_tex(text):
    """Formulas are typeset: the PDF holds no more $, \\( ... or TeX commands than the
    code the book shows (where they are meant literally)."""
    code = _code_context()
    commands = _math_commands()
    assert {r"\times", r"\mathbf", r"\lfloor"} <= commands, "the math of the book was not found"
    raw = {}
    for token in ["$", r"\(", r"\)", r"\[", r"\]", *sorted(commands)]:
        in_pdf = len(re.findall(re.escape(token) + (r"(?![A-Za-z])" if token[1:].isalpha() else ""), text))
        in_code = len(re.findall(re.escape(token) + (r"(?![A-Za-z])" if token[1:].isalpha() else ""), code))
        if in_pdf > in_code:
            raw[token] = (in_pdf, in_code)
    assert not raw, f"raw TeX in the PDF (count in PDF, count in the code shown): {raw}"
    assert "\ufffd" not in text, "the PDF text has U+FFFD (a character that could not be encoded)"


def test_links_lead_nowhere_local(pdf):
    """Links in the PDF go to pages of the PDF or to the web, never to a local file or server."""
    rows = _poppler("pdfinfo", "-url", str(pdf)).splitlines()[1:]
    urls = [row.split()[-1] for row in rows if row.strip()]
    local = [u for u in urls if re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", u) or u.startswith("file:")
             or u.endswith((".ipynb", ".html")) and "://" not in u]
    assert not local, f"{len(local)} links to the local build, e.g. {local[:3]}"


# ---------------------------------------------------------------- fonts


def _installed_coverage() -> set[int]:
    out = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    covered = set()
    for part in out.split():
        low, _, high = part.partition("-")
        covered.update(range(int(low, 16), int(high or low, 16) + 1))
    return covered


def test_fonts_embedded_cjk_and_no_tofu(pdf, text):
    fonts = _poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts, "pdffonts lists no fonts"
    not_embedded = [line for line in fonts if line.split()[-5] != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"
    names = [line.split()[0] for line in fonts]
    assert any("NotoSerifCJK" in n for n in names) and any("NotoSansCJK" in n for n in names), \
        "the Chinese text is not in Noto Serif/Sans CJK SC: " + ", ".join(sorted(set(names)))
    if not shutil.which("fc-list"):
        pytest.fail("fc-list (fontconfig) is missing: `python3 tools/system_packages.py install`")
    covered = _installed_coverage()
    uncovered = sorted({ch for ch in text if ord(ch) > 0x7F and ord(ch) not in covered
                        and not 0xE000 <= ord(ch) <= 0xF8FF and not ch.isspace()})
    assert not uncovered, ("characters no installed font has (printed as tofu boxes): "
                           + " ".join(f"{ch} U+{ord(ch):04X}" for ch in uncovered))
    assert ord("互") in covered and ord("汇") in covered  # the check can fail: a CJK font is needed


# ---------------------------------------------------------------- pages


def _toc_files(entries) -> list[str]:
    files = []
    for entry in entries:
        if isinstance(entry, dict):
            if "file" in entry:
                files.append(entry["file"])
            for key in ("chapters", "sections", "parts"):
                files += _toc_files(entry.get(key, []))
    return files


def _first_heading(name: str) -> str:
    path = next(p for p in (ROOT / (name + ".md"), ROOT / (name + ".ipynb")) if p.exists())
    text = path.read_text(encoding="utf-8") if path.suffix == ".md" else _markdown(path)
    return re.search(r"^# +(.+)$", text, re.M).group(1).strip()


def test_the_student_edition_is_not_printed(squashed, outline):
    """Issue 17: the student edition (the student/ pages of _toc.yml) is for the web and Colab;
    tools/build_pdf.py typesets from a print toc without it."""
    student = [f for f in _toc_files(TOC["chapters"]) if f.startswith(build_pdf.NOT_PRINTED)]
    assert student, "_toc.yml has no student/ pages: nothing to check here"
    titles = [_squash(_first_heading(f)) for f in student]
    assert not [t for t in titles if t in squashed], f"student pages printed: {titles}"
    assert not [t for _, t, _ in outline if _squash(t) in titles]
    assert not [t for t in titles if t in _squash(build_pdf.LATEX.joinpath("d2l-ch6-cnn.tex").read_text(encoding="utf-8"))]


def test_a4_pages_and_page_count(pdf):
    info = _poppler("pdfinfo", str(pdf))
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert PAGE_RANGE[0] <= count <= PAGE_RANGE[1], f"{count} pages, expected {PAGE_RANGE}"
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts",
                       _poppler("pdfinfo", "-f", "1", "-l", str(count), str(pdf)), re.M)
    assert len(sizes) == count
    wrong = {(w, h) for w, h in sizes if abs(float(w) - A4_POINTS[0]) > 2 or abs(float(h) - A4_POINTS[1]) > 2}
    assert not wrong, f"pages that are not A4 (portrait): {wrong}"


def test_no_empty_page(pages, reader):
    """Every page holds text besides its running head and page number, or a figure."""
    empty = []
    for n, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        xobjects = (reader.pages[n - 1].get("/Resources") or {}).get("/XObject") or {}
        if len(lines) <= 1 and not xobjects:
            empty.append(n)
    assert len(pages) > 50
    assert not empty, f"empty pages: {empty}"


# ---------------------------------------------------------------- the web book links it


def test_landing_page_links_the_pdf(pdf):
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    assert f'href="{build_pdf.PDF_NAME}"' in intro
    assert f"_build/pdf/{build_pdf.PDF_NAME}" in (ROOT / "Makefile").read_text(encoding="utf-8")
    page = HTML / "intro.html"
    assert page.is_file(), f"no {page}: run `make book` (`make pdf-test` does)"
    assert f'href="{build_pdf.PDF_NAME}"' in page.read_text(encoding="utf-8")
    copy = HTML / build_pdf.PDF_NAME
    assert copy.is_file(), f"the landing page links {build_pdf.PDF_NAME}, but {copy} is missing"
    assert copy.read_bytes() == pdf.read_bytes(), f"{copy} is not the PDF just built"


def test_pdf_link_line_is_web_only(squashed):
    """The landing page's download line is in an {only} html block: the PDF does not link itself."""
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    line = re.search(r"^.*<a class=\"d2l-pdf-link\"[^>]*>([^<]+)</a>.*$", intro, re.M)
    assert line, "intro.md has no <a class=\"d2l-pdf-link\"> line"
    assert line.group(0) not in _markdown(ROOT / "intro.md"), "the PDF line is not inside ```{only} html"
    before_link = line.group(0).split("<a ")[0]
    assert _squash(line.group(1)) not in squashed and _squash(before_link) not in squashed
