"""Benchmark inputs given as registry identifiers, loader callables or ready objects.

Benchmarks are constructed on every ``score()`` call before the score cache is consulted, so
they must not load data in ``__init__``. A :class:`LazyData` holds *how* to get the data and
loads it on first use, once.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["LazyData"]


class LazyData:
    """A value loaded on first access.

    Parameters
    ----------
    source
        A registry identifier (``str``, loaded from ``registry``), a zero-argument callable, or
        the value itself.
    registry
        The registry that resolves string identifiers (e.g. ``dataset_registry``).
    what
        What the value is, for error messages (``"recordings"``, ``"stimuli"``).
    """

    def __init__(self, source: Any, registry: Any = None, what: str = "data"):
        self._source = source
        self._registry = registry
        self._what = what
        self._value: Any = None
        self._loaded = False
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The value, loading it if needed."""
        with self._lock:
            if not self._loaded:
                self._value = self._load()
                self._loaded = True
        return self._value

    def _load(self) -> Any:
        source = self._source
        if isinstance(source, str):
            if self._registry is None:
                raise TypeError(f"Cannot resolve {self._what} '{source}': no registry given.")
            return self._registry.load(source)
        if callable(source) and not hasattr(source, "dims") and not hasattr(source, "columns"):
            return source()
        return source

    @property
    def description(self) -> str:
        """A short, JSON-friendly description of where the data come from."""
        source = self._source
        if isinstance(source, str):
            return source
        if callable(source) and hasattr(source, "__qualname__"):
            return f"{getattr(source, '__module__', '?')}:{source.__qualname__}"
        return type(source).__name__
