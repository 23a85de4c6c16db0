"""Figures of the chapter's computations, drawn by code from the tensors the text uses.

Every function returns a matplotlib Figure; plot text is ASCII only.
"""
from __future__ import annotations

__all__ = []
