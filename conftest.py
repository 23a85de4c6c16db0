"""Root conftest: pytest loads it for every run from the repository root.

It lives here, not in tests/, because `make nb-test` runs
`pytest --nbval ... notebooks`: pytest only loads conftest.py files in the
directories of the given paths and their parents up to the rootdir, so
tests/conftest.py would never be seen while collecting notebooks/.
"""


def pytest_collectstart(collector):
    """Leave the figures out of nbval's output comparison, as nbval does for PNG.

    The book's figures are vector: each is stored as image/svg+xml (the web book, Jupyter)
    and application/pdf (the LaTeX book), see d2lmini.plotting.use_vector_display. nbval
    compares every mime type but PNG/JPEG, so it would compare both as text. d2lmini makes
    them byte-identical from run to run (fixed SVG ids, no dates), but their bytes still
    depend on the matplotlib version and the fonts installed (matplotlib is not pinned):
    a figure is checked by the tests of d2lmini's drawing functions and by the cells'
    asserts, not byte by byte. The printed numbers and text are still compared.
    """
    if getattr(collector, "skip_compare", None) is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("image/svg+xml", "application/pdf")


# ---------------------------------------------------------------- system packages
# What a test needs from the system comes from the one list, tools/system_packages.py:
# without it the test reports SKIPPED with the command that installs it (never a failure).

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
import system_packages  # noqa: E402

sys.path.remove(str(ROOT / "tools"))

# marker -> part of tools/system_packages.py
MARKER_PARTS = {"browser": "browser", "pdf": "pdf-test"}
DATA_FUNCTIONS = ("load_data_fashion_mnist", "read_fashion_mnist", "prepare_fashion_mnist")
_data_reason_cache = []


SIMULATED_DEBIAN_DIR = Path("/nonexistent/simulated-absent/fashion-mnist")


def pytest_configure(config):
    # D2L_SIMULATE_ABSENT=dataset-fashion-mnist: d2lmini in this process must not see Debian's folder.
    if "dataset-fashion-mnist" in system_packages._simulated_absent():
        import d2lmini.data
        d2lmini.data.DEBIAN_FASHION_MNIST_DIR = SIMULATED_DEBIAN_DIR


def data_skip_reason():
    """None when Fashion-MNIST can be had here (found, or downloaded now by torchvision, as
    d2lmini does), else why not and the command that installs Debian's copy. Asked once."""
    if not _data_reason_cache:
        _data_reason_cache.append(_data_skip_reason())
    return _data_reason_cache[0]


def _data_skip_reason():
    try:
        import d2lmini.data as data
    except ImportError as err:
        return f"SKIPPED: d2lmini is not importable ({err})"
    package = system_packages.BY_NAME["dataset-fashion-mnist"]
    try:
        # D2L_SIMULATE_OFFLINE=1 (tests/test_system_packages.py): as if torchvision's download failed.
        data.prepare_fashion_mnist(download=os.environ.get("D2L_SIMULATE_OFFLINE") != "1")
    except FileNotFoundError as err:
        first = str(err).splitlines()[0]
        return (f"SKIPPED: needs the real Fashion-MNIST ({first}: not in the data root, no Debian "
                f"package, torchvision's download failed); run: {system_packages.command([package])}")
    return None


def _notebook_needs_data(path: Path) -> bool:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(name in "".join(cell.get("source", "")) for cell in nb.get("cells", [])
               if cell.get("cell_type") == "code" for name in DATA_FUNCTIONS)


def pytest_collection_modifyitems(config, items):
    reasons = {}
    for item in items:
        for marker, part in MARKER_PARTS.items():
            if item.get_closest_marker(marker):
                if part not in reasons:
                    reasons[part] = system_packages.skip_reason(part)
                if reasons[part]:
                    item.add_marker(pytest.mark.skip(reason=reasons[part]))
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb":
            if path not in reasons:
                reasons[path] = data_skip_reason() if _notebook_needs_data(path) else None
            if reasons[path]:
                item.add_marker(pytest.mark.skip(reason=reasons[path]))
            compat_uncompared(item, path)


def _is_missing_data(excinfo) -> bool:
    err = excinfo.value
    return isinstance(err, FileNotFoundError) and "Fashion-MNIST file" in str(err) and "not found" in str(err)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that failed only because Fashion-MNIST cannot be had here is reported SKIPPED,
    with the command that installs it, when the data check agrees that it cannot be had."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None and _is_missing_data(call.excinfo):
        reason = data_skip_reason()
        if reason:
            report.outcome = "skipped"
            report.longrepr = (str(item.fspath), item.location[1] or 0, reason)
            if hasattr(report, "wasxfail"):
                del report.wasxfail


# ---------------------------------------------------------------- make compat-test
# tools/compat_test.py runs nbval on other stacks (the lowest claimed versions, Colab's) with
# D2L_COMPAT set to the stack's name. The stored outputs were recorded with the pins of
# requirements.txt; the cells listed here print numbers that another torch computes
# differently (found by running both stacks; see tools/compat_test.py). On a compat stack they
# still run, and must not raise, but their outputs are not compared. Every other cell is.
# Keyed by notebook file name, then cell id.
COMPAT_UNCOMPARED: dict[str, dict[str, str]] = {}


def compat_uncompared(item, path):
    stack = os.environ.get("D2L_COMPAT")
    if not stack or not hasattr(item, "cell"):
        return
    why = COMPAT_UNCOMPARED.get(path.name, {}).get(item.cell.get("id", ""))
    if why:
        item.options["check"] = False
