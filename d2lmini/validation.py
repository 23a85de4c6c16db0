"""Input checks kept apart from the taught code.

A function a notebook teaches (corr2d, pool2d, train_ch6, ...) shows only its
algorithm. d2lmini's exported version runs a check first, which raises a
ValueError naming the parameter and the expected form::

    @checked_by(_check_corr2d)
    def corr2d(X, K):
        ...  # exactly the notebook's code

The undecorated function stays reachable as ``corr2d.__wrapped__``;
``taught_source(corr2d)`` is its source without the decorator, which
tests/test_notebook_functions.py compares with the notebook's and
tools/sync_notebook_functions.py copies into the notebooks.
"""
from __future__ import annotations

import functools
import inspect
import textwrap

__all__ = ["checked_by", "taught_source"]


def checked_by(check):
    """Decorate a function so that check(*args, **kwargs) runs before it."""
    def decorate(function):
        @functools.wraps(function)
        def checked(*args, **kwargs):
            check(*args, **kwargs)
            return function(*args, **kwargs)
        return checked
    return decorate


def taught_source(function):
    """The source a notebook shows: the function behind its check, without the decorator."""
    lines = textwrap.dedent(inspect.getsource(inspect.unwrap(function))).splitlines()
    while lines and lines[0].startswith("@"):
        lines.pop(0)
    return "\n".join(lines)
