"""The release: the version written once, the changelog, and `make release`'s archive.

- pyproject.toml's version is d2lmini.__version__ (read from the installed metadata) and the
  first version section of CHANGELOG.md; no other file writes it.
- tools/make_release.py writes one zip with every notebook of notebooks/ byte for byte (so
  with its stored outputs), a d2lmini wheel of that version that holds the package and its
  data file, the PDF, and the README, CHANGELOG and requirements; --copy-to puts the copy the
  landing page links (d2l-ch6-cnn.zip, linked from intro.md's download paragraph).
- Without a PDF it stops with one line.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "make_release.py"
sys.path.insert(0, str(ROOT / "tools"))
import make_release  # noqa: E402

sys.path.remove(str(ROOT / "tools"))

VERSION = make_release.version()


def test_version_in_one_place():
    import d2lmini
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert d2lmini.__version__ == VERSION
    init = (ROOT / "d2lmini" / "__init__.py").read_text(encoding="utf-8")
    assert f'"{VERSION}"' not in init, "d2lmini/__init__.py writes the version again"


def test_changelog_names_this_version_first():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (\S+)", text, re.M)
    assert sections and sections[0] == VERSION, f"CHANGELOG.md's first section is {sections[:1]}, not {VERSION}"


def test_landing_page_links_the_archive():
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    assert f'href="{make_release.LINKED_NAME}"' in intro
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "tools/make_release.py" in makefile and "--copy-to _build/html" in makefile


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("release")
    pdf = tmp / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a stand-in for the book\n%%EOF\n")
    html = tmp / "html"
    html.mkdir()
    out = subprocess.run([sys.executable, str(TOOL), "--pdf", str(pdf), "--output", str(tmp / "r.zip"),
                          "--copy-to", str(html)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Release {VERSION}:" in out.stdout
    assert (html / make_release.LINKED_NAME).read_bytes() == (tmp / "r.zip").read_bytes()
    return tmp / "r.zip", pdf


def test_archive_holds_every_notebook_with_outputs_the_wheel_and_the_pdf(archive):
    path, pdf = archive
    top = f"d2l-ch6-cnn-{VERSION}"
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert all(n.startswith(top + "/") for n in names)
        notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
        assert len(notebooks) >= 7
        for nb in notebooks:
            data = zf.read(f"{top}/notebooks/{nb.name}")
            assert data == nb.read_bytes(), nb.name
            cells = json.loads(data)["cells"]
            assert any(c.get("outputs") for c in cells if c["cell_type"] == "code"), nb.name
        assert zf.read(f"{top}/d2l-ch6-cnn.pdf") == pdf.read_bytes()
        for name in ("README.md", "CHANGELOG.md", "requirements.txt"):
            assert zf.read(f"{top}/{name}") == (ROOT / name).read_bytes()
        wheels = [n for n in names if n.endswith(".whl")]
        assert wheels == [f"{top}/d2lmini-{VERSION}-py3-none-any.whl"]
        wheel_path = path.parent / "d2lmini.whl"
        wheel_path.write_bytes(zf.read(wheels[0]))
    with zipfile.ZipFile(wheel_path) as wheel:
        files = set(wheel.namelist())
        for module in (ROOT / "d2lmini").glob("*.py"):
            assert f"d2lmini/{module.name}" in files
        assert "d2lmini/lenet_study.csv" in files
        metadata = wheel.read(f"d2lmini-{VERSION}.dist-info/METADATA").decode()
        assert f"Version: {VERSION}" in metadata and "Requires-Dist: torch" in metadata
    assert not (ROOT / "build").exists(), "the wheel build left a build/ folder in the checkout"


def test_without_a_pdf_it_stops_with_one_line(tmp_path):
    out = subprocess.run([sys.executable, str(TOOL), "--pdf", str(tmp_path / "none.pdf"),
                          "--output", str(tmp_path / "r.zip")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "make pdf" in out.stderr
    assert not (tmp_path / "r.zip").exists()
