"""Every number the prose quotes from a run is printed next to it (issue 15).

A markdown cell that quotes a number printed by a code cell lists it in its metadata,
exactly as the text writes it::

    "metadata": {"quotes": ["0.905", "0.04"]}

A figure's caption lives in its code cell's metadata (``mystnb.figure.caption``); numbers
the caption quotes are listed under ``"quotes"`` in the same code cell's metadata.

The rules (each test names the notebook, the cell and the number that fail):

1. ``quotes`` is a list of strings, each a number as the text writes it (``0.905``,
   ``28%``, ``2,572``; an integer such as ``32`` may be listed too, and is then checked).
2. Each listed string occurs in the cell's text (the markdown, or the caption), as a whole
   number: ``0.9`` is not found in ``0.905``.
3. Each listed string occurs, as a whole number, in the stored text output (a stream,
   ``text/plain`` or ``text/html``) of a code cell at most 3 cells before or after the
   quoting cell (the figure cell itself counts for a caption). "Whole number" means: not
   preceded by a digit or a decimal point, not followed by a digit; so ``0.80`` is not found
   in ``0.800``, and the prose writes the number as it was printed (or the code prints it
   the way the prose writes it).
4. Every quotable number in the prose is listed, unless it is a setting. Quotable numbers:
   - decimals ``d.d`` (``0.905``, ``2.303``), in text and in math alike: the chapter's
     formulas are symbolic, so a decimal inside ``$...$`` (``$\\eta\\lambda_{\\max}=1.80$``)
     is a computed value, not a constant of the formula;
   - percentages (``28%``, ``2.5%``);
   - integers written with thousands separators (``2,572``, ``48,120``): counts a cell
     printed.
   Plain integers (kernel sizes, channels, epochs, seeds, shapes) are not checked: they are
   settings or facts of the construction, far too many to list, and rarely measured.
   Not quotable: what is inside code spans and fenced code, link targets and URLs, section
   numbers (``6.6.6 节``, ``6.1–6.6``, ``练习 6.2.4``, any 6.N with N = 1..7 not followed by a
   unit such as 倍), and numbers in headings.
   A setting is a number that appears literally, as a whole number, in the source of some
   code cell of the same notebook (``lr=0.9``, ``assert acc > 0.5``, ``atol=0.01``): the
   prose may name it without printing it, because the code shows it (a threshold the next
   cell asserts is such a setting, as CONTRIBUTING.md asks). A section's ``## 练习`` list
   names the parameters of its tasks, which the solutions in 6.7 set: there the code of
   6_7_exercises counts too. A formula constant is not a quote either: a decimal that
   follows = or \\approx after a closed-form expression of numbers only
   (``$\\ln 10\\approx 2.303$``); ``$2/\\lambda_{\\max}\\approx 0.016$`` is a quote.

Numbers that vary between machines are not quoted at all (CONTRIBUTING.md); this test does
not know which ones those are, only that what is quoted was printed beside it.
"""
from __future__ import annotations

import re

import pytest

from test_prose import STEMS, Cell, cells, prose

WINDOW = 3

# quotable numbers: percentages, decimals, integers with thousands separators
NUMBER = re.compile(r"(?<![\w.,])(?:\d+(?:\.\d+)?\s*%|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\w.]*\d)")
# what a listed quote may be: a number as written, integers included (0.905, 2,572, 28%, −1)
QUOTE_FORM = re.compile(r"[-−]?\d+(?:,\d{3})*(?:\.\d+)?\s*%?")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
URL = re.compile(r"https?://\S+")
HEADING = re.compile(r"^#{1,6} .*$", re.M)
LABEL = re.compile(r"^\([^)\n]*\)=\s*$", re.M)


def whole(number: str) -> re.Pattern:
    """number as a whole number: not inside a longer number."""
    return re.compile(r"(?<![\d.])" + re.escape(number) + r"(?!\d)")


MATH = re.compile(r"\$\$.+?\$\$|(?<!\\)\$.+?(?<!\\)\$", re.S)
RELATION = re.compile(r"\\approx|=")
CONSTANT_PART = re.compile(r"\\(?:ln|log|exp|sqrt|frac|dfrac|tfrac|pi|cdot|times|left|right)|[\d\s.+\-/^{}()e$]")


def _without_formula_constants(tex: str) -> str:
    """A formula with the value of each closed-form constant blanked: in $\\ln 10\\approx 2.303$
    or $1/\\sqrt{2}=0.707$ the decimal evaluates numbers only, it is not a quote."""
    parts = RELATION.split(tex)
    for k in range(1, len(parts)):
        value = parts[k].strip().strip("$").strip().rstrip(".,;，。")
        if re.fullmatch(r"\d+\.\d+", value) and parts[k - 1].strip() \
                and not CONSTANT_PART.sub("", parts[k - 1]):
            parts[k] = " "
    return "=".join(parts)


