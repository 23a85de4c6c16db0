"""Root conftest: pytest loads it for every run from the repository root.

It lives here, not in tests/, because `make nb-test` runs
`pytest --nbval ... notebooks`: pytest only loads conftest.py files in the
directories of the given paths and their parents up to the rootdir, so
tests/conftest.py would never be seen while collecting notebooks/.
"""


def pytest_collectstart(collector):
    """Leave SVG figures out of nbval's output comparison.

    An SVG differs on every run (its date and random element ids). The book's
    figures are PNG, which nbval never compares; this only keeps a stray SVG
    output from failing the run.
    """
    if getattr(collector, "skip_compare", None) is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("image/svg+xml",)
