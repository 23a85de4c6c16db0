"""The glossary (glossary.md, 术语表) and the references (references.bib, 参考文献), issue 15.

Glossary. glossary.md holds one MyST {list-table} per section, one row per term::

    * - 卷积核 / 核 / 滤波器
      - convolution kernel / kernel / filter
      - [6.1 节](notebooks/6_1_why_conv.ipynb)
      - 一句话的释义。

Several names of one concept are separated by " / ", the book's own name first.

- Every term the book introduces as 中文（English） is in the glossary. An introduction is a
  run of Chinese characters followed by a parenthesis, full-width or ASCII, that opens with
  Latin text: 互相关（cross-correlation）, 卷积神经网络（convolutional neural network，CNN）,
  汇聚层（pooling layer，许多资料也称为池化层）; the English is the Latin text up to the first
  comma. Read from every markdown cell, every figure caption and intro.md, without code,
  headings (a heading names a section, it does not introduce a term) and link texts.
  The entry that covers it lists that English (case and spacing aside) among its English
  names, and one of its Chinese names occurs in the same sentence before the parenthesis
  (so 何恺明（Kaiming）初始化 and the im2col of 把"窗口矩阵"推广到多通道（im2col） are found).
  NOT_TERMS lists the few parentheses that are not terms, each with its reason.
- Each entry's link points at the notebook of first use: the first notebook, in book order,
  whose prose (markdown and captions, code left out) contains its Chinese name (the first
  one; a synonym may be an everyday word elsewhere, as 循环 is). The landing page is not a
  section and does not count. The link text names the place: the numbered subsection the
  first use falls in ([6.1.2 节](notebooks/6_1_why_conv.ipynb)), 练习 6.N.K in 6.7 (linked
  to its label, 6_7_exercises.ipynb#ex-6-N-K), or the section (6.1 节) before its first
  subsection.
- Every row has its four cells, the link text starts with that section's number, and no
  English name belongs to two entries.

References. Every {cite:p}`key` (and {cite:t}, {cite}) in the book has its entry in
references.bib; the keys the conventions fix are there; each entry has author, title, year.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest

from test_prose import INTRO, LINK, STEMS, cells, markdown_sources, prose, sentences, squeeze

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "glossary.md"
BIB = ROOT / "references.bib"

# Parentheses after Chinese text that do not introduce a term of the chapter.
NOT_TERMS = {
    "true": "6.6: the label printed above each test image in the prediction figure",
    "pred": "6.6: the label printed above each test image in the prediction figure",
    "derivation": "6.7's introduction: 推导 is an everyday word here, not a term of the chapter",
}

INTRODUCED = re.compile(r"([\u4e00-\u9fff]+)\**\s*[（(]\s*\**([A-Za-z][A-Za-z0-9 \-'./×]*?)\**\s*"
                        r"(?:[，,][^（）()\n]*)?[）)]")
HEADING = re.compile(r"^#{1,6} .*$", re.M)
LATIN_PARENTHESIS = re.compile(r"[（(]\s*[A-Za-z][^（）()\n]*[）)]")


def _normal(english: str) -> str:
    return " ".join(english.lower().replace("×", "x").split())


def forms(text: str) -> list[str]:
    return [f.strip() for f in text.split(" / ") if f.strip()]


@dataclass
class Entry:
    chinese: list[str]
    english: list[str]
    link: str
    definition: str
    line: int = 0
    link_text: str = field(default="")

    @property
    def where(self) -> str:
        return f"glossary.md, line {self.line} ({' / '.join(self.chinese)})"


ROW = re.compile(r"^\* - (.*)\n((?:  - .*\n?)*)", re.M)


def glossary_entries(text: str | None = None) -> list[Entry]:
    """The rows of the {list-table} blocks of glossary.md, header rows left out."""
    text = GLOSSARY.read_text(encoding="utf-8") if text is None else text
    entries = []
    for m in ROW.finditer(text):
        cells_ = [m.group(1).strip()] + [c[4:].strip() for c in m.group(2).splitlines()]
        number = text.count("\n", 0, m.start()) + 1
        if cells_[0] == "中文":
            continue
        if len(cells_) != 4:
            entries.append(Entry([cells_[0]], [], "", "", number))
            continue
        zh, en, link, definition = cells_
        found = LINK.fullmatch(link)
        entries.append(Entry(forms(zh), forms(en), found.group(2) if found else "", definition,
                             number, found.group(1) if found else ""))
    return entries


def reader_prose(stem: str) -> str:
    """What a reader reads of a notebook, code left out: markdown cells and captions."""
    parts = []
    for cell in cells(stem):
        if cell.kind == "markdown":
            parts.append(prose(cell.source))
        elif cell.figure:
            parts.append(cell.figure.get("caption", ""))
    # 何恺明（Kaiming）初始化 reads 何恺明初始化: the English in parentheses is left out
    return squeeze(LATIN_PARENTHESIS.sub("", "\n".join(parts)))


def first_use(entry: Entry) -> str | None:
    """The first notebook whose prose contains the entry's Chinese name (its first one: a
    synonym such as 循环 for 循环填充 is also an everyday word)."""
    for stem in STEMS:
        if squeeze(entry.chinese[0]) in reader_prose(stem):
            return stem
    return None


SUBSECTION = re.compile(r"^#{2,3}\s+(?:(6\.\d\.\d+)\s|练习\s*(6\.\d\.\d+))")
# 6.7's exercises are {exercise} directives, numbered from their label (_ext/exercise_numbers.py)
EXERCISE_LABEL_OPTION = re.compile(r"^:label:\s+ex-6-(\d)-(\d+)\s*$")


def first_use_place(entry: Entry) -> tuple[str, str] | None:
    """(notebook, place) of the first use: the place is the numbered subsection it falls in
    ('6.1.2 节'), '练习 6.1.3' in 6.7 (the exercise whose :label: is ex-6-1-3), or the section
    ('6.1 节') before its first subsection."""
    stem = first_use(entry)
    if stem is None:
        return None
    name = squeeze(entry.chinese[0])
    place = f"{TITLES[stem][0]} 节"
    for cell in cells(stem):
        if cell.kind == "markdown":
            lines = prose(cell.source).splitlines()
        elif cell.figure:
            lines = [cell.figure.get("caption", "")]
        else:
            continue
        for line in lines:
            heading = SUBSECTION.match(line)
            if heading:
                place = f"{heading.group(1)} 节" if heading.group(1) else f"练习 {heading.group(2)}"
            exercise = EXERCISE_LABEL_OPTION.match(line)
            if exercise:
                place = f"练习 6.{exercise.group(1)}.{exercise.group(2)}"
            if name in squeeze(LATIN_PARENTHESIS.sub("", line)):
                return stem, place
    return stem, place


def _title(stem: str) -> tuple[str, str]:
    first = next(c.source for c in cells(stem) if c.kind == "markdown")
    m = re.match(r"#\s+(6\.\d)\s+(.+)", first)
    return (m.group(1), m.group(2).strip()) if m else ("?", stem)


TITLES = {stem: _title(stem) for stem in STEMS}


def introduced_terms(text: str) -> list[tuple[str, str]]:
    """(sentence before the parenthesis, English) of every 中文（English） in a markdown text."""
    bare = LINK.sub(" ", HEADING.sub(" ", prose(text)))
    found = []
    for sentence in sentences(bare):
        for m in INTRODUCED.finditer(sentence):
            found.append((sentence[:m.start(0) + len(m.group(1))], m.group(2).strip()))
    return found


def covering_entry(entries: list[Entry], before: str, english: str) -> Entry | None:
    for entry in entries:
        if _normal(english) in map(_normal, entry.english) and \
                any(squeeze(name) in squeeze(before) for name in entry.chinese):
            return entry
    return None


# --------------------------------------------------------------------------- the glossary

def test_glossary_rows_are_complete():
    problems = []
    for entry in glossary_entries():
        if not entry.english or not entry.link or not entry.definition:
            problems.append(f"{entry.where}: a row is 中文, English, [6.N 节](notebooks/...), 释义")
            continue
        path = PurePosixPath(entry.link.partition("#")[0])
        if path.parent != PurePosixPath("notebooks") or path.stem not in STEMS:
            problems.append(f"{entry.where}: the link {entry.link} is not a notebook of the book")
        if not entry.definition.endswith("。"):
            problems.append(f"{entry.where}: the definition is one sentence ending with 。")
    assert glossary_entries(), "glossary.md has no entries"
    assert not problems, "\n".join(problems)


def test_glossary_english_names_are_unique():
    owner, clashes = {}, []
    for entry in glossary_entries():
        for name in map(_normal, entry.english):
            if name in owner and owner[name] is not entry:
                clashes.append(f"{entry.where} and {owner[name].where} both list {name!r}")
            owner[name] = entry
    assert not clashes, "\n".join(clashes)


def test_glossary_links_point_at_the_section_of_first_use():
    problems = []
    for entry in glossary_entries():
        found = first_use_place(entry)
        linked = PurePosixPath(entry.link.partition("#")[0]).stem
        if found is None:
            problems.append(f"{entry.where}: its Chinese name occurs in no notebook")
            continue
        stem, place = found
        if linked != stem:
            problems.append(f"{entry.where}: first used in {stem} ({place}), "
                            f"but the link points at {linked}")
        elif entry.link_text != place:
            problems.append(f"{entry.where}: first used in {place}, but the link reads "
                            f"{entry.link_text!r}")
        elif place.startswith("练习") and \
                entry.link.partition("#")[2] != "ex-" + place.split()[1].replace(".", "-"):
            problems.append(f"{entry.where}: {place} has the label "
                            f"#ex-{place.split()[1].replace('.', '-')}; link there")
    assert not problems, "\n".join(problems)


def test_every_introduced_term_is_in_the_glossary():
    entries = glossary_entries()
    missing = []
    for where, _, text in markdown_sources():
        for before, english in introduced_terms(text):
            if _normal(english) in NOT_TERMS:
                continue
            if covering_entry(entries, before, english) is None:
                missing.append(f"{where}: …{before[-12:]}（{english}） has no glossary entry "
                               "with this English name and a Chinese name in the sentence")
    assert not missing, ("terms introduced as 中文（English） belong in glossary.md (tell the "
                         "apparatus helper / the lead):\n" + "\n".join(missing))


def test_the_term_pattern_finds_introductions_and_skips_the_rest():
    found = introduced_terms("带加号的运算叫互相关（cross-correlation）。以卷积层为主的网络称为"
                             "卷积神经网络（convolutional neural network，CNN）。本节介绍汇聚层"
                             "（pooling layer，许多资料也称为池化层）：**消融实验**（ablation）")
    assert [e for _, e in found] == ["cross-correlation", "convolutional neural network",
                                     "pooling layer", "ablation"]
    assert introduced_terms("# 6.6 卷积神经网络（LeNet）\n\n见[6.6 卷积神经网络（LeNet）](x.ipynb)。"
                            "用 `nn.init.xavier_uniform_`（`xavier`）初始化，参数（共 2 个）、"
                            "形状（批量大小，通道，高，宽）、textCNN（Kim，2014）。") == []
    entries = glossary_entries("* - 中文\n  - English\n  - 首次出现\n  - 释义\n* - 互相关\n"
                               "  - cross-correlation\n  - [6.1 节](notebooks/6_1_why_conv.ipynb)\n"
                               "  - 定义。\n")
    assert len(entries) == 1 and entries[0].link_text == "6.1 节"
    assert covering_entry(entries, "带加号的运算叫互相关", "Cross-Correlation")
    assert covering_entry(entries, "带加号的运算叫卷积", "cross-correlation") is None
    assert covering_entry(entries, "带加号的运算叫互相关", "convolution") is None


# --------------------------------------------------------------------------- the references

CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
CONVENTION_KEYS = ["lecun1998gradient", "xiao2017fashion", "dumoulin2016guide",
                   "kingma2015adam", "glorot2010understanding", "kim2014convolutional"]


def bib_entries() -> dict[str, str]:
    text = BIB.read_text(encoding="utf-8")
    return {m.group(1): m.group(2)
            for m in re.finditer(r"^@\w+\{([^,\s]+),(.*?)^\}", text, re.M | re.S)}


def test_references_hold_the_conventions_keys_with_author_title_year():
    entries = bib_entries()
    assert [k for k in CONVENTION_KEYS if k not in entries] == []
    incomplete = [f"{key}: no {name}" for key, body in entries.items()
                  for name in ("author", "title", "year")
                  if not re.search(rf"^\s*{name}\s*=", body, re.M)]
    assert not incomplete, "\n".join(incomplete)


def test_every_citation_has_a_reference():
    keys = bib_entries()
    texts = [(where, text) for where, _, text in markdown_sources()]
    texts += [(p.name, p.read_text(encoding="utf-8")) for p in (GLOSSARY, ROOT / "references.md")]
    missing = [f"{where}: {{cite}}`{key}` is not in references.bib"
               for where, text in texts for m in CITE.finditer(text)
               for key in m.group(1).split(",") if key.strip() not in keys]
    assert not missing, "\n".join(missing)


def test_the_citation_pattern_reads_every_form():
    text = "见 {cite:p}`lecun1998gradient`、{cite:t}`xiao2017fashion` 和 {cite}`a,b`。"
    assert [m.group(1) for m in CITE.finditer(text)] == ["lecun1998gradient", "xiao2017fashion", "a,b"]
