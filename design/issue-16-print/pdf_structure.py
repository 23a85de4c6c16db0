#!/usr/bin/env python3
"""Outline, contents links and running heads of a PDF (pypdf + pdftotext): pdf_structure.py FILE.pdf

- outline: level, title, page (flags doubled titles like "小结小结" and titles that lost math);
- links: for every internal link on the contents pages (the pages before the first outline
  entry's page... or those given by --toc-pages), the page it lands on and whether that page's
  text contains the link's text (its heading);
- heads: the first text line of every page (the running head).
"""
import argparse
import re
import subprocess

import pypdf


def page_text(pdf, n):
    return subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", pdf, "-"],
                          capture_output=True, text=True).stdout


def squash(s):
    return re.sub(r"\s+", "", s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pdf")
    ap.add_argument("--toc-pages", default="")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--tocdepth", type=int, default=2)
    a = ap.parse_args()
    r = pypdf.PdfReader(a.pdf)
    flat = []

    def walk(items, level):
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                flat.append((level, it.title, r.get_destination_page_number(it) + 1))
    walk(r.outline, 0)
    print(f"outline: {len(flat)} entries, levels {sorted({l for l, _, _ in flat})}")
    doubled = [t for _, t, _ in flat if re.fullmatch(r"(.+)\1", squash(t))]
    print("  doubled titles:", doubled)
    if not a.quiet:
        for l, t, p in flat:
            print(f"  {'  ' * l}{t}  [p{p}]")
    # headings land: outline entry page text contains the title (squashed, math-insensitive)
    miss = []
    for l, t, p in flat:
        key = squash(t)[:12]
        if key and key not in squash(page_text(a.pdf, p)):
            miss.append((t, p))
    print(f"  outline entries whose page does not show the title: {len(miss)}", miss[:10])
    first = min(p for _, _, p in flat)
    toc_pages = [int(x) for x in a.toc_pages.split(",") if x] or list(range(1, first))
    labels = list(r.page_labels) if r.page_labels else [str(i + 1) for i in range(len(r.pages))]
    targets = []
    for n in toc_pages:
        for annot in r.pages[n - 1].get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            act = annot.get("/A")
            if dest is None and act is not None and act.get("/S") == "/GoTo":
                dest = act.get("/D")
            if dest is None:
                continue
            if not isinstance(dest, list):
                named = r.named_destinations.get(str(dest))
                targets.append(r.get_destination_page_number(named) + 1 if named else None)
            else:
                targets.append(r.get_page_number(dest[0]) + 1)
    # the printed page numbers of the contents, in order
    printed = []
    for n in toc_pages:
        for line in page_text(a.pdf, n).splitlines():
            m = re.search(r"\S\s*(?:\.\s*)*\s(\d+|[ivxlc]+)\s*$", line)
            if m and not re.fullmatch(r"\s*(\d+|[ivxlc]+)\s*", line):
                printed.append(m.group(1))
    tocdepth = a.tocdepth
    expected = [p for l, _, p in flat if l <= tocdepth]
    print(f"contents pages {toc_pages}: {len(targets)} internal links, {len(expected)} outline entries of level <= {tocdepth},"
          f" {len(printed)} printed page numbers")
    same = sum(t == e for t, e in zip(targets, expected))
    print(f"  links landing on their outline entry's page: {same}/{len(expected)}")
    bad = [(i, t, e) for i, (t, e) in enumerate(zip(targets, expected)) if t != e]
    print("  mismatches (index, link page, heading page):", bad[:10])
    lab = [labels[t - 1] if t else None for t in targets]
    okp = sum(p == l for p, l in zip(printed, lab))
    print(f"  printed page number == page label of the link's target: {okp}/{len(printed)}",
          [(p, l) for p, l in zip(printed, lab) if p != l][:10])
    heads = [page_text(a.pdf, n).strip().splitlines()[:1] for n in range(1, len(r.pages) + 1)]
    print("running heads (first line of pages 1-12):")
    for n, h in enumerate(heads[:12], 1):
        print(f"  p{n}: {h[0][:90] if h else ''}")


if __name__ == "__main__":
    main()
