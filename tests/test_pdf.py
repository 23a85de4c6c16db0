"""The PDF edition (`make pdf`, tools/build_pdf.py), read back with poppler-utils.

- pdftotext: every title of the book (the pages, their numbered subsections and the
  exercises) in _toc.yml order, the chapter's key terms, the text of every collapsed
  exercise solution and the first line of every hide-cell code cell (so they were
  opened), the printed outputs of the code; no raw TeX: no more ``$``, ``\\(`` or
  TeX commands than the code shown in the book contains, and no U+FFFD.
- fonts: every font is embedded, a CJK font among them, and every character of the
  text is covered by an installed font (a character no font covers prints as a tofu
  box, yet still extracts as text, so the text alone cannot show it).
- pdfimages: at least as many images as the notebooks have figures (image outputs,
  figure cells, animation strips).
- pdfinfo: every page A4; the page count in PAGE_RANGE; no blank page; no link to the
  local server the PDF was printed from.
- The landing page of the web book links the PDF, and the file is there.
- An animation prints as its static strip, not as its player (a tiny page printed with
  the same code and print.css).

`make pdf-test` builds the web book and the PDF first; here a missing PDF is a failure.
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import struct
import subprocess
import zlib
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.pdf

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_pdf", ROOT / "tools" / "build_pdf.py")
build_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_pdf)

PDF = build_pdf.DEFAULT_OUTPUT
HTML = ROOT / "_build" / "html"
SINGLEHTML = build_pdf.WORK / "_build" / "singlehtml" / "intro.html"
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))

# The book prints to about 100 A4 pages (cover, landing page, 6.1-6.6 about 50, the
# exercises with their solutions about 50). Far fewer means something was left out
# (solutions still collapsed, a section missing); far more means a layout gone wrong.
PAGE_RANGE = (80, 160)
A4_POINTS = (595.28, 841.89)
KEY_TERMS = ["互相关", "汇聚层", "卷积核", "填充", "步幅", "感受野", "特征映射", "LeNet"]


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


def _markdown(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    return "\n\n".join(_text(c["source"]) for c in _notebook(path)["cells"] if c["cell_type"] == "markdown")


def _shown_code_cells(path: Path) -> list[dict]:
    """Code cells the book shows (the Colab cell and removed cells are not printed)."""
    hidden = {"colab", "remove-cell", "remove-input"}
    return [c for c in _notebook(path)["cells"]
            if c["cell_type"] == "code" and not hidden & set(c.get("metadata", {}).get("tags", []))]


def _shown_outputs(cell: dict) -> list[dict]:
    """The outputs the book shows for a cell (none for a cell tagged remove-output)."""
    return [] if "remove-output" in cell.get("metadata", {}).get("tags", []) else cell.get("outputs", [])


def _squash(text: str) -> str:
    """No whitespace: a line broken by the layout still matches."""
    return re.sub(r"\s+", "", text)


FENCE = re.compile(r"^(`{3,}|~{3,})(.*?)^\1", re.S | re.M)


def _prose(markdown: str) -> str:
    """Markdown without fenced blocks."""
    return FENCE.sub("", markdown)


def _titles(path: Path) -> list[str]:
    """Headings (#, ##, ###) of a page as the reader sees them, with their math left out:
    a list of the text pieces between formulas, markup removed."""
    titles = []
    for match in re.finditer(r"^#{1,3} +(.+?) *$", _prose(_markdown(path)), flags=re.M):
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))  # [text](link) -> text
        heading = heading.replace("`", "").replace("**", "").replace("*", "")
        pieces = [p.strip() for p in re.split(r"\$[^$]+\$", heading)]
        titles.append(" … ".join(p for p in pieces if p))
    return titles


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


def expected_images() -> int:
    """Figures of the notebooks: every image output and every animation (its strip),
    and a figure cell (metadata mystnb.figure) counts once even without an image output."""
    total = 0
    for path in NOTEBOOKS:
        for cell in _shown_code_cells(path):
            n = 0
            for out in _shown_outputs(cell):
                data = out.get("data", {})
                if any(mime.startswith("image/") for mime in data):
                    n += 1
                n += len(re.findall(r'<img[^>]*class="[^"]*\bd2l-anim-strip\b', _text(data.get("text/html"))))
            if n == 0 and cell.get("metadata", {}).get("mystnb", {}).get("figure"):
                n = 1
            total += n
    return total


# ---------------------------------------------------------------- the PDF, read back


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing: install poppler-utils (Debian: apt-get install poppler-utils; "
                    "`bash .ci/run` does it)")
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
def squashed(text) -> str:
    return _squash(text)


# ---------------------------------------------------------------- text


def test_every_title_in_toc_order(squashed):
    position = 0
    missing, out_of_order = [], []
    for path in DOCS:
        for title in _titles(path):
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
    """Guard against a vacuous title test: the notebooks do have 6.1 ... 6.7 titles."""
    firsts = [_titles(path)[0] for path in NOTEBOOKS]
    assert [t.split()[0] for t in firsts] == [f"6.{n}" for n in range(1, len(NOTEBOOKS) + 1)]


def test_key_terms(text):
    for term in KEY_TERMS:
        assert term in text, f"{term!r} is not in the PDF text"
    assert text.count("互相关") >= 20 and text.count("汇聚层") >= 10


def test_exercise_solutions_are_expanded(squashed):
    """The first sentence of every collapsed solution and the first line of every
    hide-cell code cell are in the PDF: on the web both are collapsed."""
    solutions, hidden_code = [], []
    for path in DOCS:
        markdown = _markdown(path)
        for block in re.finditer(r"^(`{3,}|:{3,})\{admonition\}[^\n]*\n((?::[^\n]*\n)*)(.*?)^\1",
                                 markdown, flags=re.S | re.M):
            if "dropdown" not in block.group(2):
                continue
            words = re.findall(r"[\u4e00-\u9fff，、]{8,}", block.group(3))
            if words:
                solutions.append(words[0])
        if path.suffix == ".ipynb":
            for cell in _shown_code_cells(path):
                if "hide-cell" in cell.get("metadata", {}).get("tags", []):
                    lines = [line for line in _text(cell["source"]).splitlines() if line.strip()]
                    hidden_code.append(lines[0])
    assert len(solutions) >= 25, f"only {len(solutions)} collapsed solutions found in the sources"
    assert hidden_code, "no hide-cell code cells found in the sources"
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
    """Links in the PDF go to pages of the PDF or to the web, never to the local server
    the PDF was printed from."""
    rows = _poppler("pdfinfo", "-url", str(pdf)).splitlines()[1:]
    urls = [row.split()[-1] for row in rows if row.strip()]
    local = [u for u in urls if re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", u) or u.startswith("file:")]
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
    cjk = [line.split()[0] for line in fonts
           if re.search(r"WenQuanYi|CJK|SourceHan|Source-Han|Droid.*Fallback|Heiti|Song|Ming", line.split()[0])]
    assert cjk, "no CJK font in the PDF: " + ", ".join(line.split()[0] for line in fonts)

    if not shutil.which("fc-list"):
        pytest.fail("fc-list (fontconfig) is missing; Chromium needs fontconfig anyway")
    covered = _installed_coverage()
    # Private-use characters are icon and MathJax web-font glyphs, drawn from those web fonts.
    uncovered = sorted({ch for ch in text if ord(ch) > 0x7F and ord(ch) not in covered
                        and not 0xE000 <= ord(ch) <= 0xF8FF and not ch.isspace()})
    assert not uncovered, ("characters no installed font has (printed as tofu boxes): "
                           + " ".join(f"{ch} U+{ord(ch):04X}" for ch in uncovered))
    assert ord("互") in covered and ord("汇") in covered  # the check can fail: a CJK font is needed


# ---------------------------------------------------------------- images and pages


def _images(pdf: Path) -> list[list[str]]:
    rows = [line.split() for line in _poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    return [row for row in rows if len(row) > 2 and row[2] == "image"]  # not the soft masks


def test_at_least_one_image_per_figure(pdf):
    expected = expected_images()
    assert expected >= 15, f"only {expected} figures counted in the notebooks"
    images = _images(pdf)
    assert len(images) >= expected, f"the PDF has {len(images)} images, the notebooks {expected} figures"


def test_singlehtml_animations_have_strips():
    """Each animation of the book (issue 12's contract) carries the strip the PDF prints."""
    assert SINGLEHTML.is_file(), f"no {SINGLEHTML}: run `make pdf`"
    page = SINGLEHTML.read_text(encoding="utf-8")
    players = len(re.findall(r'class="[^"]*\bd2l-anim-player\b', page))
    strips = len(re.findall(r'<img[^>]*class="[^"]*\bd2l-anim-strip\b', page))
    assert strips >= players, f"{players} animation players but only {strips} strips"
    info = json.loads((build_pdf.WORK / "pdf-info.json").read_text(encoding="utf-8"))
    assert info["players"] == players and info["strips"] == strips


def test_a4_pages_and_page_count(pdf):
    info = _poppler("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert PAGE_RANGE[0] <= pages <= PAGE_RANGE[1], f"{pages} pages, expected {PAGE_RANGE}"
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts",
                       _poppler("pdfinfo", "-f", "1", "-l", str(pages), str(pdf)), re.M)
    assert len(sizes) == pages
    wrong = {(w, h) for w, h in sizes if abs(float(w) - A4_POINTS[0]) > 2 or abs(float(h) - A4_POINTS[1]) > 2}
    assert not wrong, f"pages that are not A4 (portrait): {wrong}"


def test_no_blank_page(pdf, text):
    """Every page holds text besides its page number, or a picture (a layout that pushes
    a sliver of a section onto a page of its own shows here)."""
    pages = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    with_images = {int(row[0]) for row in _images(pdf)}
    blank = [n for n, page in enumerate(pages, start=1)
             if not re.sub(r"\b\d+ / \d+\b", "", page).strip() and n not in with_images]
    assert len(pages) > 50
    assert not blank, f"blank pages: {blank}"


def test_cover_page(pdf):
    first = _poppler("pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(pdf), "-")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert _squash(config["title"]) in _squash(first)
    for path in NOTEBOOKS:
        assert _squash(_titles(path)[0]) in _squash(first), f"the cover lists no {_titles(path)[0]}"


# ---------------------------------------------------------------- the web book links it


def test_landing_page_links_the_pdf(pdf):
    assert f'href="{build_pdf.PDF_NAME}"' in (ROOT / "intro.md").read_text(encoding="utf-8")
    assert f"_build/pdf/{build_pdf.PDF_NAME}" in (ROOT / "Makefile").read_text(encoding="utf-8")
    page = HTML / "intro.html"
    assert page.is_file(), f"no {page}: run `make book` (`make pdf-test` does)"
    assert f'href="{build_pdf.PDF_NAME}"' in page.read_text(encoding="utf-8")
    copy = HTML / build_pdf.PDF_NAME
    assert copy.is_file(), f"the landing page links {build_pdf.PDF_NAME}, but {copy} is missing"
    assert copy.read_bytes() == pdf.read_bytes(), f"{copy} is not the PDF just built"


def test_pdf_link_line_is_hidden_in_print(squashed):
    """The landing page's download line is left out of the PDF itself."""
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    line = re.search(r"^.*<a class=\"d2l-pdf-link\"[^>]*>([^<]+)</a>.*$", intro, re.M)
    assert line, "intro.md has no <a class=\"d2l-pdf-link\"> line"
    before_link = line.group(0).split("<a ")[0]
    assert _squash(line.group(1)) not in squashed and _squash(before_link) not in squashed


# ---------------------------------------------------------------- animations print as strips


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_animation_prints_its_strip_not_its_player(tmp_path):
    """A page shaped like issue 12's animation output (a player, and a strip that the
    screen CSS hides), printed by build_pdf.print_pdf with print.css: the PDF holds
    the strip's image, once (a strip taller than a page is scaled down, not cut in
    two), and not the player's."""
    import base64

    player = base64.b64encode(_png(64, 48, (200, 30, 30))).decode()
    strip = base64.b64encode(_png(240, 1400, (30, 30, 200))).decode()  # taller than a page
    (tmp_path / "anim.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<style>.cell_output .d2l-anim-strip { display: none; }</style></head><body>"
        "<article class='bd-article'><div class='cell_output'><div class='output text_html'>"
        f"<div class='d2l-anim-player'><img src='data:image/png;base64,{player}'><button>play</button></div>"
        f"<img class='d2l-anim-strip' src='data:image/png;base64,{strip}' alt='frames'>"
        "</div></div></article></body></html>", encoding="utf-8")
    out = tmp_path / "anim.pdf"
    info = build_pdf.print_pdf(tmp_path, out, tmp_path / "profile", page="anim.html")
    assert info["players"] == 1 and info["strips"] == 1
    sizes = [(int(row[3]), int(row[4])) for row in _images(out)]
    assert sizes == [(240, 1400)], (f"images in the printed animation: {sizes} (strip 240x1400, shown once "
                                    "and not cut across two pages; player 64x48)")
