"""Supported Python and torch versions: pyproject.toml, requirements.txt, the README and
the landing page say the same thing, and pip keeps Colab's torch.

- requires-python admits 3.10 to 3.13 (Colab runs 3.13) and not 3.9, which the pinned
  torch does not support; the classifiers list the same minor versions; the Python
  running the tests is admitted.
- The torch and torchvision requirements admit the pins of requirements.txt (what
  `make test` runs) and Colab's torch 2.11 / torchvision 0.26.
- The README's "Supported versions" section and intro.md name the same lowest versions.
- In a fresh environment that already has torch 2.11 (as Colab does), pip installing
  d2lmini installs d2lmini and nothing else: Colab's torch stays. The same with a
  torch older than the range makes pip look for a newer torch (and fail, offline),
  so the check can fail.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REQUIRES_PYTHON = SpecifierSet(PYPROJECT["requires-python"])
DEPENDENCIES = {Requirement(r).name: Requirement(r) for r in PYPROJECT["dependencies"]}

MIN_PYTHON = "3.10"   # torch 2.11 and newer need it
COLAB = {"python": "3.13", "torch": "2.11.0", "torchvision": "0.26.0"}  # Google Colab, late 2026


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


PINS = _pins()


def _lowest(spec: SpecifierSet) -> str:
    lows = [s.version for s in spec if s.operator == ">="]
    assert len(lows) == 1, f"{spec}: expected one lower bound"
    return lows[0]


def test_requires_python():
    for version in ("3.10", "3.11", "3.12", COLAB["python"]):
        assert version in REQUIRES_PYTHON, f"requires-python {REQUIRES_PYTHON} excludes {version}"
    assert "3.9" not in REQUIRES_PYTHON, "torch 2.11+ needs Python 3.10: requires-python must exclude 3.9"
    assert _lowest(REQUIRES_PYTHON) == MIN_PYTHON
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert running in REQUIRES_PYTHON, f"these tests run on Python {running}, outside {REQUIRES_PYTHON}"


def test_classifiers_match_requires_python():
    minors = [c.rsplit(":: ", 1)[1] for c in PYPROJECT.get("classifiers", [])
              if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert minors, "no Python version classifiers"
    assert all(m in REQUIRES_PYTHON for m in minors)
    assert minors[0] == MIN_PYTHON and COLAB["python"] in minors


@pytest.mark.parametrize("name", ["torch", "torchvision"])
def test_dependency_admits_the_pin_and_colab(name):
    requirement = DEPENDENCIES[name]
    assert name in PINS, f"requirements.txt pins no {name}"
    assert requirement.specifier.contains(PINS[name]), f"{requirement} excludes the pinned {name}=={PINS[name]}"
    assert requirement.specifier.contains(COLAB[name]), f"{requirement} excludes Colab's {name} {COLAB[name]}"
    assert _lowest(requirement.specifier) == ".".join(COLAB[name].split(".")[:2]), (
        f"{requirement}: the lowest supported {name} is the one Colab ships")


def test_installed_torch_is_supported():
    torch = pytest.importorskip("torch", reason="SKIPPED: torch is not installed here")
    assert DEPENDENCIES["torch"].specifier.contains(Version(torch.__version__).base_version)


def test_readme_and_landing_page_state_the_same_versions():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Supported versions\n(.*?)(?=^## |\Z)", readme, flags=re.S | re.M)
    assert section, "README.md has no '## Supported versions' section"
    text = section.group(1)
    assert f"Python {MIN_PYTHON}" in text
    assert f'`requires-python = "{PYPROJECT["requires-python"]}"`' in text
    assert f"torch {_lowest(DEPENDENCIES['torch'].specifier)}" in text
    raw_torch = next(d for d in PYPROJECT["dependencies"] if Requirement(d).name == "torch")
    assert f"`{raw_torch}`" in text, f"the README does not quote pyproject's {raw_torch}"
    for name in ("torch", "torchvision"):
        assert f"{name} {PINS[name]}" in text, f"the README does not name the pinned {name} {PINS[name]}"
    assert "Python 3.9" not in readme and "3.9+" not in readme
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    assert f"Python {MIN_PYTHON} 或更新版本" in intro
    assert "Python 3.9" not in intro


# ---------------------------------------------------------------- pip keeps Colab's torch


def _fake_distribution(site: Path, name: str, version: str) -> None:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text("")


def _pip_plan(tmp_path: Path, installed: dict[str, str]) -> subprocess.CompletedProcess:
    """What pip would install into a fresh environment holding `installed`, asked for the
    d2lmini wheel (no index: anything else it wanted would fail)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "d2lmini", src / "d2lmini", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--quiet", "-w", str(wheels), str(src)],
                           capture_output=True, text=True, timeout=300, env=env)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("d2lmini-*.whl")

    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    for name, version in installed.items():
        _fake_distribution(site, name, version)
    report = tmp_path / "report.json"
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--dry-run",
                             "--no-index", "--quiet", "--report", str(report), str(wheel)],
                            capture_output=True, text=True, timeout=300, env=env)
    result.plan = ([(i["metadata"]["name"], i["metadata"]["version"])
                    for i in json.loads(report.read_text())["install"]] if report.exists() else None)
    return result


COLAB_INSTALLED = {"torch": COLAB["torch"], "torchvision": COLAB["torchvision"],
                   "numpy": "2.0.2", "matplotlib": "3.10.0"}


def test_pip_keeps_colabs_torch(tmp_path):
    result = _pip_plan(tmp_path, COLAB_INSTALLED)
    assert result.returncode == 0, f"pip wanted more than d2lmini next to Colab's torch:\n{result.stderr}"
    assert result.plan == [("d2lmini", PYPROJECT["version"])]


def test_pip_plan_notices_a_torch_outside_the_range(tmp_path):
    """The check above can fail: with torch 2.10 installed, pip needs another torch."""
    result = _pip_plan(tmp_path, {**COLAB_INSTALLED, "torch": "2.10.0"})
    assert result.returncode != 0 and "torch" in result.stderr


def test_colab_cell_does_not_upgrade():
    """The Colab cell's pip install has no --upgrade / --force-reinstall, so pip keeps
    every installed package that satisfies d2lmini's requirements."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import sync_colab_cells
    finally:
        sys.path.pop(0)
    source = sync_colab_cells.colab_cell_source(ROOT / "_config.yml")
    assert '"pip", "install"' in source
    for flag in ("--upgrade", '"-U"', "--force-reinstall", "--ignore-installed"):
        assert flag not in source
