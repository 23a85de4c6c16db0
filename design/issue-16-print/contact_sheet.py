#!/usr/bin/env python3
"""Tile rendered PDF pages (PNG files) into contact sheets: contact_sheet.py OUT_PREFIX PNG... [--cols N --rows M]"""
import sys
from PIL import Image, ImageDraw
args = sys.argv[1:]
cols, rows = 6, 4
if "--cols" in args:
    i = args.index("--cols"); cols = int(args[i + 1]); del args[i:i + 2]
if "--rows" in args:
    i = args.index("--rows"); rows = int(args[i + 1]); del args[i:i + 2]
out, files = args[0], sorted(args[1:])
per = cols * rows
for s in range(0, len(files), per):
    ims = [Image.open(f).convert("RGB") for f in files[s:s + per]]
    w = max(i.width for i in ims); h = max(i.height for i in ims)
    sheet = Image.new("RGB", (cols * (w + 6), rows * (h + 18)), (120, 120, 120))
    d = ImageDraw.Draw(sheet)
    for k, im in enumerate(ims):
        x, y = (k % cols) * (w + 6), (k // cols) * (h + 18)
        sheet.paste(im, (x, y + 16))
        d.text((x + 2, y + 2), str(s + k + 1), fill=(255, 255, 0))
    sheet.save(f"{out}-{s // per + 1:02d}.png")