def quotable_numbers(markdown: str) -> list[str]:
    """The quotable numbers of a markdown text, in order (see the module docstring)."""
    text = MATH.sub(lambda m: _without_formula_constants(m.group()), prose(markdown))
    for pattern in (LINK_TARGET, URL, HEADING, LABEL):
        text = pattern.sub(" ", text)
    # section numbers: 6.6.6 节, 练习 6.2.4, 6.1–6.6 (6.8 倍 stays a number)
    text = re.sub(r"(?<![\d.])6\.[1-7](?:\.\d+)+", " ", text)
    text = re.sub(r"(?<![\d.])6\.[1-7](?![\d.])(?!\s*(?:倍|秒|分|%))", " ", text)
    return [re.sub(r"\s+", "", m.group()) for m in NUMBER.finditer(text)]


def quoting_texts(stem: str) -> list[tuple[Cell, str, str]]:
    """(cell, where, text) of every markdown cell and every figure caption of a notebook."""
    found = []
    for cell in cells(stem):
        if cell.kind == "markdown":
            found.append((cell, cell.where, cell.source))
        elif cell.figure:
            found.append((cell, f"{cell.where}, figure caption", cell.figure.get("caption", "")))
    return found


def output_text(cell: Cell) -> str:
    parts = []
    for output in cell.outputs:
        parts.append(_joined(output.get("text", "")))
        data = output.get("data", {})
        parts += [_joined(data.get(kind, "")) for kind in ("text/plain", "text/html")]
    return "\n".join(parts)


def _joined(text) -> str:
    return "".join(text) if isinstance(text, list) else (text or "")


def nearby_outputs(cell: Cell) -> str:
    """The stored text outputs of the code cells at most WINDOW cells away (itself included)."""
    book = cells(cell.notebook)
    near = book[max(0, cell.index - WINDOW):cell.index + WINDOW + 1]
    return "\n".join(output_text(c) for c in near if c.kind == "code")


def settings(stem: str) -> str:
    return "\n".join(c.source for c in cells(stem) if c.kind == "code")


def is_exercise_list(cell: Cell) -> bool:
    return cell.kind == "markdown" and re.match(r"\s*## 练习", cell.source) is not None


def quote_problems(stem: str) -> list[str]:
    """Everything that breaks rules 1-4 in one notebook, a line each."""
    problems, code = [], settings(stem)
    for cell, where, text in quoting_texts(stem):
        listed = cell.metadata.get("quotes", [])
        if not isinstance(listed, list) or not all(isinstance(q, str) for q in listed):
            problems.append(f"{where}: metadata 'quotes' must be a list of strings, got {listed!r}")
            continue
        if cell.kind == "code" and not text:
            continue
        outputs = nearby_outputs(cell)
        for quote in listed:
            if not QUOTE_FORM.fullmatch(quote):
                problems.append(f"{where}: quote {quote!r} is not a number as the text writes it")
            if not whole(quote).search(prose(text)):
                problems.append(f"{where}: quote {quote!r} is listed but not in the text")
            if not whole(quote).search(outputs):
                problems.append(f"{where}: quote {quote!r} is not printed by a code cell within "
                                f"{WINDOW} cells (stream, text/plain or text/html output)")
        # an exercise list names the task's parameters; 6.7's solutions set them in code
        setting = code + (settings("6_7_exercises") if is_exercise_list(cell) else "")
        for number in dict.fromkeys(quotable_numbers(text)):
            if number not in listed and not whole(number).search(setting):
                problems.append(f"{where}: {number} is quoted but not listed in metadata "
                                f"'quotes' (and no code cell of the notebook has it as a setting): "
                                f"{_context(prose(text), number)}")
    return problems


def _context(text: str, number: str, margin: int = 25) -> str:
    m = whole(number).search(text)
    if not m:
        return ""
    return repr(text[max(0, m.start() - margin):m.end() + margin].replace("\n", " "))


@pytest.mark.parametrize("stem", STEMS)
def test_quoted_numbers_are_listed_and_printed(stem):
    problems = quote_problems(stem)
    assert not problems, ("a number the prose quotes is listed in the cell's metadata "
                          "'quotes' and printed by a code cell within 3 cells:\n"
                          + "\n".join(problems))


# --------------------------------------------------------------------------- the rules, on synthetic cells

def _notebook(*specs) -> tuple[Cell, ...]:
    """Cells from (kind, source, metadata, printed text) tuples."""
    built = []
    for i, (kind, source, metadata, printed) in enumerate(specs):
        outputs = [{"output_type": "stream", "name": "stdout", "text": printed}] if printed else []
        built.append(Cell("6_9_synthetic", i, f"c{i}", kind, source, metadata, outputs))
    return tuple(built)


