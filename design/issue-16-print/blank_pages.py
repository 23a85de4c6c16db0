#!/usr/bin/env python3
"""Per-page blank fraction of a PDF, measured from rendered pages.

    blank_pages.py FILE.pdf [--dpi 40] [--limit 0.15] [--json OUT]

Each page is rendered in grey at low resolution (pdftoppm). A row is ink when one of
its pixels is darker than 245 (code boxes have a frame, so their rows are ink). The
text block is the band between the median first ink row and the median last ink row
over all pages (it holds the running head / footer of an ordinary page). A page's
blank fraction is the sum of its runs of inkless rows that are at least --gap mm
long (ordinary line and paragraph spacing is shorter), inside that band, divided by
the band's height. Pages that end a section (the page before a level-1/2 outline
entry of pypdf's outline, and the last page) are reported separately.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def render(pdf, dpi, out):
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-png", str(pdf), str(out / "p")], check=True)
    return sorted(out.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))


def section_last_pages(pdf):
    """Pages (1-based) that are the last of a section: the page before each top-level-ish outline entry."""
    try:
        import pypdf
    except ImportError:
        return set(), []
    reader = pypdf.PdfReader(str(pdf))
    starts, flat = [], []

    def walk(items, level):
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                page = reader.get_destination_page_number(it) + 1
                flat.append((level, it.title, page))
    walk(reader.outline, 0)
    # section = a notebook (6.1 ... 6.7) or the book's opener; their outline level is the
    # shallowest level at which a title starts with "6."
    levels = [lvl for lvl, t, _ in flat if t.strip().startswith("6.") and len(t.split()[0]) == 3]
    sec_level = min(levels) if levels else 0
    for lvl, t, page in flat:
        if lvl <= sec_level:
            starts.append(page)
    last = {p - 1 for p in starts if p > 1} | {len(reader.pages)}
    return last, flat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pdf")
    ap.add_argument("--dpi", type=int, default=40)
    ap.add_argument("--gap", type=float, default=8.0, help="mm: shorter inkless runs are line spacing")
    ap.add_argument("--limit", type=float, default=0.15)
    ap.add_argument("--json")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = render(a.pdf, a.dpi, Path(tmp))
        inks = []
        for f in files:
            im = np.asarray(Image.open(f).convert("L"))
            inks.append((im < 245).any(axis=1))
    firsts = [np.argmax(r) for r in inks if r.any()]
    lasts = [len(r) - 1 - np.argmax(r[::-1]) for r in inks if r.any()]
    top, bottom = int(np.median(firsts)), int(np.median(lasts))
    band = bottom - top + 1
    gap_px = a.gap / 25.4 * a.dpi
    fractions = []
    for r in inks:
        rows = r[top:bottom + 1]
        blank, run = 0, 0
        for ink in list(rows) + [True]:
            if not ink:
                run += 1
            else:
                if run >= gap_px:
                    blank += run
                run = 0
        fractions.append(blank / band)
    last, flat = section_last_pages(a.pdf)
    n = len(fractions)
    first_body = min((p for _, _, p in flat), default=1)  # cover and contents are front matter
    last |= set(range(1, first_body))
    over = [(i + 1, round(f, 3)) for i, f in enumerate(fractions) if f > a.limit]
    over_body = [(p, f) for p, f in over if p not in last]
    print(f"{a.pdf}: {n} pages; text band rows {top}-{bottom} at {a.dpi} dpi")
    print(f"mean blank {np.mean(fractions):.3f}, median {np.median(fractions):.3f}; pages > {a.limit:.0%}: {len(over)}"
          f" (of which not a section's last page: {len(over_body)})")
    for lim in (0.15, 0.25, 0.5, 0.8):
        print(f"  pages > {lim:.0%} blank: {sum(f > lim for f in fractions)}"
              f", excluding section-last pages: {sum(f > lim for i, f in enumerate(fractions) if i + 1 not in last)}")
    print("  over the limit, not a section's last page:", over_body)
    print("  section-last (or front matter) pages:", sorted(last))
    if a.json:
        Path(a.json).write_text(json.dumps({"pages": n, "fractions": fractions, "section_last": sorted(last),
                                            "outline": flat}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
