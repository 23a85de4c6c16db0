"""The book's text tells the truth in one notation (issue 9): lexical checks.

They read every notebook of the chapter and the landing page intro.md:

(a) no control character in markdown, no broken TeX command in a formula;
(b) figures: no hand-typed figure number; every figure output is a book figure
    with a name and a Chinese caption; names are unique, each is referenced by
    a ``[图](...#name)`` link, and every such link reaches a figure;
(c) no tooling words in the prose, no ``{glue:`` markup, no ``# NBVAL`` comments;
(d) the notation block 符号约定 in intro.md (issue 15 adds: ordinals, typeface, channels
    first, the offset of *; 6.1 shows that offset), and a pooling window is k_h x k_w;
(e) one term per concept (准确率, 特征映射, 汇聚, CNN, 全连接层);
(f) issue 15, one notation kept: channels first in every indexed formula ([X]_{c,i,j},
    [K]_{o,c,a,b}; never [H]_{i,j,d}, [V]_{a,b,c,d}, i as a channel); tensors bold, no
    \\mathsf; ordinals read as everyday Chinese (never 第 0 个, nor 第 $i$ 个 for an index
    counted from 0, in prose or printed output); 下采样, never 降采样; 上一节/下一节 only
    for the adjacent section and followed by a link to it; a link whose text names a
    section reaches it; another section is named by number with a link.

Each check of (f) has a test on synthetic strings showing that it catches what it targets
and lets the correct forms pass.

Each test checks one thing and names the notebook and the cell that fail.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("6_*.ipynb"))
STEMS = [path.stem for path in NOTEBOOKS]
INTRO = ROOT / "intro.md"


# --------------------------------------------------------------------------- reading the book

@dataclass
class Cell:
    notebook: str      # file stem, e.g. "6_4_channels"
    index: int
    id: str
    kind: str          # "markdown", "code" or "raw"
    source: str
    metadata: dict
    outputs: list

    @property
    def where(self) -> str:
        return f"{self.notebook}.ipynb, cell {self.index} (id {self.id})"

    @property
    def figure(self) -> dict | None:
        return self.metadata.get("mystnb", {}).get("figure")


@functools.lru_cache(maxsize=None)
def cells(stem: str) -> tuple[Cell, ...]:
    nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return tuple(Cell(stem, i, c.get("id", "?"), c["cell_type"], _joined(c["source"]),
                      c.get("metadata", {}), c.get("outputs", []))
                 for i, c in enumerate(nb["cells"]))


def _joined(text) -> str:
    return "".join(text) if isinstance(text, list) else text


def markdown_cells(stem: str | None = None) -> list[Cell]:
    return [c for s in ([stem] if stem else STEMS) for c in cells(s) if c.kind == "markdown"]


def code_cells(stem: str | None = None) -> list[Cell]:
    """Code cells the reader sees (the generated Colab install cell is left out)."""
    return [c for s in ([stem] if stem else STEMS) for c in cells(s)
            if c.kind == "code" and "colab" not in c.metadata.get("tags", [])]


def book_markdown() -> list[tuple[str, str]]:
    """(where, text) for the book's markdown: every markdown cell, every caption, intro.md."""
    texts = [(c.where, c.source) for c in markdown_cells()]
    texts += [(f"{c.where}, figure caption", c.figure.get("caption", ""))
              for s in STEMS for c in cells(s) if c.figure]
    texts.append(("intro.md", INTRO.read_text(encoding="utf-8")))
    return texts


def book_text() -> list[tuple[str, str]]:
    """Everything a reader reads: the book's markdown plus the visible code cells."""
    return book_markdown() + [(f"{c.where}, code", c.source) for c in code_cells()]


FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*)$")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def prose(markdown: str) -> str:
    """The markdown without code: fenced code blocks and `code spans` become blank.

    MyST directives written as fences (```{admonition} ...) hold prose and are kept.
    """
    lines, open_fences = [], []          # open_fences: (fence, is_code)
    for line in markdown.splitlines():
        m = FENCE.match(line)
        if m:
            fence, info = m.groups()
            if (open_fences and not info and fence[0] == open_fences[-1][0][0]
                    and len(fence) >= len(open_fences[-1][0])):
                open_fences.pop()
            else:
                is_code = not info.startswith("{") or info.startswith(("{code", "{code-cell"))
                open_fences.append((fence, is_code))
            lines.append("")
            continue
        in_code = any(is_code for _, is_code in open_fences)
        lines.append("" if in_code else CODE_SPAN.sub("", line))
    return "\n".join(lines)


DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def formulas(markdown: str) -> list[str]:
    """The TeX of every $$...$$ and $...$ formula in the prose."""
    text = prose(markdown)
    found = DISPLAY_MATH.findall(text)
    text = DISPLAY_MATH.sub(" ", text)
    for line in text.splitlines():
        found += INLINE_MATH.findall(line)
    return found


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。！？；\n]", text) if s.strip()]


def squeeze(tex: str) -> str:
    """TeX without spaces, so that 'k_h \\times k_w' and 'k_h\\times k_w' compare equal."""
    return re.sub(r"\s+", "", tex)


def show(text: str, start: int, end: int, margin: int = 30) -> str:
    return repr(text[max(0, start - margin):end + margin])


