#!/usr/bin/env python3
"""`make release`: one archive for readers, d2l-ch6-cnn-VERSION.zip.

    python tools/make_release.py --pdf _build/pdf/d2l-ch6-cnn.pdf --output _build/release/d2l-ch6-cnn-0.1.0.zip
                                 [--copy-to _build/html]

The archive holds one folder, d2l-ch6-cnn-VERSION/, with
  notebooks/*.ipynb       every notebook of notebooks/, as committed: with its stored outputs
  d2lmini-VERSION-py3-none-any.whl   the package the notebooks import (pip install it)
  d2l-ch6-cnn.pdf         the book as one A4 PDF
  README.md, CHANGELOG.md, requirements.txt
VERSION is pyproject.toml's version, the one place it is written. --copy-to also puts a copy
named d2l-ch6-cnn.zip beside the web book, where the landing page links it.
Needs only the standard library and pip (the wheel is built from a copy of the sources, so
the checkout gets no build/ folder); Pages runs it in its torch-free venv.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "d2l-ch6-cnn"
LINKED_NAME = f"{NAME}.zip"   # the name the landing page links
EXTRA_FILES = ("README.md", "CHANGELOG.md", "requirements.txt")


def version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    return re.search(r'^version\s*=\s*"([^"]+)"', project, re.M).group(1)


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def check_outputs(path: Path) -> None:
    """A notebook in the release carries its outputs: at least one code cell has some."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    if code and not any(c.get("outputs") for c in code):
        raise SystemExit(f"{path.relative_to(ROOT)} has no stored outputs: execute it before a release")


def build_wheel(dest: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        shutil.copytree(ROOT / "d2lmini", src / "d2lmini",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, src / name)
        cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dest), str(src)]
        try:  # setuptools here and new enough: no download of the build backend
            import setuptools
            if int(setuptools.__version__.split(".")[0]) >= 77:
                cmd.insert(4, "--no-build-isolation")
        except ImportError:
            pass
        subprocess.run(cmd, check=True)
    (wheel,) = dest.glob("d2lmini-*.whl")
    return wheel


def make_release(pdf: Path, output: Path) -> Path:
    if not pdf.is_file():
        raise SystemExit(f"no PDF at {pdf}: run `make pdf` first (`make release` does)")
    ver = version()
    top = f"{NAME}-{ver}"
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp_output = output.with_name(output.name + ".part")
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        if not wheel.name.startswith(f"d2lmini-{ver}-"):
            raise SystemExit(f"{wheel.name}: expected version {ver}")
        with zipfile.ZipFile(tmp_output, "w", zipfile.ZIP_DEFLATED) as zf:
            for nb in notebooks():
                check_outputs(nb)
                zf.write(nb, f"{top}/notebooks/{nb.name}")
            zf.write(wheel, f"{top}/{wheel.name}")
            zf.write(pdf, f"{top}/{NAME}.pdf")
            for name in EXTRA_FILES:
                zf.write(ROOT / name, f"{top}/{name}")
    tmp_output.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", type=Path, default=ROOT / "_build" / "pdf" / f"{NAME}.pdf")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--copy-to", type=Path, default=None,
                        help=f"also copy the archive here as {LINKED_NAME} (the web book's folder)")
    args = parser.parse_args(argv)
    output = args.output or ROOT / "_build" / "release" / f"{NAME}-{version()}.zip"
    archive = make_release(args.pdf, output)
    with zipfile.ZipFile(archive) as zf:
        count = len(zf.namelist())
    print(f"Release {version()}: {archive} ({archive.stat().st_size / 1e6:.1f} MB, {count} files)")
    if args.copy_to is not None:
        if not args.copy_to.is_dir():
            raise SystemExit(f"--copy-to {args.copy_to}: no such folder (build the book first)")
        shutil.copy2(archive, args.copy_to / LINKED_NAME)
        print(f"Copied it to {args.copy_to / LINKED_NAME} (the landing page's download link)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
