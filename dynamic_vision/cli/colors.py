"""Colour on a terminal, plain text everywhere else (pipes, files, ``NO_COLOR`` set)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["paint", "use_color"]

_CODES = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}


def use_color(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (default: standard error) is a terminal that wants colour."""
    stream = sys.stderr if stream is None else stream
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def paint(text: str, color: str, stream: TextIO | None = None) -> str:
    """``text`` in ``color`` (red, green, yellow, bold, dim) when :func:`use_color` says so."""
    if not use_color(stream):
        return text
    return f"\033[{_CODES[color]}m{text}\033[0m"