# --------------------------------------------------------------------------- (a) characters and TeX

# Commands a formula of this book may use: standard LaTeX math that MathJax renders.
TEX_COMMANDS = frozenset("""
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi
    pi rho sigma tau upsilon phi varphi chi psi omega
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    times cdot cdots ldots dots vdots ddots div pm mp ast star circ bullet oplus otimes odot
    le leq ge geq ne neq approx equiv sim simeq propto ll gg in notin subset subseteq cup cap
    forall exists to rightarrow leftarrow Rightarrow Leftarrow leftrightarrow mapsto implies iff
    sum prod int lim max min sup inf arg log ln exp sin cos tan det
    frac dfrac tfrac sqrt binom partial nabla infty
    left right big Big bigg Bigg lfloor rfloor lceil rceil langle rangle vert Vert lvert rvert
    lVert rVert mid
    mathbf mathsf mathrm mathit mathcal mathbb boldsymbol operatorname displaystyle limits
    text textbf textit textrm texttt mbox
    hat bar tilde vec dot ddot overline underline widehat widetilde underbrace overbrace
    top prime ell emptyset setminus
    quad qquad begin end
""".split())

# A command whose backslash became a control character in the JSON ("\t" in "\times" is a
# TAB) leaves its tail behind: "imes", "rac", "ightarrow", ... Tails shorter than 3 letters
# are too common to flag.
ESCAPE_LETTERS = "tfrbnav"
LOST_BACKSLASH = {name[1:]: name for name in TEX_COMMANDS
                  if name[0] in ESCAPE_LETTERS and len(name) > 3}
TEXT_GROUP = re.compile(r"\\(?:text|textbf|textit|textrm|texttt|mathrm|operatorname|mbox"
                        r"|begin|end)\s*\{[^{}]*\}")


def tex_problems(tex: str) -> list[str]:
    """The broken or unknown commands of one formula."""
    problems = [f"unknown command \\{name}" for name in re.findall(r"\\([A-Za-z]+)", tex)
                if name not in TEX_COMMANDS]
    bare = re.sub(r"\\[A-Za-z]+", " ", TEXT_GROUP.sub(" ", tex))
    for word in re.findall(r"(?<![A-Za-z\\])[A-Za-z]+", bare):
        if word in LOST_BACKSLASH:
            problems.append(f"'{word}' looks like \\{LOST_BACKSLASH[word]} without its backslash")
        elif word in TEX_COMMANDS and len(word) >= 3:
            problems.append(f"'{word}' is a TeX command without its backslash")
    return problems


def test_markdown_has_no_control_characters():
    failures = []
    for where, text in book_markdown():
        for k, ch in enumerate(text):
            if unicodedata.category(ch) == "Cc" and ch != "\n":
                failures.append(f"{where}: control character {ch!r} at {show(text, k, k + 1)}")
    assert not failures, "markdown may hold no control character but newline:\n" + "\n".join(failures)


def test_formulas_have_no_broken_tex_commands():
    failures = [f"{where}: {problem} in ${tex}$"
                for where, text in book_markdown()
                for tex in formulas(text) for problem in tex_problems(tex)]
    assert not failures, "broken TeX in formulas:\n" + "\n".join(failures)


def test_the_tex_check_catches_lost_backslashes():
    assert tex_problems("3\times3") == ["'imes' looks like \\times without its backslash"]
    assert tex_problems(r"\frac{1}{2}") == [] and tex_problems("frac{1}{2}")
    assert tex_problems(r"\tims") == ["unknown command \\tims"]
    assert tex_problems(r"[\mathbf{X}\star\mathbf{K}]_{i,j} + \text{max pooling}") == []


# --------------------------------------------------------------------------- (b) figures

TYPED_FIGURE_NUMBER = re.compile(r"图\s*\d+(?:\s*[.．]\s*\d+)+|[如见]图\s*\d"
                                 r"|(?<![A-Za-z])(?:Figure|Fig\.)\s*\d", re.I)
