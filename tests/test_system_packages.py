"""The system packages: one list (tools/system_packages.py), used by the Makefile, .ci/run and
conftest.py, and what happens when a package is missing.

Absence is simulated (D2L_SIMULATE_ABSENT, D2L_SIMULATE_NO_APT, an empty PATH), never made:
- the script installs nothing and says the one command to run, and exits 0 (a build goes on);
- `check pdf` stops with one line: the apt-get command on Debian, the reason elsewhere;
- a pytest run whose browser / PDF tests lack their packages reports them SKIPPED with that
  command, the other tests still run and pass;
- a test that fails only because Fashion-MNIST cannot be had is reported SKIPPED (conftest.py),
  and a notebook that loads the data is skipped at collection; with the data there, nothing is.
- .ci/run and the Makefile use the script, and no other list of Debian packages is written.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "system_packages.py"
sys.path.insert(0, str(ROOT / "tools"))
import system_packages as sp  # noqa: E402

sys.path.remove(str(ROOT / "tools"))

NAMES = ["dataset-fashion-mnist", "texlive-xetex", "texlive-lang-chinese", "latexmk",
         "texlive-fonts-recommended", "fonts-noto-cjk", "fonts-freefont-otf", "fonts-dejavu-core", "fontconfig", "poppler-utils", "chromium",
         "chromium-driver", "fonts-wqy-microhei", "npm"]
# What `make pdf` (XeLaTeX + xeCJK) needs, and what it no longer needs (the Chromium print).
PDF_NAMES = ["texlive-xetex", "texlive-lang-chinese", "latexmk", "texlive-fonts-recommended", "fonts-noto-cjk",
             "fonts-freefont-otf", "fonts-dejavu-core", "fontconfig"]


def _script(*args, env=None):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_the_one_list():
    assert [p.name for p in sp.PACKAGES] == NAMES
    for p in sp.PACKAGES:
        assert p.commands or p.paths or p.tex_files or p.fonts, p.name
        assert p.why and set(p.needed_by) <= set(sp.PARTS), p.name
    # the PDF's tests need everything the PDF needs, and poppler
    assert {p.name for p in sp.packages_for("pdf")} < {p.name for p in sp.packages_for("pdf-test")}
    assert [p.name for p in sp.packages_for("workflows")] == ["npm"]
    assert [p.name for p in sp.packages_for("pdf")] == PDF_NAMES
    assert [p.name for p in sp.packages_for("browser")] == ["chromium", "chromium-driver", "fonts-wqy-microhei"]


def test_the_pdf_part_is_checked_by_what_the_build_uses():
    """xelatex and latexmk on PATH, xeCJK.sty and the LaTeX packages found by kpsewhich, the
    fonts the preamble names (_config.yml's fontpkg) listed by fc-list."""
    by = sp.BY_NAME
    assert by["texlive-xetex"].commands == ("xelatex",) and by["latexmk"].commands == ("latexmk",)
    assert {"titlesec.sty", "caption.sty"} <= set(by["texlive-xetex"].tex_files)
    # xeCJK.sty alone (texlive-lang-cjk) is not enough: it loads ctexhook.sty (ctex, texlive-lang-chinese)
    assert by["texlive-lang-chinese"].tex_files == ("xeCJK.sty", "ctexhook.sty")
    # hyperref's XeTeX driver loads pzdr for every link: texlive-xetex does not bring it (a fresh
    # Debian root stopped at the first link without it)
    assert by["texlive-fonts-recommended"].tex_files == ("pzdr.tfm",)


def test_a_tex_file_or_font_that_is_not_found_is_missing(monkeypatch):
    monkeypatch.setattr(sp.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(sp.os.path, "exists", lambda path: True)
    answers = {"kpsewhich": "", "fc-list": "DejaVu Sans Mono\nNoto Sans CJK SC,Noto Sans CJK SC Regular"}
    monkeypatch.setattr(sp, "_quiet", lambda args: answers[args[0]])
    absent = {p.name for p in sp.missing("pdf")}
    # no kpsewhich hit: both TeX packages; fc-list lists only two of the fonts asked for
    assert absent == {"texlive-xetex", "texlive-lang-chinese", "texlive-fonts-recommended", "fonts-noto-cjk",
                      "fonts-freefont-otf"}
    answers["kpsewhich"] = "/usr/share/texlive/texmf-dist/tex/some.sty"
    answers["fc-list"] = "\n".join(["Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Sans Mono CJK SC",
                                    "FreeSerif", "FreeSans", "DejaVu Sans Mono"])
    assert not sp.missing("pdf")
    # a family is matched exactly: "Noto Sans CJK SC" is not "Noto Sans CJK SC Black"
    answers["fc-list"] = "Noto Sans CJK SC Black"
    assert not sp._font("Noto Sans CJK SC")


def test_lookups_without_their_command_say_missing(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not sp._tex_file("xeCJK.sty") and not sp._font("FreeSerif")


def test_makefile_and_ci_use_the_script_and_write_no_other_list():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "tools/system_packages.py" in makefile and "tools/system_packages.py install" in ci
    assert re.search(r"^book: system-packages ", makefile, re.M)
    assert re.search(r"^test: system-packages ", makefile, re.M)
    for text in (makefile, ci):
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert "apt-get install" not in text
        for name in NAMES:
            if name not in ("chromium", "npm"):  # also words of the prose, and npm a command
                assert name not in text, name


def test_simulated_absence_installs_nothing_and_tells_the_command():
    out = _script("install", env={"D2L_SIMULATE_ABSENT": "chromium,poppler-utils"})
    assert out.returncode == 0, out.stderr
    assert "missing: poppler-utils, chromium" in out.stdout
    assert re.search(r"apt-get install -y -q --no-install-recommends poppler-utils chromium$", out.stdout.strip())
    assert "Installing" not in out.stdout


def test_a_missing_command_on_path_is_missing(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    absent = {p.name for p in sp.missing()}
    assert {"texlive-xetex", "latexmk", "chromium", "chromium-driver", "fontconfig", "poppler-utils",
            "npm"} <= absent
    assert sp.skip_reason("pdf-test").startswith("SKIPPED: needs texlive-xetex, texlive-lang-chinese, latexmk")
    assert sp.skip_reason("browser").startswith("SKIPPED: needs chromium, chromium-driver")


def test_not_root_without_sudo_prints_sudo_command(monkeypatch):
    monkeypatch.setattr(sp, "_is_root", lambda: False)
    monkeypatch.setattr(sp, "_prefix", lambda: None)
    monkeypatch.setenv("D2L_SIMULATE_ABSENT", "chromium")
    assert sp.command() == ("sudo apt-get update && sudo apt-get install -y -q --no-install-recommends "
                            "chromium")
    assert sp.install() == 0


def test_install_runs_apt_get_for_what_is_missing(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(sp, "_prefix", lambda: ["sudo", "-n"])
    monkeypatch.setattr(sp, "present", lambda p: p.name != "poppler-utils" or len(calls) >= 2)
    monkeypatch.setattr(sp.subprocess, "run",
                        lambda cmd, **kw: calls.append(cmd) or subprocess.CompletedProcess(cmd, 0))
    monkeypatch.setattr(sp, "has_apt", lambda: True)
    monkeypatch.delenv("D2L_SYSTEM_PACKAGES", raising=False)
    assert sp.install() == 0
    assert calls[0][:4] == ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"]
    assert calls[0][4:] == ["apt-get", "update", "-q"]
    assert calls[1][-1] == "poppler-utils" and "install" in calls[1]
    assert "Installing Debian packages: poppler-utils" in capsys.readouterr().out


def test_install_of_one_part_installs_only_its_packages(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(sp, "_prefix", lambda: [])
    monkeypatch.setattr(sp, "has_apt", lambda: True)
    monkeypatch.setattr(sp, "present", lambda p: p.name not in ("fonts-noto-cjk", "chromium", "npm")
                        or len(calls) >= 2)
    monkeypatch.setattr(sp.subprocess, "run",
                        lambda cmd, **kw: calls.append(cmd) or subprocess.CompletedProcess(cmd, 0))
    monkeypatch.delenv("D2L_SYSTEM_PACKAGES", raising=False)
    assert sp.install(["pdf"]) == 0
    assert calls[1][-1] == "fonts-noto-cjk" and "chromium" not in calls[1] and "npm" not in calls[1]


def test_a_failed_apt_get_does_not_fail_the_build(monkeypatch, capsys):
    monkeypatch.setattr(sp, "_prefix", lambda: [])
    monkeypatch.setattr(sp, "has_apt", lambda: True)
    monkeypatch.setattr(sp, "present", lambda p: p.name != "npm")
    monkeypatch.setattr(sp.subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, 100))
    monkeypatch.delenv("D2L_SYSTEM_PACKAGES", raising=False)
    assert sp.install() == 0
    assert "will report SKIPPED" in capsys.readouterr().out


def test_check_pdf_stops_with_one_line():
    out = _script("check", "pdf", env={"D2L_SIMULATE_ABSENT": "texlive-lang-chinese"})
    assert out.returncode == 1
    assert out.stdout.count("\n") == 1 and "make pdf: needs texlive-lang-chinese; run: " in out.stdout
    # Chromium is the browser test's, no longer the PDF's
    assert _script("check", "pdf", env={"D2L_SIMULATE_ABSENT": "chromium"}).returncode == 0 or sp.missing("pdf")
    out = _script("check", "pdf", env={"D2L_SIMULATE_ABSENT": "texlive-xetex", "D2L_SIMULATE_NO_APT": "1"})
    assert out.returncode == 1 and out.stdout.count("\n") == 1
    assert "not Debian or Ubuntu" in out.stdout


def test_make_pdf_stops_with_that_line(tmp_path):
    out = subprocess.run(["make", "--no-print-directory", "pdf"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "D2L_SIMULATE_ABSENT": "texlive-xetex", "D2L_SIMULATE_NO_APT": "1",
                              "MAKEFLAGS": ""}, timeout=300)
    assert out.returncode != 0
    assert out.stdout.strip().splitlines()[-1].startswith("make pdf: needs Debian's texlive-xetex")
    assert "Traceback" not in out.stdout + out.stderr


def test_no_apt_install_says_what_is_skipped():
    out = _script("install", env={"D2L_SIMULATE_ABSENT": "chromium", "D2L_SIMULATE_NO_APT": "1"})
    assert out.returncode == 0
    assert "not Debian or Ubuntu (no apt-get)" in out.stdout and "SKIPPED" in out.stdout


def test_unknown_simulated_package_is_an_error():
    out = _script("status", env={"D2L_SIMULATE_ABSENT": "chromium-browser"})
    assert out.returncode != 0 and "chromium-browser" in out.stderr


# ---------------------------------------------------------------- skips in a pytest run

FAKE_TESTS = textwrap.dedent('''
    import os
    import pytest
    import d2lmini as d2l

    @pytest.mark.browser
    def test_browser():
        pass

    @pytest.mark.pdf
    def test_pdf():
        pass

    def test_plain():
        assert 1 + 1 == 2

    def test_needs_data():
        d2l.prepare_fashion_mnist(download=os.environ.get("D2L_SIMULATE_OFFLINE") != "1")

    def test_other_file_not_found():
        raise FileNotFoundError("no such file: settings.toml")
''')


def _pytest(tmp_path, env):
    (tmp_path / "test_fake.py").write_text(FAKE_TESTS, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-rfs", "-p", "no:cacheprovider",
                           "-p", "conftest", "--rootdir", str(tmp_path), "-c", str(ROOT / "pyproject.toml"),
                           str(tmp_path / "test_fake.py")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env})


def test_a_run_without_chromium_and_data_skips_with_the_command(tmp_path):
    # an empty data root, Debian's data "absent", no torchvision download: the data test skips
    out = _pytest(tmp_path, {"D2L_SIMULATE_ABSENT": "chromium,poppler-utils,dataset-fashion-mnist",
                             "D2LMINI_DATA": str(tmp_path / "empty"),
                             "D2L_SIMULATE_OFFLINE": "1"})
    text = out.stdout
    assert "1 failed, 1 passed, 3 skipped" in text, text
    # an unrelated error stays a failure
    assert re.search(r"^FAILED \S*test_fake.py::test_other_file_not_found", text, re.M), text
    skips = [line for line in text.splitlines() if line.startswith("SKIPPED")]
    assert any("needs chromium" in s and "apt-get install" in s and "chromium" in s for s in skips), skips
    assert any("needs the real Fashion-MNIST" in s and "dataset-fashion-mnist" in s for s in skips), skips


def test_with_everything_present_nothing_is_skipped(tmp_path):
    if sp.missing("pdf-test") or sp.missing("browser") or sp.missing("data"):
        pytest.skip(sp.skip_reason("pdf-test") or sp.skip_reason("browser") or "SKIPPED: no Debian data here")
    out = _pytest(tmp_path, {})
    assert "1 failed, 4 passed" in out.stdout, out.stdout
