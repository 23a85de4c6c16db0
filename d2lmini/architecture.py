"""Figures of network architectures (LeNet's data flow), drawn by code.

Every function returns a matplotlib Figure; plot text is ASCII only.
"""
from __future__ import annotations

__all__ = []