@pytest.fixture
def synthetic(monkeypatch):
    import test_quotes
    book = {}
    monkeypatch.setattr(test_quotes, "cells", lambda stem: book[stem])

    def check(*specs):
        book["6_9_synthetic"] = _notebook(*specs)
        return quote_problems("6_9_synthetic")
    return check


def test_the_quote_rules_accept_a_listed_printed_number(synthetic):
    assert synthetic(("code", "lr = 0.9\nprint(f'{acc:.3f}')", {}, "测试准确率 0.905\n"),
                     ("markdown", "学习率 0.9 时测试准确率约为 0.905。", {"quotes": ["0.905"]}, "")) == []


def test_the_quote_rules_catch_an_unlisted_number(synthetic):
    problems = synthetic(("code", "print(acc)", {}, "0.905\n"),
                         ("markdown", "测试准确率约为 0.905，参数占 28%，共 2,572 个。", {}, ""))
    assert len(problems) == 3 and all("not listed" in p for p in problems)
    assert any("28%" in p for p in problems) and any("2,572" in p for p in problems)


def test_the_quote_rules_catch_a_quote_not_printed_nearby(synthetic):
    far = [("code", "print(acc)", {}, "0.905\n")] + [("markdown", "。", {}, "")] * 4
    problems = synthetic(*far, ("markdown", "约为 0.905。", {"quotes": ["0.905"]}, ""))
    assert any("not printed" in p for p in problems)
    problems = synthetic(("code", "print(acc)", {}, "0.9050\n"),
                         ("markdown", "约为 0.905。", {"quotes": ["0.905"]}, ""))
    assert any("not printed" in p for p in problems), "0.905 is not the whole number 0.9050"


def test_the_quote_rules_catch_a_quote_missing_from_the_text(synthetic):
    problems = synthetic(("code", "print(acc)", {}, "0.905\n"),
                         ("markdown", "约为 0.91。", {"quotes": ["0.905", "0.91"]}, ""))
    assert any("'0.905' is listed but not in the text" in p for p in problems)
    assert any("0.91" in p and "not printed" in p for p in problems)


def test_settings_sections_code_and_links_are_not_quotes(synthetic):
    assert synthetic(
        ("code", "train(lr=0.9)\nassert acc > 0.75", {}, ""),
        ("markdown", "学习率 0.9，断言测试准确率在 0.75 以上（6.6.6 节，练习 6.2.4，6.1–6.6 各节）。"
                     "`0.123` 是代码；[论文](https://arxiv.org/abs/1603.07285)。", {}, "")) == []
    assert synthetic(("code", "lr = 0.9", {}, ""), ("markdown", "学习率 0.95。", {}, ""))
    assert synthetic(("code", "x = 1", {}, ""), ("markdown", "内存是 6.8 倍。", {}, ""))


def test_formula_constants_are_not_quotes_but_computed_values_are(synthetic):
    assert synthetic(("code", "x = 1", {}, ""),
                     ("markdown", r"交叉熵 $\ln 10\approx 2.303$，$1/\sqrt{2} = 0.707$。", {}, "")) == []
    problems = synthetic(("code", "x = 1", {}, ""),
                         ("markdown", r"$\eta\lambda_{\max}=1.80$，$2/\lambda_{\max}\approx0.016$。", {}, ""))
    assert len(problems) == 2, problems


def test_an_exercise_list_may_name_a_parameter_its_solution_sets(synthetic, monkeypatch):
    import test_quotes
    monkeypatch.setattr(test_quotes, "settings",
                        lambda stem: "assert acc >= 0.88" if stem == "6_7_exercises" else "")
    assert synthetic(("markdown", "## 练习\n\n1. 让测试准确率达到 0.88 以上。", {}, "")) == []
    assert synthetic(("markdown", "测试准确率达到 0.88。", {}, ""))


def test_a_caption_lists_its_quotes_in_the_figure_cell(synthetic):
    figure = {"mystnb": {"figure": {"name": "fig-x", "caption": "测试准确率 0.905 的网络。"}}}
    problems = synthetic(("code", "print(acc)", {}, "0.905\n"), ("code", "fig = plot()", figure, ""))
    assert problems and "figure caption" in problems[0]
    assert synthetic(("code", "print(acc)", {}, "0.905\n"),
                     ("code", "fig = plot()", {**figure, "quotes": ["0.905"]}, "")) == []


if __name__ == "__main__":      # python tests/test_quotes.py: the current problems, per notebook
    import sys
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    for stem in STEMS:
        found = quote_problems(stem)
        print(f"## {stem}.ipynb: {len(found)} problem(s)")
        print("\n".join(found) + ("\n" if found else ""))
