"""Input checks kept apart from the taught code.

A function a notebook teaches (corr2d, pool2d, train_ch6, ...) shows only its
algorithm. d2lmini's exported version runs a check first, which raises a
ValueError naming the parameter and the expected form::

    @checked_by(_check_corr2d)
    def corr2d(X, K):
        ...  # exactly the notebook's code

The undecorated function stays reachable as ``corr2d.__wrapped__``;
tests/test_notebook_functions.py compares its source with the notebook's.
"""
from __future__ import annotations

import functools

__all__ = ["checked_by"]


def checked_by(check):
    """Decorate a function so that check(*args, **kwargs) runs before it."""
    def decorate(function):
        @functools.wraps(function)
        def checked(*args, **kwargs):
            check(*args, **kwargs)
            return function(*args, **kwargs)
        return checked
    return decorate