FIGURE_NAME = re.compile(r"fig-[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
CJK = re.compile(r"[\u4e00-\u9fff]")


def figure_outputs(cell: Cell) -> list[dict]:
    """Outputs that are figures: an image (SVG, PDF or PNG) or a d2lmini animation."""
    def is_figure(output):
        data = output.get("data", {})
        return (any(kind in data for kind in ("image/svg+xml", "application/pdf", "image/png"))
                or "d2l-anim" in _joined(data.get("text/html", "")))
    return [o for o in cell.outputs if is_figure(o)]


def figures() -> dict[str, list[Cell]]:
    """Figure name -> the cells that declare it, over the whole book."""
    found: dict[str, list[Cell]] = {}
    for stem in STEMS:
        for cell in cells(stem):
            if cell.figure:
                found.setdefault(cell.figure.get("name", ""), []).append(cell)
    return found


def figure_links() -> list[tuple[str, str, str, str]]:
    """(where, link text, target notebook stem, anchor) of every link to an anchor in the book."""
    links = []
    sources = [(c.where, c.notebook, c.source) for c in markdown_cells()]
    sources.append(("intro.md", None, INTRO.read_text(encoding="utf-8")))
    for where, stem, text in sources:
        for label, target in LINK.findall(prose(text)):
            path, _, anchor = target.partition("#")
            if not anchor or "://" in path:
                continue
            target_stem = PurePosixPath(path).stem if path else stem
            links.append((where, label, target_stem, anchor))
    return links


def test_no_hand_typed_figure_numbers():
    failures = [f"{where}: {show(text, m.start(), m.end())}"
                for where, text in book_markdown()
                for m in TYPED_FIGURE_NUMBER.finditer(prose(text))]
    assert not failures, ("refer to a figure with [图](#fig-name); the book numbers it. "
                          "Typed figure numbers:\n" + "\n".join(failures))


@pytest.mark.parametrize("stem", STEMS)
def test_every_figure_output_is_a_named_captioned_figure(stem):
    failures = []
    for cell in cells(stem):
        if cell.kind != "code":
            continue
        outputs, figure = figure_outputs(cell), cell.figure
        if len(outputs) > 1:
            failures.append(f"{cell.where}: {len(outputs)} figure outputs; a figure cell has one")
        if outputs and not figure:
            failures.append(f"{cell.where}: a figure output without metadata "
                            '{"mystnb": {"figure": {"name": "fig-...", "caption": "..."}}}')
        for output in outputs:
            data = output.get("data", {})
            if "image/png" in data and "image/svg+xml" not in data:
                # d2lmini stores every figure as SVG (web) and PDF (print); a raster image such as a
                # Fashion-MNIST picture is embedded inside the vector figure
                failures.append(f"{cell.where}: a bitmap-only figure (image/png without image/svg+xml): "
                                "re-execute the notebook with d2lmini imported")
        if figure and not outputs:
            failures.append(f"{cell.where}: figure metadata {figure.get('name')!r} "
                            "but no image or animation output")
        if figure:
            name, caption = figure.get("name", ""), figure.get("caption", "")
            if not FIGURE_NAME.fullmatch(name):
                failures.append(f"{cell.where}: figure name {name!r} must be 'fig-' and "
                                "English words in lower case, without a number (fig-corr2d)")
            if not CJK.search(caption):
                failures.append(f"{cell.where}: figure {name!r} needs a Chinese caption, "
                                f"got {caption!r}")
    assert not failures, "\n".join(failures)


def test_figure_names_are_unique_in_the_book():
    clashes = {name: [c.where for c in found] for name, found in figures().items() if len(found) > 1}
    assert not clashes, f"figure names used more than once: {clashes}"


def test_every_figure_is_referenced():
    referenced = {(stem, anchor) for _, label, stem, anchor in figure_links() if label == "图"}
    missing = [f"{cell.where}: figure {name!r} has no [图](...#{name}) link"
               for name, found in figures().items() for cell in found
               if (cell.notebook, name) not in referenced]
    assert not missing, "\n".join(missing)


def test_every_figure_link_reaches_a_figure():
    declared = {(cell.notebook, name) for name, found in figures().items() for cell in found}
    failures = []
    for where, label, stem, anchor in figure_links():
        if anchor.startswith("fig-") and label != "图":
            failures.append(f"{where}: a link to figure {anchor} must read [图](...), not [{label}]")
        if (label == "图" or anchor.startswith("fig-")) and (stem, anchor) not in declared:
            failures.append(f"{where}: [{label}] points at {stem}#{anchor}, "
                            "which is not a figure of that notebook")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- (c) tooling words

TOOLING_WORDS = re.compile(r"nbval|(?<![A-Za-z])glue(?![A-Za-z])|(?-i:(?<![A-Za-z])CI(?![A-Za-z]))",
                           re.I)


@pytest.mark.parametrize("stem", STEMS)
def test_no_tooling_words_in_markdown(stem):
    failures = [f"{c.where}: {show(c.source, m.start(), m.end())}"
                for c in markdown_cells(stem) for m in TOOLING_WORDS.finditer(c.source)]
    assert not failures, ("the prose speaks of convolutions, not of our tooling "
                          "(NBVAL, nbval, glue, CI):\n" + "\n".join(failures))


@pytest.mark.parametrize("stem", STEMS)
def test_no_glue_markup(stem):
    failures = [f"{c.where}: {show(c.source, m.start(), m.end())}"
                for c in cells(stem) for m in re.finditer(r"\{glue:", c.source)]
    assert not failures, ("{glue:...} shows raw in Jupyter and Colab; print the number "
                          "or state what an assert checks:\n" + "\n".join(failures))


@pytest.mark.parametrize("stem", STEMS)
def test_no_nbval_comments_in_code(stem):
    failures = [f"{c.where}: {show(c.source, m.start(), m.end())}"
                for c in cells(stem) if c.kind == "code"
                for m in re.finditer(r"#\s*NBVAL", c.source)]
    assert not failures, ("use the cell tag nbval-ignore-output (or nbval-skip), "
                          "not a comment the reader sees:\n" + "\n".join(failures))


# --------------------------------------------------------------------------- (d) notation

def notation_block() -> str:
    text = INTRO.read_text(encoding="utf-8")
    m = re.search(r"^\(notation\)=\s*\n(?:\s*\n)*## 符号约定[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, "intro.md needs the block '(notation)=' followed by the heading '## 符号约定'"
    return m.group(1)


def _any_sentence(*needles: str):
    return lambda block: any(all(n in squeeze(s) for n in map(squeeze, needles))
                             for s in sentences(block))


NOTATION_STATEMENTS = {
    "indices count from 0": _any_sentence("下标从 0 开始"),
    "centred window and corner window: k = 2Delta + 1": _any_sentence(r"\Delta", r"k=2\Delta+1"),
    "padding p is the total, PyTorch's padding= per side":
        lambda b: _any_sentence("两侧", "p_h")(b) and _any_sentence("padding", "每一侧")(b),
    "the pooling window is k_h x k_w, p only padding":
        lambda b: _any_sentence("汇聚窗口", r"k_h\times k_w")(b) and _any_sentence("$p$", "填充")(b),
    "star is cross-correlation, * is convolution":
        lambda b: _any_sentence(r"\star", "互相关", "$*$", "卷积")(b),
    "ordinals read as everyday Chinese: 第 1 个 is the first, its index is 0":
        _any_sentence("第 1 个", "下标", "0"),
    "typeface: matrices and tensors bold upper case":
        _any_sentence("粗体大写", r"\mathbf{X}"),
    "channels first: [X]_{c,i,j} and [K]_{o,c,a,b}":
        lambda b: _any_sentence("通道", r"[\mathbf{X}]_{c,i,j}")(b)
        and _any_sentence(r"[\mathbf{K}]_{o,c,a,b}")(b),
    "the flip-then-correlate * is the full convolution shifted by (k_h-1, k_w-1)":
        _any_sentence("$*$", "(k_h-1,k_w-1)"),
    "floor((n + 2p' - k)/s) + 1 equals the book's form":
        lambda b: re.search(r"\\lfloor\(n\+2p'?-k\)/s\\rfloor\+1", squeeze(b)) is not None
        and r"\lfloor(n_h-k_h+p_h+s_h)/s_h\rfloor" in squeeze(b),
}


@pytest.mark.parametrize("statement", NOTATION_STATEMENTS)
def test_notation_block_states(statement):
    assert NOTATION_STATEMENTS[statement](notation_block()), \
        f"intro.md, 符号约定: the block must state that {statement}"


POOLING_WINDOW_AS_P = re.compile(r"p_\{?h\}?\s*(?:\\times|×)\s*p_\{?w\}?")


def test_no_pooling_window_written_with_p():
    failures = [f"{where}: {show(text, m.start(), m.end())}"
                for where, text in book_markdown() for m in POOLING_WINDOW_AS_P.finditer(text)]
    assert not failures, ("p is only padding: a pooling window is k_h\\times k_w. Found:\n"
                          + "\n".join(failures))


def test_6_1_shows_the_offset_of_the_convolution():
    text = squeeze("\n".join(c.source for c in markdown_cells("6_1_why_conv")))
    assert "i+k_h-1" in text and "j+k_w-1" in text, \
        ("6_1_why_conv.ipynb: where * is defined, say that it is the full convolution shifted "
         "by (k_h-1, k_w-1): [X*K]_{i,j} = (f*g)(i+k_h-1, j+k_w-1)")


def test_pooling_window_is_k_in_6_5():
    text = "\n".join(c.source for c in markdown_cells("6_5_pooling"))
    assert _any_sentence("汇聚窗口", r"k_h\times k_w")(text), \
        "6_5_pooling.ipynb: a sentence must name the pooling window k_h\\times k_w"


def test_pooling_window_is_k_in_the_6_7_restatement():
    restatement = [c for c in markdown_cells("6_7_exercises")
                   if re.search(r"^:label: ex-6-5-3$", c.source, re.M)]
    assert restatement, "6_7_exercises.ipynb: no {exercise} cell with :label: ex-6-5-3"
    cell = restatement[0]
    assert squeeze(r"k_h\times k_w") in squeeze(cell.source), \
        f"{cell.where}: exercise 6.5.3 must write the pooling window as k_h\\times k_w"


# --------------------------------------------------------------------------- (e) terms

# 精度 as numerical precision stays: 单精度, 双精度, 浮点精度, "float64 的精度".
PRECISION_COMPOUNDS = re.compile(r"(?:float(?:16|32|64)?|double|[单双半]|混合|浮点|数值)\s*的?精度")


def occurrences(word: str) -> list[tuple[str, str]]:
    """(where, sentence) of each occurrence of word in everything the reader reads."""
    return [(where, s) for where, text in book_text() for s in sentences(text)
            for _ in range(s.count(word))]


def test_accuracy_is_zhunquelv():
    failures = [f"{where}: {s.strip()!r}" for where, text in book_text()
                for s in sentences(PRECISION_COMPOUNDS.sub("", text)) if "精度" in s]
    assert not failures, ("accuracy is 准确率, never 精度 (双精度, float64 的精度 and other "
                          "floating-point precision are fine):\n" + "\n".join(failures))


def test_tezhengtu_only_where_6_1_equates_it_with_tezhengyingshe():
    found = occurrences("特征图")
    assert len(found) == 1 and found[0][0].startswith("6_1_") and "特征映射" in found[0][1], \
        ("特征图 appears once, in 6.1's sentence saying it is 特征映射; elsewhere write 特征映射. "
         "Found:\n" + "\n".join(f"{w}: {s.strip()!r}" for w, s in found))


def test_chihua_only_where_6_5_names_the_synonym():
    found = occurrences("池化")
    assert len(found) == 1 and found[0][0].startswith("6_5_") and "汇聚" in found[0][1], \
        ("池化 appears once, in 6.5's sentence naming it as the synonym of 汇聚; elsewhere "
         "write 汇聚. Found:\n" + "\n".join(f"{w}: {s.strip()!r}" for w, s in found))


def test_no_dense_block():
    failures = [f"{where}: {show(text, m.start(), m.end())}" for where, text in book_text()
                for m in re.finditer(r"稠密块|dense\s+block", text, re.I)]
    assert not failures, ("a dense layer is 全连接层; 稠密块 / dense block is DenseNet's term:\n"
                          + "\n".join(failures))


def test_cnn_is_defined_in_6_1():
    text = "\n".join(c.source for c in markdown_cells("6_1_why_conv"))
    assert re.search(r"卷积神经网络（convolutional neural network[，,]\s*CNN）", text), \
        "6_1_why_conv.ipynb must define 卷积神经网络（convolutional neural network，CNN）"


def test_the_book_has_seven_notebooks():
    assert STEMS == ["6_1_why_conv", "6_2_conv_layer", "6_3_padding_strides", "6_4_channels",
                     "6_5_pooling", "6_6_lenet", "6_7_exercises"]


# --------------------------------------------------------------------------- (f) issue 15: one notation, kept

def notebook_number(stem: str | None) -> int | None:
    """6 for '6_6_lenet', None for intro.md and anything that is not a section notebook."""
    m = re.match(r"6_(\d)_", stem or "")
    return int(m.group(1)) if m else None


def markdown_sources() -> list[tuple[str, str | None, str]]:
    """(where, notebook stem or None, text) of every markdown cell, caption and intro.md."""
    found = [(c.where, c.notebook, c.source) for c in markdown_cells()]
    found += [(f"{c.where}, figure caption", c.notebook, c.figure.get("caption", ""))
              for s in STEMS for c in cells(s) if c.figure]
    found.append(("intro.md", None, INTRO.read_text(encoding="utf-8")))
    return found


def apparatus_markdown() -> list[tuple[str, str]]:
    """The glossary and the references page: they follow the notation too (but list synonyms
    such as 特征图 and 池化, so the one-term checks of (e) leave them out)."""
    return [(name, (ROOT / name).read_text(encoding="utf-8"))
            for name in ("glossary.md", "references.md") if (ROOT / name).exists()]


def output_texts() -> list[tuple[str, str]]:
    """(where, text) of every stored text output: streams, text/plain, text/html."""
    found = []
    for stem in STEMS:
        for cell in cells(stem):
            for output in cell.outputs:
                texts = [output.get("text", "")] + [output.get("data", {}).get(kind, "")
                                                    for kind in ("text/plain", "text/html")]
                found += [(f"{cell.where}, output", _joined(t)) for t in texts if t]
    return found


# ---- channels first: [X]_{c,i,j}, [K]_{o,c,a,b}, [H]_{d,i,j}

# The channel letters of the book: c (input channel), o (output channel), d (the channel of
# 6.1's hidden representation H), l (a second input channel where c is taken). Spatial
# letters: positions and offsets (i, j, a, b, i', t for time, and 6.7's r, x, y, u, v).
CHANNEL_INDICES = frozenset("cdol")
SPATIAL_LETTERS = frozenset("ijabtrxyuv")
TENSOR_BASE = re.compile(r"(?:\\(?:mathbf|mathsf|boldsymbol|mathit|mathrm)\s*\{\s*([A-Z])\s*\}"
                         r"|\\(?:mathbf|mathsf|boldsymbol|mathit|mathrm)\s+([A-Z])"
                         r"|(?<![\\A-Za-z])([A-Z]))")
SPACING = re.compile(r"\\[,;:! ]|\\quad|\\qquad|\s+")


def _group(tex: str, start: int) -> str:
    """The text inside the balanced {...} that opens at tex[start]."""
    depth = 0
    for k in range(start, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[k], 0)
        if depth == 0:
            return tex[start + 1:k]
    return tex[start + 1:]


def _split_commas(sub: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in sub:
        depth += {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def indexed_tensors(tex: str) -> list[tuple[str, list[str]]]:
    """(letter, index components) of every T_{...} and [T]_{...} whose T is one capital letter
    (bold, sans-serif or plain); a lone \\, between components is dropped."""
    found = []
    for m in re.finditer(r"_\s*\{", tex):
        before = tex[:m.start()].rstrip()
        if before.endswith("]"):
            depth, k = 0, len(before) - 1
            while k >= 0:
                depth += {"]": 1, "[": -1}.get(before[k], 0)
                if depth == 0:
                    break
                k -= 1
            base = TENSOR_BASE.fullmatch(before[k + 1:-1].strip())
        else:
            base = re.search(TENSOR_BASE.pattern + r"\s*$", before)
        if not base:
            continue
        letter = next(g for g in base.groups() if g)
        components = [re.sub(r"^\{(.*)\}$", r"\1", " ".join(c.split()))
                      for c in _split_commas(SPACING.sub(" ", _group(tex, m.end() - 1)))]
        found.append((letter, components))
    return found


def index_kind(component: str) -> str:
    """'channel', 'spatial' or 'other' (a number, ':', \\dots, a batch index n)."""
    if re.fullmatch(r"[cdol]'*", component):
        return "channel"
    letters = set(re.findall(r"(?<![A-Za-z])[a-z](?![A-Za-z])", re.sub(r"\\[A-Za-z]+", " ", component)))
    return "spatial" if letters & SPATIAL_LETTERS else "other"


def channel_order_problems(tex: str) -> list[str]:
    """What breaks 'channels first' in one formula.

    Channels first means: no channel index after a spatial one ([H]_{i,j,d}, [X]_{t,c}); with
    three or more indices the last is never a channel ([V]_{0,0,c,d}); a three-index tensor
    (c x h x w) starts with its channel, so a position letter there is a channel named i
    (X_{i,y+r,x+t}); a four-index kernel [K]_{o,c,a,b} has its input channel second
    (K_{o,i,r,t}). Four position indices ([W]_{i,j,i',j'} in 6.1) are a weight without channels.
    """
    problems = []
    for letter, components in indexed_tensors(tex):
        kinds = [index_kind(c) for c in components]
        written = f"{letter}_{{{','.join(map(squeeze, components))}}}"
        if "spatial" in kinds and "channel" in kinds[kinds.index("spatial"):]:
            problems.append(f"{written}: a channel index after a position index")
        elif len(kinds) >= 3 and kinds[-1] == "channel":
            problems.append(f"{written}: the channel index is last")
        elif len(kinds) == 3 and kinds[0] == "spatial":
            problems.append(f"{written}: the first of three indices is the channel, "
                            f"not the position letter {components[0]}")
        elif len(kinds) == 4 and kinds[0] == "channel" and kinds[1] == "spatial":
            problems.append(f"{written}: a kernel's second index is its input channel (c), "
                            f"not the position letter {components[1]}")
    return problems


def test_formulas_index_channels_first():
    failures = [f"{where}: {problem}   in ${tex}$"
                for where, text in book_markdown() + apparatus_markdown()
                for tex in formulas(text) for problem in channel_order_problems(tex)]
    assert not failures, ("channels first (intro.md 符号约定): [X]_{c,i,j}, [K]_{o,c,a,b}, "
                          "[H]_{d,i,j}; never [H]_{i,j,d}, [V]_{a,b,c,d} or i as a channel:\n"
                          + "\n".join(failures))


def test_the_channel_order_check_catches_channel_last():
    flagged = [r"[\mathsf{H}]_{i,j,d}", r"[\mathbf{V}]_{a,b,c,d}", r"[\mathsf X]_{i+a,j+b,c}",
               r"[\mathsf V]_{0,0,c,d}", r"[\mathbf X]_{t,c}", r"[\mathsf V]_{a,c,d}",
               r"\mathsf K_{o,i,r,t}", r"X_{i,\,y s_h + r,\,x s_w + t}", r"[H]_{i, j, d}"]
    for tex in flagged:
        assert channel_order_problems(tex), tex
    kept = [r"[\mathbf{X}]_{c,i,j}", r"[\mathbf{K}]_{o,c,a,b}", r"[\mathbf{H}]_{d,i,j}",
            r"[\mathbf{X}]_{c,\,i+a,\,j+b}", r"[\mathbf{K}]_{o,c,0,0}", r"[\mathbf{W}]_{o,c}",
            r"[\mathbf{Y}]_{:,i,j}", r"[\mathbf{X}]_{1,:,:}", r"[\mathsf{W}]_{i,j,i',j'}",
            r"[\mathbf{V}]_{i,j,a,b}", r"[\mathbf{X}]_{i+a,j+b}", r"\mathbf{K}_{o,c}",
            r"[\mathbf{V}]_{d,c,a}", r"[\mathbf{X}\star\mathbf{K}]_{i,j}", r"x_{i,j,c}"]
    for tex in kept:
        assert channel_order_problems(tex) == [], tex


# ---- typeface: bold for vectors, matrices and tensors; no sans-serif

def test_no_mathsf():
    failures = [f"{where}: {show(text, m.start(), m.end())}"
                for where, text in book_markdown() + apparatus_markdown()
                for m in re.finditer(r"\\mathsf", text)]
    assert not failures, ("tensors of every rank are bold (\\mathbf{X}), never \\mathsf "
                          "(intro.md 符号约定):\n" + "\n".join(failures))


# A capital letter the chapter uses for a matrix or tensor (X, K, Y, H, V, W, U, Z, G, P, S, A
# and the identity I), written plain in a formula. L (a loss), O(n), F(x) and the sets
# \mathbb{R}, \mathbb{Z} are not tensors; text inside \text{...} is not math.
TENSOR_LETTERS = frozenset("AGHIKPSUVWXYZ")
NOT_MATH_LETTERS = re.compile(r"\\(?:text\w*|mathrm|operatorname|mathbb|mathcal|mbox|begin|end"
                              r"|mathbf|mathsf|boldsymbol)\s*(?:\{[^{}]*\}|[A-Za-z])")


def plain_tensor_letters(tex: str) -> list[str]:
    bare = re.sub(r"\\[A-Za-z]+", " ", NOT_MATH_LETTERS.sub(" ", tex))
    return [m.group() for m in re.finditer(r"(?<![A-Za-z])[A-Z](?![A-Za-z])", bare)
            if m.group() in TENSOR_LETTERS]


def test_tensors_are_bold_in_formulas():
    failures = [f"{where}: plain {', '.join(letters)} in ${tex}$"
                for where, text in book_markdown() + apparatus_markdown() for tex in formulas(text)
                for letters in [plain_tensor_letters(tex)] if letters]
    assert not failures, ("matrices and tensors are bold upper case (\\mathbf{X}); a plain "
                          "$X$ is a scalar (intro.md 符号约定):\n" + "\n".join(failures))


def test_the_typeface_check_catches_plain_tensors():
    assert plain_tensor_letters(r"\partial L/\partial X") == ["X"]
    assert plain_tensor_letters(r"H = 2A^\top A") == ["H", "A", "A"]
    assert plain_tensor_letters(r"Y_{o,y,x} = \mathbf{K}") == ["Y"]
    for tex in [r"\mathbf{X}\star\mathbf{K}", r"\mathbf K_{o,c}", r"\mathbb R^{c_i}", r"\mathbb{Z}^2",
                r"O(n)", r"\partial L/\partial b", r"F(x)", r"\text{Xavier}", r"\boldsymbol\theta",
                r"\lfloor(n_h-k_h+p_h+s_h)/s_h\rfloor"]:
        assert plain_tensor_letters(tex) == [], tex


# ---- ordinals read as in everyday Chinese: 第 1 个 is the first, whose index is 0

# 第 0 (个/行/列/层/号 ...), also 第 $0$; and 第 $i$ with a letter the book uses for an index
# counted from 0 (i, j, a, b, c, d, o, t): for i = 0 it reads 第 0 个. Write 下标为 i 的行,
# 行 $i$, 通道 $c=1$ or the index itself ([X]_{i,j}).
ORDINAL_ZERO = re.compile(r"第\s*\$?\s*0(?![.\d])")
ORDINAL_INDEX = re.compile(r"第\s*\$\s*([ijabcdot])\s*\$")


def ordinal_problems(text: str) -> list[str]:
    found = [show(text, m.start(), m.end()) for m in ORDINAL_ZERO.finditer(text)]
    found += [show(text, m.start(), m.end()) + f" (the index ${m.group(1)}$ counts from 0)"
              for m in ORDINAL_INDEX.finditer(text)]
    return found


def test_ordinals_are_everyday_ordinals():
    failures = [f"{where}: {problem}" for where, text in book_markdown() + apparatus_markdown()
                for problem in ordinal_problems(prose(text))]
    failures += [f"{where}: {problem}" for where, text in output_texts()
                 for problem in ordinal_problems(text)]
    assert not failures, ("第 1 个 is the first (index 0); never 第 0 个 or 第 $i$ 个 for an "
                          "index from 0: write 下标为 1 的通道, 通道 $c=1$ or the index "
                          "(conventions, intro.md 符号约定):\n" + "\n".join(failures))


def test_the_ordinal_check_catches_zero_and_index_ordinals():
    for text in ["第 0 个通道", "第0行", "第 $0$ 列", "覆盖第 0、1 行", "第 $i$ 行、第 $j$ 列",
                 "第 $o$ 个输出通道", "第 $c$ 个输入通道"]:
        assert ordinal_problems(text), text
    for text in ["第 1 个通道", "第 10 轮", "下标为 0 的通道", "通道 $c=0$", "第 $k$ 轮",
                 "第 $i+1$ 行", "第 20 轮"]:
        assert ordinal_problems(text) == [], text


# ---- one term for downsampling

def test_downsampling_is_xiacaiyang():
    failures = [f"{where}: {show(text, m.start(), m.end())}"
                for where, text in book_text() + output_texts() + apparatus_markdown()
                for m in re.finditer("降采样", text)]
    assert not failures, "downsampling is 下采样, never 降采样:\n" + "\n".join(failures)


def test_the_downsampling_check_catches_jiangcaiyang():
    assert "降采样" in "先模糊再降采样" and "降采样" not in "先模糊再下采样"


# ---- cross references

ADJACENT = re.compile(r"([上下])一节")
SECTION_LABEL = re.compile(r"\s*6\.(\d)(?![\d])(?:\.\d+)*")
EXERCISE_LABEL = re.compile(r"\s*练习\s*6\.(\d)\.(\d+)\s*$")


def link_number(target: str, stem: str | None) -> int | None:
    """The section number of the notebook a link points to (its own one for '#anchor')."""
    path = target.partition("#")[0]
    return notebook_number(PurePosixPath(path).stem if path else stem)


def adjacent_reference_problems(text: str, stem: str | None) -> list[str]:
    """上一节/下一节 in notebook 6.N need a link to 6.N-1 / 6.N+1 after them, same sentence."""
    number, problems = notebook_number(stem), []
    for sentence in sentences(prose(text)):
        for m in ADJACENT.finditer(sentence):
            want = None if number is None else number + (1 if m.group(1) == "下" else -1)
            linked = [link_number(t, stem) for _, t in LINK.findall(sentence[m.end():])]
            if want is None or not 1 <= want <= 7:
                problems.append(f"{m.group(0)} where no section is adjacent: {sentence.strip()!r}")
            elif want not in linked:
                problems.append(f"{m.group(0)} is 6.{want}; the sentence needs a link to "
                                f"notebook 6.{want} after it: {sentence.strip()!r}")
    return problems


def section_link_problems(text: str, stem: str | None) -> list[str]:
    """A link whose text names a section (6.M 节, 6.M.K 节, 6.M title) points at 6.M;
    one whose text is 练习 6.M.K points at 6_7_exercises.ipynb#ex-6-M-K."""
    problems = []
    for label, target in LINK.findall(prose(text)):
        exercise = EXERCISE_LABEL.match(label)
        if exercise:
            want = f"6_7_exercises.ipynb#ex-6-{exercise.group(1)}-{exercise.group(2)}"
            if not (target == want or (stem == "6_7_exercises" and
                                       target == want.partition("6_7_exercises.ipynb")[2])):
                problems.append(f"[{label}]({target}) should point at {want}")
            continue
        section = SECTION_LABEL.match(label)
        if section and link_number(target, stem) != int(section.group(1)):
            problems.append(f"[{label}]({target}) points at notebook "
                            f"6.{link_number(target, stem)}, not 6.{section.group(1)}")
    return problems


def book_problems(check) -> list[str]:
    """'where: problem' for every problem check(text, stem) finds in the book's markdown."""
    return [f"{where}: {problem}" for where, stem, text in markdown_sources()
            for problem in check(text, stem)]


def test_shang_yi_jie_and_xia_yi_jie_link_the_adjacent_section():
    failures = book_problems(adjacent_reference_problems)
    assert not failures, ("上一节/下一节 only for the adjacent section, followed in the same "
                          "sentence by a link to it ([6.6 节](6_6_lenet.ipynb)); name any "
                          "other section by number with a link:\n" + "\n".join(failures))


def test_section_links_point_at_their_section():
    failures = book_problems(section_link_problems)
    assert not failures, "links whose text names a section must reach it:\n" + "\n".join(failures)


SECTION_MENTION = re.compile(r"(?<![\d.])6\.(\d)(?:\.\d+)*\s*节")


def unlinked_section_problems(text: str, stem: str | None) -> list[str]:
    """'6.M 节' (or 6.M.K 节) naming another notebook's section, outside a link's text."""
    bare = LINK.sub(lambda m: " " * len(m.group(0)), prose(text))
    return [show(bare, m.start(), m.end()) for m in SECTION_MENTION.finditer(bare)
            if int(m.group(1)) != notebook_number(stem)]


def test_other_sections_are_named_with_a_link():
    failures = book_problems(unlinked_section_problems)
    assert not failures, ("another section is named by number with a link: "
                          "[6.6 节](6_6_lenet.ipynb) or [6.6.6 节](6_6_lenet.ipynb#label) "
                          "(conventions, cross references):\n" + "\n".join(failures))


def test_the_cross_reference_checks_catch_wrong_references():
    bad = adjacent_reference_problems
    assert bad("下一节的 LeNet 先后用 6 个和 16 个通道。", "6_4_channels")
    assert bad("下一节的 [LeNet](6_6_lenet.ipynb) 用两个汇聚层。", "6_4_channels")
    assert bad("上一节推出了卷积层。", "6_2_conv_layer")
    assert bad("[6.1 节](6_1_why_conv.ipynb)推出了卷积层。上一节说过。", "6_2_conv_layer")
    assert bad("下一节讲练习。", "6_7_exercises") and bad("见下一节。", None)
    assert bad("下一节的 LeNet。", "6_5_pooling")
    assert bad("下一节（[6.6 节](6_6_lenet.ipynb)）的 LeNet。", "6_5_pooling") == []
    assert bad("上一节（[6.1 节](6_1_why_conv.ipynb#sec)）推出了卷积层。", "6_2_conv_layer") == []
    assert bad("与上一小节的结果相同。", "6_4_channels") == []
    links = section_link_problems
    assert links("见 [6.3 节](6_2_conv_layer.ipynb)。", "6_5_pooling")
    assert links("见 [6.6.6 节](#study)。", "6_7_exercises")
    assert links("见[练习 6.2.4](6_7_exercises.ipynb#ex-6-2-3)。", "6_3_padding_strides")
    assert links("见 [6.3 节](6_3_padding_strides.ipynb)、[6.6.6 节](6_6_lenet.ipynb#study)、"
                 "[练习 6.2.4](6_7_exercises.ipynb#ex-6-2-4)、[图](#fig-corr2d)。", "6_5_pooling") == []
    assert links("见[练习 6.2.4](#ex-6-2-4)。", "6_7_exercises") == []
    assert links("- [6.1 从全连接层到卷积](notebooks/6_1_why_conv.ipynb)：", None) == []
    unlinked = unlinked_section_problems
    assert unlinked("输出形状的公式与 6.3 节相同。", "6_5_pooling")
    assert unlinked("见 6.6.6 节的对比实验。", "6_7_exercises")
    assert unlinked("公式与 [6.3 节](6_3_padding_strides.ipynb)相同。", "6_5_pooling") == []
    assert unlinked("6.6.6 节会把它们换掉。", "6_6_lenet") == []      # its own subsection
    assert unlinked("`d2l.conv_output_shape`（6.3 节）", "6_5_pooling")
