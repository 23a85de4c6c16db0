#!/usr/bin/env python3
"""`make compat-test`: d2lmini's unit tests and nbval on the other stacks the README claims.

    python3 tools/compat_test.py [lowest] [colab]

Each stack gets its own virtual environment, .venv-compat/NAME, built from the package
registries with an interpreter found on this machine (pyenv's versions, then pythonX.Y on
PATH, then the Windows launcher `py -X.Y`). A stack whose Python is not here is SKIPPED with
a message. A venv is rebuilt only when its requirements change (the line in
.venv-compat/NAME/.installed). Wheels are downloaded once into a wheelhouse,
$D2L_COMPAT_WHEELS, else ~/.cache/d2lmini-compat/wheels (`pip download` skips the files it
has; the venv installs from there), so a rebuilt venv or a rerun downloads nothing new.
torch 2.11 from PyPI is a CUDA build: 2.6 GB for the lowest stack (torch 0.9 GB, NVIDIA's
libraries, triton); the NVIDIA wheels are the same for every Python, so the second stack
adds about 1 GB.

nbval compares every cell's output with the stored one (recorded with the pins of
requirements.txt, torch 2.14.1), under the same sanitizers as `make nb-test`, except the
cells that conftest.py lists in COMPAT_UNCOMPARED, whose printed numbers depend on torch's
version: those still run (and must not raise), with D2L_COMPAT=NAME set.
Exit status: 0 when every stack that could run passed (skipped ones included), 1 otherwise.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = Path(os.environ.get("D2L_COMPAT_VENVS") or ROOT / ".venv-compat")  # where the stacks' venvs live

# The test tools, the same for both stacks (versions as the registry serves them).
TEST_TOOLS = ["pytest", "nbval", "nbclient", "nbformat", "hypothesis", "ipykernel", "ipython",
              "matplotlib-inline", "pillow", "pyyaml"]
STACKS = {
    # The lowest versions pyproject.toml admits: requires-python >= 3.10, torch >= 2.11
    # (with its torchvision, 0.26); numpy and matplotlib unbounded there, so as served.
    "lowest": {"python": "3.10", "packages": ["torch==2.11.0", "torchvision==0.26.0", "numpy", "matplotlib",
                                              "ipywidgets"]},
    # Google Colab, late 2026: Python 3.13, torch 2.11, numpy 2.1, matplotlib 3.10, ipywidgets 7.7.
    "colab": {"python": "3.13", "packages": ["torch==2.11.0", "torchvision==0.26.0", "numpy==2.1.*",
                                             "matplotlib==3.10.*", "ipywidgets==7.7.*"]},
}
# d2lmini's own tests (the book, prose, PDF, browser and workflow tests are not about the stack).
UNIT_TESTS = ["tests/test_ops.py", "tests/test_data.py", "tests/test_training.py", "tests/test_animation.py",
              "tests/test_animator.py", "tests/test_diagrams.py", "tests/test_architecture.py",
              "tests/test_lenet_study.py", "tests/test_notebook_functions.py"]
WHEELS = Path(os.environ.get("D2L_COMPAT_WHEELS") or Path.home() / ".cache" / "d2lmini-compat" / "wheels")
# The cell timeout as in the Makefile (a training cell can exceed nbval's 2000 s on a loaded machine).
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
         "--nbval-cell-timeout=7200"]


def find_python(version: str) -> list[str] | None:
    """A command that runs Python `version` (X.Y) here, or None."""
    candidates: list[list[str]] = []
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    versions = Path(pyenv_root) / "versions"
    if versions.is_dir():
        for d in sorted(versions.iterdir(), reverse=True):
            if d.name == version or d.name.startswith(version + "."):
                candidates.append([str(d / "bin" / "python")])
    for name in (f"python{version}", "python3"):
        found = shutil.which(name)
        if found:
            candidates.append([found])
    if shutil.which("py"):
        candidates.append(["py", f"-{version}"])
    for cmd in candidates:
        try:
            out = subprocess.run(cmd + ["-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return cmd
    return None


def run(cmd: list[str], **kw) -> int:
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, **kw).returncode


def build_venv(name: str, python: list[str], packages: list[str]) -> tuple[Path | None, str]:
    venv = VENVS / name
    py = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    want = " ".join(python + packages + TEST_TOOLS)
    stamp = venv / ".installed"
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == want and py.exists():
        # d2lmini editable from this checkout (the venv may have served another one)
        if run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."]) != 0:
            return None, "installing d2lmini failed"
        return py, "reused"
    shutil.rmtree(venv, ignore_errors=True)
    if run(python + ["-m", "venv", str(venv)]) != 0:
        return None, "venv failed"
    WHEELS.mkdir(parents=True, exist_ok=True)
    pip = [str(py), "-m", "pip", "--disable-pip-version-check"]

    def install(reqs: list[str]) -> bool:
        # Download what the wheelhouse lacks (for this venv's Python), then install from it alone.
        return (run(pip + ["download", "--quiet", "--only-binary=:all:", "--find-links", str(WHEELS),
                           "-d", str(WHEELS)] + reqs) == 0
                and run(pip + ["install", "--quiet", "--no-index", "--find-links", str(WHEELS)] + reqs) == 0)

    note = "built"
    if not install(packages + TEST_TOOLS):
        # ipywidgets 7.7 may not install on a newer Python: say so, and test with what does.
        relaxed = [p for p in packages if not p.startswith("ipywidgets")] + ["ipywidgets"]
        if relaxed == packages or not install(relaxed + TEST_TOOLS):
            return None, "pip install failed"
        note = f"built; {[p for p in packages if p.startswith('ipywidgets')][0]} did not install, used the newest ipywidgets"
    if run(pip + ["install", "--quiet", "--no-deps", "-e", "."]) != 0:
        return None, "installing d2lmini failed"
    stamp.write_text(want + "\n", encoding="utf-8")
    return py, note


def versions(py: Path) -> str:
    code = ("import sys, torch, torchvision, numpy, matplotlib, ipywidgets; "
            "print(f'Python {sys.version.split()[0]}, torch {torch.__version__}, torchvision {torchvision.__version__}, "
            "numpy {numpy.__version__}, matplotlib {matplotlib.__version__}, ipywidgets {ipywidgets.__version__}')")
    return subprocess.run([str(py), "-c", code], capture_output=True, text=True, cwd=ROOT).stdout.strip()


def main(argv: list[str]) -> int:
    names = argv or list(STACKS)
    unknown = [n for n in names if n not in STACKS]
    if unknown:
        print(f"unknown stack {unknown}: choose from {list(STACKS)}", file=sys.stderr)
        return 2
    results = []
    for name in names:
        stack = STACKS[name]
        start = time.time()
        python = find_python(stack["python"])
        if python is None:
            results.append((name, "SKIPPED", f"no Python {stack['python']} on this machine "
                            f"(pyenv install {stack['python']}, or python{stack['python']} on PATH)"))
            print(f"compat {name}: SKIPPED: {results[-1][2]}", flush=True)
            continue
        py, note = build_venv(name, python, stack["packages"])
        if py is None:
            results.append((name, "FAILED", note))
            continue
        print(f"compat {name}: {versions(py)} ({note}, {time.time() - start:.0f} s)", flush=True)
        env = {**os.environ, "D2L_COMPAT": name, "MPLCONFIGDIR": str(VENVS / name / "matplotlib"),
               "PYTHONDONTWRITEBYTECODE": "1"}
        pytest = [str(py), "-m", "pytest", "-p", "no:cacheprovider", "-rs"]
        unit = run(pytest + UNIT_TESTS + ["-m", "not browser and not pdf"], env=env)
        nb = run(pytest + NBVAL + ["notebooks"], env=env)
        ok = unit == 0 and nb == 0
        results.append((name, "passed" if ok else "FAILED",
                        f"unit tests exit {unit}, nbval exit {nb}, {time.time() - start:.0f} s; {versions(py)}"))
    print("\ncompat-test:")
    for name, outcome, detail in results:
        print(f"  {name}: {outcome}: {detail}")
    return 0 if all(outcome != "FAILED" for _, outcome, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
